package lexicon_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/taxonomy"
)

// minimal returns a small complete lexicon: three filler terms for every
// label and rating cue set, violence as given (the body of its mapping,
// one line), top-level lines top, and extra lines inside labels:.
func minimal(top, violence string, extraLabels ...string) []byte {
	var b strings.Builder
	b.WriteString("version: 1\nsimiles: [like, akin to]\n")
	if top != "" {
		b.WriteString(top + "\n")
	}
	b.WriteString("labels:\n")
	for _, lb := range taxonomy.Default().Labels() {
		body := "terms: [w1, w2, w3]"
		if lb.ID == "violence" && violence != "" {
			body = violence
		}
		fmt.Fprintf(&b, "  %s:\n    %s\n", lb.ID, body)
	}
	for _, l := range extraLabels {
		b.WriteString("  " + l + "\n")
	}
	b.WriteString("rating:\n")
	for _, r := range []string{"sexual", "violence", "language"} {
		fmt.Fprintf(&b, "  %s: {terms: [r1, r2, r3]}\n", r)
	}
	return []byte(b.String())
}

// loadBoth returns the lexicon of data as Load builds it and as
// LoadCompiled reads it back from its compiled form, so that a test checks
// both matchers.
func loadBoth(t *testing.T, data []byte) []*lexicon.Lexicon {
	t.Helper()
	l := mustLoad(t, data)
	bin, err := l.Compiled()
	if err != nil {
		t.Fatal(err)
	}
	c, err := lexicon.LoadCompiled(bin, data)
	if err != nil {
		t.Fatal(err)
	}
	return []*lexicon.Lexicon{l, c}
}

func mustLoad(t *testing.T, data []byte) *lexicon.Lexicon {
	t.Helper()
	l, err := lexicon.Load(data)
	if err != nil {
		t.Fatalf("Load: %v\n%s", err, data)
	}
	return l
}

func TestLoadMinimal(t *testing.T) {
	l := mustLoad(t, minimal("", ""))
	if got := len(l.Labels()); got != 39 {
		t.Errorf("Labels() has %d entries, want 39", got)
	}
	if l.SimileFactor() != lexicon.DefaultSimileFactor {
		t.Errorf("SimileFactor() = %v, want the default %v", l.SimileFactor(), lexicon.DefaultSimileFactor)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []string // substrings of the error
	}{
		{"empty file", nil, []string{"empty"}},
		{"not YAML", []byte("labels: [unclosed"), []string{"not valid YAML"}},
		{"two documents", []byte("version: 1\n---\nversion: 1\n"), []string{"more than one YAML document"}},
		{"top not a mapping", []byte("- stab\n"), []string{"expected a mapping"}},
		{"missing version", []byte(strings.Replace(string(minimal("", "")), "version: 1\n", "", 1)), []string{"missing version"}},
		{"version 2", []byte(strings.Replace(string(minimal("", "")), "version: 1", "version: 2", 1)), []string{"version (line 1): 2 is not supported"}},
		{"unknown top key", minimal("simile_factr: 0.5", ""), []string{`unknown key "simile_factr"`, `did you mean "simile_factor"`}},
		{"unknown label key", minimal("", "exeptions: [x]"), []string{`labels.violence (line`, `unknown key "exeptions"`, `did you mean "exceptions"`}},
		{"unknown term key", minimal("", "terms: [{term: stab, wieght: 2}, w2, w3]"), []string{`unknown key "wieght"`, `did you mean "weight"`}},
		{"unknown label", minimal("", "", "violnce: {terms: [stab]}"), []string{`label "violnce" (line`, "unknown label", `did you mean "violence"`, "see tagger labels"}},
		{"alias as label", minimal("", "", "gore: {terms: [stab]}"), []string{`label "gore"`, `did you mean "blood-gore"`}},
		{"unknown rating", []byte(strings.Replace(string(minimal("", "")), "  language:", "  smut: {terms: [a]}\n  language:", 1)), []string{`rating "smut" (line`, "use one of sexual, violence, language"}},
		{"duplicate term", minimal("", "terms: [stab, w2, w3, Stab]"), []string{`term "Stab" of violence`, "listed twice (first on line"}},
		{"duplicate by hyphen", minimal("", "terms: [self-harm, w2, w3, self harm]"), []string{`term "self harm" of violence`, "listed twice"}},
		{"empty term", minimal("", `terms: ["", w2, w3, w4]`), []string{`term "" of violence`, "empty"}},
		{"blank term", minimal("", `terms: ["   ", w2, w3, w4]`), []string{"empty"}},
		{"only wildcard", minimal("", `terms: ["*", w2, w3]`), []string{"only a wildcard"}},
		{"leading wildcard", minimal("", `terms: ["* neck", w2, w3]`), []string{"starts or ends with *"}},
		{"glued wildcard", minimal("", `terms: ["snap*neck", w2, w3]`), []string{"* must stand alone"}},
		{"punctuation", minimal("", `terms: ["kill.", w2, w3]`), []string{`'.' is not part of a word`}},
		{"too long", minimal("", `terms: ["a b c d e f g h i", w2, w3]`), []string{"has 9 words"}},
		{"weight too big", minimal("", "terms: [{term: stab, weight: 11}, w2, w3]"), []string{`term "stab" of violence (line`, "weight 11 is out of range; use 0 (silence) to 10"}},
		{"negative weight", minimal("", "terms: [{term: stab, weight: -1}, w2, w3]"), []string{"weight -1 is out of range"}},
		{"NaN weight", minimal("", "terms: [{term: stab, weight: .nan}, w2, w3]"), []string{"out of range"}},
		{"weight not a number", minimal("", "terms: [{term: stab, weight: heavy}, w2, w3]"), []string{"weight (line", `expected a number, found "heavy"`}},
		{"term without text", minimal("", "terms: [{weight: 2}, w2, w3]"), []string{"missing term"}},
		{"forms on a phrase", minimal("", `terms: [{term: "snap * neck", forms: [snapped]}, w2, w3]`), []string{"forms are for single-word terms"}},
		{"form with two words", minimal("", `terms: [{term: kill, forms: ["killed off"]}, w2, w3]`), []string{`form "killed off" must be one word`}},
		{"remove in a full lexicon", minimal("", "terms: [{term: stab, remove: true}, w2, w3, w4]"), []string{"remove is for overlays"}},
		{"unreachable term", minimal("", "terms: [killing time, w2, w3]\n    exceptions: [killing time]"), []string{`term "killing time" of violence`, "can never match", `exception "killing time"`}},
		{"unreachable by wildcard", minimal("", `terms: [dead tired now, w2, w3]`+"\n    exceptions: [\"dead * now\"]"), []string{"can never match"}},
		{"trailing wildcard exception", minimal("", "terms: [w1, w2, w3]\n    exceptions: [\"dead *\"]"), []string{`exception of violence "dead *"`, "starts or ends with *"}},
		{"unreachable by global exception", minimal("exceptions: [w2]", ""), []string{`term "w2" of violence`, "can never match"}},
		{"too few terms", minimal("", "terms: [w1, {term: w2, weight: 0}, w3]"), []string{"violence: has 2 terms with a positive weight", "at least 3"}},
		{"no terms", minimal("", "terms: []"), []string{"violence: has 0 terms"}},
		{"terms not a list", minimal("", "terms: stab"), []string{"expected a list"}},
		{"YAML alias", minimal("", "terms: [&x stab, *x, w3]"), []string{"aliases"}},
		{"duplicate label", minimal("", "", "violence: {terms: [a]}"), []string{`key "violence" appears twice`}},
		{"bad simile factor", minimal("simile_factor: 2", ""), []string{"simile_factor (line", "out of range"}},
		{"negative repeat span", minimal("repeat_span: -1", ""), []string{"repeat_span (line", "out of range", "0 (count every repeat fully)"}},
		{"huge repeat span", minimal("repeat_span: 100000", ""), []string{"repeat_span (line", "out of range"}},
		{"fractional repeat span", minimal("repeat_span: 1.5", ""), []string{"repeat_span"}},
		{"negative scene span", minimal("scene_span: -1", ""), []string{"scene_span (line", "out of range", "0 (scenes change nothing)"}},
		{"huge scene span", minimal("scene_span: 5000", ""), []string{"scene_span (line", "out of range"}},
		{"unknown scene label", minimal("scene_span: 5\nscenes: {play: {labels: [violance], phrases: [chess]}}", ""), []string{`scene "play" label "violance"`, "unknown label", `did you mean "violence"?`}},
		{"scene labels not a list", minimal("scene_span: 5\nscenes: {play: {labels: violence}}", ""), []string{`scene "play" labels`, "a list"}},
		{"unknown scene key", minimal("scene_span: 5\nscenes: {play: {label: [violence]}}", ""), []string{`scene "play"`, `unknown key "label"`, `did you mean "labels"?`}},
		{"scene phrase twice", minimal("scene_span: 5\nscenes: {play: {labels: [violence], phrases: [chess, chess]}}", ""), []string{`scene "play" phrase "chess"`, "listed twice"}},
		{"scene label twice", minimal("scene_span: 5\nscenes: {play: {labels: [violence, violence], phrases: [chess]}}", ""), []string{`scene "play" label "violence"`, "listed twice"}},
		{"scenes without a span", minimal("scenes: {play: {labels: [violence], phrases: [chess]}}", ""), []string{"scene_span above 0", "add scene_span"}},
		{"scene name", minimal("scene_span: 5\nscenes: {Big Game: {labels: [violence], phrases: [chess]}}", ""), []string{`scene "Big Game"`, "one lowercase word"}},
		{"scene term of another label", minimal("scene_span: 5\nscenes: {sport: {labels: [violence], terms: [r1], phrases: [chess]}}", ""), []string{`scene "sport" term "r1"`, "not a term of the scene's labels (violence)", "it is a term of rating:sexual"}},
		{"misspelt scene term", minimal("scene_span: 5\nscenes: {sport: {labels: [violence], terms: [stabb], phrases: [chess]}}", "terms: [stab, w2, w3]"), []string{`scene "sport" term "stabb"`, "not a term of the scene's labels", `did you mean "stab"?`}},
		{"scene term of two words", minimal("scene_span: 5\nscenes: {sport: {labels: [violence], terms: [w1 w2], phrases: [chess]}}", "terms: [w1 w2, w2, w3]"), []string{`scene "sport" term "w1 w2"`, "one-word terms only"}},
		{"empty scene terms", minimal("scene_span: 5\nscenes: {sport: {labels: [violence], terms: [], phrases: [chess]}}", ""), []string{`scene "sport" terms`, "empty"}},
		{"too many scenes", minimal("scene_span: 5\nscenes: {a: {}, b: {}, c: {}, d: {}, e: {}, f: {}, g: {}, h: {}, i: {}}", ""), []string{`scene "i"`, "more than 8 scenes"}},
		{"the keys before scenes", minimal("play: [chess]\nplay_span: 5", ""), []string{"play (line", "moved under scenes", "play_span (line"}},
		{"skip word phrase", minimal("simile_skip: [a lot]", ""), []string{"must be a single word"}},
		{"irregular phrase", minimal("irregular: {bleed: [bled out]}", ""), []string{`irregular form "bled out"`, "one word"}},
		{"exact not a bool", minimal("", "terms: [{term: stab, exact: maybe}, w2, w3]"), []string{"exact (line", "expected true or false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := lexicon.Load(tt.data)
			if err == nil {
				t.Fatalf("Load succeeded, want an error containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadErrorsAreCollected(t *testing.T) {
	_, err := lexicon.Load(minimal("", `terms: [{term: stab, weight: 11}, "", "* x", w4]`))
	if err == nil {
		t.Fatal("Load succeeded")
	}
	if n := len(strings.Split(err.Error(), "\n")); n < 3 {
		t.Errorf("got %d problems, want all 3 reported:\n%v", n, err)
	}
}

func TestMerge(t *testing.T) {
	base := mustLoad(t, minimal("", "terms: [{term: stab, weight: 2}, {term: shoot, weight: 1.5}, {term: punch, weight: 1}, w4]"))
	overlay := []byte(`
labels:
  violence:
    terms:
      - {term: garrotte, weight: 2.5}   # new
      - {term: Stab, weight: 4}         # override (any case)
      - {term: shoot, weight: 0}        # silence
      - {term: punch, remove: true}     # delete
    exceptions:
      - stab wound
  sexual-abuse:
    terms: [noncon]
simile_factor: 0.5
`)
	merged, err := base.Merge(overlay)
	if err != nil {
		t.Fatal(err)
	}
	weights := func(l *lexicon.Lexicon, label string) map[string]float64 {
		m := map[string]float64{}
		for _, term := range l.Terms(label) {
			m[term.Text] = term.Weight
		}
		return m
	}
	got := weights(merged, "violence")
	want := map[string]float64{"stab": 4, "shoot": 0, "w4": 1, "garrotte": 2.5}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("merged violence terms %v, want %v", got, want)
	}
	if got := weights(base, "violence"); got["stab"] != 2 || got["punch"] != 1 {
		t.Errorf("Merge changed the base: %v", got)
	}
	if merged.SimileFactor() != 0.5 {
		t.Errorf("SimileFactor() = %v, want 0.5", merged.SimileFactor())
	}

	sum := func(l *lexicon.Lexicon, text string) (map[string]float64, int) {
		m := map[string]float64{}
		hits := match(l, text)
		for _, h := range hits {
			m[h.Term] += h.Weight
		}
		return m, len(hits)
	}
	text := "He stabbed him, kept shooting him, punched him and garrotted him."
	if got, _ := sum(base, text); got["stab"] != 2 || got["shoot"] != 1.5 || got["punch"] != 1 {
		t.Errorf("base hits %v", got)
	}
	got, n := sum(merged, text)
	if got["stab"] != 4 || got["garrotte"] != 2.5 || n != 2 {
		t.Errorf("merged hits %v (%d), want stab 4 and garrotte 2.5 only", got, n)
	}
	if got, _ := sum(merged, "An old stab wound."); len(got) != 0 {
		t.Errorf("exception added by the overlay: hits %v", got)
	}
	if got, _ := sum(merged, "It was noncon."); got["noncon"] != 1 {
		t.Errorf("new label term: hits %v, want noncon weight 1", got)
	}

	// Merging an overlay that removes the exception again.
	again, err := merged.Merge([]byte("labels:\n  violence:\n    exceptions: [{phrase: stab wound, remove: true}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := sum(again, "An old stab wound."); got["stab"] != 4 {
		t.Errorf("after removing the exception: hits %v", got)
	}

	// An empty overlay (or only comments) changes nothing.
	same, err := base.Merge([]byte("# nothing yet\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := sum(same, text); got["punch"] != 1 {
		t.Errorf("empty overlay: hits %v", got)
	}
}

func TestMergeShippedAllowList(t *testing.T) {
	// A moderator of a Batman archive silences "dick" and allow-lists a phrase.
	l := shipped(t)
	m, err := l.Merge([]byte(`
labels:
  pornography:
    terms: [{term: dick, weight: 0}]
rating:
  sexual:
    terms: [{term: dick, weight: 0}]
  language:
    terms: [{term: dick, weight: 0}]
exceptions: [red wedding massacre]
`))
	if err != nil {
		t.Fatal(err)
	}
	text := "Dick laughed about the Red Wedding massacre."
	if hits := match(l, text); len(hits) < 3 {
		t.Fatalf("the shipped lexicon finds %v in %q; the allow-list test proves nothing", hits, text)
	}
	for _, h := range match(m, text) {
		t.Errorf("unexpected hit %v", h)
	}
}

func TestMergeErrors(t *testing.T) {
	base := mustLoad(t, minimal("", ""))
	tests := []struct {
		name, overlay string
		want          []string
	}{
		{"unknown label", "labels:\n  violnce:\n    terms: [stab]\n", []string{"overlay: ", `label "violnce" (line 2): unknown label`, `did you mean "violence"`}},
		{"unknown key", "labels:\n  violence:\n    term: [stab]\n", []string{`unknown key "term"`, `did you mean "terms"`}},
		{"unknown top key", "lables: {}\n", []string{`unknown key "lables"`, `did you mean "labels"`}},
		{"remove missing term", "labels:\n  violence:\n    terms: [{term: stabb, remove: true}]\n", []string{`term "stabb" of violence (line 3)`, "nothing to remove"}},
		{"remove missing exception", "exceptions: [{phrase: nope, remove: true}]\n", []string{"nothing to remove"}},
		// Silencing a term that is not there would do nothing, unnoticed.
		{"silence misspelt term", "labels:\n  violence:\n    terms: [{term: w4, weight: 0}]\n", []string{`term "w4" of violence`, "weight 0 silences nothing", `did you mean "w1"`}},
		{"silence another label's term", "labels:\n  death:\n    terms: [{term: r1, weight: 0}]\n", []string{`term "r1" of death`, "it is a term of rating:sexual"}},
		{"bad weight", "labels:\n  violence:\n    terms: [{term: w1, weight: 20}]\n", []string{"weight 20 is out of range"}},
		{"version 3", "version: 3\n", []string{"3 is not supported"}},
		{"exception hides a term", "labels:\n  violence:\n    exceptions: [w1]\n", []string{`term "w1" of violence`, "can never match", "weight: 0"}},
		{"not YAML", "labels: {", []string{"overlay: not valid YAML"}},
		{"duplicate in overlay", "labels:\n  violence:\n    terms: [stab, stab]\n", []string{"listed twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := base.Merge([]byte(tt.overlay))
			if err == nil {
				t.Fatalf("Merge succeeded, want an error containing %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestMergeMayThinLabels(t *testing.T) {
	// An overlay may silence a label below MinTerms: the moderator asked.
	base := mustLoad(t, minimal("", ""))
	m, err := base.Merge([]byte("labels:\n  violence:\n    terms: [{term: w1, remove: true}, {term: w2, weight: 0}]\n"))
	if err != nil {
		t.Fatal(err)
	}
	terms := m.Terms("violence")
	if len(terms) != 2 || !slices.ContainsFunc(terms, func(t lexicon.Term) bool { return t.Text == "w2" && t.Weight == 0 }) {
		t.Errorf("Terms(violence) = %v", terms)
	}
}

func TestSource(t *testing.T) {
	data := minimal("irregular: {bleed: [bled]}\nexceptions: [star wars]", `terms: [{term: stab, weight: 2.5, forms: [stabber]}, {term: "snap * neck", weight: 3}, {term: "null", exact: true}, {term: "12 steps"}]`+"\n    exceptions: [killing time, \"dying * know\"]")
	l := mustLoad(t, data)
	if got := l.Source(); string(got) != string(data) {
		t.Errorf("Source() of a loaded lexicon differs from the file:\n%s", got)
	}
	m, err := l.Merge([]byte("labels:\n  violence:\n    terms: [{term: stab, weight: 4}, garrotte]\nsimile_factor: 0.25\nsimiles: [as if]\n"))
	if err != nil {
		t.Fatal(err)
	}
	src := m.Source()
	back, err := lexicon.Load(src)
	if err != nil {
		t.Fatalf("Load(Source()) of a merged lexicon: %v\n%s", err, src)
	}
	if back.SimileFactor() != m.SimileFactor() {
		t.Errorf("simile factor %v after the round trip, want %v", back.SimileFactor(), m.SimileFactor())
	}
	for _, label := range append(m.Labels(), "violence") {
		if got, want := fmt.Sprint(back.Terms(label)), fmt.Sprint(m.Terms(label)); got != want {
			t.Errorf("%s terms after the round trip:\n got %s\nwant %s", label, got, want)
		}
		if got, want := back.Exceptions(label), m.Exceptions(label); !slices.Equal(got, want) {
			t.Errorf("%s exceptions after the round trip: got %v, want %v", label, got, want)
		}
	}
	text := "He bled; he snapped his neck, as if null. Killing time. 12 steps."
	if got, want := fmt.Sprint(match(back, text)), fmt.Sprint(match(m, text)); got != want {
		t.Errorf("hits after the round trip:\n got %s\nwant %s", got, want)
	}
}

func TestSourceShippedMergedRoundTrip(t *testing.T) {
	m, err := shipped(t).Merge([]byte("exceptions: [red wedding]\n"))
	if err != nil {
		t.Fatal(err)
	}
	back, err := lexicon.Load(m.Source())
	if err != nil {
		t.Fatalf("Load(Source()): %v", err)
	}
	// Whole hits, figurative marks included: both scenes must survive the
	// round trip as well as the terms.
	text := "At half-time we were murdering them, and the referee knew it. " + benchText(t, 20<<10) +
		" It was a chess massacre: he slaughtered my queen and both rooks, and the chessboard was bare." +
		" She took the blade from its tin and looked at her forearm, at the silvery scars."
	got, want := match(back, text), match(m, text)
	if !slices.Equal(got, want) || len(got) == 0 {
		t.Errorf("round trip: %d hits, want the same %d (> 0)", len(got), len(want))
	}
	scenes := map[string]int{}
	for _, h := range got {
		scenes[h.Scene]++
	}
	if scenes["play"] == 0 || scenes["sport"] == 0 {
		t.Errorf("round trip: hits by scene %v, want some in play and in sport", scenes)
	}
	// And the together rules.
	if !slices.ContainsFunc(got, func(h hit) bool { return h.Label == "self-harm" && strings.Contains(h.Term, " + ") }) {
		t.Errorf("round trip: no together hit of self-harm in %v", got)
	}
}
