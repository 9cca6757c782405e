package pipeline

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
	"github.com/tagger-dev/tagger/pipeline/benchcorpus"
)

// The benchmarks run over a generated 20 MB corpus and report MB/s of
// story text, so that the stages compare with each other and with the
// whole run. For the 200 MB figures of the README use cmd/benchcorpus and
// hyperfine; this keeps `go test -bench` quick.

// benchCorpus writes the 20 MB corpus and returns its directory and size.
func benchCorpus(b *testing.B) (string, int64) {
	b.Helper()
	paras, err := benchcorpus.Sources("../seeds", "")
	if err != nil {
		b.Fatal(err)
	}
	dir := filepath.Join(b.TempDir(), "corpus")
	_, size, err := benchcorpus.Write(dir, paras, benchcorpus.Options{Bytes: 20e6, Seed: 3})
	if err != nil {
		b.Fatal(err)
	}
	return dir, size
}

func benchModel(b *testing.B) *classify.Model {
	b.Helper()
	m, err := models.Default()
	if err != nil {
		b.Fatal(err)
	}
	return m
}

// benchStories reads the corpus as Run's ingest stage does.
func benchStories(b *testing.B, dir string) []*datasets.Story {
	b.Helper()
	var out []*datasets.Story
	for s := range datasets.Read(context.Background(), []string{dir}, datasets.Options{NoWordCount: true}) {
		if s.Err != nil {
			b.Fatal(s.Err)
		}
		out = append(out, s)
	}
	return out
}

// BenchmarkRun runs the whole pipeline (files → Parquet), over the 20 MB
// corpus (long) and over 20 MB of stories of 1,000 to 5,000 words, the
// length of an AO3 work's first chapter (short), where opening and reading
// files and a row per story weigh more.
func BenchmarkRun(b *testing.B) {
	b.Run("long", func(b *testing.B) {
		dir, size := benchCorpus(b)
		benchRun(b, dir, size)
	})
	b.Run("short", func(b *testing.B) {
		paras, err := benchcorpus.Sources("../seeds", "")
		if err != nil {
			b.Fatal(err)
		}
		dir := filepath.Join(b.TempDir(), "corpus")
		_, size, err := benchcorpus.Write(dir, paras, benchcorpus.Options{Bytes: 20e6, Seed: 5, MinWords: 1000, MaxWords: 5000})
		if err != nil {
			b.Fatal(err)
		}
		benchRun(b, dir, size)
	})
	// A corpus of one's own (e.g. the ao3-works chapter texts), named by
	// TAGGER_BENCH_DIR, so its profile can be taken the same way.
	if dir := os.Getenv("TAGGER_BENCH_DIR"); dir != "" {
		b.Run("dir", func(b *testing.B) {
			var size int64
			err := filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
				if err == nil && d.Type().IsRegular() {
					if fi, err := d.Info(); err == nil {
						size += fi.Size()
					}
				}
				return err
			})
			if err != nil {
				b.Fatal(err)
			}
			benchRun(b, dir, size)
		})
	}
}

func benchRun(b *testing.B, dir string, size int64) {
	m := benchModel(b)
	b.SetBytes(size)
	for b.Loop() {
		sink, err := NewSink(filepath.Join(b.TempDir(), "out.parquet"), SinkOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Run(context.Background(), context.Background(), []string{dir}, sink, Config{Model: m}, nil); err != nil {
			b.Fatal(err)
		}
		if err := sink.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIngest is the ingest stage: walk, read, decode and parse the
// headers of the corpus (datasets.Read).
func BenchmarkIngest(b *testing.B) {
	dir, size := benchCorpus(b)
	b.SetBytes(size)
	for b.Loop() {
		benchStories(b, dir)
	}
}

// BenchmarkChunk is the chunk stage over stories held in memory.
func BenchmarkChunk(b *testing.B) {
	dir, size := benchCorpus(b)
	cfg := Config{Model: benchModel(b), MaxInFlight: 32 << 20, Workers: 1}
	sc := newScorer(cfg)
	stories := benchStories(b, dir)
	ctx := context.Background()
	b.SetBytes(size)
	for b.Loop() {
		for i, s := range stories {
			sw := newStoryWork(cfg, int64(i), s)
			// Each chunk gives its allowance back at once, as if merged:
			// a story of several chunks would otherwise wait for room.
			release := func(it chunkItem) error {
				if sw.allow != nil {
					sw.allow.Release(it.weight)
				}
				return nil
			}
			if err := sc.cut(ctx, sw, release); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkScore is the tokenize, feature and classify stages together on
// one goroutine: ScoreChunk over every chunk of the corpus.
func BenchmarkScore(b *testing.B) {
	dir, _ := benchCorpus(b)
	m := benchModel(b)
	opt := Config{}.PredictOptions()
	ctx := context.Background()
	var chunks []classify.Chunk
	var n int64
	for _, s := range benchStories(b, dir) {
		err := classify.SplitText(ctx, s.Text, s.BodyByte, s.BodyLine, func(c classify.Chunk) error {
			chunks = append(chunks, c)
			n += int64(len(c.Text))
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(n)
	for b.Loop() {
		for _, c := range chunks {
			if _, err := m.ScoreChunk(ctx, c, opt); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkCombine is the combine stage: FinishPartials and the row of
// every story, from its chunks' partials.
func BenchmarkCombine(b *testing.B) {
	dir, size := benchCorpus(b)
	m := benchModel(b)
	opt := Config{}.PredictOptions()
	ctx := context.Background()
	stories := benchStories(b, dir)
	parts := make([][]*classify.Partial, len(stories))
	for i, s := range stories {
		err := classify.SplitText(ctx, s.Text, s.BodyByte, s.BodyLine, func(c classify.Chunk) error {
			p, err := m.ScoreChunk(ctx, c, opt)
			parts[i] = append(parts[i], p)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(size)
	for b.Loop() {
		for i, s := range stories {
			res, err := m.FinishPartials(parts[i], opt)
			if err != nil {
				b.Fatal(err)
			}
			ScoredRow(s, m, res, nil)
		}
	}
}

// BenchmarkSink is the sink stage: the corpus's rows written to Parquet,
// in batches as Run writes them.
func BenchmarkSink(b *testing.B) {
	dir, size := benchCorpus(b)
	cfg := Config{Model: benchModel(b)}
	var rows []Row
	for _, s := range benchStories(b, dir) {
		rows = append(rows, ScoreStory(context.Background(), cfg, s))
	}
	b.SetBytes(size)
	for b.Loop() {
		sink, err := NewSink(filepath.Join(b.TempDir(), "out.parquet"), SinkOptions{})
		if err != nil {
			b.Fatal(err)
		}
		for batch := range slices.Chunk(rows, 256) {
			if err := sink.Write(batch); err != nil {
				b.Fatal(err)
			}
		}
		if err := sink.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
