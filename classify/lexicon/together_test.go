package lexicon_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
)

func TestTogether(t *testing.T) {
	const rule = `terms: [{term: stab, weight: 2}, stab lines, w3]
    together:
      - {weight: 3, span: 8, groups: [[blade, razor], [forearm, wrist], [lines, scars]]}`
	words := func(n int) string { return strings.Repeat("and ", n) }
	tests := []struct {
		name, text string
		want       []string // label:term:weight@token of each violence hit
	}{
		{"every group", "The blade, her forearm, the lines.", []string{"violence:blade + forearm + lines:3.00@5"}},
		{"any order", "Old lines on her wrist; a razor.", []string{"violence:blade + forearm + lines:3.00@6"}},
		{"inflected forms", "Blades on wrists, scars.", []string{"violence:blade + forearm + lines:3.00@3"}},
		{"two groups are not enough", "The blade, her forearm, nothing else.", nil},
		{"within the span", "Blade " + words(5) + "forearm lines.", []string{"violence:blade + forearm + lines:3.00@7"}},
		{"outside the span", "Blade " + words(6) + "forearm lines.", nil},
		{"once a passage", "Blade, forearm, lines, lines, lines.", []string{"violence:blade + forearm + lines:3.00@2"}},
		{"again with every group again", "Blade, forearm, lines. Razor, wrist, scars.", []string{"violence:blade + forearm + lines:3.00@2", "violence:blade + forearm + lines:3.00@5"}},
		{"a negated word does not count", "Her forearm had lines but no blade.", nil},
		{"beside a term", "He stabbed her forearm: blade, lines.", []string{"violence:stab:2.00@1", "violence:blade + forearm + lines:3.00@5"}},
		// A term that covers the completing word keeps the rule's hit.
		{"inside a longer term", "Blade, forearm, stab lines.", []string{"violence:stab lines:1.00@2", "violence:blade + forearm + lines:3.00@3"}},
		{"a word inside an exception does not count", "Blade, forearm, lines of code.", nil},
		{"nor one inside an exception read first", "Lines of code, a blade, her forearm.", nil},
		{"the next word of the group does", "Blade, forearm, lines of code, scars.", []string{"violence:blade + forearm + lines:3.00@5"}},
		{"one token counts for one group", "Blade forearm, and lines, lines.", []string{"violence:blade + forearm + lines:3.00@3"}},
	}
	both := loadBoth(t, minimal("exceptions: [lines of code]", rule))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, lx := range both {
				var got []string
				for _, h := range match(lx, tt.text) {
					if h.Label == "violence" {
						got = append(got, fmt.Sprintf("%s:%s:%.2f@%d", h.Label, h.Term, h.Weight, h.TokStart))
					}
				}
				if !slices.Equal(got, tt.want) {
					t.Errorf("%q: hits %v, want %v", tt.text, got, tt.want)
				}
			}
		})
	}
}

func TestTogetherOverlays(t *testing.T) {
	const rule = `terms: [w1, w2, w3]
    together:
      - {weight: 3, groups: [[blade], [forearm]]}`
	base := mustLoad(t, minimal("", rule))
	const text = "The blade on her forearm, and a knife on his hand."
	count := func(l *lexicon.Lexicon) int {
		n := 0
		for _, h := range match(l, text) {
			if h.Label == "violence" {
				n++
			}
		}
		return n
	}
	if n := count(base); n != 1 {
		t.Fatalf("base: %d hits, want 1", n)
	}
	for _, tt := range []struct {
		name, overlay string
		want          int
	}{
		{"a rule added", "labels: {violence: {together: [{weight: 2, groups: [[knife], [hand]]}]}}", 2},
		{"rules cleared", "labels: {violence: {together: []}}", 0},
		{"other keys keep the rules", "labels: {violence: {terms: [w4]}}", 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := base.Merge([]byte(tt.overlay))
			if err != nil {
				t.Fatal(err)
			}
			if n := count(m); n != tt.want {
				t.Errorf("%d hits, want %d", n, tt.want)
			}
		})
	}
}

func TestTogetherErrors(t *testing.T) {
	for _, tt := range []struct {
		rule, want string
	}{
		{"{groups: [[blade], [arm]]}", "needs a weight"},
		{"{weight: 0, groups: [[blade], [arm]]}", "out of range"},
		{"{weight: 2, span: 0, groups: [[blade], [arm]]}", "span 0 is out of range"},
		{"{weight: 2, groups: [[blade]]}", "1 groups; a rule needs from 2 to 4"},
		{"{weight: 2, groups: [[a], [b], [c], [d], [e]]}", "5 groups"},
		{"{weight: 2, groups: [[razor blade], [arm]]}", `"razor blade" is not one word`},
		{"{weight: 2, groups: [[], [arm]]}", "an empty group"},
		{"{weight: 2, group: [[blade], [arm]]}", "group"},
		{"{weight: 2, groups: [[blade, cut], [cut, arm]]}", `"cut" is in groups 1 and 2`},
		{"{weight: 2, groups: [[blade, cut], [cuts, arm]]}", `"cuts", a form of "cut" in group 1 and of "cuts" in group 2`},
	} {
		t.Run(tt.want, func(t *testing.T) {
			_, err := lexicon.Load(minimal("", "terms: [w1, w2, w3]\n    together:\n      - "+tt.rule))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: %v, want an error saying %q", err, tt.want)
			}
		})
	}
	src := strings.Replace(string(minimal("", "")), "rating:\n  sexual: {terms: [r1, r2, r3]}", "rating:\n  sexual: {terms: [r1, r2, r3], together: [{weight: 1, groups: [[a], [b]]}]}", 1)
	if _, err := lexicon.Load([]byte(src)); err == nil || !strings.Contains(err.Error(), "together rules are for labels") {
		t.Errorf("a rating cue set with a together rule: %v", err)
	}
}

// TestShippedTogether checks the default lexicon's together rules on
// scenes that show a label without its words, and on nearby scenes that
// do not show it.
func TestShippedTogether(t *testing.T) {
	l := shipped(t)
	for _, tt := range []struct {
		name, text, label string
		want              bool
	}{
		{"self-harm shown", "She pushed up her sleeve. The inside of her forearm was a ladder of silvery scars, and she took the little blade out of its tin.", "self-harm", true},
		{"a sword fight is not self-harm", "His blade caught the knight's arm above the wrist and drew a line of blood; he parried and swung again.", "self-harm", false},
		{"shoulder blades are no blade", "Across his shoulder blades and down his arm ran the scars of the war.", "self-harm", false},
		{"a term beside it keeps the rule", "She took the blade from its tin and looked at her forearm, at the old scars.", "self-harm", true},
		{"a beating shown", "The boot came down again. Something in his ribs gave with a wet crack, and his fist came away slick with blood.", "violence", true},
		{"a child beaten", "When the boy bent over they saw the welts across his back, the width of his father's belt.", "child-abuse", true},
		{"a candy cane is no cane", "The boy laughed at the bruise the candy cane had left on his arm; his mother rolled her eyes at the marks on the table.", "child-abuse", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := togetherHits(l, tt.text, tt.label); (got > 0) != tt.want {
				t.Errorf("%q: %d together hits of %s, want any: %v\nhits: %v", tt.text, got, tt.label, tt.want, match(l, tt.text))
			}
		})
	}
	// "ate" is a word of the group and a form of its "eat": the rule
	// starts afresh after its hit, so the later calorie and mirror,
	// without food, make no second one.
	const text = "A calorie, the mirror, then she ate. And then another calorie, and at last the mirror."
	if got := togetherHits(l, text, "dysmorphia"); got != 1 {
		t.Errorf("%q: %d together hits of dysmorphia, want 1\nhits: %v", text, got, match(l, text))
	}
}

// togetherHits counts the hits of label's together rules in text.
func togetherHits(l *lexicon.Lexicon, text, label string) int {
	n := 0
	for _, h := range match(l, text) {
		if h.Label == label && strings.Contains(h.Term, " + ") {
			n++
		}
	}
	return n
}

func TestCapitalised(t *testing.T) {
	const violence = `terms: [{term: stab, weight: 2, capitalised: false}, {term: "stab * hand", weight: 3, capitalised: false}, {term: élan, capitalised: false}]`
	for _, tt := range []struct {
		name, text string
		want       []string
	}{
		{"lower case", "He went to stab the guard.", []string{"stab"}},
		{"a name mid-sentence", "He wrote to Stab, who was away.", nil},
		{"a phrase from a name", "He met Stab his hand out.", nil},
		{"a sentence's first word", "Stab him. Stab the guard.", []string{"stab", "stab"}},
		{"after a clause", "He paused; Stab came in.", nil},
		{"in capitals it is shouting", "HE WENT TO STAB THE GUARD.", []string{"stab"}},
		{"a non-ASCII capital", "He wrote to Élan, who was away.", nil},
		{"a non-ASCII word in lower case", "He fought with élan.", []string{"élan"}},
		{"after an opening quote", `He said, "Stab the guard."`, []string{"stab"}},
		{"after a closing quote", `"Go away," Stab said.`, nil},
		{"after a curly closing quote", "“Go away,” Stab said.", nil},
		{"after a line break", "Chapter One\nStab the guard.", []string{"stab"}},
		// A word written as a name in the middle of a sentence makes it a
		// name where a sentence may start too.
		{"a name elsewhere", "Stab looked up. He wrote to Stab.\n\"Stab,\" he said.", nil},
		{"lower case elsewhere is no name", "Stab looked up. He tried to stab the guard.", []string{"stab", "stab"}},
	} {
		t.Run(tt.name, func(t *testing.T) { wantTerms(t, minimal("", violence), tt.text, "violence", tt.want) })
	}
	// Without the text, Match cannot tell a name: the term matches.
	// (The table above: a capital then a small letter mid-sentence.)
	l := mustLoad(t, minimal("", violence))
	text := "He wrote to Stab, who was away."
	if n := hitsWithoutText(l, text, "violence"); n != 1 {
		t.Errorf("without the text: %d hits, want 1", n)
	}
	// An overlay turns it on and off; the merged file keeps it.
	m, err := l.Merge([]byte("labels: {violence: {terms: [{term: stab, capitalised: true}]}}"))
	if err != nil {
		t.Fatal(err)
	}
	back, err := lexicon.Load(m.Source())
	if err != nil {
		t.Fatal(err)
	}
	for _, lx := range []*lexicon.Lexicon{m, back} {
		if got := match(lx, text); len(got) != 1 {
			t.Errorf("capitalised: true in an overlay: hits %v, want the name matched", got)
		}
	}
}

func TestSpaced(t *testing.T) {
	const violence = `terms: [{term: hard-on, weight: 2, spaced: false}, {term: self-harm, weight: 3}, w3]`
	for _, tt := range []struct {
		name, text string
		want       []string
	}{
		{"hyphenated", "He had a hard-on.", []string{"hard-on"}},
		{"closed up", "He had a hardon.", []string{"hard-on"}},
		{"a non-breaking hyphen", "He had a hard\u2011on.", []string{"hard-on"}},
		{"written apart", "He went down hard on the gravel.", nil},
		{"other hyphenated terms still match apart", "Talk of self harm.", []string{"self-harm"}},
	} {
		t.Run(tt.name, func(t *testing.T) { wantTerms(t, minimal("", violence), tt.text, "violence", tt.want) })
	}
	// Without the text it cannot tell: the term matches.
	l := mustLoad(t, minimal("", violence))
	if n := hitsWithoutText(l, "down hard on the gravel", "violence"); n != 1 {
		t.Errorf("without the text: %d hits, want 1", n)
	}
	if _, err := lexicon.Load(minimal("", `terms: [{term: stab, spaced: false}, w2, w3]`)); err == nil || !strings.Contains(err.Error(), "spaced is for one hyphenated word") {
		t.Errorf("spaced on a plain word: %v", err)
	}
}

// wantTerms checks the terms of label's hits in text, with the lexicon
// of src loaded and compiled.
func wantTerms(t *testing.T, src []byte, text, label string, want []string) {
	t.Helper()
	for _, l := range loadBoth(t, src) {
		var got []string
		for _, h := range match(l, text) {
			if h.Label == label {
				got = append(got, h.Term)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("%q: hits %v, want %v", text, got, want)
		}
	}
}

// hitsWithoutText counts label's hits in text when Match is given its
// tokens but not the text.
func hitsWithoutText(l *lexicon.Lexicon, text, label string) int {
	n := 0
	l.Match("", tokenize.Words(text, nil), func(h lexicon.Hit) {
		if h.Label == label {
			n++
		}
	})
	return n
}
