package tokenize

import (
	"math"
	"math/bits"
	"unicode"
	"unicode/utf8"
)

// MaxNegationScope is the largest number of tokens after a negation cue that
// Words marks FlagNegated (Das & Chen 2001 mark to the clause end; the cap
// keeps one "not" in a long unpunctuated run from flipping a whole line).
const MaxNegationScope = 6

// Words appends the words of text to dst and returns the extended slice.
//
// A word is a maximal run of letters, digits and combining marks; an
// apostrophe (' ’ ‘ ʼ) between two such characters stays inside the word
// ("can't", "o'clock", "y’all"), one at either edge does not. Hyphens split
// words ("self-harm" → self, harm). Every other character separates words:
// whitespace, punctuation, symbols, emoji, format characters such as the
// soft hyphen, and invalid UTF-8 bytes. A run of CJK ideographs has no
// separators and so is one word.
//
// Separators set flags on the token before them (never on a token that
// was in dst before the call):
//
//   - FlagClauseEnd: , ; : ( ) [ ] { }, a dash (— – ―, "--", or a hyphen
//     not directly after a word, as in "a - b"), an ellipsis (".." or …),
//     and the CJK forms ，、；：（）; but not , . : between two digits
//     ("1,000", "3.14", "10:30").
//   - FlagSentenceEnd and FlagClauseEnd: . ! ? 。！？‼⁇⁈⁉, a blank line
//     (two line breaks with only spaces between them; CRLF counts as one)
//     and U+2029. A full stop after a title ("Mr.", "Dr.", "St.", ...) or
//     after an initial (a single capital other than I and A) sets nothing.
//   - Nothing: quotes of every kind, a single line break (prose is often
//     hard-wrapped), /, *, and other symbols.
//
// Negation follows Das & Chen: a cue word (not, no, never, nothing, nobody,
// none, neither, nor, without, cannot, and any word ending in n't) gets
// FlagNegation, and the tokens after it get FlagNegated up to and including
// the next clause end, at most MaxNegationScope tokens. A cue inside a scope
// starts a new scope and is not itself marked FlagNegated. A conjunction
// that starts a clause ("until", "because") ends the scope before itself,
// and a verb of knowing, seeing, telling, remembering or stopping ("knew",
// "saw", "told", "stop"; not one of opinion or saying, "think", "said")
// after itself: "nobody knew he was cutting himself" negates the knowing,
// not the cutting.
//
// Each token's Hash equals Hash(text[tok.Start:tok.End()]); a word
// longer than MaxWordBytes is cut into tokens of that length. Words allocates
// only when dst must grow; a capacity of len(text)/4 tokens is enough for
// English prose. It never panics. Texts longer than math.MaxInt32 bytes
// (offsets are int32) are read only up to that length.
func Words(text string, dst []Token) []Token {
	if len(text) > math.MaxInt32 {
		text = text[:math.MaxInt32]
	}
	base := len(dst)
	last := -1 // index in dst of the last token of this call
	nl := 0    // line breaks in the current run of whitespace
	// Negation scopes are marked as tokens are appended, not in a second
	// pass: a token's flags are final once the next word starts, so the
	// scope is settled for it then (see scope.next).
	var sc scope
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
			for {
				end, h, plain := scanWord(text[:min(n, i+MaxWordBytes)], i)
				t := Token{Start: int32(i), Len: uint16(end - i), Hash: h}
				// Most words are neither a cue nor end in n't: test the
				// first letter and length before the set. A word that
				// ended at a plain ASCII separator holds no apostrophe,
				// so it cannot end in n't.
				if (cueShape[text[i]]>>min(end-i, 63)&1 != 0 && cueWords.Has(h) || !plain && endsNT(text, i, end)) &&
					isNegationCue(text[i:end], h) {
					t.Flags = FlagNegation
				}
				if t.Flags != 0 || sc.left > 0 {
					if k := len(dst) - 1; k >= base && dst[k].Flags&FlagClauseEnd != 0 {
						sc.left = 0
					}
					sc.next(&t)
				}
				dst = append(dst, t)
				// One space and another word, the commonest gap,
				// without going round the switch.
				if end+1 < n && text[end] == ' ' && wordLower[text[end+1]] != 0 {
					i = end + 1
					continue
				}
				i = end
				break
			}
			last = len(dst) - 1
			nl = 0
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
	return dst
}

// markScope sets FlagNegated on the tokens in the scope of each negation
// cue in toks, whose FlagNegation and FlagClauseEnd are already set, as
// Words does while it tokenizes.
func markScope(toks []Token) {
	var sc scope
	for k := range toks {
		if k > 0 && toks[k-1].Flags&FlagClauseEnd != 0 {
			sc.left = 0
		}
		sc.next(&toks[k])
	}
}

// scope is the negation scope Words is in: how many more tokens it reaches.
type scope struct{ left int }

// next settles the scope for t, the next token, whose own clause end is
// not yet known (the caller ends the scope at the previous token's): a cue
// starts a scope, a verb of knowing is negated and ends it, a conjunction
// ends it before itself, and any other token in it is negated.
func (sc *scope) next(t *Token) {
	switch {
	case t.Flags&FlagNegation != 0:
		sc.left = MaxNegationScope
	case sc.left == 0:
	case scopeVerbs.Has(t.Hash):
		t.Flags |= FlagNegated
		sc.left = 0
	case scopeEnders.Has(t.Hash):
		// "did not cry until they lowered the coffin": the negation
		// stays in its clause.
		sc.left = 0
	default:
		t.Flags |= FlagNegated
		sc.left--
	}
}

// scopeEnders are the conjunctions that start a clause a negation before
// them does not reach.
var scopeEnders = NewWordSet("until", "till", "but", "because", "when", "while", "before", "after", "then", "so", "although", "though")

// scopeVerbs end a negation's scope after themselves: what is negated is
// the knowing, telling, noticing or stopping, not what follows. "Nobody
// knew that her father raped her", "she never told anyone she had tried
// to kill herself", "he couldn't stop cutting himself" state the act.
// Verbs of opinion and saying are left out: "I don't think he killed her",
// "she did not believe he had hanged himself", "I never said I'd kill
// him" deny what follows.
var scopeVerbs = NewWordSet(
	"know", "knew", "known", "knows", "knowing",
	"notice", "noticed", "notices", "noticing",
	"see", "saw", "seen", "sees", "seeing",
	"hear", "heard", "hears",
	"tell", "told", "tells", "telling",
	"realise", "realised", "realize", "realized",
	"remember", "remembered", "mention", "mentioned",
	"admit", "admitted",
	"stop", "stopped", "stops", "stopping", "quit", "cease", "ceased",
)

// scanWord scans the word starting at text[start], which is a word
// character, and returns its end and its Hash, computed in the same pass,
// and whether it is plain: ASCII letters and digits ended by an ASCII
// separator other than an apostrophe (most words).
func scanWord(text string, start int) (end int, h uint64, plain bool) {
	n := len(text)
	i := start
	h = hashSeed
	// ASCII letters and digits, eight bytes at a time: most words end
	// within the first block, with no branch per byte.
	for i+8 <= n {
		v := load64(text, i)
		w := wordBytes(v)
		if w == highBits {
			h = hashBlock(h, lowerBytes(v, w))
			i += 8
			continue
		}
		k := bits.TrailingZeros64(^w&highBits) >> 3 // word bytes before the first other byte
		if c := text[i+k]; c < utf8.RuneSelf && c != '\'' {
			// The word ends at an ASCII separator: the common case.
			if k > 0 {
				h = hashBlock(h, lowerBytes(v, w)&(1<<(8*k)-1))
			}
			return i + k, hashEnd(h, i+k-start), true
		}
		break
	}
	// An apostrophe, a non-ASCII character or the text's last bytes: go on
	// a byte at a time from the last whole block.
	s := hasher{h: h, n: i - start}
	var before hasher // the state before the last inner apostrophe
	aposEnd := -1     // offset just after the last inner apostrophe
scan:
	for i < n {
		c := text[i]
		if l := wordLower[c]; l != 0 {
			s.byte(l)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			if c == '\'' && wordAt(text, i+1) {
				before = s
				s.byte('\'')
				i++
				aposEnd = i
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
			before = s
			s.byte('\'')
			i += size
			aposEnd = i
		case isWordRune(r):
			s.rune(unicode.ToLower(r))
			i += size
		default:
			break scan
		}
	}
	// Drop a possessive 's from the hash, as Hash does.
	if aposEnd == i-1 && (text[i-1] == 's' || text[i-1] == 'S') {
		s = before
	}
	return i, s.sum(), false
}

// highBits has the high bit of every byte set.
const highBits = 0x8080808080808080

// load64 reads text[i:i+8] as a little-endian number (the compiler makes
// it one load).
func load64(text string, i int) uint64 {
	b := text[i : i+8]
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// wordBytes sets the high bit of each byte of v that is an ASCII letter or
// digit, and clears every other bit. Adding to the low seven bits of a
// byte never carries into the next byte, so the bytes are tested apart.
func wordBytes(v uint64) uint64 {
	const ones = 0x0101010101010101
	low := v & (ones * 0x7f)
	folded := (v | ones*0x20) & (ones * 0x7f) // A-Z onto a-z
	letter := (folded + ones*(0x80-'a')) &^ (folded + ones*(0x80-'z'-1))
	digit := (low + ones*(0x80-'0')) &^ (low + ones*(0x80-'9'-1))
	return (letter | digit) &^ v & highBits
}

// lowerBytes lower-cases the word bytes of v, given its wordBytes w: each
// gets its 0x20 bit, which digits and lower-case letters have already.
func lowerBytes(v, w uint64) uint64 { return v | w>>2 }

// wordAt reports whether a word character starts at text[i].
func wordAt(text string, i int) bool {
	if i >= len(text) {
		return false
	}
	if c := text[i]; c < utf8.RuneSelf {
		return asciiClass[c] == clsWord
	}
	r, size := utf8.DecodeRuneInString(text[i:])
	return size > 1 && isWordRune(r)
}

// isWordRune reports whether the non-ASCII rune r belongs to words. ʼ
// (U+02BC) is a letter to Unicode but an apostrophe to writers.
func isWordRune(r rune) bool {
	return (unicode.IsLetter(r) && r != '\u02bc') || unicode.IsDigit(r) || unicode.IsMark(r)
}

// betweenDigits reports whether text[i] has ASCII digits on both sides.
func betweenDigits(text string, i int) bool {
	return i > 0 && i+1 < len(text) && isDigit(text[i-1]) && isDigit(text[i+1])
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isNegationCue reports whether word, whose Hash is h, is a negation cue.
func isNegationCue(word string, h uint64) bool {
	n := len(word)
	if n < 2 {
		return false
	}
	// Any word ending in n't: raw t/T after an apostrophe after n/N.
	if last := word[n-1]; last == 't' || last == 'T' {
		if p := word[n-2]; p == '\'' {
			if n >= 3 && word[n-3]|0x20 == 'n' {
				return true
			}
		} else if p >= utf8.RuneSelf {
			r, size := utf8.DecodeLastRuneInString(word[:n-1])
			if isApostrophe(r) && n-1-size > 0 && word[n-2-size]|0x20 == 'n' {
				return true
			}
		}
	}
	return n <= maxCueLen && cueWords.Has(h)
}

// endsNT is a cheap first test for a word text[start:end] ending in n't:
// t after an apostrophe or a multi-byte rune (’).
func endsNT(text string, start, end int) bool {
	return end-start >= 3 && text[end-1]|0x20 == 't' && (text[end-2] == '\'' || text[end-2] >= utf8.RuneSelf)
}

// maxCueLen is the byte length of the longest cue word in its possessive
// form with a curly apostrophe, "nothing’s" (so "nothing’s wrong",
// "nobody's coming" count), and of longer spellings of a cue ("WİTHOUT":
// a capital İ lower-cases to one byte, so the text can be longer than the
// word it spells).
const maxCueLen = len("nothing’s")

// negationCues are the negation cue words (besides those ending in n't).
var negationCues = []string{"not", "no", "never", "nothing", "nobody", "none",
	"neither", "nor", "without", "cannot"}

// cueWords holds the negation cue words.
var cueWords = NewWordSet(negationCues...)

// cueShape has, for each first byte of a cue word, bit n set when a cue
// written with that byte can be n bytes long in the text: from the word's
// own length (no letter lower-cases to more bytes than it had) to
// maxCueLen. Words tests it before cueWords, since it rules out nearly
// every word with one load.
var cueShape = func() (t [256]uint64) {
	for _, w := range negationCues {
		for n := len(w); n <= maxCueLen; n++ {
			t[w[0]] |= 1 << n
			t[w[0]-'a'+'A'] |= 1 << n
		}
	}
	return t
}()

// isAbbrev reports whether word (hash h), directly followed by a full stop,
// is a title or an initial, whose full stop ends no sentence.
func isAbbrev(word string, h uint64) bool {
	if len(word) == 1 {
		c := word[0]
		return 'A' <= c && c <= 'Z' && c != 'I' && c != 'A'
	}
	if len(word) > 4 {
		return false
	}
	for _, a := range abbrevHashes {
		if h == a {
			return true
		}
	}
	return false
}

// abbrevHashes holds the hashes of titles usually written with a full stop
// before a name. "No." and "etc." are left out: they often end sentences.
var abbrevHashes = hashAll("mr", "mrs", "ms", "mx", "dr", "prof", "st",
	"sgt", "capt", "lt", "col", "gen", "gov", "rev", "fr", "jr", "sr", "vs", "mt")

func hashAll(words ...string) []uint64 {
	hs := make([]uint64, len(words))
	for i, w := range words {
		hs[i] = Hash(w)
	}
	return hs
}

// charClass is the role of a character in Words.
type charClass uint8

const (
	clsOther     charClass = iota // separator without a flag
	clsWord                       // letter, digit or mark
	clsApos                       // apostrophe: inside a word or a separator
	clsHyphen                     // '-': joins or dashes
	clsSpace                      // horizontal space
	clsLF                         // line break ('\r\n' counts once)
	clsParagraph                  // U+2029: always a sentence end
	clsPeriod                     // '.'
	clsSentEnd                    // ! ? and their relatives
	clsNumSep                     // , and : (not between digits)
	clsClause                     // other clause punctuation
	clsNonASCII                   // decode the rune and ask runeClass
)

// asciiClass classifies every byte; bytes ≥ 0x80 start multi-byte runes
// (or are invalid) and get clsNonASCII.
var asciiClass = func() (t [256]charClass) {
	for c := 0; c < 256; c++ {
		switch {
		case c >= utf8.RuneSelf:
			t[c] = clsNonASCII
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = clsWord
		}
	}
	t['\''] = clsApos
	t['-'] = clsHyphen
	t[' '], t['\t'], t['\v'], t['\f'] = clsSpace, clsSpace, clsSpace, clsSpace
	t['\n'] = clsLF
	t['\r'] = clsLF
	t['.'] = clsPeriod
	t['!'], t['?'] = clsSentEnd, clsSentEnd
	t[','], t[':'] = clsNumSep, clsNumSep
	for _, c := range ";()[]{}" {
		t[c] = clsClause
	}
	return t
}()

// wordLower maps the ASCII word bytes (letters and digits) to their lower
// case and every other byte to 0: scanWord's one load per byte.
var wordLower = func() (t [256]byte) {
	for c := 0; c < utf8.RuneSelf; c++ {
		if asciiClass[c] == clsWord {
			t[c] = asciiLower[c]
		}
	}
	return t
}()

// General Punctuation (U+2000–U+206F) holds the curly quotes, dashes and
// ellipsis of most fan fiction: its classes are looked up, not worked out
// with package unicode's tables.
const punctFirst, punctEnd = 0x2000, 0x2070

var punctClass = func() (t [punctEnd - punctFirst]charClass) {
	for i := range t {
		t[i] = slowRuneClass(rune(punctFirst+i), 3)
	}
	return t
}()

// runeClass classifies a non-ASCII rune decoded with the given size.
func runeClass(r rune, size int) charClass {
	if punctFirst <= r && r < punctEnd {
		return punctClass[r-punctFirst]
	}
	return slowRuneClass(r, size)
}

// slowRuneClass is runeClass without the table.
func slowRuneClass(r rune, size int) charClass {
	switch {
	case size == 1: // invalid UTF-8
		return clsOther
	case isApostrophe(r):
		return clsApos
	case isWordRune(r):
		return clsWord
	}
	switch r {
	case '\u2014', '\u2013', '\u2015', '\u2012', // dashes
		'\u2026',                                                   // ellipsis
		'\uff0c', '\u3001', '\uff1b', '\uff1a', '\uff08', '\uff09', // CJK clause marks
		'\u00a1', '\u00bf': // ¡ ¿
		return clsClause
	case '\u3002', '\uff01', '\uff1f', '\u203c', '\u2047', '\u2048', '\u2049':
		return clsSentEnd
	case '\u0085', '\u2028':
		return clsLF
	case '\u2029':
		return clsParagraph
	}
	if unicode.IsSpace(r) {
		return clsSpace
	}
	return clsOther
}
