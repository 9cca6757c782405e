package benchcorpus

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	paras, err := Sources("../../seeds", "")
	if err != nil || len(paras) < 10 {
		t.Fatalf("sources: %d paragraphs, %v", len(paras), err)
	}
	dir := t.TempDir()
	n, size, err := Write(dir, paras, Options{Bytes: 2e6, Seed: 1, MinWords: 1000, MaxWords: 5000})
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.txt"))
	if n != len(files) || size < 2e6 {
		t.Fatalf("wrote %d files (%d on disk), %d bytes", n, len(files), size)
	}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		if w := len(strings.Fields(string(b))); w < 1000 || w > 5000+2000 {
			t.Errorf("%s has %d words, want about 1,000–5,000", f, w)
		}
	}
	again := t.TempDir()
	Write(again, paras, Options{Bytes: 2e6, Seed: 1, MinWords: 1000, MaxWords: 5000})
	a, _ := os.ReadFile(files[0])
	b, _ := os.ReadFile(filepath.Join(again, filepath.Base(files[0])))
	if string(a) != string(b) {
		t.Error("the same seed wrote a different corpus")
	}
}
