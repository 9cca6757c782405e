package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/linear"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
	"github.com/tagger-dev/tagger/pipeline"
)

// trainFlags are the inputs shared by train and eval.
type trainFlags struct {
	data   []string
	corpus []string
	// corpusFrom names the corpus's flag in messages ("" for --corpus).
	corpusFrom string
	lexicon    string
	weakW      float64
	features   string
	scorer     string
	soft       bool
	l2         float64
	bigrams    bool
	chars      bool
	story      classify.StoryConfig
	progress   enumFlag
}

// registerStory adds the story-model flags.
func (f *trainFlags) registerStory(cmd *cobra.Command) {
	f.story = classify.DefaultStoryConfig()
	fl := cmd.Flags()
	fl.Float64Var(&f.story.L2, "story-l2", f.story.L2, "L2 penalty of the story model's logistic regression")
	fl.IntVar(&f.story.HashBits, "story-bits", f.story.HashBits, "story model: 2^bits hashed word-feature buckets")
	fl.BoolVar(&f.story.IDF, "story-idf", f.story.IDF, "story model: weigh words by inverse document frequency")
	fl.BoolVar(&f.story.Bigrams, "story-bigrams", f.story.Bigrams, "story model: word bigrams beside unigrams")
	fl.Float64Var(&f.story.DenseScale, "story-dense", f.story.DenseScale, "story model: scale of the lexicon and passage-statistic features")
	fl.IntVar(&f.story.Iterations, "story-iterations", f.story.Iterations, "story model: optimiser iterations")
	fl.IntVar(&f.story.MinPositive, "story-min-positive", f.story.MinPositive, "story model: fewest declaring works for a label's model")
	fl.Float64Var(&f.story.ImpliedWeight, "story-implied-weight", f.story.ImpliedWeight, "story model: weight of a positive only an Implied/Mentioned tag declares")
	fl.StringVar(&f.story.FreeformNegatives, "story-negatives", f.story.FreeformNegatives, "story model: negatives of freeform labels: nawa or untagged")
	fl.StringVar(&f.story.Evidence, "story-evidence", f.story.Evidence, "story model: evidence a detection needs: any (a window with the label's terms) or bar")
	f.progress = enumFlag{value: "auto", allowed: modeValues()}
	fl.Var(&f.progress, "progress", "progress on stderr while reading the corpus and fitting the story model: auto (when a terminal), always, never")
}

// storyFlagOf names the flag of each StoryConfig key, for Check's errors.
var storyFlagOf = map[string]string{
	"hash_bits": "--story-bits", "l2": "--story-l2", "iterations": "--story-iterations",
	"min_positive": "--story-min-positive", "dense_scale": "--story-dense",
	"implied_weight": "--story-implied-weight", "freeform_negatives": "--story-negatives",
	"evidence": "--story-evidence",
}

// check rejects flag values out of range before anything is read: they
// used to fail after the corpus was read, run out of memory (--story-bits
// 24), or be recorded in the manifest as given (--story-evidence foo).
func (f *trainFlags) check(cmd *cobra.Command) error {
	if cmd.Flags().Changed("scorer") && !slices.Contains([]string{"nb", "lr", "nb+lr"}, f.scorer) {
		return usageError(cmd, fmt.Sprintf("--scorer %q: use nb, lr or nb+lr", f.scorer))
	}
	if err := f.story.Check(); err != nil {
		msg := err.Error()
		key, rest, _ := strings.Cut(msg, " ")
		if flag, ok := storyFlagOf[key]; ok {
			msg = flag + " " + rest
		}
		return usageError(cmd, msg)
	}
	return nil
}

// checkFolds rejects --cv K below 2 when given (allowZero: 0 means no
// cross-validation, as calibrate's default is 5).
func checkFolds(cmd *cobra.Command, k int, allowZero bool) error {
	if !cmd.Flags().Changed("cv") || k >= 2 || allowZero && k == 0 {
		return nil
	}
	hint := "leave --cv out for none"
	if allowZero {
		hint = "--cv 0 skips cross-validation"
	}
	return usageError(cmd, fmt.Sprintf("--cv %d: cross-validation needs 2 folds or more (%s)", k, hint))
}

// showProgress reports whether --progress asks for progress on stderr.
func (f *trainFlags) showProgress(a *app) bool {
	if f.progress.value == "auto" {
		fh, ok := a.stderr.(*os.File)
		return ok && term.IsTerminal(int(fh.Fd()))
	}
	return f.progress.value == "always"
}

// fitProgress sets the story configuration's Progress to a line on
// stderr per fit, when --progress asks for progress: cross-validation and
// the final fit take most of a training's time after the corpus is read.
func (f *trainFlags) fitProgress(a *app) {
	if !f.showProgress(a) {
		return
	}
	start := time.Now()
	f.story.Progress = func(step, steps int) {
		what := fmt.Sprintf("cross-validation fold %d of %d", step, f.story.Folds)
		if step > max(f.story.Folds, 2) {
			what = "the final model on every work"
		}
		fmt.Fprintf(a.stderr, "fitting %s (%.0fs)\n", what, time.Since(start).Seconds())
	}
}

// storyExamples reads the corpus for the story model, with progress on
// stderr when asked.
func (f *trainFlags) storyExamples(cmd *cobra.Command, a *app, m *classify.Model) ([]classify.StoryExample, pipeline.StoryCorpusStats, error) {
	show := f.showProgress(a)
	var last time.Time
	start := time.Now()
	prog := func(st pipeline.StoryCorpusStats) {
		if !show || time.Since(last) < 250*time.Millisecond {
			return
		}
		last = time.Now()
		fmt.Fprintf(a.stderr, "\rreading corpus: %s, %.1f MB, %.1fs ", plural(st.Stories, "story", "stories"), float64(st.Bytes)/1e6, time.Since(start).Seconds())
	}
	ex, st, err := pipeline.StoryExamples(cmd.Context(), f.corpus, storyFiles().Select, m, f.story, prog)
	if show {
		fmt.Fprintf(a.stderr, "\rreading corpus: %s, %d skipped, %.1f MB, %.1fs\n", plural(st.Stories, "story", "stories"), st.Skipped, float64(st.Bytes)/1e6, time.Since(start).Seconds())
	}
	if err != nil {
		return nil, st, fmt.Errorf("read %s: %w", f.corpusFlag(), err)
	}
	if st.Skipped > 0 && st.Examples > 0 {
		var first []string
		for _, k := range st.Skips {
			first = append(first, k.Source+": "+k.Reason)
		}
		a.log.Warn("corpus stories skipped: they teach nothing", "count", st.Skipped, "unreadable", st.Unreadable, "first", strings.Join(first, "; "))
	}
	if st.Examples == 0 {
		msg := fmt.Sprintf("%s: no story to learn from in %s", f.corpusFlag(), strings.Join(f.corpus, " "))
		if st.Stories == 0 {
			msg += ": it holds no story file (.txt, .html, .epub, .jsonl, .csv, ...)"
		} else {
			msg += " (" + unusable(st.Stories, st.Unreadable, st.Skipped-st.Unreadable, fmt.Sprint(st.FirstErr)) + ")"
		}
		return nil, st, &exitCodeError{code: exitError, msg: msg}
	}
	return ex, st, nil
}

// corpusFlag names where the corpus came from in messages.
func (f *trainFlags) corpusFlag() string {
	if f.corpusFrom != "" {
		return f.corpusFrom
	}
	return "--corpus"
}

// unusable says why none of n stories could be used: unreadable ones (and
// the first's error) and ones the model could not check.
func unusable(n, unreadable, notChecked int, firstErr string) string {
	var parts []string
	if unreadable > 0 {
		parts = append(parts, fmt.Sprintf("%d of %s unreadable; the first: %s", unreadable, plural(n, "story", "stories"), firstErr))
	}
	if notChecked > 0 {
		parts = append(parts, fmt.Sprintf("%d of %s not checked: another language, no language at all, or no words after the header", notChecked, plural(n, "story", "stories")))
	}
	return strings.Join(parts, "; ")
}

// checkInputs rejects inputs that name a path that does not exist, before
// anything is read: a corpus with a mistyped path would otherwise be read
// as a corpus of one unreadable story.
func checkInputs(flag string, inputs []string) error {
	for _, in := range inputs {
		if in == "-" {
			continue
		}
		if _, err := os.Stat(in); err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("%s %s: no such file or directory; check the path", flag, in)}
			}
			return &exitCodeError{code: exitError, msg: fmt.Sprintf("%s %s: %v", flag, in, err)}
		}
	}
	return nil
}

// apply overrides cfg with the flags that were set.
func (f *trainFlags) apply(cmd *cobra.Command, cfg classify.TrainConfig) classify.TrainConfig {
	fl := cmd.Flags()
	if fl.Changed("scorer") {
		cfg.Scorer = f.scorer
	}
	if fl.Changed("soft") {
		cfg.SoftLabels = f.soft
	}
	if fl.Changed("l2") {
		cfg.Linear.L2 = f.l2
	}
	if fl.Changed("bigrams") {
		cfg.Features.Bigrams = f.bigrams
	}
	if fl.Changed("char-grams") {
		cfg.Features.CharGrams = f.chars
	}
	return cfg
}

func (f *trainFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&f.data, "data", nil, "labelled JSONL (passages-dev form or {text, labels, known}); repeatable")
	cmd.Flags().StringArrayVar(&f.corpus, "corpus", nil, "stories whose headers declare warnings: a story model is trained on their declarations; repeatable")
	cmd.Flags().StringVar(&f.lexicon, "lexicon", "", "base lexicon YAML (default: the default model's)")
	cmd.Flags().Float64Var(&f.weakW, "corpus-weight", 0, "also add corpus stories to naive Bayes as weak passages, with this weight relative to an annotated passage (0: only the story model learns from the corpus)")
	cmd.Flags().StringVar(&f.scorer, "scorer", "", "window scorer: nb, lr or nb+lr (default: the model's)")
	cmd.Flags().BoolVar(&f.soft, "soft", false, "train logistic regression on the annotators' vote shares")
	cmd.Flags().Float64Var(&f.l2, "l2", 0, "L2 penalty of logistic regression")
	cmd.Flags().BoolVar(&f.bigrams, "bigrams", false, "add word bigrams to the features")
	cmd.Flags().BoolVar(&f.chars, "char-grams", false, "add character 3- to 5-grams of words to the features")
}

// load reads the labelled data, corpus stories and base lexicon.
func (f *trainFlags) load(cmd *cobra.Command, a *app) ([]classify.Labelled, *lexicon.Lexicon, []classify.DataSummary, error) {
	if len(f.data) == 0 && len(f.corpus) == 0 {
		return nil, nil, nil, &exitCodeError{code: exitError, msg: "nothing to learn from: give --data labelled.jsonl and/or --corpus DIR"}
	}
	if err := checkInputs("--corpus", f.corpus); err != nil {
		return nil, nil, nil, err
	}
	var data []classify.Labelled
	var sums []classify.DataSummary
	for _, p := range f.data {
		d, err := classify.LoadLabelled(p)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("read --data: %w", err)
		}
		data = append(data, d...)
		sums = append(sums, classify.DataSummary{Path: p, Examples: len(d)})
	}
	if len(f.corpus) > 0 && cmd.Flags().Changed("corpus-weight") && f.weakW > 0 {
		// The old use of a corpus: its stories as weak passages for naive
		// Bayes (holds every text in memory).
		n := 0
		for s := range datasets.Read(cmd.Context(), f.corpus, datasets.Options{Select: storyFiles().Select}) {
			if s.Err != nil {
				a.log.Warn("corpus story skipped", "source", s.Source, "err", s.Err)
				continue
			}
			if l, ok := pipeline.WeakLabelled(s, f.weakW); ok {
				data = append(data, l)
				n++
			}
		}
		sums = append(sums, classify.DataSummary{Path: fmt.Sprint(f.corpus), Examples: n})
	}
	var src []byte
	var err error
	if f.lexicon != "" {
		src, err = os.ReadFile(f.lexicon)
	} else {
		src, err = fs.ReadFile(models.DefaultFS(), classify.LexiconFile)
	}
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read lexicon: %w", err)
	}
	lex, err := lexicon.Load(src)
	if err != nil {
		return nil, nil, nil, err
	}
	return data, lex, sums, nil
}

func newTrainCmd(a *app) *cobra.Command {
	var tf trainFlags
	var out, name, ver string
	var folds int
	var balanced, force bool
	cmd := &cobra.Command{
		Use:   "train [--data labelled.jsonl] [--corpus CORPUS] -o MODEL_DIR [--force]",
		Short: "Train a model: naive Bayes per annotated label, lexicon for the rest, and a story model from a corpus's declarations",
		Long: `train builds a model directory for run, check and eval --model.

--data trains the passage model (naive Bayes per annotated label). --corpus
trains a story model on the declarations an archive already has: per label
with 20 declaring works, a logistic regression over whole-story features
(hashed word unigrams and bigrams, lexicon weight per label, the passage
model's statistics), with archive warnings negative only under "No Archive
Warnings Apply" and "Implied/Mentioned" tags weighing half. Story
thresholds are set on out-of-fold scores (5 folds grouped by work) to flag
4/7/16% of clean works at low/balanced/high (works the model never saw
are flagged a little more: the cross-validated table says how much). The corpus
is streamed (hashed features are kept, never texts). Without --data the
embedded passage model is used. MODEL.md in the directory is the model
card: data, counts, the cross-validated table. train will not write into
a directory that is not empty unless --force is given.`,
		Args: noArgs,
		// Nothing to complete but flags.
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return &exitCodeError{code: exitError, msg: "train needs -o MODEL_DIR"}
			}
			if err := tf.check(cmd); err != nil {
				return err
			}
			if err := checkFolds(cmd, folds, false); err != nil {
				return err
			}
			// Before the work, not after: training may take hours.
			if err := checkModelOutput(out, force); err != nil {
				return err
			}
			data, lex, sums, err := tf.load(cmd, a)
			if err != nil {
				return err
			}
			if folds > 1 && len(data) > 0 {
				// Before the training, which may take hours, not after.
				if err := classify.CheckFolds(folds, data); err != nil {
					return &exitCodeError{code: exitError, msg: "--cv: " + err.Error()}
				}
			}
			start := time.Now()
			cfg := tf.apply(cmd, classify.DefaultTrainConfig())
			var m *classify.Model
			if len(data) > 0 {
				tr, err := classify.Train(cmd.Context(), data, lex, cfg, name, ver)
				if err != nil {
					return err
				}
				m = tr.Model.WithData(sums)
			} else {
				// Only a corpus: the embedded passage model and lexicon,
				// under the new model's name (rows name the model that
				// decided them).
				if m, err = loadModel(""); err != nil {
					return err
				}
				m = m.WithData(sums).WithName(name, ver)
			}
			var cv *classify.StoryCV
			var cst pipeline.StoryCorpusStats
			noStory := false // the corpus taught nothing (see below)
			if len(tf.corpus) > 0 {
				ex, st, err := tf.storyExamples(cmd, a, m)
				if err != nil {
					return err
				}
				cst = st
				labelled := 0 // works with a warnings field: the others teach nothing
				for i := range ex {
					if ex[i].HasWarnings {
						labelled++
					}
				}
				sums = append(sums, classify.DataSummary{Path: strings.Join(tf.corpus, " "), Examples: labelled})
				m = m.WithData(sums)
				tf.fitProgress(a)
				sm, scv, err := m.TrainStory(cmd.Context(), ex, tf.story, nil)
				var why *exitCodeError
				switch werr := storyCorpusError("train", &tf, st, countCorpus(m, ex), err); {
				case err == nil:
					m, cv = sm, scv
					printStoryCV(a.stderr, cv)
				case len(data) > 0 && errors.As(werr, &why):
					// The passage model learnt from --data (and, with
					// --corpus-weight, from the corpus as weak passages):
					// keep it, and list the corpus as data only then.
					a.log.Warn("no story model: " + why.msg)
					if tf.weakW <= 0 {
						sums = sums[:len(sums)-1]
						m = m.WithData(sums)
						noStory = true
					}
				case errors.As(werr, &why):
					// Nothing learnt: fail before -o is touched, rather
					// than write a model that only looks trained (or,
					// with --force, replace a real one).
					why.msg += "; nothing was written"
					return why
				default:
					return werr
				}
				// The rating's cut points follow the archive's own ratings,
				// fitted on what the final model detects.
				obs, err := pipeline.RatingObservations(cmd.Context(), tf.corpus, storyFiles().Select, m)
				if err != nil {
					return fmt.Errorf("fit ratings on --corpus: %w", err)
				}
				if why := ratingFitProblem(obs); why == "" {
					m = m.WithRating(m.Manifest().Rating.FitRating(obs, classify.DefaultExplicitWeight, strings.Join(tf.corpus, " ")))
					printRatingFit(a.stderr, m.Manifest().Rating.Fit, "")
				} else if len(obs) > 0 {
					fmt.Fprintf(a.stderr, "rating not fitted, the embedded model's kept: %s\n", why)
				}
			}
			trainTime := time.Since(start)
			if folds > 1 && len(data) == 0 {
				// The passage figures need passages; the story model's
				// are cross-validated with the corpus anyway.
				fmt.Fprintf(a.stderr, "--cv %d: no labelled passages (--data) to cross-validate; the story model's table is in %s\n", folds, CardFile)
			}
			if folds > 1 && len(data) > 0 {
				// Record an honest estimate in the manifest: every fold is
				// scored by a model trained without it.
				sum, err := classify.Evaluate(cmd.Context(), data, lex, cfg, folds, 1, classify.Balanced)
				if err != nil {
					return err
				}
				if balanced {
					sum.Balanced, sum.BalancedRuns, err = classify.BalancedProtocol(cmd.Context(), data, lex, cfg, 5, 20)
					if err != nil {
						return err
					}
				}
				m = m.WithEval(sum)
				printEval(a.stderr, sum)
			}
			if err := writeModelDir(out, func(dir string) error {
				if err := m.Save(dir); err != nil {
					return err
				}
				if cv != nil {
					return writeModelCard(dir, m, cv, cst, trainTime)
				}
				return writePassageCard(dir, m, trainTime)
			}); err != nil {
				return err
			}
			var on []string
			if len(data) > 0 {
				on = append(on, plural(len(data), "labelled example", "labelled examples"))
			}
			if len(tf.corpus) > 0 && !noStory {
				w := plural(cst.Examples, "work", "works")
				if cst.Skipped > 0 {
					w += fmt.Sprintf(" (%d skipped: see the warning above)", cst.Skipped)
				}
				on = append(on, w)
			}
			fmt.Fprintf(a.stderr, "trained %s on %s in %.2fs → %s\n", m.NameVersion(), strings.Join(on, " and "), trainTime.Seconds(), out)
			return nil
		},
	}
	tf.register(cmd)
	tf.registerStory(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "", "model directory to write")
	cmd.Flags().StringVar(&name, "name", "custom", "model name")
	cmd.Flags().StringVar(&ver, "version", "0.1.0", "model version")
	cmd.Flags().IntVar(&folds, "cv", 0, "also cross-validate with K folds grouped by work and record the result in the manifest")
	cmd.Flags().BoolVar(&balanced, "balanced", false, "with --cv, also run the balanced protocol")
	cmd.Flags().BoolVar(&force, "force", false, "write into -o even when it is not empty, replacing the model there")
	cmd.RunE = nothingWrittenOnInterrupt(cmd.RunE)
	return cmd
}

// corpusCounts are what storyCorpusError says of a corpus: works with a
// warnings field, clean works, and the label most works declare.
type corpusCounts struct {
	labelled, clean int
	top             string
	topN            int
}

func countCorpus(m *classify.Model, ex []classify.StoryExample) corpusCounts {
	var c corpusCounts
	labels := m.Labels()
	n := make([]int, len(labels))
	for i := range ex {
		if ex[i].HasWarnings {
			c.labelled++
		}
		if ex[i].Obs.Clean {
			c.clean++
		}
		for li, d := range ex[i].Obs.Declared {
			if d {
				n[li]++
			}
		}
	}
	for li, k := range n {
		if k > c.topN {
			c.top, c.topN = labels[li].ID, k
		}
	}
	return c
}

// storyCorpusError explains why no story model could be trained or
// cross-validated on the corpus (err from classify), and what to give
// instead, as an *exitCodeError; other errors are wrapped as they are.
func storyCorpusError(verb string, tf *trainFlags, st pipeline.StoryCorpusStats, c corpusCounts, err error) error {
	corpus := "--corpus " + strings.Join(tf.corpus, " ")
	if verb != "train" {
		corpus = strings.Join(tf.corpus, " ") // eval's inputs are arguments
	}
	read := fmt.Sprintf("%s read, %d with a warnings field, %d clean", plural(st.Examples, "work", "works"), c.labelled, c.clean)
	if st.Skipped > 0 {
		read += fmt.Sprintf(", %d skipped", st.Skipped)
	}
	var msg string
	switch {
	case errors.Is(err, classify.ErrNoStoryLabels) && c.labelled == 0:
		msg = fmt.Sprintf("%s %s: no label has %d works declaring it (%s). A story model learns from the warnings and tags authors declared: give works with a warnings field (AO3 archive warnings, or a Warnings: header line) and tags",
			verb, corpus, tf.story.MinPositive, read)
	case errors.Is(err, classify.ErrNoStoryLabels):
		most := "no work declares a label"
		if c.topN > 0 {
			most = fmt.Sprintf("the most declared, %s, has %d", c.top, c.topN)
		}
		msg = fmt.Sprintf("%s %s: no label has %d works declaring it (%s; %s). Give more works that declare warnings, or a smaller --story-min-positive",
			verb, corpus, tf.story.MinPositive, read, most)
		if c.clean < classify.MinCleanWorks {
			msg += fmt.Sprintf(", and works that say no archive warnings apply: a story model learns declaring works against them, and sets its thresholds on them (%d needed)", classify.MinCleanWorks)
		}
	case errors.Is(err, linear.ErrOneClass):
		msg = fmt.Sprintf("%s %s: %v (%s): a label's model has declaring works and nothing to tell them from. Give works that say no archive warnings apply (at least %d) beside the declaring ones",
			verb, corpus, err, read, classify.MinCleanWorks)
	case errors.Is(err, classify.ErrFewCleanWorks):
		// Each fold's thresholds are set on the other folds' clean works,
		// which are dealt evenly: a fold holds at most ⌈clean/k⌉.
		k := max(tf.story.Folds, 2)
		need := (classify.MinCleanWorks*k + k - 2) / (k - 1) // ⌈100·k/(k-1)⌉
		msg = fmt.Sprintf("%s %s: %v (%s). Story thresholds are set on clean works (General or Teen, \"No Archive Warnings Apply\", no warning tagged), %d in the calibration set of each of %d cross-validation folds: give a corpus with at least %d clean works",
			verb, corpus, err, read, classify.MinCleanWorks, k, need)
	default:
		return fmt.Errorf("%s story model: %w", verb, err)
	}
	return &exitCodeError{code: exitError, msg: msg}
}

// nothingWrittenOnInterrupt wraps the RunE of a command that writes its
// model only once everything is done (train, calibrate): stopped by a
// signal, it says so, and that nothing was written, rather than pass on a
// "context canceled" from wherever the signal caught it (the exit code
// becomes 130 or 143 in runWithSignals).
func nothingWrittenOnInterrupt(runE func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		err := runE(cmd, args)
		if err != nil && cmd.Context().Err() != nil {
			return &exitCodeError{code: exitError, msg: "interrupted: nothing was written"}
		}
		return err
	}
}

// checkModelOutput refuses an output that is a file, or a directory that
// is not empty unless force: a typo in -o must not replace a model, or
// mix a new model's files with other files.
func checkModelOutput(dir string, force bool) error {
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return &exitCodeError{code: exitError, msg: fmt.Sprintf("-o %s: %v", dir, err)}
	case !fi.IsDir():
		return &exitCodeError{code: exitError, msg: fmt.Sprintf("-o %s is a file: give a directory for the model", dir)}
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return &exitCodeError{code: exitError, msg: fmt.Sprintf("-o %s: %v", dir, err)}
	}
	if len(entries) > 0 && !force {
		return &exitCodeError{code: exitError, msg: fmt.Sprintf("-o %s is not empty: add --force to replace the model there, or give another directory", dir)}
	}
	return nil
}

// modelFiles are the files a model directory may hold.
var modelFiles = []string{classify.ManifestFile, classify.LexiconFile, classify.CompiledLexiconFile, classify.TablesFile, classify.VocabFile, classify.StoryFile, CardFile}

// writeModelDir writes a model into out through write, which saves a model
// into the directory it is given. It is written first into a new
// directory beside out, so that a failure there (a full disk, a signal)
// leaves out as it was; then its files are moved into out, the manifest
// last, and the files of a model out held that the new one lacks (a story
// model, a card) are removed, so that they are not loaded with it. Other
// files in out stay.
func writeModelDir(out string, write func(dir string) error) error {
	out = filepath.Clean(out)
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".new-*")
	if err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	defer os.RemoveAll(tmp)
	if err := write(tmp); err != nil {
		return err
	}
	if _, err := os.Stat(out); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tmp, out); err != nil {
			return fmt.Errorf("write model: %w", err)
		}
		return nil
	}
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return fmt.Errorf("write model: %w", err)
	}
	var names []string
	for _, e := range entries {
		if e.Name() != classify.ManifestFile {
			names = append(names, e.Name())
		}
	}
	names = append(names, classify.ManifestFile)
	for _, name := range names {
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(out, name)); err != nil {
			return fmt.Errorf("write model into %s: %w (its files may be half replaced: write it again)", out, err)
		}
	}
	for _, name := range modelFiles {
		if slices.Contains(names, name) {
			continue
		}
		if err := os.Remove(filepath.Join(out, name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("write model: remove the old %s: %w", name, err)
		}
	}
	return nil
}
