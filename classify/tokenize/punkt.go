package tokenize

import (
	"slices"
	"strings"

	"gopkg.in/neurosnap/sentences.v1"
)

//go:generate go run ./internal/punktdata

// punktEnglish returns the English Punkt training data that
// english.NewSentenceTokenizer loads by default, as the sentences package
// ships it (gzipped JSON in gopkg.in/neurosnap/sentences.v1/data, MIT
// licence, © Eric Bower), from the tables go generate wrote from it
// (punkt_english_data.go; TestPunktDataCurrent checks them against the
// package's): the three small sets become the library's maps, which its
// English tokenizer adds to, and the orthographic contexts are used where
// they lie. Ungzipping and decoding the JSON at every start was most of
// building a Segmenter, which every `tagger check` does.
func punktEnglish() punktData {
	small := func(t orthoTable) sentences.SetString {
		m := make(sentences.SetString, len(t))
		for _, e := range t {
			m[e.key] = e.flags
		}
		return m
	}
	return punktData{
		small: sentences.Storage{
			AbbrevTypes:  small(punktAbbrevTypes),
			Collocations: small(punktCollocations),
			SentStarters: small(punktSentStarters),
		},
		ortho: punktOrthoContext,
	}
}

// punktData is Punkt training data as a Segmenter keeps it: the three
// small sets (a few hundred entries) as the library's maps, and the
// orthographic contexts (20,000 of the 20,600 entries in English) as a
// table sorted by word type, from which each text gets a map of only its
// own types. Building the whole map was most of a check's sentence cost.
type punktData struct {
	small sentences.Storage // OrthoContext is nil
	ortho orthoTable
}

// orthoTable is Punkt's orthographic contexts sorted by word type, each
// type once.
type orthoTable []orthoEntry

type orthoEntry struct {
	key   string
	flags int
}

// get returns the flags of word type key, if the data has it.
func (t orthoTable) get(key string) (int, bool) {
	i, ok := slices.BinarySearchFunc(t, key, func(e orthoEntry, k string) int { return strings.Compare(e.key, k) })
	if !ok {
		return 0, false
	}
	return t[i].flags, true
}
