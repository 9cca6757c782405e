package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
)

// Encodings Decode reports.
const (
	EncodingUTF8        = "utf-8"
	EncodingUTF8BOM     = "utf-8-bom"
	EncodingUTF16LE     = "utf-16le"
	EncodingUTF16BE     = "utf-16be"
	EncodingWindows1252 = "windows-1252"
	// EncodingUTF8Lossy is UTF-8 with a few invalid bytes, each decoded as
	// U+FFFD: see Decode.
	EncodingUTF8Lossy = "utf-8-lossy"
	// Legacy Japanese and Korean encodings Decode recognises.
	EncodingShiftJIS = "shift_jis"
	EncodingEUCJP    = "euc-jp"
	EncodingEUCKR    = "euc-kr"
)

// ErrEncoding reports text in an encoding Decode cannot tell for sure.
var ErrEncoding = errors.New("unrecognised text encoding")

// ErrBinary reports input that holds a NUL byte, which text never does.
var ErrBinary = errors.New("binary file")

// ErrEmpty reports input that holds no text, or only whitespace.
var ErrEmpty = errors.New("empty story")

// Byte-order marks.
var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// Decode turns the raw bytes of a story into UTF-8 text and names the
// encoding it found. UTF-8 (with or without a byte-order mark) and UTF-16
// with a byte-order mark are decoded as such. Bytes that are not valid
// UTF-8 are, in this order (see guessEncoding):
//   - UTF-8 damaged in places ("utf-8-lossy"), when valid non-ASCII UTF-8
//     sequences outnumber the invalid bytes two to one (and are two or
//     more), which Windows-1252 text never does: each invalid byte becomes U+FFFD
//     rather than the whole text being misread;
//   - Shift_JIS, EUC-JP or EUC-KR, when decoding as one of them yields
//     Japanese kana or Korean Hangul throughout;
//   - an error wrapping ErrEncoding when the text looks like Chinese in a
//     legacy encoding (GB18030 or Big5, which cannot be told apart);
//   - otherwise Windows-1252, the usual encoding of old fan-fiction
//     archives.
//
// Line endings are left as they are, so that for UTF-8 input
// without a byte-order mark text is b and offsets into it are file offsets.
//
// Decode fails with an error wrapping ErrBinary when b holds a NUL byte, and
// with one wrapping ErrEmpty when b holds nothing but whitespace.
func Decode(b []byte) (text string, encoding string, err error) {
	return decode(b, false)
}

// decode is Decode. With owned, the caller hands b over: b was allocated
// for this text alone and is never written again, by the caller or anyone
// else, so valid UTF-8 becomes the text without a copy (see ownedString).
// Text that must be converted (damaged UTF-8, UTF-16, legacy encodings)
// is a new string either way.
func decode(b []byte, owned bool) (text string, encoding string, err error) {
	str := func(b []byte) string {
		if owned {
			return ownedString(b)
		}
		return string(b)
	}
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		if err := checkNUL(b, len(bomUTF8)); err != nil {
			return "", "", err
		}
		if utf8.Valid(b[len(bomUTF8):]) {
			text = str(b[len(bomUTF8):])
		} else {
			// The mark declares UTF-8, so a stray invalid byte is damage,
			// not another encoding.
			text, err = decodeAs(EncodingUTF8Lossy, b[len(bomUTF8):])
		}
		encoding = EncodingUTF8BOM
	case bytes.HasPrefix(b, bomUTF16LE):
		text, err = decodeUTF16(b, xunicode.LittleEndian)
		encoding = EncodingUTF16LE
	case bytes.HasPrefix(b, bomUTF16BE):
		text, err = decodeUTF16(b, xunicode.BigEndian)
		encoding = EncodingUTF16BE
	default:
		if err := checkNUL(b, 0); err != nil {
			return "", "", err
		}
		if utf8.Valid(b) {
			text, encoding = str(b), EncodingUTF8
		} else if encoding, err = guessEncoding(b, countUTF8(b)); err == nil {
			text, err = decodeAs(encoding, b)
		}
	}
	if err != nil {
		return "", "", err
	}
	if isSpace(text) {
		return "", "", fmt.Errorf("%w: the input is empty or holds only whitespace", ErrEmpty)
	}
	return text, encoding, nil
}

// ownedString returns the bytes of b as a string without copying them.
//
// Safety: a Go string must never change, and unsafe.String shares b's
// memory rather than copying it, so this is sound only while nobody
// writes to b's bytes again, for as long as the string lives. decode's
// callers with owned set guarantee it: readText passes the buffer that
// readAll allocated for this one story and returned to it alone (no
// reader keeps it: an io.Reader must not retain the slice it reads into,
// and asyncReader reads into a buffer of its own and copies), computes the
// SHA256 first, and drops it once decoded. The string keeps the whole
// buffer alive, which costs what a copy would have. A buffer from a
// BufferPool is written again only after BufferPool.Recycle, whose caller
// promises that the story's text and the strings sliced from it are no
// longer used (Run recycles a story once its row holds copies of them).
func ownedString(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// checkNUL reports a NUL byte in b[from:], giving its offset in b, and
// what kind of file b is when its first bytes tell (an image, a PDF).
func checkNUL(b []byte, from int) error {
	if i := bytes.IndexByte(b[from:], 0); i >= 0 {
		return binaryErrorIn(b, from+i)
	}
	return nil
}

// binaryErrorIn is binaryError for a file whose first bytes are head: an
// image, a PDF or an archive is named as such.
func binaryErrorIn(head []byte, offset int) error {
	if kind := http.DetectContentType(head); !strings.HasPrefix(kind, "text/") && kind != "application/octet-stream" {
		kind, _, _ = strings.Cut(kind, ";")
		return fmt.Errorf("%w: the file is %s by its first bytes, not a story; tagger reads text, HTML, EPUB, JSONL and CSV files", ErrBinary, kind)
	}
	return binaryError(offset)
}

func binaryError(offset int) error {
	return fmt.Errorf("%w: NUL byte at offset %d; if this is UTF-16 text, save it with a byte-order mark", ErrBinary, offset)
}

// decodeUTF16 decodes b, which starts with a two-byte byte-order mark.
func decodeUTF16(b []byte, order xunicode.Endianness) (string, error) {
	// A NUL code unit is binary data in UTF-16 as in UTF-8; report its
	// offset in the file rather than in the decoded text.
	for i := 2; i+1 < len(b); i += 2 {
		if b[i] == 0 && b[i+1] == 0 {
			return "", binaryError(i)
		}
	}
	// Unpaired surrogates and an odd trailing byte become U+FFFD.
	out, err := xunicode.UTF16(order, xunicode.IgnoreBOM).NewDecoder().Bytes(b[2:])
	if err != nil {
		return "", fmt.Errorf("decode UTF-16: %w", err)
	}
	return string(out), nil
}

func decodeWindows1252(b []byte) (string, error) {
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return "", fmt.Errorf("decode Windows-1252: %w", err)
	}
	return string(out), nil
}

// isSpace reports whether s holds nothing but white space.
func isSpace(s string) bool {
	for _, r := range s {
		if !unicode.IsSpace(r) && r != '\uFEFF' {
			return false
		}
	}
	return true
}

// CountWords counts the words of s: maximal runs of letters, digits and
// combining marks. An apostrophe (' or ’) between two such characters does
// not end a word, so "can't" is one word; hyphens and other punctuation do.
func CountWords(s string) int {
	n := 0
	inWord := false
	for i := 0; i < len(s); {
		c := s[i]
		// ASCII fast path, by table: most fan fiction is mostly ASCII.
		if k := asciiClass[c]; k != classOther {
			i++
			if k == classWord {
				if !inWord {
					n++
					inWord = true
				}
			} else if k == classApostrophe {
				inWord = inWord && startsWord(s[i:])
			} else {
				inWord = false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if !inWord {
				n++
				inWord = true
			}
		case unicode.IsMark(r):
			// A combining mark belongs to the letter before it and never
			// starts a word of its own.
		case r == '’':
			inWord = inWord && startsWord(s[i:])
		default:
			inWord = false
		}
	}
	return n
}

// Byte classes of CountWords' ASCII fast path; classOther marks a byte that
// starts a multi-byte rune.
const (
	classOther = iota
	classWord
	classApostrophe
	classSeparator
)

var asciiClass = func() (t [256]uint8) {
	for c := range 128 {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			t[c] = classWord
		case c == '\'':
			t[c] = classApostrophe
		default:
			t[c] = classSeparator
		}
	}
	return t
}()

func startsWord(s string) bool {
	if s == "" {
		return false
	}
	if c := s[0]; c < utf8.RuneSelf {
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	}
	r, _ := utf8.DecodeRuneInString(s)
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}
