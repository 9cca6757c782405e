package datasets

import (
	"fmt"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	xunicode "golang.org/x/text/encoding/unicode"
)

// utf8Count counts the non-ASCII sequences of a text: valid multi-byte
// UTF-8 sequences and invalid bytes. It can be fed in pieces (add), a
// sequence cut between two pieces being carried over.
type utf8Count struct {
	multi, bad int64
	carry      []byte
}

// countUTF8 counts the non-ASCII sequences of b.
func countUTF8(b []byte) utf8Count {
	var c utf8Count
	c.add(b)
	c.end()
	return c
}

// add counts p, which follows what was added before.
func (c *utf8Count) add(p []byte) {
	if len(c.carry) > 0 {
		// Finish the sequences that start in the bytes carried over.
		k := len(c.carry)
		tmp := append(append(make([]byte, 0, 2*utf8.UTFMax), c.carry...), p[:min(len(p), utf8.UTFMax)]...)
		i := 0
		for i < k {
			r, size := utf8.DecodeRune(tmp[i:])
			if r == utf8.RuneError && size <= 1 {
				if !utf8.FullRune(tmp[i:]) {
					c.carry = append(c.carry[:0], tmp[i:]...)
					return
				}
				c.bad++
				size = 1
			} else {
				c.multi++
			}
			i += size
		}
		p = p[i-k:]
		c.carry = c.carry[:0]
	}
	for i := 0; i < len(p); {
		if p[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(p[i:])
		if r == utf8.RuneError && size <= 1 {
			if !utf8.FullRune(p[i:]) {
				c.carry = append(c.carry[:0], p[i:]...)
				return
			}
			c.bad++
		} else {
			c.multi++
		}
		i += size
	}
}

// end counts a sequence left cut at the end of the text.
func (c *utf8Count) end() {
	if len(c.carry) > 0 {
		c.bad++
		c.carry = c.carry[:0]
	}
}

// mostlyValid reports UTF-8 damaged in places: invalid bytes, but at
// least twice as many valid non-ASCII sequences, and two or more.
// Windows-1252 text almost never holds a valid UTF-8 sequence (a capital
// such as "Ã" followed by a symbol such as "©"; a small letter such as "é"
// followed by two symbols), so text in which they outnumber the invalid
// bytes two to one is UTF-8 with a stray byte (a cut download, a splice of
// two files), and decoding it all as Windows-1252 would garble every one of
// its non-ASCII characters. A story with ten curly quotes and one bad byte
// is such text; a rule of 99 valid to 1, as before, read it as
// Windows-1252 and garbled its title and every quote.
func (c utf8Count) mostlyValid() bool {
	return c.bad > 0 && c.multi >= 2 && c.multi >= 2*c.bad
}

// guessEncoding names the encoding of b, which is not valid UTF-8; n
// counts its UTF-8 sequences. See Decode.
func guessEncoding(b []byte, n utf8Count) (string, error) {
	if n.mostlyValid() {
		return EncodingUTF8Lossy, nil
	}
	return guessLegacy(b)
}

// guessLegacy tells legacy CJK encodings from Windows-1252. Japanese is
// recognised by its kana, which both Shift_JIS and EUC-JP place where no
// other reading of the bytes yields them; Korean by Hangul and the spaces
// between its words. Chinese text in GB18030 or Big5 reads as Han
// characters in either, so it is refused rather than guessed.
func guessLegacy(b []byte) (string, error) {
	high := 0
	for _, c := range b {
		if c >= 0x80 {
			high++
		}
	}
	if high < 16 {
		return EncodingWindows1252, nil
	}
	for _, enc := range []string{EncodingShiftJIS, EncodingEUCJP} {
		if s := scoreScript(b, decoderOf(enc)); s.clean() && s.kana*5 >= s.nonASCII {
			return enc, nil
		}
	}
	if s := scoreScript(b, decoderOf(EncodingEUCKR)); s.clean() && s.hangul*2 >= s.nonASCII && s.spaces*10 >= s.hangul {
		return EncodingEUCKR, nil
	}
	if s := scoreScript(b, simplifiedchinese.GB18030); s.clean() && s.han*2 >= s.nonASCII && s.spaces*20 < s.nonASCII {
		return "", fmt.Errorf("%w: the text looks like Chinese in a legacy encoding (GB18030 or Big5?); "+
			"convert it to UTF-8, e.g. iconv -f GB18030 -t UTF-8 (or -f BIG5)", ErrEncoding)
	}
	return EncodingWindows1252, nil
}

// scriptScore counts the characters of a text decoded in a candidate
// encoding.
type scriptScore struct {
	nonASCII, bad, kana, hangul, han, spaces int
}

// clean reports a decoding with enough non-ASCII characters to judge and
// almost no undecodable bytes.
func (s scriptScore) clean() bool {
	return s.nonASCII >= 8 && s.bad*100 <= s.nonASCII
}

func scoreScript(b []byte, enc encoding.Encoding) scriptScore {
	var s scriptScore
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		s.bad = len(b)
		return s
	}
	for len(out) > 0 {
		r, size := utf8.DecodeRune(out)
		out = out[size:]
		switch {
		case r == ' ':
			s.spaces++
		case r < utf8.RuneSelf:
		case r == utf8.RuneError:
			s.nonASCII++
			s.bad++
		default:
			s.nonASCII++
			switch {
			case 0x3040 <= r && r <= 0x30FF:
				s.kana++
			case 0xAC00 <= r && r <= 0xD7A3:
				s.hangul++
			case 0x4E00 <= r && r <= 0x9FFF, 0x3000 <= r && r <= 0x303F, 0xFF01 <= r && r <= 0xFF5E:
				s.han++
			}
		}
	}
	return s
}

// decoderOf returns the decoding of a single-byte or legacy encoding
// Decode names, or of damaged UTF-8.
func decoderOf(enc string) encoding.Encoding {
	switch enc {
	case EncodingUTF8Lossy:
		return xunicode.UTF8 // its decoder turns invalid bytes into U+FFFD
	case EncodingShiftJIS:
		return japanese.ShiftJIS
	case EncodingEUCJP:
		return japanese.EUCJP
	case EncodingEUCKR:
		return korean.EUCKR
	}
	return charmap.Windows1252
}

// decodeAs decodes b from enc, a name decoderOf knows.
func decodeAs(enc string, b []byte) (string, error) {
	out, err := decoderOf(enc).NewDecoder().Bytes(b)
	if err != nil {
		return "", fmt.Errorf("decode %s: %w", enc, err)
	}
	return string(out), nil
}
