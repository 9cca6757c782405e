package datasets_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/pipeline/benchcorpus"
)

// benchTextCorpus writes a generated 20 MB corpus of plain-text stories
// (1,000 to 100,000 words each, varied headers: see pipeline/benchcorpus)
// and returns its directory, its number of stories and its size.
func benchTextCorpus(b *testing.B) (dir string, files int, size int64) {
	paras, err := benchcorpus.Sources("../seeds", "")
	if err != nil {
		b.Fatal(err)
	}
	dir = filepath.Join(b.TempDir(), "corpus")
	files, size, err = benchcorpus.Write(dir, paras, benchcorpus.Options{Bytes: 20e6, Seed: 3})
	if err != nil {
		b.Fatal(err)
	}
	return dir, files, size
}

// benchRead reads input with opt once per iteration, failing unless it
// yields want stories and none fails, and reports MB/s of size bytes and
// the allocations per pass.
func benchRead(b *testing.B, input string, opt datasets.Options, want int, size int64) {
	b.SetBytes(size)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for s := range datasets.Read(context.Background(), []string{input}, opt) {
			if s.Err != nil {
				b.Fatal(s.Err)
			}
			n++
		}
		if n != want {
			b.Fatalf("read %d stories, want %d", n, want)
		}
	}
}

// BenchmarkReadTextCorpus reads the generated corpus as tagger run does
// (no word count): the ingest stage's cost. The corpus stays in the page
// cache after the first pass, so the figure is that of reading, decoding
// and header parsing, not of the disk.
func BenchmarkReadTextCorpus(b *testing.B) {
	dir, files, size := benchTextCorpus(b)
	benchRead(b, dir, datasets.Options{NoWordCount: true}, files, size)
}

// BenchmarkReadJSONLCorpus reads the same stories as one JSONL file, each
// a record with a rating, warnings and tags, with one reader and with four
// (records decoded four at a time), and reports MB/s of the corpus file.
func BenchmarkReadJSONLCorpus(b *testing.B) {
	dir, files, _ := benchTextCorpus(b)
	var corpus bytes.Buffer
	enc := json.NewEncoder(&corpus)
	for s := range datasets.Read(context.Background(), []string{dir}, datasets.Options{NoWordCount: true}) {
		err := enc.Encode(map[string]any{"id": s.ID, "rating": "Mature", "warnings": []string{"Graphic Depictions Of Violence"},
			"tags": []string{"Angst", "Hurt/Comfort", "Character Death"}, "text": s.Body()})
		if err != nil {
			b.Fatal(err)
		}
	}
	path := filepath.Join(b.TempDir(), "corpus.jsonl")
	if err := os.WriteFile(path, corpus.Bytes(), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, readers := range []int{1, 4} {
		b.Run(fmt.Sprintf("readers=%d", readers), func(b *testing.B) {
			benchRead(b, path, datasets.Options{NoWordCount: true, Readers: readers}, files, int64(corpus.Len()))
		})
	}
}
