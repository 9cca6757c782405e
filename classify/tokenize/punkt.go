package tokenize

import (
	_ "embed"
	"slices"
	"strings"
	"unicode/utf8"

	"gopkg.in/neurosnap/sentences.v1"
)

//go:generate go run ./internal/punktdata

// punktEnglishJSON is the English Punkt training data that
// english.NewSentenceTokenizer loads by default, as the sentences package
// ships it (gzipped in gopkg.in/neurosnap/sentences.v1/data, MIT licence,
// © Eric Bower) but plain: ungzipping it into a growing buffer was half of
// building a Segmenter, which every `tagger check` does at start-up.
// TestPunktDataCurrent checks it against the package's.
//
//go:embed punkt_english.json
var punktEnglishJSON string

// punktEnglish returns the English Punkt training data, read by
// parsePunkt rather than by sentences.LoadTraining: the library decodes
// its 400 KB of JSON through encoding/json's reflection into maps (a
// Segmenter took 10.5 ms and 41,000 allocations with it). Data of any
// other shape goes to the library's own decoder.
func punktEnglish() (punktData, error) {
	if d, ok := parsePunkt(punktEnglishJSON); ok {
		return d, nil
	}
	st, err := sentences.LoadTraining([]byte(punktEnglishJSON))
	if err != nil {
		return punktData{}, err
	}
	return newPunktData(st), nil
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

// newPunktData turns the library's reading of training data into
// punktData.
func newPunktData(st *sentences.Storage) punktData {
	d := punktData{small: *st}
	d.small.OrthoContext = nil
	entries := make([]orthoEntry, 0, len(st.OrthoContext))
	for k, v := range st.OrthoContext {
		entries = append(entries, orthoEntry{k, v})
	}
	d.ortho = newOrthoTable(entries)
	return d
}

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

// orthoTable is Punkt's orthographic contexts sorted by word type, each
// type once.
type orthoTable []orthoEntry

type orthoEntry struct {
	key   string
	flags int
}

// newOrthoTable sorts entries by key (data written sorted is only
// checked) and keeps the last of equal keys, as a map assigned in order
// would.
func newOrthoTable(entries []orthoEntry) orthoTable {
	byKey := func(a, b orthoEntry) int { return strings.Compare(a.key, b.key) }
	if !slices.IsSortedFunc(entries, byKey) {
		slices.SortStableFunc(entries, byKey)
	}
	out := entries[:0]
	for _, e := range entries {
		if n := len(out); n > 0 && out[n-1].key == e.key {
			out[n-1] = e
			continue
		}
		out = append(out, e)
	}
	return orthoTable(out)
}

// get returns the flags of word type key, if the data has it.
func (t orthoTable) get(key string) (int, bool) {
	i, ok := slices.BinarySearchFunc(t, key, func(e orthoEntry, k string) int { return strings.Compare(e.key, k) })
	if !ok {
		return 0, false
	}
	return t[i].flags, true
}

// parsePunkt reads Punkt training data in the shape the sentences package
// ships it: one JSON object whose members (AbbrevTypes, Collocations,
// SentStarters, OrthoContext) are objects of string keys and integer
// values. Keys are substrings of js (no allocation each). It reports false
// for anything else (an escape in a string, another member, a number that
// is not an integer, trailing data), which the caller leaves to
// encoding/json.
func parsePunkt(js string) (punktData, bool) {
	small := sentences.Storage{
		AbbrevTypes: sentences.SetString{}, Collocations: sentences.SetString{},
		SentStarters: sentences.SetString{},
	}
	// Nearly every entry is an orthographic context: sized for all.
	ortho := make([]orthoEntry, 0, strings.Count(js, ":"))
	p := punktParser{s: js}
	if !p.byte('{') {
		return punktData{}, false
	}
	seen := map[string]bool{}
	for first := true; ; first = false {
		if more, ok := p.next(first); !ok {
			return punktData{}, false
		} else if !more {
			break
		}
		name, ok := p.str()
		if !ok || seen[name] || !p.byte(':') || !p.byte('{') {
			return punktData{}, false
		}
		seen[name] = true
		var set sentences.SetString
		switch name {
		case "AbbrevTypes":
			set = small.AbbrevTypes
		case "Collocations":
			set = small.Collocations
		case "SentStarters":
			set = small.SentStarters
		case "OrthoContext":
		default:
			return punktData{}, false
		}
		for inner := true; ; inner = false {
			if more, ok := p.next(inner); !ok {
				return punktData{}, false
			} else if !more {
				break
			}
			key, ok := p.str()
			if !ok || !p.byte(':') {
				return punktData{}, false
			}
			n, ok := p.int()
			if !ok {
				return punktData{}, false
			}
			if set == nil {
				ortho = append(ortho, orthoEntry{key, n})
				continue
			}
			set[key] = n // a repeated key: the last wins, as in encoding/json
		}
	}
	p.space()
	if p.i != len(p.s) {
		return punktData{}, false
	}
	return punktData{small: small, ortho: newOrthoTable(ortho)}, true
}

// punktParser scans parsePunkt's input.
type punktParser struct {
	s string
	i int
}

func (p *punktParser) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\n' || p.s[p.i] == '\t' || p.s[p.i] == '\r') {
		p.i++
	}
}

// next is the step between an object's members: more is false at its
// closing brace; ok is false when neither it nor, after a member (not
// first), a comma comes next.
func (p *punktParser) next(first bool) (more, ok bool) {
	if p.byte('}') {
		return false, true
	}
	return true, first || p.byte(',')
}

// byte consumes c, after white space, and reports whether it was there.
func (p *punktParser) byte(c byte) bool {
	p.space()
	if p.i < len(p.s) && p.s[p.i] == c {
		p.i++
		return true
	}
	return false
}

// str reads a string of valid UTF-8 without escapes or control
// characters (encoding/json turns invalid bytes into U+FFFD).
func (p *punktParser) str() (string, bool) {
	if !p.byte('"') {
		return "", false
	}
	for j := p.i; j < len(p.s); j++ {
		switch c := p.s[j]; {
		case c == '"':
			s := p.s[p.i:j]
			p.i = j + 1
			return s, utf8.ValidString(s)
		case c == '\\' || c < 0x20:
			return "", false
		}
	}
	return "", false
}

// int reads an integer of at most 9 digits, optionally negative, that a
// JSON number ends after.
func (p *punktParser) int() (int, bool) {
	p.space()
	neg := p.i < len(p.s) && p.s[p.i] == '-'
	if neg {
		p.i++
	}
	start, n := p.i, 0
	for p.i < len(p.s) && p.i-start < 9 && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		n = n*10 + int(p.s[p.i]-'0')
		p.i++
	}
	if p.i == start || (p.s[start] == '0' && p.i-start > 1) {
		return 0, false // no digits, or a leading zero JSON does not allow
	}
	if p.i < len(p.s) {
		if c := p.s[p.i]; c == '.' || c == 'e' || c == 'E' || ('0' <= c && c <= '9') {
			return 0, false // a fraction, an exponent, or too many digits
		}
	}
	if neg {
		n = -n
	}
	return n, true
}
