package report

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// unescapePath undoes EscapePath as its doc says: "\:" is a colon, the
// other escapes are Go's.
func unescapePath(t *testing.T, s string) string {
	t.Helper()
	var b strings.Builder
	for len(s) > 0 {
		if strings.HasPrefix(s, `\:`) {
			b.WriteByte(':')
			s = s[2:]
			continue
		}
		r, multi, tail, err := strconv.UnquoteChar(s, 0)
		if err != nil {
			t.Fatalf("unescape %q: %v", s, err)
		}
		if r < utf8.RuneSelf || multi {
			b.WriteRune(r)
		} else {
			b.WriteByte(byte(r)) // \xNN: a byte
		}
		s = tail
	}
	return b.String()
}

func TestClean(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text, “quotes” and é", "plain text, “quotes” and é"},
		{"emoji 👨\u200d👩\u200d👧 and ZWNJ می\u200cخواهم", "emoji 👨\u200d👩\u200d👧 and ZWNJ می\u200cخواهم"},
		{"\x1b[1A\x1b[2K verdict: OK\x1b[8m", `\x1b[1A\x1b[2K verdict: OK\x1b[8m`},
		{"bell\a back\b cr\r nl\n tab\t nul\x00 del\x7f", `bell\a back\b cr\r nl\n tab\t nul\x00 del\x7f`},
		{"csi\u009b2J nel\u0085", `csi\u009b2J nel\u0085`},
		{"a\u202eb\u202cc\u2066d\u2069e\u200ef\u200fg\u061ch", `a\u202eb\u202cc\u2066d\u2069e` + "\u200ef\u200fg\u061ch"},
		// The bidi marks LRM, RLM and ALM only orient neutrals: kept.
		{"עברית\u200F (hebrew with RLM)", "עברית\u200F (hebrew with RLM)"},
		{"فارسی\u200cمی\u061Cخواهم", "فارسی\u200cمی\u061Cخواهم"},
		{"left\u200e mark", "left\u200e mark"},
		// A subdivision flag is an emoji tag sequence: kept whole.
		{"flag 🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F England", "flag 🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F England"},
		{"🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F🏴\U000E0067\U000E0062\U000E0077\U000E006C\U000E0073\U000E007F", "🏴\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F🏴\U000E0067\U000E0062\U000E0077\U000E006C\U000E0073\U000E007F"},
		{"👩\u200d👩\u200d👧 family, 日本語のテキスト", "👩\u200d👩\u200d👧 family, 日本語のテキスト"},
		// Tag characters anywhere else still hide text: escaped.
		{"🏴\U000E0067\U000E0062 no cancel", `🏴\U000e0067\U000e0062 no cancel`},
		{"🏴\U000E007F cancel only", `🏴\U000e007f cancel only`},
		{"x\U000E0067\U000E007F no flag", `x\U000e0067\U000e007f no flag`},
		{"🏴\U000E0001\U000E007F language tag", `🏴\U000e0001\U000e007f language tag`},
		{"🏴\U000E0067\U000E007F\U000E0041 tail", "🏴\U000E0067\U000E007F" + `\U000e0041 tail`},
		{"line\u2028sep\u2029 ann\ufff9x\ufffb", `line\u2028sep\u2029 ann\ufff9x\ufffb`},
		{"tag\U000e0041\U000e007f", `tag\U000e0041\U000e007f`},
		{"bad \xff\x9b byte", `bad \xff\x9b byte`},
		{`a\b`, `a\b`}, // a backslash is shown as it is
		{"ff\f vt\v esc\x1b us\x1f", `ff\f vt\v esc\x1b us\x1f`},
	}
	for _, tt := range tests {
		if got := Clean(tt.in); got != tt.want {
			t.Errorf("Clean(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := CleanLine("He died\n  at\tdawn\x1b[8m"); got != `He died at dawn\x1b[8m` {
		t.Errorf("CleanLine = %q", got)
	}
}

func TestEscapePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"stories/a.txt", "stories/a.txt"},
		{"C:\\stories\\a.txt", `C\:\\stories\\a.txt`},
		{"a\nfake.txt:1:death:1.00:forged", `a\nfake.txt\:1\:death\:1.00\:forged`},
		{"e\x1b[2K\u202e\xff.txt", `e\x1b[2K\u202e\xff.txt`},
		{`\:`, `\\\:`},
	}
	for _, tt := range tests {
		got := EscapePath(tt.in)
		if got != tt.want {
			t.Errorf("EscapePath(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if back := unescapePath(t, got); back != tt.in {
			t.Errorf("EscapePath(%q) reads back as %q", tt.in, back)
		}
	}
}

// TestJSONTerminalSafe: encoding/json escapes C0 controls but writes DEL,
// C1 controls and bidi controls raw; JSON escapes them too, and the value
// decodes to the same strings.
func TestJSONTerminalSafe(t *testing.T) {
	type v struct {
		S []string `json:"s"`
	}
	in := v{S: []string{hostile, "plain <b>&</b> é 👨\u200d👩", "bad\xff", "\u202e\U000e0041\u2066x"}}
	raw, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if !rawControl.Match(raw) {
		t.Fatal("encoding/json now escapes everything; JSON may be simpler")
	}
	var b strings.Builder
	if err := JSON(&b, in); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if loc := rawControl.FindStringIndex(out); loc != nil {
		t.Errorf("raw control %q in %q", out[loc[0]:loc[1]], out)
	}
	if !strings.HasSuffix(out, "}\n") || strings.Count(out, "\n") != 1 || !strings.Contains(out, "<b>&</b>") {
		t.Errorf("not one line of JSON without HTML escapes: %q", out)
	}
	var back v
	if err := json.Unmarshal([]byte(out), &back); err != nil {
		t.Fatal(err)
	}
	var want v
	json.Unmarshal(raw, &want) // invalid UTF-8 becomes U+FFFD in both
	for i := range want.S {
		if back.S[i] != want.S[i] {
			t.Errorf("string %d decodes as %q, want %q", i, back.S[i], want.S[i])
		}
	}
	if plain := []byte(`{"a":"b"}`); &SafeJSON(plain)[0] != &plain[0] {
		t.Error("SafeJSON copied JSON that needed nothing")
	}
}

// SafeJSON keeps what Clean keeps (emoji tag sequences, the bidi marks)
// and escapes stray tag characters.
func TestSafeJSONLegit(t *testing.T) {
	tests := []struct{ in, want string }{
		{`"🏴` + "\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F" + ` England"`, `"🏴` + "\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F" + ` England"`},
		{"\"עברית\u200F \u200e \u061c\"", "\"עברית\u200F \u200e \u061c\""},
		{"\"tag\U000e0041 🏴\U000e0067\"", `"tag\udb40\udc41 🏴\udb40\udc67"`},
	}
	for _, tt := range tests {
		if got := string(SafeJSON([]byte(tt.in))); got != tt.want {
			t.Errorf("SafeJSON(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
