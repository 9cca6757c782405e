package main

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/taxonomy"
)

func newEvalCmd(a *app) *cobra.Command {
	var tf trainFlags
	var modelDir, sens string
	var folds, seeds int
	var seed uint64
	var balanced, asJSON, stories bool
	var labels []string
	cmd := &cobra.Command{
		Use:   "eval --data labelled.jsonl [--model DIR] [--cv K] [--balanced] | eval --stories CORPUS...",
		Short: "Evaluate: per-label precision, recall, F1 and macro-F1",
		Long: `eval measures a model on labelled data.

With --cv K it cross-validates training: the data is split into K folds
grouped by work, and each fold is scored by a model trained (thresholds
included) on the other folds only. Without --cv it scores the data with the
given model (--model DIR, default the embedded model) as a held-out test set.
--balanced adds the protocol of Wiegmann et al. (2024): 20 positive and 20
negative passages per warning, 5 seeds, mean accuracy.

With --stories it measures the model on whole stories against what their
authors declared (any input format, read as tagger meta reads it): a work
that declares a label (warnings field or a freeform tag naming it) is a
positive; a work that declares "No Archive Warnings Apply" and tags nothing
of the label is a clean negative. Per label: AUC of the label score between
the two, recall of detected, and the false-alarm rate on clean works; then
the share of clean works (General or Teen, no warnings apply, nothing
tagged) with any undeclared finding. Declarations are weak labels: a tag
says the work contains the thing somewhere, perhaps only by mention.

With --stories and --cv K it cross-validates the story model tagger train
--corpus would train on that corpus: K folds grouped by work, each scored by
a story model trained on the other folds, at thresholds calibrated on the
other folds' out-of-fold scores; the same table on those predictions.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if stories && len(args) == 0 {
				return &exitCodeError{code: exitError, msg: "eval --stories: name the corpus to read (files, directories, JSONL)"}
			}
			if !stories && len(args) > 0 {
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("eval: unexpected arguments %q; to evaluate on stories add --stories", args)}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := ParseSensitivityFlag(sens)
			if err != nil {
				return err
			}
			if err := tf.check(cmd); err != nil {
				return err
			}
			if err := checkFolds(cmd, folds, false); err != nil {
				return err
			}
			// Flags of the other kind of evaluation would be ignored.
			fl := cmd.Flags()
			if stories {
				for _, f := range []string{"data", "balanced"} {
					if fl.Changed(f) {
						return usageError(cmd, fmt.Sprintf("--%s measures labelled passages, --stories whole stories: run them as two evals", f))
					}
				}
				if folds > 1 && fl.Changed("sensitivity") {
					return usageError(cmd, "--sensitivity does not apply to --stories --cv, which measures the story model train --corpus would fit at its balanced thresholds: drop --sensitivity, or --cv to measure a model as it is")
				}
			} else if len(tf.data) == 0 {
				return usageError(cmd, "eval needs --data labelled.jsonl (passages), or --stories CORPUS... (whole stories)")
			}
			if stories && folds > 1 {
				return evalStoriesCV(cmd, a, &tf, args, modelDir, folds, seed, labels, asJSON)
			}
			if stories {
				return evalStories(cmd, a, args, modelDir, s, labels, asJSON)
			}
			data, lex, _, err := tf.load(cmd, a)
			if err != nil {
				return err
			}
			cfg := classify.DefaultTrainConfig()
			m, err := loadModel(modelDir)
			if err != nil {
				return err
			}
			if tf.lexicon == "" {
				lex = m.Lexicon()
			}
			cfg = tf.apply(cmd, m.Manifest().Config)
			start := time.Now()
			var sum *classify.EvalSummary
			if folds > 1 {
				sum, err = classify.Evaluate(cmd.Context(), data, lex, cfg, folds, seed, s)
			} else {
				sum = classify.Test(m, data, s)
			}
			if err != nil {
				return err
			}
			if balanced {
				mean, runs, err := classify.BalancedProtocol(cmd.Context(), data, lex, cfg, 5, 20)
				if err != nil {
					return err
				}
				sum.Balanced, sum.BalancedRuns = mean, runs
			}
			a.log.Info("eval done", "seconds", time.Since(start).Seconds())
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(sum)
			}
			return printEval(a.stdout, sum)
		},
	}
	tf.register(cmd)
	tf.registerStory(cmd)
	cmd.Flags().StringVar(&modelDir, "model", "", "model directory (default: the embedded model)")
	cmd.Flags().IntVar(&folds, "cv", 0, "cross-validate training with K folds grouped by work")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the fold assignment")
	cmd.Flags().BoolVar(&balanced, "balanced", false, "also run the balanced protocol (20+20 per warning, 5 seeds)")
	cmd.Flags().StringVar(&sens, "sensitivity", "balanced", "operating point: low, balanced, high")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the evaluation as JSON")
	cmd.Flags().BoolVar(&stories, "stories", false, "evaluate on the stories named as arguments, against their authors' declarations")
	cmd.Flags().StringSliceVar(&labels, "labels", nil, "with --stories: the labels to report and average (default: every label with 10 declaring and 10 clean works)")
	_ = seeds
	return cmd
}

// ParseSensitivityFlag checks a --sensitivity value.
func ParseSensitivityFlag(s string) (classify.Sensitivity, error) {
	v, err := classify.ParseSensitivity(s)
	if err != nil {
		return "", &exitCodeError{code: exitError, msg: "--" + err.Error()}
	}
	return v, nil
}

func printEval(w io.Writer, s *classify.EvalSummary) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "label\texamples\tpositive\tprecision\trecall\tF1\t")
	for _, l := range s.Labels {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%.3f\t%.3f\t\n", l.Label, l.Examples, l.Positive, l.P, l.R, l.F1)
	}
	tw.Flush()
	how := "held-out test"
	if s.Folds > 1 {
		how = fmt.Sprintf("%d-fold CV grouped by work, seed %d", s.Folds, s.Seed)
	}
	fmt.Fprintf(w, "macro-F1 over %d labels: %.3f (%s, sensitivity %s; always-positive %.3f)\n", len(s.Labels), s.MacroF1, how, s.Sensitivity, s.AlwaysPosF1)
	if s.Balanced > 0 {
		fmt.Fprintf(w, "balanced protocol (20+20 per label, %d seeds): mean accuracy %.3f %v\n", len(s.BalancedRuns), s.Balanced, fmtRuns(s.BalancedRuns))
	}
	return nil
}

func fmtRuns(r []float64) string {
	out := "["
	for i, x := range r {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%.3f", x)
	}
	return out + "]"
}

// normalizeLabels maps each --labels value to its label id, in place.
func normalizeLabels(labels []string) error {
	tx := taxonomy.Default()
	for i, l := range labels {
		id, ok := tx.Normalize(l)
		if !ok {
			hint := ""
			if near := tx.Suggest(l); near != "" {
				hint = fmt.Sprintf("did you mean %q? ", near)
			}
			return &exitCodeError{code: exitError, msg: fmt.Sprintf("--labels: unknown label %q; %ssee tagger labels", l, hint)}
		}
		labels[i] = id
	}
	return nil
}

// evalStories runs tagger eval --stories.
func evalStories(cmd *cobra.Command, a *app, inputs []string, modelDir string, s classify.Sensitivity, labels []string, asJSON bool) error {
	m, err := loadModel(modelDir)
	if err != nil {
		return err
	}
	if err := normalizeLabels(labels); err != nil {
		return err
	}
	if err := checkInputs("eval --stories", inputs); err != nil {
		return err
	}
	if trained := trainedOn(m, inputs); len(trained) > 0 {
		fmt.Fprintf(a.stderr, "note: the model was trained on %s (its manifest lists it): these figures are in-sample, not what unseen works would show (eval --stories --cv K measures those)\n", strings.Join(trained, ", "))
	}
	start := time.Now()
	sel := storyFiles()
	defer reportSkipped(a, sel)
	ev, _, err := pipeline.EvaluateStories(cmd.Context(), inputs, pipeline.Config{Model: m, Sensitivity: s, Stdin: a.stdin, Select: sel.Select}, pipeline.StoryEvalOptions{Labels: labels})
	if err != nil {
		return err
	}
	if ev.Errors > 0 && ev.Stories > ev.Errors+ev.NotChecked {
		a.log.Warn("stories could not be read and were left out", "count", ev.Errors, "first", ev.FirstError)
	}
	if ev.Stories == ev.Errors+ev.NotChecked {
		msg := fmt.Sprintf("eval --stories: no story to evaluate in %s", strings.Join(inputs, " "))
		if ev.Stories == 0 {
			msg += ": it holds no story file (.txt, .html, .epub, .jsonl, .csv, ...)"
		} else {
			msg += " (" + unusable(ev.Stories, ev.Errors, ev.NotChecked, ev.FirstError) + ")"
		}
		return &exitCodeError{code: exitError, msg: msg}
	}
	if len(ev.Labels) == 0 && ev.CleanWorks == 0 && ev.Rating.Works == 0 {
		// Zeros would read as measurements: say there is nothing to
		// measure against, as train does for a corpus that teaches nothing.
		return &exitCodeError{code: exitError, msg: fmt.Sprintf("eval --stories: no story in %s declares warnings, says that none apply or declares a rating on AO3's scale: nothing to measure detection against (give works with their declarations: a header, AO3 page, or JSONL/CSV fields rating, warnings, tags)", strings.Join(inputs, " "))}
	}
	a.log.Info("eval done", "seconds", time.Since(start).Seconds())
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(ev)
	}
	return printStoryEval(a.stdout, ev, m.NameVersion(), s)
}

func printStoryEval(w io.Writer, ev *pipeline.StoryEval, model string, s classify.Sensitivity) error {
	fmt.Fprintf(w, "%s (%d unreadable, %d not checked), model %s, sensitivity %s\n", plural(ev.Stories, "story", "stories"), ev.Errors, ev.NotChecked, model, s)
	if len(ev.Labels) == 0 {
		fmt.Fprintln(w, "no label has 10 declaring works and 10 clean works: nothing to measure")
	} else {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "label\tdeclaring\tclean\tAUC\trecall\tfalse alarms\t")
		for _, l := range ev.Labels {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%.3f\t%.3f\t\n", l.Label, l.Positive, l.Clean, l.AUC, l.Recall, l.FalseAlarm)
		}
		tw.Flush()
		fmt.Fprintf(w, "mean over %s: AUC %.3f, recall %.3f, false alarms %.3f\n", plural(len(ev.Labels), "label", "labels"), ev.MeanAUC, ev.MeanRecall, ev.MeanFalseAlarm)
	}
	if ev.CleanWorks == 0 {
		// 0.0% of none would read as a result.
		fmt.Fprintln(w, "clean works (General/Teen, no warnings apply, nothing tagged): none, so no false-alarm rate")
	} else {
		printCleanFlagged(w, ev)
	}
	return printRatingEval(w, ev.Rating)
}

// printCleanFlagged prints the share of clean works with a finding, and
// the labels that flag most of them.
func printCleanFlagged(w io.Writer, ev *pipeline.StoryEval) {
	fmt.Fprintf(w, "clean works (General/Teen, no warnings apply, nothing tagged): %d, with an undeclared finding of any label: %.1f%%", ev.CleanWorks, 100*ev.CleanFlagged)
	type lf struct {
		l string
		f float64
	}
	var by []lf
	for l, f := range ev.CleanFlaggedBy {
		by = append(by, lf{l, f})
	}
	slices.SortFunc(by, func(a, b lf) int { return cmp.Or(cmp.Compare(b.f, a.f), cmp.Compare(a.l, b.l)) })
	for i, x := range by {
		if i == 0 {
			fmt.Fprint(w, " (")
		} else {
			fmt.Fprint(w, ", ")
		}
		if i == 5 {
			fmt.Fprint(w, "…")
			break
		}
		fmt.Fprintf(w, "%s %.1f%%", x.l, 100*x.f)
	}
	if len(by) > 0 {
		fmt.Fprint(w, ")")
	}
	fmt.Fprintln(w)
}

// printRatingEval prints the declared × predicted rating matrix with the
// agreement and the share of works flagged under-declared.
func printRatingEval(w io.Writer, e pipeline.RatingEval) error {
	if e.Works == 0 {
		_, err := fmt.Fprintln(w, "rating: no work declares general, teen, mature or explicit")
		return err
	}
	fmt.Fprintf(w, "rating (%s): exact %.3f, within one level %.3f; flags with an evidence passage %.1f%%\n",
		plural(e.Works, "work", "works"), e.Exact, e.WithinOne, 100*e.FlaggedWithEvidence)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprint(tw, "declared \\ predicted\t")
	for _, l := range pipeline.RatingLevels {
		fmt.Fprintf(tw, "%s\t", l)
	}
	fmt.Fprintln(tw, "flagged under-declared\t")
	for d, l := range pipeline.RatingLevels {
		fmt.Fprintf(tw, "%s\t", l)
		for _, n := range e.Matrix[d] {
			fmt.Fprintf(tw, "%d\t", n)
		}
		fmt.Fprintf(tw, "%.1f%%\t\n", 100*e.Flagged[d])
	}
	return tw.Flush()
}

// evalStoriesCV runs tagger eval --stories --cv K.
func evalStoriesCV(cmd *cobra.Command, a *app, tf *trainFlags, inputs []string, modelDir string, folds int, seed uint64, labels []string, asJSON bool) error {
	m, err := loadModel(modelDir)
	if err != nil {
		return err
	}
	if err := normalizeLabels(labels); err != nil {
		return err
	}
	if err := checkInputs("eval --stories", inputs); err != nil {
		return err
	}
	start := time.Now()
	tf.corpus, tf.corpusFrom = inputs, "eval --stories"
	ex, st, err := tf.storyExamples(cmd, a, m)
	if err != nil {
		return err
	}
	tf.story.Folds, tf.story.Seed = folds, seed
	tf.fitProgress(a)
	cfg := tf.story
	cv, _, err := m.CrossValidateStory(cmd.Context(), ex, cfg, labels)
	if err != nil {
		return storyCorpusError("eval --stories", tf, st, countCorpus(m, ex), err)
	}
	a.log.Info("eval done", "seconds", time.Since(start).Seconds())
	if asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(cv)
	}
	return printStoryCV(a.stdout, cv)
}

// trainedOn returns the inputs that m's manifest lists among the data it
// was trained on or its rating was fitted on, compared as given and as
// absolute paths.
func trainedOn(m *classify.Model, inputs []string) []string {
	man := m.Manifest()
	var paths []string
	for _, d := range man.Data {
		paths = append(paths, d.Path)
	}
	if fit := man.Rating.Fit; fit != nil {
		paths = append(paths, strings.Fields(fit.Source)...)
	}
	var out []string
	for _, in := range inputs {
		ain, _ := filepath.Abs(in)
		for _, p := range paths {
			ap, _ := filepath.Abs(p)
			if filepath.Clean(p) == filepath.Clean(in) || ain != "" && ap == ain {
				out = append(out, in)
				break
			}
		}
	}
	return out
}
