package lexicon_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
)

// dialogueLexicon discounts violence said in quotes to half.
func dialogueLexicon() []byte {
	return minimal("dialogue: {factor: 0.5, labels: [violence]}", `terms: [{term: kill, weight: 2}, {term: shot him, weight: 2}, w3]`)
}

// violenceWeights returns the weights of the violence hits of text.
func violenceWeights(l *lexicon.Lexicon, text string) []string {
	var got []string
	for _, h := range match(l, text) {
		if h.Label == "violence" {
			got = append(got, fmt.Sprintf("%.2f", h.Weight))
		}
	}
	return got
}

func TestDialogue(t *testing.T) {
	tests := []struct {
		name, text string
		want       []string // weights of the violence hits, in order
	}{
		{"told", "He killed the guard.", []string{"2.00"}},
		{"said", `"I'm killed!" he said.`, []string{"1.00"}},
		{"after the quote closes", `"Run," she said, and he killed the guard.`, []string{"2.00"}},
		{"curly quotes", "\u201cYou killed us,\u201d she said.", []string{"1.00"}},
		{"after a curly quote closes", "\u201cRun,\u201d she said. He killed the guard.", []string{"2.00"}},
		{"a quote left open ends with its paragraph", "\"Run, he said\n\nHe killed the guard.", []string{"2.00"}},
		{"CRLF paragraphs", "\"Run, he said\r\n\r\nHe killed the guard.", []string{"2.00"}},
		{"a speech's next paragraph opens again", "\u201cThat was the end.\n\n\u201cThey killed him,\u201d she said.", []string{"1.00"}},
		{"in and out in turn", `"Kill," he said. He killed the guard. "Kill them!"`, []string{"1.00", "2.00", "1.00"}},
		{"a phrase keeps its weight", `"He shot him," she said.`, []string{"2.00"}},
		{"single quotes are apostrophes too", "'I'm killed,' he said.", []string{"2.00"}},
	}
	both := loadBoth(t, dialogueLexicon())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, lx := range both {
				if got := violenceWeights(lx, tt.text); !slices.Equal(got, tt.want) {
					t.Errorf("%q: weights %v, want %v", tt.text, got, tt.want)
				}
			}
		})
	}
	// Without the text (Match given tokens alone) nothing is known of
	// quotes: no discount.
	l := both[0]
	toks := tokenize.Words(`"I'm killed!" he said.`, nil)
	var w []float64
	l.Match("", toks, func(h lexicon.Hit) {
		if h.Label == "violence" {
			w = append(w, h.Weight)
		}
	})
	if !slices.Equal(w, []float64{2}) {
		t.Errorf("without the text: weights %v, want [2]", w)
	}
}

func TestDialogueOverlays(t *testing.T) {
	base := mustLoad(t, dialogueLexicon())
	const text = `"I'm killed!" he said.`
	for _, tt := range []struct {
		name, overlay, want string
	}{
		{"another factor", "dialogue: {factor: 0.25}", "0.50"},
		{"turned off", "dialogue: {labels: []}", "2.00"},
		{"other keys keep it", "labels: {violence: {terms: [w4]}}", "1.00"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, err := base.Merge([]byte(tt.overlay))
			if err != nil {
				t.Fatal(err)
			}
			if got := violenceWeights(m, text); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("weights %v, want [%s]", got, tt.want)
			}
			// The merged lexicon's source says the same.
			again := mustLoad(t, m.Source())
			if got := violenceWeights(again, text); !slices.Equal(got, []string{tt.want}) {
				t.Errorf("rendered and loaded again: weights %v, want [%s]\n%s", got, tt.want, m.Source())
			}
		})
	}
}

func TestDialogueErrors(t *testing.T) {
	for _, tt := range []struct {
		block, want string
	}{
		{"dialogue: {factor: 1.5, labels: [violence]}", "dialogue factor (line 3): 1.5 is out of range"},
		{"dialogue: {factor: 0.5, labels: [violense]}", `dialogue label "violense" (line 3): unknown label; did you mean "violence"?`},
		{"dialogue: {factor: 0.5, labels: [violence, violence]}", "listed twice"},
		{"dialogue: {weight: 0.5}", "weight"},
	} {
		t.Run(tt.want, func(t *testing.T) {
			_, err := lexicon.Load(minimal(tt.block, ""))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Load: %v, want an error saying %q", err, tt.want)
			}
		})
	}
}
