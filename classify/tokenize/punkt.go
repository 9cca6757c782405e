package tokenize

import (
	_ "embed"
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
// its 400 KB of JSON through encoding/json's reflection (a Segmenter took
// 10.5 ms and 41,000 allocations with it, 4.5 ms and 156 without, most of
// the rest ungzipping the data, now embedded plain). Data of any other
// shape goes to the library's own decoder.
func punktEnglish() (*sentences.Storage, error) {
	if st, ok := parsePunkt(punktEnglishJSON); ok {
		return st, nil
	}
	return sentences.LoadTraining([]byte(punktEnglishJSON))
}

// parsePunkt reads Punkt training data in the shape the sentences package
// ships it: one JSON object whose members (AbbrevTypes, Collocations,
// SentStarters, OrthoContext) are objects of string keys and integer
// values. Keys are substrings of js (no allocation each). It reports false
// for anything else (an escape in a string, another member, a number that
// is not an integer, trailing data), which the caller leaves to
// encoding/json.
func parsePunkt(js string) (*sentences.Storage, bool) {
	// OrthoContext holds nearly every entry (20,000 of 20,600 in English):
	// sized for all of them at once, it is not rebuilt as it grows.
	st := &sentences.Storage{
		AbbrevTypes: sentences.SetString{}, Collocations: sentences.SetString{},
		SentStarters: sentences.SetString{}, OrthoContext: make(sentences.SetString, strings.Count(js, ":")),
	}
	p := punktParser{s: js}
	if !p.byte('{') {
		return nil, false
	}
	seen := map[string]bool{}
	for first := true; ; first = false {
		if more, ok := p.next(first); !ok {
			return nil, false
		} else if !more {
			break
		}
		name, ok := p.str()
		if !ok || seen[name] || !p.byte(':') || !p.byte('{') {
			return nil, false
		}
		seen[name] = true
		var set sentences.SetString
		switch name {
		case "AbbrevTypes":
			set = st.AbbrevTypes
		case "Collocations":
			set = st.Collocations
		case "SentStarters":
			set = st.SentStarters
		case "OrthoContext":
			set = st.OrthoContext
		default:
			return nil, false
		}
		for inner := true; ; inner = false {
			if more, ok := p.next(inner); !ok {
				return nil, false
			} else if !more {
				break
			}
			key, ok := p.str()
			if !ok || !p.byte(':') {
				return nil, false
			}
			n, ok := p.int()
			if !ok {
				return nil, false
			}
			set[key] = n // a repeated key: the last wins, as in encoding/json
		}
	}
	p.space()
	return st, p.i == len(p.s)
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
