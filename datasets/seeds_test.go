package datasets_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/taxonomy"
)

var update = datasets.UpdateGolden

// seedDir holds the four seed stories; their golden metadata lives in
// testdata/seeds, outside seeds/ so that a run over seeds/ reads stories only.
const seedDir = "../seeds"

func readSeeds(t *testing.T) []*datasets.Story {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(seedDir, "*.txt"))
	if err != nil || len(paths) != 4 {
		t.Fatalf("want the 4 seed stories, got %v (%v)", paths, err)
	}
	var out []*datasets.Story
	for s := range datasets.Read(context.Background(), paths, datasets.Options{}) {
		if s.Err != nil {
			t.Fatalf("%s: %v", s.Source, s.Err)
		}
		out = append(out, s)
	}
	return out
}

// TestSeedMetadataGolden pins the declared metadata of each seed, as
// `tagger meta seeds/*.txt` prints it, in testdata/seeds/<id>.meta.json.
func TestSeedMetadataGolden(t *testing.T) {
	for _, s := range readSeeds(t) {
		got, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		path := filepath.Join("testdata", "seeds", s.ID+".meta.json")
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test ./datasets -run Seed -update to create it, then review it)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: metadata differs from %s:\n got: %s\nwant: %s", s.ID, path, got, want)
		}
	}
}

// TestSeedFacts states, independently of the golden files, what a reader
// of each seed's header sees, so that a careless -update cannot hide a
// regression.
func TestSeedFacts(t *testing.T) {
	type fact struct {
		rating, raw string
		status      taxonomy.WarningState
		warnings    []string
		bodyStarts  string
		bodyLine    int
		title       string
	}
	facts := map[string]fact{
		"000_c1bd1572a1f429f3": {rating: "mature", raw: "R", status: "missing", bodyStarts: `"Who are you, really?"`, bodyLine: 15, title: "(im)perfect"},
		"001_c744f7a2d5dbaef9": {status: "declared", bodyStarts: "Zion is still standing.", bodyLine: 8},
		"002_cd7afd8d40a901e0": {status: "declared", warnings: []string{"violence", "pornography", "other-sexual"},
			bodyStarts: "Agent Smith hadn't been idle", bodyLine: 9, title: "What Is Reality?"},
		"003_ef651ee35373ebd4": {status: "missing", bodyStarts: "15. Unexpected.", bodyLine: 15},
	}
	for _, s := range readSeeds(t) {
		f, ok := facts[s.ID]
		if !ok {
			t.Errorf("unexpected seed %s", s.ID)
			continue
		}
		if s.DeclaredRating != f.rating || s.DeclaredRatingRaw != f.raw || s.WarningStatus != f.status || s.Title != f.title {
			t.Errorf("%s: rating %q raw %q status %q title %q; want %q %q %q %q", s.ID,
				s.DeclaredRating, s.DeclaredRatingRaw, s.WarningStatus, s.Title, f.rating, f.raw, f.status, f.title)
		}
		if len(f.warnings) > 0 && !slices.Equal(s.DeclaredWarnings, f.warnings) {
			t.Errorf("%s: declared warnings %v, want %v", s.ID, s.DeclaredWarnings, f.warnings)
		}
		if !strings.HasPrefix(s.Body(), f.bodyStarts) || s.BodyLine != f.bodyLine {
			t.Errorf("%s: body at line %d starts %.40q; want line %d, %q", s.ID, s.BodyLine, s.Body(), f.bodyLine, f.bodyStarts)
		}
	}
}
