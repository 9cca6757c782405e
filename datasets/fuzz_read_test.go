package datasets

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReadTree drives Read over a directory of files of every format, with
// fuzzed contents and a fuzzed name: it must not panic, every file must
// yield at least one story, every error must name its source, and nothing
// may be written to disk.
func FuzzReadTree(f *testing.F) {
	f.Add("story", []byte("Title: T\nRating: Mature\n\nIt rained."), []byte(`{"id":"1","text":"One."}`+"\n"), []byte("work_id,body\n1,Text\n"), []byte("<html><body><p>Hi</p></body></html>"), []byte("PK\x03\x04"))
	f.Add("ü", []byte("\xff\xfeT\x00"), []byte("{\n\x00"), []byte("\"work_id\",\"body\n"), []byte("<div><div><div>"), zipDir(f, filepath.Join("testdata", "formats", "ao3-epub")))
	f.Fuzz(func(t *testing.T, name string, txt, jsonl, csv, htm, epub []byte) {
		dir := t.TempDir()
		name = strings.Map(func(r rune) rune {
			if r == '/' || r == 0 || r == '\\' {
				return '_'
			}
			return r
		}, name)
		if name == "" || name == "." || name == ".." || strings.HasPrefix(name, ".") || len(name) > 100 {
			name = "x" + strings.TrimLeft(name, ".")
			if len(name) > 100 {
				name = name[:100]
			}
		}
		files := map[string][]byte{
			name + ".txt":  txt,
			"c.jsonl":      jsonl,
			"d.csv":        csv,
			"e.html":       htm,
			"f.epub":       epub,
			"sub/" + name:  txt,
			"sub/big.txt":  append([]byte("Title: big\n\n"), txt...),
			"sub/g.ndjson": jsonl,
		}
		for p, data := range files {
			full := filepath.Join(dir, filepath.FromSlash(p))
			if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
				t.Skip(err)
			}
			if err := os.WriteFile(full, data, 0o644); err != nil {
				t.Skip(err) // a name the file system refuses
			}
		}
		before := listTree(t, dir)
		opt := Options{MaxLineBytes: 4 << 10, MaxStoryBytes: 64 << 10, MaxMarkupBytes: 64 << 10, StreamAbove: 32}
		got := map[string]int{}
		for s := range Read(context.Background(), []string{dir}, opt) {
			if s.Source == "" {
				t.Fatalf("story %q without a source", s.ID)
			}
			file := s.Source
			if i := strings.LastIndexByte(file, ':'); i > len(dir) && !strings.HasSuffix(file, name) {
				file = file[:i]
			}
			got[file]++
			if s.Err != nil {
				if !strings.Contains(s.Err.Error(), s.Source) && !strings.Contains(s.Err.Error(), file) {
					t.Errorf("%s: error %q does not name the source", s.Source, s.Err)
				}
				continue
			}
			if s.Streamed() {
				rc, err := s.OpenBody()
				if err == nil {
					io.Copy(io.Discard, rc)
					rc.Close()
				}
			}
		}
		for p := range files {
			full := filepath.Join(dir, filepath.FromSlash(p))
			n := 0
			for src, k := range got {
				if src == full || strings.HasPrefix(src, full+":") {
					n += k
				}
			}
			if n == 0 {
				t.Errorf("%s yielded no story (stories from %v)", p, got)
			}
		}
		if after := listTree(t, dir); after != before {
			t.Errorf("the tree changed while it was read:\n%s\nnow:\n%s", before, after)
		}
	})
}

// listTree lists the files of dir with their sizes.
func listTree(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, _ := d.Info()
		if fi != nil {
			b.WriteString(p + " " + fi.Mode().String() + " " + itoa(int(fi.Size())) + "\n")
		}
		return nil
	})
	return b.String()
}
