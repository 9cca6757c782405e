package linear

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"gonum.org/v1/gonum/optimize"
)

// Matrix is a sparse matrix read one row at a time, as FitRows does once
// per evaluation of the objective.
type Matrix interface {
	// Dims returns the number of rows and columns.
	Dims() (rows, cols int)
	// Row returns row i's columns (each below the number of columns) and
	// values in cols and vals, emptied and grown as needed: the caller's
	// buffers, which it reuses for the next row. Fits of several labels
	// read one Matrix at once, so Row must allow concurrent calls.
	Row(i int, cols []uint32, vals []float32) ([]uint32, []float32)
}

// Rows is a Matrix in compressed row form: row i holds the columns
// Col[Start[i]:Start[i+1]] with values Val[Start[i]:Start[i+1]].
type Rows struct {
	Start []int
	Col   []uint32
	Val   []float32
	// Cols is the number of columns.
	Cols int
}

// Len returns the number of rows.
func (r *Rows) Len() int { return max(len(r.Start)-1, 0) }

// Dims returns the number of rows and columns.
func (r *Rows) Dims() (int, int) { return r.Len(), r.Cols }

// Row copies row i into cols and vals.
func (r *Rows) Row(i int, cols []uint32, vals []float32) ([]uint32, []float32) {
	a, b := r.Start[i], r.Start[i+1]
	return append(cols[:0], r.Col[a:b]...), append(vals[:0], r.Val[a:b]...)
}

// Append adds a row; cols must be below r.Cols.
func (r *Rows) Append(cols []uint32, vals []float32) {
	if len(r.Start) == 0 {
		r.Start = append(r.Start, 0)
	}
	r.Col = append(r.Col, cols...)
	r.Val = append(r.Val, vals...)
	r.Start = append(r.Start, len(r.Col))
}

// FitRows fits L2-regularised logistic regression over real-valued sparse
// rows: rows' row i (only the rows listed in use) with target y[i] in 0..1
// and example weight w[i]. It returns one weight per column and the bias.
// The objective is the weighted log loss plus L2/2 × ‖weights‖² × Σ
// weights; with opt.Balanced the positive and negative targets carry equal
// weight. Sums run in a fixed order, so the same data gives the same bits.
// Each evaluation reads every row once, for the loss and its gradient
// together.
func FitRows(ctx context.Context, rows Matrix, use []int, y, w []float64, opt Options) ([]float64, float64, error) {
	if len(use) == 0 {
		return nil, 0, errors.New("linear: no examples")
	}
	var pos, neg, total float64
	for _, i := range use {
		pos += w[i] * y[i]
		neg += w[i] * (1 - y[i])
		total += w[i]
	}
	if pos == 0 || neg == 0 {
		return nil, 0, fmt.Errorf("linear: %d examples: %w", len(use), ErrOneClass)
	}
	wPos, wNeg := 1.0, 1.0
	if opt.Balanced {
		wPos, wNeg = (pos+neg)/(2*pos), (pos+neg)/(2*neg)
		total = pos*wPos + neg*wNeg
	}
	lambda := opt.L2 * total
	_, cols := rows.Dims()
	n := cols + 1 // the last parameter is the bias
	var cacheX []float64
	cacheG := make([]float64, n)
	var cacheF float64
	var rc []uint32
	var rv []float32
	// eval computes the loss at p and its gradient (cacheG), unless p is
	// where it last did.
	eval := func(p []float64) float64 {
		if cacheX != nil && slices.Equal(cacheX, p) {
			return cacheF
		}
		g := cacheG
		for j := range n - 1 {
			g[j] = lambda * p[j]
		}
		g[n-1] = 0
		loss := 0.0
		for _, i := range use {
			rc, rv = rows.Row(i, rc, rv)
			z := p[n-1]
			for e, c := range rc {
				z += p[c] * float64(rv[e])
			}
			lp, ln := logSigmoid(z), logSigmoid(-z)
			loss -= w[i] * (wPos*y[i]*lp + wNeg*(1-y[i])*ln)
			s := sigmoid(z)
			d := w[i] * (wPos*y[i]*(s-1) + wNeg*(1-y[i])*s)
			for e, c := range rc {
				g[c] += d * float64(rv[e])
			}
			g[n-1] += d
		}
		reg := 0.0
		for j := range n - 1 {
			reg += p[j] * p[j]
		}
		loss += lambda / 2 * reg
		cacheX = append(cacheX[:0], p...)
		cacheF = loss
		return loss
	}
	problem := optimize.Problem{
		Func: eval,
		Grad: func(g, p []float64) {
			eval(p)
			copy(g, cacheG)
		},
		Status: func() (optimize.Status, error) {
			if err := ctx.Err(); err != nil {
				return optimize.Failure, err
			}
			return optimize.NotTerminated, nil
		},
	}
	settings := &optimize.Settings{MajorIterations: max(opt.Iterations, 1), GradientThreshold: 1e-5 * total}
	res, err := optimize.Minimize(problem, make([]float64, n), settings, &optimize.LBFGS{})
	if cerr := ctx.Err(); cerr != nil {
		return nil, 0, cerr
	}
	if err != nil && (res == nil || !moved(res.X)) {
		return nil, 0, fmt.Errorf("linear: optimiser: %w", err)
	}
	return res.X[:n-1], res.X[n-1], nil
}

// Sigmoid is the logistic function.
func Sigmoid(z float64) float64 { return sigmoid(z) }
