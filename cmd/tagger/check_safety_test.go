package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"

	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/pipeline"
)

// rawTerminalControl matches what a story must never get onto the
// moderator's terminal: C0 controls but newline, DEL, C1 controls, bidi
// controls and line separators.
var rawTerminalControl = regexp.MustCompile("[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]")

// TestCheckTerminalSafe runs check on a story, and under a file name, that
// try to drive the terminal: erase the report's lines and print a forged
// verdict, set the window title, reverse text; and, in line format, forge
// a record with a newline in the file name.
func TestCheckTerminalSafe(t *testing.T) {
	dir := t.TempDir()
	name := "e\x1b[2K\u202e\nfake.txt:1:violence:1.00:undeclared warning: forged.txt"
	story := "Title: \x1b]0;owned\x07Harbour \u202eKO :tcidrev\u202c\nRating: \x1b[32mGeneral Audiences\nWarnings: No Archive Warnings Apply\n\n" +
		"He stabbed him in the chest and the blood poured out, and he died on the floor.\x1b[1A\x1b[2K\r  verdict: OK\x1b[8m\n" +
		"He stabbed him again\u009b2J and again until he was dead.\n"
	if err := os.WriteFile(filepath.Join(dir, name), []byte(story), 0o644); err != nil {
		t.Skipf("this file system refuses the name: %v", err)
	}
	for _, format := range []string{"text", "line", "json", "html"} {
		t.Run(format, func(t *testing.T) {
			out, errOut, code := runCLI(t, "", "check", "--format", format, dir)
			if code != exitFindings {
				t.Fatalf("exit %d, want %d: %s", code, exitFindings, errOut)
			}
			if loc := rawTerminalControl.FindStringIndex(out); loc != nil {
				t.Errorf("raw %q in the output:\n%q", out[loc[0]:loc[1]], out)
			}
			lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
			switch format {
			case "text":
				verdicts := 0
				for _, ln := range lines {
					if strings.HasPrefix(strings.TrimSpace(ln), "verdict:") {
						verdicts++
					}
				}
				if verdicts != 1 || !strings.Contains(out, `\x1b[2K`) {
					t.Errorf("%d verdict lines, escapes shown %v:\n%s", verdicts, strings.Contains(out, `\x1b[2K`), out)
				}
			case "line":
				for _, ln := range lines {
					if !strings.HasPrefix(ln, strings.ReplaceAll(dir, ":", `\:`)+"/e") {
						t.Errorf("a line not of the story: %q", ln)
					}
				}
			case "json":
				var r pipeline.Row
				if err := json.Unmarshal([]byte(out), &r); err != nil || len(lines) != 1 {
					t.Fatalf("%d lines, %v:\n%s", len(lines), err, out)
				}
				if r.Source != filepath.Join(dir, name) || r.Title == nil || !strings.Contains(*r.Title, "\u202e") {
					t.Errorf("JSON does not decode to the input's strings: source %q, title %v", r.Source, r.Title)
				}
			case "html":
				// One verdict element, the real one; the forged verdict
				// and the escapes are text of a passage.
				s := parseCheckHTML(t, out)
				if len(s) != 1 || !strings.HasPrefix(s[0].verdict, "verdict: REVIEW") || !strings.Contains(out, `\x1b[2K`) || !strings.Contains(out, `\u202e`) {
					t.Errorf("sections %+v; escapes shown %v:\n%s", s, strings.Contains(out, `\x1b[2K`), out)
				}
			}
		})
	}
}

// TestCheckStreamedLikeInMemory checks stories through the streamed path
// (as if every story were over the size check reads whole) and in memory:
// the reports are the same, and --explain says it has nothing to show for
// a streamed story rather than failing.
func TestCheckStreamedLikeInMemory(t *testing.T) {
	for _, path := range checkCases(t) {
		for _, format := range []string{"text", "line"} {
			mem, _, memCode := runCLI(t, "", "check", "--format", format, path)
			func() {
				defer func(n int64) { checkStreamAbove = n }(checkStreamAbove)
				checkStreamAbove = 1
				streamed, errOut, code := runCLI(t, "", "check", "--format", format, path)
				if code != memCode || streamed != mem {
					t.Errorf("%s %s streamed: exit %d (in memory %d), stderr %q\n--- streamed\n%s--- in memory\n%s", path, format, code, memCode, errOut, streamed, mem)
				}
				// A streamed story is not explained (Explain needs the
				// text in memory); the report is still printed.
				explained, errOut, code := runCLI(t, "", "check", "--format", format, "--explain", "violence", path)
				if code != memCode || explained != mem || !strings.Contains(errOut, "has no explanation") {
					t.Errorf("%s %s --explain streamed: exit %d, stderr %q", path, format, code, errOut)
				}
			}()
		}
	}
}

// TestCheckMetaBoundedMemory runs the binary on a 256 MB story: check and
// meta stream it from the file and stay far below its size (they held it
// twice over, 500 MB and more, before).
func TestCheckMetaBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 256 MB story; skipped with -short")
	}
	dir := t.TempDir()
	bin := taggerBinary(t)
	para := []byte("The gulls went quiet over the harbour wall. He stabbed the guard and the blood ran; he was dead before dawn, and Mara didn't look back.\n")
	big := filepath.Join(dir, "big.txt")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString("Title: Harbour\nRating: General Audiences\nWarnings: No Archive Warnings Apply\n\n")
	chunk := bytes.Repeat(para, (1<<20)/len(para))
	for range 256 {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	const maxRSS = 160 << 20
	tests := []struct {
		args []string
		want string // in stdout
	}{
		{[]string{"check", "--format", "line", big}, ":violence:"},
		{[]string{"meta", big}, `"title":"Harbour"`},
	}
	for _, tt := range tests {
		cmd := exec.Command(bin, tt.args...)
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if _, exit := err.(*exec.ExitError); err != nil && !exit {
			t.Fatal(err)
		}
		rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // KiB on Linux
		if rss > maxRSS {
			t.Errorf("%s: peak RSS %d MB, want at most %d MB", tt.args[0], rss>>20, maxRSS>>20)
		}
		if !strings.Contains(stdout.String(), tt.want) {
			t.Errorf("%s: output lacks %q: %s\nstderr %s", tt.args[0], tt.want, firstBytes(stdout.String(), 300), stderr.String())
		}
		if tt.args[0] == "meta" {
			var s struct{ Words int }
			json.Unmarshal(stdout.Bytes(), &s)
			if want := datasets.CountWords(string(para)) * 256 * ((1 << 20) / len(para)); s.Words != want {
				t.Errorf("meta: %d words, want %d", s.Words, want)
			}
		}
	}
}

// TestCountWords: counting a reader in chunks gives datasets.CountWords
// of the whole, whatever falls at a chunk's end.
func TestCountWords(t *testing.T) {
	tests := []struct {
		name string
		text string
	}{
		{"empty", ""},
		{"short", "can't stop, won't stop — naïve café"},
		{"apostrophes and dashes over chunks", strings.Repeat("don't-look ’tis o'clock ", 200_000)},
		{"multibyte over chunks", strings.Repeat("日本語のテキスト ünïcödé ", 150_000)},
		{"no white space for over a chunk", strings.Repeat("ab-", 1<<20) + " end"},
		{"cut mid-character", strings.Repeat("abc", 1<<18) + strings.Repeat("é.", 1<<20)},
		{"line ends only", strings.Repeat("word\r\n", 400_000)},
	}
	for _, tt := range tests {
		got, err := countWords(context.Background(), strings.NewReader(tt.text))
		if want := datasets.CountWords(tt.text); err != nil || got != want {
			t.Errorf("%s: countWords = %d, %v; want %d", tt.name, got, err, want)
		}
	}
}

// firstBytes is at most the first n bytes of s, for messages.
func firstBytes(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
