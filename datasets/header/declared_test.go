package header

import (
	"slices"
	"testing"
)

// TestDeclaredNotRuledOut: a label a field declares is not also ruled out
// by a narrower negation beside it ("minor character death, no major
// character death"); a negation alone still rules it out.
func TestDeclaredNotRuledOut(t *testing.T) {
	d := Parse("Title: X\nWarnings: minor character death, no major character death\n\nThe story.\n").Declared
	if !slices.Contains(d.DeclaredWarnings, "death") || slices.Contains(d.NegatedWarnings, "death") {
		t.Errorf("declared %v, ruled out %v; want death declared only", d.DeclaredWarnings, d.NegatedWarnings)
	}
	d = Parse("Title: X\nWarnings: no major character death\n\nThe story.\n").Declared
	if slices.Contains(d.DeclaredWarnings, "death") || !slices.Contains(d.NegatedWarnings, "death") {
		t.Errorf("declared %v, ruled out %v; want death ruled out", d.DeclaredWarnings, d.NegatedWarnings)
	}
}
