package datasets

import (
	"slices"
	"strings"
	"testing"
)

// TestJSONLTagsUseFreeformTable checks that a JSONL record's "tags" are read
// with the curated freeform-tag table, as AO3's Additional Tags are: a tag
// the rules alone miss declares its label, a negation rules one out, and a
// tag that names no warning stays a tag only.
func TestJSONLTagsUseFreeformTable(t *testing.T) {
	line := `{"id":"w","text":"It rained.","warnings":"No Archive Warnings Apply",` +
		`"tags":["Post-Traumatic Stress Disorder - PTSD","Snowball Fight","Everyone Lives/Nobody Dies","Fluff"]}` + "\n"
	var stories []*Story
	for s := range Read(t.Context(), []string{"-"}, Options{Stdin: strings.NewReader(line)}) {
		stories = append(stories, s)
	}
	if len(stories) != 1 || stories[0].Err != nil {
		t.Fatalf("stories = %v", stories)
	}
	d := stories[0].Declared
	check := func(name string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if d.WarningStatus != "declared" {
		t.Errorf("warning_status = %q, want declared", d.WarningStatus)
	}
	check("declared_warnings", d.DeclaredWarnings, []string{"mental-illness"})
	check("negated_warnings", d.NegatedWarnings, []string{"death"})
	check("declared_warnings_raw", d.DeclaredWarningsRaw,
		[]string{"No Archive Warnings Apply", "Post-Traumatic Stress Disorder - PTSD", "Everyone Lives/Nobody Dies"})
	check("tags", d.Tags, []string{"Post-Traumatic Stress Disorder - PTSD", "Snowball Fight", "Everyone Lives/Nobody Dies", "Fluff"})
}
