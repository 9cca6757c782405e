package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tagger-dev/tagger/report"
)

// htmlStory is what a test reads back of one story's section of check
// --format html.
type htmlStory struct {
	source   string
	labels   []string // the findings, in the page's order
	scores   []string // "0.83 (threshold 0.50)", per finding
	verdict  string
	passages [][]*html.Node // per finding, its passages
}

// parseCheckHTML parses a page of check --format html: it must be one
// document, with no id twice and nothing loaded from elsewhere.
func parseCheckHTML(t *testing.T, page string) []htmlStory {
	t.Helper()
	if strings.Count(page, "<!DOCTYPE html>") != 1 || strings.Count(page, "<html") != 1 || !strings.HasSuffix(page, "</html>\n") {
		t.Fatalf("not one HTML document:\n%s", page)
	}
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	var out []htmlStory
	for n := range doc.Descendants() {
		if n.Type != html.ElementNode {
			continue
		}
		if n.DataAtom == atom.Script || n.DataAtom == atom.Img || n.DataAtom == atom.Link || n.DataAtom == atom.Iframe {
			t.Errorf("<%s> in the page", n.Data)
		}
		for _, a := range n.Attr {
			switch {
			case a.Key == "id" && ids[a.Val]:
				t.Errorf("id %q twice", a.Val)
			case a.Key == "id":
				ids[a.Val] = true
			case a.Key == "src", strings.HasPrefix(a.Key, "on"), a.Key == "href" && !strings.HasPrefix(a.Val, "#"):
				t.Errorf("<%s %s=%q> in the page", n.Data, a.Key, a.Val)
			}
		}
		if n.DataAtom != atom.Article || !hasHTMLClass(n, "tagger-story") {
			continue
		}
		s := htmlStory{source: htmlText(htmlFind(n, "source")[0])}
		for _, f := range htmlFind(n, "finding") {
			s.labels = append(s.labels, htmlText(htmlFind(f, "label")[0]))
			s.scores = append(s.scores, htmlText(htmlFind(f, "score")[0]))
			s.passages = append(s.passages, htmlFind(f, "passage"))
		}
		if v := htmlFind(n, "verdict-text"); len(v) == 1 {
			s.verdict = htmlText(v[0])
		}
		out = append(out, s)
	}
	return out
}

// TestCheckHTMLTwoStories runs the binary on two stories with --format
// html: one document, a section per story in input order, unique ids
// (parseCheckHTML), and the exit code of the text report.
func TestCheckHTMLTwoStories(t *testing.T) {
	a, b := "testdata/check/self-harm.txt", "testdata/check/declared-all.txt"
	page, errOut, code := runTagger(t, "", nil, "check", "--format", "html", a, b)
	_, _, textCode := runTagger(t, "", nil, "check", a, b)
	if code != textCode || code != exitFindings {
		t.Errorf("exit %d, text %d, want %d (stderr %q)", code, textCode, exitFindings, errOut)
	}
	stories := parseCheckHTML(t, page)
	if len(stories) != 2 || stories[0].source != a || stories[1].source != b {
		t.Fatalf("sections %+v, want %s and %s", stories, a, b)
	}
	for _, id := range []string{`id="s1-story"`, `id="s2-story"`, `id="s1-verdict"`, `id="s2-verdict"`} {
		if !strings.Contains(page, id) {
			t.Errorf("no %s in the page", id)
		}
	}
}

// TestCheckHTMLAgree runs the binary on every story of testdata/check in
// text, json and html: the page names the findings of the text report,
// in its order, with the same score and threshold and the same verdict,
// and exits as it does; every passage's <mark>s are the evidence's text
// in the story file, and its first marked line is the evidence's line.
func TestCheckHTMLAgree(t *testing.T) {
	paths, _ := filepath.Glob("testdata/check/*.txt")
	if len(paths) < 10 {
		t.Fatalf("%d stories in testdata/check", len(paths))
	}
	args := append([]string{"check"}, paths...)
	text, _, textCode := runTagger(t, "", nil, args...)
	js, _, jsonCode := runTagger(t, "", nil, append(args, "--format", "json")...)
	page, errOut, htmlCode := runTagger(t, "", nil, append(args, "--format", "html")...)
	if htmlCode != textCode || htmlCode != jsonCode {
		t.Errorf("exit codes: html %d, text %d, json %d (stderr %q)", htmlCode, textCode, jsonCode, errOut)
	}
	var objs []checkObject
	dec := json.NewDecoder(strings.NewReader(js))
	for dec.More() {
		var o checkObject
		if err := dec.Decode(&o); err != nil {
			t.Fatal(err)
		}
		objs = append(objs, o)
	}
	texts := splitTextReports(text)
	stories := parseCheckHTML(t, page)
	if len(stories) != len(paths) || len(objs) != len(paths) || len(texts) != len(paths) {
		t.Fatalf("%d html sections, %d json objects, %d text reports for %d stories", len(stories), len(objs), len(texts), len(paths))
	}
	for i, path := range paths {
		s, o, tx := stories[i], objs[i], texts[i]
		var inText, scores []string
		for _, m := range finding.FindAllStringSubmatch(tx, -1) {
			inText = append(inText, m[1])
			scores = append(scores, m[2]+" (threshold "+m[3]+")")
		}
		if s.source != path || !slices.Equal(s.labels, inText) || !slices.Equal(s.scores, scores) {
			t.Errorf("%s: html %s lists %v %v; text lists %v %v", path, s.source, s.labels, s.scores, inText, scores)
		}
		if !strings.Contains(tx, "  "+s.verdict+"\n") || s.verdict != o.Verdict.Text {
			t.Errorf("%s: html verdict %q; json %q; text:\n%s", path, s.verdict, o.Verdict.Text, tx)
		}
		story, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for j, f := range report.Findings(o.Row) {
			ev := evidenceOf(o.Row, f.Label)
			if len(s.passages[j]) != len(ev) {
				t.Errorf("%s %s: %d passages, %d evidence", path, f.Label, len(s.passages[j]), len(ev))
				continue
			}
			for k, e := range ev {
				p := s.passages[j][k]
				var marks []string
				for n := range p.Descendants() {
					if n.DataAtom == atom.Mark {
						marks = append(marks, htmlText(n))
					}
				}
				want := strings.Split(strings.TrimSuffix(string(story[e.ByteStart:e.ByteEnd]), "\n"), "\n")
				if !slices.Equal(marks, want) {
					t.Errorf("%s %s passage %d: marks %q, want %q", path, f.Label, k+1, marks, want)
				}
				hits := htmlFind(p, "hit")
				if len(hits) == 0 || htmlText(htmlFind(hits[0], "ln")[0]) != strconv.Itoa(int(e.LineStart)) {
					t.Errorf("%s %s passage %d: not numbered %d", path, f.Label, k+1, e.LineStart)
				}
			}
		}
	}
}

// splitTextReports splits the text output of check into one report per
// story: a report starts with a line that is not indented.
func splitTextReports(out string) []string {
	var reports []string
	for _, ln := range strings.SplitAfter(out, "\n") {
		switch {
		case ln == "":
		case !strings.HasPrefix(ln, " ") || len(reports) == 0:
			reports = append(reports, ln)
		default:
			reports[len(reports)-1] += ln
		}
	}
	return reports
}

// TestCheckHTMLStreamed: a story over the size check reads whole is shown
// by its snippets, as its text is not in memory; the findings and the
// verdict are those of the story read whole.
func TestCheckHTMLStreamed(t *testing.T) {
	path := "../../seeds/003_ef651ee35373ebd4.txt"
	mem, _, memCode := runCLI(t, "", "check", "--format", "html", path)
	defer func(n int64) { checkStreamAbove = n }(checkStreamAbove)
	checkStreamAbove = 1
	streamed, errOut, code := runCLI(t, "", "check", "--format", "html", path)
	if code != memCode {
		t.Errorf("streamed: exit %d, in memory %d (%s)", code, memCode, errOut)
	}
	m, s := parseCheckHTML(t, mem), parseCheckHTML(t, streamed)
	if len(m) != 1 || len(s) != 1 || !slices.Equal(m[0].labels, s[0].labels) || m[0].verdict != s[0].verdict || len(s[0].labels) == 0 {
		t.Fatalf("streamed %+v, in memory %+v", s, m)
	}
	if strings.Contains(streamed, `class="context"`) || !strings.Contains(streamed, `class="snippet"`) ||
		!strings.Contains(mem, `class="context"`) {
		t.Errorf("streamed: want snippets alone; in memory: passages in context")
	}
}

// TestCheckHTMLGolden compares the page of a ticket (an undeclared
// warning with its explanation, a story not checked and a file that is
// missing, exit 2) with testdata/check/golden/ticket.html.
func TestCheckHTMLGolden(t *testing.T) {
	out, errOut, code := runCLI(t, "", "check", "--format", "html", "--explain", "violence",
		"../../seeds/003_ef651ee35373ebd4.txt", "testdata/check/french.txt", "testdata/check/missing.txt")
	if code != exitError || !strings.Contains(errOut, "could not be read") {
		t.Errorf("exit %d, stderr %q: want 2, a story could not be read", code, errOut)
	}
	golden := filepath.Join("testdata", "check", "golden", "ticket.html")
	if *update {
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/tagger -run CheckHTMLGolden -update, then review the diff)", err)
	}
	if out != string(want) {
		t.Errorf("page differs from %s:\n--- got\n%s--- want\n%s", golden, out, want)
	}
	if s := parseCheckHTML(t, out); len(s) != 3 || !strings.Contains(out, "explanation of violence") {
		t.Errorf("%d sections, want 3 with an explanation", len(s))
	}
}

func hasHTMLClass(n *html.Node, c string) bool {
	for _, a := range n.Attr {
		if a.Key == "class" && slices.Contains(strings.Fields(a.Val), c) {
			return true
		}
	}
	return false
}

// htmlFind returns the elements under n of class c.
func htmlFind(n *html.Node, c string) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && hasHTMLClass(d, c) {
			out = append(out, d)
		}
	}
	return out
}

func htmlText(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}
