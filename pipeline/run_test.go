package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagger-dev/tagger/models"
)

// corpus writes a directory of good and bad stories and returns it with
// the number of files.
func corpus(t *testing.T) (string, int) {
	t.Helper()
	dir := t.TempDir()
	seeds, _ := filepath.Glob("../seeds/*.txt")
	files := map[string][]byte{
		"empty.txt":    nil,
		"binary.txt":   []byte("GIF89a\x00\x01\x02\x00garbage"),
		"latin1.txt":   []byte("Title: Caf\xe9\n\nShe sat in the caf\xe9 until he came in, punched her in the face and kicked her when she fell; her lip bled onto the floor.\n"),
		"utf16.txt":    append([]byte{0xFF, 0xFE}, utf16("Title: Wide\n\nA quiet story.\n")...),
		"crlf.txt":     []byte("\r\n\r\n\r\n"),
		"huge.txt":     []byte("Rating: R\n\n" + strings.Repeat("The rain fell and they talked over tea in the kitchen.\n", 200_000)),
		"french.txt":   []byte("Titre : Le port\n\n" + strings.Repeat("Il l'a poignardé deux fois dans le ventre avant que Julien ait pu crier. Le sang coulait sur les pavés mouillés. ", 8) + "\n"),
		"nested/a.txt": []byte("Warnings: none\n\nHe killed the guard with one blow. The guard was dead before he hit the floor, and the blood pooled around his body.\n"),
	}
	for i, p := range seeds {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files[fmt.Sprintf("seed%d.txt", i)] = b
	}
	for name, b := range files {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir, len(files)
}

func utf16(s string) []byte {
	var out []byte
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

func runTo(t *testing.T, out string, inputs []string, cfg Config) Summary {
	t.Helper()
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg.Model = m
	sink, err := NewSink(out, SinkOptions{Append: cfg.Done != nil})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := Run(context.Background(), context.Background(), inputs, sink, cfg, nil)
	if err != nil {
		sink.Abort()
		t.Fatal(err)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	return sum
}

// Rows out = files in, in input order, each bad file with a clear error.
func TestRunEveryFileIsARow(t *testing.T) {
	dir, n := corpus(t)
	for _, ext := range []string{"parquet", "jsonl"} {
		out := filepath.Join(t.TempDir(), "labels."+ext)
		// A small StreamAbove streams huge.txt, as a 1 GB story would be.
		sum := runTo(t, out, []string{dir}, Config{StreamAbove: 1 << 20, MaxInFlight: 4 << 20})
		rows, err := ReadRows(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != n || sum.Stories != int64(n) {
			t.Fatalf("%s: %d rows (summary %d) for %d files", ext, len(rows), sum.Stories, n)
		}
		var ids []string
		errs := map[string]string{}
		for _, r := range rows {
			ids = append(ids, r.ID)
			if r.Error != nil {
				errs[r.ID] = *r.Error
			}
		}
		if !slices.IsSorted(ids) {
			t.Errorf("%s: rows not in input order: %v", ext, ids)
		}
		for id, want := range map[string]string{"empty": "empty", "binary": "binary", "crlf": "empty"} {
			if !strings.Contains(errs[id], want) || !strings.Contains(errs[id], id+".txt") {
				t.Errorf("%s: %s error %q: want it to say %q and name the file", ext, id, errs[id], want)
			}
		}
		if len(errs) != 3 || sum.Errors != 3 {
			t.Errorf("%s: errors %v (summary %d), want exactly empty, binary and crlf", ext, errs, sum.Errors)
		}
		// A row with an error has no scores (zeros would read as clean);
		// every other row, not checked ones too, has all 36 labels, and
		// where its body starts.
		for _, r := range rows {
			if r.Error != nil {
				if len(r.Labels) != 0 {
					t.Errorf("%s: failed row %s has %d labels, want none", ext, r.ID, len(r.Labels))
				}
				continue
			}
			if len(r.Labels) != 36 || r.Encoding == nil || r.BodyLine == nil || *r.BodyLine < 1 || r.BodyByte == nil {
				t.Errorf("%s: row %s: %d labels, encoding %v, body at line %v byte %v; want 36 and all three", ext, r.ID, len(r.Labels), r.Encoding, r.BodyLine, r.BodyByte)
			}
			for _, l := range r.Labels {
				if l.Threshold <= 0 || l.Threshold >= 1 || l.Detected && l.Score < l.Threshold {
					t.Errorf("%s: row %s, %s: score %v, threshold %v, detected %v", ext, r.ID, l.Label, l.Score, l.Threshold, l.Detected)
				}
			}
		}
		for _, r := range rows {
			switch r.ID {
			case "latin1":
				if r.Title == nil || *r.Title != "Café" || !slices.Contains(r.DetectedWarnings, "violence") {
					t.Errorf("%s: latin1 row %v %v", ext, r.Title, r.DetectedWarnings)
				}
			case "huge":
				if r.Words == nil || *r.Words != 2_200_000 || r.DeclaredRating == nil || len(r.Labels) != 36 {
					t.Errorf("%s: huge row words %v rating %v labels %d", ext, r.Words, r.DeclaredRating, len(r.Labels))
				}
			case "french":
				if r.Note == nil || !strings.Contains(*r.Note, "not checked") || r.Language == nil || *r.Language != "fr" || len(r.DetectedWarnings) != 0 || r.Error != nil {
					t.Errorf("%s: french row note %v language %v detected %v error %v", ext, r.Note, r.Language, r.DetectedWarnings, r.Error)
				}
				if sum.NotChecked != 1 {
					t.Errorf("%s: summary counts %d not checked, want 1", ext, sum.NotChecked)
				}
			case "nested/a":
				if r.WarningStatus == nil || *r.WarningStatus != "none-apply" || !slices.Contains(r.UndeclaredWarnings, "death") {
					t.Errorf("%s: nested/a status %v undeclared %v", ext, r.WarningStatus, r.UndeclaredWarnings)
				}
			}
		}
	}
}

// The same input twice gives identical rows.
func TestRunDeterministic(t *testing.T) {
	dir, _ := corpus(t)
	a, b := filepath.Join(t.TempDir(), "a.jsonl"), filepath.Join(t.TempDir(), "b.jsonl")
	runTo(t, a, []string{dir}, Config{Workers: 2})
	runTo(t, b, []string{dir}, Config{Workers: 3, MaxInFlight: 1 << 20})
	ra, _ := os.ReadFile(a)
	rb, _ := os.ReadFile(b)
	if string(ra) != string(rb) || len(ra) == 0 {
		t.Error("two runs over the same input differ")
	}
}

// Shards split a corpus into disjoint parts that cover it.
func TestRunShards(t *testing.T) {
	dir, n := corpus(t)
	seen := map[string]int{}
	for i := 1; i <= 3; i++ {
		out := filepath.Join(t.TempDir(), "s.jsonl")
		runTo(t, out, []string{dir}, Config{Shard: Shard{Index: i, Count: 3}})
		rows, _ := ReadRows(out)
		for _, r := range rows {
			seen[r.ID]++
		}
	}
	if len(seen) != n {
		t.Errorf("shards cover %d stories, want %d", len(seen), n)
	}
	for id, k := range seen {
		if k != 1 {
			t.Errorf("%s in %d shards", id, k)
		}
	}
	for _, bad := range []string{"0/3", "4/3", "x", "1/0", "1/2/3", "1/2x", "+1/2", " 1/2", "1/ 2", "1.0/2", "-1/2", "1/", "/2", "", "1/99999999999"} {
		if _, err := ParseShard(bad); err == nil {
			t.Errorf("ParseShard(%q) accepted", bad)
		}
	}
}

// stopAfter is a sink that stops reading after its first write.
type stopAfter struct {
	Sink
	stop   context.CancelFunc
	writes atomic.Int32
}

func (s *stopAfter) Write(rows []Row) error {
	if s.writes.Add(1) == 1 {
		s.stop()
	}
	return s.Sink.Write(rows)
}

// A run stopped midway leaves a valid output; --resume completes it without
// duplicates and with the same rows as an uninterrupted run.
func TestRunStopAndResume(t *testing.T) {
	dir, n := corpus(t)
	for _, ext := range []string{"parquet", "jsonl"} {
		out := filepath.Join(t.TempDir(), "labels."+ext)
		m, _ := models.Default()
		inner, err := NewSink(out, SinkOptions{})
		if err != nil {
			t.Fatal(err)
		}
		stop, cancel := context.WithCancel(context.Background())
		sink := &stopAfter{Sink: inner, stop: cancel}
		sum, err := Run(context.Background(), stop, []string{dir}, sink, Config{Model: m, Workers: 1, BatchRows: 1}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
		part, err := ReadRows(out)
		if err != nil {
			t.Fatalf("%s: output of a stopped run is not readable: %v", ext, err)
		}
		if !sum.Stopped || len(part) == 0 || len(part) >= n {
			t.Fatalf("%s: stopped run wrote %d of %d rows (stopped %v)", ext, len(part), n, sum.Stopped)
		}
		done, err := ReadDoneSources(out)
		if err != nil {
			t.Fatal(err)
		}
		runTo(t, out, []string{dir}, Config{Done: done})
		rows, _ := ReadRows(out)
		full := filepath.Join(t.TempDir(), "full."+ext)
		runTo(t, full, []string{dir}, Config{})
		want, _ := ReadRows(full)
		if len(rows) != n {
			t.Errorf("%s: resumed output has %d rows, want %d", ext, len(rows), n)
		}
		if !reflect.DeepEqual(rows, want) {
			t.Errorf("%s: resumed output differs from an uninterrupted run", ext)
		}
	}
}

func TestUndeclared(t *testing.T) {
	tests := []struct {
		detected, declared []string
		rating             string
		want               []string
	}{
		{[]string{"violence", "death", "incest"}, []string{"death"}, "", []string{"violence", "incest"}},
		// An Explicit rating declares explicit sexual content; no other
		// rating does, and it declares nothing else.
		{[]string{"pornography", "violence"}, nil, "explicit", []string{"violence"}},
		{[]string{"pornography", "other-sexual"}, nil, "mature", []string{"pornography", "other-sexual"}},
		{[]string{"pornography"}, nil, "not-rated", []string{"pornography"}},
		{[]string{"pornography"}, nil, "nonsense", []string{"pornography"}},
	}
	for _, tc := range tests {
		if got := Undeclared(tc.detected, tc.declared, tc.rating); !slices.Equal(got, tc.want) {
			t.Errorf("Undeclared(%v, %v, %q) = %v, want %v", tc.detected, tc.declared, tc.rating, got, tc.want)
		}
	}
}

// failingSink stops reading at its first write, and fails every write
// after taking long enough for the run to give up waiting (StopWithin).
type failingSink struct {
	Sink
	stop context.CancelFunc
	slow time.Duration
}

func (s *failingSink) Write([]Row) error {
	s.stop()
	time.Sleep(s.slow)
	return errors.New("disk full")
}

// A write that fails during a stop fails the run: the rows it held are
// not in the output, and a stop must not report them as written.
func TestRunWriteFailsDuringStop(t *testing.T) {
	dir, _ := corpus(t)
	m, _ := models.Default()
	inner, err := NewSink(filepath.Join(t.TempDir(), "labels.jsonl"), SinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer inner.Close()
	stop, cancel := context.WithCancel(context.Background())
	sink := &failingSink{Sink: inner, stop: cancel, slow: 200 * time.Millisecond}
	_, err = Run(context.Background(), stop, []string{dir}, sink, Config{Model: m, Workers: 2, BatchRows: 1, StopWithin: 20 * time.Millisecond}, nil)
	if err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Fatalf("Run = %v, want the write's error", err)
	}
}

// TestProgressScored: progress counts a story's text as its chunks are
// scored, so that it moves within a long story (streamed in chunks) before
// its row is written; at the end it holds every body's bytes.
func TestProgressScored(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	body := strings.Repeat("He walked to the harbour in the rain and nobody spoke to him. ", 60000) // 3.7 MB: chunks
	head := "Title: Long\n\n"
	if err := os.WriteFile(filepath.Join(dir, "long.txt"), []byte(head+body), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out.jsonl")
	sink, err := NewSink(out, SinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prog := &Progress{}
	rec := &scoredAtWrite{Sink: sink}
	// Watch the counter while no row is written yet: a bar drawn from it
	// moves within the story.
	var seen atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		for !rec.wrote.Load() {
			seen.Store(max(seen.Load(), prog.Scored()))
			time.Sleep(50 * time.Microsecond)
		}
	}()
	if _, err := Run(context.Background(), context.Background(), []string{dir}, rec, Config{Model: m, StreamAbove: 1 << 20}, prog); err != nil {
		t.Fatal(err)
	}
	<-done
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if seen.Load() == 0 {
		t.Errorf("Scored() stayed 0 until the story's row was written")
	}
	rows, err := ReadRows(out)
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	if got, want := prog.Scored(), int64(len(head)+len(body))-*rows[0].BodyByte; got != want {
		t.Errorf("Scored() = %d, want the body's %d bytes", got, want)
	}
}

// scoredAtWrite says when the first rows reach the sink.
type scoredAtWrite struct {
	Sink
	wrote atomic.Bool
}

func (s *scoredAtWrite) Write(rows []Row) error {
	s.wrote.Store(true)
	return s.Sink.Write(rows)
}
