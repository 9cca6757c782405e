package nb

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"
)

// Hand-made data with answers worked out on paper: label 0, two positive
// documents {1,1,2} and {1,3}, two negative {2,3} and {3,4}; alpha 1, counts.
func TestTrainKnownAnswer(t *testing.T) {
	ex := []Example{
		{Features: []uint64{1, 1, 2}, Label: 0, Positive: true},
		{Features: []uint64{1, 3}, Label: 0, Positive: true},
		{Features: []uint64{2, 3}, Label: 0, Positive: false},
		{Features: []uint64{3, 4}, Label: 0, Positive: false},
	}
	m, err := Train([]string{"x"}, ex, Options{Alpha: 1, MinDocs: 1, PriorWeight: 1})
	if err != nil {
		t.Fatal(err)
	}
	// Vocabulary {1,2,3,4}: V=4. Positive counts: 1→3, 2→1, 3→1; total 5.
	// Negative counts: 2→1, 3→2, 4→1; total 4.
	want := map[uint64]float64{
		1: math.Log(4.0/9) - math.Log(1.0/8),
		2: math.Log(2.0/9) - math.Log(2.0/8),
		3: math.Log(2.0/9) - math.Log(3.0/8),
		4: math.Log(1.0/9) - math.Log(2.0/8),
	}
	for f, w := range want {
		row := m.Row(f)
		if row == nil || math.Abs(float64(row[0])-w) > 1e-6 {
			t.Errorf("weight of %d = %v, want %.6f", f, row, w)
		}
	}
	if m.Bias(0) != 0 { // two positive and two negative documents
		t.Errorf("bias = %v, want 0", m.Bias(0))
	}
	if m.Row(99) != nil {
		t.Error("unseen feature has a row")
	}
	s := m.Score([]uint64{1, 1}, false)
	if math.Abs(s[0]-2*want[1]) > 1e-6 {
		t.Errorf("Score({1,1}) = %v, want %v", s[0], 2*want[1])
	}
	if s := m.Score([]uint64{1, 1}, true); math.Abs(s[0]-want[1]) > 1e-6 {
		t.Errorf("binary Score({1,1}) = %v, want %v", s[0], want[1])
	}
}

func TestTrainSeparatesLabels(t *testing.T) {
	// Label 0 learns from feature 10, label 1 from feature 20; an example
	// for one label says nothing about the other.
	var ex []Example
	for range 5 {
		ex = append(ex,
			Example{Features: []uint64{10, 1}, Label: 0, Positive: true},
			Example{Features: []uint64{11, 1}, Label: 0, Positive: false},
			Example{Features: []uint64{20, 1}, Label: 1, Positive: true},
			Example{Features: []uint64{21, 1}, Label: 1, Positive: false},
		)
	}
	m, err := Train([]string{"a", "b"}, ex, Options{Alpha: 0.5, MinDocs: 1, PriorWeight: 1})
	if err != nil {
		t.Fatal(err)
	}
	if s := m.Score([]uint64{10}, false); s[0] <= 0 || s[1] != 0 {
		t.Errorf("Score(10) = %v: want a positive for label a, nothing for b", s)
	}
	if s := m.Score([]uint64{21}, false); s[1] >= 0 || s[0] != 0 {
		t.Errorf("Score(21) = %v: want a negative for label b, nothing for a", s)
	}
	if w := m.Row(1); w[0] != 0 || w[1] != 0 {
		t.Errorf("a feature equally common in both classes weighs %v, want 0", w)
	}
}

func TestTrainOptions(t *testing.T) {
	ex := []Example{
		{Features: []uint64{1}, Label: 0, Positive: true},
		{Features: []uint64{1, 2}, Label: 0, Positive: true},
		{Features: []uint64{3}, Label: 0, Positive: true},
		{Features: []uint64{4}, Label: 0, Positive: false},
	}
	m, _ := Train([]string{"x"}, ex, Options{Alpha: 1, MinDocs: 2, PriorWeight: 1})
	if m.Row(2) != nil || m.Row(3) != nil || m.Row(1) == nil {
		t.Error("MinDocs 2 must drop features seen in one document only")
	}
	if math.Abs(m.Bias(0)-math.Log(3)) > 1e-9 {
		t.Errorf("bias = %v, want log 3", m.Bias(0))
	}
	m0, _ := Train([]string{"x"}, ex, Options{Alpha: 1, MinDocs: 1, PriorWeight: 0})
	if m0.Bias(0) != 0 {
		t.Errorf("PriorWeight 0: bias = %v", m0.Bias(0))
	}
	if _, err := Train([]string{"x"}, []Example{{Label: 3}}, Options{}); err == nil {
		t.Error("an example with an unknown label must be an error")
	}
	if _, err := Train(nil, nil, Options{}); err == nil {
		t.Error("no labels must be an error")
	}
	// Weighted examples count as that many examples.
	w, _ := Train([]string{"x"}, []Example{
		{Features: []uint64{1}, Positive: true, Weight: 2},
		{Features: []uint64{2}, Positive: false},
	}, Options{Alpha: 1, MinDocs: 1, PriorWeight: 1})
	if math.Abs(w.Bias(0)-math.Log(2)) > 1e-9 {
		t.Errorf("weighted bias = %v, want log 2", w.Bias(0))
	}
}

func TestWriteRead(t *testing.T) {
	ex := []Example{
		{Features: []uint64{5, 6, 7}, Label: 0, Positive: true},
		{Features: []uint64{6, 8}, Label: 0, Positive: false},
		{Features: []uint64{9}, Label: 1, Positive: true},
		{Features: []uint64{5}, Label: 1, Positive: false},
	}
	m, _ := Train([]string{"a", "b"}, ex, Options{Alpha: 0.5, MinDocs: 1, PriorWeight: 1})
	var buf bytes.Buffer
	if err := m.Write(&buf); err != nil {
		t.Fatal(err)
	}
	b1 := append([]byte(nil), buf.Bytes()...)
	got, err := Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []uint64{5, 6, 7, 8, 9, 100} {
		a, b := m.Score([]uint64{f}, false), got.Score([]uint64{f}, false)
		if a[0] != b[0] || a[1] != b[1] {
			t.Errorf("feature %d: %v after round trip, %v before", f, b, a)
		}
	}
	var again bytes.Buffer
	got.Write(&again)
	if !bytes.Equal(b1, again.Bytes()) {
		t.Error("Write is not deterministic across a round trip")
	}
	// A NaN weight in the last row (its last 4 bytes), and the feature
	// count one lower (the 4 bytes after the biases of 2 labels).
	nan := bytes.Clone(b1)
	binary.LittleEndian.PutUint32(nan[len(nan)-4:], math.Float32bits(float32(math.NaN())))
	fewer := bytes.Clone(b1)
	at := len(magic) + 4 + (4 + 1) + (4 + 1) + 2*8
	binary.LittleEndian.PutUint32(fewer[at:], binary.LittleEndian.Uint32(fewer[at:])-1)
	for _, tc := range []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"not a table", []byte("nope")},
		{"cut", b1[:len(b1)-3]},
		{"huge label count", append([]byte(magic), 0xff, 0xff, 0xff, 0xff)},
		{"bytes after the tables", append(bytes.Clone(b1), 0, 0, 0, 0)},
		{"NaN weight", nan},
		{"feature count one lower", fewer},
	} {
		if _, err := Read(bytes.NewReader(tc.b)); err == nil {
			t.Errorf("%s: Read accepted a corrupt table of %d bytes", tc.name, len(tc.b))
		}
	}
}

func FuzzRead(f *testing.F) {
	m, _ := Train([]string{"a"}, []Example{{Features: []uint64{1}, Positive: true}, {Features: []uint64{2}}}, Options{Alpha: 1, MinDocs: 1})
	var buf bytes.Buffer
	m.Write(&buf)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := Read(bytes.NewReader(b))
		if err != nil {
			return
		}
		m.Score([]uint64{1, 2, 3}, false)
		// What is read writes back to a file that reads the same.
		var once, twice bytes.Buffer
		if err := m.Write(&once); err != nil {
			t.Fatal(err)
		}
		again, err := Parse(once.Bytes())
		if err != nil {
			t.Fatalf("a written model does not read back: %v", err)
		}
		if err := again.Write(&twice); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(once.Bytes(), twice.Bytes()) || again.Features() != m.Features() {
			t.Fatal("a model read back writes another file")
		}
	})
}
