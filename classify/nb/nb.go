// Package nb implements binary one-vs-rest multinomial naive Bayes over
// hashed features, with the small, fast scoring tables tagger's model needs:
// one row of per-label log-likelihood ratios per feature, so that scoring a
// token adds a handful of floats and allocates nothing.
package nb

import (
	"fmt"
	"math"
	"slices"
)

// Example is one training document for one label.
type Example struct {
	// Features are feature hashes; a hash may repeat (counts).
	Features []uint64
	// Label is the index of the label the example is annotated for.
	Label int
	// Positive is the annotation: the document shows the label or not.
	Positive bool
	// Weight scales the example's counts (1 for ordinary examples; less for
	// weak labels).
	Weight float64
}

// Options tune training.
type Options struct {
	// Alpha is the additive (Lidstone) smoothing of feature counts.
	Alpha float64
	// Binary counts each feature at most once per document (binarised
	// multinomial NB), which suits short, repetitive texts.
	Binary bool
	// MinDocs drops, per label, features seen in fewer documents.
	MinDocs int
	// PriorWeight scales the learnt prior log-odds (0 = equal priors).
	PriorWeight float64
}

// DefaultOptions are the options tagger's default model is trained with.
func DefaultOptions() Options {
	return Options{Alpha: 0.5, Binary: false, MinDocs: 2, PriorWeight: 1}
}

// Model holds, for every feature seen in training, one weight per label: the
// log ratio of the feature's smoothed probability in positive and negative
// documents. A feature not seen for a label weighs 0 for it.
type Model struct {
	labels  []string
	bias    []float64 // prior log-odds per label
	keys    []uint64  // the feature of each row
	weights []float32 // len(keys) rows × len(labels)
	lookup  table     // feature → row, for fast reads
}

// rowIndex returns a map from each feature of m to its row, for building
// a model from another.
func (m *Model) rowIndex() map[uint64]int32 {
	index := make(map[uint64]int32, len(m.keys))
	for r, k := range m.keys {
		index[k] = int32(r)
	}
	return index
}

// Train fits one binary multinomial NB per label from examples.
func Train(labels []string, examples []Example, opt Options) (*Model, error) {
	L := len(labels)
	if L == 0 {
		return nil, fmt.Errorf("nb: no labels")
	}
	type counts struct{ pos, neg, posDocs, negDocs float64 }
	perLabel := make([]map[uint64]*counts, L)
	for i := range perLabel {
		perLabel[i] = map[uint64]*counts{}
	}
	totPos, totNeg := make([]float64, L), make([]float64, L)
	docPos, docNeg := make([]float64, L), make([]float64, L)
	seen := map[uint64]bool{}
	for _, ex := range examples {
		if ex.Label < 0 || ex.Label >= L {
			return nil, fmt.Errorf("nb: example label %d out of range [0,%d)", ex.Label, L)
		}
		w := ex.Weight
		if w == 0 {
			w = 1
		}
		m := perLabel[ex.Label]
		clear(seen)
		for _, f := range ex.Features {
			first := !seen[f]
			seen[f] = true
			if opt.Binary && !first {
				continue
			}
			c := m[f]
			if c == nil {
				c = &counts{}
				m[f] = c
			}
			if ex.Positive {
				c.pos += w
				if first {
					c.posDocs += w
				}
			} else {
				c.neg += w
				if first {
					c.negDocs += w
				}
			}
		}
		if ex.Positive {
			docPos[ex.Label] += w
		} else {
			docNeg[ex.Label] += w
		}
	}
	// Totals over the kept vocabulary only.
	keep := func(c *counts) bool { return c.posDocs+c.negDocs >= float64(opt.MinDocs) }
	vocab := make([]float64, L)
	for l, m := range perLabel {
		for _, c := range m {
			if keep(c) {
				totPos[l] += c.pos
				totNeg[l] += c.neg
				vocab[l]++
			}
		}
	}
	md := &Model{labels: slices.Clone(labels), bias: make([]float64, L)}
	index := map[uint64]int32{} // feature → row of md
	for l := range L {
		if docPos[l] > 0 && docNeg[l] > 0 {
			md.bias[l] = opt.PriorWeight * math.Log(docPos[l]/docNeg[l])
		}
	}
	for l, m := range perLabel {
		if docPos[l] == 0 || docNeg[l] == 0 {
			continue // no contrast to learn: the label is left to the lexicon
		}
		a := opt.Alpha
		denPos := totPos[l] + a*vocab[l]
		denNeg := totNeg[l] + a*vocab[l]
		for f, c := range m {
			if !keep(c) {
				continue
			}
			row, ok := index[f]
			if !ok {
				row = int32(len(md.keys))
				index[f] = row
				md.keys = append(md.keys, f)
				md.weights = append(md.weights, make([]float32, L)...)
			}
			md.weights[int(row)*L+l] = float32(math.Log((c.pos+a)/denPos) - math.Log((c.neg+a)/denNeg))
		}
	}
	md.lookup = newTable(md.keys)
	return md, nil
}

// Labels returns the label names, in index order.
func (m *Model) Labels() []string { return m.labels }

// Bias returns the prior log-odds of label l.
func (m *Model) Bias(l int) float64 { return m.bias[l] }

// Features returns the number of features with weights.
func (m *Model) Features() int { return len(m.keys) }

// Row returns the per-label weights of feature f, or nil when the model
// never saw it. The slice must not be modified.
func (m *Model) Row(f uint64) []float32 {
	r := m.lookup.get(f)
	if r < 0 {
		return nil
	}
	L := len(m.labels)
	return m.weights[int(r)*L : int(r)*L+L]
}

// Score returns the log-odds of every label for a document's features.
// With binary set, repeated features count once, as in training.
func (m *Model) Score(features []uint64, binary bool) []float64 {
	out := slices.Clone(m.bias)
	var seen map[uint64]bool
	if binary {
		seen = make(map[uint64]bool, len(features))
	}
	for _, f := range features {
		if binary {
			if seen[f] {
				continue
			}
			seen[f] = true
		}
		for l, w := range m.Row(f) {
			out[l] += float64(w)
		}
	}
	return out
}

// Blend returns a table whose label l scores
//
//	a[l] × (m's log-odds) + b[l] × (bias[l] + Σ extra[l] weights)
//
// that is, m blended with one other linear model per label (logistic
// regression, say). Both are linear in the features, so the blend is too,
// and it is scored exactly like a naive-Bayes table: one row per feature.
// extra[l] may be nil (the label keeps a[l] × m alone).
func (m *Model) Blend(a, b, bias []float64, extra []map[uint64]float64) *Model {
	L := len(m.labels)
	out := &Model{labels: slices.Clone(m.labels), bias: make([]float64, L), keys: slices.Clone(m.keys)}
	index := m.rowIndex()
	out.weights = make([]float32, len(m.weights))
	for i, w := range m.weights {
		out.weights[i] = w * float32(a[i%L])
	}
	for l := range L {
		out.bias[l] = a[l] * m.bias[l]
		if extra[l] == nil {
			continue
		}
		out.bias[l] += b[l] * bias[l]
		for f, w := range extra[l] {
			row, ok := index[f]
			if !ok {
				row = int32(len(out.keys))
				index[f] = row
				out.keys = append(out.keys, f)
				out.weights = append(out.weights, make([]float32, L)...)
			}
			out.weights[int(row)*L+l] += float32(b[l] * w)
		}
	}
	out.lookup = newTable(out.keys)
	return out
}
