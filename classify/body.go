package classify

import (
	"bytes"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// ChunkBytes is the most text a Chunk holds (SplitBody, SplitText): the
// text tokenised at once, so that memory stays bounded for stories of any
// size. A body of at most ChunkBytes is one chunk.
const ChunkBytes = chunkBytes

const chunkBytes = 256 << 10

// chunkReader cuts a body into chunks of at most chunkBytes that end after
// white space, so that no word is split.
type chunkReader struct {
	body  io.Reader
	carry []byte // bytes read after the last cut
	buf   []byte
	off   int // story offset of the next chunk
	eof   bool
}

// next returns the next chunk (its own copy) and its offset, or io.EOF.
func (cr *chunkReader) next() (string, int, error) {
	for {
		// One byte more than a chunk tells whether the text goes on, so
		// that chunks are cut exactly where Predict cuts an in-memory text.
		if cap(cr.buf) < chunkBytes+1 {
			cr.buf = make([]byte, 0, chunkBytes+1)
		}
		buf := append(cr.buf[:0], cr.carry...)
		for !cr.eof && len(buf) < chunkBytes+1 {
			n, err := cr.body.Read(buf[len(buf) : chunkBytes+1])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				cr.eof = true
			} else if err != nil {
				return "", 0, fmt.Errorf("read story body: %w", err)
			}
		}
		if len(buf) == 0 {
			return "", 0, io.EOF
		}
		cut := len(buf)
		if len(buf) > chunkBytes { // cut after white space, as chunkEnd does
			cut = chunkBytes
			if i := bytes.LastIndexAny(buf[:chunkBytes], " \t\r\n"); i > 0 {
				cut = i + 1
			} else {
				for cut < len(buf) && !utf8.RuneStart(buf[cut]) {
					cut++
				}
			}
		}
		cr.carry = append(cr.carry[:0], buf[cut:]...)
		cr.buf = buf
		chunk, at := string(buf[:cut]), cr.off
		cr.off += cut
		if cut == 0 {
			continue
		}
		return chunk, at, nil
	}
}

// lineCounter tracks the line at the start of each chunk and gives the
// windows of a chunk their first line.
type lineCounter struct {
	line   int
	lastCR bool // the previous chunk ended with \r: a leading \n is its pair
}

func (lc *lineCounter) chunk(chunk string, off int, sets ...[]labelState) {
	type pending struct {
		at  int
		dst *int
	}
	var ps []pending
	for _, states := range sets {
		for li := range states {
			for k := range states[li].top {
				w := &states[li].top[k]
				if w.line == 0 && w.start >= off && w.start < off+len(chunk) {
					ps = append(ps, pending{w.start - off, &w.line})
				}
			}
		}
	}
	slices.SortFunc(ps, func(a, b pending) int { return cmp.Compare(a.at, b.at) })
	line, at := lc.line, 0
	if lc.lastCR && strings.HasPrefix(chunk, "\n") {
		at = 1
	}
	// Without \r, line breaks are counted with strings.Count, which is
	// vectorised; IndexAny looks at one byte at a time.
	noCR := strings.IndexByte(chunk, '\r') < 0
	count := func(to int) {
		if noCR {
			if at < to {
				line += strings.Count(chunk[at:to], "\n")
				at = to
			}
			return
		}
		for at < to {
			i := strings.IndexAny(chunk[at:to], "\r\n")
			if i < 0 {
				at = to
				return
			}
			at += i
			if chunk[at] == '\n' || at+1 >= len(chunk) || chunk[at+1] != '\n' {
				line++
			}
			at++
		}
	}
	for _, p := range ps {
		count(p.at)
		*p.dst = line
	}
	count(len(chunk))
	lc.line = line
	lc.lastCR = strings.HasSuffix(chunk, "\r")
}

// chunkEnd returns where a chunk starting at off should end: at most n
// bytes on, cut after white space so that no word is split.
func chunkEnd(text string, off, n int) int {
	if len(text)-off <= n {
		return len(text)
	}
	end := off + n
	if i := strings.LastIndexAny(text[off:end], " \t\r\n"); i > 0 {
		return off + i + 1
	}
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end++
	}
	return end
}

// wordEnd extends the end of a window's last word over the punctuation
// that closes it ("fight." not "fight"), stopping at white space.
func wordEnd(text string, end int) int {
	for n := 0; end < len(text) && n < 4; n++ {
		switch text[end] {
		case '.', '!', '?', '"', '\'', ')', ',', ';', ':':
			end++
		default:
			return end
		}
	}
	return end
}
