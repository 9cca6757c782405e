package tokenize

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"gopkg.in/neurosnap/sentences.v1/english"
)

func newTestSegmenter(tb testing.TB) *Segmenter {
	tb.Helper()
	seg, err := NewSegmenter()
	if err != nil {
		tb.Fatal(err)
	}
	return seg
}

// sentenceTexts returns the text of each span, after checking that the
// spans are in order, non-overlapping, inside text and trimmed.
func sentenceTexts(tb testing.TB, text string, spans []Span) []string {
	tb.Helper()
	var out []string
	prev := 0
	for i, sp := range spans {
		if sp.Start < prev || sp.End <= sp.Start || sp.End > len(text) {
			tb.Fatalf("span %d [%d,%d) bad after %d in text of %d bytes", i, sp.Start, sp.End, prev, len(text))
		}
		s := text[sp.Start:sp.End]
		if strings.TrimSpace(s) != s {
			tb.Fatalf("span %d %q is not trimmed", i, s)
		}
		out = append(out, s)
		prev = sp.End
	}
	return out
}

func TestSentences(t *testing.T) {
	seg := newTestSegmenter(t)
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty", "", nil},
		{"white space", " \n\t ", nil},
		{"no final punctuation", "just words", []string{"just words"}},
		{
			"abbreviations",
			"  Mr. Anderson met Dr. Smith at 3 p.m. on Jan. 5. It was cold.  ",
			[]string{"Mr. Anderson met Dr. Smith at 3 p.m. on Jan. 5.", "It was cold."},
		},
		{
			// Punkt fault, pinned: a question closed by a quote ends the
			// sentence although the dialogue tag "he asked" continues it.
			"dialogue tag split (Punkt fault)",
			`Mr. Anderson walked in. "Who are you?" he asked. She said, "Nothing!" Then she left.`,
			[]string{"Mr. Anderson walked in.", `"Who are you?"`, "he asked.", `She said, "Nothing!"`, "Then she left."},
		},
		{
			"paragraphs and ellipsis",
			"Stop... I can't. Really?! Yes.\n\nNew paragraph here. And the U.S.A. is big.",
			[]string{"Stop...", "I can't.", "Really?!", "Yes.", "New paragraph here.", "And the U.S.A. is big."},
		},
		{
			"blank lines split (Punkt ignores them)",
			"TITLE: x\n\nRATING: R\r\n \r\none\ntwo.\n\n\nthree",
			[]string{"TITLE: x", "RATING: R", "one\ntwo.", "three"},
		},
		{
			"dialogue tag split with curly quotes (Punkt fault)",
			"“Who are you?” he asked.",
			[]string{"“Who are you?”", "he asked."},
		},
		{
			// Punkt fault, pinned: lower-case "no." reads as "number".
			"no. as abbreviation (Punkt fault)",
			"No. I won't. He said no. Then he left.",
			[]string{"No.", "I won't.", "He said no. Then he left."},
		},
		{
			// Punkt fault, pinned: no space, no break.
			"missing space (Punkt fault)",
			"I saw him.She left.",
			[]string{"I saw him.She left."},
		},
		{
			"unicode",
			"日本語。テスト。 Zoë went home. Naïve café.",
			[]string{"日本語。", "テスト。", "Zoë went home.", "Naïve café."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := sentenceTexts(t, tt.text, seg.Sentences(tt.text))
			if !slices.Equal(got, tt.want) {
				t.Errorf("Sentences(%q)\n got  %q\n want %q", tt.text, got, tt.want)
			}
		})
	}
}

// TestSentencesConcurrent runs one Segmenter from several goroutines (run
// with -race) and checks that each gets the serial result.
func TestSentencesConcurrent(t *testing.T) {
	seg := newTestSegmenter(t)
	texts := seedTexts(t)
	want := make([][]Span, len(texts))
	for i, text := range texts {
		want[i] = seg.Sentences(text)
		if n := len(sentenceTexts(t, text, want[i])); n < 50 {
			t.Errorf("seed %d: only %d sentences", i, n)
		}
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for k := range texts {
				i := (k + g) % len(texts)
				if got := seg.Sentences(texts[i]); !slices.Equal(got, want[i]) {
					t.Errorf("goroutine %d, seed %d: spans differ from the serial run", g, i)
				}
			}
		})
	}
	wg.Wait()
}

// librarySentences is Sentences with the library's own English tokenizer
// over the whole training data, as english.NewSentenceTokenizer builds it.
func librarySentences(tb testing.TB) func(string) []Span {
	tb.Helper()
	_, training := libraryEnglish(tb)
	tok, err := english.NewSentenceTokenizer(training)
	if err != nil {
		tb.Fatal(err)
	}
	return func(text string) []Span { return sentenceSpans(text, tok.Tokenize(text)) }
}

// TestSentencesAsLibrary: a Segmenter, which gives each text only the
// orthographic contexts of its word types, splits as the library's
// tokenizer with all of them does, on the seeds and on texts where the
// contexts decide.
func TestSentencesAsLibrary(t *testing.T) {
	seg, lib := newTestSegmenter(t), librarySentences(t)
	texts := append(seedTexts(t),
		"He met Dr. Smith at 5 p.m. on Jan. 3. The meeting went well.",
		"They sailed to the U.S. Then they went home. It was Nov. 12th.",
		"The score was 3.5. Then it rose. Gov. Brown and Sgt. Pepper came. No. 5 won.",
		"I saw it... And then? Nothing!\n\nA new paragraph. With Mr. and Mrs. Jones.",
		"She said \"Stop.\" He didn't. e.g. this, i.e. that. Etc. And so on.",
		// A capitalised word with a final period after an abbreviation:
		// its context is read without the period.
		"We saw the U.S. Capitol. It was big. She met Prof. Jones. Then the N.Y. Times. Then Ms. Smith. Then Gen. Lee.",
		"The co. Chairman. The inc. Board. He rode the St. Louis. Then the J. Crew. At 9 a.m. Church. At 10 a.m. church.",
	)
	for i, text := range texts {
		got, want := seg.Sentences(text), lib(text)
		if !slices.Equal(got, want) {
			t.Errorf("text %d: %d sentences, the library %d:\n got  %q\n want %q", i, len(got), len(want),
				sentenceTexts(t, text, got), sentenceTexts(t, text, want))
		}
	}
}

func FuzzSentences(f *testing.F) {
	seg, lib := newTestSegmenter(f), librarySentences(f)
	for _, s := range []string{"", "Mr. A. b. C?! \"d.\" e", "日本。\xff. x", "a.\n\n.b", "At 5 p.m. The U.S. Gov. Brown. No. 5. Then we left."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got := seg.Sentences(text)
		sentenceTexts(t, text, got)
		if want := lib(text); !slices.Equal(got, want) {
			t.Errorf("Sentences(%q) = %v, the library's tokenizer %v", text, got, want)
		}
	})
}
