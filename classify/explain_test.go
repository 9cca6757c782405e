package classify

import (
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/taxonomy"
)

// TestLabelID: ids and taxonomy phrases name a label; a typo gets the
// closest id suggested, and a word far from every id gets none.
func TestLabelID(t *testing.T) {
	tax := taxonomy.Default()
	m := &Model{tax: tax, labels: tax.Labels()}
	m.labelIdx = m.labelLookup()
	tests := []struct {
		in, id string
		err    string // a part of the error; "" for none
		not    string // what the error must not say
	}{
		{in: "violence", id: "violence"},
		{in: "non-con", id: "sexual-abuse"},
		{in: "violnce", err: `unknown label "violnce": did you mean "violence"? see tagger labels`},
		{in: "sucide", err: `did you mean "suicide"?`},
		{in: "Self-Harms", err: `did you mean "self-harm"?`},
		{in: "nonsense", err: `unknown label "nonsense": see tagger labels`, not: "did you mean"},
	}
	for _, tc := range tests {
		id, err := m.LabelID(tc.in)
		switch {
		case tc.err == "" && (err != nil || id != tc.id):
			t.Errorf("LabelID(%q) = %q, %v; want %q", tc.in, id, err, tc.id)
		case tc.err != "" && (err == nil || !strings.Contains(err.Error(), tc.err)):
			t.Errorf("LabelID(%q) error %v; want %q", tc.in, err, tc.err)
		case tc.not != "" && err != nil && strings.Contains(err.Error(), tc.not):
			t.Errorf("LabelID(%q) error %v says %q", tc.in, err, tc.not)
		}
	}
}
