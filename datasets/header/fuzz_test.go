package header

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/taxonomy"
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
		// The AO3 text layout: indented, flat, inline, wrapped, pdftotext.
		ao3Text("Rating:\n    Explicit\nArchive Warning:\n    Underage\nAdditional Tags:\n    Angst, Self-\n    Harm\n",
			"Summary\n\nS.\n\nNotes\n\nN.\n\nChapter 1: A\n\nText.\n"),
		ao3Text("Archive Warnings:\n    No Archive Warnings Apply\n", "Summary\n\n     s\n\n\fText.\n"),
		"Posted originally on the Archive of Our Own at http://archiveofourown.org/works/\n2.\nRating:\nMature\nStats:\nWords: 1\nT\nby a\nNotes\nSee the end of the work for more notes\nText",
		"Rating:\n  R\nArchive Warnings:\n  x\nFandom:\n\n  y\nStats:",
		"Posted originally on the\nArchive of Our Own\nRating: Mature\r\nSummary",
		// The FanFicFare layout: CRLF, continuations, table of contents.
		fffText("Category: Bleach\nGenre: Angst, Self-\nHarm\nSummary: One.\n\nTwo.\n", "\n\nTABLE OF CONTENTS\n\n\n1. A\n\n2. B\n\n\n\n\n        1. A\n\nText.\n\nEnd file.\n"),
		fffText("Author URL:\nhttps://x\nReviews: 1\n", "TABLE OF CONTENTS\n\nA\n"),
		"T\nby a\nPackaged: 1\nPublisher: p\n\nTABLE OF CONTENTS\r\n\r\n",
		"Story URL: u\nEnd file.",
	} {
		f.Add(s)
	}
	// Warnings outside warnings fields: cue lines, rating reasons, lost
	// labels, combined labels, censored spellings, answered questions.
	for _, s := range []string{
		"tw / self harm/su*cide\n: AU, mcd\nRated NC-17 for gore\n\nBody",
		"Rating: R\n(for violence\nSummary: x. TW: (((\n[CW: ]]]\n\nBody",
		"Author notes/warnings: Contains ? no. MCD? no: yes\nTimeline/Spoilers: x\n\nBody",
		"!! TRIGGER WARNING !!\n- a\n- b\n\nNotes: tw:\n- c\n\nBody",
		"Summary: Rated M for. warnings for\nrated\nKeywords: /, //, s!!!, r@p3\n\n",
	} {
		f.Add(s)
	}
	// The free-form header layouts (testdata/layouts) and the fixtures of
	// the text formats, when present.
	for _, glob := range []string{filepath.Join(layoutsDir, "*.txt"), filepath.Join("..", "testdata", "formats", "*.txt")} {
		paths, err := filepath.Glob(glob)
		if err != nil {
			continue
		}
		for _, p := range paths {
			if b, err := os.ReadFile(p); err == nil {
				f.Add(string(b))
			}
		}
	}
	layouts := map[Layout]bool{LayoutFreeForm: true, LayoutAO3: true, LayoutFanFicFare: true}
	states := map[taxonomy.WarningState]bool{
		taxonomy.StateDeclared: true, taxonomy.StateNoneApply: true,
		taxonomy.StateChoseNotToWarn: true, taxonomy.StateMissing: true,
	}
	tx := taxonomy.Default()
	f.Fuzz(func(t *testing.T, text string) {
		r := Parse(text)
		// The quick look for a header's start never changes the result.
		if full := parseLines(text); !reflect.DeepEqual(r, full) {
			t.Fatalf("Parse and the full parse differ:\n%+v\n%+v", r, full)
		}
		if r.BodyByte < 0 || r.BodyByte > len(text) {
			t.Fatalf("BodyByte %d outside text of %d bytes", r.BodyByte, len(text))
		}
		if r.BodyLine < 1 {
			t.Fatalf("BodyLine %d < 1", r.BodyLine)
		}
		if got := lineOf(text, r.BodyByte); got != r.BodyLine {
			t.Fatalf("BodyByte %d is on line %d, BodyLine says %d", r.BodyByte, got, r.BodyLine)
		}
		if b := r.BodyByte; b > 0 && b < len(text) && text[b-1] != '\n' && text[b-1] != '\r' {
			t.Fatalf("BodyByte %d is not at the start of a line", b)
		}
		if !layouts[r.Layout] {
			t.Fatalf("layout %q", r.Layout)
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
		for _, l := range d.NegatedWarnings {
			if _, ok := tx.Label(l); !ok {
				t.Fatalf("negated warning %q is not a label", l)
			}
		}
		for _, p := range d.DeclaredWarningsRaw {
			if strings.TrimSpace(p) == "" {
				t.Fatalf("empty raw phrase in %q", d.DeclaredWarningsRaw)
			}
		}
		for _, u := range d.UnmappedWarnings {
			if !slices.Contains(d.DeclaredWarningsRaw, u) {
				t.Fatalf("unmapped phrase %q is not among the raw phrases %q", u, d.DeclaredWarningsRaw)
			}
		}
		if d.DeclaredRating != "" {
			if _, ok := taxonomy.ParseLevel(d.DeclaredRating); !ok {
				t.Fatalf("declared rating %q", d.DeclaredRating)
			}
		}
	})
}

// FuzzParseTrailer: a header after the story never ends the story outside
// it, never after the separator it was found at, and always declares
// something.
func FuzzParseTrailer(f *testing.F) {
	for _, s := range []string{
		"", "---", "Story.\n---\nRating: Mature\nWarnings: violence\n", "Story.\n\nRating: T\nArchive Warning: No Archive Warnings Apply\n",
		"Story.\n* * *\n\nRating: he said\nno\n", "\n\n\n", "---\n---\n---\nRating: R\n", "a\r\n\r\nRating: R\r\nWarnings: x\r\n",
		strings.Repeat("x", maxTrailer) + "\n---\nRating: Mature\nWarnings: none\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		res, end, ok := ParseTrailer(nil, body)
		if !ok {
			return
		}
		if end < 0 || end > len(body) {
			t.Fatalf("end %d outside body of %d bytes", end, len(body))
		}
		if res.Declared.DeclaredRating == "" && res.Declared.WarningStatus == taxonomy.StateMissing {
			t.Fatalf("a trailer that declares nothing: %+v", res.Declared)
		}
	})
}
