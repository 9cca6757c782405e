package datasets

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/datasets/header"
	"github.com/tagger-dev/tagger/taxonomy"
)

// ao3WorksDir is where scripts/ao3-dev-corpus.py builds the corpus of real
// AO3 works (the development half); AO3_WORKS overrides it.
func ao3WorksDir(t *testing.T) string {
	dir := os.Getenv("AO3_WORKS")
	if dir == "" {
		dir = "/tmp/ao3-works"
	}
	if _, err := os.Stat(filepath.Join(dir, "works.jsonl")); err != nil {
		t.Skipf("no AO3 works corpus at %s (python3 scripts/ao3-dev-corpus.py builds it; AO3_WORKS=DIR points elsewhere)", dir)
	}
	return dir
}

// TestAO3PagesCorpus reads every saved work page of the development half
// and checks its declarations against the archive's own record of the work
// (works.jsonl): rating, warning state and archive warnings must be read
// for at least 99.5% of works.
func TestAO3PagesCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 3,330 pages")
	}
	dir := ao3WorksDir(t)
	type work struct {
		ID       string   `json:"id"`
		Title    string   `json:"title"`
		Rating   []string `json:"rating"`
		Warnings []string `json:"archive_warnings"`
		Fandoms  []string `json:"fandoms"`
		Freeform []string `json:"freeform"`
	}
	f, err := os.Open(filepath.Join(dir, "works.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	works := map[string]work{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var w work
		if err := json.Unmarshal(sc.Bytes(), &w); err != nil {
			t.Fatal(err)
		}
		works[w.ID] = w
	}
	tx := taxonomy.Default()
	var n, rating, state, archive, freeform, title, fandoms, tagsKept int
	for s := range Read(context.Background(), []string{filepath.Join(dir, "pages")}, Options{}) {
		w, ok := works[s.ID]
		if !ok {
			continue
		}
		n++
		if s.Err != nil {
			t.Errorf("%s: %v", s.ID, s.Err)
			continue
		}
		if r, ok := tx.ParseRating(strings.Join(w.Rating, ", ")); ok && r.Canonical() == s.DeclaredRating {
			rating++
		} else if n-rating < 5 {
			t.Logf("%s: rating %q read as %q", s.ID, w.Rating, s.DeclaredRating)
		}
		// The archive's warnings: labels must all be declared, and the
		// state follows from them and from the freeform tags.
		var labels []string
		wantState := taxonomy.StateNoneApply
		chose := false
		for _, aw := range w.Warnings {
			l, st, _ := tx.AO3Warning(aw)
			if l != "" {
				labels = append(labels, l)
			}
			if st == taxonomy.StateChoseNotToWarn {
				chose = true
			}
		}
		switch {
		case chose:
			wantState = taxonomy.StateChoseNotToWarn
		case len(labels) > 0 || len(s.DeclaredWarnings) > 0:
			wantState = taxonomy.StateDeclared
		}
		if s.WarningStatus == wantState {
			state++
		} else if n-state < 5 {
			t.Logf("%s: warnings %q tags %q: state %s, want %s", s.ID, w.Warnings, w.Freeform, s.WarningStatus, wantState)
		}
		if !slices.ContainsFunc(labels, func(l string) bool { return !slices.Contains(s.DeclaredWarnings, l) }) {
			archive++
		} else if n-archive < 5 {
			t.Logf("%s: archive warnings %q read as %q", s.ID, w.Warnings, s.DeclaredWarnings)
		}
		// Freeform labels as the vocabulary maps them: the page declares
		// every label the work's tags name, read alone.
		var tagFields []header.Field
		for _, tag := range w.Freeform {
			tagFields = append(tagFields, header.Field{Key: header.KeyFreeform, Value: tag})
		}
		if fromTags := header.Build(tagFields).DeclaredWarnings; !slices.ContainsFunc(fromTags, func(l string) bool { return !slices.Contains(s.DeclaredWarnings, l) }) {
			freeform++
		} else if n-freeform < 5 {
			t.Logf("%s: tags %q name %q, page declares %q", s.ID, w.Freeform, fromTags, s.DeclaredWarnings)
		}
		if s.Title == strings.Join(strings.Fields(w.Title), " ") {
			title++
		}
		if slices.Equal(s.Fandoms, w.Fandoms) {
			fandoms++
		}
		if !slices.ContainsFunc(w.Freeform, func(tag string) bool { return !slices.Contains(s.Tags, strings.TrimSpace(tag)) }) {
			tagsKept++
		}
	}
	if n < len(works)*99/100 {
		t.Fatalf("read %d of %d works' pages", n, len(works))
	}
	share := func(k int) float64 { return float64(k) / float64(n) }
	t.Logf("%d pages: rating %.4f, warning state %.4f, archive warnings %.4f, freeform labels %.4f, title %.4f, fandoms %.4f, freeform tags kept %.4f",
		n, share(rating), share(state), share(archive), share(freeform), share(title), share(fandoms), share(tagsKept))
	for name, k := range map[string]int{"rating": rating, "warning state": state, "archive warnings": archive, "freeform labels": freeform} {
		if share(k) < 0.995 {
			t.Errorf("%s read right for %.4f of pages, want ≥ 0.995", name, share(k))
		}
	}
}
