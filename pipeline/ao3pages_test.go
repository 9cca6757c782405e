package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
)

// chrome matches the words of an AO3 page's site text: stats, tag labels,
// navigation, comment actions. None of them is story text.
var chrome = regexp.MustCompile(`Published:|Kudos|Hits:|Bookmarks:|Words: ?\d|Comments:|Chapters: ?\d|Archive Warnings?:|Additional Tags|Log In|Entire Work|Chapter Text|Work Text|left kudos`)

// TestAO3PagesEvidence scores every saved work page of the development half
// and checks that no evidence passage quotes the page's chrome.
func TestAO3PagesEvidence(t *testing.T) {
	if testing.Short() {
		t.Skip("scores 3,330 pages")
	}
	dir := os.Getenv("AO3_WORKS")
	if dir == "" {
		dir = "/tmp/ao3-works"
	}
	pages := filepath.Join(dir, "pages")
	if _, err := os.Stat(pages); err != nil {
		t.Skipf("no AO3 works corpus at %s (python3 scripts/ao3-dev-corpus.py builds it; AO3_WORKS=DIR points elsewhere)", dir)
	}
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	n, snippets := 0, 0
	for s := range datasets.Read(context.Background(), []string{pages}, datasets.Options{}) {
		if s.Err != nil {
			t.Errorf("%s: %v", s.Source, s.Err)
			continue
		}
		n++
		res, err := PredictStory(context.Background(), m, s, classify.PredictOptions{})
		if err != nil {
			t.Fatalf("%s: %v", s.Source, err)
		}
		for _, e := range res.Evidence {
			snippets++
			if chrome.MatchString(e.Snippet) {
				t.Errorf("%s: %s evidence quotes page chrome: %q", s.ID, e.Label, e.Snippet)
			}
		}
	}
	t.Logf("%d pages, %d evidence passages", n, snippets)
	if n < 3000 || snippets == 0 {
		t.Fatalf("%d pages, %d passages: the corpus is incomplete", n, snippets)
	}
}
