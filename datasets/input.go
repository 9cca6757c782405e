package datasets

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"syscall"
	"time"
	"unicode/utf8"
)

// Default limits of Options for inputs read whole.
const (
	// DefaultMaxStoryBytes caps a text story whose size is not known before
	// reading it (a pipe, a device, standard input). The longest works on
	// AO3 run to about five million words, some 30 MB of UTF-8; 64 MiB
	// leaves twice that, while a story read whole costs about twice its
	// size (raw bytes and decoded text), so one input stays well under
	// 300 MB of memory.
	DefaultMaxStoryBytes = 64 << 20
	// DefaultMaxMarkupBytes caps an HTML or EPUB file, and the decompressed
	// documents of an EPUB. Parsing HTML costs about 7.5 times the page's
	// size at its peak (a 60 MB page: 445 MB; a 30 MB page in tagger run:
	// 285 MB), so 24 MiB keeps one page well under 300 MB. AO3's "Entire
	// Work" page of a million-word work is about 8 MB; only the few longest
	// works on the archive need more.
	DefaultMaxMarkupBytes = 24 << 20
)

// ErrTooLarge reports input over one of the size limits of Options.
var ErrTooLarge = errors.New("input too large")

// ErrChanged reports a file that changed while it was being read.
var ErrChanged = errors.New("file changed while being read")

// limit is one size cap of Options, with what to say when it is passed.
type limit struct {
	n    int64
	what string // "a text story", "an HTML or EPUB story", ...
	opt  string // the Options field and the flag that raise it
}

// over is the error for input of size bytes (-1: more than n, size
// unknown) over the limit.
func (l limit) over(size int64) error {
	have := "input is over"
	if size >= 0 {
		have = fmt.Sprintf("file is %d bytes, over", size)
	}
	return fmt.Errorf("%s the %d-byte limit for %s; split it, or raise the limit with %s (%w)",
		have, l.n, l.what, l.opt, ErrTooLarge)
}

// Limits of a reader, with the Options field and the tagger flag of each.
func (r *reader) fileLimit() limit {
	return limit{r.maxFile, "a text story", "--max-file-bytes (Options.MaxFileBytes)"}
}

func (r *reader) storyLimit() limit {
	return limit{r.maxStory, "a text story read from a pipe, device or standard input", "--max-story-bytes (Options.MaxStoryBytes)"}
}

func (r *reader) markupLimit() limit {
	return limit{r.maxMarkup, "an HTML or EPUB story", "--max-markup-bytes (Options.MaxMarkupBytes)"}
}

// lineLimitHint says how to raise the line limit.
const lineLimitHint = "--max-line-bytes (Options.MaxLineBytes)"

// openInput opens p without blocking: opening a named pipe that has no
// writer blocks in open(2) otherwise. O_NONBLOCK changes nothing for a
// regular file, and puts a pipe under Go's poller, so that a read can be
// interrupted by a deadline (see guard).
func openInput(p string) (*os.File, fs.FileInfo, error) {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, openError(err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, fi, nil
}

// guard returns a reader of f that stops when r's context is done, even in
// the middle of a blocked read, and a function to call when done with it.
func (r *reader) guard(f *os.File, fi fs.FileInfo) (io.Reader, func()) {
	cr := &ctxReader{ctx: r.ctx, r: f}
	if fi.Mode().IsRegular() {
		return cr, func() {}
	}
	// A pipe or socket is under the poller: a deadline in the past ends a
	// pending read. A device that is not (/dev/zero) never blocks, or,
	// opened with O_NONBLOCK, fails with EAGAIN instead of blocking.
	if f.SetReadDeadline(time.Time{}) == nil {
		stop := context.AfterFunc(r.ctx, func() { f.SetReadDeadline(time.Now()) })
		return cr, func() { stop() }
	}
	return cr, func() {}
}

// ctxReader checks its context before every read, so that a loop reading
// an endless input (/dev/zero) ends when the context is done, and reports
// a read cut short by guard's deadline as the context's error.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	if err != nil && c.ctx.Err() != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		err = c.ctx.Err()
	}
	return n, err
}

// asyncReader reads r in another goroutine, so that a read blocked on a
// reader that cannot be interrupted (standard input, a terminal) is
// abandoned when the context is done: Read then returns the context's
// error at once, and the pending read is left to finish on its own. One
// read is pending at a time, into a buffer of the asyncReader's own, so
// an abandoned read never writes into a caller's buffer.
type asyncReader struct {
	ctx     context.Context
	r       io.Reader
	buf     []byte
	res     chan asyncResult
	pending bool
}

type asyncResult struct {
	n   int
	err error
}

func newAsyncReader(ctx context.Context, r io.Reader) *asyncReader {
	return &asyncReader{ctx: ctx, r: r, buf: make([]byte, 64<<10), res: make(chan asyncResult, 1)}
}

func (a *asyncReader) Read(p []byte) (int, error) {
	if err := a.ctx.Err(); err != nil {
		return 0, err
	}
	if len(p) == 0 {
		return 0, nil
	}
	if !a.pending {
		a.pending = true
		buf := a.buf[:min(len(p), len(a.buf))]
		go func() {
			n, err := a.r.Read(buf)
			a.res <- asyncResult{n, err}
		}()
	}
	select {
	case res := <-a.res:
		a.pending = false
		return copy(p, a.buf[:res.n]), res.err
	case <-a.ctx.Done():
		return 0, a.ctx.Err()
	}
}

// binaryProbe is how much of an input is looked at for NUL bytes before
// reading on: binary input fails fast instead of filling a buffer.
const binaryProbe = 1 << 10

// readAll reads in to its end, failing once it has read more than lim.n
// bytes. size, when known (≥ 0), is checked against the limit before
// anything is read and sizes the buffer (see readSized). When it is not
// known, the input is read in chunks joined once at the end (unless it
// fills most of the first), and a NUL byte in it (other than in UTF-16 with a
// byte-order mark) fails the read as soon as it is seen, with an error
// wrapping ErrBinary.
//
// The returned slice is a new allocation that nothing else refers to, or
// buf (see readSized): the caller owns it (readText turns it into the
// story's text without a copy, see decode).
func readAll(in io.Reader, size int64, lim limit, buf []byte) ([]byte, error) {
	if size > lim.n {
		return nil, lim.over(size)
	}
	if size >= 0 {
		return readSized(in, size, lim, buf)
	}
	var chunks [][]byte
	var total int64
	decided, utf16 := false, false
	chunk := make([]byte, 0, 64<<10)
	for {
		if len(chunk) == cap(chunk) {
			chunks = append(chunks, chunk)
			// Chunks grow with the input, to at most 4 MiB.
			chunk = make([]byte, 0, min(4<<20, 2*cap(chunk)))
		}
		n, err := in.Read(chunk[len(chunk):cap(chunk)])
		if n > 0 {
			from := len(chunk)
			chunk = chunk[:from+n]
			if !decided && len(chunks) == 0 && len(chunk) >= len(bomUTF16LE) {
				decided, from = true, 0
				utf16 = bytes.HasPrefix(chunk, bomUTF16LE) || bytes.HasPrefix(chunk, bomUTF16BE)
			}
			if decided && !utf16 {
				if i := bytes.IndexByte(chunk[from:], 0); i >= 0 {
					off := int(total) + i - (len(chunk) - n - from)
					if len(chunks) == 0 {
						return nil, binaryErrorIn(chunk, off) // chunk starts the file
					}
					return nil, binaryError(off)
				}
			}
			if total += int64(n); total > lim.n {
				return nil, lim.over(-1)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if len(chunks) == 0 && 2*len(chunk) >= cap(chunk) {
		// All in the first chunk, which it fills well: no copy. A short
		// input is copied, so its text does not hold a 64 KiB buffer.
		return chunk, nil
	}
	out := make([]byte, 0, total)
	for _, c := range chunks {
		out = append(out, c...)
	}
	return append(out, chunk...), nil
}

// readSized is readAll for input of known size (size ≤ lim.n): one read
// into a buffer of that size and a byte more, for the read that sees EOF,
// so that the buffer is allocated once and never copied. It reads into
// buf when buf holds that much (a pooled buffer, see BufferPool), else
// into a new one. A file that grew since its size was taken is read on to
// its end, the buffer growing as append grows it, within the limit.
func readSized(in io.Reader, size int64, lim limit, buf []byte) ([]byte, error) {
	if int64(cap(buf)) < size+1 {
		buf = make([]byte, 0, size+1)
	}
	buf = buf[:0]
	for {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, 64<<10)
		}
		// Never more than lim.n+1 bytes in all: one past the limit tells
		// input over it.
		room := min(int64(cap(buf)), lim.n+1) - int64(len(buf))
		n, err := in.Read(buf[len(buf) : len(buf)+int(room)])
		buf = buf[:len(buf)+n]
		if int64(len(buf)) > lim.n {
			return nil, lim.over(-1)
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// probeBinary looks at the start of a corpus read through br, as much of
// its first KiB as one read brings, and reports a NUL byte there as binary
// input: a corpus in UTF-8 never holds one, and reading on would take an
// endless device (/dev/zero) for one long line.
func probeBinary(br *bufio.Reader) error {
	br.Peek(1)
	b, _ := br.Peek(min(br.Buffered(), binaryProbe))
	if bytes.HasPrefix(b, bomUTF16LE) || bytes.HasPrefix(b, bomUTF16BE) {
		return nil
	}
	if i := bytes.IndexByte(b, 0); i >= 0 {
		return binaryErrorIn(b, i)
	}
	return nil
}

// lineBuf holds one line as it is read in pieces. A short line is appended
// to one reused buffer; a long one is kept in pieces and joined once, at its
// end, into a buffer of its size, so that a line of n bytes costs about 2n
// at its peak rather than the repeated copies of a doubling buffer.
type lineBuf struct {
	buf    []byte
	pieces [][]byte
	n      int
}

// lineBufSmall is the size up to which a line is appended to one buffer,
// and above which a buffer left by a long line is dropped.
const lineBufSmall = 1 << 20

// reset empties the buffer for a new line.
func (b *lineBuf) reset() {
	if cap(b.buf) > lineBufSmall {
		b.buf = nil
	}
	b.buf, b.pieces, b.n = b.buf[:0], nil, 0
}

// add appends p, which is valid only until the next read, to the line.
func (b *lineBuf) add(p []byte) {
	b.n += len(p)
	if b.pieces == nil && len(b.buf)+len(p) <= lineBufSmall {
		b.buf = append(b.buf, p...)
		return
	}
	if b.pieces == nil {
		b.pieces = [][]byte{b.buf}
		b.buf = nil
	}
	last := &b.pieces[len(b.pieces)-1]
	if len(*last)+len(p) > cap(*last) {
		b.pieces = append(b.pieces, make([]byte, 0, max(len(p), 4<<20)))
		last = &b.pieces[len(b.pieces)-1]
	}
	*last = append(*last, p...)
}

// bytes returns the line, valid until the next reset.
func (b *lineBuf) bytes() []byte {
	if b.pieces != nil {
		out := make([]byte, 0, b.n)
		for _, p := range b.pieces {
			out = append(out, p...)
		}
		b.buf, b.pieces = out, nil
	}
	return b.buf
}

// decodeMarkup decodes an HTML file as Decode does, without copying it
// when it is UTF-8 already: a page's bytes are then parsed as read.
func decodeMarkup(raw []byte) ([]byte, string, error) {
	if bytes.HasPrefix(raw, bomUTF8) || !utf8.Valid(raw) {
		text, enc, err := Decode(raw)
		return []byte(text), enc, err
	}
	if err := checkNUL(raw, 0); err != nil {
		return nil, "", err
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil, "", fmt.Errorf("%w: the input is empty or holds only whitespace", ErrEmpty)
	}
	return raw, EncodingUTF8, nil
}

// openFIFO opens the named pipe p given as an input, waiting, as open(2)
// does, for a writer to open it; a non-blocking open would read a pipe
// whose writer comes later as empty. Only this one open is ever made of
// the pipe for reading: a non-blocking open closed again would lose what a
// waiting writer wrote. The blocking open runs in another goroutine (the
// opened file is then put under the poller, so guard can interrupt its
// reads). When ctx is done first, the goroutine is released by opening the
// pipe for writing without blocking, which succeeds once a reader waits in
// open(2): if the goroutine has not reached open(2) yet (ENXIO, no reader),
// the write open is retried until it has, so that no goroutine is left
// blocked, the wait being bounded in case the path no longer leads to the
// same pipe.
func (r *reader) openFIFO(p string) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(p)
		ch <- opened{f, err}
	}()
	select {
	case o := <-ch:
		if o.err != nil {
			return nil, openError(o.err)
		}
		return o.f, nil
	case <-r.ctx.Done():
	}
	release := func(o opened) {
		if o.f != nil {
			o.f.Close()
		}
	}
	var w *os.File
	defer func() {
		if w != nil {
			w.Close()
		}
	}()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	giveUp := time.After(2 * time.Second)
	for {
		if w == nil {
			w, _ = os.OpenFile(p, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		}
		select {
		case o := <-ch:
			release(o)
			return nil, r.ctx.Err()
		case <-giveUp:
			// Leave the goroutine to close what it opens, if ever.
			go func() { release(<-ch) }()
			return nil, r.ctx.Err()
		case <-tick.C:
		}
	}
}
