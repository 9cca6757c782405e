package linear

import (
	"math"
	"testing"
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
