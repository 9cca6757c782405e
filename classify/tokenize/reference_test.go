package tokenize

import (
	"math"
	"slices"
	"testing"
	"unicode/utf8"
)

// referenceWords is Words as it was written before its fast paths (a byte
// at a time, and each word hashed apart by Hash): FuzzWords checks that
// Words gives the same tokens.
func referenceWords(text string, dst []Token) []Token {
	if len(text) > math.MaxInt32 {
		text = text[:math.MaxInt32]
	}
	base := len(dst)
	last := -1 // index in dst of the last token of this call
	nl := 0    // line breaks in the current run of whitespace
	n := len(text)
	for i := 0; i < n; {
		c := text[i]
		cls := asciiClass[c]
		size := 1
		if cls == clsNonASCII {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			cls = runeClass(r, size)
		}
		var flags Flag
		switch cls {
		case clsWord:
			end, h := refScanWord(text[:min(n, i+MaxWordBytes)], i)
			t := Token{Start: int32(i), Len: uint16(end - i), Hash: h}
			// Most words are neither a cue nor end in t: skip the call.
			if (cueWords.Has(h) || endsNT(text, i, end)) && isNegationCue(text[i:end], h) {
				t.Flags = FlagNegation
			}
			dst = append(dst, t)
			last = len(dst) - 1
			nl = 0
			i = end
			continue
		case clsSpace:
			i += size
			continue
		case clsLF:
			if c == '\r' && i+1 < n && text[i+1] == '\n' {
				i++ // CRLF is one line break: count it at the LF
				continue
			}
			nl++
			if nl >= 2 && last >= 0 {
				dst[last].Flags |= FlagClauseEnd | FlagSentenceEnd
			}
			i += size
			continue // white space: keep counting line breaks
		case clsParagraph:
			flags = FlagClauseEnd | FlagSentenceEnd
		case clsPeriod:
			j := i + 1
			for j < n && text[j] == '.' {
				j++
			}
			switch {
			case j-i > 1: // ellipsis: a pause, often mid-sentence in dialogue
				flags = FlagClauseEnd
				size = j - i
			case betweenDigits(text, i):
			case last >= 0 && int(dst[last].End()) == i && isAbbrev(text[dst[last].Start:i], dst[last].Hash):
			default:
				flags = FlagClauseEnd | FlagSentenceEnd
			}
		case clsSentEnd:
			flags = FlagClauseEnd | FlagSentenceEnd
		case clsNumSep:
			if !betweenDigits(text, i) {
				flags = FlagClauseEnd
			}
		case clsClause:
			flags = FlagClauseEnd
		case clsHyphen:
			joins := last >= 0 && int(dst[last].End()) == i && (i+1 >= n || text[i+1] != '-')
			if !joins {
				flags = FlagClauseEnd
			}
		}
		nl = 0
		if flags != 0 && last >= 0 {
			dst[last].Flags |= flags
		}
		i += size
	}
	refMarkScope(dst[base:])
	return dst
}

// refMarkScope marks negation scopes in a second pass over the tokens, as
// the definition in Words' documentation reads.
func refMarkScope(toks []Token) {
	scope := 0
	for k := range toks {
		t := &toks[k]
		switch {
		case t.Flags&FlagNegation != 0:
			scope = MaxNegationScope
		case scope > 0 && scopeVerbs.Has(t.Hash):
			t.Flags |= FlagNegated
			scope = 0
		case scope > 0 && scopeEnders.Has(t.Hash):
			scope = 0
		case scope > 0:
			t.Flags |= FlagNegated
			scope--
		}
		if t.Flags&FlagClauseEnd != 0 {
			scope = 0
		}
	}
}

// refScanWord is scanWord a byte at a time.
func refScanWord(text string, start int) (end int, h uint64) {
	n := len(text)
	i := start
scan:
	for {
		// ASCII letters and digits: the tight loop most words never
		// leave.
		for i < n {
			l := wordLower[text[i]]
			if l == 0 {
				break
			}
			i++
		}
		if i >= n {
			break
		}
		if c := text[i]; c < utf8.RuneSelf {
			if c == '\'' && wordAt(text, i+1) {
				i++
				continue
			}
			break
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if punctFirst <= r && r < punctEnd && punctClass[r-punctFirst] != clsApos {
			break // a quote or dash after the word; no letter is here
		}
		switch {
		case size == 1: // invalid byte (valid runes ≥ 0x80 take 2+ bytes)
			break scan
		case isApostrophe(r):
			if !wordAt(text, i+size) {
				break scan
			}
			i += size
		case isWordRune(r):
			i += size
		default:
			break scan
		}
	}
	return i, Hash(text[start:i])
}

// TestWordsMatchesReference checks Words against referenceWords on the
// seed stories and on text that exercises the eight-byte scan's edges.
func TestWordsMatchesReference(t *testing.T) {
	texts := []string{
		seedCorpus(t),
		"Nobody's NOT here; Without him, cannot's no-one. Neither NOR none’s",
		"WİTHOUT a doubt, wİthout him; nothing’s wrong, NOBODY’S coming, nothing's",
		"abcdefgh abcdefghijklmnop Abcdefg's ABCDEFGH’S café-crème naïveté 12345678,9",
		"word\xffword wordwordword\u00e9word don't  won’t\u2019s x",
	}
	for _, text := range texts {
		for cut := 0; cut < 16 && cut < len(text); cut++ {
			s := text[cut:]
			if got, want := Words(s, nil), referenceWords(s, nil); !slices.Equal(got, want) {
				t.Errorf("Words(%.40q…) differs from the byte-at-a-time reference", s)
			}
		}
	}
}
