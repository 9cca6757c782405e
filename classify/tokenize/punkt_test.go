package tokenize

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/neurosnap/sentences.v1"
	"gopkg.in/neurosnap/sentences.v1/data"
)

// storage returns the training data as the library holds it, every
// orthographic context in the map.
func (d punktData) storage() *sentences.Storage {
	st := d.small
	st.OrthoContext = make(sentences.SetString, len(d.ortho))
	for _, e := range d.ortho {
		st.OrthoContext[e.key] = e.flags
	}
	return &st
}

// libraryEnglish returns the English Punkt data the sentences package
// ships, and its own reading of it.
func libraryEnglish(tb testing.TB) ([]byte, *sentences.Storage) {
	tb.Helper()
	b, err := data.Asset("data/english.json")
	if err != nil {
		tb.Fatal(err)
	}
	st, err := sentences.LoadTraining(b)
	if err != nil {
		tb.Fatal(err)
	}
	return b, st
}

// TestPunktDataCurrent fails when punkt_english_data.go is not the data
// the sentences package ships (after updating the package), or a table in
// it is not sorted by key with each key once, which orthoTable.get's
// binary search needs: run go generate in classify/tokenize.
func TestPunktDataCurrent(t *testing.T) {
	_, want := libraryEnglish(t)
	if got := punktEnglish().storage(); !reflect.DeepEqual(got, want) {
		t.Errorf("punkt_english_data.go differs from the sentences package's English data (%d/%d/%d/%d entries against %d/%d/%d/%d): run go generate in classify/tokenize",
			len(got.AbbrevTypes), len(got.Collocations), len(got.SentStarters), len(got.OrthoContext),
			len(want.AbbrevTypes), len(want.Collocations), len(want.SentStarters), len(want.OrthoContext))
	}
	if len(want.OrthoContext) < 10000 {
		t.Errorf("the English data has %d orthographic contexts; expected tens of thousands", len(want.OrthoContext))
	}
	for name, tab := range map[string]orthoTable{"AbbrevTypes": punktAbbrevTypes, "Collocations": punktCollocations,
		"SentStarters": punktSentStarters, "OrthoContext": punktOrthoContext} {
		for i := 1; i < len(tab); i++ {
			if strings.Compare(tab[i-1].key, tab[i].key) >= 0 {
				t.Errorf("%s: %q before %q, not sorted by key with each key once: run go generate in classify/tokenize", name, tab[i-1].key, tab[i].key)
				break
			}
		}
	}
	if _, ok := slices.BinarySearchFunc(punktOrthoContext, "the", func(e orthoEntry, k string) int { return strings.Compare(e.key, k) }); !ok {
		t.Error(`no orthographic context for "the"`)
	}
}

// TestPunktEnglishFresh: each call gives maps of its own, which the
// library's English tokenizer adds its abbreviations to, so that two
// Segmenters never share (or race on) them.
func TestPunktEnglishFresh(t *testing.T) {
	a, b := punktEnglish(), punktEnglish()
	a.small.AbbrevTypes["zz-test"] = 1
	if _, ok := b.small.AbbrevTypes["zz-test"]; ok {
		t.Fatal("two calls share their abbreviation map")
	}
}
