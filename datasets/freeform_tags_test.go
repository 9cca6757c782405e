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

// JSONL written with AO3's own field names (archive_warnings, freeform,
// category, a rating list) and notes is read like an AO3 page: a warning
// named in the notes declares it.
func TestJSONLAO3Names(t *testing.T) {
	line := `{"id":"w","text":"It rained.","rating":["Mature"],"archive_warnings":["Creator Chose Not To Use Archive Warnings","Major Character Death"],` +
		`"category":["F/F"],"freeform":["Slow Burn","Self-Harm"],"notes":"Thanks to my beta. CW: suicidal thoughts"}` + "\n"
	var stories []*Story
	for s := range Read(t.Context(), []string{"-"}, Options{Stdin: strings.NewReader(line)}) {
		stories = append(stories, s)
	}
	if len(stories) != 1 || stories[0].Err != nil {
		t.Fatalf("stories = %v", stories)
	}
	d := stories[0].Declared
	if d.DeclaredRating != "mature" || d.WarningStatus != "chose-not-to-warn" {
		t.Errorf("rating %q status %q, want mature chose-not-to-warn", d.DeclaredRating, d.WarningStatus)
	}
	if want := []string{"death", "self-harm", "suicide"}; !slices.Equal(d.DeclaredWarnings, want) {
		t.Errorf("declared_warnings = %q, want %q", d.DeclaredWarnings, want)
	}
	if want := []string{"Slow Burn", "Self-Harm", "F/F"}; !slices.Equal(d.Tags, want) {
		t.Errorf("tags = %q, want %q", d.Tags, want)
	}
	if d.Notes != "Thanks to my beta. CW: suicidal thoughts" {
		t.Errorf("notes = %q", d.Notes)
	}
}

// TestStdinCorpusWithBrokenFirstRecord: a JSONL corpus on standard input
// whose first line is broken is still a corpus (an error for that line,
// then its records), not one prose story of all its lines.
func TestStdinCorpusWithBrokenFirstRecord(t *testing.T) {
	in := "{bad json\n\n" + `{"id":"a","text":"The rain fell on the harbour."}` + "\n" + `{"id":"b","text":"She ran."}` + "\n"
	var ids []string
	errs := 0
	for s := range Read(t.Context(), []string{"-"}, Options{Stdin: strings.NewReader(in)}) {
		if s.Err != nil {
			errs++
			continue
		}
		ids = append(ids, s.ID)
	}
	if errs != 1 || strings.Join(ids, ",") != "a,b" {
		t.Errorf("%d errors, stories %v; want 1 error, then a and b", errs, ids)
	}
	// Prose that happens to open with a brace is still prose.
	n := 0
	for s := range Read(t.Context(), []string{"-"}, Options{Stdin: strings.NewReader("{ a note in braces }\nThe rain fell.\n")}) {
		if s.Err != nil || s.Format != FormatText {
			t.Errorf("prose: %v, format %s", s.Err, s.Format)
		}
		n++
	}
	if n != 1 {
		t.Errorf("prose: %d stories, want 1", n)
	}
}

// TestStdinFormats: an AO3Scraper CSV and an HTML page on standard input
// are read as what they are, not as one prose story of their markup.
func TestStdinFormats(t *testing.T) {
	for _, c := range []struct {
		name, in string
		want     []string // the stories' formats
	}{
		{"csv", "work_id,title,body\n1,A,\"The rain fell.\"\n2,B,She ran.\n", []string{string(FormatAO3ScraperCSV), string(FormatAO3ScraperCSV)}},
		{"html", "<!DOCTYPE html>\n<html><body><p>The rain fell on the harbour.</p></body></html>\n", []string{string(FormatHTML)}},
		{"prose with a comma", "work, and then more work, was all she knew\n\nThe end.\n", []string{string(FormatText)}},
		{"xhtml", "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<html><body><p>The rain fell.</p></body></html>\n", []string{string(FormatHTML)}},
		{"prose that opens with a tag-like word", "<html> is how it began, she wrote.\n", []string{string(FormatText)}},
	} {
		var got []string
		for s := range Read(t.Context(), []string{"-"}, Options{Stdin: strings.NewReader(c.in)}) {
			if s.Err != nil {
				t.Errorf("%s: %v", c.name, s.Err)
			}
			got = append(got, string(s.Format))
		}
		if strings.Join(got, ",") != strings.Join(c.want, ",") {
			t.Errorf("%s: formats %v, want %v", c.name, got, c.want)
		}
	}
}
