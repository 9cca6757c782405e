package datasets

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/tagger-dev/tagger/datasets/header"
)

// streamHead is how much of a streamed story is read up front: enough for
// any header (the header parser looks at 64 KiB at most).
const streamHead = 1 << 20

// OpenBody returns a reader of the story's body as UTF-8 text: Body() for
// a story held in memory, the file itself (decoded on the fly) for a
// streamed one. The caller closes it.
func (s *Story) OpenBody() (io.ReadCloser, error) {
	if s.open == nil {
		return io.NopCloser(strings.NewReader(s.Body())), nil
	}
	return s.open()
}

// Streamed reports whether the story is too large to be held in memory:
// Text is then empty, and OpenBody reads the body from its file.
func (s *Story) Streamed() bool { return s.open != nil }

// streamText makes the Story of a text file too large to hold: its header
// is parsed from the first MiB, its hash computed by reading the file once,
// and its body is read again, in chunks, by whoever calls OpenBody.
func (r *reader) streamText(path string, size int64, id string) bool {
	s := &Story{ID: id, Source: path, Format: FormatText}
	fail := func(err error) bool {
		s.Err = fmt.Errorf("read %s: %w", path, err)
		return r.emit(s)
	}
	f, err := os.Open(path)
	if err != nil {
		return fail(openError(err))
	}
	defer f.Close()
	h := sha256.New()
	head := make([]byte, streamHead)
	n, err := io.ReadFull(io.TeeReader(f, h), head)
	if err != nil && err != io.ErrUnexpectedEOF {
		return fail(err)
	}
	head = head[:n]
	if _, err := io.Copy(h, f); err != nil {
		return fail(err)
	}
	s.SHA256 = hex.EncodeToString(h.Sum(nil))

	enc, skip := EncodingUTF8, 0
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		enc, skip = EncodingUTF8BOM, len(bomUTF8)
	case bytes.HasPrefix(head, bomUTF16LE):
		enc, skip = EncodingUTF16LE, len(bomUTF16LE)
	case bytes.HasPrefix(head, bomUTF16BE):
		enc, skip = EncodingUTF16BE, len(bomUTF16BE)
	default:
		if err := checkNUL(head, 0); err != nil {
			return fail(err)
		}
		// The head decides the encoding of the whole file; a stray invalid
		// byte further on reads as a separator, never as a crash.
		if !utf8.Valid(trimPartialRune(head)) {
			enc = EncodingWindows1252
		}
	}
	s.Encoding = enc
	decode := func(rd io.Reader) io.Reader {
		switch enc {
		case EncodingUTF16LE:
			return transform.NewReader(rd, xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewDecoder())
		case EncodingUTF16BE:
			return transform.NewReader(rd, xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM).NewDecoder())
		case EncodingWindows1252:
			return transform.NewReader(rd, charmap.Windows1252.NewDecoder())
		}
		return rd
	}
	// The header, from the decoded head.
	headText, err := io.ReadAll(io.LimitReader(decode(bytes.NewReader(head[skip:])), streamHead))
	if err != nil {
		return fail(err)
	}
	ht := string(trimPartialRune(headText))
	res := header.Parse(ht)
	s.Declared = res.Declared
	s.BodyLine, s.BodyByte = res.BodyLine, res.BodyByte
	bodyByte := int64(res.BodyByte)
	s.open = func() (io.ReadCloser, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if _, err := f.Seek(int64(skip), io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		text := bufio.NewReaderSize(decode(f), 64<<10)
		// Skip the header: BodyByte counts decoded bytes.
		if _, err := io.CopyN(io.Discard, text, bodyByte); err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		return struct {
			io.Reader
			io.Closer
		}{text, f}, nil
	}
	return r.emit(s)
}

// trimPartialRune drops an incomplete UTF-8 sequence cut at the end of b.
func trimPartialRune(b []byte) []byte {
	for i := 1; i <= utf8.UTFMax && i <= len(b); i++ {
		if utf8.RuneStart(b[len(b)-i]) {
			if !utf8.FullRune(b[len(b)-i:]) {
				return b[:len(b)-i]
			}
			break
		}
	}
	return b
}
