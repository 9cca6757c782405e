package datasets_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/pipeline/benchcorpus"
)

// BenchmarkReadTextCorpus reads a generated 20 MB corpus of plain-text
// stories (1,000 to 100,000 words each, varied headers: see
// pipeline/benchcorpus) as tagger run does (no word count), and reports
// MB/s of story text and the allocations per pass: the ingest stage's cost.
// The corpus stays in the page cache after the first pass, so the figure
// is that of reading, decoding and header parsing, not of the disk.
func BenchmarkReadTextCorpus(b *testing.B) {
	paras, err := benchcorpus.Sources("../seeds", "")
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "corpus")
	files, size, err := benchcorpus.Write(dir, paras, benchcorpus.Options{Bytes: 20e6, Seed: 3})
	if err != nil {
		b.Fatal(err)
	}
	opt := datasets.Options{NoWordCount: true}
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for s := range datasets.Read(context.Background(), []string{dir}, opt) {
			if s.Err != nil {
				b.Fatal(s.Err)
			}
			n++
		}
		if n != files {
			b.Fatalf("read %d stories, want %d", n, files)
		}
	}
}
