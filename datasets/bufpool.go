package datasets

import (
	"math/bits"
	"sync"
	"unsafe"
)

// A BufferPool recycles the buffers that text files are read into, so that
// a batch run over many stories allocates its input once rather than once
// per story (about a byte of garbage per byte read, half of a run's
// allocation on a corpus of short stories). Set it as Options.Buffers and
// hand each story back with Recycle once nothing refers to its text.
//
// Only text files whose bytes become the story's text as they are (UTF-8)
// keep a pooled buffer; any other is handed back as soon as it is decoded.
// Buffers are kept in size classes a quarter of an octave apart (at most
// a fifth of a buffer unused), from 4 KiB to 16 MiB; a larger file gets a
// buffer of its own. Idle buffers are held in sync.Pools, so the garbage
// collector frees the ones a run stops using.
//
// A BufferPool is safe for concurrent use. The zero value is ready to use.
type BufferPool struct {
	classes [numBufClasses]sync.Pool // of *[]byte

	// Poison, when set, overwrites every buffer handed back with 0xFF
	// bytes (never valid UTF-8): a caller that still reads a recycled
	// story's text then sees damage at once rather than a plausible text
	// of another story. For tests.
	Poison bool
}

const (
	minBufShift   = 12 // 4 KiB
	maxBufShift   = 24 // 16 MiB
	numBufClasses = (maxBufShift-minBufShift)*4 + 1
)

// bufClass returns the smallest class whose buffers hold n bytes, and its
// size; ok is false when n is over the largest class.
func bufClass(n int) (class, size int, ok bool) {
	if n > 1<<maxBufShift {
		return 0, 0, false
	}
	if n <= 1<<minBufShift {
		return 0, 1 << minBufShift, true
	}
	// n lies in (2^(k-1), 2^k]; the classes of that octave are
	// 2^(k-1)·{5/4, 6/4, 7/4, 8/4}.
	k := bits.Len(uint(n - 1))
	quarter := 1 << (k - 3)
	q := (n - 1 - 1<<(k-1)) / quarter // 0..3
	size = 1<<(k-1) + (q+1)*quarter
	class = (k-1-minBufShift)*4 + q + 1
	return class, size, true
}

// get returns an empty buffer that holds at least n bytes, and the box it
// is to be handed back in (nil when it is not pooled).
func (p *BufferPool) get(n int) ([]byte, *[]byte) {
	c, size, ok := bufClass(n)
	if !ok {
		return make([]byte, 0, n), nil
	}
	if b, _ := p.classes[c].Get().(*[]byte); b != nil {
		return (*b)[:0], b
	}
	buf := make([]byte, 0, size)
	return buf, &buf
}

// put hands a buffer back in its box; one that grew past its class (a
// file that grew while read) is dropped.
func (p *BufferPool) put(box *[]byte, buf []byte) {
	if box == nil {
		return
	}
	c, size, ok := bufClass(cap(buf))
	if !ok || size != cap(buf) {
		return
	}
	if p.Poison {
		buf = buf[:cap(buf)]
		for i := range buf {
			buf[i] = 0xFF
		}
	}
	*box = buf[:0]
	p.classes[c].Put(box)
}

// Recycle hands s's text buffer, if it has one from p, back to p. After
// it, s.Text and every string sliced from it (header fields, passages)
// must not be used: their bytes will be another story's. Recycling a story
// twice, or one read without p, does nothing; a copy of a Story shares its
// buffer, so recycle one of them only.
func (p *BufferPool) Recycle(s *Story) {
	if p == nil || s == nil || s.buf == nil || s.pool != p {
		return
	}
	box := s.buf
	s.buf, s.pool = nil, nil
	s.Text = ""
	p.put(box, *box)
}

// aliases reports whether text lies in buf's memory: decode made the text
// of the bytes themselves rather than of a copy.
func aliases(buf []byte, text string) bool {
	if len(text) == 0 || cap(buf) == 0 {
		return false
	}
	start := uintptr(unsafe.Pointer(unsafe.SliceData(buf[:cap(buf)])))
	at := uintptr(unsafe.Pointer(unsafe.StringData(text)))
	return at >= start && at < start+uintptr(cap(buf))
}
