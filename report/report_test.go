package report

import (
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/pipeline"
)

func ptr[T any](v T) *T { return &v }

func TestFailOn(t *testing.T) {
	clean := pipeline.Row{RatingUnderdeclared: ptr(false)}
	undeclared := pipeline.Row{UndeclaredWarnings: []string{"death"}, RatingUnderdeclared: ptr(false)}
	rating := pipeline.Row{RatingUnderdeclared: ptr(true)}
	tests := []struct {
		f    FailOn
		row  pipeline.Row
		want bool
	}{
		{FailAny, clean, false}, {FailAny, undeclared, true}, {FailAny, rating, true},
		{FailUndeclared, rating, false}, {FailUndeclared, undeclared, true},
		{FailRating, undeclared, false}, {FailRating, rating, true},
		{FailNone, undeclared, false}, {FailNone, rating, false},
	}
	for _, tc := range tests {
		if got := tc.f.Fails(tc.row); got != tc.want {
			t.Errorf("%s.Fails(%+v) = %v", tc.f, tc.row, got)
		}
	}
	if _, err := ParseFailOn("sometimes"); err == nil {
		t.Error("ParseFailOn accepted sometimes")
	}
}

func TestVerdictAndLines(t *testing.T) {
	r := pipeline.Row{
		Source: "s.txt", DeclaredRating: ptr("mature"), DeclaredRatingRaw: ptr("R"), PredictedRating: ptr("explicit"),
		RatingUnderdeclared: ptr(true), UndeclaredWarnings: []string{"death"},
		Labels: []pipeline.LabelScore{
			{Label: "violence", Group: "aggression", Score: 0.9, Threshold: 0.5, Detected: true, Passages: 1},
			{Label: "death", Group: "aggression", Score: 0.85, Threshold: 0.45, Detected: true, Passages: 1},
		},
		Evidence: []pipeline.Evidence{
			{Label: "death", Score: 0.8, LineStart: 12, LineEnd: 12, Snippet: "He died\nat dawn."},
			{Label: "violence", Score: 0.9, LineStart: 3, LineEnd: 4, Snippet: "declared, so not a finding"},
		},
	}
	v := Verdict(r, Style{})
	if !strings.Contains(v, "REVIEW") || !strings.Contains(v, "1 undeclared warning (death)") || !strings.Contains(v, "R → explicit") {
		t.Errorf("verdict %q", v)
	}
	var b strings.Builder
	Lines(&b, r)
	want := "s.txt:12:death:0.85:undeclared warning (threshold 0.45; passage 1 of 1, passage score 0.80): He died at dawn.\ns.txt:1:rating:1.00:rating under-declared: R (mature) but the text reads as explicit (confidence 1.00)\n"
	if b.String() != want {
		t.Errorf("Lines:\n%q\nwant\n%q", b.String(), want)
	}
	ok := Verdict(pipeline.Row{PredictedRating: ptr("teen")}, Style{})
	if !strings.Contains(ok, "OK") || !strings.Contains(ok, "no rating declared") {
		t.Errorf("clean verdict %q", ok)
	}
	if got := (Style{Color: true}).red("x"); got != "\x1b[31mx\x1b[0m" {
		t.Errorf("colour %q", got)
	}
	if got := (Style{}).red("x"); got != "x" {
		t.Errorf("no colour %q", got)
	}
}

// A work whose creator chose not to warn is not mis-tagged: what tagger
// finds there and the creator did not name is reported as not warned, and
// the verdict passes.
func TestChoseNotToWarn(t *testing.T) {
	r := pipeline.Row{
		Source: "w.html", DeclaredRating: ptr("mature"), DeclaredRatingRaw: ptr("Mature"), PredictedRating: ptr("mature"),
		RatingUnderdeclared: ptr(false), WarningStatus: ptr("chose-not-to-warn"), DeclaredWarnings: []string{"death"},
		Labels: []pipeline.LabelScore{
			{Label: "violence", Group: "aggression", Score: 0.9, Threshold: 0.5, Detected: true, Passages: 1},
			{Label: "death", Group: "aggression", Score: 0.8, Threshold: 0.5, Detected: true, Passages: 1},
			{Label: "suicide", Group: "mental-health", Score: 0.1, Threshold: 0.5},
		},
		DetectedWarnings:   []string{"violence", "death"},
		UndeclaredWarnings: []string{},
		Evidence: []pipeline.Evidence{
			{Label: "violence", Score: 0.9, LineStart: 7, LineEnd: 7, Snippet: "He hit him."},
			{Label: "death", Score: 0.8, LineStart: 9, LineEnd: 9, Snippet: "She died."},
		},
	}
	fs := Findings(r)
	if len(fs) != 2 || fs[0].Label != "violence" || !fs[0].NotWarned || fs[0].Undeclared || fs[1].NotWarned {
		t.Fatalf("findings %+v", fs)
	}
	v := Verdict(r, Style{})
	if !strings.Contains(v, "OK") || !strings.Contains(v, "creator chose not to warn") || !strings.Contains(v, "violence") {
		t.Errorf("verdict %q", v)
	}
	if FailUndeclared.Fails(r) || FailAny.Fails(r) {
		t.Error("a work whose creator chose not to warn fails check")
	}
	// Rated Explicit, the work declares explicit sexual content: a
	// pornography finding there is no warning it left out.
	explicit := r
	explicit.DeclaredRating = ptr("explicit")
	explicit.Labels = append(slices.Clone(r.Labels), pipeline.LabelScore{Label: "pornography", Group: "sexual-content", Score: 0.95, Threshold: 0.5, Detected: true, Passages: 1})
	for _, f := range Findings(explicit) {
		if f.Label == "pornography" && f.NotWarned {
			t.Errorf("pornography under an Explicit rating listed as not warned: %+v", f)
		}
	}
	var b strings.Builder
	if err := Text(&b, r, Style{}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"the creator chose not to warn, naming only: death", "not warned (creator chose not to warn)", "“He hit him.”"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "undeclared") {
		t.Errorf("report calls a finding undeclared:\n%s", b.String())
	}
	b.Reset()
	Lines(&b, r)
	if want := "w.html:7:violence:0.90:not warned (creator chose not to warn; threshold 0.50; passage 1 of 1, passage score 0.90): He hit him.\n"; b.String() != want {
		t.Errorf("Lines %q, want %q", b.String(), want)
	}
}

// TestScenesLine: what scenes discounted, in a line, for one and several
// scenes, and nothing for none.
func TestScenesLine(t *testing.T) {
	for _, tt := range []struct {
		in   []classify.SceneHits
		want string
	}{
		{nil, ""},
		{[]classify.SceneHits{{Scene: "sport", Words: 1, Labels: []string{"violence"}}},
			"a scene of sport: 1 word of violence read as figures of speech"},
		{[]classify.SceneHits{{Scene: "kitchen", Words: 3, Labels: []string{"violence", "death"}}, {Scene: "play", Words: 2, Labels: []string{"death"}}},
			"a scene of kitchen: 3 words of violence, death; a scene of play: 2 words of death read as figures of speech"},
	} {
		if got := ScenesLine(tt.in); got != tt.want {
			t.Errorf("ScenesLine(%+v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestDeclaredWarningsLine: how the text report says what the warnings
// field declared, for the states a moderator meets.
func TestDeclaredWarningsLine(t *testing.T) {
	tests := []struct {
		name string
		row  pipeline.Row
		want string
	}{
		{"labels", pipeline.Row{WarningStatus: ptr("declared"), DeclaredWarnings: []string{"violence"}, DeclaredWarningsRaw: []string{"Graphic Violence"}},
			"declared: violence"},
		{"words not in the taxonomy", pipeline.Row{WarningStatus: ptr("declared"), DeclaredWarningsRaw: []string{"the usual"}, UnmappedWarnings: []string{"the usual"}},
			`declared, none of them in the taxonomy; not understood: "the usual"`},
		{"a pointer to the tags", pipeline.Row{WarningStatus: ptr("declared"), DeclaredWarningsRaw: []string{"see tags"}},
			`declared only as "see tags", which names no warning`},
		{"only ruled out", pipeline.Row{WarningStatus: ptr("missing"), DeclaredWarningsRaw: []string{"No Character Death"}, NegatedWarnings: []string{"death"}},
			"missing (the warnings field only rules out: death)"},
		{"no field", pipeline.Row{}, "missing (no warnings field)"},
	}
	for _, tc := range tests {
		if got := declaredWarnings(tc.row); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
