package classify_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/models"
)

// TestEvidenceNotRepeated: two passages of one label are not the same
// place twice. Overlapping windows gave "We slaughtered them, ... We
// absolutely massacred them." and, at the same line, "…genocide.": one
// sentence read twice, the second time cut.
func TestEvidenceNotRepeated(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("testdata/near-passages.txt")
	if err != nil {
		t.Fatal(err)
	}
	// The story's body, as a reader passes it: the header would shift the
	// windows.
	story := string(b)
	story = story[strings.Index(story, "\n\n")+2:]
	texts := map[string]string{"near-passages": story, "seeds": seedText(t)}
	for name, text := range texts {
		res, err := m.Predict(context.Background(), text, 0, 1, classify.PredictOptions{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for i, a := range res.Evidence {
			for _, b := range res.Evidence[i+1:] {
				if a.Label == b.Label && max(a.ByteStart, b.ByteStart)-min(a.ByteEnd, b.ByteEnd) <= 40 {
					t.Errorf("%s: %s passages at bytes %d-%d and %d-%d: the same place twice", name, a.Label, a.ByteStart, a.ByteEnd, b.ByteStart, b.ByteEnd)
				}
			}
			n++
		}
		if n == 0 {
			t.Errorf("%s: no evidence at all; the test checks nothing", name)
		}
	}
}

// TestExplainNameRating: --explain takes the rating as well as labels,
// and a near miss of "rating" suggests it.
func TestExplainNameRating(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"rating", "Rating"} {
		if got, err := m.ExplainName(name); err != nil || got != "rating" {
			t.Errorf("%s: %q, %v", name, got, err)
		}
	}
	if got, err := m.ExplainName("violence"); err != nil || got != "violence" {
		t.Errorf("violence: %q, %v", got, err)
	}
	for _, name := range []string{"ratings", "ratng"} {
		if _, err := m.ExplainName(name); err == nil || !strings.Contains(err.Error(), `did you mean "rating"`) {
			t.Errorf("%s: %v, want a suggestion of rating", name, err)
		}
	}
}
