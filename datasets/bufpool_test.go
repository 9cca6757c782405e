package datasets

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestBufClass(t *testing.T) {
	prev := -1
	for n := 0; n <= 1<<maxBufShift; n += 1 + n/97 {
		c, size, ok := bufClass(n)
		if !ok {
			t.Fatalf("bufClass(%d): not pooled", n)
		}
		if size < n || (n > 1<<minBufShift && float64(size) > 1.25*float64(n)+1) {
			t.Fatalf("bufClass(%d) = size %d: want at least n and at most a quarter more", n, size)
		}
		if c < prev || c >= numBufClasses {
			t.Fatalf("bufClass(%d) = class %d after %d (of %d)", n, c, prev, numBufClasses)
		}
		// A buffer of the class's size is of the same class, so it
		// goes back where it came from.
		if c2, size2, _ := bufClass(size); c2 != c || size2 != size {
			t.Fatalf("bufClass(%d) = %d/%d, but bufClass(%d) = %d/%d", n, c, size, size, c2, size2)
		}
		prev = c
	}
	if _, _, ok := bufClass(1<<maxBufShift + 1); ok {
		t.Fatal("a buffer over the largest class is pooled")
	}
}

// TestReadBuffers reads a directory of text files with and without a
// BufferPool: the stories are the same; a UTF-8 story keeps its buffer
// until recycled, a transcoded one gives it back at once, and a recycled
// story's bytes are overwritten when the pool poisons them.
func TestReadBuffers(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.txt":      "Title: A\nRating: Teen\n\nShe ran for the door.\n",
		"b.txt":      "Title: Bee\n\n" + strings.Repeat("A longer story, for a larger class. ", 400),
		"latin1.txt": "Title: Caf\xe9\n\nThe caf\xe9 was closed.\n",
		"empty.txt":  "   \n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(opt Options) []*Story {
		var out []*Story
		for s := range Read(context.Background(), []string{dir}, opt) {
			out = append(out, s)
		}
		return out
	}
	want := read(Options{})
	pool := &BufferPool{Poison: true}
	got := read(Options{Buffers: pool})
	if len(got) != len(want) {
		t.Fatalf("%d stories with a pool, %d without", len(got), len(want))
	}
	recycled := 0
	for i, s := range got {
		w := want[i]
		if s.Source != w.Source || s.Text != w.Text || s.Title != w.Title || s.SHA256 != w.SHA256 || (s.Err == nil) != (w.Err == nil) {
			t.Fatalf("%s: with a pool %q (title %q, err %v), without %q (title %q, err %v)", s.Source, s.Text, s.Title, s.Err, w.Text, w.Title, w.Err)
		}
		pooled := s.buf != nil
		if wantPooled := s.Err == nil && s.Encoding == EncodingUTF8; pooled != wantPooled {
			t.Errorf("%s (%s, err %v): holds a pooled buffer %v, want %v", s.Source, s.Encoding, s.Err, pooled, wantPooled)
		}
		if !pooled {
			continue
		}
		recycled++
		title := s.Title           // a slice of the text
		(&BufferPool{}).Recycle(s) // another pool's: nothing happens
		var none *BufferPool
		none.Recycle(s)
		if s.Text != w.Text || s.buf == nil {
			t.Fatalf("%s: recycled to a pool it did not come from", s.Source)
		}
		pool.Recycle(s)
		if s.Text != "" || s.buf != nil {
			t.Errorf("%s: recycled, but still holds its text", s.Source)
		}
		if title == w.Title || !strings.Contains(title, "\xff") {
			t.Errorf("%s: the title %q sliced from a recycled text was not poisoned", s.Source, title)
		}
		pool.Recycle(s) // twice does nothing
	}
	if recycled != 2 {
		t.Errorf("%d stories held a pooled buffer, want 2 (a.txt, b.txt)", recycled)
	}
}
