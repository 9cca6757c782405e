package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tagger-dev/tagger/pipeline"
)

// The hostile suite runs the real tagger binary on inputs built at test
// time (nothing hostile is committed) and holds every case to the same
// rules: it ends (by itself, or within stopWithin of SIGINT), its peak RSS
// stays under maxRSS, and no input file changes.
const (
	stopWithin = 5 * time.Second
	maxRSS     = 300 << 20
	// caseLimit kills a case that runs away; it is a failure, not a wait.
	caseLimit = 90 * time.Second
)

// hostileResult is what one run of the binary did.
type hostileResult struct {
	code     int
	stdout   string
	stderr   string
	rss      int64         // peak resident set, bytes
	stopTook time.Duration // from SIGINT to exit, when one was sent
}

// hostileCase is one hostile input or fault. setup builds the inputs in dir
// and returns the command line; stdin, when set, feeds the process (it is
// closed only if closeStdin). check judges the result.
type hostileCase struct {
	name  string
	setup func(t *testing.T, dir string) hostileRun
	check func(t *testing.T, dir string, r hostileResult)
}

type hostileRun struct {
	args      []string
	stdin     io.Reader // nil: no stdin
	holdStdin bool      // stdin is a pipe that never closes
	interrupt time.Duration
	signal    syscall.Signal // default SIGINT
	env       []string
	// before, when set, runs earlier steps (an interrupted run to resume)
	// after setup and before the measured run.
	before func(t *testing.T, bin, dir string, hr hostileRun)
}

func TestHostile(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the hostile process suite")
	}
	bin := taggerBinary(t)
	cases := hostileCases()
	if len(cases) < 40 {
		t.Fatalf("%d hostile cases, want at least 40", len(cases))
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			hr := c.setup(t, dir)
			before := hashTree(t, dir)
			if hr.before != nil {
				hr.before(t, bin, dir, hr)
			}
			r := runHostile(t, bin, dir, hr)
			t.Logf("exit %d, peak RSS %d MB, stopped %v after the signal", r.code, r.rss>>20, r.stopTook.Round(time.Millisecond))
			if r.rss > maxRSS {
				t.Errorf("peak RSS %d MB, over %d MB", r.rss>>20, maxRSS>>20)
			}
			if hr.interrupt > 0 && r.stopTook > stopWithin {
				t.Errorf("stopped %v after the signal, over %v", r.stopTook.Round(time.Millisecond), stopWithin)
			}
			// Every command stopped by a signal says so in its exit code.
			if want := exitSigInt; r.stopTook > 0 {
				if hr.signal == syscall.SIGTERM {
					want = exitSigTerm
				}
				if r.code != want {
					t.Errorf("exit %d after the signal, want %d", r.code, want)
				}
			}
			if strings.Contains(r.stderr, "panic:") || strings.Contains(r.stderr, "goroutine ") {
				t.Errorf("crashed:\n%s", head(r.stderr, 2000))
			}
			after := hashTree(t, dir)
			for p, h := range before {
				if after[p] != h {
					t.Errorf("input %s changed", p)
				}
			}
			if c.check != nil {
				c.check(t, dir, r)
			}
		})
	}
}

// rssProbeEnv makes this test binary run as rssProbe instead of the tests.
const rssProbeEnv = "TAGGER_TEST_RSS_PROBE"

func TestMain(m *testing.M) {
	if os.Getenv(rssProbeEnv) == "1" {
		os.Exit(rssProbe(os.Args[1:]))
	}
	code := m.Run()
	if builtBinary.path != "" {
		os.RemoveAll(filepath.Dir(builtBinary.path))
	}
	os.Exit(code)
}

// rssProbe runs args as a child, passes SIGINT and SIGTERM on to it, and
// writes the child's peak RSS (kilobytes) to file descriptor 3. A child's
// ru_maxrss counts the memory of whoever forked it (Linux keeps the
// high-water mark across exec), so the test process, which has built large
// inputs, cannot measure its children itself: this small fresh process can.
func rssProbe(args []string) int {
	child := exec.Command(args[0], args[1:]...)
	child.Stdin, child.Stdout, child.Stderr = os.Stdin, os.Stdout, os.Stderr
	// A probe killed by the suite takes its child with it.
	child.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	if err := child.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "rss probe:", err)
		return 125
	}
	go func() {
		for s := range sigs {
			child.Process.Signal(s)
		}
	}()
	child.Wait()
	if ru, ok := child.ProcessState.SysUsage().(*syscall.Rusage); ok {
		fmt.Fprintf(os.NewFile(3, "rss"), "%d\n", ru.Maxrss)
	}
	if ws, ok := child.ProcessState.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return child.ProcessState.ExitCode()
}

// runHostile runs bin in dir and measures it.
func runHostile(t *testing.T, bin, dir string, hr hostileRun) hostileResult {
	t.Helper()
	rssR, rssW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer rssR.Close()
	cmd := exec.Command(os.Args[0], append([]string{bin}, hr.args...)...)
	cmd.ExtraFiles = []*os.File{rssW}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), append(hr.env, rssProbeEnv+"=1")...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	var hold *os.File
	switch {
	case hr.holdStdin:
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stdin, hold = pr, pw
		defer pr.Close()
	case hr.stdin != nil:
		cmd.Stdin = hr.stdin
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	rssW.Close()
	if hold != nil {
		defer hold.Close()
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var res hostileResult
	var signalled time.Time
	var interrupt <-chan time.Time
	if hr.interrupt > 0 {
		interrupt = time.After(hr.interrupt)
	}
	limit := time.After(caseLimit)
	for exited := false; !exited; {
		select {
		case <-interrupt:
			sig := hr.signal
			if sig == 0 {
				sig = syscall.SIGINT
			}
			signalled = time.Now()
			cmd.Process.Signal(sig)
			interrupt = nil
			// Past the allowed stop, waiting longer only slows the suite.
			limit = time.After(2 * stopWithin)
		case <-limit:
			cmd.Process.Kill()
			<-done
			if !signalled.IsZero() {
				t.Fatalf("still running %v after the signal; killed\nstderr: %s", time.Since(signalled).Round(time.Second), head(stderr.String(), 2000))
			}
			t.Fatalf("still running after %v; killed\nstderr: %s", caseLimit, head(stderr.String(), 2000))
		case <-done:
			exited = true
		}
	}
	if !signalled.IsZero() {
		res.stopTook = time.Since(signalled)
	}
	res.code = cmd.ProcessState.ExitCode()
	var kb int64
	if _, err := fmt.Fscan(rssR, &kb); err != nil {
		t.Errorf("no peak RSS from the probe: %v", err)
	}
	res.rss = kb << 10
	res.stdout, res.stderr = stdout.String(), stderr.String()
	return res
}

// hashTree hashes the regular files under dir (outputs and their side files
// excluded), so that a case can tell whether an input changed. Files above
// 64 MiB are identified by size and modification time.
func hashTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !d.Type().IsRegular() {
			return nil
		}
		base := filepath.Base(p)
		if strings.HasPrefix(base, "out") || strings.HasPrefix(base, ".out") {
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return nil
		}
		if fi.Size() > 64<<20 {
			out[p] = fmt.Sprintf("%d@%d", fi.Size(), fi.ModTime().UnixNano())
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return nil
		}
		sum := sha256.Sum256(b)
		out[p] = hex.EncodeToString(sum[:])
		return nil
	})
	return out
}

func head(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// story is a small story with a header.
const story = "Title: Harbour Lights\nRating: Teen And Up Audiences\nWarnings: No Archive Warnings Apply\n\n" +
	"The boats came in late that night. Mara waited on the quay with a lantern and counted them home.\n"

func write(t *testing.T, p string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// bigText writes a text story of about n bytes, made of varied paragraphs.
func bigText(t *testing.T, p string, n int64) {
	t.Helper()
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := bufio.NewWriterSize(f, 1<<20)
	k, _ := w.WriteString(story)
	for i, done := 0, int64(k); done < n; i++ {
		k, _ := fmt.Fprintf(w, "Paragraph %d. The tide turned at the harbour wall and the gulls went quiet; Mara counted %d boats.\n\n", i, i%97)
		done += int64(k)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
}

// rows reads an output file back with the project's reader.
func rows(t *testing.T, p string) []pipeline.Row {
	t.Helper()
	rs, err := pipeline.ReadRows(p)
	if err != nil {
		t.Fatalf("output %s: %v", p, err)
	}
	return rs
}

// stopped checks a run stopped by a signal: it ended in time, and its
// output, when it wrote one, reads back.
func stopped(out string) func(t *testing.T, dir string, r hostileResult) {
	return func(t *testing.T, dir string, r hostileResult) {
		if r.stopTook == 0 {
			return // it ended by itself before the signal
		}
		if out != "" {
			if _, err := os.Stat(filepath.Join(dir, out)); err == nil {
				rows(t, filepath.Join(dir, out))
			}
		}
	}
}

// failsWith checks an exit code and that stderr says something containing
// each of words (case-insensitive).
func failsWith(code int, words ...string) func(t *testing.T, dir string, r hostileResult) {
	return func(t *testing.T, dir string, r hostileResult) {
		if r.code != code {
			t.Errorf("exit %d, want %d\nstderr: %s", r.code, code, head(r.stderr, 1500))
		}
		for _, w := range words {
			if !strings.Contains(strings.ToLower(r.stderr+r.stdout), strings.ToLower(w)) {
				t.Errorf("output does not say %q\nstderr: %s", w, head(r.stderr, 1500))
			}
		}
	}
}

// rowCount checks that the output holds n rows, and that those whose
// source contains errSource are errors.
func rowCount(out string, n int) func(t *testing.T, dir string, r hostileResult) {
	return func(t *testing.T, dir string, r hostileResult) {
		rs := rows(t, filepath.Join(dir, out))
		if len(rs) != n {
			t.Errorf("%d rows, want %d\nstderr: %s", len(rs), n, head(r.stderr, 1500))
		}
	}
}

func all(checks ...func(t *testing.T, dir string, r hostileResult)) func(t *testing.T, dir string, r hostileResult) {
	return func(t *testing.T, dir string, r hostileResult) {
		for _, c := range checks {
			c(t, dir, r)
		}
	}
}

// epub builds an EPUB whose spine lists the items of spine (ids of
// manifest items named <id>.xhtml), with extra entries.
func epub(t *testing.T, p string, items map[string][]byte, spine []string, mediaTypes map[string]string) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name string, b []byte) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(b)
	}
	add("mimetype", []byte("application/epub+zip"))
	add("META-INF/container.xml", []byte(`<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`))
	var man, sp strings.Builder
	for id, b := range items {
		mt := "application/xhtml+xml"
		if m, ok := mediaTypes[id]; ok {
			mt = m
		}
		fmt.Fprintf(&man, `<item id="%s" href="%s.xhtml" media-type="%s"/>`, id, id, mt)
		add("OEBPS/"+id+".xhtml", b)
	}
	for _, id := range spine {
		fmt.Fprintf(&sp, `<itemref idref="%s"/>`, id)
	}
	add("OEBPS/content.opf", []byte(`<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>T</dc:title></metadata><manifest>`+man.String()+`</manifest><spine>`+sp.String()+`</spine></package>`))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	write(t, p, buf.Bytes())
}
