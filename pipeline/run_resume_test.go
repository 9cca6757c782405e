package pipeline

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tagger-dev/tagger/models"
)

const storyText = "Title: Harbour\nWarnings: none\n\nHe stabbed the guard and the blood pooled on the stones.\n"

// writeTree writes files (relative path → content) under a new directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// sources returns the sorted multiset of the rows' sources.
func sources(rows []Row) []string {
	var s []string
	for _, r := range rows {
		s = append(s, r.Source)
	}
	slices.Sort(s)
	return s
}

// stopAfterRows is a sink that cancels stop once it has written n rows.
type stopAfterRows struct {
	Sink
	stop context.CancelFunc
	n    int
	rows int
}

func (s *stopAfterRows) Write(rows []Row) error {
	s.rows += len(rows)
	if s.rows >= s.n {
		s.stop()
	}
	return s.Sink.Write(rows)
}

// TestResumeKeepsRepeatedIDs stops runs whose stories share IDs after k
// rows, resumes them, and checks that rows out = stories in: the same
// multiset of sources, in the same order, as an uninterrupted run. Resume
// used to skip every story whose ID was already written.
func TestResumeKeepsRepeatedIDs(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	jsonl := `{"id":"a","text":"It rained."}` + "\n" + `{"id":"a","text":"It snowed."}` + "\n" + `{"id":"a","text":"It hailed."}` + "\n"
	tests := []struct {
		name   string
		files  map[string]string
		inputs func(dir string) []string
	}{
		{"one id from two formats", map[string]string{"in/one.txt": storyText, "in/one.html": "<html><body><p>It rained on the harbour.</p></body></html>", "in/two.txt": storyText},
			func(d string) []string { return []string{filepath.Join(d, "in")} }},
		{"directory given twice", map[string]string{"in/a.txt": storyText, "in/b.txt": storyText, "in/c.txt": storyText},
			func(d string) []string { return []string{filepath.Join(d, "in"), filepath.Join(d, "in")} }},
		{"repeated JSONL ids", map[string]string{"c.jsonl": jsonl},
			func(d string) []string { return []string{filepath.Join(d, "c.jsonl")} }},
		{"corpus given twice with a failing file", map[string]string{"c.jsonl": jsonl, "e.txt": ""},
			func(d string) []string {
				c, e := filepath.Join(d, "c.jsonl"), filepath.Join(d, "e.txt")
				return []string{c, e, filepath.Join(d, "missing.txt"), c, e, filepath.Join(d, "missing.txt")}
			}},
	}
	for _, tt := range tests {
		for _, ext := range []string{"parquet", "jsonl"} {
			dir := writeTree(t, tt.files)
			inputs := tt.inputs(dir)
			full := filepath.Join(t.TempDir(), "full."+ext)
			runTo(t, full, inputs, Config{Workers: 1})
			want, err := ReadRows(full)
			if err != nil {
				t.Fatal(err)
			}
			for k := 1; k < len(want); k++ {
				t.Run(fmt.Sprintf("%s/%s/stop after %d", tt.name, ext, k), func(t *testing.T) {
					out := filepath.Join(t.TempDir(), "labels."+ext)
					inner, err := NewSink(out, SinkOptions{})
					if err != nil {
						t.Fatal(err)
					}
					stop, cancel := context.WithCancel(context.Background())
					defer cancel()
					sink := &stopAfterRows{Sink: inner, stop: cancel, n: k}
					if _, err := Run(context.Background(), stop, inputs, sink, Config{Model: m, Workers: 1, BatchRows: 1}, nil); err != nil {
						t.Fatal(err)
					}
					if err := sink.Close(); err != nil {
						t.Fatal(err)
					}
					done, err := ReadDoneSources(out)
					if err != nil {
						t.Fatal(err)
					}
					runTo(t, out, inputs, Config{Done: done, Workers: 3})
					got, err := ReadRows(out)
					if err != nil {
						t.Fatal(err)
					}
					if len(got) != len(want) || !slices.Equal(sources(got), sources(want)) {
						t.Fatalf("after resume: %d rows %q, want %d rows %q", len(got), sources(got), len(want), sources(want))
					}
					for i := range got {
						if got[i].Source != want[i].Source || got[i].ID != want[i].ID {
							t.Errorf("row %d: %s (%s), want %s (%s)", i, got[i].Source, got[i].ID, want[i].Source, want[i].ID)
						}
					}
				})
			}
		}
	}
}

func TestSourceCounts(t *testing.T) {
	done := NewSourceCounts("a", "b", "a", "c:2", "a\xff")
	if done.Rows() != 5 || done.Count("a") != 2 || done.Count("z") != 0 || done.Count("a\uFFFD") != 1 {
		t.Fatalf("Rows %d, Count(a) %d", done.Rows(), done.Count("a"))
	}
	occ := newOccurrences(done)
	var got []bool
	for _, s := range []string{"a", "z", "a", "a", "b", "b", "c:2", "a\xff"} {
		done, err := occ.next(s, "id")
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, done)
	}
	if want := []bool{true, false, true, false, true, false, true, true}; !slices.Equal(got, want) {
		t.Errorf("next = %v, want %v", got, want)
	}
	var none *SourceCounts
	if done, _ := newOccurrences(none).next("a", "id"); none.Rows() != 0 || none.Count("a") != 0 || done {
		t.Error("nil SourceCounts is not empty")
	}
}

// TestRunStopDoesNotWaitForBlockedRead stops a run whose reader is blocked
// in a read that never returns: Run must return, with the rows before it,
// within about StopWithin. It used to wait for the read forever.
func TestRunStopDoesNotWaitForBlockedRead(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := writeTree(t, map[string]string{"a.txt": storyText, "b.txt": storyText})
	// Nothing is ever written to the pipe: reading "-" blocks.
	pr, pw := io.Pipe()
	defer pw.Close()
	out := filepath.Join(t.TempDir(), "labels.jsonl")
	sink, err := NewSink(out, SinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	stop, cancel := context.WithCancel(context.Background())
	var logBuf bytes.Buffer
	type result struct {
		sum Summary
		err error
	}
	res := make(chan result, 1)
	go func() {
		sum, err := Run(context.Background(), stop, []string{dir, "-"}, sink,
			Config{Model: m, Stdin: pr, StopWithin: 500 * time.Millisecond, Log: slog.New(slog.NewTextHandler(&logBuf, nil))}, nil)
		res <- result{sum, err}
	}()
	time.Sleep(500 * time.Millisecond)
	cancel()
	t0 := time.Now()
	select {
	case r := <-res:
		if r.err != nil {
			t.Fatal(r.err)
		}
		if !r.sum.Stopped || r.sum.Stories != 2 {
			t.Errorf("summary: stopped %v, %d stories; want stopped with the 2 before the blocked read", r.sum.Stopped, r.sum.Stories)
		}
		if took := time.Since(t0); took > 2*time.Second {
			t.Errorf("stop took %v", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not return within 5 s of the stop")
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if rows, err := ReadRows(out); err != nil || len(rows) != 2 {
		t.Errorf("%d rows, %v; want 2", len(rows), err)
	}
}

// TestRunCapsWorkers: a huge worker count runs with MaxWorkers instead of
// allocating for it.
func TestRunCapsWorkers(t *testing.T) {
	dir := writeTree(t, map[string]string{"a.txt": storyText})
	out := filepath.Join(t.TempDir(), "labels.jsonl")
	sum := runTo(t, out, []string{dir}, Config{Workers: 100_000_000})
	if sum.Stages[1].Workers != MaxWorkers() || sum.Stories != 1 {
		t.Errorf("%d workers, %d stories; want %d and 1", sum.Stages[1].Workers, sum.Stories, MaxWorkers())
	}
}

// TestParquetBytesDeterministic runs one corpus with different worker
// counts and batch sizes: the Parquet files must be byte-identical (no
// MetaCreated is set here). Page layout used to follow batch timing, and
// metadata order map iteration.
func TestParquetBytesDeterministic(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir, _ := corpus(t)
	var first []byte
	for i, cfg := range []Config{{Workers: 1, BatchRows: 1}, {Workers: 8, BatchRows: 3}, {Workers: 3, BatchRows: 256}} {
		out := filepath.Join(t.TempDir(), "labels.parquet")
		sink, err := NewSink(out, SinkOptions{Version: "v", Model: m.NameVersion(), Sensitivity: "balanced",
			Metadata: map[string]string{"x.a": "1", "x.b": "2", "x.c": "3", "x.d": "4"}, RowsPerRowGroup: 5})
		if err != nil {
			t.Fatal(err)
		}
		cfg.Model = m
		if _, err := Run(context.Background(), context.Background(), []string{dir}, sink, cfg, nil); err != nil {
			t.Fatal(err)
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = b
		} else if !bytes.Equal(b, first) {
			t.Errorf("workers %d, batch %d: %d bytes differ from the first run's %d", cfg.Workers, cfg.BatchRows, len(b), len(first))
		}
	}
}

// TestParquetSinkBatchingInvariant writes the same rows in different
// batchings: the bytes must not change.
func TestParquetSinkBatchingInvariant(t *testing.T) {
	rows := benchRows(3000)
	var first []byte
	for _, batch := range []int{1, 7, 100, 3000} {
		path := filepath.Join(t.TempDir(), "l.parquet")
		s, err := NewSink(path, SinkOptions{Model: "m@1", Version: "v", Sensitivity: "high", RowsPerRowGroup: 1000})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(rows); i += batch {
			if err := s.Write(rows[i:min(i+batch, len(rows))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		b, _ := os.ReadFile(path)
		if first == nil {
			first = b
		} else if !bytes.Equal(b, first) {
			t.Errorf("batches of %d: the file differs from batches of 1", batch)
		}
	}
}

func TestCheckOutput(t *testing.T) {
	dir := writeTree(t, map[string]string{"in/a.txt": storyText, "c.jsonl": `{"id":"a","text":"x"}` + "\n", "outdir.jsonl/x": "", "in/sub/x": ""})
	os.Symlink(filepath.Join(dir, "c.jsonl"), filepath.Join(dir, "link.jsonl"))
	os.Symlink(filepath.Join(dir, "in"), filepath.Join(dir, "inlink"))
	in, c := filepath.Join(dir, "in"), filepath.Join(dir, "c.jsonl")
	tests := []struct {
		name, out string
		inputs    []string
		want      string // "" for no error
	}{
		{"output is an input", c, []string{in, c}, "is the input"},
		{"output is an input through a symlink", filepath.Join(dir, "link.jsonl"), []string{c}, "is the input"},
		{"output is an input spelled otherwise", filepath.Join(dir, "in", "..", "c.jsonl"), []string{c}, "is the input"},
		{"output inside an input directory", filepath.Join(in, "out.jsonl"), []string{in}, "inside"},
		{"output inside an input directory through a symlink", filepath.Join(dir, "inlink", "sub", "..", "out.jsonl"), []string{in}, ""},
		{"output inside a symlinked input directory", filepath.Join(in, "out.jsonl"), []string{filepath.Join(dir, "inlink")}, "inside"},
		{"output an existing directory", filepath.Join(dir, "outdir.jsonl"), []string{in}, "is a directory: name a file, e.g. -o " + filepath.Join(dir, "outdir.jsonl", "labels.parquet")},
		// The file suggested is one the run takes: beside an input
		// directory, not inside it.
		{"output an input directory", in, []string{in}, "is a directory: name a file, e.g. -o " + in + ".parquet"},
		{"output a directory inside an input", filepath.Join(in, "sub"), []string{in}, "is a directory inside an input: name a file outside the input directories"},
		{"output beside the inputs", filepath.Join(dir, "out.jsonl"), []string{in, c, "-", filepath.Join(dir, "missing")}, ""},
		{"standard output", "-", []string{in}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckOutput(tt.out, tt.inputs)
			if tt.name == "output inside an input directory through a symlink" {
				// dir/inlink/sub does not exist: the directory cannot be
				// resolved, which is an error of its own.
				if err == nil {
					t.Error("accepted an output in a missing directory")
				}
				return
			}
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("CheckOutput = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLockOutput(t *testing.T) {
	out := filepath.Join(t.TempDir(), "labels.parquet")
	l1, err := LockOutput(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := LockOutput(out); err == nil || !strings.Contains(err.Error(), "another tagger run") {
		t.Fatalf("second lock: %v, want a refusal naming another run", err)
	}
	if err := l1.Release(); err != nil {
		t.Fatal(err)
	}
	l2, err := LockOutput(out)
	if err != nil {
		t.Fatalf("lock after release: %v", err)
	}
	l2.Release()
	if _, err := os.Stat(lockPath(out)); !os.IsNotExist(err) {
		t.Errorf("lock file left behind (%v)", err)
	}
	if l, err := LockOutput(StdoutPath); l != nil || err != nil {
		t.Errorf("stdout lock = %v, %v", l, err)
	}
}

// TestRecoverStale leaves the temporary file of a "killed" run (a sink
// never closed) and checks what RecoverStale does with it: JSONL rows up to
// the last complete line are recovered under --resume; a Parquet file
// without its footer cannot be, and is removed with a log line saying so.
func TestRecoverStale(t *testing.T) {
	want := RunMeta{Version: "v1", Model: "m@1", Sensitivity: "balanced"}
	opt := SinkOptions{Version: want.Version, Model: want.Model, Sensitivity: want.Sensitivity}
	tests := []struct {
		name      string
		file      string
		resume    bool
		meta      RunMeta
		committed int // rows already in OUT
		wantRows  int
		wantLog   string
	}{
		{"jsonl recovered", "labels.jsonl", true, want, 0, 5, "recovered"},
		{"jsonl recovered over a shorter output", "labels.jsonl", true, want, 2, 5, "recovered"},
		{"jsonl other sensitivity not recovered", "labels.jsonl", true, RunMeta{Version: "v1", Model: "m@1", Sensitivity: "high"}, 0, 0, "sensitivity"},
		{"jsonl removed without resume", "labels.jsonl", false, want, 0, 0, "use --resume"},
		{"parquet without footer", "labels.parquet", true, want, 0, 0, "without its footer"},
		{"parquet keeps the output", "labels.parquet", true, want, 2, 2, "without its footer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, tt.file)
			if tt.committed > 0 {
				writeRows(t, out, opt, benchRows(tt.committed))
			}
			o := opt
			o.Sensitivity = tt.meta.Sensitivity
			s, err := NewSink(out, o)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Write(benchRows(5)); err != nil {
				t.Fatal(err)
			}
			if js, ok := s.(*jsonlSink); ok {
				js.tmp.Write([]byte(`{"id":"cut sho`)) // killed mid-row
				js.tmp.Close()
			} else {
				ps := s.(*parquetSink)
				ps.w.Flush()
				ps.tmp.Close()
			}
			var logBuf bytes.Buffer
			if err := RecoverStale(out, tt.resume, want, slog.New(slog.NewTextHandler(&logBuf, nil))); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(logBuf.String(), tt.wantLog) {
				t.Errorf("log lacks %q:\n%s", tt.wantLog, logBuf.String())
			}
			if tmp := tempFiles(t, dir); len(tmp) != 0 {
				t.Errorf("temporary files left: %q", tmp)
			}
			done, err := ReadDoneSources(out)
			if err != nil {
				t.Fatal(err)
			}
			if done.Rows() != tt.wantRows {
				t.Errorf("output holds %d rows, want %d", done.Rows(), tt.wantRows)
			}
			if tt.wantRows > 0 {
				got, exists, err := ReadRunMeta(out)
				if err != nil || !exists || got != want {
					t.Errorf("metadata %+v (exists %v, %v), want %+v", got, exists, err, want)
				}
			}
		})
	}
}

func TestRunMetaCheckResume(t *testing.T) {
	want := RunMeta{Version: "v1", Model: "m@1", ModelHash: "h1", Sensitivity: "balanced"}
	tests := []struct {
		name string
		got  RunMeta
		err  []string
	}{
		{"same", want, nil},
		{"sensitivity", RunMeta{Version: "v1", Model: "m@1", ModelHash: "h1", Sensitivity: "high"}, []string{"sensitivity", `"high"`, `"balanced"`}},
		{"model", RunMeta{Version: "v1", Model: "m@2", ModelHash: "h1", Sensitivity: "balanced"}, []string{"model", "m@2", "m@1"}},
		{"version", RunMeta{Version: "v0", Model: "m@1", ModelHash: "h1", Sensitivity: "balanced"}, []string{"version", "v0", "v1"}},
		// Two archives' models left at train's default name and version.
		{"model hash", RunMeta{Version: "v1", Model: "m@1", ModelHash: "h2", Sensitivity: "balanced"}, []string{"model hash", `"h2"`, `"h1"`}},
		{"not recorded", RunMeta{Version: "v1", Model: "m@1", ModelHash: "h1"}, []string{"does not record its sensitivity"}},
		{"hash not recorded", RunMeta{Version: "v1", Model: "m@1", Sensitivity: "balanced"}, []string{"does not record its model hash"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := want.CheckResume("out.jsonl", tt.got)
			if (err != nil) != (tt.err != nil) {
				t.Fatalf("CheckResume = %v", err)
			}
			for _, w := range tt.err {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	// Both formats record the operating point.
	for _, name := range []string{"l.parquet", "l.jsonl"} {
		path := filepath.Join(t.TempDir(), name)
		writeRows(t, path, SinkOptions{Version: want.Version, Model: want.Model, ModelHash: want.ModelHash, Sensitivity: want.Sensitivity}, benchRows(3))
		got, exists, err := ReadRunMeta(path)
		if err != nil || !exists || got != want {
			t.Errorf("%s: ReadRunMeta = %+v, %v, %v; want %+v", name, got, exists, err, want)
		}
		if rows, err := ReadRows(path); err != nil || len(rows) != 3 {
			t.Errorf("%s: %d rows, %v", name, len(rows), err)
		}
	}
}

// killedTemp leaves the temporary file of a run killed after writing rows
// (a JSONL file cut at a line, a Parquet file with its footer), as
// RecoverStale finds it.
func killedTemp(t *testing.T, out string, opt SinkOptions, rows []Row) {
	t.Helper()
	s, err := NewSink(out, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(rows); err != nil {
		t.Fatal(err)
	}
	switch s := s.(type) {
	case *jsonlSink:
		s.tmp.Close() // Write handed its rows to the file
	case *parquetSink:
		if err := s.writeRows(s.buf); err != nil {
			t.Fatal(err)
		}
		if err := s.w.Close(); err != nil {
			t.Fatal(err)
		}
		s.tmp.Close()
	}
}

// withSources returns rows of benchRows(n) whose sources are prefix0,
// prefix1, ...
func withSources(n int, prefix string) []Row {
	rows := benchRows(n)
	for i := range rows {
		rows[i].Source = fmt.Sprintf("%s%d", prefix, i)
	}
	return rows
}

// TestRecoverStaleOtherInputs: under --resume, a stale temporary file of a
// run over other inputs must not replace a complete output, however many
// rows it holds (it used to replace any output with fewer rows); one that
// extends the output does; and an output that cannot be read is never
// replaced.
func TestRecoverStaleOtherInputs(t *testing.T) {
	want := RunMeta{Version: "v1", Model: "m@1", Sensitivity: "balanced"}
	opt := SinkOptions{Version: want.Version, Model: want.Model, Sensitivity: want.Sensitivity}
	tests := []struct {
		name     string
		out      []Row  // committed before; nil: no output
		garbage  string // written as the output instead, when set
		temp     []Row
		wantRows int
		wantSrc  string // a source the output must hold afterwards
		wantLog  string
		wantErr  string
	}{
		{"complete output of other inputs kept", withSources(3, "A/"), "", withSources(446, "B/"), 3, "A/2", "other inputs", ""},
		{"temp extending the output recovered", withSources(3, "A/"), "", withSources(5, "A/"), 5, "A/4", "recovered", ""},
		{"temp with fewer of a source not recovered", append(withSources(3, "A/"), withSources(1, "A/")...), "", withSources(10, "A/"), 4, "A/2", "other inputs", ""},
		{"no output: temp recovered", nil, "", withSources(446, "B/"), 446, "B/445", "recovered", ""},
		{"empty output: temp recovered", nil, " ", withSources(4, "B/"), 4, "B/3", "recovered", ""},
		{"unreadable output refused", nil, "garbage, not an output\n", withSources(446, "B/"), -1, "", "", "cannot be read"},
	}
	for _, tt := range tests {
		for _, ext := range []string{"jsonl", "parquet"} {
			t.Run(tt.name+"/"+ext, func(t *testing.T) {
				dir := t.TempDir()
				out := filepath.Join(dir, "labels."+ext)
				if tt.out != nil {
					writeRows(t, out, opt, tt.out)
				}
				if tt.garbage != "" {
					g := tt.garbage
					if g == " " {
						g = ""
					}
					if err := os.WriteFile(out, []byte(g), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				before, _ := os.ReadFile(out)
				killedTemp(t, out, opt, tt.temp)
				var logBuf bytes.Buffer
				err := RecoverStale(out, true, want, slog.New(slog.NewTextHandler(&logBuf, nil)))
				if tt.wantErr != "" {
					if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
						t.Fatalf("RecoverStale = %v, want an error with %q", err, tt.wantErr)
					}
					if after, _ := os.ReadFile(out); !bytes.Equal(after, before) {
						t.Error("the unreadable output was changed")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(logBuf.String(), tt.wantLog) {
					t.Errorf("log lacks %q:\n%s", tt.wantLog, logBuf.String())
				}
				if tmp := tempFiles(t, dir); len(tmp) != 0 {
					t.Errorf("temporary files left: %q", tmp)
				}
				done, err := ReadDoneSources(out)
				if err != nil {
					t.Fatal(err)
				}
				if done.Rows() != tt.wantRows || done.Count(tt.wantSrc) == 0 {
					t.Errorf("output holds %d rows (%s: %d), want %d with %s", done.Rows(), tt.wantSrc, done.Count(tt.wantSrc), tt.wantRows, tt.wantSrc)
				}
			})
		}
	}
}

// TestStaleTempsExactNames: only the names createTemp makes for OUT are
// its temporary files; another output's temps (whose names start the
// same) and other files are never touched.
func TestStaleTempsExactNames(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "labels.jsonl")
	tmp, err := createTemp(out)
	if err != nil {
		t.Fatal(err)
	}
	tmp.Close()
	ours := filepath.Base(tmp.Name())
	names := []struct {
		name string
		ours bool
	}{
		{ours, true},
		{".labels.jsonl.tmp-ABCDEFGHIJ23", true},
		// The temp of the output "labels.jsonl.tmp-ABCDEFGHIJKL.jsonl".
		{".labels.jsonl.tmp-ABCDEFGHIJKL.jsonl.tmp-ZYXWVUTSRQPO", false},
		{".labels.jsonl.tmp-ABCDEFGHIJKL.jsonl.tmp-ZYXWVUTSRQPO" + MetaSuffix, false},
		{".labels.jsonl.tmp-notes", false},
		{".labels.jsonl.tmp-abcdefghijkl", false},
		{".labels.jsonl.tmp-ABCDEFGHIJKLM", false},
		{".labels.jsonl.tmp-ABCDEFGHIJ01", false},
		{".labels.jsonl.tmp-", false},
		// An orphan sidecar of another output's temp.
		{".labels.jsonl.tmp-x" + MetaSuffix, false},
	}
	for _, n := range names[1:] {
		if err := os.WriteFile(filepath.Join(dir, n.name), []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := staleTemps(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if slices.Contains(got, filepath.Join(dir, n.name)) != n.ours {
			t.Errorf("%s: found %v, want %v", n.name, !n.ours, n.ours)
		}
	}
	if err := RecoverStale(out, false, RunMeta{}, nil); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		_, err := os.Stat(filepath.Join(dir, n.name))
		if exists := err == nil; exists == n.ours {
			t.Errorf("%s: exists %v after RecoverStale, want %v", n.name, exists, !n.ours)
		}
	}
}

// TestResumeInputSpellings resumes a run with its inputs spelled another
// way (relative and absolute, "./a.txt" and "a.txt", a corpus both ways):
// the rows already written must be skipped, not written again. Inputs
// matching none of the output's rows are read again with a warning.
func TestResumeInputSpellings(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	jsonl := `{"id":"a","text":"It rained."}` + "\n" + `{"id":"b","text":"It snowed."}` + "\n"
	dir := writeTree(t, map[string]string{"corpus/a.txt": storyText, "corpus/b.txt": storyText, "a.txt": storyText, "c:1.jsonl": jsonl, "other/x.txt": storyText})
	t.Chdir(dir)
	abs := func(p string) string { return filepath.Join(dir, p) }
	tests := []struct {
		name          string
		first, resume []string
		rows          int  // rows after resume
		warn          bool // the resume warns that no row matched
	}{
		{"relative then absolute dir", []string{"corpus"}, []string{abs("corpus")}, 2, false},
		{"absolute then relative dir", []string{abs("corpus")}, []string{"./corpus/"}, 2, false},
		{"dot-slash file", []string{"./a.txt"}, []string{"a.txt"}, 1, false},
		{"corpus with a colon in its name", []string{"c:1.jsonl"}, []string{abs("c:1.jsonl")}, 2, false},
		{"corpus dot-slash", []string{abs("c:1.jsonl")}, []string{"./c:1.jsonl"}, 2, false},
		{"other inputs", []string{"corpus"}, []string{"other"}, 3, true},
	}
	for _, tt := range tests {
		for _, ext := range []string{"parquet", "jsonl"} {
			t.Run(tt.name+"/"+ext, func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "labels."+ext)
				runTo(t, out, tt.first, Config{Workers: 1})
				done, err := ReadDoneSources(out)
				if err != nil {
					t.Fatal(err)
				}
				var logBuf bytes.Buffer
				sink, err := NewSink(out, SinkOptions{Append: true})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := Run(context.Background(), context.Background(), tt.resume, sink,
					Config{Model: m, Done: done, Workers: 2, Log: slog.New(slog.NewTextHandler(&logBuf, nil))}, nil); err != nil {
					t.Fatal(err)
				}
				if err := sink.Close(); err != nil {
					t.Fatal(err)
				}
				got, err := ReadRows(out)
				if err != nil {
					t.Fatal(err)
				}
				if len(got) != tt.rows {
					t.Errorf("%d rows after resume %q, want %d", len(got), sources(got), tt.rows)
				}
				if warned := strings.Contains(logBuf.String(), "none of the output's rows"); warned != tt.warn {
					t.Errorf("warned %v, want %v; log:\n%s", warned, tt.warn, logBuf.String())
				}
			})
		}
	}
}

func TestNormSource(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ in, want string }{
		{"a.txt", filepath.Join(wd, "a.txt")},
		{"./a.txt", filepath.Join(wd, "a.txt")},
		{"/x/../y/a.txt", "/y/a.txt"},
		{"c.jsonl:12", filepath.Join(wd, "c.jsonl") + ":12"},
		{"./d/../c.jsonl:12", filepath.Join(wd, "c.jsonl") + ":12"},
		{"s.CSV:3", filepath.Join(wd, "s.CSV") + ":3"},
		{"x:1.jsonl:2", filepath.Join(wd, "x:1.jsonl") + ":2"},
		// Not a corpus: the colon and digits are part of the name.
		{"notes.txt:12", filepath.Join(wd, "notes.txt:12")},
		{"./c.jsonl:", filepath.Join(wd, "c.jsonl:")},
		{"-", "-"},
		{"-:3", "-:3"},
	}
	for _, tt := range tests {
		if got := normSource(tt.in); got != tt.want {
			t.Errorf("normSource(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// failThenReadTree writes a directory "in" of 40 stories and, in its
// subdirectory sub ("" for none), zz-dev.txt, a link to /dev/null: under a
// walk a failure before the file is read, named an empty story. It
// returns the directory and the link.
func failThenReadTree(t *testing.T, sub string) (in, dev string) {
	t.Helper()
	files := map[string]string{}
	for i := range 40 {
		files[fmt.Sprintf("in/a%02d.txt", i)] = storyText
	}
	in = filepath.Join(writeTree(t, files), "in")
	if err := os.MkdirAll(filepath.Join(in, sub), 0o755); err != nil {
		t.Fatal(err)
	}
	dev = filepath.Join(in, sub, "zz-dev.txt")
	if err := os.Symlink("/dev/null", dev); err != nil {
		t.Fatal(err)
	}
	return in, dev
}

// TestResumeFailedThenRead: the same source reached twice, under a
// directory walk (a link to a device: a failure before the file is read)
// and named (read: empty). A resumed run whose output holds the first
// occurrence writes only the second, with any number of workers (several
// read files in parallel, asking Skip ahead of the stories they yield).
func TestResumeFailedThenRead(t *testing.T) {
	in, dev := failThenReadTree(t, "")
	inputs := []string{in, dev}
	full := filepath.Join(t.TempDir(), "full.jsonl")
	runTo(t, full, inputs, Config{Workers: 1})
	all, err := ReadRows(full)
	if err != nil {
		t.Fatal(err)
	}
	errOf := func(r Row) string {
		if r.Error == nil {
			return ""
		}
		return *r.Error
	}
	n := len(all)
	// The output of a run stopped after the walk's rows.
	var done []string
	for _, r := range all[:n-1] {
		done = append(done, r.Source)
	}
	for _, workers := range []int{1, 2, 4} {
		for round := range 3 {
			out := filepath.Join(t.TempDir(), "resumed.jsonl")
			runTo(t, out, inputs, Config{Workers: workers, Done: NewSourceCounts(done...)})
			got, err := ReadRows(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || errOf(got[0]) != errOf(all[n-1]) {
				var es []string
				for _, r := range got {
					es = append(es, r.Source+": "+errOf(r))
				}
				t.Errorf("workers %d round %d: resumed rows %q; want only the named input's row %q", workers, round, es, errOf(all[n-1]))
			}
		}
	}
}

// TestShardFailedThenRead: a shard holds exactly its own stories with any
// number of workers when a source fails under the walk (id "sub/zz-dev",
// another shard's) and is read when named (id "zz-dev", this shard's).
func TestShardFailedThenRead(t *testing.T) {
	in, dev := failThenReadTree(t, "sub")
	var sh Shard
	for n := 2; n < 50 && sh.Count == 0; n++ {
		for i := 1; i <= n; i++ {
			s := Shard{i, n}
			if s.Has("zz-dev") && !s.Has("sub/zz-dev") {
				sh = s
				break
			}
		}
	}
	if sh.Count == 0 {
		t.Fatal("no shard holds zz-dev and not sub/zz-dev")
	}
	inputs := []string{in, dev}
	ids := func(workers int) []string {
		out := filepath.Join(t.TempDir(), "o.jsonl")
		runTo(t, out, inputs, Config{Workers: workers, Shard: sh})
		rows, err := ReadRows(out)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, r := range rows {
			if !sh.Has(r.ID) {
				ids = append(ids, r.ID+" (not in shard)")
			} else {
				ids = append(ids, r.ID)
			}
		}
		return ids
	}
	want := fmt.Sprint(ids(1))
	for round := range 3 {
		if got := fmt.Sprint(ids(4)); got != want {
			t.Errorf("shard %v, round %d, workers 4: rows %s\nworkers 1: %s", sh, round, got, want)
		}
	}
}

// TestResumeAfterFilesChange resumes a run over a directory whose files
// changed since: a file added before the others in walk order and one
// after, a done file deleted and a done file edited. Resume is keyed by
// path, so nothing is lost or read twice: the done rows stay as written
// (the deleted file's too, and the edited file's from its old text, as
// the README says) and every file not yet done is read once, after them.
func TestResumeAfterFilesChange(t *testing.T) {
	for _, ext := range []string{"parquet", "jsonl"} {
		t.Run(ext, func(t *testing.T) {
			dir := writeTree(t, map[string]string{"in/b.txt": storyText, "in/c.txt": "It rained on the harbour.\n"})
			in := filepath.Join(dir, "in")
			out := filepath.Join(t.TempDir(), "labels."+ext)
			runTo(t, out, []string{in}, Config{Workers: 1})
			before, err := ReadRows(out)
			if err != nil {
				t.Fatal(err)
			}
			for name, text := range map[string]string{"a.txt": storyText, "d.txt": storyText, "b.txt": "An edited story about rain.\n"} {
				if err := os.WriteFile(filepath.Join(in, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if err := os.Remove(filepath.Join(in, "c.txt")); err != nil {
				t.Fatal(err)
			}
			done, err := ReadDoneSources(out)
			if err != nil {
				t.Fatal(err)
			}
			runTo(t, out, []string{in}, Config{Done: done, Workers: 2})
			got, err := ReadRows(out)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range got {
				names = append(names, filepath.Base(r.Source))
			}
			if want := []string{"b.txt", "c.txt", "a.txt", "d.txt"}; !slices.Equal(names, want) {
				t.Fatalf("rows %q, want %q", names, want)
			}
			for i := range before {
				if *got[i].SHA256 != *before[i].SHA256 {
					t.Errorf("row %s: sha256 changed on resume; a done row is kept as written", names[i])
				}
			}
		})
	}
}
