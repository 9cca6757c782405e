package datasets

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"

	xunicode "golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"

	"github.com/tagger-dev/tagger/datasets/header"
	"github.com/tagger-dev/tagger/taxonomy"
)

// streamHead is how much of a streamed story is read up front: enough for
// any header (the header parser looks at 64 KiB of lines, and a longer
// line is no header line past header.MaxHeaderLine).
const streamHead = header.MaxHeaderLine

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

// streamText makes the Story of a text file too large to hold, open as f
// (read through in) with the FileInfo fi: its header is parsed from the
// first MiB; the whole file is read once, for its hash and to check that it
// is text throughout (no NUL byte, the encoding chosen from all of it); its
// body is read again, in chunks, by whoever calls OpenBody, which fails
// with an error wrapping ErrChanged if the file is no longer the one read.
func (r *reader) streamText(f *os.File, in io.Reader, fi fs.FileInfo, path, id string) bool {
	s := &Story{ID: id, Source: path, Format: FormatText}
	fail := func(err error) bool {
		s.Err = fmt.Errorf("read %s: %w", path, err)
		return r.emit(s)
	}
	h := sha256.New()
	head := make([]byte, streamHead)
	n, err := io.ReadFull(io.TeeReader(in, h), head)
	if err != nil && err != io.ErrUnexpectedEOF {
		return fail(err)
	}
	head = head[:n]
	enc, skip := EncodingUTF8, 0
	switch {
	case bytes.HasPrefix(head, bomUTF8):
		enc, skip = EncodingUTF8BOM, len(bomUTF8)
	case bytes.HasPrefix(head, bomUTF16LE):
		enc, skip = EncodingUTF16LE, len(bomUTF16LE)
	case bytes.HasPrefix(head, bomUTF16BE):
		enc, skip = EncodingUTF16BE, len(bomUTF16BE)
	}
	// The rest of the file, checked as it is hashed.
	chk := &textCheck{utf16: enc == EncodingUTF16LE || enc == EncodingUTF16BE}
	chk.write(head)
	if chk.err != nil {
		return fail(chk.err)
	}
	// Line starts are looked at on the way, for authors' notes: a story
	// with none is not read again for them (streamNotes).
	notes := &noteScan{}
	notes.Write(head)
	if _, err := io.Copy(io.MultiWriter(h, chk, notes), in); err != nil {
		return fail(err)
	}
	notes.end()
	if chk.err != nil {
		return fail(chk.err)
	}
	chk.count.end()
	if err := sameFile(f, fi, chk.n); err != nil {
		return fail(err)
	}
	s.SHA256 = hex.EncodeToString(h.Sum(nil))
	rawEnc := "" // the decoding of the bytes after any byte-order mark
	switch enc {
	case EncodingUTF8BOM:
		if chk.count.bad > 0 {
			rawEnc = EncodingUTF8Lossy
		}
	case EncodingUTF8:
		if chk.count.bad > 0 {
			if enc, err = guessEncoding(head, chk.count); err != nil {
				return fail(err)
			}
			rawEnc = enc
		}
	default:
		rawEnc = enc
	}
	s.Encoding = enc
	decode := func(rd io.Reader) io.Reader {
		switch rawEnc {
		case "":
			return rd
		case EncodingUTF16LE:
			return transform.NewReader(rd, xunicode.UTF16(xunicode.LittleEndian, xunicode.IgnoreBOM).NewDecoder())
		case EncodingUTF16BE:
			return transform.NewReader(rd, xunicode.UTF16(xunicode.BigEndian, xunicode.IgnoreBOM).NewDecoder())
		}
		return transform.NewReader(rd, decoderOf(rawEnc).NewDecoder())
	}
	// The header, from the decoded head.
	headText, err := io.ReadAll(io.LimitReader(decode(bytes.NewReader(head[skip:])), streamHead))
	if err != nil {
		return fail(err)
	}
	ht := string(trimPartialRune(headText))
	res := header.ParseWith(r.tx, ht)
	s.Declared = res.Declared
	s.BodyLine, s.BodyByte = res.BodyLine, res.BodyByte
	bodyByte := int64(res.BodyByte)
	sum, size, mtime := s.SHA256, fi.Size(), fi.ModTime()
	bom := append([]byte(nil), head[:skip]...)
	s.open = func() (io.ReadCloser, error) {
		f, fi, err := openInput(path)
		if err == nil && (!fi.Mode().IsRegular() || fi.Size() != size || !fi.ModTime().Equal(mtime)) {
			f.Close()
			err = fmt.Errorf("%w: %s is not the file read (size or time changed); run again", ErrChanged, path)
		}
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		if _, err := f.Seek(int64(skip), io.SeekStart); err != nil {
			f.Close()
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		// The bytes are checked again as they are read: a file rewritten
		// in place fails at its first NUL byte, or at its end, where its
		// hash is compared with the story's.
		v := &verifyReader{r: f, path: path, sum: sum, size: size, h: sha256.New(),
			chk: textCheck{utf16: chk.utf16, n: int64(skip)}}
		v.h.Write(bom)
		text := bufio.NewReaderSize(decode(v), 64<<10)
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
	// The notes in the body, as readText blanks and reads them: read once
	// through here for their declarations, then blanked again as the body
	// is read.
	if res.Layout == header.LayoutAO3 || notes.found || chk.utf16 {
		if err := streamNotes(s, r.tx, res.Layout, res.Fields); err != nil {
			return fail(err)
		}
	}
	return r.emit(s)
}

// noteScan looks at the start of every line written to it for an
// author's note label (header.AuthorNoteLine), in the bytes as read: the
// labels are ASCII, so in UTF-8 and the single-byte encodings alike (not
// in UTF-16, which streamText does not trust it for).
type noteScan struct {
	head  []byte // the start of the current line, up to noteHead bytes
	skip  bool   // the current line's start has been looked at
	found bool
}

// end looks at the last line, when the text does not end with a line
// break.
func (s *noteScan) end() {
	if !s.skip && len(s.head) > 0 {
		s.found = s.found || header.AuthorNoteLine(s.head)
	}
}

// noteHead is as much of a line's start as header.AuthorNoteLine needs.
const noteHead = 40

func (s *noteScan) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 && !s.found {
		nl := bytes.IndexByte(p, '\n')
		line := p
		if nl >= 0 {
			line = p[:nl]
		}
		if !s.skip {
			s.head = append(s.head, line[:min(len(line), noteHead-len(s.head))]...)
			if len(s.head) == noteHead || nl >= 0 {
				s.found = header.AuthorNoteLine(s.head)
				s.skip = true
			}
		}
		if nl < 0 {
			break
		}
		p = p[nl+1:]
		s.head, s.skip = s.head[:0], false
	}
	return n, nil
}

// streamNotes reads the body of the streamed story s for the notes in it
// (see noteFilter): their cues declare, with the header's fields (see
// reader.bodyNotes). Its body is then read with them blanked.
func streamNotes(s *Story, tx *taxonomy.Taxonomy, layout header.Layout, fields []header.Field) error {
	rc, err := s.open()
	if err != nil {
		return err
	}
	nf := noteFilter(layout, rc)
	_, err = io.Copy(io.Discard, nf)
	rc.Close()
	if err != nil {
		return err
	}
	if !nf.Found() {
		return nil
	}
	s.Declared = declareNotes(tx, layout, s.Declared, fields, nil, nf.Notes())
	open := s.open
	s.open = func() (io.ReadCloser, error) {
		rc, err := open()
		if err != nil {
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{noteFilter(layout, rc), rc}, nil
	}
	return nil
}

// textCheck checks the bytes of a text file as they are written to it: a
// NUL byte (a NUL code unit in UTF-16) fails it with an error wrapping
// ErrBinary; in other encodings, UTF-8 sequences are counted.
type textCheck struct {
	utf16 bool
	n     int64 // bytes written so far
	odd   bool  // UTF-16: the last byte written was the first of a code unit, and 0
	count utf8Count
	err   error
}

func (c *textCheck) Write(p []byte) (int, error) {
	c.write(p)
	return len(p), c.err
}

func (c *textCheck) write(p []byte) {
	if c.err != nil {
		return
	}
	if !c.utf16 {
		if i := bytes.IndexByte(p, 0); i >= 0 {
			if c.n == 0 {
				c.err = binaryErrorIn(p, i) // p starts the file
			} else {
				c.err = binaryError(int(c.n) + i)
			}
			return
		}
		c.count.add(p)
		c.n += int64(len(p))
		return
	}
	for i, b := range p {
		off := c.n + int64(i)
		if off%2 == 0 {
			c.odd = b == 0
		} else if c.odd && b == 0 && off > 1 {
			c.err = binaryError(int(off - 1))
			return
		}
	}
	c.n += int64(len(p))
}

// sameFile fails with an error wrapping ErrChanged when f, read to its end
// (n bytes), is no longer as fi found it when it was opened.
func sameFile(f *os.File, fi fs.FileInfo, n int64) error {
	now, err := f.Stat()
	if err != nil {
		return err
	}
	if n != fi.Size() || now.Size() != fi.Size() || !now.ModTime().Equal(fi.ModTime()) {
		return fmt.Errorf("%w: %d bytes when opened, %d read, %d now; run again once it is written", ErrChanged, fi.Size(), n, now.Size())
	}
	return nil
}

// verifyReader reads a streamed story's file again, checking that it is
// the file that was read: text throughout, and, at its end, of the size
// and hash the story has.
type verifyReader struct {
	r         io.Reader
	path, sum string
	size      int64
	h         hash.Hash
	chk       textCheck
}

func (v *verifyReader) Read(p []byte) (int, error) {
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.chk.write(p[:n])
	if v.chk.err != nil {
		return n, fmt.Errorf("read %s: %w: %w", v.path, ErrChanged, v.chk.err)
	}
	if err == io.EOF && (v.chk.n != v.size || hex.EncodeToString(v.h.Sum(nil)) != v.sum) {
		return n, fmt.Errorf("read %s: %w: its contents are not those hashed when it was read; run again", v.path, ErrChanged)
	}
	return n, err
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
