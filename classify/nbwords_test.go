package classify

import (
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
)

// TestNBWordsMatchesEachRange: nbWords, the default model's feature loop
// (its eight-label form and the general one), sums exactly what the
// general featurizer's features sum, block by block and to the last bit,
// over the seed stories and a range starting mid-text.
func TestNBWordsMatchesEachRange(t *testing.T) {
	m, err := LoadDir("../models/default")
	if err != nil {
		t.Fatal(err)
	}
	if !m.fz.wordsOnly() {
		t.Fatal("the default model's features are no longer words and lexicon hits: nbWords is not its loop")
	}
	paths, _ := filepath.Glob("../../shared/seeds/*.txt")
	if len(paths) == 0 {
		t.Skip("no seed stories beside the checkout")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		text := string(b)
		toks := tokenize.Words(text, nil)
		var hits []lexicon.Hit
		m.lex.Match(text, toks, func(h lexicon.Hit) { hits = append(hits, h) })
		slices.SortStableFunc(hits, func(a, b lexicon.Hit) int { return cmp.Compare(a.TokEnd, b.TokEnd) })
		sg := &scoring{m: m}
		stride, _, _, nbL := sg.geometry()
		nblocks := (len(toks) + stride - 1) / stride
		for _, lo := range []int{0, 3 * stride} {
			want := &scratch{nb: make([]float64, nblocks*nbL)}
			m.fz.eachRange(text, toks, hits, lo, len(toks), func(tok int, f uint64) {
				want.addRow(m.nb.Row(f), tok/stride, nbL)
			})
			for _, loop := range []struct {
				name string
				sum  func(*scratch)
			}{
				{"nbWords", func(sc *scratch) { sg.nbWords(sc, toks, lo, len(toks), stride, nbL) }},
				{"nbWordsN", func(sc *scratch) { sg.nbWordsN(sc, toks, lo, len(toks), stride, nbL) }},
			} {
				got := &scratch{hits: hits, nb: make([]float64, nblocks*nbL)}
				loop.sum(got)
				if !slices.Equal(got.nb, want.nb) {
					t.Errorf("%s, %s from token %d: block sums differ from the featurizer's", loop.name, filepath.Base(p), lo)
				}
				if slices.Max(got.nb) == 0 && slices.Min(got.nb) == 0 {
					t.Errorf("%s, %s: no naive-Bayes weight summed", loop.name, filepath.Base(p))
				}
			}
		}
	}
}
