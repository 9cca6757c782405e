package header

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/taxonomy"
)

// ao3Text builds an AO3 text export: title, "Posted originally" line, the
// label block (label, value lines), title and by-line, then rest.
func ao3Text(block, rest string) string {
	return "A Work\nPosted originally on the Archive of Our Own at http://archiveofourown.org/works/1.\n\n" +
		block + "Stats:\n    Published: 2020-01-01 Words: 100 Chapters: 1/1\n\nA Work\nby someone\n\n" + rest
}

func TestParseAO3(t *testing.T) {
	tests := []struct {
		name string
		text string
		want want
	}{
		{
			name: "singular labels and the old chose-not-to-warn",
			text: ao3Text("Rating:\n    Teen And Up Audiences\nArchive Warning:\n    Choose Not To Use Archive Warnings\n"+
				"Category:\n    M/M\nFandom:\n    Good Omens (TV)\nRelationship:\n    Aziraphale/Crowley (Good Omens)\n"+
				"Character:\n    Crowley (Good Omens)\nAdditional Tags:\n    Angst, Pining\n", "Summary\n\nThey wait.\n\nThe bookshop was shut.\n"),
			want: want{title: "A Work", authors: []string{"someone"}, rating: "teen", ratingRaw: "Teen And Up Audiences", system: "ao3",
				status: "chose-not-to-warn", raw: []string{"Choose Not To Use Archive Warnings"}, tags: []string{"M/M", "Angst", "Pining"},
				fandoms: []string{"Good Omens (TV)"}, relationships: []string{"Aziraphale/Crowley (Good Omens)"},
				characters: []string{"Crowley (Good Omens)"}, summary: "They wait.", bodyLine: 28, body: "The bookshop was shut."},
		},
		{
			name: "plural labels and the new chose-not-to-warn",
			text: ao3Text("Rating:\n    Not Rated\nArchive Warnings:\n    Creator Chose Not To Use Archive Warnings\nCategories:\n    F/F, Gen\n"+
				"Fandoms:\n    Original Work, Folklore\n", "It rained.\n"),
			want: want{title: "A Work", authors: []string{"someone"}, rating: "not-rated", ratingRaw: "Not Rated", system: "ao3",
				status: "chose-not-to-warn", raw: []string{"Creator Chose Not To Use Archive Warnings"}, tags: []string{"F/F", "Gen"},
				fandoms: []string{"Original Work", "Folklore"}, bodyLine: 18, body: "It rained."},
		},
		{
			name: "Underage before November 2024",
			text: ao3Text("Rating:\n    Explicit\nArchive Warning:\n    Underage\n", "It rained.\n"),
			want: want{title: "A Work", authors: []string{"someone"}, rating: "explicit", ratingRaw: "Explicit", system: "ao3",
				status: "declared", warnings: []string{"child-abuse"}, raw: []string{"Underage"}, bodyLine: 14, body: "It rained."},
		},
		{
			name: "Underage Sex since November 2024",
			text: ao3Text("Rating:\n    Explicit\nArchive Warnings:\n    Major Character Death, Underage Sex\n", "It rained.\n"),
			want: want{title: "A Work", authors: []string{"someone"}, rating: "explicit", ratingRaw: "Explicit", system: "ao3",
				status: "declared", warnings: []string{"death", "child-abuse"}, raw: []string{"Major Character Death", "Underage Sex"},
				bodyLine: 14, body: "It rained."},
		},
		{
			name: "no archive warnings apply, but a freeform tag warns",
			text: ao3Text("Rating:\n    General Audiences\nArchive Warnings:\n    No Archive Warnings Apply\nAdditional Tags:\n    Recovery, Self-Harm\n", "It rained.\n"),
			want: want{title: "A Work", authors: []string{"someone"}, rating: "general", ratingRaw: "General Audiences", system: "ao3",
				status: "declared", warnings: []string{"self-harm"}, raw: []string{"No Archive Warnings Apply", "Self-Harm"},
				tags: []string{"Recovery", "Self-Harm"}, bodyLine: 16, body: "It rained."},
		},
		{
			name: "no archive warnings apply, freeform tags that warn of nothing",
			text: ao3Text("Archive Warnings:\n    No Archive Warnings Apply\nAdditional Tags:\n    Death Eater Draco Malfoy, No Beta We Die Like Men, Post-War\n", "It rained.\n"),
			want: want{title: "A Work", authors: []string{"someone"}, status: "none-apply", raw: []string{"No Archive Warnings Apply"},
				tags: []string{"Death Eater Draco Malfoy", "No Beta We Die Like Men", "Post-War"}, bodyLine: 14, body: "It rained."},
		},
		{
			name: "wrapped tag list joined before splitting, mid-tag breaks included",
			text: ao3Text("Archive Warnings:\n    No Archive Warnings Apply\nAdditional Tags:\n    Angst, Eventual Happy\n    Ending, Implied/Referenced Self-\n    Harm, Fluff\n", "It rained.\n"),
			want: want{title: "A Work", authors: []string{"someone"}, status: "declared", warnings: []string{"self-harm"},
				raw:  []string{"No Archive Warnings Apply", "Implied/Referenced Self-Harm"},
				tags: []string{"Angst", "Eventual Happy Ending", "Implied/Referenced Self-Harm", "Fluff"}, bodyLine: 16, body: "It rained."},
		},
		{
			name: "flat values, the title right after Stats",
			text: "Posted originally on the Archive of Our Own at http://archiveofourown.org/works/2.\nRating:\nMature\nArchive Warning:\n" +
				"Graphic Depictions Of Violence\nAdditional Tags:\nAngst, Hurt/Comfort, Blood and Injury, Whump, Found Family, Eventual\nComfort\n" +
				"Stats:\nPublished: 2018-01-01 Completed: 2018-02-02 Words: 1,000 Chapters:\n2/2\nThe Title\nby someone\nChapter 1\nText.\n",
			want: want{title: "The Title", authors: []string{"someone"}, rating: "mature", ratingRaw: "Mature", system: "ao3", status: "declared",
				warnings: []string{"violence", "blood-gore"}, raw: []string{"Graphic Depictions Of Violence", "Blood and Injury"},
				tags: []string{"Angst", "Hurt/Comfort", "Blood and Injury", "Whump", "Found Family", "Eventual Comfort"}, bodyLine: 14, body: "Chapter 1\n"},
		},
		{
			name: "values on the label's line",
			text: "Posted originally on the Archive of Our Own at http://archiveofourown.org/works/3.\n\nRating: Mature\n" +
				"Archive Warning: Rape/Non-Con\nFandom: Bleach\n\nThe Title\nby someone\n\nIt rained.\n",
			want: want{title: "The Title", authors: []string{"someone"}, rating: "mature", ratingRaw: "Mature", system: "ao3", status: "declared",
				warnings: []string{"sexual-abuse"}, raw: []string{"Rape/Non-Con"}, fandoms: []string{"Bleach"}, bodyLine: 10, body: "It rained."},
		},
		{
			name: "no Posted line, three labels with values on their own lines",
			text: "Rating:\n    Mature\nArchive Warning:\n    Major Character Death\nFandom:\n    Bleach\n\nThe Title\nby someone\n\nIt rained.\n",
			want: want{title: "The Title", authors: []string{"someone"}, rating: "mature", ratingRaw: "Mature", system: "ao3", status: "declared",
				warnings: []string{"death"}, raw: []string{"Major Character Death"}, fandoms: []string{"Bleach"}, bodyLine: 11, body: "It rained."},
		},
		{
			name: "body at the first chapter after summary and notes of several paragraphs",
			text: ao3Text("Rating:\n    Mature\n", "Summary\n\nOne.\n\nTwo.\n\nNotes\n\nThree.\n\nFour.\n\nChapter 1: Start\n\nText.\n"),
			want: want{title: "A Work", authors: []string{"someone"}, rating: "mature", ratingRaw: "Mature", system: "ao3", status: "missing",
				summary: "One. Two.", bodyLine: 24, body: "Chapter 1: Start"},
		},
		{
			name: "one chapter, flat notes: the notes are one paragraph",
			text: ao3Text("Rating:\n    Mature\n", "Notes\n\nThanks to my beta.\n\nThe kettle sang.\n\nShe let it.\n"),
			want: want{title: "A Work", authors: []string{"someone"}, rating: "mature", ratingRaw: "Mature", system: "ao3", status: "missing",
				bodyLine: 16, body: "The kettle sang."},
		},
		{
			name: "one chapter, the end-notes link ends the notes",
			text: ao3Text("Rating:\n    Mature\n", "Notes\n\nThanks to my beta.\n\nAnd to you.\n\nSee the end of the work for more notes\n\nThe kettle sang.\n"),
			want: want{title: "A Work", authors: []string{"someone"}, rating: "mature", ratingRaw: "Mature", system: "ao3", status: "missing",
				bodyLine: 20, body: "The kettle sang."},
		},
		{
			name: "one chapter, indented summary and notes (pdftotext -layout)",
			text: ao3Text("Rating:\n    Mature\n", "Summary\n\n     A summary\n     that wraps.\n\n     And goes on.\n\nNotes\n\n     Thanks.\n\n\fThe kettle sang.\n"),
			want: want{title: "A Work", authors: []string{"someone"}, rating: "mature", ratingRaw: "Mature", system: "ao3", status: "missing",
				summary: "A summary that wraps. And goes on.", bodyLine: 23, body: "\fThe kettle sang."},
		},
		{
			name: "Preface heading and a Posted line wrapped before its work number",
			text: "Preface\n\nA Work\nPosted originally on the Archive of Our Own at http://archiveofourown.org/works/\n123.\n\nRating:\n     Mature\n\nA Work\nby someone\n\nIt rained.\n",
			want: want{title: "A Work", authors: []string{"someone"}, rating: "mature", ratingRaw: "Mature", system: "ao3", status: "missing",
				bodyLine: 13, body: "It rained."},
		},
		{
			name: "CRLF line endings",
			text: strings.ReplaceAll(ao3Text("Rating:\n    Mature\n", "It rained.\n"), "\n", "\r\n"),
			want: want{title: "A Work", authors: []string{"someone"}, rating: "mature", ratingRaw: "Mature", system: "ao3", status: "missing",
				bodyLine: 12, body: "It rained."},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Parse(tc.text)
			checkStr(t, "layout", r.Layout, LayoutAO3)
			checkResult(t, tc.text, r, tc.want)
		})
	}
}

// fffText builds a FanFicFare TXT file with CRLF line endings: title,
// by-line, the title-page lines, then rest.
func fffText(page, rest string) string {
	s := "\n\n\nA Story\n\nby Some Author\n\n\n\n" + page + "Publisher: archiveofourown.org\nStory URL: https://archiveofourown.org/works/1\n\n\n\n" + rest
	return strings.ReplaceAll(s, "\n", "\r\n")
}

func TestParseFanFicFare(t *testing.T) {
	tests := []struct {
		name string
		text string
		want want
	}{
		{
			name: "Category is the fandom, Genre the freeform tags",
			text: fffText("Category: Harry Potter - J. K. Rowling\nGenre: Angst, Hurt/Comfort, Major Character Death\nLanguage: English\n"+
				"Characters: Harry Potter, Draco Malfoy\nRelationships: Harry Potter/Draco Malfoy\nStatus: Completed\nPackaged: 2020-01-02 10:11:12\n"+
				"Rating: Mature\nWarnings: Graphic Depictions Of Violence, Rape/Non-Con\n", "\n\n        Chapter 1\n\n\nStory text.\n\n\nEnd file.\n"),
			want: want{title: "A Story", authors: []string{"Some Author"}, rating: "mature", ratingRaw: "Mature", system: "ao3", status: "declared",
				warnings: []string{"violence", "death", "sexual-abuse"},
				raw:      []string{"Major Character Death", "Graphic Depictions Of Violence", "Rape/Non-Con"},
				tags:     []string{"Angst", "Hurt/Comfort", "Major Character Death"}, fandoms: []string{"Harry Potter - J. K. Rowling"},
				characters: []string{"Harry Potter", "Draco Malfoy"}, relationships: []string{"Harry Potter/Draco Malfoy"},
				bodyLine: 26, body: "        Chapter 1\r\n"},
		},
		{
			name: "unindented continuation lines at 78 columns, a word broken at its hyphen",
			text: fffText("Genre: M/M, Angst, Hurt/Comfort, Auror Harry Potter, Nightmares, Ghosts, Self-\nHarm, Post-War, Slow Burn\n"+
				"Summary: Three years after the war, Grimmauld Place still will not let anyone\nsleep through the night.\n", "Chapter 1\n"),
			want: want{title: "A Story", authors: []string{"Some Author"}, status: "declared", warnings: []string{"self-harm", "other-mental-health"},
				raw:     []string{"Nightmares", "Self-Harm"},
				tags:    []string{"M/M", "Angst", "Hurt/Comfort", "Auror Harry Potter", "Nightmares", "Ghosts", "Self-Harm", "Post-War", "Slow Burn"},
				summary: "Three years after the war, Grimmauld Place still will not let anyone sleep through the night.", bodyLine: 19, body: "Chapter 1"},
		},
		{
			name: "a label-like line after a long line continues it",
			text: fffText("Summary: When the harbour freezes over for the first time in a hundred years,\nWarning: nobody is who they say.\n", "Chapter 1\n"),
			want: want{title: "A Story", authors: []string{"Some Author"}, status: "missing",
				summary: "When the harbour freezes over for the first time in a hundred years, Warning: nobody is who they say.", bodyLine: 17, body: "Chapter 1"},
		},
		{
			name: "a summary of two paragraphs",
			text: fffText("Summary: One.\n\nTwo.\n", "        Chapter 1\n"),
			want: want{title: "A Story", authors: []string{"Some Author"}, status: "missing", summary: "One. Two.", bodyLine: 18, body: "        Chapter 1"},
		},
		{
			name: "the table of contents is skipped",
			text: fffText("Rating: T\n", "\n\nTABLE OF CONTENTS\n\n\n1. Start\n\n2. End\n\n\n\n\n        1. Start\n\n\n\nText.\n"),
			want: want{title: "A Story", authors: []string{"Some Author"}, rating: "teen", ratingRaw: "T", system: "fictionratings", status: "missing",
				bodyLine: 28, body: "        1. Start\r\n"},
		},
		{
			name: "one marker and the closing End file.",
			text: strings.ReplaceAll("Title\r\nby A\r\n\r\nCategory: Bleach\r\nGenre: Angst\r\nPackaged: 2020-01-01 00:00:00\r\n\r\n\r\n\r\nText.\r\n\r\nEnd file.\r\n", "\r\n", "\n"),
			want: want{title: "Title", authors: []string{"A"}, status: "missing", tags: []string{"Angst"}, fandoms: []string{"Bleach"},
				bodyLine: 10, body: "Text."},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Parse(tc.text)
			checkStr(t, "layout", r.Layout, LayoutFanFicFare)
			checkResult(t, tc.text, r, tc.want)
		})
	}
}

// TestParseLayoutsNotTaken lists texts that look a little like the AO3 or
// FanFicFare layouts and must stay free-form headers, read as before.
func TestParseLayoutsNotTaken(t *testing.T) {
	tests := []struct {
		name string
		text string
		want want
	}{
		{
			name: "two labels with values on their own lines, no Posted line",
			text: "Rating:\n  R\nWarnings:\n  blood\n\nBody.\n",
			want: want{rating: "mature", ratingRaw: "R", system: "mpaa", status: "declared", warnings: []string{"blood-gore"},
				raw: []string{"blood"}, bodyLine: 6, body: "Body."},
		},
		{
			name: "one FanFicFare marker without End file.",
			text: "Title: Harbour\nStory URL: http://example.org/1\nCategory: Slash\n\nBody.\n",
			want: want{title: "Harbour", status: "missing", tags: []string{"Slash"}, bodyLine: 5, body: "Body."},
		},
		{
			// An author's tags warn wherever they are written.
			name: "Additional Tags in a hand-written header declare what they name",
			text: "Title: Harbour\nAdditional Tags: Self-Harm, Angst\n\nBody.\n",
			want: want{title: "Harbour", status: "declared", warnings: []string{"self-harm"}, raw: []string{"Self-Harm"},
				tags: []string{"Self-Harm", "Angst"}, bodyLine: 4, body: "Body."},
		},
		{
			name: "a Posted line without AO3 labels after it",
			text: "Title: Harbour\nPosted originally on the Archive of Our Own at http://archiveofourown.org/works/1.\n\nBody.\n",
			want: want{title: "Harbour", status: "missing", bodyLine: 2, body: "Posted originally"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Parse(tc.text)
			checkStr(t, "layout", r.Layout, LayoutFreeForm)
			checkResult(t, tc.text, r, tc.want)
		})
	}
}

func TestParseFanFicFareFields(t *testing.T) {
	text := fffText("Status: Completed\nReviews: 12\nAuthor URL:\nhttps://archiveofourown.org/users/someone/pseuds/someone_with_a_long_pseud_name\n"+
		"Extra Tags: FanFiction\nWords: 12,345\n", "Chapter 1\n")
	r := Parse(text)
	got := map[string]string{}
	for _, f := range r.Fields {
		got[f.Label] = f.Key + "=" + f.Value
	}
	for label, want := range map[string]string{
		"Status":     "other=Completed",
		"Reviews":    "other=12",
		"Author URL": "other=https://archiveofourown.org/users/someone/pseuds/someone_with_a_long_pseud_name",
		"Extra Tags": "other=FanFiction",
		"Words":      "words=12,345",
		"Publisher":  "other=archiveofourown.org",
	} {
		if got[label] != want {
			t.Errorf("field %q = %q, want %q", label, got[label], want)
		}
	}
	if slices.Contains(r.Declared.Tags, "FanFiction") {
		t.Errorf("tags %q hold the downloader's extra tags", r.Declared.Tags)
	}
}

// TestParseFanFicFareLongTOC checks a table of contents longer than the
// lines the header parser scans.
func TestParseFanFicFareLongTOC(t *testing.T) {
	var toc, chapters strings.Builder
	for i := 1; i <= 600; i++ {
		fmt.Fprintf(&toc, "\n%d. Chapter title number %d\n", i, i)
		fmt.Fprintf(&chapters, "\n\n        %d. Chapter title number %d\n\n\nText of chapter %d.\n", i, i, i)
	}
	text := fffText("Rating: T\n", "\n\nTABLE OF CONTENTS\n\n"+toc.String()+"\n"+chapters.String()+"\n\nEnd file.\n")
	r := Parse(text)
	checkStr(t, "layout", r.Layout, LayoutFanFicFare)
	if body := text[r.BodyByte:]; !strings.HasPrefix(body, "        1. Chapter title number 1\r\n\r\n\r\nText of chapter 1.") {
		t.Errorf("body starts %q", head(body))
	}
	if got := lineOf(text, r.BodyByte); got != r.BodyLine {
		t.Errorf("BodyByte %d is on line %d, BodyLine says %d", r.BodyByte, got, r.BodyLine)
	}
}

func TestFreeformWarnings(t *testing.T) {
	tests := []struct {
		tag             string
		labels, negated []string
	}{
		{"Self-Harm", []string{"self-harm"}, nil},
		{"Suicidal Thoughts", []string{"suicide"}, nil},
		{"Underage", []string{"child-abuse"}, nil},
		{"Major Character Death", []string{"death"}, nil},
		{"Implied/Referenced Self-Harm", []string{"self-harm"}, nil},
		{"Implied/Referenced Rape/Non-con", []string{"sexual-abuse"}, nil},
		{"Period-Typical Homophobia", []string{"homophobia"}, nil},
		{"Canon-Typical Violence", []string{"violence"}, nil},
		{"Non-Graphic Violence", []string{"violence"}, nil},
		{"Self-Harm Scars", []string{"self-harm"}, nil},
		{"Rape Recovery", []string{"sexual-abuse"}, nil},
		{"Suicide Ideation", []string{"suicide"}, nil},
		{"Fluff and Smut", []string{"pornography"}, nil},
		{"Blood and Injury", []string{"blood-gore"}, nil},
		{"Self-Harm/Suicide", []string{"self-harm", "suicide"}, nil},
		{"Violence (mild)", []string{"violence"}, nil},
		{"No Character Death", nil, []string{"death"}},
		{"No Major Character Death", nil, []string{"death"}},
		{"Alternate Universe - Everyone Lives/Nobody Dies", nil, []string{"death"}},
		{"Nobody Dies", nil, []string{"death"}},
		// Names, tropes and settings that hold a warning word.
		{"Death Eater Draco Malfoy", nil, nil},
		{"Death Eaters", nil, nil},
		{"Murder Husbands", nil, nil},
		{"No Beta We Die Like Men", nil, nil},
		{"Post-War", nil, nil},
		{"Violence Against Women", []string{"violence", "sexism"}, nil}, // the table: the rules alone miss it (no head term)
		// Not warnings at all.
		{"Angst", nil, nil},
		{"Hurt/Comfort", nil, nil},
		{"M/M", nil, nil},
		{"None", nil, nil},
		{"No Archive Warnings Apply", nil, nil},
		{"(Violence)", nil, nil},
		{"", nil, nil},
	}
	tx := taxonomy.Default()
	for _, tc := range tests {
		labels, negated := freeformWarnings(tx, tc.tag)
		if !sameLabels(labels, tc.labels) || !sameLabels(negated, tc.negated) {
			t.Errorf("freeformWarnings(%q) = %q, negated %q; want %q, negated %q", tc.tag, labels, negated, tc.labels, tc.negated)
		}
	}
}

func sameLabels(a, b []string) bool { return len(a) == 0 && len(b) == 0 || slices.Equal(a, b) }

// TestBuildFreeformStates pins how freeform tags combine with the state of
// the archive warnings.
func TestBuildFreeformStates(t *testing.T) {
	tests := []struct {
		name                string
		warnings, freeform  string // "" leaves the field out
		status              taxonomy.WarningState
		labels, raw, negate []string
		tags                []string
	}{
		{"none apply and a warning tag", "No Archive Warnings Apply", "Self-Harm, Angst", "declared",
			[]string{"self-harm"}, []string{"No Archive Warnings Apply", "Self-Harm"}, nil, []string{"Self-Harm", "Angst"}},
		{"chose not to warn and a warning tag", "Creator Chose Not To Use Archive Warnings", "Suicidal Thoughts", "chose-not-to-warn",
			[]string{"suicide"}, []string{"Creator Chose Not To Use Archive Warnings", "Suicidal Thoughts"}, nil, []string{"Suicidal Thoughts"}},
		{"chose not to warn and tags that warn of nothing", "Choose Not To Use Archive Warnings", "Angst, Slow Burn", "chose-not-to-warn",
			nil, []string{"Choose Not To Use Archive Warnings"}, nil, []string{"Angst", "Slow Burn"}},
		{"none apply and a negation", "No Archive Warnings Apply", "No Character Death", "none-apply",
			nil, []string{"No Archive Warnings Apply", "No Character Death"}, []string{"death"}, []string{"No Character Death"}},
		{"chose not to warn beside archive warnings", "Creator Chose Not To Use Archive Warnings, Major Character Death", "", "chose-not-to-warn",
			[]string{"death"}, []string{"Creator Chose Not To Use Archive Warnings", "Major Character Death"}, nil, nil},
		{"none apply and chose not to warn", "No Archive Warnings Apply, Creator Chose Not To Use Archive Warnings", "", "chose-not-to-warn",
			nil, []string{"No Archive Warnings Apply", "Creator Chose Not To Use Archive Warnings"}, nil, nil},
		{"archive warnings and warning tags", "Graphic Depictions Of Violence", "Blood and Gore, Violence", "declared",
			[]string{"violence", "blood-gore"}, []string{"Graphic Depictions Of Violence", "Blood and Gore", "Violence"}, nil,
			[]string{"Blood and Gore", "Violence"}},
		{"no warnings field, a warning tag", "", "Self-Harm", "declared",
			[]string{"self-harm"}, []string{"Self-Harm"}, nil, []string{"Self-Harm"}},
		{"no warnings field, a negation only", "", "No Character Death", "missing",
			nil, []string{"No Character Death"}, []string{"death"}, []string{"No Character Death"}},
		{"no warnings field, no warning tag", "", "Angst", "missing", nil, nil, nil, []string{"Angst"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var fields []Field
			if tc.warnings != "" {
				fields = append(fields, Field{Key: KeyWarnings, Value: tc.warnings})
			}
			fields = append(fields, Field{Key: KeyFreeform, Value: tc.freeform})
			d := Build(fields)
			checkStr(t, "warning_status", d.WarningStatus, tc.status)
			checkList(t, "declared_warnings", d.DeclaredWarnings, tc.labels)
			checkList(t, "declared_warnings_raw", d.DeclaredWarningsRaw, tc.raw)
			checkList(t, "negated_warnings", d.NegatedWarnings, tc.negate)
			checkList(t, "tags", d.Tags, tc.tags)
			checkList(t, "unmapped_warnings", d.UnmappedWarnings, nil)
		})
	}
}

func TestJoinWrapped(t *testing.T) {
	tests := []struct {
		parts []string
		want  string
	}{
		{[]string{"Angst, Eventual Happy", "Ending"}, "Angst, Eventual Happy Ending"},
		{[]string{"Angst, Self-", "Harm"}, "Angst, Self-Harm"},
		{[]string{"Alternate Universe -", "Modern Setting"}, "Alternate Universe - Modern Setting"},
		{[]string{"Geralt/", "Jaskier"}, "Geralt/Jaskier"},
		{[]string{"", "https://example.org/u/x"}, "https://example.org/u/x"},
		{[]string{"  one  ", "", " two"}, "one two"},
		{nil, ""},
	}
	for _, tc := range tests {
		if got := joinWrapped(tc.parts); got != tc.want {
			t.Errorf("joinWrapped(%q) = %q, want %q", tc.parts, got, tc.want)
		}
	}
}

// TestParseHugeFreeformValue reads a freeform value of many words with no
// comma: the work must stay linear in its length. A header ends before a
// line that runs to byte MaxHeaderLine, as it does in a streamed story, of
// which only that much is looked at.
func TestParseHugeFreeformValue(t *testing.T) {
	text := ao3Text("Archive Warnings:\n    No Archive Warnings Apply\nAdditional Tags:\n    "+strings.Repeat("angst ", 150000)+"self harm\n", "It rained.\n")
	r := Parse(text)
	checkStr(t, "layout", r.Layout, LayoutAO3)
	checkList(t, "declared_warnings", r.Declared.DeclaredWarnings, []string{"self-harm"})

	story := strings.Repeat("He walked to the harbour in the rain. ", MaxHeaderLine/38+1)
	for _, tc := range []struct {
		name, text string
		body       int
	}{
		{"a story on one line after a note", "Author's note: " + story, 0},
		{"a title, then the story on one line", "Title: Rain\n\n" + "A/N: " + story, len("Title: Rain\n")},
		{"a note, then the story on one line", "Author's note:\n" + story, len("Author's note:\n")},
	} {
		if r := Parse(tc.text); r.BodyByte != tc.body {
			t.Errorf("%s: body at byte %d, want %d", tc.name, r.BodyByte, tc.body)
		}
	}
}

func TestWordCount(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"214", 214, true}, {"1,480", 1480, true}, {"12 163", 12163, true}, {"2.500", 2500, true},
		{"1,480 words", 1480, true}, {"12.5k", 0, false}, {"about 2000", 0, false}, {"", 0, false},
	}
	for _, tc := range tests {
		got, ok := wordCount(tc.in)
		if ok != tc.ok || ok && got != tc.want {
			t.Errorf("wordCount(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}
