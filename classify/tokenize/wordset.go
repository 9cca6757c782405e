package tokenize

// WordSet is a small, read-only set of words, looked up by their Hash: a
// test for every token of a text (function words, negation scope enders)
// costs one multiply and one or two loads, several times cheaper than a Go
// map of uint64. It suits up to a few hundred words.
type WordSet struct {
	slots []uint64 // 0 marks an empty slot (no word hashes to 0 in practice)
	shift uint
}

// NewWordSet returns the set of the given words.
func NewWordSet(words ...string) WordSet {
	bits := uint(4)
	for 1<<bits < 4*len(words) { // at most a quarter full: short probes
		bits++
	}
	s := WordSet{slots: make([]uint64, 1<<bits), shift: 64 - bits}
	for _, w := range words {
		h := Hash(w)
		i := s.slot(h)
		for s.slots[i] != 0 && s.slots[i] != h {
			i = (i + 1) & (len(s.slots) - 1)
		}
		s.slots[i] = h
	}
	return s
}

func (s WordSet) slot(h uint64) int { return int((h * 0x9e3779b97f4a7c15) >> s.shift) }

// Has reports whether the word whose Hash is h is in the set.
func (s WordSet) Has(h uint64) bool {
	if len(s.slots) == 0 || h == 0 {
		return false
	}
	for i := s.slot(h); ; i = (i + 1) & (len(s.slots) - 1) {
		switch s.slots[i] {
		case h:
			return true
		case 0:
			return false
		}
	}
}
