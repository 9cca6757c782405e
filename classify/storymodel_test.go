package classify

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify/tokenize"
)

// randomStoryModel builds a story model of K labels over 2^bits buckets
// with random weights over the whole int16 range the quantiser gives,
// and returns the weights too.
func randomStoryModel(r *rand.Rand, bits, K, nLabels int, idf bool) (*StoryModel, []int16) {
	nd := numDense(nLabels)
	sm := &StoryModel{bits: bits, labels: make([]int, K), q: make([]float32, K), bias: make([]float64, K),
		mean: make([]float32, nd), scale: make([]float32, nd)}
	w := make([]int16, ((1<<bits)+nd)*K)
	for k := range K {
		sm.labels[k] = k
		sm.q[k] = float32(r.Float64() * 1e-4)
		sm.bias[k] = r.NormFloat64()
	}
	for j := range nd {
		sm.mean[j], sm.scale[j] = float32(r.NormFloat64()), float32(r.Float64())
	}
	for i := range w {
		switch r.IntN(20) {
		case 0:
			w[i] = 32767
		case 1:
			w[i] = -32767
		case 2:
			w[i] = 0
		default:
			w[i] = int16(r.IntN(65535) - 32767)
		}
	}
	if idf {
		sm.idf = make([]float32, 1<<bits)
		for i := range sm.idf {
			sm.idf[i] = float32(1 + 5*r.Float64())
		}
	}
	sm.setWeights(w)
	return sm, w
}

// referenceScore is the story model's log-odds by its definition: word
// values (1 + log tf) × idf, L2-normalised, then standardised dense
// features, each times its quantised weight, one multiply-add at a time.
func referenceScore(sm *StoryModel, w []int16, buckets, counts []uint32, dense []float32) []float64 {
	K := len(sm.labels)
	fc := make([]float32, len(counts))
	for i, c := range counts {
		fc[i] = float32(c)
	}
	norm := 0.0
	xs := make([]float64, len(counts))
	for i, c := range counts {
		x := 1 + math.Log(float64(c))
		if sm.idf != nil {
			x *= float64(sm.idf[buckets[i]])
		}
		xs[i] = x
		norm += x * x
	}
	z := make([]float64, K)
	for k := range K {
		s := 0.0
		for i, b := range buckets {
			s += xs[i] * float64(w[int(b)*K+k])
		}
		if norm > 0 {
			s /= math.Sqrt(norm)
		}
		base := (1 << sm.bits) * K
		for j, x := range dense {
			s += float64((x-sm.mean[j])*sm.scale[j]) * float64(w[base+j*K+k])
		}
		z[k] = sm.bias[k] + s*float64(sm.q[k])
	}
	return z
}

// TestScoreAccMatchesDefinition checks scoreAcc's integer sums per count,
// packed four labels to a word, against the definition: for label counts
// that fill packed words or not, counts small and large, with and without
// IDF, and a story with more distinct buckets than a packed lane may sum.
func TestScoreAccMatchesDefinition(t *testing.T) {
	cases := []struct {
		bits, K, touched int
		idf              bool
	}{
		{8, 1, 200, false}, {8, 3, 256, false}, {10, 4, 700, false}, {10, 7, 1000, false},
		{12, 20, 3000, false}, {12, 20, 3000, true}, {9, 64, 500, false}, {17, 5, 70000, false},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("bits%d-K%d-n%d-idf%v", tc.bits, tc.K, tc.touched, tc.idf), func(t *testing.T) {
			r := rand.New(rand.NewPCG(uint64(tc.bits), uint64(tc.K)))
			nLabels := tc.K + 3
			sm, w := randomStoryModel(r, tc.bits, tc.K, nLabels, tc.idf)
			if !slices.Equal(sm.weights(), w) {
				t.Fatal("the weights stored differ from those given")
			}
			pool := newAccPool()
			a := pool.get(tc.bits, nLabels)
			for _, b := range r.Perm(1 << tc.bits)[:tc.touched] {
				n := uint32(1 + r.IntN(4))
				switch r.IntN(10) {
				case 0:
					n = uint32(16 + r.IntN(300)) // past the integer sums and the log table
				case 1:
					n = 15
				}
				a.add(uint64(b), n)
			}
			dense := make([]float32, numDense(nLabels))
			for j := range dense {
				dense[j] = float32(r.NormFloat64())
			}
			buckets, counts := a.lists()
			want := referenceScore(sm, w, buckets, counts, dense)
			for name, acc := range map[string]*storyAcc{"array": a, "list": listAcc(tc.bits, buckets, counts, nil)} {
				got := sm.scoreAcc(acc, dense)
				for k := range want {
					if d := math.Abs(got[k] - want[k]); d > 1e-9*max(1, math.Abs(want[k])) {
						t.Errorf("%s: label %d: %.15g, want %.15g", name, k, got[k], want[k])
					}
				}
			}
			a.release()
		})
	}
}

// TestScoreAccFullLanes fills a packed lane to its limit: 2^16 buckets
// of one count, every weight at an extreme of int16.
func TestScoreAccFullLanes(t *testing.T) {
	for _, K := range []int{1, 5, 64} {
		for _, x := range []int16{32767, -32767, -32768} {
			sm, w := randomStoryModel(rand.New(rand.NewPCG(5, 6)), 16, K, K, false)
			for i := range (1 << 16) * K {
				w[i] = x
			}
			sm.setWeights(w)
			buckets, counts := make([]uint32, 1<<16), make([]uint32, 1<<16)
			for b := range buckets {
				buckets[b], counts[b] = uint32(b), smallCounts-1
			}
			dense := make([]float32, numDense(K))
			want := referenceScore(sm, w, buckets, counts, dense)
			got := sm.scoreAcc(listAcc(16, buckets, counts, nil), dense)
			for k := range want {
				if d := math.Abs(got[k] - want[k]); d > 1e-9*max(1, math.Abs(want[k])) {
					t.Errorf("K %d, weights %d: label %d: %.15g, want %.15g", K, x, k, got[k], want[k])
				}
			}
		}
	}
}

// TestAccTokensCounts checks the branch-free counting of unigrams and
// bigrams against counting one feature at a time: the same buckets, in
// the order first seen, and the same counts; no bigram spans a clause end
// or a call, and one spans the blocks a long call is counted in.
func TestAccTokensCounts(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, bigrams := range []bool{false, true} {
		pool := newAccPool()
		got := pool.get(8, 1)
		want := &storyAcc{counts: make([]uint32, 256), mask: 255, bits: 8, lex: make([]float64, 1)}
		for i := range 20 {
			n := r.IntN(300)
			if i == 3 {
				n = 9000 // counted in blocks
			}
			toks := make([]tokenize.Token, n)
			for i := range toks {
				toks[i].Hash = uint64(r.IntN(40)) * 0x9e3779b97f4a7c15
				if r.IntN(6) == 0 {
					toks[i].Flags |= tokenize.FlagClauseEnd
				}
				if r.IntN(9) == 0 {
					toks[i].Flags |= tokenize.FlagNegated
				}
			}
			got.tokens(toks, bigrams)
			for i, t := range toks {
				want.add(t.Hash, 1)
				if bigrams && i > 0 && !toks[i-1].Has(tokenize.FlagClauseEnd) {
					want.add(tokenize.HashPair(toks[i-1].Hash, t.Hash), 1)
				}
			}
		}
		gb, gc := got.lists()
		wb, wc := want.lists()
		if !reflect.DeepEqual(gb, wb) || !reflect.DeepEqual(gc, wc) {
			t.Errorf("bigrams %v: counted %v %v, want %v %v", bigrams, gb, gc, wb, wc)
		}
		got.release()
		if a := pool.get(8, 1); a != got {
			t.Error("the pool did not hand back the accumulator released last")
		} else if b, _ := a.lists(); len(b) != 0 {
			t.Errorf("a released accumulator still holds %d buckets", len(b))
		}
	}
}

// TestFinishPartialDecoded checks that a one-chunk partial that comes
// from elsewhere (encoded and decoded, so not known to hold each bucket
// once) decides as the partial itself, and that one holding a bucket
// twice (its count split in two) is merged, not scored as two buckets.
func TestFinishPartialDecoded(t *testing.T) {
	m, sm := zorblaxModel(t)
	text := strings.Repeat("The garden was quiet and he hit the wall; the zorblax came and the soldier died. ", 40)
	ctx := context.Background()
	opt := PredictOptions{FastSnippets: true}
	p, err := sm.ScoreChunk(ctx, Chunk{Text: text, Line: 1, First: true}, opt)
	if err != nil {
		t.Fatal(err)
	}
	want, err := sm.FinishPartials([]*Partial{p}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if li := m.labelIdx["homophobia"]; want.Labels[li].Score < 0.5 || want.NotChecked != "" {
		t.Fatalf("homophobia %v (not checked %q): the test needs the story model to find it", want.Labels[li].Score, want.NotChecked)
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(p); err != nil {
		t.Fatal(err)
	}
	var back Partial
	if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
		t.Fatal(err)
	}
	got, err := sm.FinishPartials([]*Partial{&back}, opt)
	if err != nil {
		t.Fatal(err)
	}
	li := m.labelIdx["homophobia"]
	if got.Labels[li].Score != want.Labels[li].Score {
		t.Errorf("decoded partial: homophobia %.17g, want %.17g", got.Labels[li].Score, want.Labels[li].Score)
	}
	// Split the count of the first bucket counted more than once.
	split := back
	split.Buckets, split.Counts = append([]uint32(nil), back.Buckets...), append([]uint32(nil), back.Counts...)
	i := 0
	for split.Counts[i] < 2 {
		i++
	}
	split.Buckets = append(split.Buckets, split.Buckets[i])
	split.Counts = append(split.Counts, 1)
	split.Counts[i]--
	got, err = sm.FinishPartials([]*Partial{&split}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if d := math.Abs(got.Labels[li].Score - want.Labels[li].Score); d > 1e-12 {
		t.Errorf("a bucket given twice: homophobia %.17g, want %.17g", got.Labels[li].Score, want.Labels[li].Score)
	}
}

// FuzzReadStoryModel checks that a damaged or hostile story.bin is an
// error, never a panic or an allocation its length cannot back, and that
// what reads back writes back byte for byte.
func FuzzReadStoryModel(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	labels := []string{"violence", "death", "suicide"}
	idx := map[string]int{}
	for i, l := range labels {
		idx[l] = i
	}
	for _, idf := range []bool{false, true} {
		sm, _ := randomStoryModel(r, 8, 2, len(labels), idf)
		sm.labels = []int{0, 2}
		var buf bytes.Buffer
		if err := sm.write(&buf, labels); err != nil {
			f.Fatal(err)
		}
		f.Add(buf.Bytes())
		f.Add(buf.Bytes()[:buf.Len()/2])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		sm, err := readStoryModel(b, idx, len(labels))
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := sm.write(&buf, labels); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(buf.Bytes(), b) {
			t.Error("the model read writes back otherwise")
		}
		if stride := 1 << sm.rowShift; len(sm.packed) != (1<<sm.bits)*stride || stride < sm.rowWords || stride >= 2*sm.rowWords && sm.rowWords > 1 {
			t.Errorf("%d packed words for %d buckets of %d words %d apart", len(sm.packed), 1<<sm.bits, sm.rowWords, stride)
		}
	})
}
