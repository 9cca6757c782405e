package datasets

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A file over StreamAbove is streamed: same declared metadata, body, hash
// and encoding as when it is read whole.
func TestStreamedStoryMatchesRead(t *testing.T) {
	dir := t.TempDir()
	body := strings.Repeat("The rain fell on the roof of the house, and nobody spoke.\r\n", 40000)
	cases := map[string][]byte{
		"utf8.txt":   []byte("Title: Big\nRating: R\nWarnings: violence\n\n" + body),
		"bom.txt":    append([]byte{0xEF, 0xBB, 0xBF}, []byte("Title: Big\n\n"+body)...),
		"cp1252.txt": append([]byte("Title: Caf\xe9\n\n"), []byte(body)...),
		"utf16.txt":  utf16LE("Title: Wide\n\n" + body[:200000]),
		// A story on one line after "AUTHOR'S NOTE:": its head was notes
		// in a streamed read, all of it notes in a whole one.
		"oneline.txt":  []byte("AUTHOR'S NOTE: " + strings.Repeat("The rain fell on the roof of the house, and nobody spoke. ", 40000)),
		"noteline.txt": []byte("Title: Rain\nAuthor's note:\n" + strings.Repeat("The rain fell on the roof of the house, and nobody spoke. ", 40000)),
	}
	for name, data := range cases {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	read := func(opt Options) map[string]*Story {
		out := map[string]*Story{}
		for s := range Read(context.Background(), []string{dir}, opt) {
			if s.Err != nil {
				t.Fatalf("%s: %v", s.Source, s.Err)
			}
			out[s.ID] = s
		}
		return out
	}
	whole := read(Options{})
	streamed := read(Options{StreamAbove: 1000})
	for id, w := range whole {
		s := streamed[id]
		if s == nil || !s.Streamed() || w.Streamed() {
			t.Fatalf("%s: streamed %v", id, s)
		}
		if s.SHA256 != w.SHA256 || s.Encoding != w.Encoding || s.Title != w.Title || s.BodyLine != w.BodyLine || s.BodyByte != w.BodyByte {
			t.Errorf("%s: streamed %q %q %q line %d byte %d; read %q %q %q line %d byte %d", id,
				s.SHA256[:8], s.Encoding, s.Title, s.BodyLine, s.BodyByte, w.SHA256[:8], w.Encoding, w.Title, w.BodyLine, w.BodyByte)
		}
		rc, err := s.OpenBody()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != w.Body() {
			t.Errorf("%s: streamed body of %d bytes differs from the read body of %d", id, len(got), len(w.Body()))
		}
	}
}

func TestSkip(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("A."), 0o644)
	os.WriteFile(filepath.Join(dir, "b.txt"), []byte("B."), 0o644)
	os.WriteFile(filepath.Join(dir, "c.jsonl"), []byte(`{"id":"x","text":"X"}`+"\n"+`{"id":"y","text":"Y"}`+"\n"), 0o644)
	var got []string
	skip := func(_, id string) bool { return id == "a" || id == "x" }
	for s := range Read(context.Background(), []string{dir}, Options{Skip: skip}) {
		got = append(got, s.ID)
	}
	if strings.Join(got, ",") != "b,y" {
		t.Errorf("read %v, want b,y", got)
	}
}

func utf16LE(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}
