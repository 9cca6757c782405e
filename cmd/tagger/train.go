package main

import (
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
	"github.com/tagger-dev/tagger/pipeline"
)

// trainFlags are the inputs shared by train and eval.
type trainFlags struct {
	data     []string
	corpus   []string
	lexicon  string
	weakW    float64
	features string
	scorer   string
	soft     bool
	l2       float64
	bigrams  bool
	chars    bool
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
	cmd.Flags().StringArrayVar(&f.corpus, "corpus", nil, "stories whose headers declare warnings, used as weak labels; repeatable")
	cmd.Flags().StringVar(&f.lexicon, "lexicon", "", "base lexicon YAML (default: the default model's)")
	cmd.Flags().Float64Var(&f.weakW, "corpus-weight", 0.3, "weight of a corpus story relative to an annotated passage")
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
	if len(f.corpus) > 0 {
		n := 0
		for s := range datasets.Read(cmd.Context(), f.corpus, datasets.Options{}) {
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
	var balanced bool
	cmd := &cobra.Command{
		Use:   "train --data labelled.jsonl [--corpus DIR] -o MODEL_DIR",
		Short: "Train a model: naive Bayes per annotated label, lexicon for the rest",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				return &exitCodeError{code: exitError, msg: "train needs -o MODEL_DIR"}
			}
			data, lex, sums, err := tf.load(cmd, a)
			if err != nil {
				return err
			}
			start := time.Now()
			cfg := tf.apply(cmd, classify.DefaultTrainConfig())
			tr, err := classify.Train(cmd.Context(), data, lex, cfg, name, ver)
			if err != nil {
				return err
			}
			trainTime := time.Since(start)
			m := tr.Model.WithData(sums)
			if folds > 1 {
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
			if err := m.Save(out); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "trained %s on %d examples in %.2fs → %s\n", m.NameVersion(), len(data), trainTime.Seconds(), out)
			return nil
		},
	}
	tf.register(cmd)
	cmd.Flags().StringVarP(&out, "output", "o", "", "model directory to write")
	cmd.Flags().StringVar(&name, "name", "custom", "model name")
	cmd.Flags().StringVar(&ver, "version", "0.1.0", "model version")
	cmd.Flags().IntVar(&folds, "cv", 0, "also cross-validate with K folds grouped by work and record the result in the manifest")
	cmd.Flags().BoolVar(&balanced, "balanced", false, "with --cv, also run the balanced protocol")
	return cmd
}
