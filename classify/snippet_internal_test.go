package classify

import (
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
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

// TestSnippetPrefersWholeSentence: a sentence the window's edge cuts is
// shown only when no whole sentence holds a term, even when it scores
// higher ("Kowalski was bleeding too, from…" hid the broken jaw before it).
func TestSnippetPrefersWholeSentence(t *testing.T) {
	text := "His jaw hung wrong, and blood ran down his chin. Nobody spoke. Kowalski was bleeding too, from"
	toks := tokenize.Words(text, nil)
	at := func(word string) int {
		for i, tk := range toks {
			if text[tk.Start:tk.End()] == word {
				return i
			}
		}
		t.Fatalf("no token %q", word)
		return 0
	}
	blood, bleeding := at("blood"), at("bleeding")
	hits := []lexicon.Hit{
		{Label: "blood-gore", Term: "blood", Weight: 1, TokStart: blood, TokEnd: blood + 1},
		{Label: "blood-gore", Term: "bleed", Weight: 1.5, TokStart: bleeding, TokEnd: bleeding + 1},
	}
	for _, tt := range []struct {
		name   string
		cutEnd bool
		hits   []lexicon.Hit
		want   string
		bleed  float64 // the cut sentence's contribution; 1.5 unless set
	}{
		{"the cut sentence gives way", true, hits, "His jaw hung wrong, and blood ran down his chin. Nobody spoke.", 0},
		{"uncut, the best sentence wins", false, hits, "Nobody spoke. Kowalski was bleeding too, from", 0},
		{"the only term is in the cut one", true, hits[1:], "Nobody spoke. Kowalski was bleeding too, from…", 0},
		// A whole sentence much weaker than the cut one does not hide it.
		{"a far weaker whole sentence", true, []lexicon.Hit{
			{Label: "blood-gore", Term: "blood", Weight: 1, TokStart: blood, TokEnd: blood + 1},
			{Label: "blood-gore", Term: "bleed", Weight: 3, TokStart: bleeding, TokEnd: bleeding + 1},
		}, "Nobody spoke. Kowalski was bleeding too, from…", 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			contrib := make([]float64, len(toks))
			contrib[blood], contrib[bleeding] = 1, 1.5
			if tt.bleed != 0 {
				contrib[bleeding] = tt.bleed
			}
			p := &passage{text: text, toks: toks, hits: tt.hits}
			p.sentences(nil)
			w := window{text: text, line: 1, cutEnd: tt.cutEnd}
			if got := snippet(w, p, contrib, tt.hits).Snippet; got != tt.want {
				t.Errorf("snippet %q, want %q", got, tt.want)
			}
		})
	}
}
