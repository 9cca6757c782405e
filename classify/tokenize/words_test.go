package tokenize

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestWords(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", ""},
		{"only separators", " ,.;!? \n\n\"'-", ""},
		{"basic", "Hello, world!", "Hello/C world/CS"},
		{"contractions", "I can't, didn't, won't. I'm y'all", "I can't/XC didn't/XC won't/XCS I'm y'all"},
		{"curly apostrophes", "I can’t go. Neo’s ʼtis dogsʼ", "I can’t/X go/NCS Neo’s tis dogs"},
		{"inner apostrophes only", "'tis the dogs' o'clock rock''n", "tis the dogs o'clock rock n"},
		{"unicode letters", "café naïve nai\u0308ve Zoë ümlaut Привет мир", "café naïve nai\u0308ve Zoë ümlaut Привет мир"},
		{"CJK run is one word", "日本語テキスト。次", "日本語テキスト/CS 次"},
		{"digits", "3.14 and 1,000 at 10:30. Room 101", "3 14 and 1 000 at 10 30/CS Room 101"},
		{"hyphens", "self-harm and well--maybe - not", "self harm and well/C maybe/C not/X"},
		{"negation scope", "he did not kill her, but she died", "he did not/X kill/N her/NC but she died"},
		{"possessive cues", "nothing’s wrong. Nobody's hurt. WİTHOUT pain",
			"nothing’s/X wrong/NCS Nobody's/X hurt/NCS WİTHOUT/X pain/N"},
		{"scope ends at a conjunction", "he did not cry until they lowered the coffin", "he did not/X cry/N until they lowered the coffin"},
		{"scope cap", "I never wanted that he would go to the old house", "I never/X wanted/N that/N he/N would/N go/N to/N the old house"},
		{"a verb of knowing ends the scope", "Nobody knew that her father hit her", "Nobody/X knew/N that her father hit her"},
		{"so does one of telling", "She never told anyone she had tried", "She never/X told/N anyone she had tried"},
		{"and of stopping", "He couldn't stop cutting himself", "He couldn't/X stop/N cutting himself"},
		{"other verbs stay in scope", "He did not kill her", "He did not/X kill/N her/N"},
		{"so do verbs of opinion", "I don't think he killed her", "I don't/X think/N he/N killed/N her/N"},
		{"and of saying", "I never said I'd kill him", "I never/X said/N I'd/N kill/N him/N"},
		{"cue restarts scope", "no, never again. Nobody's coming without him", "no/XC never/X again/NCS Nobody's/X coming/N without/X him/N"},
		{"cue case and cannot", "CANNOT stop Nothing", "CANNOT/X stop/N Nothing/X"},
		{"quotes do not end clauses", `"I don't" she whispered “know”`, `I don't/X she/N whispered/N know/N`},
		{"blank lines", "one\n\ntwo\nthree\r\n\r\nfour\n \t\nfive\r\rsix\u2029seven", "one/CS two three/CS four/CS five/CS six/CS seven"},
		{"text between line breaks", "one\n*\ntwo", "one two"},
		{"abbreviations and initials", "Mr. Anderson met J. Smith. So did I. And A.", "Mr Anderson met J Smith/CS So did I/CS And A/CS"},
		{"ellipsis", "Wait... no… fine?! ok", "Wait/C no/XC fine/CS ok"},
		{"brackets and colons", "(maybe) yes; no: fine [x] {y}", "maybe/C yes/C no/XC fine/C x/C y/C"},
		{"dashes", "I — no – never―ever", "I/C no/XC never/XC ever"},
		{"CJK punctuation", "日本，テスト！次", "日本/C テスト/CS 次"},
		{"invalid UTF-8", "ab\xffcd \xc3(x\xe2\x80", "ab cd/C x"},
		{"emoji and symbols", "I 💔 you / me * us", "I you me us"},
		{"format characters separate", "beauti\u00adful zero\u200bwidth", "beauti ful zero width"},
		{"leading punctuation", ". , hi", "hi"},
		{"apostrophe before invalid byte", "can'\xff", "can"},
		{"trailing possessive", "the Analyst's face", "the Analyst's face"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			toks := Words(tt.text, nil)
			if got := render(tt.text, toks); got != tt.want {
				t.Errorf("Words(%q)\n got  %s\n want %s", tt.text, got, tt.want)
			}
			checkTokens(t, tt.text, toks)
		})
	}
}

func TestWordsHashes(t *testing.T) {
	tests := []struct{ text, word string }{
		{"Neo's", "neo"},
		{"NEO’S", "neo"},
		{"Neoʼs", "neo"},
		{"it's", "it"},
		{"Can’t", "can't"},
		{"ÜBER", "über"},
		{"Zoë", "zoë"},
		{"o'clock", "o'clock"},
		// Words across the eight-byte blocks of the fast scan.
		{"Abcdefgh", "abcdefgh"},
		{"ABCDEFGHIJKLMNOPQ", "abcdefghijklmnopq"},
		{"Abcdefgh's", "abcdefgh"},
		{"Abcdefghi’s", "abcdefghi"},
		{"Lovegood's", "lovegood"},
		{"shouldn't've", "shouldn't've"},
		{"Mañanamañana", "mañanamañana"},
		{"Abcdefgé", "abcdefgé"},
		{"x9Z0abcdefgh7", "x9z0abcdefgh7"},
	}
	for _, tt := range tests {
		toks := Words(tt.text, nil)
		if len(toks) == 1 {
			// The same word before other text (the fast scan reads
			// eight bytes at a time only where eight remain).
			more := Words(tt.text+" and so on, and on", nil)
			if more[0].Hash != toks[0].Hash || more[0].End() != toks[0].End() {
				t.Errorf("Words(%q + more) = %v, want %v", tt.text, more[0], toks[0])
			}
		}
		if len(toks) != 1 {
			t.Errorf("Words(%q) = %d tokens, want 1", tt.text, len(toks))
			continue
		}
		if want := blockHashOf(tt.word); toks[0].Hash != want {
			t.Errorf("Words(%q) hash %#x, want blockHash(%q) = %#x", tt.text, toks[0].Hash, tt.word, want)
		}
	}
}

// TestWordsLongWord checks that a run of letters longer than MaxWordBytes
// becomes tokens of at most that length, covering it, each hashed as its
// own span.
func TestWordsLongWord(t *testing.T) {
	for _, n := range []int{MaxWordBytes - 1, MaxWordBytes, MaxWordBytes + 1, 3*MaxWordBytes + 7} {
		text := "he said " + strings.Repeat("a", n) + " twice"
		toks := Words(text, nil)
		var long []Token
		for _, tk := range toks[2 : len(toks)-1] {
			long = append(long, tk)
		}
		want := (n + MaxWordBytes - 1) / MaxWordBytes
		if len(long) != want {
			t.Fatalf("%d letters: %d tokens, want %d", n, len(long), want)
		}
		pos := int32(len("he said "))
		for _, tk := range long {
			if tk.Start != pos || tk.Len == 0 || int(tk.Len) > MaxWordBytes {
				t.Fatalf("%d letters: token [%d,%d), want it to start at %d and hold 1..%d bytes", n, tk.Start, tk.End(), pos, MaxWordBytes)
			}
			if tk.Hash != Hash(text[tk.Start:tk.End()]) {
				t.Fatalf("%d letters: token [%d,%d) hashed unlike its span", n, tk.Start, tk.End())
			}
			pos = tk.End()
		}
		if last := toks[len(toks)-1]; text[last.Start:last.End()] != "twice" {
			t.Fatalf("%d letters: last token %q, want twice", n, text[last.Start:last.End()])
		}
	}
}

// TestWordsAppends checks that Words keeps what dst held and never flags
// it from a new text's leading punctuation.
func TestWordsAppends(t *testing.T) {
	dst := Words("not", nil)
	dst = Words("! kill", dst)
	if got, want := len(dst), 2; got != want {
		t.Fatalf("got %d tokens, want %d", got, want)
	}
	if dst[0].Flags != FlagNegation || dst[1].Flags != 0 {
		t.Errorf("flags crossed texts: %v, %v", dst[0].Flags, dst[1].Flags)
	}
}

// TestWordsSeeds checks every seed token against Hash and the token
// invariants, and that len(text)/4 tokens of capacity suffice as Words
// documents.
func TestWordsSeeds(t *testing.T) {
	for i, text := range seedTexts(t) {
		toks := Words(text, nil)
		checkTokens(t, text, toks)
		if len(toks) < 1000 {
			t.Errorf("seed %d: only %d tokens", i, len(toks))
		}
		if len(toks) > len(text)/4 {
			t.Errorf("seed %d: %d tokens exceed len/4 = %d", i, len(toks), len(text)/4)
		}
		var cues, negated int
		for _, tok := range toks {
			if tok.Has(FlagNegation) {
				cues++
			}
			if tok.Has(FlagNegated) {
				negated++
			}
		}
		if cues == 0 || negated == 0 {
			t.Errorf("seed %d: %d cues, %d negated tokens", i, cues, negated)
		}
	}
}

func TestWordsAllocs(t *testing.T) {
	text := seedCorpus(t)[:10<<10]
	dst := make([]Token, 0, len(text)/4)
	allocs := testing.AllocsPerRun(20, func() {
		dst = Words(text, dst[:0])
	})
	if allocs != 0 {
		t.Errorf("Words allocated %v times per run, want 0", allocs)
	}
	if len(dst) == 0 {
		t.Fatal("no tokens")
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"neo", "neo"},
		{"Neo's", "neo"},
		{"NEO’S", "neo"},
		{"Neo‘s", "neo"},
		{"it's", "it"},
		{"'s", "'s"},
		{"’s", "'s"},
		{"s's", "s"},
		{"can't", "can't"},
		{"Didn’t", "didn't"},
		{"ÜBER", "über"},
		{"Привет", "привет"},
		{"İ", "i"},
		{"self-harm", "self-harm"},
		{"dogs'", "dogs'"},
		{"3.14", "3.14"},
		{"a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		if got := Normalize(tt.in); got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got, want := Hash(tt.in), blockHashOf(tt.want); got != want {
			t.Errorf("Hash(%q) = %#x, want blockHash(%q) = %#x", tt.in, got, tt.want, want)
		}
	}
}

func TestHashAllocs(t *testing.T) {
	allocs := testing.AllocsPerRun(100, func() { _ = Hash("Zoë’s") })
	if allocs != 0 {
		t.Errorf("Hash allocated %v times, want 0", allocs)
	}
}

func TestHashPairAndSalt(t *testing.T) {
	a, b, c := Hash("did"), Hash("not"), Hash("kill")
	seen := map[uint64]string{}
	for name, h := range map[string]uint64{
		"a": a, "b": b, "c": c,
		"pair(a,b)": HashPair(a, b), "pair(b,a)": HashPair(b, a), "pair(a,c)": HashPair(a, c),
		"pair(a,a)": HashPair(a, a),
		"salt(a,1)": Salt(a, 1), "salt(a,2)": Salt(a, 2), "salt(b,1)": Salt(b, 1), "salt(a,0)": Salt(a, 0),
	} {
		if other, dup := seen[h]; dup {
			t.Errorf("%s and %s collide: %#x", name, other, h)
		}
		seen[h] = name
	}
	if HashPair(a, b) != HashPair(a, b) || Salt(a, 7) != Salt(a, 7) {
		t.Error("HashPair or Salt is not deterministic")
	}
}

// blockHashOf is the block hash of s's bytes, a block at a time, as a
// reference for Hash and Words.
func blockHashOf(s string) uint64 {
	h := hashSeed
	for i := 0; i < len(s); i += 8 {
		var v uint64
		for j := 0; j < 8 && i+j < len(s); j++ {
			v |= uint64(s[i+j]) << (8 * j)
		}
		h = hashBlock(h, v)
	}
	return hashEnd(h, len(s))
}

func FuzzWords(f *testing.F) {
	for _, s := range []string{
		"", "he did not kill her, but she died", "Neo’s can't y'all",
		"café 日本語。\xff\xc3(", "self-harm--ok... Mr. J. A.", "\r\n\r\n\u2029'’ʼ",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		toks := Words(text, nil)
		checkTokens(t, text, toks)
		for i, tok := range toks {
			r, _ := utf8.DecodeRuneInString(text[tok.Start:])
			if !wordAt(text, int(tok.Start)) {
				t.Fatalf("token %d starts with non-word %q", i, r)
			}
			// A word ends before a non-word character, unless it was
			// cut at MaxWordBytes and the next token goes on from it.
			if prev := toks[max(i-1, 0)]; i > 0 && wordAt(text, int(prev.End())) &&
				!(prev.Len == MaxWordBytes && tok.Start == prev.End()) {
				t.Fatalf("token %d ends before a word character", i-1)
			}
		}
		// The fast paths change nothing.
		if ref := referenceWords(text, nil); !slices.Equal(ref, toks) {
			t.Fatalf("Words(%q) = %v, want %v as a byte at a time", text, toks, ref)
		}
		// Appending to a non-empty dst gives the same tokens after it.
		again := Words(text, []Token{{Start: 0}})
		if render(text, again[1:]) != render(text, toks) {
			t.Fatalf("Words differs when appending")
		}
		// Normalize and Hash agree on arbitrary strings.
		if Hash(text) != blockHashOf(Normalize(text)) {
			t.Fatalf("Hash(%q) != blockHash(Normalize)", text)
		}
		if strings.Contains(Normalize(text), "’") {
			t.Fatalf("Normalize kept a curly apostrophe")
		}
	})
}
