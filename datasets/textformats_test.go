package datasets

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/datasets/header"
	"github.com/tagger-dev/tagger/taxonomy"
)

// textFormatGolden is what testdata/formats/<name>.meta.json pins for a
// text fixture: the story as `tagger meta` prints it, the layout the
// header parser recognised, and the first characters of the body.
type textFormatGolden struct {
	*Story
	Layout    header.Layout `json:"layout"`
	BodyStart string        `json:"body_start"`
}

// TestTextFormatsGolden pins the declared metadata of the text fixtures in
// testdata/formats (AO3 text and pdftotext exports, FanFicFare TXT) in
// testdata/formats/<name>.meta.json (update with -update, then review),
// and states the key facts of each outside the golden files, so that a
// careless -update cannot hide a regression.
func TestTextFormatsGolden(t *testing.T) {
	type fact struct {
		layout                 header.Layout
		rating                 string
		status                 taxonomy.WarningState
		warnings, raw, negated []string
		fandoms, authors, tags []string // tags: a subset that must be there
		title, summary         string   // summary: a prefix
		bodyLine               int
		body                   string // a prefix of the body, after form feeds and indentation
	}
	facts := map[string]fact{
		"ao3-txt-2019": {layout: header.LayoutAO3, rating: "teen", status: "chose-not-to-warn",
			raw: []string{"Choose Not To Use Archive Warnings"}, fandoms: []string{"Harry Potter - J. K. Rowling"},
			authors: []string{"quillandember"}, tags: []string{"M/M", "Death Eater Draco Malfoy", "Eventual Happy Ending"},
			title: "Lanterns Over the Black Lake", summary: "Every autumn the castle floats lanterns", bodyLine: 39,
			body: "The lanterns came out of storage"},
		"ao3-txt-2021": {layout: header.LayoutAO3, rating: "mature", status: "declared",
			warnings: []string{"child-abuse", "self-harm", "suicide"},
			raw:      []string{"Underage", "Implied/Referenced Self-Harm", "Suicidal Thoughts", "No Character Death"},
			negated:  []string{"death"}, fandoms: []string{"Original Work"}, authors: []string{"marrowlight", "tidewrack"},
			tags: []string{"F/F", "Implied/Referenced Self-Harm", "No Character Death"}, title: "The Salt Year",
			summary: "Two girls, one winter", bodyLine: 33, body: "Chapter 1: Arrival"},
		"ao3-txt-2024": {layout: header.LayoutAO3, rating: "general", status: "declared", warnings: []string{"self-harm"},
			raw: []string{"No Archive Warnings Apply", "Self-Harm"}, fandoms: []string{"Stardew Valley (Video Game)"},
			authors: []string{"lamplit_fields"}, tags: []string{"Gen", "Self-Harm", "Recovery"}, title: "The Quiet Hours",
			summary: "The clinic stays open late", bodyLine: 38, body: "Chapter 1\n"},
		// Chapter notes, end notes and an afterword: their cues declare.
		"ao3-txt-notes": {layout: header.LayoutAO3, rating: "general", status: "declared",
			warnings: []string{"blood-gore", "self-harm", "suicide"},
			raw:      []string{"No Archive Warnings Apply", "Self-Harm", "self-harm", "a suicide attempt", "blood"},
			fandoms:  []string{"Stardew Valley (Video Game)"}, authors: []string{"lamplit_fields"}, tags: []string{"Gen", "Self-Harm"},
			title: "The Quiet Hours", summary: "The clinic stays open late", bodyLine: 38, body: "Chapter 1\n"},
		// Authors' notes among the paragraphs: read as notes, not story.
		"freeform-an": {layout: header.LayoutFreeForm, rating: "teen", status: "none-apply", raw: []string{"none"},
			authors: []string{"bowlful"}, title: "Ramen at Midnight", bodyLine: 8, body: "The shop on the corner"},
		"ao3-txt-2025": {layout: header.LayoutAO3, rating: "explicit", status: "chose-not-to-warn", warnings: []string{"child-abuse"},
			raw:     []string{"Creator Chose Not To Use Archive Warnings", "Underage Sex"},
			fandoms: []string{"Original Work", "Folklore & Fairy Tales"}, authors: []string{"saltmarsh_ghost"},
			tags: []string{"F/M", "Gen", "Dead Dove: Do Not Eat"}, title: "What the Tide Keeps",
			summary: "A retelling of the little mermaid", bodyLine: 29, body: "The tide came in twice a day"},
		"ao3-pdftotext": {layout: header.LayoutAO3, rating: "explicit", status: "declared",
			warnings: []string{"violence", "death", "blood-gore", "self-harm"},
			raw: []string{"Graphic Depictions Of Violence", "Major Character Death", "Implied/Referenced Self-Harm",
				"Blood and Injury", "Canon-Typical Violence"},
			fandoms: []string{"The Witcher (TV)"}, authors: []string{"inkwellandfern"},
			tags:  []string{"Implied/Referenced Self-Harm", "Eventual Happy Ending", "Alternate Universe - Canon Divergence"},
			title: "The Cartographer's Daughter", summary: "A map that redraws itself", bodyLine: 44,
			body: "The map arrived at Kaer Morhen"},
		"ffftxt": {layout: header.LayoutFanFicFare, rating: "mature", status: "declared",
			warnings: []string{"violence", "sexual-abuse", "self-harm", "other-mental-health"},
			raw:      []string{"Nightmares", "Self-Harm", "Graphic Depictions Of Violence", "Rape/Non-Con"},
			fandoms:  []string{"Harry Potter - J. K. Rowling"}, authors: []string{"thornfield_owl"},
			tags:  []string{"M/M", "Self-Harm", "Post-War", "Slow Burn", "Grimmauld Place"},
			title: "Fourteen Steps", summary: "Three years after the war", bodyLine: 49, body: "1. The House That Moved"},
		"ffftxt-ffn": {layout: header.LayoutFanFicFare, rating: "teen", status: "missing", fandoms: []string{"Naruto"},
			authors: []string{"paperlantern9"}, tags: []string{"Angst", "Tragedy"}, title: "Names on a Stone",
			summary: "The memorial stone is cold in November.", bodyLine: 32, body: "Names on a Stone\r\n"},
	}
	paths, err := filepath.Glob(filepath.Join("testdata", "formats", "*.txt"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no text fixtures in testdata/formats: %v", err)
	}
	seen := map[string]bool{}
	for s := range Read(context.Background(), paths, Options{}) {
		if s.Err != nil {
			t.Fatalf("%s: %v", s.Source, s.Err)
		}
		seen[s.ID] = true
		res := header.Parse(s.Text)
		f, ok := facts[s.ID]
		if !ok {
			t.Errorf("%s: no facts for this fixture; add them to the test", s.ID)
		} else {
			checkTextFacts(t, s, res.Layout, f.layout, f.rating, f.status, f.title, f.summary, f.bodyLine, f.body)
			for _, l := range []struct {
				name      string
				got, want []string
			}{
				{"declared_warnings", s.DeclaredWarnings, f.warnings},
				{"declared_warnings_raw", s.DeclaredWarningsRaw, f.raw},
				{"negated_warnings", s.NegatedWarnings, f.negated},
				{"fandoms", s.Fandoms, f.fandoms},
				{"authors", s.Authors, f.authors},
			} {
				if !slices.Equal(l.got, l.want) && len(l.got)+len(l.want) > 0 {
					t.Errorf("%s: %s = %q, want %q", s.ID, l.name, l.got, l.want)
				}
			}
			for _, tag := range f.tags {
				if !slices.Contains(s.Tags, tag) {
					t.Errorf("%s: tags %q lack %q", s.ID, s.Tags, tag)
				}
			}
			if len(s.UnmappedWarnings) > 0 {
				t.Errorf("%s: unmapped warnings %q: freeform tags must not land there", s.ID, s.UnmappedWarnings)
			}
		}
		for _, junk := range []string{"Posted originally", "Rating:", "Additional Tags:", "Packaged:", "TABLE OF CONTENTS", "\nSummary"} {
			if strings.Contains(s.Body(), junk) {
				t.Errorf("%s: body holds header text %q", s.ID, junk)
			}
		}

		s.Source = filepath.ToSlash(filepath.Base(s.Source))
		got, err := json.MarshalIndent(textFormatGolden{Story: s, Layout: res.Layout, BodyStart: prefixRunes(s.Body(), 60)}, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, '\n')
		golden := filepath.Join("testdata", "formats", s.ID+".meta.json")
		if *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test ./datasets -run TextFormatsGolden -update, then review)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: metadata differs from %s:\n got: %s\nwant: %s", s.ID, golden, got, want)
		}
	}
	for id := range facts {
		if !seen[id] {
			t.Errorf("fixture %s.txt is missing from testdata/formats", id)
		}
	}
}

func checkTextFacts(t *testing.T, s *Story, layout, wantLayout header.Layout, rating string, status taxonomy.WarningState, title, summary string, bodyLine int, body string) {
	t.Helper()
	if layout != wantLayout || s.DeclaredRating != rating || s.WarningStatus != status || s.Title != title {
		t.Errorf("%s: layout %q rating %q status %q title %q; want %q %q %q %q", s.ID,
			layout, s.DeclaredRating, s.WarningStatus, s.Title, wantLayout, rating, status, title)
	}
	if !strings.HasPrefix(s.Summary, summary) {
		t.Errorf("%s: summary %.50q, want it to start %q", s.ID, s.Summary, summary)
	}
	if got := strings.TrimLeft(s.Body(), "\f "); s.BodyLine != bodyLine || !strings.HasPrefix(got, body) {
		t.Errorf("%s: body at line %d starts %.40q; want line %d, %q", s.ID, s.BodyLine, got, bodyLine, body)
	}
}

// prefixRunes returns the first n runes of s.
func prefixRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}

// TestTextFormatsStreamed checks that a text fixture read as a streamed
// story (a file above Options.StreamAbove) gets the same header as one read
// into memory.
func TestTextFormatsStreamed(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "formats", "*.txt"))
	for _, p := range paths {
		var mem, streamed *Story
		for s := range Read(context.Background(), []string{p}, Options{}) {
			mem = s
		}
		for s := range Read(context.Background(), []string{p}, Options{StreamAbove: 1}) {
			streamed = s
		}
		if mem == nil || streamed == nil || mem.Err != nil || streamed.Err != nil {
			t.Fatalf("%s: read %v / %v", p, mem, streamed)
		}
		if !streamed.Streamed() {
			t.Fatalf("%s: not streamed", p)
		}
		gm, _ := json.Marshal(mem.Declared)
		gs, _ := json.Marshal(streamed.Declared)
		if !bytes.Equal(gm, gs) || mem.BodyLine != streamed.BodyLine || mem.BodyByte != streamed.BodyByte {
			t.Errorf("%s: streamed %s line %d byte %d; in memory %s line %d byte %d", p,
				gs, streamed.BodyLine, streamed.BodyByte, gm, mem.BodyLine, mem.BodyByte)
		}
		if !utf8.ValidString(mem.Text) {
			t.Errorf("%s: fixture is not UTF-8", p)
		}
		// The body read from the file is the body held in memory (AO3's
		// chapter notes blanked alike).
		rc, err := streamed.OpenBody()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil || string(body) != mem.Body() {
			t.Errorf("%s: streamed body (%v)\n%q\nin memory\n%q", p, err, body, mem.Body())
		}
	}
}
