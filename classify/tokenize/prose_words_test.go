package tokenize

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/jdkato/prose/v2"
)

// proseLookahead bounds how far past the previous token ProseWords looks for
// the next one. prose loses at most a few characters between tokens (see
// ProseWords), so a token further away is not the one it read, and the
// bound keeps a failed search from costing O(len(text)).
const proseLookahead = 256

// ProseWords tokenizes text with github.com/jdkato/prose/v2 (segmentation,
// tagging and extraction off) and maps its tokens back to byte offsets in
// text; it exists to compare against Words and is not on the default path.
// It is about 16× slower than Words (see the package doc), and prose drops
// text: a contraction followed by punctuation loses its "n't" and the
// punctuation ("I can't." gives I, ca).
//
// prose splits clitics off ("don't" → do, n't; "Neo's" → Neo, 's), which
// become separate tokens here, and keeps hyphenated words whole
// ("self-harm"), unlike Words. Its tokens carry no offsets and are read from
// a copy of text with curly quotes folded to straight ones, so each token is
// searched for, in order, after the previous one (a straight quote or
// apostrophe in a token matches its curly forms and "&rsquo;"); a token not
// found within 256 bytes is skipped. Tokens without a letter or
// digit are not returned but set flags on the word before them as in Words,
// and negation is marked as in Words.
func ProseWords(text string) ([]Token, error) {
	doc, err := prose.NewDocument(text,
		prose.WithSegmentation(false),
		prose.WithTagging(false),
		prose.WithExtraction(false))
	if err != nil {
		return nil, fmt.Errorf("tokenize: prose tokenization: %w", err)
	}
	ptoks := doc.Tokens()
	out := make([]Token, 0, len(ptoks))
	pos := 0
	for _, pt := range ptoks {
		start, end, ok := findProseToken(text, pos, pt.Text)
		if !ok {
			continue
		}
		pos = end
		word := text[start:end]
		if !hasWordRune(word) {
			if len(out) > 0 {
				out[len(out)-1].Flags |= separatorFlags(word)
			}
			continue
		}
		if len(word) > MaxWordBytes {
			continue // Words would cut it; prose's tokens are compared on prose
		}
		h := Hash(word)
		t := Token{Start: int32(start), Len: uint16(end - start), Hash: h}
		if isNegationCue(word, h) {
			t.Flags = FlagNegation
		}
		out = append(out, t)
	}
	markScope(out)
	return out, nil
}

// findProseToken finds tok in text at or after pos, within proseLookahead
// bytes, and returns its span.
func findProseToken(text string, pos int, tok string) (start, end int, ok bool) {
	if tok == "" {
		return 0, 0, false
	}
	limit := min(len(text), pos+proseLookahead)
	for j := pos; j < limit; j++ {
		if e, ok := matchProse(text, j, tok); ok {
			return j, e, true
		}
	}
	return 0, 0, false
}

// matchProse reports whether tok, read from prose's sanitised copy of the
// text, matches text at i, and where the match ends.
func matchProse(text string, i int, tok string) (int, bool) {
	for k := 0; k < len(tok); k++ {
		if i >= len(text) {
			return 0, false
		}
		c := tok[k]
		if text[i] == c {
			i++
			continue
		}
		var alts []string
		switch c {
		case '"':
			alts = []string{"\u201c", "\u201d"}
		case '\'':
			alts = []string{"\u2018", "\u2019", "&rsquo;"}
		default:
			return 0, false
		}
		matched := false
		for _, a := range alts {
			if strings.HasPrefix(text[i:], a) {
				i += len(a)
				matched = true
				break
			}
		}
		if !matched {
			return 0, false
		}
	}
	return i, true
}

// hasWordRune reports whether s contains a letter or a digit.
func hasWordRune(s string) bool {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if asciiClass[r] == clsWord {
				return true
			}
		} else if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// separatorFlags returns the flags Words would set for the punctuation
// token p, outside any context (no digits or abbreviations around it).
func separatorFlags(p string) Flag {
	if strings.HasPrefix(p, "..") || p == "--" {
		return FlagClauseEnd
	}
	var f Flag
	for i := 0; i < len(p); {
		c := p[i]
		cls, size := asciiClass[c], 1
		if cls == clsNonASCII {
			var r rune
			r, size = utf8.DecodeRuneInString(p[i:])
			cls = runeClass(r, size)
		}
		switch cls {
		case clsPeriod, clsSentEnd, clsParagraph:
			f |= FlagClauseEnd | FlagSentenceEnd
		case clsNumSep, clsClause, clsHyphen:
			f |= FlagClauseEnd
		}
		i += size
	}
	return f
}
