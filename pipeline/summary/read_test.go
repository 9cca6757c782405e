package summary

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/tagger-dev/tagger/pipeline"
)

// tinyRun is a small run covering what a page shows: detections declared
// and not, an error, a story not checked, fandoms, ratings, and text that
// needs escaping.
func tinyRun() []pipeline.Row {
	a := story("ao3-1", map[string]float64{"violence": 0.93, "death": 0.61}, "death")
	a.Title, a.Fandoms = ptr(`<script>alert("x")</script> & «ça»`), []string{"Pokémon", "Naruto"}
	a.DeclaredRating, a.PredictedRating, a.RatingUnderdeclared = ptr("teen"), ptr("mature"), ptr(true)
	a.WarningStatus = ptr("declared")
	a.Evidence[0].Snippet = `he struck — "ouch" <b>💥</b> https://example.com/x`
	b := story("ao3-2", map[string]float64{"pornography": 0.8, "self-harm": 0.55})
	b.Fandoms, b.DeclaredRating, b.PredictedRating, b.RatingUnderdeclared = []string{"Naruto"}, ptr("explicit"), ptr("explicit"), ptr(false)
	b.WarningStatus = ptr("missing")
	c := story("ao3-3", map[string]float64{"violence": 0.3}, "violence")
	c.DeclaredRating, c.PredictedRating = ptr("general"), ptr("general")
	d := story("ao3-4", map[string]float64{"death": 0.7})
	d.PredictedRating = ptr("teen")
	return []pipeline.Row{a, b, c, failed("bad", "read corpus/bad.txt: empty story: the input is empty"), notChecked("fr"), d}
}

// writeRun writes rows through the real sink to dir/name.
func writeRun(t testing.TB, dir, name string, rows []pipeline.Row) string {
	t.Helper()
	path := filepath.Join(dir, name)
	s, err := pipeline.NewSink(path, pipeline.SinkOptions{Version: "0.1.0-test", Model: "tagger-nb@1.0.0", Sensitivity: "balanced",
		Created: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC), RowsPerRowGroup: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	if err := s.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestReadFormatsAgree reads one run written as Parquet (several row
// groups) and as JSONL by the real sinks: the summaries are equal, equal to
// summarising the rows directly, and the metadata is read from the footer
// and from the sidecar.
func TestReadFormatsAgree(t *testing.T) {
	dir := t.TempDir()
	rows := tinyRun()
	want := summarise(3, rows...)
	for _, name := range []string{"run.parquet", "run.jsonl"} {
		t.Run(name, func(t *testing.T) {
			path := writeRun(t, dir, name, rows)
			got, err := Read(context.Background(), path, 3)
			if err != nil {
				t.Fatal(err)
			}
			wantMeta := Meta{File: path, Format: strings.TrimPrefix(filepath.Ext(name), "."), Version: "0.1.0-test", Model: "tagger-nb@1.0.0",
				Sensitivity: "balanced", Created: "2025-01-02T03:04:05Z", Schema: pipeline.OutputSchema}
			if got.Meta != wantMeta {
				t.Errorf("meta = %+v, want %+v", got.Meta, wantMeta)
			}
			got.Meta = Meta{}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("summary of %s differs from the rows':\n got %+v\nwant %+v", name, got, want)
			}
		})
	}
}

// TestReadRefuses checks that files that are not tagger outputs fail with
// pipeline.ErrNotOutput (or fs.ErrNotExist), and say what to give.
func TestReadRefuses(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	other := filepath.Join(dir, "other.parquet")
	type point struct{ X, Y float64 }
	if err := parquet.WriteFile(other, []point{{1, 2}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path string
		is         error
		says       string
	}{
		{"missing", filepath.Join(dir, "nope.parquet"), fs.ErrNotExist, "nope.parquet"},
		{"other parquet", other, pipeline.ErrNotOutput, `no column "id"`},
		{"not parquet", write("text.parquet", "just text\n"), pipeline.ErrNotOutput, "not a readable Parquet file"},
		{"corpus jsonl", write("corpus.jsonl", `{"id":"1","text":"a story"}`+"\n"), pipeline.ErrNotOutput, `no "source" or "labels", as every row has`},
		{"text as jsonl", write("story.jsonl", "Once upon a time\n"), pipeline.ErrNotOutput, "story.jsonl:1"},
		// An empty file is no run's: a run over nothing leaves its
		// metadata beside it.
		{"empty jsonl", write("empty.jsonl", ""), pipeline.ErrNotOutput, "holds no row, and no metadata of a run"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Read(context.Background(), tt.path, 5)
			if !errors.Is(err, tt.is) || !strings.Contains(err.Error(), tt.says) {
				t.Errorf("Read = %v, want an error that is %v and says %q", err, tt.is, tt.says)
			}
		})
	}
	if _, err := Read(context.Background(), write("run.csv", "a,b\n"), 5); !errors.Is(err, pipeline.ErrNotOutput) || !strings.Contains(err.Error(), "run.csv is not named .parquet, .jsonl or .ndjson") {
		t.Errorf("Read(.csv) = %v, want ErrNotOutput naming the file and the formats", err)
	}
}

// TestReadCancelled checks that a cancelled context stops a read.
func TestReadCancelled(t *testing.T) {
	path := writeRun(t, t.TempDir(), "run.parquet", tinyRun())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Read(ctx, path, 5); !errors.Is(err, context.Canceled) {
		t.Errorf("Read = %v, want context.Canceled", err)
	}
}

// TestReadStoppedRun: the summary of a run stopped early says so, and its
// page shows it among the operating point.
func TestReadStoppedRun(t *testing.T) {
	path := filepath.Join(t.TempDir(), "part.parquet")
	s, err := pipeline.NewSink(path, pipeline.SinkOptions{Version: "0.1.0-test"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(tinyRun()[:2]); err != nil {
		t.Fatal(err)
	}
	pipeline.MarkStopped(s, "stopped by a signal after 2 stories")
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	sum, err := Read(context.Background(), path, 5)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Meta.Stopped != "stopped by a signal after 2 stories" {
		t.Errorf("Meta.Stopped = %q", sum.Meta.Stopped)
	}
	var page strings.Builder
	if err := WriteHTML(&page, sum); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(page.String(), "incomplete") || !strings.Contains(page.String(), "after 2 stories") {
		t.Error("the page does not say the run is incomplete")
	}
	whole, err := Read(context.Background(), writeRun(t, t.TempDir(), "whole.parquet", tinyRun()), 5)
	if err != nil {
		t.Fatal(err)
	}
	if whole.Meta.Stopped != "" {
		t.Errorf("a whole run's Meta.Stopped = %q", whole.Meta.Stopped)
	}
}
