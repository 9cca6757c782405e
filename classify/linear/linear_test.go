package linear

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"gonum.org/v1/gonum/optimize"
)

// Feature 1 marks positives, feature 2 negatives, feature 3 both: the
// fitted weights must say so, and balanced weighting must undo a skewed
// class ratio.
func TestTrainSeparates(t *testing.T) {
	var ex []Example
	for i := range 40 {
		if i%4 == 0 {
			ex = append(ex, Example{Features: []uint64{1, 3}, Target: 1})
		} else {
			ex = append(ex, Example{Features: []uint64{2, 3, 3}, Target: 0})
		}
	}
	m, err := Train(ex, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !(m.Weights[1] > 0 && m.Weights[2] < 0) {
		t.Errorf("weights %v: want feature 1 positive, 2 negative", m.Weights)
	}
	if m.Score([]uint64{1, 3}) <= 0 || m.Score([]uint64{2, 3, 3}) >= 0 {
		t.Errorf("scores %.2f / %.2f: want the classes on either side of 0", m.Score([]uint64{1, 3}), m.Score([]uint64{2, 3, 3}))
	}
	// A feature seen in one document is dropped by MinDocs 2.
	ex = append(ex, Example{Features: []uint64{99}, Target: 1})
	m2, err := Train(ex, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if m2.Weights[99] != 0 {
		t.Errorf("a feature of one document has weight %v", m2.Weights[99])
	}
	// Training is reproducible: the same data gives the same weights.
	for range 3 {
		again, err := Train(ex, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if again.Bias != m2.Bias || len(again.Weights) != len(m2.Weights) {
			t.Fatalf("retraining changed the model: bias %v vs %v", again.Bias, m2.Bias)
		}
		for f, w := range m2.Weights {
			if again.Weights[f] != w {
				t.Fatalf("retraining changed feature %d: %v vs %v", f, again.Weights[f], w)
			}
		}
	}
}

// Soft targets: a feature always seen with target 0.5 ends near log-odds 0
// once its examples alone decide.
func TestTrainSoftTargets(t *testing.T) {
	var ex []Example
	for range 50 {
		ex = append(ex, Example{Features: []uint64{7}, Target: 0.5})
		ex = append(ex, Example{Features: []uint64{8}, Target: 1})
		ex = append(ex, Example{Features: []uint64{9}, Target: 0})
	}
	opt := DefaultOptions()
	opt.Balanced = false
	opt.L2 = 1e-6
	m, err := Train(ex, opt)
	if err != nil {
		t.Fatal(err)
	}
	if z := m.Score([]uint64{7}); math.Abs(z) > 0.05 {
		t.Errorf("soft feature scores %.3f, want about 0", z)
	}
	if m.Score([]uint64{8}) < 3 || m.Score([]uint64{9}) > -3 {
		t.Errorf("hard features score %.2f and %.2f", m.Score([]uint64{8}), m.Score([]uint64{9}))
	}
}

func TestTrainErrors(t *testing.T) {
	if _, err := Train(nil, DefaultOptions()); err == nil {
		t.Error("no examples: no error")
	}
	if _, err := Train([]Example{{Features: []uint64{1}, Target: 1}, {Features: []uint64{1}, Target: 1}}, DefaultOptions()); err == nil {
		t.Error("one class: no error")
	}
}

// ownRows is a Matrix that hands out its own storage, against the
// contract: FitRows must not depend on which it is given.
type ownRows struct{ r *Rows }

func (c ownRows) Dims() (int, int) { return c.r.Dims() }

func (c ownRows) Row(i int, _ []uint32, _ []float32) ([]uint32, []float32) {
	a, b := c.r.Start[i], c.r.Start[i+1]
	return c.r.Col[a:b:b], c.r.Val[a:b:b]
}

// TestFitRows: column 0 marks positives and 1 negatives, 2 is in every
// row; the fit separates them, and the weights are those the objective
// defines, to the bit (a plain two-pass evaluation of the loss and its
// gradient, summed in row order, as FitRows did before it read each row
// once), and the same whether the rows are copied out or not.
func TestFitRows(t *testing.T) {
	rows := &Rows{Cols: 3}
	var y, w []float64
	var use []int
	for i := range 60 {
		if i%5 == 0 {
			rows.Append([]uint32{0, 2}, []float32{0.8, 0.6})
			y = append(y, 1)
		} else {
			rows.Append([]uint32{1, 2}, []float32{0.7, 0.7})
			y = append(y, 0)
		}
		w = append(w, 1)
		use = append(use, i)
	}
	opt := Options{L2: 1e-3, Balanced: true, Iterations: 40}
	wt, b, err := FitRows(context.Background(), rows, use, y, w, opt)
	if err != nil {
		t.Fatal(err)
	}
	if !(wt[0] > 0 && wt[1] < 0) {
		t.Errorf("weights %v: want column 0 positive and 1 negative", wt)
	}
	pos, neg := b+0.8*wt[0]+0.6*wt[2], b+0.7*wt[1]+0.7*wt[2]
	if pos <= 0 || neg >= 0 {
		t.Errorf("log-odds %.2f (positive row) and %.2f (negative row): want either side of 0", pos, neg)
	}
	rw, rb := referenceFit(rows, use, y, w, opt)
	if rb != b || !slices.Equal(rw, wt) {
		t.Errorf("fit %v %v, the two-pass reference %v %v", wt, b, rw, rb)
	}
	wt2, b2, err := FitRows(context.Background(), ownRows{rows}, use, y, w, opt)
	if err != nil {
		t.Fatal(err)
	}
	if b2 != b || !slices.Equal(wt2, wt) {
		t.Errorf("decoded rows fit %v %v, own rows %v %v", wt2, b2, wt, b)
	}
	// A cancelled context stops the fit.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := FitRows(ctx, rows, use, y, w, opt); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled fit: err %v", err)
	}
}

// referenceFit is FitRows written plainly: the loss over every row, then
// the gradient over every row again.
func referenceFit(rows *Rows, use []int, y, w []float64, opt Options) ([]float64, float64) {
	var pos, neg float64
	for _, i := range use {
		pos += w[i] * y[i]
		neg += w[i] * (1 - y[i])
	}
	wPos, wNeg := (pos+neg)/(2*pos), (pos+neg)/(2*neg)
	total := pos*wPos + neg*wNeg
	lambda := opt.L2 * total
	n := rows.Cols + 1
	d := make([]float64, len(use))
	loss := func(p []float64) float64 {
		l := 0.0
		for k, i := range use {
			z := p[n-1]
			for e := rows.Start[i]; e < rows.Start[i+1]; e++ {
				z += p[rows.Col[e]] * float64(rows.Val[e])
			}
			l -= w[i] * (wPos*y[i]*logSigmoid(z) + wNeg*(1-y[i])*logSigmoid(-z))
			s := sigmoid(z)
			d[k] = w[i] * (wPos*y[i]*(s-1) + wNeg*(1-y[i])*s)
		}
		reg := 0.0
		for j := range n - 1 {
			reg += p[j] * p[j]
		}
		return l + lambda/2*reg
	}
	problem := optimize.Problem{
		Func: loss,
		Grad: func(g, p []float64) {
			loss(p)
			for j := range n - 1 {
				g[j] = lambda * p[j]
			}
			g[n-1] = 0
			for k, i := range use {
				for e := rows.Start[i]; e < rows.Start[i+1]; e++ {
					g[rows.Col[e]] += d[k] * float64(rows.Val[e])
				}
				g[n-1] += d[k]
			}
		},
	}
	settings := &optimize.Settings{MajorIterations: opt.Iterations, GradientThreshold: 1e-5 * total}
	res, _ := optimize.Minimize(problem, make([]float64, n), settings, &optimize.LBFGS{})
	return res.X[:n-1], res.X[n-1]
}
