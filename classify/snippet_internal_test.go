package classify

import (
	"strings"
	"testing"
)

// FuzzCollapseSpace checks collapseSpace against the two-step form it
// replaces.
func FuzzCollapseSpace(f *testing.F) {
	for _, s := range []string{"", " ", "a", "a b", " a", "a ", "a  b", "a\tb", "a\nb\r\nc", "a\u00a0b", "a\u2029 b",
		"\xff \xfe", "é  ü", "a \x85b", "   ", "one two three"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := collapseSpace(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("collapseSpace(%q) = %q, want %q", s, got, want)
		}
	})
}
