package datasets

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// TestReadAllSized checks readAll on input of known size: the buffer is
// sized once, input that grew since its size was taken is read to its end,
// and the limit holds whatever the size said.
func TestReadAllSized(t *testing.T) {
	lim := limit{n: 100, what: "a test", opt: "-x"}
	for _, tc := range []struct {
		name    string
		data    string
		size    int64
		tooBig  bool
		oneByte bool // read one byte at a time
	}{
		{name: "empty", data: "", size: 0},
		{name: "exact", data: strings.Repeat("a", 50), size: 50},
		{name: "at the limit", data: strings.Repeat("a", 100), size: 100},
		{name: "grew", data: strings.Repeat("b", 90), size: 10},
		{name: "grew past the limit", data: strings.Repeat("b", 101), size: 10, tooBig: true},
		{name: "shrank", data: "abc", size: 50},
		{name: "one byte at a time", data: strings.Repeat("c", 70), size: 70, oneByte: true},
		{name: "over the limit by its size", data: "x", size: 101, tooBig: true},
	} {
		in := bytes.NewReader([]byte(tc.data))
		var r io.Reader = in
		if tc.oneByte {
			r = iotest.OneByteReader(in)
		}
		got, err := readAll(r, tc.size, lim, nil)
		if tc.tooBig {
			if !errors.Is(err, ErrTooLarge) {
				t.Errorf("%s: err %v, want ErrTooLarge", tc.name, err)
			}
			continue
		}
		if err != nil || string(got) != tc.data {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.data)
		}
	}
	// A read error is returned as such.
	boom := errors.New("boom")
	if _, err := readAll(iotest.ErrReader(boom), 10, lim, nil); !errors.Is(err, boom) {
		t.Errorf("read error: %v, want %v", err, boom)
	}
}
