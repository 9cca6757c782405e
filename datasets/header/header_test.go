package header

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/taxonomy"
)

// want lists what a test checks; nil slices and empty strings are checked
// too (an unexpected value is as wrong as a missing one), except body, which
// is a prefix of the expected body.
type want struct {
	title                     string
	authors                   []string
	rating, ratingRaw, system string
	status                    taxonomy.WarningState
	warnings                  []string
	raw                       []string
	unmapped                  []string
	negated                   []string
	tags                      []string
	relationships             []string
	fandoms                   []string
	characters                []string
	summary                   string
	bodyLine                  int
	body                      string
}

func TestParseHeaders(t *testing.T) {
	tests := []struct {
		name string
		text string
		want want
	}{
		{
			name: "mailing-list header in capitals",
			text: "TITLE: Ashes\n\nAUTHOR: Kestrel\n\nRATING: PG-13\n\nWARNINGS: Major character death\n\nSUMMARY: After the fire.\n\nDISCLAIMER: Not mine.\n\nThe house was still smoking when they came back.\n\nNobody spoke.\n",
			want: want{title: "Ashes", authors: []string{"Kestrel"}, rating: "teen", ratingRaw: "PG-13", system: "mpaa",
				status: "declared", warnings: []string{"death"}, raw: []string{"Major character death"},
				summary: "After the fire.", bodyLine: 13, body: "The house was still smoking"},
		},
		{
			name: "several fields inline in one paragraph",
			text: "Rating: NC-17 Disclaimers: They belong to Joss. Summary: Spike comes back wrong. Warnings: torture, non-con, character death\n\nThe crypt was cold.\n",
			want: want{rating: "explicit", ratingRaw: "NC-17", system: "mpaa", status: "declared",
				warnings: []string{"violence", "death", "sexual-abuse"}, raw: []string{"torture", "non-con", "character death"},
				summary: "Spike comes back wrong.", bodyLine: 3, body: "The crypt was cold."},
		},
		{
			name: "bold LiveJournal labels and a separator",
			text: "**Title:** Small Hours\n**Author:** wrenfeather\n**Fandom:** Supernatural\n**Pairing:** Sam/Dean\n**Rating:** R\n**Warnings:** Wincest, blood\n**Word Count:** 3,200\n\n---\n\nThe motel sign buzzed.\n",
			want: want{title: "Small Hours", authors: []string{"wrenfeather"}, fandoms: []string{"Supernatural"},
				relationships: []string{"Sam/Dean"}, rating: "mature", ratingRaw: "R", system: "mpaa", status: "declared",
				warnings: []string{"blood-gore", "incest"}, raw: []string{"Wincest", "blood"}, bodyLine: 11, body: "The motel sign buzzed."},
		},
		{
			name: "title and by-line before the fields, rating with prose",
			text: "The Long Road Home\nby Jane Doe & John Roe\n\nRating: R (though relatively mild)\nPairing: Aziraphale/Crowley\n\nIt rained in Soho.\n",
			want: want{title: "The Long Road Home", authors: []string{"Jane Doe", "John Roe"}, rating: "mature", ratingRaw: "R",
				system: "mpaa", status: "missing", relationships: []string{"Aziraphale/Crowley"}, bodyLine: 7, body: "It rained in Soho."},
		},
		{
			name: "misspelt labels",
			text: "Title: Toll\nRaiting: Mature\nWarnigns: Graphic Depictions Of Violence\n\nThe gate fell at dawn.\n",
			want: want{title: "Toll", rating: "mature", ratingRaw: "Mature", system: "ao3", status: "declared",
				warnings: []string{"violence"}, raw: []string{"Graphic Depictions Of Violence"}, bodyLine: 5, body: "The gate fell at dawn."},
		},
		{
			name: "labels in German",
			text: "Titel: Zoll\nBewertung: Mature\nWarnungen: Graphic Depictions Of Violence\n\nDas Tor fiel im Morgengrauen.\n",
			want: want{title: "Zoll", rating: "mature", ratingRaw: "Mature", system: "ao3", status: "declared",
				warnings: []string{"violence"}, raw: []string{"Graphic Depictions Of Violence"}, bodyLine: 5, body: "Das Tor fiel"},
		},
		{
			name: "a story line one letter from a label is story",
			text: "Dating: a disaster, as ever.\nShe had tried the apps.\n",
			want: want{status: "missing", bodyLine: 1, body: "Dating: a disaster"},
		},
		{
			name: "review replies before the header",
			text: "A/N: Thanks for the reviews!\n\nmoonfish- yes, he will be back!\n\nLaurel- glad you liked it :)\n\nTitle: Glass\nRating: Rated M for language\nWarnings: none\n\nShe woke to the sound of glass.\n",
			want: want{title: "Glass", rating: "mature", ratingRaw: "M", system: "fictionratings", status: "none-apply",
				raw: []string{"none"}, bodyLine: 11, body: "She woke to the sound"},
		},
		{
			name: "wrapped summary continues on the next lines",
			text: "Title: Winter Palace\nSummary: In the last winter of the war, a quartermaster and a spy trade\nsecrets across a frozen river, and neither of them means to be caught.\nRating: T\n\nSnow fell on the river.\n",
			want: want{title: "Winter Palace", rating: "teen", ratingRaw: "T", system: "fictionratings", status: "missing",
				summary:  "In the last winter of the war, a quartermaster and a spy trade secrets across a frozen river, and neither of them means to be caught.",
				bodyLine: 6, body: "Snow fell on the river."},
		},
		{
			name: "bulleted warnings under an empty label",
			text: "Title: Drift\nWarnings:\n- self-harm\n- suicidal thoughts\n- panic attacks\n\nThe ocean was grey.\n",
			want: want{title: "Drift", status: "declared", warnings: []string{"self-harm", "suicide", "mental-illness"},
				raw: []string{"self-harm", "suicidal thoughts", "panic attacks"}, bodyLine: 7, body: "The ocean was grey."},
		},
		{
			name: "negated warnings do not declare",
			text: "Warnings: no character death; violence (but not graphic); no rape\n\nThey fought at dawn.\n",
			want: want{status: "declared", warnings: []string{"violence"}, negated: []string{"death", "sexual-abuse"},
				raw: []string{"no character death", "violence (but not graphic)", "no rape"}, bodyLine: 3, body: "They fought at dawn."},
		},
		{
			name: "death but not someone",
			text: "Warnings: death (but not Sherlock), blood\n\nThe body lay on the floor.\n",
			want: want{status: "declared", warnings: []string{"death", "blood-gore"},
				raw: []string{"death (but not Sherlock)", "blood"}, bodyLine: 3, body: "The body lay"},
		},
		{
			name: "AO3 chose not to warn",
			text: "Rating: Explicit\nArchive Warning: Creator Chose Not To Use Archive Warnings\n\nIt began in June.\n",
			want: want{rating: "explicit", ratingRaw: "Explicit", system: "ao3", status: "chose-not-to-warn",
				raw: []string{"Creator Chose Not To Use Archive Warnings"}, bodyLine: 4, body: "It began in June."},
		},
		{
			name: "read at your own risk",
			text: "Warnings: read at your own risk\n\nIt began in June.\n",
			want: want{status: "chose-not-to-warn", raw: []string{"read at your own risk"}, bodyLine: 3, body: "It began in June."},
		},
		{
			name: "no archive warnings apply",
			text: "Rating: General Audiences\nArchive Warnings: No Archive Warnings Apply\n\nTea, at last.\n",
			want: want{rating: "general", ratingRaw: "General Audiences", system: "ao3", status: "none-apply",
				raw: []string{"No Archive Warnings Apply"}, bodyLine: 4, body: "Tea, at last."},
		},
		{
			name: "header ends where the story begins",
			text: "Title: Morning\nRating: PG\nHarry walked into the kitchen and sat down.\nRon was already eating.\n",
			want: want{title: "Morning", rating: "general", ratingRaw: "PG", system: "mpaa", status: "missing",
				bodyLine: 3, body: "Harry walked into the kitchen"},
		},
		{
			name: "TW and CW labels",
			text: "TW: self harm, blood\nCW: mentions of suicide\n\nThe bathroom light flickered.\n",
			want: want{status: "declared", warnings: []string{"blood-gore", "self-harm", "suicide"},
				raw: []string{"self harm", "blood", "mentions of suicide"}, bodyLine: 4, body: "The bathroom light"},
		},
		{
			name: "no header at all",
			text: "The war had been over for a year.\n\nNobody said: \"Rating.\"\n",
			want: want{status: "missing", bodyLine: 1, body: "The war had been over"},
		},
		{
			// AO3 chapter text with the end notes pasted after it: the
			// "Notes:" line is in the story, not a header above it.
			name: "end notes after paragraphs of prose",
			text: "\u201cI love you\u201d, those three little words can turn your life around, just as they did to the world of a boy who had never heard them said and did not know what to do with them once he had.\n\n" +
				"He stood on a street corner, handing leaflets to strangers who barely even saw he existed, his life a grey procession of days until a man in an immaculate suit stopped and took one.\n\n" +
				"Notes:\n\nThis was a vent-fic. I had to get some feelings out.\n",
			want: want{status: "missing", bodyLine: 1, body: "\u201cI love you\u201d"},
		},
		{
			name: "chapter heading after the header belongs to the body",
			text: "Title: Salt\nRating: NC-17, and I mean it\n\nChapter 1: Tide\n\nThe sea came in.\n",
			want: want{title: "Salt", rating: "explicit", ratingRaw: "NC-17", system: "mpaa", status: "missing",
				bodyLine: 4, body: "Chapter 1: Tide"},
		},
		{
			name: "warnings split on slashes, and, also",
			text: "Warnings: rape/murder and torture. Also: major character death\n\nNight.\n",
			want: want{status: "declared", warnings: []string{"violence", "death", "sexual-abuse"},
				raw: []string{"rape/murder", "torture", "major character death"}, bodyLine: 3, body: "Night."},
		},
		{
			name: "phrases that are not warnings go to tags",
			text: "Warning(s): slash, M/M, AU, OOC, SPOILER WARNING for season 3, crossover\n\nOnce.\n",
			want: want{status: "declared", tags: []string{"slash", "M/M", "AU", "OOC", "spoilers", "crossover"},
				raw: []string{"slash", "M/M", "AU", "OOC", "SPOILER WARNING for season 3", "crossover"}, bodyLine: 3, body: "Once."},
		},
		{
			name: "unmapped phrases are kept",
			text: "Warnings: the usual, Dean being Dean\n\nOnce.\n",
			want: want{status: "declared", raw: []string{"the usual", "Dean being Dean"},
				unmapped: []string{"the usual", "Dean being Dean"}, bodyLine: 3, body: "Once."},
		},
		{
			name: "author's note between fields, over paragraphs",
			text: "Title: Embers\nAuthor's Note: This took forever.\n\nThanks to my beta, who is a saint.\n\nAnd to everyone who left kudos.\n\nRating: M\nContent Warning(s): domestic violence\n\nThe door slammed.\n",
			want: want{title: "Embers", rating: "mature", ratingRaw: "M", system: "fictionratings", status: "declared",
				warnings: []string{"abuse"}, raw: []string{"domestic violence"}, bodyLine: 11, body: "The door slammed."},
		},
		{
			name: "fandom, characters, keywords and category",
			text: "Fandom: Good Omens, Discworld\nCharacters: Aziraphale, Crowley, Death\nCategory: Slash, Romance\nKeywords: angels; demons\n\nIn the beginning.\n",
			want: want{status: "missing", fandoms: []string{"Good Omens", "Discworld"}, characters: []string{"Aziraphale", "Crowley", "Death"},
				tags: []string{"Slash", "Romance", "angels", "demons"}, bodyLine: 6, body: "In the beginning."},
		},
		{
			name: "CRLF line endings",
			text: "Title: Crlf\r\nRating: G\r\n\r\nBody line one.\r\nBody line two.\r\n",
			want: want{title: "Crlf", rating: "general", ratingRaw: "G", system: "mpaa", status: "missing", bodyLine: 4, body: "Body line one."},
		},
		{
			name: "lone CR line endings",
			text: "Title: Old Mac\rRating: PG-13\r\rBody line one.\rBody line two.\r",
			want: want{title: "Old Mac", rating: "teen", ratingRaw: "PG-13", system: "mpaa", status: "missing", bodyLine: 4, body: "Body line one."},
		},
		{
			name: "colons in the story are not fields",
			text: "Title: Lists\n\n\"Note: bring milk,\" she wrote.\nHe read it twice.\nThen he said: fine.\nShe laughed.\nWarning: the stove was on.\n",
			want: want{title: "Lists", status: "missing", bodyLine: 3, body: "\"Note: bring milk,\""},
		},
		{
			name: "rating bracketed, dash separator",
			text: "Title - Rooftops\nRating - [PG-13]\nWarnings - language\n\nWind.\n",
			want: want{title: "Rooftops", rating: "teen", ratingRaw: "PG-13", system: "mpaa", status: "declared",
				warnings: []string{"abusive-language"}, raw: []string{"language"}, bodyLine: 5, body: "Wind."},
		},
		{
			name: "fan rated and warnings and rants",
			text: "Title: Echo\nRated: FRAO\nWarnings and rants: dub-con; bondage. I don't apologise.\n\n~*~*~*~\n\nEcho ran.\n",
			want: want{title: "Echo", rating: "explicit", ratingRaw: "FRAO", system: "fanrated", status: "declared",
				warnings: []string{"sexual-abuse", "other-sexual"}, raw: []string{"dub-con", "bondage", "I don't apologise"},
				unmapped: []string{"I don't apologise"}, bodyLine: 7, body: "Echo ran."},
		},
		{
			// A closing note after a short story: the header does not
			// read on over the story to reach it, and leave no story (a
			// walkthrough's drabble, NOT CHECKED). The note stays declared.
			name: "a drabble with a closing note",
			text: "Title: Red Harbour\nRating: T\nWarnings: none\n\nHe drew the knife and stabbed the guard.\n\nThen she beat the second guard to death.\n\nA/N: Please review!\n",
			want: want{title: "Red Harbour", rating: "teen", ratingRaw: "T", system: "fictionratings", status: "none-apply", raw: []string{"none"},
				bodyLine: 5, body: "He drew the knife"},
		},
		{
			// The line's closing bracket is not the last value's.
			name: "a header line in brackets",
			text: "[Rated: T | Warnings: none | Pairing: Arthur/Merlin]\n\nThe lake was still.\n",
			want: want{rating: "teen", ratingRaw: "T", system: "fictionratings", status: "none-apply", raw: []string{"none"},
				relationships: []string{"Arthur/Merlin"}, bodyLine: 3, body: "The lake was still."},
		},
		{
			// Pointers to the tags and notes, and how graphic the work
			// is, declare nothing and are not "not understood".
			name: "warnings that point to the tags",
			text: "Title: Quiet\nRating: T\nWarnings: None. See tags for details; no graphic content\n\nRain.\n",
			want: want{title: "Quiet", rating: "teen", ratingRaw: "T", system: "fictionratings", status: "none-apply",
				raw: []string{"None", "See tags for details", "no graphic content"}, bodyLine: 5, body: "Rain."},
		},
		{
			// Three dots after a label word are prose's, not a leader.
			name: "an ellipsis after a label word",
			text: "Summary... that was what the report needed, and he had none.\nHe sighed.\n",
			want: want{status: "missing", bodyLine: 1, body: "Summary... that was"},
		},
		{
			// A cell of a warnings list with a label of its own is more
			// of the list.
			name: "a labelled cell after warnings",
			text: "Rating: M | Warnings: violence | implied: non-con\n\nThe tide came in.\n",
			want: want{rating: "mature", ratingRaw: "M", system: "fictionratings", status: "declared",
				warnings: []string{"violence", "sexual-abuse"}, raw: []string{"violence", "implied: non-con"}, bodyLine: 3, body: "The tide came in."},
		},
		{
			// A warning written as a sentence under a title is the
			// author's: a header.
			name: "a warning sentence under a title",
			text: "Quiet Hours\n\nWarning: this one is a little dark so please be careful reading.\n\nThe tide came in.\n",
			want: want{title: "Quiet Hours", status: "declared", raw: []string{"this one is a little dark so please be careful reading"},
				unmapped: []string{"this one is a little dark so please be careful reading"}, bodyLine: 5, body: "The tide came in."},
		},
		{
			// A sentence of the story that starts with "Warning:" is no
			// header, and the line above it no title.
			name: "a warning told in the story",
			text: "He walked along the beach at dusk.\nWarning: the sign on the pier said the water was dangerous.\nHe went in anyway.\n",
			want: want{status: "missing", bodyLine: 1, body: "He walked along"},
		},
		{
			// Each field in its own brackets, on one line.
			name: "bracketed fields on one line",
			text: "[Warnings: MCD] [Rating: M]\n[Title: Tide][Pairing: A/B]\n\nThe tide came in.\n",
			want: want{title: "Tide", rating: "mature", ratingRaw: "M", system: "fictionratings", status: "declared",
				warnings: []string{"death"}, raw: []string{"MCD"}, relationships: []string{"A/B"}, bodyLine: 4, body: "The tide came in."},
		},
		{
			// A field tagger does not know is a cell of its own, not
			// more of the rating before it.
			name: "bar-separated fields with unknown labels",
			text: "rating: m | wc: 2k | pairing: x | au: modern\n\nThe tide came in.\n",
			want: want{rating: "mature", ratingRaw: "m", system: "fictionratings", status: "missing",
				relationships: []string{"x"}, bodyLine: 3, body: "The tide came in."},
		},
		{
			// Dot leaders, as in a table of contents; prose with an
			// ellipsis after a word that is no label stays prose.
			name: "dot leaders",
			text: "  by: nightjar\n  rated ...... M\n  content notes……graphic violence | major character death\n\nWell... the soldiers came at dawn.\n",
			want: want{authors: []string{"nightjar"}, rating: "mature", ratingRaw: "M", system: "fictionratings", status: "declared",
				warnings: []string{"violence", "death"}, raw: []string{"graphic violence", "major character death"}, bodyLine: 5, body: "Well... the soldiers"},
		},
		{
			// As the README's table of warning states says.
			name: "warnings that only rule out are missing",
			text: "Title: Q\nWarnings: No Character Death; slash\n\nRain.\n",
			want: want{title: "Q", status: "missing", raw: []string{"No Character Death", "slash"}, negated: []string{"death"},
				tags: []string{"slash"}, bodyLine: 4, body: "Rain."},
		},
		{
			name: "unreadable rating keeps its raw text",
			text: "Rating: ask your mum\n\nStory.\n",
			want: want{ratingRaw: "ask your mum", status: "missing", bodyLine: 3, body: "Story."},
		},
		{
			name: "empty warnings field is missing",
			text: "Title: Blank\nWarnings:\n\nOnce upon a time.\n",
			want: want{title: "Blank", status: "missing", bodyLine: 4, body: "Once upon a time."},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Parse(tc.text)
			checkResult(t, tc.text, r, tc.want)
			checkStr(t, "layout", r.Layout, LayoutFreeForm)
		})
	}
}

// checkResult checks a parse of text against w.
func checkResult(t *testing.T, text string, r Result, w want) {
	t.Helper()
	d := r.Declared
	checkStr(t, "title", d.Title, w.title)
	checkList(t, "authors", d.Authors, w.authors)
	checkStr(t, "declared_rating", d.DeclaredRating, w.rating)
	checkStr(t, "declared_rating_raw", d.DeclaredRatingRaw, w.ratingRaw)
	checkStr(t, "rating_system", d.RatingSystem, w.system)
	checkStr(t, "warning_status", d.WarningStatus, w.status)
	checkList(t, "declared_warnings", d.DeclaredWarnings, w.warnings)
	checkList(t, "declared_warnings_raw", d.DeclaredWarningsRaw, w.raw)
	checkList(t, "unmapped_warnings", d.UnmappedWarnings, w.unmapped)
	checkList(t, "negated_warnings", d.NegatedWarnings, w.negated)
	checkList(t, "tags", d.Tags, w.tags)
	checkList(t, "relationships", d.Relationships, w.relationships)
	checkList(t, "fandoms", d.Fandoms, w.fandoms)
	checkList(t, "characters", d.Characters, w.characters)
	checkStr(t, "summary", d.Summary, w.summary)
	if r.BodyLine != w.bodyLine {
		t.Errorf("BodyLine = %d, want %d", r.BodyLine, w.bodyLine)
	}
	if body := text[r.BodyByte:]; !strings.HasPrefix(body, w.body) {
		t.Errorf("body starts %q, want %q", head(body), w.body)
	}
	if got := lineOf(text, r.BodyByte); got != r.BodyLine {
		t.Errorf("BodyByte %d is on line %d, BodyLine says %d", r.BodyByte, got, r.BodyLine)
	}
}

func TestBuildFromStructuredFields(t *testing.T) {
	d := Build([]Field{
		{Key: KeyRating, Value: "Mature"},
		{Key: KeyWarnings, Value: "Graphic Depictions Of Violence"},
		{Key: KeyWarnings, Value: "Rape/Non-Con"},
		{Key: KeyAuthor, Value: "someone"},
		{Key: KeyTags, Value: "Angst"},
		{Key: KeyTags, Value: "Hurt/Comfort"},
	})
	checkStr(t, "declared_rating", d.DeclaredRating, "mature")
	checkStr(t, "rating_system", d.RatingSystem, "ao3")
	checkStr(t, "warning_status", d.WarningStatus, "declared")
	checkList(t, "declared_warnings", d.DeclaredWarnings, []string{"violence", "sexual-abuse"})
	checkList(t, "declared_warnings_raw", d.DeclaredWarningsRaw, []string{"Graphic Depictions Of Violence", "Rape/Non-Con"})
	checkList(t, "tags", d.Tags, []string{"Angst", "Hurt/Comfort"})
	checkList(t, "authors", d.Authors, []string{"someone"})

	// Items of a structured list are kept whole; a list written as one
	// value is split and trimmed.
	items := Build([]Field{
		{Key: KeyCharacters, Value: "Bartemius Crouch Jr.", Item: true},
		{Key: KeyFreeform, Value: "Sickness; and fainting", Item: true},
		{Key: KeyRelationships, Value: "Harmony & Co.", Item: true},
		{Key: KeyFreeform, Value: "angst; fluff."},
	})
	checkList(t, "characters", items.Characters, []string{"Bartemius Crouch Jr."})
	checkList(t, "tags", items.Tags, []string{"Sickness; and fainting", "angst", "fluff"})
	checkList(t, "relationships", items.Relationships, []string{"Harmony & Co."})

	empty := Build(nil)
	if empty.WarningStatus != "missing" || empty.DeclaredWarnings == nil || empty.Tags == nil {
		t.Errorf("Build(nil) = %+v: want status missing and non-nil lists", empty)
	}
}

func TestParseHugeSingleLine(t *testing.T) {
	// A story with no line breaks must not be scanned past the header limit.
	text := "Rating: R\n" + strings.Repeat("word ", 1<<20)
	r := Parse(text)
	if r.Declared.DeclaredRating != "mature" || r.BodyLine != 2 || r.BodyByte != len("Rating: R\n") {
		t.Errorf("got rating %q body line %d byte %d", r.Declared.DeclaredRating, r.BodyLine, r.BodyByte)
	}
}

func TestParseHeaderOnly(t *testing.T) {
	text := "Title: Nothing Else\nRating: G"
	r := Parse(text)
	if r.BodyByte != len(text) || text[r.BodyByte:] != "" {
		t.Errorf("header-only text: body byte %d of %d", r.BodyByte, len(text))
	}
}

func checkStr[S ~string](t *testing.T, name string, got, want S) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

func checkList(t *testing.T, name string, got, want []string) {
	t.Helper()
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", name, got, want)
	}
}

func head(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

// lineOf returns the 1-based line of byte offset off, counting \r\n, \r and
// \n as one line break each.
func lineOf(text string, off int) int {
	n := 1
	for i := 0; i < off && i < len(text); i++ {
		switch text[i] {
		case '\n':
			n++
		case '\r':
			if i+1 >= len(text) || text[i+1] != '\n' {
				n++
			}
		}
	}
	return n
}

// The quick look for a header's start agrees with the full parse on every
// fixture: the seeds, the text formats, the layouts, and the same texts
// with prose put before them.
func TestHeaderStartAgrees(t *testing.T) {
	var paths []string
	for _, g := range []string{"../../seeds/*.txt", "../testdata/formats/*.txt", "testdata/layouts/*.txt"} {
		m, _ := filepath.Glob(g)
		paths = append(paths, m...)
	}
	if len(paths) < 50 {
		t.Fatalf("only %d fixtures found", len(paths))
	}
	prose := "It was a quiet morning in the harbour town.\n\n"
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{0, 6, 14, 20} {
			text := strings.Repeat(prose, n) + string(b)
			if got, want := Parse(text), parseLines(text); !reflect.DeepEqual(got, want) {
				t.Errorf("%s after %d lines of prose: Parse %+v, full parse %+v", p, n, got.Declared, want.Declared)
			}
		}
	}
}

func TestMisspeltLabel(t *testing.T) {
	for _, c := range []struct {
		label, key string
	}{
		{"Raiting", KeyRating}, {"Ratign", ""}, {"Rateing", KeyRating}, {"Warnigns", KeyWarnings},
		{"Wranings", KeyWarnings}, {"Warnins", KeyWarnings}, {"Archive Warnign", KeyWarnings},
		{"Dating", ""}, {"Waiting", ""}, {"Ratings", KeyRating}, // a label already, found by lineLabel first
		{"Rat", ""}, {"Paintings", ""},
	} {
		key, ok := misspeltLabel(c.label)
		if c.key == "" && ok || c.key != "" && key != c.key {
			t.Errorf("misspeltLabel(%q) = %q, %v; want %q", c.label, key, ok, c.key)
		}
	}
}

func TestParseTrailer(t *testing.T) {
	story := "The gate fell at dawn.\n\nHe broke the man's wrist against the wall and kicked him in the ribs.\n\n"
	for _, c := range []struct {
		name, text string
		ok         bool
		rating     string
		warnings   []string
	}{
		{"after a rule", story + "---\nTitle: Toll\nRating: Mature\nArchive Warning: Graphic Depictions Of Violence\n", true, "mature", []string{"violence"}},
		{"stars and trailing blank lines", story + "* * *\n\nRating: Teen And Up Audiences\nWarnings: none\n\n\n", true, "teen", nil},
		{"a scene break, then more story", story + "***\n\nThe next morning was quiet.\n", false, "", nil},
		{"a scene break, then a line that names a label", story + "***\n\nRating: he had never been one for ratings, she thought, and went on walking for a long while.\nThe sea was grey.\n", false, "", nil},
		{"the last paragraph", story + "\nRating: T\nArchive Warning: No Archive Warnings Apply\n", true, "teen", nil},
		{"one field in the last paragraph is story", story + "Rating: Mature\n", false, "", nil},
		{"the last paragraph runs on from the story", "The gate fell.\nRating: Mature\nWarnings: violence\n", false, "", nil},
		{"fields that declare nothing", story + "---\nTitle: Toll\nAuthor: K\n", false, "", nil},
	} {
		res, end, ok := ParseTrailer(nil, c.text)
		if ok != c.ok {
			t.Errorf("%s: ok %v, want %v", c.name, ok, c.ok)
			continue
		}
		if !ok {
			continue
		}
		if got := c.text[:end]; got != story {
			t.Errorf("%s: story ends at %d: %q", c.name, end, got)
		}
		if res.Declared.DeclaredRating != c.rating || !slices.Equal(res.Declared.DeclaredWarnings, c.warnings) && len(c.warnings) > 0 {
			t.Errorf("%s: rating %q warnings %v, want %q %v", c.name, res.Declared.DeclaredRating, res.Declared.DeclaredWarnings, c.rating, c.warnings)
		}
	}
}
