package header

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/taxonomy"
)

// update rewrites the goldens of testdata/layouts from what the parser
// reads. The goldens are written by hand from what a careful reader sees
// in each header; rewrite them only to record a reviewed change.
var update = flag.Bool("update", false, "rewrite testdata/layouts/*.golden.json from the parser's output (review the diff)")

// layoutsDir holds the free-form header layouts: NAME.txt, an invented
// story with a header, and NAME.golden.json, what it declares. Names that
// start with "neg-" are negative controls: warning-like words that
// declare nothing.
const layoutsDir = "testdata/layouts"

// layoutGolden is what a layout declares, as its golden file says.
type layoutGolden struct {
	// About says which pattern the layout exercises; -update keeps it.
	About               string                `json:"about"`
	DeclaredRating      string                `json:"declared_rating"`
	WarningStatus       taxonomy.WarningState `json:"warning_status"`
	DeclaredWarnings    []string              `json:"declared_warnings"`
	NegatedWarnings     []string              `json:"negated_warnings"`
	DeclaredWarningsRaw []string              `json:"declared_warnings_raw"`
	UnmappedWarnings    []string              `json:"unmapped_warnings"`
}

// layoutCase is one layout with its golden and what Parse makes of it.
type layoutCase struct {
	name   string
	golden layoutGolden
	got    layoutGolden
}

// loadLayouts reads every layout and its golden and parses the layout.
// A layout without a golden is an error, unless -update writes one.
func loadLayouts(t *testing.T) []layoutCase {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(layoutsDir, "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatalf("no layouts in %s", layoutsDir)
	}
	var cases []layoutCase
	for _, p := range paths {
		name := strings.TrimSuffix(filepath.Base(p), ".txt")
		text, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		c := layoutCase{name: name, got: goldenOf(Parse(string(text)).Declared)}
		g, err := readGolden(goldenPath(name))
		switch {
		case err == nil:
			c.golden = g
		case !*update:
			t.Fatalf("layout %s: %v", name, err)
		}
		c.got.About = c.golden.About
		cases = append(cases, c)
	}
	return cases
}

func goldenPath(name string) string { return filepath.Join(layoutsDir, name+".golden.json") }

func readGolden(path string) (layoutGolden, error) {
	var g layoutGolden
	b, err := os.ReadFile(path)
	if err != nil {
		return g, fmt.Errorf("read golden: %w", err)
	}
	if err := json.Unmarshal(b, &g); err != nil {
		return g, fmt.Errorf("parse golden %s: %w", path, err)
	}
	return g, nil
}

// goldenOf keeps the fields of d that the goldens hold, lists never nil.
func goldenOf(d Declared) layoutGolden {
	nonNil := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	return layoutGolden{
		DeclaredRating:      d.DeclaredRating,
		WarningStatus:       d.WarningStatus,
		DeclaredWarnings:    nonNil(d.DeclaredWarnings),
		NegatedWarnings:     nonNil(d.NegatedWarnings),
		DeclaredWarningsRaw: nonNil(d.DeclaredWarningsRaw),
		UnmappedWarnings:    nonNil(d.UnmappedWarnings),
	}
}

// TestLayouts parses every layout of testdata/layouts and compares what it
// declares with its golden. Label lists are compared in taxonomy order
// (Declared keeps them sorted so); raw phrases in the order written.
func TestLayouts(t *testing.T) {
	tx := taxonomy.Default()
	for _, c := range loadLayouts(t) {
		t.Run(c.name, func(t *testing.T) {
			if *update {
				b, err := json.MarshalIndent(c.got, "", "  ")
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(goldenPath(c.name), append(b, '\n'), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want := c.golden
			sorted := func(l []string) []string {
				l = slices.Clone(l)
				tx.SortLabels(l)
				return l
			}
			checkStr(t, "declared_rating", c.got.DeclaredRating, want.DeclaredRating)
			checkStr(t, "warning_status", c.got.WarningStatus, want.WarningStatus)
			checkList(t, "declared_warnings", c.got.DeclaredWarnings, sorted(want.DeclaredWarnings))
			checkList(t, "negated_warnings", c.got.NegatedWarnings, sorted(want.NegatedWarnings))
			checkList(t, "declared_warnings_raw", c.got.DeclaredWarningsRaw, want.DeclaredWarningsRaw)
			checkList(t, "unmapped_warnings", c.got.UnmappedWarnings, want.UnmappedWarnings)
			if strings.HasPrefix(c.name, "neg-") && len(want.DeclaredWarnings) > 0 {
				t.Errorf("negative control %s declares %q in its golden", c.name, want.DeclaredWarnings)
			}
		})
	}
}

// TestLayoutsScore measures, over all layouts, the micro recall and
// precision of declared warning labels and the share of ratings read
// right, against the goldens, and fails under the targets.
func TestLayoutsScore(t *testing.T) {
	if *update {
		t.Skip("goldens are being rewritten")
	}
	const minRecall, minPrecision = 0.95, 0.95
	var tp, fp, fn, ratingsRight, negatives, cleanNegatives int
	cases := loadLayouts(t)
	for _, c := range cases {
		want, got := c.golden.DeclaredWarnings, c.got.DeclaredWarnings
		for _, l := range got {
			if slices.Contains(want, l) {
				tp++
			} else {
				fp++
				t.Logf("%s: false %s", c.name, l)
			}
		}
		for _, l := range want {
			if !slices.Contains(got, l) {
				fn++
				t.Logf("%s: missed %s", c.name, l)
			}
		}
		if c.got.DeclaredRating == c.golden.DeclaredRating {
			ratingsRight++
		} else {
			t.Logf("%s: rating %q, want %q", c.name, c.got.DeclaredRating, c.golden.DeclaredRating)
		}
		if strings.HasPrefix(c.name, "neg-") {
			negatives++
			if len(got) == 0 {
				cleanNegatives++
			}
		}
	}
	recall := float64(tp) / float64(max(tp+fn, 1))
	precision := float64(tp) / float64(max(tp+fp, 1))
	ratingAcc := float64(ratingsRight) / float64(len(cases))
	t.Logf("%d layouts (%d negative controls, %d declaring nothing): warning labels recall %.3f (%d/%d), precision %.3f (%d/%d); rating accuracy %.3f (%d/%d)",
		len(cases), negatives, cleanNegatives, recall, tp, tp+fn, precision, tp, tp+fp, ratingAcc, ratingsRight, len(cases))
	if recall < minRecall || precision < minPrecision {
		t.Errorf("warning labels: recall %.3f, precision %.3f; want both ≥ %.2f", recall, precision, minRecall)
	}
	if ratingsRight != len(cases) {
		t.Errorf("ratings read right: %d of %d, want all", ratingsRight, len(cases))
	}
}

// BenchmarkParseLayouts parses every layout of testdata/layouts, each
// followed by a long body, as a batch run parses stories: the header
// rules must stay cheap and bounded whatever the body.
func BenchmarkParseLayouts(b *testing.B) {
	paths, err := filepath.Glob(filepath.Join(layoutsDir, "*.txt"))
	if err != nil || len(paths) == 0 {
		b.Fatalf("no layouts: %v", err)
	}
	body := strings.Repeat("She said: nothing. He waited by the door, and the rain kept on.\n\n", 2000)
	var texts []string
	size := 0
	for _, p := range paths {
		t, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, string(t)+body)
		size += len(t) + len(body)
	}
	b.SetBytes(int64(size / len(texts)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Parse(texts[i%len(texts)])
	}
}
