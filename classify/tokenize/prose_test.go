package tokenize

import "testing"

func TestProseWords(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{
			// prose fault, pinned: "n't" and the full stop after it vanish.
			"drops n't before punctuation", "I can't. He didn't, she won't!",
			"I ca He did she wo",
		},
		{
			"curly quotes map back", "He said “don’t stop” and left.",
			"He said do n’t/X stop/N and left/CS", // "stop" ends the scope
		},
		{"clitics split", "Neo's gun", "Neo 's gun"},
		{"hyphens kept", "self-harm", "self-harm"},
		{"negation", "he did not kill her, but she died", "he did not/X kill/N her/NC but she died"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := ProseWords(tt.text)
			if err != nil {
				t.Fatal(err)
			}
			if got := render(tt.text, toks); got != tt.want {
				t.Errorf("ProseWords(%q)\n got  %s\n want %s", tt.text, got, tt.want)
			}
			checkTokens(t, tt.text, toks)
		})
	}
}

// TestProseWordsSeeds checks the offsets ProseWords recovers on the seeds
// and that it finds nearly the words Words finds.
func TestProseWordsSeeds(t *testing.T) {
	for i, text := range seedTexts(t) {
		toks, err := ProseWords(text)
		if err != nil {
			t.Fatal(err)
		}
		checkTokens(t, text, toks)
		words := len(Words(text, nil))
		if len(toks) < words*9/10 || len(toks) > words*12/10 {
			t.Errorf("seed %d: ProseWords %d tokens, Words %d", i, len(toks), words)
		}
	}
}
