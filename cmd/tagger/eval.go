package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/classify"
)

func newEvalCmd(a *app) *cobra.Command {
	var tf trainFlags
	var modelDir, sens string
	var folds, seeds int
	var seed uint64
	var balanced, asJSON bool
	cmd := &cobra.Command{
		Use:   "eval --data labelled.jsonl [--model DIR] [--cv K] [--balanced]",
		Short: "Evaluate: per-label precision, recall, F1 and macro-F1",
		Long: `eval measures a model on labelled data.

With --cv K it cross-validates training: the data is split into K folds
grouped by work, and each fold is scored by a model trained (thresholds
included) on the other folds only. Without --cv it scores the data with the
given model (--model DIR, default the embedded model) as a held-out test set.
--balanced adds the protocol of Wiegmann et al. (2024): 20 positive and 20
negative passages per warning, 5 seeds, mean accuracy.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := ParseSensitivityFlag(sens)
			if err != nil {
				return err
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
			cfg = m.Manifest().Config
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
	cmd.Flags().StringVar(&modelDir, "model", "", "model directory (default: the embedded model)")
	cmd.Flags().IntVar(&folds, "cv", 0, "cross-validate training with K folds grouped by work")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "seed of the fold assignment")
	cmd.Flags().BoolVar(&balanced, "balanced", false, "also run the balanced protocol (20+20 per warning, 5 seeds)")
	cmd.Flags().StringVar(&sens, "sensitivity", "balanced", "operating point: low, balanced, high")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the evaluation as JSON")
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
