package main

import (
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/taxonomy"
)

// TestRatingFitProblem: a rating fit needs enough rated works and some of
// every level; a corpus of one audience fitted cut points that never
// predicted the levels it lacked (a walkthrough's all-ages archive read
// Explicit works as Teen).
func TestRatingFitProblem(t *testing.T) {
	works := func(counts ...int) []classify.RatingObservation {
		var out []classify.RatingObservation
		for i, n := range counts {
			for range n {
				out = append(out, classify.RatingObservation{Declared: taxonomy.General + taxonomy.Level(i)})
			}
		}
		return out
	}
	for _, tt := range []struct {
		name string
		obs  []classify.RatingObservation
		want string // "" for none
	}{
		{"every level", works(100, 100, 20, 20), ""},
		{"too few works", works(50, 50, 20, 20), "140 works rated on AO3's scale"},
		{"one audience", works(150, 150, 0, 0), "too few works of a level (mature 0;"},
		{"no Explicit works", works(100, 100, 20, 0), ""},
		{"a level short", works(150, 150, 9, 40), "mature 9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := ratingFitProblem(tt.obs)
			if tt.want == "" && got != "" || tt.want != "" && !strings.Contains(got, tt.want) {
				t.Errorf("ratingFitProblem = %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMetaLanguageCode: meta writes a declared language as the output
// row does, as its code ("English" is en), not as written.
func TestMetaLanguageCode(t *testing.T) {
	out, errOut, code := runCLI(t, "", "meta", "../../datasets/testdata/formats/ao3-2024.html")
	if code != 0 || !strings.Contains(out, `"language":"en"`) {
		t.Errorf("meta: exit %d, %s %s; want \"language\":\"en\"", code, out, errOut)
	}
}
