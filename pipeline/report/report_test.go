package report

import (
	"strings"
	"testing"

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
	want := "s.txt:12:death:0.80:undeclared warning: He died at dawn.\ns.txt:1:rating:1.00:rating under-declared: R (mature) but the text reads as explicit\n"
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
