package main

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// reportFigures pulls the key figures out of a page by their ids.
func reportFigures(t *testing.T, page string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, m := range regexp.MustCompile(`<dd id="([a-z-]+)">([0-9,]+)</dd>`).FindAllStringSubmatch(page, -1) {
		got[m[1]] = m[2]
	}
	return got
}

// withoutRunFile cuts what names the run's file or its metadata (the
// <title>, the header, the footer) out of a page, leaving the figures.
func withoutRunFile(page string) string {
	for _, tag := range []string{"title", "header", "footer"} {
		if i, j := strings.Index(page, "<"+tag+">"), strings.Index(page, "</"+tag+">"); i >= 0 && j > i {
			page = page[:i] + page[j:]
		}
	}
	return page
}

// TestReportSeeds runs the built binary as a user would: tagger run over
// the seeds to Parquet and to JSONL, then tagger report of each. Both
// pages hold the seeds' figures (README's DuckDB examples: 4 stories, 3
// with undeclared warnings, 1 rating under-declared) and agree apart from
// the run's file and metadata; -o - writes the same page to stdout.
func TestReportSeeds(t *testing.T) {
	dir := t.TempDir()
	var pages []string
	for _, ext := range []string{"parquet", "jsonl"} {
		run := filepath.Join(dir, "run."+ext)
		if _, errOut, code := runTagger(t, "", nil, "run", "../../seeds", "-o", run, "--progress", "never"); code != 0 {
			t.Fatalf("run -o %s: exit %d\n%s", run, code, errOut)
		}
		html := filepath.Join(dir, ext+".html")
		out, errOut, code := runTagger(t, "", nil, "report", run, "-o", html)
		if code != 0 || out != "" || errOut != "" {
			t.Fatalf("report %s: exit %d, stdout %q, stderr %q", run, code, out, errOut)
		}
		b, err := os.ReadFile(html)
		if err != nil {
			t.Fatal(err)
		}
		page := string(b)
		want := map[string]string{"stories": "4", "checked": "4", "with-undeclared": "3", "rating-underdeclared": "1", "not-checked": "0", "errors-count": "0"}
		for id, w := range want {
			if got := reportFigures(t, page)[id]; got != w {
				t.Errorf("%s: #%s = %q, want %q", ext, id, got, w)
			}
		}
		m, err := loadModel("")
		if err != nil {
			t.Fatal(err)
		}
		// The model by name and hash: names repeat, hashes do not.
		model := "<dd>" + m.NameVersion() + " (hash " + m.Manifest().Hash + ")</dd>"
		for _, s := range []string{`href="#story-3"`, `id="story-3"`, "003_ef651ee35373ebd4", "<dd>balanced</dd>", "<dd>" + version + "</dd>", model} {
			if !strings.Contains(page, s) {
				t.Errorf("%s: page lacks %q", ext, s)
			}
		}
		if !strings.Contains(page, `data-declared="mature" data-predicted="explicit">1 ↑</td>`) {
			t.Errorf("%s: the rating table lacks the seed declared R (mature) and predicted explicit", ext)
		}
		stdout, errOut, code := runTagger(t, "", nil, "report", run, "-o", "-")
		if code != 0 || errOut != "" || stdout != page {
			t.Errorf("report -o -: exit %d, stderr %q, page equal to the file's: %v", code, errOut, stdout == page)
		}
		pages = append(pages, withoutRunFile(page))
	}
	if pages[0] != pages[1] {
		t.Error("the pages of the Parquet and the JSONL run differ beyond the run's file and metadata")
	}
	if leftovers, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(leftovers) > 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

// TestReportRefuses checks the command-line errors: each exits 2 with a
// message that says what to do, and leaves the run as it was.
func TestReportRefuses(t *testing.T) {
	dir := t.TempDir()
	run := filepath.Join(dir, "run.jsonl")
	if _, errOut, code := runTagger(t, "", nil, "run", "../../seeds/000_c1bd1572a1f429f3.txt", "-o", run, "--progress", "never"); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, errOut)
	}
	before, err := os.ReadFile(run)
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	link := filepath.Join(dir, "link.html")
	if err := os.Symlink(run, link); err != nil {
		t.Fatal(err)
	}
	page := filepath.Join(dir, "r.html")
	for _, tt := range []struct {
		name string
		args []string
		says string
	}{
		{"missing run", []string{filepath.Join(dir, "nope.parquet"), "-o", page}, "no such file: give the output of tagger run"},
		{"no -o", []string{run}, "report needs -o report.html (or -o - for standard output)"},
		{"two runs", []string{run, run, "-o", page}, "report needs one RUN"},
		{"negative --top", []string{run, "-o", page, "--top", "-1"}, "--top -1: use 0 to"},
		{"output is the run", []string{run, "-o", run}, "the page would replace it"},
		{"output links to the run", []string{run, "-o", link}, "the page would replace it"},
		{"output is the sidecar", []string{run, "-o", run + ".meta.json"}, "the page would replace it"},
		{"not parquet", []string{write("text.parquet", "Once upon a time\n"), "-o", page}, "is not the output of tagger run"},
		{"a corpus, not a run", []string{write("corpus.jsonl", `{"id":"1","text":"a story"}`+"\n"), "-o", page}, `no "source" or "labels", as every row has`},
		{"unknown format", []string{write("run.csv", "a,b\n"), "-o", page}, "is not the output of tagger run: not a tagger output: run.csv is not named .parquet, .jsonl or .ndjson"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, errOut, code := runTagger(t, "", nil, append([]string{"report"}, tt.args...)...)
			if code != exitError || !strings.Contains(errOut, tt.says) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tt.says)
			}
		})
	}
	if after, err := os.ReadFile(run); err != nil || !bytes.Equal(after, before) {
		t.Errorf("the run changed (err %v)", err)
	}
	if _, err := os.Stat(page); err == nil {
		t.Errorf("a refused report wrote %s", page)
	}
}
