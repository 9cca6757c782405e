package datasets

import (
	"encoding/binary"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// encodeUTF16 encodes s as UTF-16 with a byte-order mark, independently of
// the decoder under test.
func encodeUTF16(s string, order binary.AppendByteOrder) []byte {
	b := order.AppendUint16(nil, 0xFEFF)
	for _, u := range utf16.Encode([]rune(s)) {
		b = order.AppendUint16(b, u)
	}
	return b
}

func TestDecode(t *testing.T) {
	tests := []struct {
		name     string
		in       []byte
		wantText string
		wantEnc  string
		wantErr  error  // sentinel the error must wrap
		errText  string // text the error must contain
	}{
		{name: "utf-8", in: []byte("Title: Hé\nBody\n"), wantText: "Title: Hé\nBody\n", wantEnc: "utf-8"},
		{name: "utf-8 bom", in: []byte("\xEF\xBB\xBFTitle: Hé\n"), wantText: "Title: Hé\n", wantEnc: "utf-8-bom"},
		{name: "utf-8 bom with damage", in: []byte("\xEF\xBB\xBFa\xFFb"), wantText: "a\uFFFDb", wantEnc: "utf-8-bom"},
		{name: "utf-16le bom", in: encodeUTF16("Hé ✓ 😀\r\nnext", binary.LittleEndian), wantText: "Hé ✓ 😀\r\nnext", wantEnc: "utf-16le"},
		{name: "utf-16be bom", in: encodeUTF16("Hé ✓ 😀\rnext", binary.BigEndian), wantText: "Hé ✓ 😀\rnext", wantEnc: "utf-16be"},
		{name: "utf-16le odd byte", in: append(encodeUTF16("ab", binary.LittleEndian), 'c'), wantText: "ab\uFFFD", wantEnc: "utf-16le"},
		{name: "utf-16le lone surrogate", in: []byte{0xFF, 0xFE, 0x00, 0xD8, 'a', 0}, wantText: "\uFFFDa", wantEnc: "utf-16le"},
		{
			name:     "windows-1252",
			in:       []byte("\x93Hi\x94 caf\xE9 \x85 \x80\r\n"),
			wantText: "\u201cHi\u201d café \u2026 €\r\n",
			wantEnc:  "windows-1252",
		},
		{name: "crlf kept", in: []byte("a\r\nb\r\n"), wantText: "a\r\nb\r\n", wantEnc: "utf-8"},
		{name: "lone cr kept", in: []byte("a\rb\r"), wantText: "a\rb\r", wantEnc: "utf-8"},
		{name: "nul", in: []byte("ab\x00cd"), wantErr: ErrBinary, errText: "NUL byte at offset 2; if this is UTF-16 text, save it with a byte-order mark"},
		{name: "png", in: []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), wantErr: ErrBinary, errText: "the file is image/png by its first bytes, not a story"},
		{name: "pdf", in: []byte("%PDF-1.4\n\x00\x01"), wantErr: ErrBinary, errText: "the file is application/pdf by its first bytes"},
		{name: "nul in cp1252", in: []byte("\x93a\x00"), wantErr: ErrBinary, errText: "offset 2"},
		{name: "nul after utf-8 bom", in: []byte("\xEF\xBB\xBFa\x00"), wantErr: ErrBinary, errText: "offset 4"},
		{name: "utf-16 without bom", in: []byte("a\x00b\x00"), wantErr: ErrBinary, errText: "offset 1"},
		{name: "nul in utf-16le", in: []byte{0xFF, 0xFE, 'a', 0, 0, 0, 'b', 0}, wantErr: ErrBinary, errText: "offset 4"},
		{name: "empty", in: nil, wantErr: ErrEmpty},
		{name: "whitespace", in: []byte(" \t\r\n\n  "), wantErr: ErrEmpty},
		{name: "unicode whitespace", in: []byte("\u00a0\u2003\n"), wantErr: ErrEmpty},
		{name: "bom only", in: []byte("\xEF\xBB\xBF"), wantErr: ErrEmpty},
		{name: "utf-16 bom and spaces", in: encodeUTF16(" \r\n", binary.LittleEndian), wantErr: ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			text, enc, err := Decode(tt.in)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Decode(%q) error = %v, want one wrapping %v", tt.in, err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.errText) {
					t.Errorf("Decode(%q) error = %q, want it to contain %q", tt.in, err, tt.errText)
				}
				return
			}
			if err != nil {
				t.Fatalf("Decode(%q) error = %v", tt.in, err)
			}
			if text != tt.wantText || enc != tt.wantEnc {
				t.Errorf("Decode(%q) = %q, %q; want %q, %q", tt.in, text, enc, tt.wantText, tt.wantEnc)
			}
		})
	}
}

func TestCountWords(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"", 0},
		{"   \n\t ", 0},
		{"hello", 1},
		{"Hello, world!", 2},
		{"can't stop won't stop", 4},
		{"don’t", 1},
		{"'tis the season", 3},
		{"the dogs' toys", 3},
		{"rock 'n' roll", 3},
		{"‘quoted’ words", 2},
		{"a''b", 2},
		{"it's-a well-known", 4},
		{"3.14 and 42", 4},
		{"café", 1},
		{"cafe\u0301 au lait", 3},
		{"\u0301 lone mark", 2},
		{"日本語 テキスト", 2},
		{"Привет, мир", 2},
		{"line one\r\nline two\rthree\n", 5},
		{"'", 0},
		{"end'", 1},
	}
	for _, tt := range tests {
		if got := CountWords(tt.in); got != tt.want {
			t.Errorf("CountWords(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestCountWordsAllocs(t *testing.T) {
	s := strings.Repeat("It wasn’t the café’s fault — 日本語, 3.14! ", 100)
	if n := testing.AllocsPerRun(10, func() { CountWords(s) }); n != 0 {
		t.Errorf("CountWords allocates %v times, want 0", n)
	}
}

// countWordsRef is a slow, obvious CountWords for the fuzzer to check
// against.
func countWordsRef(s string) int {
	rs := []rune(s)
	isWord := func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
	n := 0
	in := false
	for i, r := range rs {
		switch {
		case isWord(r):
			if !in {
				n++
			}
			in = true
		case unicode.IsMark(r):
		case (r == '\'' || r == '’') && in && i+1 < len(rs) && isWord(rs[i+1]):
		default:
			in = false
		}
	}
	return n
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{"", "hello", "\xEF\xBB\xBFbom", "\xFF\xFEa\x00", "\xFE\xFF\x00a", "\x93q\x94", "a\x00b", "a\r\nb\rc", "can't"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		text, enc, err := Decode(b)
		if err != nil {
			if !errors.Is(err, ErrBinary) && !errors.Is(err, ErrEmpty) && !errors.Is(err, ErrEncoding) {
				t.Fatalf("Decode(%q) error %v wraps neither ErrBinary nor ErrEmpty", b, err)
			}
			return
		}
		if !utf8.ValidString(text) {
			t.Fatalf("Decode(%q) = %q, not valid UTF-8", b, text)
		}
		if isSpace(text) {
			t.Fatalf("Decode(%q) = %q, blank text without ErrEmpty", b, text)
		}
		switch enc {
		case EncodingUTF8:
			if text != string(b) {
				t.Fatalf("Decode(%q) = %q, utf-8 text differs from input", b, text)
			}
		case EncodingUTF8BOM, EncodingUTF16LE, EncodingUTF16BE, EncodingWindows1252, EncodingUTF8Lossy, EncodingShiftJIS, EncodingEUCJP, EncodingEUCKR:
		default:
			t.Fatalf("Decode(%q) encoding = %q", b, enc)
		}
		if got, want := CountWords(text), countWordsRef(text); got != want {
			t.Fatalf("CountWords(%q) = %d, reference says %d", text, got, want)
		}
	})
}
