package datasets

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestSelector(t *testing.T) {
	tests := []struct {
		name             string
		include, exclude []string
		rel              string
		want             bool
	}{
		{"text story", nil, nil, "a.txt", true},
		{"story format in any case", nil, nil, "deep/A.EPUB", true},
		{"corpus", nil, nil, "works.jsonl", true},
		{"config beside stories", nil, nil, "allow.yaml", false},
		{"picture", nil, nil, "cover.png", false},
		{"no extension", nil, nil, "LICENSE", false},
		{"exclude by name at any depth", nil, []string{"*.bak.txt"}, "x/y/old.bak.txt", false},
		{"exclude by path", nil, []string{"drafts/**"}, "drafts/2024/a.txt", false},
		{"path pattern is anchored", nil, []string{"drafts/**"}, "x/drafts/a.txt", true},
		{"include reads other extensions", []string{"*.story"}, nil, "a/b.story", true},
		{"include replaces the extension rule", []string{"*.story"}, nil, "a.txt", false},
		{"exclude wins over include", []string{"**/*.txt"}, []string{"skip/*"}, "skip/a.txt", false},
		{"brace alternatives", []string{"*.{story,fic}"}, nil, "a.fic", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSelector(tt.include, tt.exclude)
			if err != nil {
				t.Fatal(err)
			}
			if got := s.Select(tt.rel); got != tt.want {
				t.Errorf("Select(%q) with include %q exclude %q = %v, want %v", tt.rel, tt.include, tt.exclude, got, tt.want)
			}
		})
	}
}

func TestSelectorBadPattern(t *testing.T) {
	for _, p := range []string{"[a-", ""} {
		if _, err := NewSelector(nil, []string{p}); err == nil {
			t.Errorf("NewSelector(exclude %q): no error", p)
		}
	}
}

// TestReadSelect walks a tree through a Selector: only stories are read,
// a file named as an input is read whatever its extension, and the
// skipped files are counted.
func TestReadSelect(t *testing.T) {
	dir := t.TempDir()
	for rel, body := range map[string]string{
		"a.txt":          "Title: A\n\nShe walked home.\n",
		"allow.yaml":     "terms: []\n",
		"drafts/b.txt":   "Title: B\n\nDraft.\n",
		"sub/c.html":     "<html><body><p>Title: C</p><p>Rain.</p></body></html>",
		"sub/notes.json": "{}",
	} {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sel, err := NewSelector(nil, []string{"drafts/**"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	inputs := []string{dir, filepath.Join(dir, "allow.yaml")}
	for st := range Read(context.Background(), inputs, Options{Select: sel.Select}) {
		rel, _ := filepath.Rel(dir, st.Source)
		got = append(got, filepath.ToSlash(rel))
	}
	want := []string{"a.txt", "sub/c.html", "allow.yaml"}
	if !slices.Equal(got, want) {
		t.Errorf("read %q, want %q", got, want)
	}
	if n, first := sel.Skipped(); n != 2 || first != "allow.yaml" {
		t.Errorf("Skipped() = %d, %q; want 2, allow.yaml (drafts/ is excluded on purpose, not counted)", n, first)
	}
}

// TestReadSelectSymlinkToDir: a link to a directory is never followed.
// With a Selector it is left out and counted (a "latest -> 2024-11/"
// beside the stories must not fail a run), or left out silently when an
// exclude pattern names it; without one it is a failed story.
func TestReadSelectSymlinkToDir(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.MkdirAll(filepath.Join(dir, "real"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(in, "d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(in, "b.txt"), []byte("Title: B\n\nRain.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "real"), filepath.Join(in, "d", "latest")); err != nil {
		t.Skip(err)
	}
	read := func(sel func(string) bool) (stories int, errs []string) {
		for st := range Read(context.Background(), []string{in}, Options{Select: sel}) {
			if st.Err != nil {
				errs = append(errs, st.Err.Error())
				continue
			}
			stories++
		}
		return stories, errs
	}
	for _, tt := range []struct {
		name    string
		exclude []string
		links   int
	}{
		{"left out and counted", nil, 1},
		{"excluded by name", []string{"latest"}, 0},
		{"excluded by path", []string{"d/latest"}, 0},
		{"excluded with its directory", []string{"d/**"}, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sel, err := NewSelector(nil, tt.exclude)
			if err != nil {
				t.Fatal(err)
			}
			n, errs := read(sel.Select)
			if n != 1 || len(errs) != 0 {
				t.Errorf("%d stories, errors %q; want b.txt alone, no error: a link to a directory is not a failed story", n, errs)
			}
			if got, first := sel.SkippedLinks(); got != tt.links || (got > 0 && first != "d/latest") {
				t.Errorf("SkippedLinks = %d, %q; want %d", got, first, tt.links)
			}
			if got, _ := sel.Skipped(); got != 0 {
				t.Errorf("%d files counted as skipped; the link is not a file", got)
			}
		})
	}
	// Without a selection there is no one to report it: it is a failure.
	if _, errs := read(nil); len(errs) != 1 || !strings.Contains(errs[0], "symbolic link to a directory, not followed") {
		t.Errorf("without Select: errors %q; want the link reported", errs)
	}
}
