package main

import (
	"archive/zip"
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/pipeline/benchcorpus"
)

func TestRunSeeds(t *testing.T) {
	t.Chdir("../..")
	out := filepath.Join(t.TempDir(), "labels.parquet")
	_, errOut, code := runCLI(t, "", "run", "seeds", "-o", out, "--stats", "--progress", "never", "--workers", "2")
	if code != 0 {
		t.Fatalf("run: code %d: %s", code, errOut)
	}
	for _, want := range []string{"done: 4 stories (0 errors", "ingest", "tokenize", "feature", "classify", "combine", "sink",
		"ingest read up to 4 small files (or corpus records) at once"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "replacing") {
		t.Errorf("a first run says it replaces an output:\n%s", errOut)
	}
	// The same job again replaces the output, and says so (a complete
	// one: --resume has nothing to complete).
	if _, errOut, code = runCLI(t, "", "run", "seeds", "-o", out, "--progress", "never"); code != 0 ||
		!strings.Contains(errOut, "tagger: replacing "+out+", an earlier output\n") {
		t.Errorf("run again: code %d, stderr %q; want the replacement said", code, errOut)
	}
	rows, err := pipeline.ReadRows(out)
	if err != nil || len(rows) != 4 {
		t.Fatalf("read back %d rows: %v", len(rows), err)
	}
	if rows[0].Model == "" || rows[0].PredictedRating == nil || *rows[0].PredictedRating != "explicit" {
		t.Errorf("seed 000 row: model %q rating %v", rows[0].Model, rows[0].PredictedRating)
	}
}

func TestRunProgressAndStdin(t *testing.T) {
	out := filepath.Join(t.TempDir(), "labels.jsonl")
	_, errOut, code := runCLI(t, "Title: Piped\nWarnings: none\n\nHe stabbed the guard and the blood pooled.\n", "run", "-", "-o", out, "--progress", "always")
	if code != 0 || !strings.Contains(errOut, "stories") {
		t.Fatalf("run -: code %d, stderr %q (want a progress bar)", code, errOut)
	}
	rows, err := pipeline.ReadRows(out)
	if err != nil || len(rows) != 1 || rows[0].ID != "stdin" || rows[0].Title == nil || *rows[0].Title != "Piped" {
		t.Fatalf("rows %+v, %v", rows, err)
	}
	_, errOut, code = runCLI(t, "", "run", "../../seeds", "-o", filepath.Join(t.TempDir(), "x.jsonl"), "--progress", "never")
	if code != 0 || strings.Contains(errOut, "stories, ") {
		t.Errorf("--progress never: code %d, stderr %q", code, errOut)
	}
}

func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{
		{"run", "seeds"},
		{"run", "seeds", "-o", "out.csv"},
		{"run", "seeds", "-o", "x.jsonl", "--shard", "3/2"},
		{"run", "seeds", "-o", "x.jsonl", "--sensitivity", "extreme"},
	} {
		_, errOut, code := runCLI(t, "", args...)
		if code != exitError || errOut == "" {
			t.Errorf("%v: code %d stderr %q, want 2 and a message", args, code, errOut)
		}
	}
}

// TestRunInterruptAndResume sends SIGINT to a real tagger process midway
// through a corpus given twice (every story ID appears twice): it must exit
// 130 with a valid Parquet file of the rows done so far, and --resume must
// complete it with every story exactly twice (it used to skip the second
// copy of every ID already written).
func TestRunInterruptAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the process test")
	}
	bin := taggerBinary(t)
	paras, err := benchcorpus.Sources("../../seeds", "")
	if err != nil {
		t.Fatal(err)
	}
	// The signal must arrive mid-run: on a fast machine a small corpus is
	// done before it, so the corpus doubles until a run is interrupted.
	var corpus, out string
	var files int
	stopped := false
	for size := int64(60e6); size <= 240e6 && !stopped; size *= 2 {
		corpus = filepath.Join(t.TempDir(), "corpus")
		if files, _, err = benchcorpus.Write(corpus, paras, benchcorpus.Options{Bytes: size, Seed: 7}); err != nil {
			t.Fatal(err)
		}
		out = filepath.Join(t.TempDir(), "labels.parquet")
		cmd := exec.Command(bin, "run", corpus, corpus, "-o", out, "--workers", "1", "--progress", "never")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(700 * time.Millisecond)
		cmd.Process.Signal(syscall.SIGINT)
		cmd.Wait()
		stopped = strings.Contains(stderr.String(), "stopped early")
		if code := cmd.ProcessState.ExitCode(); stopped && code != exitSigInt || !stopped && code != 0 {
			t.Fatalf("interrupted run: exit %d (stopped %v)\n%s", code, stopped, stderr.String())
		}
		if !stopped && !strings.Contains(stderr.String(), "done:") {
			t.Fatalf("the run neither finished nor said it stopped:\n%s", stderr.String())
		}
		// A signal that lands after the last story was scored stops a
		// run with nothing left to lose: not the case under test.
		if stopped {
			if rows, err := pipeline.ReadRows(out); err == nil && len(rows) == 2*files {
				stopped = false
			}
		}
	}
	if !stopped {
		t.Fatal("every run finished before the signal")
	}
	part, err := pipeline.ReadRows(out)
	if err != nil {
		t.Fatalf("interrupted output is not valid: %v", err)
	}
	// On a loaded machine the signal may land before the first row: the
	// file must still be valid, and it must not hold every story.
	if len(part) >= 2*files {
		t.Fatalf("interrupted run wrote %d of %d rows", len(part), 2*files)
	}
	// It must not pass for a whole run's output.
	meta := func() map[string]string {
		t.Helper()
		kv, err := pipeline.ReadOutputMeta(out)
		if err != nil {
			t.Fatal(err)
		}
		return kv
	}
	if note := meta()[pipeline.MetaStopped]; !strings.Contains(note, "prefix of the inputs") || !strings.Contains(note, "--resume") {
		t.Errorf("interrupted output's %s = %q, want a note saying it is a prefix and how to complete it", pipeline.MetaStopped, note)
	}
	resume := exec.Command(bin, "run", corpus, corpus, "-o", out, "--resume", "--progress", "never")
	if msg, err := resume.CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, msg)
	}
	rows, err := pipeline.ReadRows(out)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, r := range rows {
		seen[r.Source]++
	}
	if len(rows) != 2*files || len(seen) != files {
		t.Errorf("after --resume: %d rows, %d distinct stories, want %d and %d", len(rows), len(seen), 2*files, files)
	}
	if note, ok := meta()[pipeline.MetaStopped]; ok {
		t.Errorf("the completed output still says %q", note)
	}
	for src, n := range seen {
		if n != 2 {
			t.Errorf("%s: %d rows, want 2", src, n)
		}
	}
	if _, err := os.Stat(out); err != nil {
		t.Error(err)
	}
}

// TestMixedFormats runs a directory of every supported format through
// tagger run and tagger check.
func TestMixedFormats(t *testing.T) {
	dir := t.TempDir()
	copyFile := func(src, dst string) {
		b, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, dst), b, 0o644)
	}
	copyFile("../../seeds/003_ef651ee35373ebd4.txt", "plain.txt")
	copyFile("../../datasets/testdata/formats/ao3-2024.html", "ao3.html")
	copyFile("../../datasets/testdata/formats/fff.html", "fff.html")
	for _, name := range []string{"ao3-epub", "fff-epub"} {
		zipTree(t, filepath.Join("../../datasets/testdata/formats", name), filepath.Join(dir, name+".epub"))
	}
	os.WriteFile(filepath.Join(dir, "corpus.jsonl"), []byte(`{"id":"j1","text":"He stabbed the guard.","warnings":["violence"]}`+"\n"), 0o644)
	out := filepath.Join(t.TempDir(), "labels.parquet")
	if _, errOut, code := runCLI(t, "", "run", dir, "-o", out, "--progress", "never"); code != 0 {
		t.Fatalf("run: %d %s", code, errOut)
	}
	rows, err := pipeline.ReadRows(out)
	if err != nil {
		t.Fatal(err)
	}
	formats := map[string]string{}
	for _, r := range rows {
		if r.Error != nil {
			t.Errorf("%s: %s", r.ID, *r.Error)
		}
		formats[r.ID] = r.Format
	}
	want := map[string]string{"plain": "text", "ao3": "ao3-html", "fff": "fff-html", "ao3-epub": "ao3-epub", "fff-epub": "fff-epub", "j1": "jsonl"}
	for id, f := range want {
		if formats[id] != f {
			t.Errorf("%s: format %q, want %q (all: %v)", id, formats[id], f, formats)
		}
	}
	outText, _, code := runCLI(t, "", "check", "--format", "line", dir)
	if code != 1 || !strings.Contains(outText, "plain.txt:") {
		t.Errorf("check over the mixed directory: exit %d\n%s", code, outText)
	}
}

func zipTree(t *testing.T, src, dst string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	w.Write([]byte("application/epub+zip"))
	filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "mimetype" {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, _ := os.ReadFile(p)
		w, _ := zw.Create(filepath.ToSlash(rel))
		w.Write(b)
		return nil
	})
	zw.Close()
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRunKeepsForeignOutput: -o naming a file that is not an output of
// tagger's stops the run (exit 2) and leaves the file as it was; an output
// of tagger's is replaced.
func TestRunKeepsForeignOutput(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"notes.parquet", "notes.jsonl"} {
		out := filepath.Join(dir, name)
		if err := os.WriteFile(out, []byte("my notes\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, errOut, code := runCLI(t, "", "run", "../../seeds", "-o", out)
		if code != 2 || !strings.Contains(errOut, "is not an output of tagger's") {
			t.Errorf("%s: code %d, stderr %q", name, code, errOut)
		}
		if b, err := os.ReadFile(out); err != nil || string(b) != "my notes\n" {
			t.Errorf("%s: the file now holds %.80q (%v)", name, b, err)
		}
		if err := os.Remove(out); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second run replaces the first's output
			if _, errOut, code := runCLI(t, "", "run", "../../seeds", "-o", out); code != 0 {
				t.Fatalf("%s: code %d: %s", name, code, errOut)
			}
		}
	}
}

// TestRunNamesFirstFailure: a run with failed stories says which failed
// first and why, not only that some did.
func TestRunNamesFirstFailure(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in")
	if err := os.MkdirAll(in, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{"a.txt": "Title: fine\n\nShe walked home in the rain.\n", "b.txt": "GIF89a\x00\x01garbage"} {
		if err := os.WriteFile(filepath.Join(in, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, errOut, code := runCLI(t, "", "run", in, "-o", filepath.Join(dir, "out.parquet"))
	if code != 2 || !strings.Contains(errOut, "1 of 2 stories failed (the first: ") || !strings.Contains(errOut, "b.txt") {
		t.Errorf("code %d, stderr %q", code, errOut)
	}
}

// TestTotalBytesFollowsLinkedRoot: the progress bar's total counts the
// files of a directory named through a symbolic link (seeds is one), as
// the reader reads them.
func TestTotalBytesFollowsLinkedRoot(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.MkdirAll(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "a.txt"), []byte("twelve bytes"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("real", link); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{real, link, link + "/"} {
		if got := totalBytes([]string{in}); got != 12 {
			t.Errorf("totalBytes(%s) = %d, want 12", in, got)
		}
	}
}
