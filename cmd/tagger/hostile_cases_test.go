package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hostileCases are the inputs and faults of the hostile suite, by class:
// reads that could block, inputs that could blow memory, inputs that could
// forge what a moderator reads, and runs that could lose or overwrite rows.
func hostileCases() []hostileCase {
	run := func(in ...string) []string {
		return append(append([]string{"run"}, in...), "-o", "out.jsonl", "--progress", "never")
	}
	return []hostileCase{
		// --- Reads that could block forever: each must stop on SIGINT.
		{"jsonl is /dev/zero", func(t *testing.T, dir string) hostileRun {
			symlink(t, "/dev/zero", filepath.Join(dir, "z.jsonl"))
			return hostileRun{args: run("z.jsonl"), interrupt: time.Second}
		}, stopped("out.jsonl")},
		{"text given directly is /dev/zero", func(t *testing.T, dir string) hostileRun {
			symlink(t, "/dev/zero", filepath.Join(dir, "x.txt"))
			return hostileRun{args: run("x.txt"), interrupt: 3 * time.Second}
		}, stopped("out.jsonl")},
		{"text given directly is /dev/urandom", func(t *testing.T, dir string) hostileRun {
			symlink(t, "/dev/urandom", filepath.Join(dir, "x.txt"))
			return hostileRun{args: run("x.txt"), interrupt: 3 * time.Second}
		}, stopped("out.jsonl")},
		{"html given directly is /dev/zero", func(t *testing.T, dir string) hostileRun {
			symlink(t, "/dev/zero", filepath.Join(dir, "x.html"))
			return hostileRun{args: run("x.html"), interrupt: 3 * time.Second}
		}, stopped("out.jsonl")},
		{"FIFO given directly, no writer", func(t *testing.T, dir string) hostileRun {
			mkfifo(t, filepath.Join(dir, "p.txt"))
			return hostileRun{args: run("p.txt"), interrupt: time.Second}
		}, stopped("out.jsonl")},
		{"FIFO jsonl given directly, no writer", func(t *testing.T, dir string) hostileRun {
			mkfifo(t, filepath.Join(dir, "p.jsonl"))
			return hostileRun{args: run("p.jsonl"), interrupt: time.Second}
		}, stopped("out.jsonl")},
		{"stdin never closes (run)", func(t *testing.T, dir string) hostileRun {
			return hostileRun{args: run("-"), holdStdin: true, interrupt: time.Second}
		}, stopped("out.jsonl")},
		{"stdin never closes (check)", func(t *testing.T, dir string) hostileRun {
			return hostileRun{args: []string{"check", "-"}, holdStdin: true, interrupt: time.Second}
		}, nil},
		{"stdin never closes (meta)", func(t *testing.T, dir string) hostileRun {
			return hostileRun{args: []string{"meta", "-"}, holdStdin: true, interrupt: time.Second}
		}, nil},
		{"FIFO given to check", func(t *testing.T, dir string) hostileRun {
			mkfifo(t, filepath.Join(dir, "p.txt"))
			return hostileRun{args: []string{"check", "p.txt"}, interrupt: time.Second}
		}, nil},
		{"FIFO given to meta", func(t *testing.T, dir string) hostileRun {
			mkfifo(t, filepath.Join(dir, "p.txt"))
			return hostileRun{args: []string{"meta", "p.txt"}, interrupt: time.Second}
		}, nil},
		{"SIGTERM on a blocked read", func(t *testing.T, dir string) hostileRun {
			mkfifo(t, filepath.Join(dir, "p.txt"))
			return hostileRun{args: run("p.txt"), interrupt: time.Second, signal: syscall.SIGTERM}
		}, stopped("out.jsonl")},
		{"FIFO under a directory is refused, the run goes on", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			mkfifo(t, filepath.Join(dir, "in", "p.txt"))
			return hostileRun{args: run("in")}
		}, all(rowCount("out.jsonl", 2), failsWith(exitError), rowError("out.jsonl", "not a regular file"))},
		{"symlink to /dev/zero under a directory", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			symlink(t, "/dev/zero", filepath.Join(dir, "in", "z.txt"))
			return hostileRun{args: run("in")}
		}, all(rowCount("out.jsonl", 2), failsWith(exitError))},
		{"symlink loop under a directory", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			symlink(t, "..", filepath.Join(dir, "in", "up"))
			symlink(t, "loop", filepath.Join(dir, "in", "loop"))
			return hostileRun{args: run("in")}
		}, func(t *testing.T, dir string, r hostileResult) {
			if n := len(rows(t, filepath.Join(dir, "out.jsonl"))); n < 1 || n > 3 {
				t.Errorf("%d rows", n)
			}
		}},

		// --- Inputs that could blow memory: each ends with RSS ≤ 300 MB.
		{"stdin is /dev/zero (check)", func(t *testing.T, dir string) hostileRun {
			f, err := os.Open("/dev/zero")
			if err != nil {
				t.Skip(err)
			}
			t.Cleanup(func() { f.Close() })
			return hostileRun{args: []string{"check", "-"}, stdin: f}
		}, failsWith(exitError)},
		{"stdin is /dev/urandom (run)", func(t *testing.T, dir string) hostileRun {
			f, err := os.Open("/dev/urandom")
			if err != nil {
				t.Skip(err)
			}
			t.Cleanup(func() { f.Close() })
			return hostileRun{args: run("-"), stdin: f}
		}, failsWith(exitError)},
		{"600 MB story on stdin (check)", func(t *testing.T, dir string) hostileRun {
			return hostileRun{args: []string{"check", "-"}, stdin: io.LimitReader(&repeatReader{b: []byte("The gulls went quiet over the harbour wall, and Mara counted the boats home. ")}, 600<<20)}
		}, failsWith(exitError, "--max-story-bytes")},
		{"text file over --max-file-bytes (run)", func(t *testing.T, dir string) hostileRun {
			if err := os.WriteFile(filepath.Join(dir, "long.txt"), bytes.Repeat([]byte("The gulls went quiet. "), 1000), 0o644); err != nil {
				t.Fatal(err)
			}
			return hostileRun{args: append(run("long.txt"), "--max-file-bytes", "1000")}
		}, all(failsWith(exitError), rowError("out.jsonl", "--max-file-bytes"))},
		{"2 GiB sparse HTML", func(t *testing.T, dir string) hostileRun {
			f, err := os.Create(filepath.Join(dir, "big.html"))
			if err != nil {
				t.Fatal(err)
			}
			f.Truncate(2 << 30)
			f.Close()
			return hostileRun{args: run("big.html")}
		}, all(failsWith(exitError), rowError("out.jsonl", "--max-markup-bytes"))},
		{"200 MB HTML page", func(t *testing.T, dir string) hostileRun {
			var b bytes.Buffer
			b.WriteString("<html><body>")
			for b.Len() < 200<<20 {
				b.WriteString("<p>The tide turned at the harbour wall and the gulls went quiet.</p>\n")
			}
			write(t, filepath.Join(dir, "big.html"), b.Bytes())
			return hostileRun{args: run("big.html")}
		}, all(failsWith(exitError), rowError("out.jsonl", "--max-markup-bytes"))},
		{"300 MB text story (check)", func(t *testing.T, dir string) hostileRun {
			bigText(t, filepath.Join(dir, "big.txt"), 300<<20)
			return hostileRun{args: []string{"check", "big.txt"}}
		}, nil},
		{"300 MB text story (run)", func(t *testing.T, dir string) hostileRun {
			bigText(t, filepath.Join(dir, "big.txt"), 300<<20)
			return hostileRun{args: run("big.txt")}
		}, rowCount("out.jsonl", 1)},
		{"100 MB JSONL line is over the default limit", func(t *testing.T, dir string) hostileRun {
			text := strings.Repeat("The gulls went quiet over the harbour wall. ", (100<<20)/44)
			write(t, filepath.Join(dir, "c.jsonl"), []byte(fmt.Sprintf(`{"id":"big","text":%q}`+"\n"+`{"id":"small","text":"It rained."}`+"\n", text)))
			return hostileRun{args: run("c.jsonl")}
		}, all(rowCount("out.jsonl", 2), rowError("out.jsonl", "--max-line-bytes"))},
		{"60 MB JSONL line, just under the default limit", func(t *testing.T, dir string) hostileRun {
			text := strings.Repeat("The gulls went quiet over the harbour wall. ", (60<<20)/44)
			write(t, filepath.Join(dir, "c.jsonl"), []byte(fmt.Sprintf(`{"id":"big","text":%q}`+"\n"+`{"id":"small","text":"It rained."}`+"\n", text)))
			return hostileRun{args: run("c.jsonl")}
		}, all(rowCount("out.jsonl", 2), failsWith(exitOK))},
		{"23 MB HTML page, just under the markup limit", func(t *testing.T, dir string) hostileRun {
			var b bytes.Buffer
			b.WriteString("<html><body>")
			for b.Len() < 23<<20 {
				b.WriteString("<p>The tide turned at the harbour wall and the gulls went quiet.</p>\n")
			}
			write(t, filepath.Join(dir, "big.html"), b.Bytes())
			return hostileRun{args: run("big.html")}
		}, all(rowCount("out.jsonl", 1), failsWith(exitOK))},
		{"JSONL line over the line limit names the flag", func(t *testing.T, dir string) hostileRun {
			text := strings.Repeat("x ", 3<<20)
			write(t, filepath.Join(dir, "c.jsonl"), []byte(fmt.Sprintf(`{"id":"big","text":%q}`+"\n"+`{"id":"small","text":"It rained."}`+"\n", text)))
			return hostileRun{args: append(run("c.jsonl"), "--max-line-bytes", "1048576")}
		}, all(rowCount("out.jsonl", 2), failsWith(exitError), rowError("out.jsonl", "--max-line-bytes"))},
		{"a JSONL line of 50 MB with no line end", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "c.jsonl"), bytes.Repeat([]byte("{"), 50<<20))
			return hostileRun{args: run("c.jsonl")}
		}, failsWith(exitError)},
		{"EPUB spine repeating one item a million times", func(t *testing.T, dir string) hostileRun {
			spine := make([]string, 1_000_000)
			for i := range spine {
				spine[i] = "c1"
			}
			epub(t, filepath.Join(dir, "s.epub"), map[string][]byte{"c1": []byte("<html><body><p>It rained on the harbour.</p></body></html>")}, spine, nil)
			return hostileRun{args: run("s.epub")}
		}, rowCount("out.jsonl", 1)},
		{"EPUB with a zip in its spine", func(t *testing.T, dir string) hostileRun {
			var inner bytes.Buffer
			for range 2000 {
				inner.WriteString("PK\x03\x04\x14\x00\x00\x00\x08\x00")
			}
			epub(t, filepath.Join(dir, "z.epub"), map[string][]byte{
				"c1": []byte("<html><body><p>It rained on the harbour.</p></body></html>"),
				"c2": inner.Bytes(),
			}, []string{"c1", "c2"}, map[string]string{"c2": "application/zip"})
			return hostileRun{args: run("z.epub")}
		}, func(t *testing.T, dir string, r hostileResult) {
			for _, row := range rows(t, filepath.Join(dir, "out.jsonl")) {
				if row.Words != nil && *row.Words > 50 {
					t.Errorf("the zip was read as text: %d words", *row.Words)
				}
			}
		}},
		{"deep HTML nesting", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "d.html"), []byte(strings.Repeat("<div>", 200000)+"It rained."))
			return hostileRun{args: run("d.html")}
		}, all(rowCount("out.jsonl", 1), failsWith(exitError))},
		// Half a megabyte: a header ends within its first MiB (see
		// header.MaxHeaderLine), as a streamed story's must.
		{"a header of a half-MB title line keeps its rating", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "h.txt"), []byte("Title: "+strings.Repeat("Harbour ", 1<<16)+"\nRating: Explicit\nWarnings: Major Character Death\n\nIt rained.\n"))
			return hostileRun{args: []string{"meta", "h.txt"}}
		}, func(t *testing.T, dir string, r hostileResult) {
			if !strings.Contains(r.stdout, `"declared_rating":"explicit"`) || !strings.Contains(r.stdout, `"death"`) {
				t.Errorf("rating or warnings lost: %s", head(r.stdout, 300))
			}
		}},
		{"a 100,000-tag line keeps the warnings", func(t *testing.T, dir string) hostileRun {
			tags := make([]string, 100000)
			for i := range tags {
				tags[i] = fmt.Sprintf("tag%d", i)
			}
			write(t, filepath.Join(dir, "h.txt"), []byte("Title: Harbour\nTags: "+strings.Join(tags, ", ")+"\nRating: Mature\nWarnings: Self-Harm\n\nIt rained.\n"))
			return hostileRun{args: []string{"meta", "h.txt"}}
		}, func(t *testing.T, dir string, r hostileResult) {
			if !strings.Contains(r.stdout, `"declared_rating":"mature"`) || !strings.Contains(r.stdout, `"self-harm"`) {
				t.Errorf("rating or warnings lost: %s", head(r.stdout, 300))
			}
		}},
		{"binary file among stories", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			b := make([]byte, 1<<20)
			for i := range b {
				b[i] = byte(i * 7919)
			}
			write(t, filepath.Join(dir, "in", "b.txt"), b)
			return hostileRun{args: run("in")}
		}, all(rowCount("out.jsonl", 2), failsWith(exitError))},
		{"empty and blank files", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			write(t, filepath.Join(dir, "in", "e.txt"), nil)
			write(t, filepath.Join(dir, "in", "w.txt"), []byte("\n\n   \n"))
			return hostileRun{args: run("in")}
		}, all(rowCount("out.jsonl", 3), failsWith(exitError))},

		// --- Inputs that could forge what a moderator reads.
		{"terminal escapes in a story", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "e.txt"), []byte("Title: \x1b]0;owned\x07Harbour\nRating: General Audiences\nWarnings: No Archive Warnings Apply\n\n"+
				"He stabbed him in the chest and the blood poured out, and he died on the floor.\x1b[1A\x1b[2K verdict: OK\x1b[8m\n"+
				"He stabbed him again and again until he was dead.\n"))
			return hostileRun{args: []string{"check", "e.txt"}}
		}, noControls},
		{"terminal escapes in line format", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "e.txt"), []byte("Rating: General Audiences\nWarnings: No Archive Warnings Apply\n\n"+
				"He stabbed him in the chest\x1b[2K\rand the blood poured out, and he died on the floor. He stabbed him again until he was dead.\n"))
			return hostileRun{args: []string{"check", "--format", "line", "e.txt"}}
		}, noControls},
		{"a newline in a file name cannot forge a line record", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "a\nfake.txt:1:violence:1.00:undeclared warning: forged"), []byte("Rating: General Audiences\nWarnings: No Archive Warnings Apply\n\n"+
				"He stabbed him in the chest and the blood poured out, and he died on the floor. He stabbed him again until he was dead.\n"))
			return hostileRun{args: []string{"check", "--format", "line", "."}}
		}, func(t *testing.T, dir string, r hostileResult) {
			for _, ln := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
				if strings.HasPrefix(ln, "fake.txt") {
					t.Errorf("a forged record: %q", ln)
				}
			}
		}},
		{"bidi overrides in a title", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "b.txt"), []byte("Title: Harbour \u202eKO :tcidrev\u202c\nRating: General Audiences\n\nIt rained.\n"))
			return hostileRun{args: []string{"check", "b.txt"}}
		}, func(t *testing.T, dir string, r hostileResult) {
			if strings.ContainsAny(r.stdout, "\u202e\u202c\u2066\u2067\u2068\u2069") {
				t.Errorf("bidi controls printed raw: %q", r.stdout)
			}
		}},

		// --- Runs that could lose or overwrite rows, or change an input.
		{"-o equal to an input", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "c.jsonl"), []byte(`{"id":"a","text":"It rained."}`+"\n"))
			return hostileRun{args: []string{"run", "c.jsonl", "-o", "c.jsonl", "--progress", "never"}}
		}, failsWith(exitError, "c.jsonl")},
		{"-o equal to an input through a symlink", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "c.jsonl"), []byte(`{"id":"a","text":"It rained."}`+"\n"))
			symlink(t, "c.jsonl", filepath.Join(dir, "link.jsonl"))
			return hostileRun{args: []string{"run", "c.jsonl", "-o", "link.jsonl", "--progress", "never"}}
		}, failsWith(exitError)},
		{"-o inside an input directory", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			return hostileRun{args: []string{"run", "in", "-o", "in/out.jsonl", "--progress", "never"}}
		}, failsWith(exitError, "inside")},
		{"-o an existing directory fails before reading", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			os.Mkdir(filepath.Join(dir, "outdir.jsonl"), 0o755)
			return hostileRun{args: []string{"run", "in", "-o", "outdir.jsonl", "--progress", "never"}}
		}, failsWith(exitError, "directory")},
		{"--workers far too many", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "a.txt"), []byte(story))
			return hostileRun{args: append(run("a.txt"), "--workers", "100000000")}
		}, nil},
		{"--shard with three parts", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "a.txt"), []byte(story))
			return hostileRun{args: append(run("a.txt"), "--shard", "1/2/3")}
		}, failsWith(exitError, "shard")},
		{"a failed story makes run exit 2", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			write(t, filepath.Join(dir, "in", "e.txt"), nil)
			return hostileRun{args: run("in")}
		}, all(rowCount("out.jsonl", 2), failsWith(exitError))},
		{"a clean run exits 0", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			return hostileRun{args: run("in")}
		}, all(rowCount("out.jsonl", 1), failsWith(exitOK))},
		{"a directory given twice keeps both rows", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			write(t, filepath.Join(dir, "in", "b.txt"), []byte(story))
			return hostileRun{args: run("in", "in")}
		}, rowCount("out.jsonl", 4)},
		{"one id from two files keeps both rows", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "one.txt"), []byte(story))
			write(t, filepath.Join(dir, "in", "one.html"), []byte("<html><body><p>It rained on the harbour.</p></body></html>"))
			return hostileRun{args: run("in")}
		}, rowCount("out.jsonl", 2)},
		// Interrupted and resumed runs: rows out = stories in. A FIFO as the
		// last input holds the first run at a known place until the signal.
		{"resume after SIGINT with a directory given twice", func(t *testing.T, dir string) hostileRun {
			for _, n := range []string{"a", "b", "c"} {
				write(t, filepath.Join(dir, "in", n+".txt"), []byte(story))
			}
			mkfifo(t, filepath.Join(dir, "p.txt"))
			return hostileRun{args: append(run("in", "in", "p.txt"), "--resume"), before: interruptThenFill("p.txt", syscall.SIGINT)}
		}, rowCount("out.jsonl", 7)},
		{"resume after SIGINT with repeated JSONL ids", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "c.jsonl"), []byte(`{"id":"a","text":"It rained."}`+"\n"+`{"id":"a","text":"It snowed."}`+"\n"+`{"id":"a","text":"It hailed."}`+"\n"))
			mkfifo(t, filepath.Join(dir, "p.txt"))
			return hostileRun{args: append(run("c.jsonl", "p.txt"), "--resume"), before: interruptThenFill("p.txt", syscall.SIGINT)}
		}, rowCount("out.jsonl", 4)},
		{"resume after SIGKILL", func(t *testing.T, dir string) hostileRun {
			for _, n := range []string{"a", "b", "c"} {
				write(t, filepath.Join(dir, "in", n+".txt"), []byte(story))
			}
			mkfifo(t, filepath.Join(dir, "p.txt"))
			return hostileRun{args: append(run("in", "p.txt"), "--resume"), before: interruptThenFill("p.txt", syscall.SIGKILL)}
		}, func(t *testing.T, dir string, r hostileResult) {
			rowCount("out.jsonl", 4)(t, dir, r)
			if m, _ := filepath.Glob(filepath.Join(dir, ".out.jsonl.tmp*")); len(m) > 0 {
				t.Errorf("stale temp files left: %v", m)
			}
		}},
		{"resume with another sensitivity is refused", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			return hostileRun{args: append(run("in"), "--resume", "--sensitivity", "low"), before: func(t *testing.T, bin, dir string, _ hostileRun) {
				cmd := exec.Command(bin, append(run("in"), "--sensitivity", "high")...)
				cmd.Dir = dir
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Fatalf("first run: %v\n%s", err, out)
				}
			}}
		}, failsWith(exitError, "sensitivity")},
		{"two runs on one output: the second is refused", func(t *testing.T, dir string) hostileRun {
			write(t, filepath.Join(dir, "in", "a.txt"), []byte(story))
			mkfifo(t, filepath.Join(dir, "p.txt"))
			return hostileRun{args: run("in"), before: func(t *testing.T, bin, dir string, _ hostileRun) {
				// The first run holds the output while it waits on the FIFO.
				cmd := exec.Command(bin, run("in", "p.txt")...)
				cmd.Dir = dir
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
				time.Sleep(time.Second)
			}}
		}, failsWith(exitError, "another")},
	}
}

// interruptThenFill runs the case's command once, stops it with sig while it
// waits on the FIFO fifo, then replaces the FIFO by a story, so that the
// measured run (--resume) completes the output.
func interruptThenFill(fifo string, sig syscall.Signal) func(t *testing.T, bin, dir string, hr hostileRun) {
	return func(t *testing.T, bin, dir string, hr hostileRun) {
		t.Helper()
		// The first run: the measured run's arguments without --resume.
		var args []string
		for _, a := range hr.args {
			if a != "--resume" {
				args = append(args, a)
			}
		}
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(1500 * time.Millisecond)
		cmd.Process.Signal(sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(stopWithin):
			cmd.Process.Kill()
			<-done
			t.Fatalf("first run did not stop within %v of %v\n%s", stopWithin, sig, stderr.String())
		}
		p := filepath.Join(dir, fifo)
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		write(t, p, []byte(story))
	}
}

// rowError checks that some row of the output has an error saying each of
// words: a run reports a story's failure in its row.
func rowError(out string, words ...string) func(t *testing.T, dir string, r hostileResult) {
	return func(t *testing.T, dir string, r hostileResult) {
		for _, row := range rows(t, filepath.Join(dir, out)) {
			if row.Error == nil {
				continue
			}
			ok := true
			for _, w := range words {
				ok = ok && strings.Contains(*row.Error, w)
			}
			if ok {
				return
			}
		}
		t.Errorf("no row's error says %q", words)
	}
}

// noControls checks that nothing the story wrote reaches the terminal as a
// control sequence: no ESC, BEL or carriage return in the output.
func noControls(t *testing.T, dir string, r hostileResult) {
	if strings.ContainsAny(r.stdout, "\x1b\x07\r\u009b") {
		t.Errorf("control characters printed raw:\n%q", head(r.stdout, 1500))
	}
	verdicts := 0
	for _, ln := range strings.Split(r.stdout, "\n") {
		if strings.HasPrefix(strings.TrimSpace(ln), "verdict:") {
			verdicts++
		}
	}
	if verdicts > 1 {
		t.Errorf("a forged verdict:\n%s", r.stdout)
	}
}

// repeatReader repeats b forever.
type repeatReader struct {
	b   []byte
	off int
}

func (r *repeatReader) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k := copy(p[n:], r.b[r.off:])
		n += k
		r.off = (r.off + k) % len(r.b)
	}
	return n, nil
}
