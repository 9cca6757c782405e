package tokenize

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// HashScheme names the word hash (Hash): models record it, since their
// tables are keyed by it. Change it whenever Hash changes.
//
// Words are hashed eight bytes at a time: the normalised form's bytes,
// read as little-endian 64-bit blocks (the last one zero-padded), are
// folded into the state with one multiply each, and the length is folded
// in at the end. Almost every English word fits one block, so a word costs
// two multiplies instead of one per byte (FNV-1a, the hash before), and
// the scan needs no per-byte branch to know where the word ends.
const HashScheme = "block8"

const (
	hashSeed  uint64 = 0x243f6a8885a308d3 // π's fraction: any odd constant
	hashPrime uint64 = 0x9fb21c651e98df25
)

// hashBlock folds the block v into the state h.
func hashBlock(h, v uint64) uint64 {
	h = (h ^ v) * hashPrime
	return h ^ h>>32
}

// hashEnd finishes a hash of n bytes: the length is one more block (no
// word holds the control bytes that would make a real block look like it).
// Multiplying by an odd number and xor-shifting are both bijections, so
// words of one block and the same length never collide.
func hashEnd(h uint64, n int) uint64 { return hashBlock(h, uint64(n)) }

// hasher hashes a byte stream fed a byte at a time, as the block hash.
type hasher struct {
	h   uint64
	acc uint64 // the bytes of the block being filled
	k   uint   // bytes in acc
	n   int    // bytes so far
}

func newHasher() hasher { return hasher{h: hashSeed} }

func (s *hasher) byte(b byte) {
	s.acc |= uint64(b) << (8 * s.k)
	s.n++
	if s.k++; s.k == 8 {
		s.h, s.acc, s.k = hashBlock(s.h, s.acc), 0, 0
	}
}

// rune feeds the UTF-8 encoding of r.
func (s *hasher) rune(r rune) {
	if r < utf8.RuneSelf {
		s.byte(byte(r))
		return
	}
	var buf [utf8.UTFMax]byte
	n := utf8.EncodeRune(buf[:], r)
	for _, b := range buf[:n] {
		s.byte(b)
	}
}

func (s *hasher) sum() uint64 {
	h := s.h
	if s.k > 0 {
		h = hashBlock(h, s.acc)
	}
	return hashEnd(h, s.n)
}

// Normalize returns the normalised form of a word: lower case (Unicode
// simple case mapping, as strings.ToLower), the apostrophes ’ ‘ ʼ folded to
// ', and a trailing possessive 's (any of those apostrophes, s or S) removed
// when something precedes it: "Neo's" → "neo". The possessive rule cannot
// tell "it's" (it is) from a possessive and turns it into "it" too; that
// loss is accepted. Contractions keep their apostrophe ("can't", "didn't")
// and nothing else changes: hyphens, other punctuation and digits stay.
// Invalid UTF-8 bytes become U+FFFD.
//
// Normalize allocates only when the word is not already normal; a word that
// is returned unchanged shares its memory with the argument.
func Normalize(word string) string {
	w := word[:possessiveCut(word)]
	clean := true
	for i := 0; i < len(w); i++ {
		if c := w[i]; c >= utf8.RuneSelf || ('A' <= c && c <= 'Z') {
			clean = false
			break
		}
	}
	if clean {
		return w
	}
	var b strings.Builder
	b.Grow(len(w))
	for _, r := range w { // range yields U+FFFD for invalid bytes, as Hash does
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// Hash returns the 64-bit hash of Normalize(word), computed without
// allocating. Words gives every token exactly Hash(text[tok.Start:tok.End()]).
func Hash(word string) uint64 {
	w := word[:possessiveCut(word)]
	s := newHasher()
	for i := 0; i < len(w); {
		c := w[i]
		if c < utf8.RuneSelf {
			s.byte(asciiLower[c])
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(w[i:])
		s.rune(foldRune(r))
		i += size
	}
	return s.sum()
}

// HashPair combines two word hashes into a bigram feature hash. It is
// order-sensitive: HashPair(a, b) and HashPair(b, a) differ (except by a
// 2⁻⁶⁴ accident), and it mixes its result so that bigram hashes do not fall
// into a narrow range of the feature space.
func HashPair(a, b uint64) uint64 {
	return mix64(mix64(a+pairSeed) + b)
}

// Salt derives from the hash h a hash in the feature family salt (for
// example "negated word" or "subword piece"), so that one word yields
// distinct features in distinct families. For a fixed salt it is a
// bijection, so distinct words stay distinct within a family.
func Salt(h uint64, salt uint64) uint64 {
	return mix64(h ^ mix64(salt^saltSeed))
}

// Arbitrary odd constants (from the golden ratio and SplitMix64) that keep
// HashPair and Salt apart from each other and from plain word hashes.
const (
	pairSeed uint64 = 0x9e3779b97f4a7c15
	saltSeed uint64 = 0xd1b54a32d192ed03
)

// mix64 is the SplitMix64 finaliser: a fast bijection with full avalanche.
func mix64(x uint64) uint64 {
	x ^= x >> 30
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}

// possessiveCut returns the length of word without a trailing possessive
// 's, or len(word) if there is none. Only 'S' lower-cases to 's' in
// Unicode, so testing the raw byte is enough.
func possessiveCut(word string) int {
	n := len(word)
	if n < 3 || (word[n-1] != 's' && word[n-1] != 'S') {
		return n
	}
	rest := word[:n-1]
	r, size := utf8.DecodeLastRuneInString(rest)
	if !isApostrophe(r) || size == len(rest) { // keep "'s" itself
		return n
	}
	return n - 1 - size
}

// isApostrophe reports whether r is one of the apostrophes that Normalize
// folds to '. ‘ is included because writers and converters often type it
// for ’.
func isApostrophe(r rune) bool {
	return r == '\'' || r == '\u2019' || r == '\u2018' || r == '\u02bc'
}

// foldRune maps r to its normalised form.
func foldRune(r rune) rune {
	if isApostrophe(r) {
		return '\''
	}
	return unicode.ToLower(r)
}

// asciiLower maps each ASCII byte to its lower-case form.
var asciiLower = func() (t [utf8.RuneSelf]byte) {
	for i := range t {
		c := byte(i)
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		t[i] = c
	}
	return t
}()
