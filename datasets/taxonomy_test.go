package datasets

import (
	"bytes"
	"context"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/taxonomy"
)

// TestOptionsTaxonomy checks that stories are read against
// Options.Taxonomy: a warning that only a custom taxonomy knows is declared
// with it and unmapped without it, for a text header and for a corpus
// record's declared fields.
func TestOptionsTaxonomy(t *testing.T) {
	yaml, err := os.ReadFile("../taxonomy/taxonomy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	const from = "aliases: [homophobia, "
	if !bytes.Contains(yaml, []byte(from)) {
		t.Fatalf("taxonomy.yaml has no %q to add an alias to", from)
	}
	custom, err := taxonomy.Load(bytes.Replace(yaml, []byte(from), []byte("aliases: [zorblax, homophobia, "), 1))
	if err != nil {
		t.Fatal(err)
	}
	const text = "Title: A story\nWarnings: zorblax\n\nOnce upon a time, the story began and went on.\n"
	const record = `{"id": "r", "text": "Once upon a time.", "warnings": "zorblax"}`
	for _, tc := range []struct {
		name     string
		tx       *taxonomy.Taxonomy
		declared bool
	}{
		{"default", nil, false},
		{"explicit default", taxonomy.Default(), false},
		{"custom", custom, true},
	} {
		opt := Options{Taxonomy: tc.tx}
		s, err := ReadStory(context.Background(), "s.txt", strings.NewReader(text), int64(len(text)), opt)
		if err != nil {
			t.Fatal(err)
		}
		r, err := ReadRecord(context.Background(), "c.jsonl", []byte(record), opt)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range []*Story{s, r} {
			got := slices.Contains(s.DeclaredWarnings, "homophobia")
			unmapped := slices.Contains(s.UnmappedWarnings, "zorblax")
			if got != tc.declared || unmapped == tc.declared {
				t.Errorf("%s, %s: declared %v, unmapped %v; want homophobia declared: %v",
					tc.name, s.Source, s.DeclaredWarnings, s.UnmappedWarnings, tc.declared)
			}
		}
	}
}
