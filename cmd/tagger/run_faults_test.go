package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tagger-dev/tagger/pipeline"
)

const faultStory = "Title: Harbour\nWarnings: none\n\nHe stabbed the guard and the blood pooled on the stones.\n"

// writeFiles writes files (path relative to dir → content).
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, b := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// hashFiles returns the SHA-256 of every regular file under dir.
func hashFiles(t *testing.T, dir string) map[string][32]byte {
	t.Helper()
	h := map[string][32]byte{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			b, _ := os.ReadFile(p)
			h[p] = sha256.Sum256(b)
		}
		return nil
	})
	return h
}

// TestRunExitCodes: 0 when every story was read and scored, 2 when one
// failed (the output is still written) unless --allow-errors.
func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		flags []string
		code  int
		rows  int
	}{
		{"clean", map[string]string{"a.txt": faultStory}, nil, exitOK, 1},
		{"a failed story", map[string]string{"a.txt": faultStory, "e.txt": ""}, nil, exitError, 2},
		{"a failed story allowed", map[string]string{"a.txt": faultStory, "e.txt": ""}, []string{"--allow-errors"}, exitOK, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, filepath.Join(dir, "in"), tt.files)
			out := filepath.Join(dir, "out.jsonl")
			_, errOut, code := runCLI(t, "", append([]string{"run", filepath.Join(dir, "in"), "-o", out, "--progress", "never"}, tt.flags...)...)
			if code != tt.code {
				t.Errorf("exit %d, want %d: %s", code, tt.code, errOut)
			}
			if rows, err := pipeline.ReadRows(out); err != nil || len(rows) != tt.rows {
				t.Errorf("%d rows, %v; want %d", len(rows), err, tt.rows)
			}
		})
	}
}

// TestRunRefusesOutputs: an output that would destroy or be read back as
// an input, or that another run holds, is refused before any work, and no
// input changes.
func TestRunRefusesOutputs(t *testing.T) {
	tests := []struct {
		name   string
		inputs []string
		out    string
		setup  func(t *testing.T, dir string)
		want   string
	}{
		{"-o is an input", []string{"c.jsonl"}, "c.jsonl", nil, "is the input"},
		{"-o is an input through a symlink", []string{"c.jsonl"}, "link.jsonl", func(t *testing.T, dir string) {
			os.Symlink("c.jsonl", filepath.Join(dir, "link.jsonl"))
		}, "is the input"},
		{"-o inside an input directory", []string{"in"}, "in/sub/out.parquet", func(t *testing.T, dir string) {
			os.MkdirAll(filepath.Join(dir, "in", "sub"), 0o755)
		}, "inside the input directory"},
		{"-o an existing directory", []string{"in"}, "outdir.jsonl", func(t *testing.T, dir string) {
			os.Mkdir(filepath.Join(dir, "outdir.jsonl"), 0o755)
		}, "is a directory"},
		{"-o locked by another run", []string{"in"}, "out.jsonl", func(t *testing.T, dir string) {
			l, err := pipeline.LockOutput(filepath.Join(dir, "out.jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { l.Release() })
		}, "another tagger run"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"c.jsonl": `{"id":"a","text":"It rained."}` + "\n", "in/a.txt": faultStory})
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			before := hashFiles(t, dir)
			t.Chdir(dir)
			_, errOut, code := runCLI(t, "", append(append([]string{"run"}, tt.inputs...), "-o", tt.out, "--progress", "never")...)
			if code != exitError || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, tt.want)
			}
			after := hashFiles(t, dir)
			for p, h := range before {
				if after[p] != h {
					t.Errorf("input %s changed", p)
				}
			}
			if len(after) != len(before) {
				t.Errorf("files before %d, after %d", len(before), len(after))
			}
		})
	}
}

// TestRunResumeRefusesOtherOperatingPoint: a resumed run at another
// sensitivity would mix rows of two operating points.
func TestRunResumeRefusesOtherOperatingPoint(t *testing.T) {
	for _, ext := range []string{"jsonl", "parquet"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, filepath.Join(dir, "in"), map[string]string{"a.txt": faultStory})
			out := filepath.Join(dir, "out."+ext)
			in := filepath.Join(dir, "in")
			if _, errOut, code := runCLI(t, "", "run", in, "-o", out, "--progress", "never", "--sensitivity", "high"); code != 0 {
				t.Fatalf("first run: %d %s", code, errOut)
			}
			_, errOut, code := runCLI(t, "", "run", in, "-o", out, "--progress", "never", "--resume", "--sensitivity", "low")
			if code != exitError || !strings.Contains(errOut, `sensitivity "high"`) || !strings.Contains(errOut, `"low"`) {
				t.Errorf("exit %d, stderr %q; want 2 naming both sensitivities", code, errOut)
			}
			if _, errOut, code := runCLI(t, "", "run", in, "-o", out, "--progress", "never", "--resume", "--sensitivity", "high"); code != 0 {
				t.Errorf("resume at the same sensitivity: %d %s", code, errOut)
			}
			if rows, err := pipeline.ReadRows(out); err != nil || len(rows) != 1 {
				t.Errorf("%d rows, %v", len(rows), err)
			}
		})
	}
}

// TestRunResumeRefusesOtherModelOfSameName: two models may share a name
// and version (archives' models left at train's default), never their
// files' hash; a resumed run with the other would mix their rows.
func TestRunResumeRefusesOtherModelOfSameName(t *testing.T) {
	dir := t.TempDir()
	m, err := loadModel("")
	if err != nil {
		t.Fatal(err)
	}
	other, err := m.WithLexicon([]byte("labels:\n  death:\n    terms:\n      - {term: was dead, weight: 0}\n"))
	if err != nil {
		t.Fatal(err)
	}
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	if err := m.Save(a); err != nil {
		t.Fatal(err)
	}
	if err := other.Save(b); err != nil {
		t.Fatal(err)
	}
	writeFiles(t, filepath.Join(dir, "in"), map[string]string{"a.txt": faultStory})
	in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out.parquet")
	if _, errOut, code := runCLI(t, "", "run", in, "-o", out, "--progress", "never", "--model", a); code != 0 {
		t.Fatalf("first run: %d %s", code, errOut)
	}
	_, errOut, code := runCLI(t, "", "run", in, "-o", out, "--progress", "never", "--resume", "--model", b)
	if code != exitError || !strings.Contains(errOut, "model hash") {
		t.Errorf("resume with another model of the same name: exit %d, stderr %q; want 2 naming the model hash", code, errOut)
	}
	if _, errOut, code := runCLI(t, "", "run", in, "-o", out, "--progress", "never", "--resume", "--model", a); code != 0 {
		t.Errorf("resume with the same model: %d %s", code, errOut)
	}
}

func TestRunWorkersAndShardFlags(t *testing.T) {
	tests := []struct {
		flags []string
		code  int
		want  string
	}{
		{[]string{"--workers", "100000000"}, exitOK, "more than this machine can use"},
		{[]string{"--workers", "-3"}, exitError, "--workers -3"},
		{[]string{"--shard", "1/2/3"}, exitError, "--shard"},
		{[]string{"--shard", "1/1"}, exitOK, ""},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.flags, " "), func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"a.txt": faultStory})
			_, errOut, code := runCLI(t, "", append([]string{"run", filepath.Join(dir, "a.txt"), "-o", filepath.Join(dir, "o.jsonl"), "--progress", "never"}, tt.flags...)...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, tt.code, tt.want)
			}
		})
	}
}

// TestRunSignalsAndKill runs the binary on a directory and then standard
// input held open (the run waits there, its rows so far written): SIGINT
// and SIGTERM stop it within 5 s with 130 and 143 and a valid output;
// after SIGKILL, --resume recovers the killed run's rows from its
// temporary file (JSONL) and completes the output with every story once.
func TestRunSignalsAndKill(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the process test")
	}
	bin := taggerBinary(t)
	tests := []struct {
		sig  syscall.Signal
		ext  string
		code int    // -1: killed
		want string // in the resumed run's stderr
	}{
		{syscall.SIGINT, "jsonl", exitSigInt, ""},
		{syscall.SIGTERM, "parquet", exitSigTerm, ""},
		{syscall.SIGKILL, "jsonl", -1, "recovered the rows of a killed run"},
		{syscall.SIGKILL, "parquet", -1, "without its footer"},
	}
	for _, tt := range tests {
		t.Run(tt.sig.String()+"/"+tt.ext, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, filepath.Join(dir, "in"), map[string]string{"a.txt": faultStory, "b.txt": faultStory, "c.txt": faultStory})
			in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out."+tt.ext)
			before := hashFiles(t, in)
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			defer pw.Close()
			cmd := exec.Command(bin, "run", in, in, "-", "-o", out, "--progress", "never", "--workers", "2")
			var stderr bytes.Buffer
			cmd.Stdin, cmd.Stderr = pr, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			pr.Close()
			time.Sleep(2 * time.Second) // the six file stories are written; stdin waits
			t0 := time.Now()
			cmd.Process.Signal(tt.sig)
			cmd.Wait()
			if took := time.Since(t0); took > 5*time.Second {
				t.Errorf("stopped %v after %v", took, tt.sig)
			}
			code := cmd.ProcessState.ExitCode()
			if code != tt.code {
				t.Errorf("exit %d after %v, want %d\n%s", code, tt.sig, tt.code, stderr.String())
			}
			if tt.code >= 0 {
				if rows, err := pipeline.ReadRows(out); err != nil || len(rows) != 6 {
					t.Errorf("stopped output: %d rows, %v; want the 6 read", len(rows), err)
				}
			}
			resume := exec.Command(bin, "run", in, in, "-", "-o", out, "--progress", "never", "--resume")
			resume.Stdin = strings.NewReader(faultStory)
			msg, err := resume.CombinedOutput()
			if err != nil {
				t.Fatalf("resume: %v\n%s", err, msg)
			}
			if !strings.Contains(string(msg), tt.want) {
				t.Errorf("resume says %q, want %q", msg, tt.want)
			}
			rows, err := pipeline.ReadRows(out)
			if err != nil {
				t.Fatal(err)
			}
			var srcs []string
			for _, r := range rows {
				srcs = append(srcs, filepath.Base(r.Source))
			}
			slices.Sort(srcs)
			if want := []string{"-", "a.txt", "a.txt", "b.txt", "b.txt", "c.txt", "c.txt"}; !slices.Equal(srcs, want) {
				t.Errorf("after resume: sources %q, want %q", srcs, want)
			}
			if m, _ := filepath.Glob(filepath.Join(dir, ".out.*.tmp-*")); len(m) > 0 {
				t.Errorf("temporary files left: %q", m)
			}
			after := hashFiles(t, in)
			for p, h := range before {
				if after[p] != h {
					t.Errorf("input %s changed", p)
				}
			}
		})
	}
}

// TestRunStoppedKeepsCompleteOutput: a run that would replace a complete
// earlier output, stopped by a signal, leaves that output as it was
// (a part of a run must not replace a whole one) and says so; a run
// replacing a stopped output may replace it with another part.
func TestRunStoppedKeepsCompleteOutput(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the process test")
	}
	bin := taggerBinary(t)
	for _, ext := range []string{"jsonl", "parquet"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, filepath.Join(dir, "in"), map[string]string{"a.txt": faultStory, "b.txt": faultStory})
			in, out := filepath.Join(dir, "in"), filepath.Join(dir, "out."+ext)
			first := exec.Command(bin, "run", in, "-", "-o", out, "--progress", "never")
			first.Stdin = strings.NewReader(faultStory)
			if msg, err := first.CombinedOutput(); err != nil {
				t.Fatalf("first run: %v\n%s", err, msg)
			}
			// The output's bytes and its JSONL metadata sidecar's, which
			// records when the run started.
			read := func(name string) []byte {
				t.Helper()
				b, err := os.ReadFile(name)
				if err != nil {
					t.Fatal(err)
				}
				meta, _ := os.ReadFile(name + pipeline.MetaSuffix)
				return append(b, meta...)
			}
			stop := func(wantKept bool) {
				t.Helper()
				var before []byte // nil before the first output
				if _, err := os.Stat(out); err == nil {
					before = read(out)
				}
				pr, pw, err := os.Pipe()
				if err != nil {
					t.Fatal(err)
				}
				defer pw.Close()
				cmd := exec.Command(bin, "run", in, "-", "-o", out, "--progress", "never", "--sensitivity", "high")
				var stderr bytes.Buffer
				cmd.Stdin, cmd.Stderr = pr, &stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				pr.Close()
				time.Sleep(2 * time.Second) // the file stories are written; stdin waits
				cmd.Process.Signal(syscall.SIGINT)
				cmd.Wait()
				if code := cmd.ProcessState.ExitCode(); code != exitSigInt {
					t.Errorf("exit %d, want %d\n%s", code, exitSigInt, stderr.String())
				}
				kept := bytes.Equal(read(out), before)
				if kept != wantKept {
					t.Errorf("output kept as it was: %v, want %v\n%s", kept, wantKept, stderr.String())
				}
				if wantKept && !strings.Contains(stderr.String(), "is as it was before this run, a whole file") {
					t.Errorf("stderr %q does not say the earlier output was kept", stderr.String())
				}
				if m, _ := filepath.Glob(filepath.Join(dir, ".out.*.tmp-*")); len(m) > 0 {
					t.Errorf("temporary files left: %q", m)
				}
			}
			stop(true)
			if rows, err := pipeline.ReadRows(out); err != nil || len(rows) != 3 {
				t.Errorf("kept output: %d rows, %v; want the earlier run's 3", len(rows), err)
			}
			// Without an output, a stopped run leaves its part; a run
			// replacing that part may leave its own.
			if err := os.Remove(out); err != nil {
				t.Fatal(err)
			}
			os.Remove(out + pipeline.MetaSuffix)
			stop(false)
			if note, err := pipeline.ReadStopped(out); err != nil || note == "" {
				t.Fatalf("the output of a stopped run is not marked stopped (%q, %v)", note, err)
			}
			stop(false)
			if rows, err := pipeline.ReadRows(out); err != nil || len(rows) != 2 {
				t.Errorf("stopped output: %d rows, %v; want the 2 file stories", len(rows), err)
			}
		})
	}
}

// TestRunResumeRefusesOtherInputs: a row's source is its input as given,
// so a resumed run of other inputs, or of the same ones spelt from
// another directory, would read every story again and write it twice.
func TestRunResumeRefusesOtherInputs(t *testing.T) {
	for _, ext := range []string{"jsonl", "parquet"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"in/a.txt": faultStory, "in/b.txt": faultStory, "other/c.txt": faultStory})
			out := "out." + ext
			t.Chdir(dir)
			if _, errOut, code := runCLI(t, "", "run", "in", "-o", out, "--progress", "never"); code != 0 {
				t.Fatalf("first run: %d %s", code, errOut)
			}
			for _, c := range []struct {
				name, chdir string
				args        []string
				want        string
			}{
				{"other inputs", "", []string{"run", "other", "-o", out}, "this run reads other"},
				{"more inputs", "", []string{"run", "in", "other", "-o", out}, "this run reads in other"},
				{"another directory", "in", []string{"run", ".", "-o", "../" + out}, "cd " + dir + " && tagger run in"},
			} {
				t.Run(c.name, func(t *testing.T) {
					if c.chdir != "" {
						t.Chdir(filepath.Join(dir, c.chdir))
					}
					_, errOut, code := runCLI(t, "", append(c.args, "--resume", "--progress", "never")...)
					if code != exitError || !strings.Contains(errOut, c.want) {
						t.Errorf("exit %d, stderr %q; want 2 and %q", code, errOut, c.want)
					}
				})
			}
			t.Chdir(dir)
			if _, errOut, code := runCLI(t, "", "run", "in", "-o", out, "--progress", "never", "--resume"); code != 0 || !strings.Contains(errOut, "done: 0 stories read now (0 errors, 0 with undeclared warnings) and 2 rows kept from the earlier run, 2 in all") {
				t.Errorf("resume with the same inputs: exit %d, stderr %q; want 0 and a summary of the whole file", code, errOut)
			}
			if rows, err := pipeline.ReadRows(out); err != nil || len(rows) != 2 {
				t.Errorf("%d rows, %v; want 2, each story once", len(rows), err)
			}
		})
	}
}

// TestRunResumeCountsKeptFailures: a resumed run does not read the
// stories that failed before; their rows stay, and the run exits 2 for
// them as an uninterrupted run would, unless --allow-errors.
func TestRunResumeCountsKeptFailures(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"in/a.txt": faultStory, "in/b.txt": ""})
	t.Chdir(dir)
	if _, _, code := runCLI(t, "", "run", "in", "-o", "out.jsonl", "--progress", "never"); code != exitError {
		t.Fatalf("first run: exit %d, want 2 for the empty story", code)
	}
	writeFiles(t, dir, map[string]string{"in/b.txt": faultStory})
	_, errOut, code := runCLI(t, "", "run", "in", "-o", "out.jsonl", "--progress", "never", "--resume")
	if code != exitError || !strings.Contains(errOut, "kept 1 failed row of the earlier run (the first: in/b.txt:") || !strings.Contains(errOut, "run without --resume to read them again") {
		t.Errorf("exit %d, stderr %q; want 2 and the kept failure named", code, errOut)
	}
	if _, errOut, code := runCLI(t, "", "run", "in", "-o", "out.jsonl", "--progress", "never", "--resume", "--allow-errors"); code != 0 {
		t.Errorf("--allow-errors: exit %d, stderr %q; want 0", code, errOut)
	}
	if _, errOut, code := runCLI(t, "", "run", "in", "-o", "out.jsonl", "--progress", "never"); code != 0 {
		t.Errorf("without --resume the story is read again: exit %d, stderr %q; want 0", code, errOut)
	}
}

// TestRunInputErrors: a mistyped input is a usage error (exit 2 before any
// work, whatever --allow-errors says); an empty directory is no error, but
// the run says it found nothing.
func TestRunInputErrors(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"in/a.txt": faultStory})
	if err := os.Mkdir(filepath.Join(dir, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	_, errOut, code := runCLI(t, "", "run", "in", "inn", "-o", "out.jsonl", "--progress", "never", "--allow-errors")
	if code != exitError || !strings.Contains(errOut, "run inn: no such file or directory; check the path") {
		t.Errorf("missing input: exit %d, stderr %q", code, errOut)
	}
	if _, err := os.Stat("out.jsonl"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a usage error wrote an output (%v)", err)
	}
	_, errOut, code = runCLI(t, "", "run", "empty", "-o", "out.jsonl", "--progress", "never")
	if code != 0 || !strings.Contains(errOut, "no story found in empty") {
		t.Errorf("empty directory: exit %d, stderr %q; want 0 and a notice", code, errOut)
	}
}

// TestRunResumeSameStories: inputs that name the stories alike resume:
// "in/" for "in", and absolute inputs from any directory.
func TestRunResumeSameStories(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"in/a.txt": faultStory, "in/b.txt": faultStory, "my stories/c.txt": faultStory})
	t.Chdir(dir)
	if _, errOut, code := runCLI(t, "", "run", "in", "-o", "rel.jsonl", "--progress", "never"); code != 0 {
		t.Fatalf("first run: %d %s", code, errOut)
	}
	if _, errOut, code := runCLI(t, "", "run", "in/", "-o", "rel.jsonl", "--progress", "never", "--resume"); code != 0 {
		t.Errorf(`"in/" after "in": exit %d, stderr %q; want 0`, code, errOut)
	}
	abs := filepath.Join(dir, "in")
	if _, errOut, code := runCLI(t, "", "run", abs, "-o", "abs.jsonl", "--progress", "never"); code != 0 {
		t.Fatalf("first run: %d %s", code, errOut)
	}
	t.Chdir(filepath.Join(dir, "in"))
	if _, errOut, code := runCLI(t, "", "run", abs, "-o", "../abs.jsonl", "--progress", "never", "--resume"); code != 0 {
		t.Errorf("absolute inputs from another directory: exit %d, stderr %q; want 0", code, errOut)
	}
	for _, out := range []string{"rel.jsonl", "abs.jsonl"} {
		if rows, err := pipeline.ReadRows(filepath.Join(dir, out)); err != nil || len(rows) != 2 {
			t.Errorf("%s: %d rows, %v; want 2", out, len(rows), err)
		}
	}
	// A path a shell would split is quoted in the command to run.
	t.Chdir(dir)
	if _, errOut, code := runCLI(t, "", "run", "my stories", "-o", "sp.jsonl", "--progress", "never"); code != 0 {
		t.Fatalf("first run: %d %s", code, errOut)
	}
	_, errOut, code := runCLI(t, "", "run", "in", "-o", "sp.jsonl", "--progress", "never", "--resume")
	if code != exitError || !strings.Contains(errOut, "tagger run 'my stories' -o OUT --resume") {
		t.Errorf("exit %d, stderr %q; want 2 and the inputs quoted", code, errOut)
	}
}

// TestRunKeepsOtherRunsOutput: running again into an output replaces it
// only when it is the same job (same inputs, same shard); an output of
// other inputs, or an export of rows that records none, is left as it is
// unless --force; a shard's output is resumed only as that shard.
func TestRunKeepsOtherRunsOutput(t *testing.T) {
	for _, ext := range []string{"jsonl", "parquet"} {
		t.Run(ext, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"in/a.txt": faultStory, "in/b.txt": faultStory, "other/c.txt": faultStory})
			out := "out." + ext
			t.Chdir(dir)
			run := func(args ...string) (string, int) {
				t.Helper()
				_, errOut, code := runCLI(t, "", append(append([]string{"run"}, args...), "--progress", "never")...)
				return errOut, code
			}
			rows := func(path string) int {
				t.Helper()
				r, err := pipeline.ReadRows(path)
				if err != nil {
					t.Fatal(err)
				}
				return len(r)
			}
			if errOut, code := run("in", "-o", out); code != 0 {
				t.Fatalf("first run: %d %s", code, errOut)
			}
			if errOut, code := run("in", "-o", out, "--sensitivity", "high"); code != 0 {
				t.Errorf("the same job again: exit %d, %s; want 0, replaced", code, errOut)
			}
			errOut, code := run("other", "-o", out)
			if code != exitError || !strings.Contains(errOut, "--force") || !strings.Contains(errOut, "a run of in") {
				t.Errorf("other inputs: exit %d, stderr %q; want 2 naming the output's inputs and --force", code, errOut)
			}
			if n := rows(out); n != 2 {
				t.Errorf("after the refused run: %d rows, want the first run's 2", n)
			}
			if errOut, code := run("other", "-o", out, "--force"); code != 0 || rows(out) != 1 {
				t.Errorf("--force: exit %d, %s, %d rows; want 0 and the new run's 1 row", code, errOut, rows(out))
			}
			if ext == "jsonl" {
				// An export of rows (no sidecar) records no inputs.
				b, err := os.ReadFile(out)
				if err != nil {
					t.Fatal(err)
				}
				writeFiles(t, dir, map[string]string{"queue.jsonl": string(b)})
				if errOut, code := run("in", "-o", "queue.jsonl"); code != exitError || !strings.Contains(errOut, "does not record") {
					t.Errorf("export of rows: exit %d, stderr %q; want 2", code, errOut)
				}
			}
			shard := "shard." + ext
			if errOut, code := run("in", "-o", shard, "--shard", "1/2"); code != 0 {
				t.Fatalf("shard run: %d %s", code, errOut)
			}
			if errOut, code := run("in", "-o", shard, "--resume"); code != exitError || !strings.Contains(errOut, "shard 1/2") {
				t.Errorf("resume of a shard as the whole corpus: exit %d, stderr %q; want 2 naming the shard", code, errOut)
			}
			if errOut, code := run("in", "-o", shard); code != exitError || !strings.Contains(errOut, "shard 1/2") {
				t.Errorf("whole corpus into a shard's output: exit %d, stderr %q; want 2 naming the shard", code, errOut)
			}
			if errOut, code := run("in", "-o", shard, "--shard", "1/2", "--resume"); code != 0 {
				t.Errorf("resume of the shard as the shard: %d %s", code, errOut)
			}
		})
	}
}

// TestRunWarnsInputGivenTwice: an input given twice is read twice (rows
// are per input position), which is more often a slip than meant: the run
// says so, and writes both.
func TestRunWarnsInputGivenTwice(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"in/a.txt": faultStory})
	t.Chdir(dir)
	_, errOut, code := runCLI(t, "", "run", "in", "in/", "-o", "out.jsonl", "--progress", "never")
	if code != 0 || !strings.Contains(errOut, "in/ is given more than once") {
		t.Errorf("exit %d, stderr %q; want 0 and a warning", code, errOut)
	}
	if rows, err := pipeline.ReadRows("out.jsonl"); err != nil || len(rows) != 2 {
		t.Errorf("%d rows, %v; want 2", len(rows), err)
	}
}

// TestRunWarnsInputInsideAnother: a file or directory inside a directory
// also given is read twice, under another id: the run says so.
func TestRunWarnsInputInsideAnother(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"in/sub/a.txt": faultStory, "in/b.txt": faultStory, "other/c.txt": faultStory})
	t.Chdir(dir)
	_, errOut, code := runCLI(t, "", "run", "in", "in/sub/a.txt", "other", "-o", "out.jsonl", "--progress", "never")
	if code != 0 || !strings.Contains(errOut, "in/sub/a.txt is inside in, also given") || strings.Contains(errOut, "other is inside") {
		t.Errorf("exit %d, stderr %q; want 0 and one warning", code, errOut)
	}
	if rows, err := pipeline.ReadRows("out.jsonl"); err != nil || len(rows) != 4 {
		t.Errorf("%d rows, %v; want 4", len(rows), err)
	}
}

// TestRunOutputSymlink: an output that is a symbolic link is written where
// it leads; the link stays a link.
func TestRunOutputSymlink(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"in/a.txt": faultStory})
	t.Chdir(dir)
	if err := os.Mkdir("runs", 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("runs/week1.jsonl", "latest.jsonl"); err != nil {
		t.Fatal(err)
	}
	for range 2 { // a new output, then a complete one replaced
		if _, errOut, code := runCLI(t, "", "run", "in", "-o", "latest.jsonl", "--progress", "never"); code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		if fi, err := os.Lstat("latest.jsonl"); err != nil || fi.Mode()&os.ModeSymlink == 0 {
			t.Fatalf("latest.jsonl is no longer a link: %v", err)
		}
		if rows, err := pipeline.ReadRows("runs/week1.jsonl"); err != nil || len(rows) != 1 {
			t.Errorf("the link's target: %d rows, %v; want 1", len(rows), err)
		}
	}
	os.Symlink("nowhere/x.jsonl", "broken.jsonl")
	if _, errOut, code := runCLI(t, "", "run", "in", "-o", "broken.jsonl", "--progress", "never"); code != exitError || !strings.Contains(errOut, "leads nowhere") {
		t.Errorf("a broken link: exit %d, stderr %q; want 2 saying so", code, errOut)
	}
}

// TestRunSameSignalTwice: the same signal delivered twice at once (GNU
// timeout signals the process and then its group) stops the run cleanly,
// as one would; it does not abandon it.
func TestRunSameSignalTwice(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"in/a.txt": faultStory, "in/b.txt": faultStory})
	t.Chdir(dir)
	sigs := make(chan os.Signal, 2)
	sigs <- syscall.SIGINT
	sigs <- syscall.SIGINT
	var stdout, stderr bytes.Buffer
	code := runWithSignals(context.Background(), []string{"run", "in", "-o", "out.jsonl", "--progress", "never"}, strings.NewReader(""), &stdout, &stderr, sigs)
	if code != exitSigInt || strings.Contains(stderr.String(), "abandon") && !strings.Contains(stderr.String(), "signal again to abandon") {
		t.Errorf("exit %d, stderr %q; want %d, stopped, not abandoned", code, stderr.String(), exitSigInt)
	}
	if _, err := pipeline.ReadRows("out.jsonl"); err != nil {
		t.Errorf("the stopped run's output: %v; want a valid (partial) output", err)
	}
}

// TestResumeChangedCorpus: a corpus whose records moved since the run that
// wrote the output (a record inserted at the top) would lose one story and
// repeat another under --resume; the run refuses, naming the record, and
// leaves the output as it was.
func TestResumeChangedCorpus(t *testing.T) {
	for _, out := range []string{"out.jsonl", "out.parquet"} {
		t.Run(out, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"c.jsonl": `{"id":"a","text":"The rain fell."}` + "\n" + `{"id":"b","text":"She ran home."}` + "\n"})
			t.Chdir(dir)
			if _, errOut, code := runCLI(t, "", "run", "c.jsonl", "-o", out, "--progress", "never"); code != 0 {
				t.Fatalf("first run: exit %d: %s", code, errOut)
			}
			// Unchanged, the corpus resumes (nothing left to read).
			if _, errOut, code := runCLI(t, "", "run", "c.jsonl", "-o", out, "--progress", "never", "--resume"); code != 0 {
				t.Fatalf("resume of the same corpus: exit %d: %s", code, errOut)
			}
			writeFiles(t, dir, map[string]string{"c.jsonl": `{"id":"new","text":"A new first story."}` + "\n" + `{"id":"a","text":"The rain fell."}` + "\n" + `{"id":"b","text":"She ran home."}` + "\n"})
			before, _ := os.ReadFile(out)
			_, errOut, code := runCLI(t, "", "run", "c.jsonl", "-o", out, "--progress", "never", "--resume")
			if code != exitError || !strings.Contains(errOut, `c.jsonl:1 holds the story "new"`) || !strings.Contains(errOut, "without --resume") {
				t.Errorf("resume of a changed corpus: exit %d, stderr %q; want 2 naming the record", code, errOut)
			}
			if after, _ := os.ReadFile(out); !bytes.Equal(after, before) {
				t.Error("the output changed")
			}
		})
	}
}
