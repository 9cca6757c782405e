package header

import (
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify/taxonomy"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"",
		"Title: A\nRating: R\nWarnings: rape/non-con, no death (but not X)\n\nBody.",
		"Rating: NC-17 Disclaimers: x Summary: y Warnings: z\r\n\r\nBody",
		"A/N: hi\n\nreply\n\nNOTICE: mine\n\n15. Unexpected.\n\nText",
		"**Title:** x\n**Warnings:**\n- a\n- b\n~~~\nBody",
		"Warnings: ((((",
		"Warnings: )) ; ,, . and also & plus",
		"by \n\nRating - [\n",
		"\r\r\r\nTitle:\r",
		strings.Repeat("Note: x\n", 500),
	} {
		f.Add(s)
	}
	states := map[string]bool{
		taxonomy.StateDeclared: true, taxonomy.StateNoneApply: true,
		taxonomy.StateChoseNotToWarn: true, taxonomy.StateMissing: true,
	}
	tx := taxonomy.Default()
	f.Fuzz(func(t *testing.T, text string) {
		r := Parse(text)
		if r.BodyByte < 0 || r.BodyByte > len(text) {
			t.Fatalf("BodyByte %d outside text of %d bytes", r.BodyByte, len(text))
		}
		if r.BodyLine < 1 {
			t.Fatalf("BodyLine %d < 1", r.BodyLine)
		}
		if got := lineOf(text, r.BodyByte); got != r.BodyLine {
			t.Fatalf("BodyByte %d is on line %d, BodyLine says %d", r.BodyByte, got, r.BodyLine)
		}
		d := r.Declared
		if !states[d.WarningStatus] {
			t.Fatalf("warning status %q", d.WarningStatus)
		}
		for _, l := range d.DeclaredWarnings {
			if _, ok := tx.Label(l); !ok {
				t.Fatalf("declared warning %q is not a label", l)
			}
		}
		if d.WarningStatus == taxonomy.StateDeclared && len(d.DeclaredWarningsRaw) == 0 {
			t.Fatal("declared status without any raw phrase")
		}
		if d.DeclaredRating != "" {
			if _, ok := taxonomy.ParseLevel(d.DeclaredRating); !ok {
				t.Fatalf("declared rating %q", d.DeclaredRating)
			}
		}
	})
}
