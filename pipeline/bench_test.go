package pipeline

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tagger-dev/tagger/models"
	"github.com/tagger-dev/tagger/pipeline/benchcorpus"
)

// BenchmarkRun runs the whole pipeline (files → Parquet) over a generated
// 20 MB corpus and reports MB/s of story text. For the 200 MB figures of the
// README use cmd/benchcorpus and hyperfine; this keeps `go test -bench`
// quick.
func BenchmarkRun(b *testing.B) {
	paras, err := benchcorpus.Sources("../seeds", "")
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	_, size, err := benchcorpus.Write(filepath.Join(dir, "corpus"), paras, benchcorpus.Options{Bytes: 20e6, Seed: 3})
	if err != nil {
		b.Fatal(err)
	}
	m, err := models.Default()
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(size)
	for b.Loop() {
		sink, err := NewSink(filepath.Join(dir, "out.parquet"), SinkOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Run(context.Background(), context.Background(), []string{filepath.Join(dir, "corpus")}, sink, Config{Model: m}, nil); err != nil {
			b.Fatal(err)
		}
		if err := sink.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
