package header

import (
	"strings"
	"testing"
	"time"

	"github.com/tagger-dev/tagger/taxonomy"
)

func TestCueSpans(t *testing.T) {
	tests := []struct {
		text  string
		mixed bool
		want  []string
	}{
		{text: "Harry's sixth year. TW: self harm, suicidal thoughts", want: []string{"self harm, suicidal thoughts"}},
		{text: "Sad, sorry. (CW: su!cide, s/h) Enjoy!", want: []string{"su!cide, s/h"}},
		{text: "Warnings for gore and some light cursing. Thanks to my beta.", want: []string{"gore and some light cursing"}},
		{text: "TW for this chapter: self-harm, blood.", want: []string{"self-harm, blood"}},
		{text: "tw // panic attacks", want: []string{"panic attacks"}},
		{text: "TW self harm", want: []string{"self harm"}},
		{text: "trigger warnings - rape, violence", want: []string{"rape, violence"}},
		{text: "content note: needles", want: []string{"needles"}},
		{text: "Third in the series. tw:\nkidnapping\na bad injury\n", want: []string{"kidnapping\na bad injury"}},
		{text: "Warnings: MCD? no. Violence? yes.", want: []string{"MCD? no"}},
		{text: "Warnings: None Genres: Humor, Romance", want: []string{"None"}},
		{text: "TW: one. CW: two", want: []string{"one", "two"}},
		// No cue.
		{text: "Set during the CW show's second season."},
		{text: "He gave a warning to the others."},
		{text: "Spoiler warning for the finale: everyone lives."},
		{text: "Spoiler warnings: season five."},
		{text: "the tw word"},
		{text: "Contains self-harm."},
		{text: ""},
		// Where notes and warnings mix, "contains" is a cue.
		{text: "My first fic! Contains self-harm and a panic attack.", mixed: true, want: []string{"self-harm and a panic attack"}},
	}
	for _, tc := range tests {
		var got []string
		for _, s := range cueSpans(tc.text, tc.mixed) {
			got = append(got, tc.text[s.start:s.end])
		}
		checkList(t, "cueSpans("+tc.text+")", got, tc.want)
	}
}

func TestFieldStart(t *testing.T) {
	tests := []struct {
		line, key, value string
	}{
		{"TW: self harm", KeyWarnings, " self harm"},
		{"tw / needles, blood", KeyWarnings, "needles, blood"},
		{"TW self harm/suicide/ED", KeyWarnings, "self harm/suicide/ED"},
		{"Trigger warning for suicide and self-harm", KeyWarnings, "suicide and self-harm"},
		{"TRIGGER WARNING !!", KeyWarnings, ""},
		{"Rated NC-17 for graphic sex", KeyRating, "NC-17 for graphic sex"},
		{"Rated M: violence", KeyRating, "M: violence"},
		{": AU, minor character death", KeyUnlabelled, "AU, minor character death"},
		{"Author notes/warnings: hi", KeyNotesWarnings, " hi"},
		{"Rating/Warnings: R", KeyRating, " R"},
		{"Timeline/Spoilers: after the war", KeySpoilers, " after the war"},
		{"Genre/Warnings: angst", KeyWarnings, " angst"},
		{"Additional warnings: kidnapping", KeyWarnings, " kidnapping"},
		{"Possible triggers: miscarriage", KeyWarnings, " miscarriage"},
		{"Warnings for part two: blood", KeyWarnings, " blood"},
		{"Spoiler warnings for S2: x", KeySpoilers, " x"},
		{"Keywords: MSR", KeyKeywords, " MSR"},
		{"CLASSIFICATION: V, A", KeyKeywords, " V, A"},
		// Story text, not fields.
		{"TW was not a word she knew.", "", ""},
		{"Rated by nobody, the film flopped.", "", ""},
		{"Rated R movies were his favourite.", "", ""},
		{"Rated T", KeyRating, "T"},
		{"Rated PG-13 (language)", KeyRating, "PG-13 (language)"},
		{":) thanks for reading", "", ""},
		{"The warning was clear: run.", "", ""},
		{"Fair warning: it's long.", "", ""},
		{"Warnings were issued to everyone.", "", ""},
		{"R | Warnings: violence", "", ""},
		{"Harry/Draco: a love story", "", ""},
	}
	for _, tc := range tests {
		key, _, value, ok := fieldStart(tc.line)
		if !ok {
			key, value = "", ""
		}
		if key != tc.key || value != tc.value {
			t.Errorf("fieldStart(%q) = %q %q, want %q %q", tc.line, key, value, tc.key, tc.value)
		}
	}
}

// TestBuildProseWarnings checks the warnings that Build finds in summary
// and notes fields, as every reader passes them (AO3 and FanFicFare pages,
// JSONL), and the strictness of that reading.
func TestBuildProseWarnings(t *testing.T) {
	tests := []struct {
		name          string
		fields        []Field
		rating        string
		status        taxonomy.WarningState
		warnings, raw []string
		negated       []string
	}{
		{name: "tw at the end of a summary",
			fields: []Field{{Key: KeySummary, Value: "Harry's sixth year. TW: self harm, suicidal thoughts"}},
			status: "declared", warnings: []string{"self-harm", "suicide"}, raw: []string{"self harm", "suicidal thoughts"}},
		{name: "a cw in the notes beside an archive state",
			fields: []Field{{Key: KeyWarnings, Value: "No Archive Warnings Apply"}, {Key: KeyNotes, Value: "Thanks to my beta!\ncw: brief mention of a parent's death"}},
			status: "declared", warnings: []string{"death"}, raw: []string{"No Archive Warnings Apply", "brief mention of a parent's death"}},
		{name: "a death in a summary without a cue declares nothing",
			fields: []Field{{Key: KeySummary, Value: "After his father's death, Tobias inherits a bookshop."}},
			status: "missing"},
		{name: "a network name is no cue",
			fields: []Field{{Key: KeySummary, Value: "Set during the CW show's second season, when the war begins."}},
			status: "missing"},
		{name: "a spoiler warning is no cue",
			fields: []Field{{Key: KeyNotes, Value: "Spoiler warning for the finale, where the hero dies."}},
			status: "missing"},
		{name: "a joking warning names nothing",
			fields: []Field{{Key: KeyNotes, Value: "Fair warning: pure fluff ahead."}},
			status: "missing"},
		{name: "no warnings, said in the notes",
			fields: []Field{{Key: KeyNotes, Value: "Warnings: none."}},
			status: "none-apply", raw: []string{"none"}},
		{name: "a negation alone leaves the status missing",
			fields: []Field{{Key: KeyNotes, Value: "Warnings: no character death, I promise."}},
			status: "missing", raw: []string{"no character death", "I promise"}, negated: []string{"death"}},
		{name: "Rated M in the summary, with no rating field",
			fields: []Field{{Key: KeySummary, Value: "A fox and a bad bargain. Rated M for violence and lemons."}},
			rating: "mature", status: "declared", warnings: []string{"violence", "pornography"}, raw: []string{"violence", "lemons"}},
		{name: "a rating field outweighs the summary's",
			fields: []Field{{Key: KeyRating, Value: "Teen And Up Audiences"}, {Key: KeySummary, Value: "Rated M for violence."}},
			rating: "teen", status: "declared", warnings: []string{"violence"}, raw: []string{"violence"}},
		{name: "a rating's reasons",
			fields: []Field{{Key: KeyRating, Value: "NC-17 for graphic sex, language and gore"}},
			rating: "explicit", status: "declared", warnings: []string{"abusive-language", "blood-gore", "pornography"},
			raw: []string{"graphic sex", "language", "gore"}},
		{name: "a rating's reasons give way to warnings: none",
			fields: []Field{{Key: KeyRating, Value: "Rated M for language"}, {Key: KeyWarnings, Value: "none"}},
			rating: "mature", status: "none-apply", raw: []string{"none"}},
		{name: "a rating's reasons keep their place among the phrases",
			fields: []Field{{Key: KeyWarnings, Value: "blood"}, {Key: KeyRating, Value: "R for violence"}, {Key: KeyWarnings, Value: "gore"}},
			rating: "mature", status: "declared", warnings: []string{"violence", "blood-gore"}, raw: []string{"blood", "violence", "gore"}},
		{name: "prose after a rating names nothing",
			fields: []Field{{Key: KeyRating, Value: "NC-17, and I mean it"}},
			rating: "explicit", status: "missing"},
		{name: "keywords: whole terms only",
			fields: []Field{{Key: KeyKeywords, Value: "V, A, Romance, MSR, angst, Character Death, Death Eaters"}},
			status: "declared", warnings: []string{"death"}, raw: []string{"Character Death"}},
		{name: "a lost label holding a rating",
			fields: []Field{{Key: KeyUnlabelled, Value: "PG-13 (language)"}, {Key: KeyUnlabelled, Value: "M/M"}},
			rating: "teen", status: "declared", warnings: []string{"abusive-language"}, raw: []string{"language"}},
		{name: "notes and warnings in one field",
			fields: []Field{{Key: KeyNotesWarnings, Value: "Set after the war. Contains violence. Slash, language."}},
			status: "declared", warnings: []string{"violence", "abusive-language"}, raw: []string{"violence", "language"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := Build(tc.fields)
			checkStr(t, "declared_rating", d.DeclaredRating, tc.rating)
			checkStr(t, "warning_status", d.WarningStatus, tc.status)
			checkList(t, "declared_warnings", d.DeclaredWarnings, tc.warnings)
			checkList(t, "declared_warnings_raw", d.DeclaredWarningsRaw, tc.raw)
			checkList(t, "negated_warnings", d.NegatedWarnings, tc.negated)
		})
	}
}

// TestParseLinear parses values built to make a careless scan quadratic;
// each must parse in well under a second.
func TestParseLinear(t *testing.T) {
	// Each input grows with k; a linear parse takes about 4 times as long
	// at 4k as at k, a quadratic one 16 times. Ratios of the fastest of a
	// few runs hold on a slow or busy machine (and under -race), where an
	// absolute time would not.
	tests := map[string]func(k int) string{
		"open brackets":   func(k int) string { return "Warnings: " + strings.Repeat("(", 4*k) },
		"close brackets":  func(k int) string { return "Warnings: x" + strings.Repeat(")", 4*k) },
		"answers":         func(k int) string { return "Warnings: MCD" + strings.Repeat("? no", k) },
		"rated":           func(k int) string { return "Summary: " + strings.Repeat("rated ", k) },
		"cues":            func(k int) string { return "Summary: " + strings.Repeat("tw: ", k) },
		"colons":          func(k int) string { return "Warnings: " + strings.Repeat("a: ", k) },
		"slashes":         func(k int) string { return "Warnings: " + strings.Repeat("a/", 2*k) },
		"censored":        func(k int) string { return "Warnings: " + strings.Repeat("s*x ", k) },
		"lost labels":     func(k int) string { return strings.Repeat(": no one dies\n", k/40) },
		"story tw lines":  func(k int) string { return strings.Repeat("TW was not a word she knew.\n", k/40) },
		"rating reasons":  func(k int) string { return "Rating: R for " + strings.Repeat("violence and ", k) },
		"keywords":        func(k int) string { return "Keywords: " + strings.Repeat("Mulder/Scully romance, ", k/4) },
		"notes, warnings": func(k int) string { return "Notes/Warnings: " + strings.Repeat("Contains war. ", k/2) },
	}
	fastest := func(text string) time.Duration {
		best := time.Duration(1 << 62)
		for range 3 {
			start := time.Now()
			Parse(text)
			best = min(best, time.Since(start))
		}
		return best
	}
	const k = 4000
	for name, gen := range tests {
		// A busy machine can stall one measurement; a quadratic parse is
		// slow every time, so only three slow pairs in a row fail.
		var small, large time.Duration
		slow := true
		for try := 0; try < 3 && slow; try++ {
			small, large = fastest(gen(k)), fastest(gen(4*k))
			slow = large > 20*time.Millisecond && large > 8*small
		}
		if slow {
			t.Errorf("%s: %v at 4× the input against %v: not linear", name, large, small)
		}
	}
}
