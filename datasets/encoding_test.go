package datasets

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func encodeWith(t *testing.T, e encoding.Encoding, s string) []byte {
	t.Helper()
	b, err := e.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// Decode prefers damaged UTF-8 to Windows-1252 when the text is almost all
// valid UTF-8, and recognises legacy Japanese and Korean encodings.
func TestDecodeGuessesEncoding(t *testing.T) {
	ja := strings.Repeat("彼女は静かに窓の外を見ていた。雨が降っている。", 20)
	ko := strings.Repeat("그녀는 조용히 창밖을 바라보고 있었다. 비가 내리고 있다. ", 20)
	zh := strings.Repeat("她静静地望着窗外。雨一直在下，没有人说话。", 20)
	quotes := strings.Repeat("“It’s raining,” she said — again. ", 50)
	tests := []struct {
		name     string
		in       []byte
		enc      string
		text     string // "" = not checked
		sentinel error
	}{
		{"utf-8 with one bad byte", []byte(quotes + "\xff" + quotes), EncodingUTF8Lossy, quotes + "\uFFFD" + quotes, nil},
		{"utf-8 cut in a character", []byte(quotes + "\xe2\x80"), EncodingUTF8Lossy, "", nil},
		// A story's few curly quotes and one stray byte: read as
		// Windows-1252 until 99 valid to 1 bad was asked, its title read
		// "CafÃ© â€œNoirâ".
		{"a few quotes and one bad byte", []byte("Title: Café “Noir”\n\nShe said, “It’s late.” He\u00a0nodded. \xff They left."), EncodingUTF8Lossy,
			"Title: Café “Noir”\n\nShe said, “It’s late.” He\u00a0nodded. \uFFFD They left.", nil},
		{"one valid sequence is not enough", []byte("caf\xc3\xa9 \xff"), EncodingWindows1252, "", nil},
		{"windows-1252", []byte("Caf\xe9 na\xefve \x93quoted\x94 r\xe9sum\xe9 " + strings.Repeat("\xe9t\xe9 ", 10)), EncodingWindows1252, "Café naïve “quoted” résumé " + strings.Repeat("été ", 10), nil},
		{"utf-8 mostly broken", []byte("\xe9t\xe9 — " + strings.Repeat("\xe9", 10)), EncodingWindows1252, "", nil},
		{"shift_jis", encodeWith(t, japanese.ShiftJIS, ja), EncodingShiftJIS, ja, nil},
		{"euc-jp", encodeWith(t, japanese.EUCJP, ja), EncodingEUCJP, ja, nil},
		{"euc-kr", encodeWith(t, korean.EUCKR, ko), EncodingEUCKR, ko, nil},
		{"gb18030 refused", encodeWith(t, simplifiedchinese.GB18030, zh), "", "", ErrEncoding},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text, enc, err := Decode(tc.in)
			if tc.sentinel != nil {
				if !errors.Is(err, tc.sentinel) || !strings.Contains(err.Error(), "convert it to UTF-8") {
					t.Fatalf("Decode error %v, want one wrapping %v", err, tc.sentinel)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if enc != tc.enc {
				t.Errorf("encoding %q, want %q", enc, tc.enc)
			}
			if tc.text != "" && text != tc.text {
				t.Errorf("text %.80q, want %.80q", text, tc.text)
			}
		})
	}
}

// utf8Count gives the same counts however its input is cut.
func TestUTF8CountPieces(t *testing.T) {
	in := []byte("a€b\xffc😀d\xe2\x82e" + strings.Repeat("é", 5))
	want := countUTF8(in)
	for cut := 1; cut <= 4; cut++ {
		var c utf8Count
		for i := 0; i < len(in); i += cut {
			c.add(in[i:min(i+cut, len(in))])
		}
		c.end()
		if c.multi != want.multi || c.bad != want.bad {
			t.Errorf("pieces of %d: %d valid, %d bad; whole: %d, %d", cut, c.multi, c.bad, want.multi, want.bad)
		}
	}
}
