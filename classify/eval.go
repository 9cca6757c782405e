package classify

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/tagger-dev/tagger/classify/lexicon"
)

// ScoreText returns the raw score of every label (taxonomy order) for a
// short text scored as one window: naive-Bayes log-odds for model labels,
// summed lexicon weight for lexicon labels.
func (m *Model) ScoreText(text string) []float64 {
	feats, toks := m.fz.textFeatures(text, nil)
	out := make([]float64, len(m.labels))
	var nbs []float64
	if m.nb != nil {
		nbs = m.nb.Score(feats, m.manifest.Config.NB.Binary)
	}
	idx := m.labelLookup()
	m.lex.Match(text, toks, func(h lexicon.Hit) {
		if li, ok := idx[h.Label]; ok && m.nbCol[li] < 0 && !h.Negated {
			out[li] += h.Weight
		}
	})
	lw := lexiconWeights(m.lex, text, toks)
	for li, c := range m.nbCol {
		if c >= 0 {
			out[li] = nbs[c]
			if lw[m.labels[li].ID] < m.info[li].Gate {
				out[li] = gated
			}
		}
	}
	return out
}

// LabelEval is the evaluation of one label.
type LabelEval struct {
	Label    string  `json:"label"`
	Examples int     `json:"examples"`
	Positive int     `json:"positive"`
	PRF      PRF     `json:"counts"`
	P        float64 `json:"precision"`
	R        float64 `json:"recall"`
	F1       float64 `json:"f1"`
}

// EvalSummary is a cross-validated evaluation.
type EvalSummary struct {
	Folds       int         `json:"folds"`
	Seed        uint64      `json:"seed"`
	Sensitivity Sensitivity `json:"sensitivity"`
	Labels      []LabelEval `json:"labels"`
	MacroF1     float64     `json:"macro_f1"`
	// Balanced is the balanced protocol's mean accuracy (0 when not run).
	Balanced      float64   `json:"balanced_accuracy,omitempty"`
	BalancedRuns  []float64 `json:"balanced_runs,omitempty"`
	AlwaysPosF1   float64   `json:"always_positive_macro_f1"`
	AnnotatedOnly bool      `json:"annotated_only"`
}

// Evaluate cross-validates training on data, grouped by work: each fold is
// scored by a model trained (thresholds included) on the other folds only.
// The macro-F1 is over the labels annotated in data.
func Evaluate(ctx context.Context, data []Labelled, lex *lexicon.Lexicon, cfg TrainConfig, folds int, seed uint64, sens Sensitivity) (*EvalSummary, error) {
	if err := CheckFolds(folds, data); err != nil {
		return nil, err
	}
	labels := annotatedLabels(data)
	prf := map[string]*PRF{}
	for _, l := range labels {
		prf[l] = &PRF{}
	}
	for f, test := range Folds(data, folds, seed) {
		train, held := split(data, test)
		tr, err := Train(ctx, train, lex, cfg, "cv", fmt.Sprint(f))
		if err != nil {
			return nil, fmt.Errorf("fold %d: %w", f+1, err)
		}
		m := tr.Model
		for _, d := range held {
			z := m.ScoreText(d.Text)
			for l, actual := range d.Known {
				li := m.labelIndex(l)
				if li < 0 {
					continue
				}
				prf[l].Add(z[li] >= m.info[li].Thresholds.at(sens), actual)
			}
		}
	}
	return summarize(labels, prf, folds, seed, sens), nil
}

func summarize(labels []string, prf map[string]*PRF, folds int, seed uint64, sens Sensitivity) *EvalSummary {
	s := &EvalSummary{Folds: folds, Seed: seed, Sensitivity: sens, AnnotatedOnly: true}
	for _, l := range labels {
		p := *prf[l]
		pos := p.TP + p.FN
		n := p.TP + p.FN + p.FP + p.TN
		s.Labels = append(s.Labels, LabelEval{Label: l, Examples: n, Positive: pos, PRF: p, P: p.Precision(), R: p.Recall(), F1: p.F1()})
		s.MacroF1 += p.F1() / float64(len(labels))
		s.AlwaysPosF1 += FBeta(PRF{TP: pos, FP: n - pos}, 1) / float64(len(labels))
	}
	return s
}

// annotatedLabels lists the labels judged anywhere in data, taxonomy order.
func annotatedLabels(data []Labelled) []string {
	seen := map[string]bool{}
	for _, d := range data {
		for l := range d.Known {
			seen[l] = true
		}
	}
	var out []string
	for l := range seen {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// BalancedProtocol runs the protocol of Wiegmann et al. (2024): for each
// seed and each annotated label, 20 positive and 20 negative examples are
// drawn as a test set, a model is trained on every example from other works,
// and accuracy is measured; the result is the mean over labels and seeds.
// Because the test set is balanced by construction, the decision drops the
// learnt prior and uses the threshold that maximises balanced accuracy on
// the training folds' out-of-fold scores.
func BalancedProtocol(ctx context.Context, data []Labelled, lex *lexicon.Lexicon, cfg TrainConfig, seeds int, perClass int) (mean float64, runs []float64, err error) {
	labels := annotatedLabels(data)
	for seed := 1; seed <= seeds; seed++ {
		r := rand.New(rand.NewPCG(uint64(seed), 0xba1a))
		// One test set per label; train once per label on data outside
		// the test works.
		acc := 0.0
		for _, l := range labels {
			var pos, neg []int
			for i, d := range data {
				if a, ok := d.Known[l]; ok {
					if a {
						pos = append(pos, i)
					} else {
						neg = append(neg, i)
					}
				}
			}
			r.Shuffle(len(pos), func(i, j int) { pos[i], pos[j] = pos[j], pos[i] })
			r.Shuffle(len(neg), func(i, j int) { neg[i], neg[j] = neg[j], neg[i] })
			test := append(slices.Clone(pos[:min(perClass, len(pos))]), neg[:min(perClass, len(neg))]...)
			works := map[string]bool{}
			for _, i := range test {
				works[data[i].Group] = true
			}
			var train []Labelled
			for _, d := range data {
				if !works[d.Group] {
					train = append(train, d)
				}
			}
			tr, err := Train(ctx, train, lex, cfg, "balanced", fmt.Sprint(seed))
			if err != nil {
				return 0, nil, err
			}
			li := tr.Model.labelIndex(l)
			thr, centred := balancedThreshold(tr, l)
			var p PRF
			for _, i := range test {
				z := tr.Model.ScoreText(data[i].Text)[li]
				if centred {
					z -= tr.Model.nb.Bias(tr.Model.nbCol[li])
				}
				p.Add(z >= thr, data[i].Known[l])
			}
			acc += p.Accuracy() / float64(len(labels))
		}
		runs = append(runs, acc)
		mean += acc / float64(seeds)
	}
	return mean, runs, nil
}

// balancedThreshold returns the threshold maximising balanced accuracy on
// the label's out-of-fold training scores with the prior removed, and
// whether scores must have the prior removed too (model labels).
func balancedThreshold(tr *Trained, label string) (float64, bool) {
	oof, ok := tr.OOF[label]
	li := tr.Model.labelIndex(label)
	if !ok || len(oof) == 0 {
		return tr.Model.info[li].Thresholds.Balanced, false
	}
	s := gatedScores(oof, tr.Model.info[li].Gate)
	for i := range s {
		s[i].score -= oof[i].Prior // -Inf stays -Inf
	}
	return bestBalancedThreshold(s), true
}

// Test scores data with a trained model as a held-out test set.
func Test(m *Model, data []Labelled, sens Sensitivity) *EvalSummary {
	labels := annotatedLabels(data)
	prf := map[string]*PRF{}
	for _, l := range labels {
		prf[l] = &PRF{}
	}
	for _, d := range data {
		z := m.ScoreText(d.Text)
		for l, actual := range d.Known {
			if li := m.labelIndex(l); li >= 0 {
				prf[l].Add(z[li] >= m.info[li].Thresholds.at(sens), actual)
			}
		}
	}
	return summarize(labels, prf, 0, 0, sens)
}

// CheckFolds reports k folds that grouped cross-validation over data
// cannot make: fewer than two, or more than the data has works (a fold
// would be empty). Evaluate checks it first; a caller that trains before
// it evaluates checks it before training.
func CheckFolds(k int, data []Labelled) error {
	works := map[string]bool{}
	for _, d := range data {
		works[d.Group] = true
	}
	return foldsFor(k, len(works), "data")
}

// foldsFor reports k folds over n works of what that cannot be made.
func foldsFor(k, n int, what string) error {
	switch {
	case n < 2:
		return fmt.Errorf("cross-validation needs 2 works or more; the %s has %d", what, n)
	case k < 2 || k > n:
		return fmt.Errorf("cross-validation with %d folds: the %s has %d works; use 2 to %d folds", k, what, n, n)
	}
	return nil
}
