package lexicon_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"
)

// genWord returns a distinct made-up word for i: letters only, so that it
// is one token, and prefixed so that it collides with no shipped term.
func genWord(i int) string {
	var b strings.Builder
	b.WriteString("zq")
	for {
		b.WriteByte(byte('a' + i%26))
		i /= 26
		if i == 0 {
			break
		}
	}
	return b.String()
}

// bigOverlay returns an overlay adding n generated terms to violence,
// followed by the shipped term "stab" reweighted.
func bigOverlay(n int) []byte {
	var b strings.Builder
	b.WriteString("labels:\n  violence:\n    terms:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - {term: %s, weight: 1.5}\n", genWord(i))
	}
	b.WriteString("      - {term: stab, weight: 4}\n")
	return []byte(b.String())
}

// BenchmarkMergeOverlay measures merging overlays of 10k, 40k and 200k
// terms: before the duplicate index, each term searched the label's terms
// linearly and loading grew with the square of the overlay's size.
func BenchmarkMergeOverlay(b *testing.B) {
	base := shipped(b)
	for _, n := range []int{10_000, 40_000, 200_000} {
		overlay := bigOverlay(n)
		b.Run(fmt.Sprintf("terms=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := base.Merge(overlay); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestMergeLargeOverlay merges an overlay of 200,000 terms and checks
// what the duplicate index must keep exact: every term is added once, in
// file order, after the shipped ones; a term repeated at the far end of
// the file is still caught with the line of its first listing; a term
// the lexicon has is replaced, not added; removing half of them keeps
// the order of the rest, and a removed term added again goes last.
func TestMergeLargeOverlay(t *testing.T) {
	const n = 200_000
	base := shipped(t)
	baseTerms := base.Terms("violence")
	m, err := base.Merge(bigOverlay(n))
	if err != nil {
		t.Fatal(err)
	}
	got := m.Terms("violence")
	if len(got) != len(baseTerms)+n {
		t.Fatalf("%d terms, want %d shipped + %d added", len(got), len(baseTerms), n)
	}
	for i, term := range got[len(baseTerms):] {
		if term.Text != genWord(i) || term.Weight != 1.5 {
			t.Fatalf("added term %d = %q (weight %v), want %q (weight 1.5)", i, term.Text, term.Weight, genWord(i))
		}
	}
	for _, term := range got[:len(baseTerms)] {
		if term.Text == "stab" && term.Weight != 4 {
			t.Errorf("stab weighs %v, want the overlay's 4", term.Weight)
		}
	}

	tests := []struct {
		name    string
		overlay string
		want    string // in the error; "" for success
	}{
		{"repeated at the far end", string(bigOverlay(n)) + "      - " + genWord(0) + "\n", "listed twice (first on line 4)"},
		{"repeated, differently written", string(bigOverlay(1000)) + "      - " + strings.ToUpper(genWord(7)) + "\n", "listed twice (first on line 11)"},
		{"remove what is not there", "labels:\n  violence:\n    terms: [{term: " + genWord(n+1) + ", remove: true}]\n", "nothing to remove"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := base.Merge([]byte(tt.overlay))
			switch {
			case tt.want == "" && err != nil:
				t.Fatal(err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error %v, want one containing %q", err, tt.want)
			}
		})
	}

	// Remove every other added term, then add the first one back.
	var b strings.Builder
	b.WriteString("labels:\n  violence:\n    terms:\n")
	for i := 0; i < n; i += 2 {
		fmt.Fprintf(&b, "      - {term: %s, remove: true}\n", genWord(i))
	}
	thin, err := m.Merge([]byte(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	again, err := thin.Merge([]byte("labels:\n  violence:\n    terms: [" + genWord(0) + "]\n"))
	if err != nil {
		t.Fatal(err)
	}
	got = again.Terms("violence")[len(baseTerms):]
	if len(got) != n/2+1 {
		t.Fatalf("%d added terms left, want %d", len(got), n/2+1)
	}
	for i, term := range got[:n/2] {
		if want := genWord(2*i + 1); term.Text != want {
			t.Fatalf("term %d after removals = %q, want %q", i, term.Text, want)
		}
	}
	if last := got[n/2]; last.Text != genWord(0) || last.Weight != 1 {
		t.Errorf("re-added term = %+v, want %q weight 1 at the end", last, genWord(0))
	}
}

// TestMergeOverlayScalesLinearly compares merging 20,000 and 80,000 terms:
// linear loading takes about 4 times as long for 4 times the terms, the
// former quadratic one about 16 times. The bound, 8, leaves room for
// noise; the fastest of three runs of each size is compared.
func TestMergeOverlayScalesLinearly(t *testing.T) {
	if testing.Short() {
		t.Skip("timing comparison; skipped with -short")
	}
	base := shipped(t)
	fastest := func(n int) time.Duration {
		overlay := bigOverlay(n)
		best := time.Duration(math.MaxInt64)
		for range 3 {
			start := time.Now()
			if _, err := base.Merge(overlay); err != nil {
				t.Fatal(err)
			}
			best = min(best, time.Since(start))
		}
		return best
	}
	small, large := fastest(20_000), fastest(80_000)
	if ratio := float64(large) / float64(small); ratio > 8 {
		t.Errorf("80k terms took %v, 20k %v: %.1f times as long for 4 times the terms (quadratic?)", large, small, ratio)
	}
}
