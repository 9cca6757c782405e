package summary

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/tagger-dev/tagger/pipeline"
)

// syntheticRun writes n rows through the real sink to dir/name: a few labels,
// one in three stories with an undeclared warning, one in a hundred an
// error (one message once sources are taken out), fandoms from a small set
// plus one unique to each story, so that without its cap the fandom map
// would grow with the run.
func syntheticRun(t testing.TB, dir, name string, n int) string {
	t.Helper()
	path := filepath.Join(dir, name)
	s, err := pipeline.NewSink(path, pipeline.SinkOptions{Version: "bench", Model: "m@1", Sensitivity: "balanced"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	batch := make([]pipeline.Row, 0, 1000)
	for i := range n {
		id := fmt.Sprintf("s%07d", i)
		var r pipeline.Row
		if i%100 == 99 {
			r = failed(id, "read corpus/"+id+".txt: empty story")
		} else {
			scores := map[string]float64{"violence": float64(i%97) / 96}
			if i%3 == 0 {
				scores["death"] = 0.5 + float64(i%50)/100
			}
			r = story(id, scores, "violence")
			r.Fandoms = []string{fmt.Sprintf("Fandom %d", i%40), "unique " + id}
		}
		batch = append(batch, r)
		if len(batch) == cap(batch) {
			if err := s.Write(batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := s.Write(batch); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestMemoryBounded summarises 200,000 rows read from JSONL and checks
// that memory does not grow with the row count: the live heap after the
// last row is within a few MB of what it was after the first 50,000, the
// review heap holds Top stories, and the maps are bounded by the labels,
// the fandom cap and the distinct error messages.
func TestMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("writes and reads 200,000 rows")
	}
	const rows, top = 200_000, DefaultTop
	path := syntheticRun(t, t.TempDir(), "synthetic.jsonl", rows)
	a := New(top)
	var at50k uint64
	n := 0
	err := pipeline.ScanRows(context.Background(), path, func(r *pipeline.Row) error {
		a.Add(r)
		if n++; n == 50_000 {
			at50k = liveHeap()
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	end := liveHeap()
	review, labels, fandoms, errs := a.Sizes()
	t.Logf("live heap after 50,000 rows %.1f MB, after %d rows %.1f MB; review %d, labels %d, fandoms %d, error messages %d",
		float64(at50k)/1e6, rows, float64(end)/1e6, review, labels, fandoms, errs)
	if review != top || labels != len(labelNames) || fandoms > MaxFandoms+1 || errs != 1 {
		t.Errorf("sizes: review %d (want %d), labels %d (want %d), fandoms %d (want ≤ %d), error messages %d (want 1)",
			review, top, labels, len(labelNames), fandoms, MaxFandoms+1, errs)
	}
	if end > at50k+4<<20 {
		t.Errorf("live heap grew from %.1f MB to %.1f MB between 50,000 and %d rows: memory must not grow with the run", float64(at50k)/1e6, float64(end)/1e6, rows)
	}
	s := a.Summary()
	if s.Stories != rows || s.Errors != rows/100 || len(s.Review) != top {
		t.Errorf("summary: %v, %d to review", s, len(s.Review))
	}
}

// BenchmarkRead reads and summarises a 20,000-row run, as JSONL and as
// Parquet, per iteration (go test -bench Read -benchmem).
func BenchmarkRead(b *testing.B) {
	const rows = 20_000
	for _, name := range []string{"run.jsonl", "run.parquet"} {
		b.Run(name, func(b *testing.B) {
			path := syntheticRun(b, b.TempDir(), name, rows)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				s, err := Read(context.Background(), path, DefaultTop)
				if err != nil {
					b.Fatal(err)
				}
				if s.Stories != rows {
					b.Fatalf("%d stories, want %d", s.Stories, rows)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*rows), "ns/row")
		})
	}
}
