package tokenize

import (
	"fmt"
	"testing"
)

func TestWordSet(t *testing.T) {
	// Sets of several sizes, so that probing wraps round and sets grow.
	for _, n := range []int{0, 1, 3, 12, 100, 500} {
		var in []string
		for i := range n {
			in = append(in, fmt.Sprintf("w%d", i))
		}
		s := NewWordSet(in...)
		for _, w := range in {
			if !s.Has(Hash(w)) {
				t.Errorf("n=%d: %q missing", n, w)
			}
		}
		for i := range 2000 {
			w := fmt.Sprintf("x%d", i)
			if s.Has(Hash(w)) {
				t.Errorf("n=%d: %q found but never added", n, w)
			}
		}
		if s.Has(0) {
			t.Errorf("n=%d: hash 0 found", n)
		}
	}
	// Lookups go by the token hash: case and a possessive 's fold.
	s := NewWordSet("until", "but")
	for w, want := range map[string]bool{"Until": true, "BUT": true, "but's": true, "butter": false, "": false} {
		if got := s.Has(Hash(w)); got != want {
			t.Errorf("Has(Hash(%q)) = %v, want %v", w, got, want)
		}
	}
}

// TestPunctClass checks the General Punctuation table against the rules
// it stands for, and that no rune in it belongs to words (scanWord stops
// at every rune of the block but apostrophes).
func TestPunctClass(t *testing.T) {
	for r := rune(punctFirst); r < punctEnd; r++ {
		if got, want := runeClass(r, 3), slowRuneClass(r, 3); got != want {
			t.Errorf("runeClass(%U) = %v, want %v", r, got, want)
		}
		if isWordRune(r) {
			t.Errorf("%U is a word rune: scanWord would split words at it", r)
		}
	}
}
