// Package linear fits L2-regularised logistic regression over sparse hashed
// features, for tagger's window scorer. Training data is small (thousands
// of passages), so the whole objective is minimised with gonum's L-BFGS;
// the result is a weight per feature hash, to be read from the same kind
// of table as naive Bayes' log-likelihood ratios (a window's score is the
// bias plus the sum of its features' weights).
package linear

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/optimize"
)

// Example is one training document.
type Example struct {
	// Features are feature hashes; a hash may repeat (counts).
	Features []uint64
	// Target is the probability that the document shows the label: 0 or
	// 1, or the share of annotators who said so (soft labels).
	Target float64
	// Weight scales the example's loss (0 means 1).
	Weight float64
}

// Options tune training.
type Options struct {
	// L2 is the strength of the L2 penalty on the weights (not the bias),
	// relative to the summed example weights.
	L2 float64 `json:"l2"`
	// Balanced weighs the examples so that positive and negative targets
	// carry the same total weight.
	Balanced bool `json:"balanced"`
	// MinDocs drops features seen in fewer documents.
	MinDocs int `json:"min_docs"`
	// Iterations bounds the optimiser's major iterations.
	Iterations int `json:"iterations"`
}

// ErrOneClass is returned when the examples hold one class only (every
// target 0, or every target 1): there is nothing to tell apart.
var ErrOneClass = errors.New("only one class")

// DefaultOptions are the options tagger's default model is trained with.
func DefaultOptions() Options {
	return Options{L2: 1e-3, Balanced: true, MinDocs: 2, Iterations: 200}
}

// Model is a fitted logistic regression: a bias and one weight per
// feature hash seen in training.
type Model struct {
	Bias    float64
	Weights map[uint64]float64
}

// Score returns the model's log-odds for a document's features.
func (m *Model) Score(features []uint64) float64 {
	z := m.Bias
	for _, f := range features {
		z += m.Weights[f]
	}
	return z
}

// Train fits the model.
func Train(examples []Example, opt Options) (*Model, error) {
	if len(examples) == 0 {
		return nil, errors.New("linear: no examples")
	}
	// Dense indices for the features kept, and sparse rows.
	docs := map[uint64]int{}
	for _, e := range examples {
		seen := map[uint64]bool{}
		for _, f := range e.Features {
			if !seen[f] {
				seen[f] = true
				docs[f]++
			}
		}
	}
	// Features in hash order, entries in index order: the same data always
	// gives the same sums, so training is reproducible.
	var hashes []uint64
	for f, n := range docs {
		if n >= max(opt.MinDocs, 1) {
			hashes = append(hashes, f)
		}
	}
	slices.Sort(hashes)
	index := make(map[uint64]int, len(hashes))
	for j, f := range hashes {
		index[f] = j
	}
	type entry struct {
		j int
		x float64
	}
	rows := make([][]entry, len(examples))
	for i, e := range examples {
		counts := map[int]float64{}
		for _, f := range e.Features {
			if j, ok := index[f]; ok {
				counts[j]++
			}
		}
		for j, x := range counts {
			rows[i] = append(rows[i], entry{j, x})
		}
		slices.SortFunc(rows[i], func(a, b entry) int { return cmp.Compare(a.j, b.j) })
	}
	// Example weights, balanced by target mass.
	w := make([]float64, len(examples))
	var pos, neg, total float64
	for i, e := range examples {
		w[i] = e.Weight
		if w[i] == 0 {
			w[i] = 1
		}
		pos += w[i] * e.Target
		neg += w[i] * (1 - e.Target)
	}
	if pos == 0 || neg == 0 {
		return nil, fmt.Errorf("linear: %d examples: %w", len(examples), ErrOneClass)
	}
	wPos, wNeg := 1.0, 1.0
	if opt.Balanced {
		wPos, wNeg = (pos+neg)/(2*pos), (pos+neg)/(2*neg)
	}
	for i := range w {
		total += w[i]
	}
	lambda := opt.L2 * total
	n := len(hashes) + 1 // the last parameter is the bias
	problem := optimize.Problem{
		Func: func(p []float64) float64 {
			loss := 0.0
			for i, e := range examples {
				z := p[n-1]
				for _, en := range rows[i] {
					z += p[en.j] * en.x
				}
				// -[y log σ(z) + (1-y) log(1-σ(z))], stably
				lp, ln := logSigmoid(z), logSigmoid(-z)
				loss -= w[i] * (wPos*e.Target*lp + wNeg*(1-e.Target)*ln)
			}
			for j := range n - 1 {
				loss += lambda / 2 * p[j] * p[j]
			}
			return loss
		},
		Grad: func(g, p []float64) {
			clear(g)
			for i, e := range examples {
				z := p[n-1]
				for _, en := range rows[i] {
					z += p[en.j] * en.x
				}
				s := sigmoid(z)
				d := w[i] * (wPos*e.Target*(s-1) + wNeg*(1-e.Target)*s)
				for _, en := range rows[i] {
					g[en.j] += d * en.x
				}
				g[n-1] += d
			}
			for j := range n - 1 {
				g[j] += lambda * p[j]
			}
		},
	}
	settings := &optimize.Settings{MajorIterations: max(opt.Iterations, 1), GradientThreshold: 1e-6}
	res, err := optimize.Minimize(problem, make([]float64, n), settings, &optimize.LBFGS{})
	if err != nil && (res == nil || !moved(res.X)) {
		// A line search that stalls near the optimum is an error with a
		// good result; one that never left the start is a failure.
		return nil, fmt.Errorf("linear: optimiser: %w", err)
	}
	m := &Model{Bias: res.X[n-1], Weights: make(map[uint64]float64, len(hashes))}
	for j, f := range hashes {
		if res.X[j] != 0 {
			m.Weights[f] = res.X[j]
		}
	}
	return m, nil
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// logSigmoid is log σ(z) without overflow.
func logSigmoid(z float64) float64 {
	if z < 0 {
		return z - math.Log1p(math.Exp(z))
	}
	return -math.Log1p(math.Exp(-z))
}

// moved reports whether any parameter left zero, the starting point.
func moved(x []float64) bool {
	return slices.ContainsFunc(x, func(v float64) bool { return v != 0 })
}
