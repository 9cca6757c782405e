package summary

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/tagger-dev/tagger/pipeline"
)

var update = flag.Bool("update", false, "rewrite testdata/tiny.golden.html (review the diff before committing)")

// tinySummary is the summary of tinyRun with fixed metadata.
func tinySummary() *Summary {
	s := summarise(3, tinyRun()...)
	s.Meta = Meta{File: "runs/<tiny>.parquet", Format: "parquet", Version: "0.1.0-test", Model: "tagger-nb@1.0.0",
		Sensitivity: "balanced", Created: "2025-01-02T03:04:05Z", Schema: "2"}
	return s
}

func render(t *testing.T, s *Summary) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, s); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pageFacts is what a parsed page holds that the tests check.
type pageFacts struct {
	ids      map[string]string // id → the element's text
	hrefs    []string
	elements map[string]int   // element name → count
	attrs    []html.Attribute // every attribute
	text     string
}

func parsePage(t *testing.T, page []byte) pageFacts {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatalf("page does not parse: %v", err)
	}
	f := pageFacts{ids: map[string]string{}, elements: map[string]int{}}
	var all strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		switch n.Type {
		case html.ElementNode:
			f.elements[n.Data]++
			for _, a := range n.Attr {
				f.attrs = append(f.attrs, a)
				switch a.Key {
				case "id":
					f.ids[a.Val] = textOf(n)
				case "href":
					f.hrefs = append(f.hrefs, a.Val)
				}
			}
		case html.TextNode:
			all.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	f.text = all.String()
	return f
}

func textOf(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return b.String()
}

// TestPage parses the page of a tiny run: no script and nothing loaded
// from elsewhere, the figures and a matrix cell in it, every link to a
// part of the page that exists, and the run's text escaped.
func TestPage(t *testing.T) {
	page := render(t, tinySummary())
	f := parsePage(t, page)
	if f.elements["script"] > 0 || f.elements["iframe"] > 0 || f.elements["img"] > 0 || f.elements["link"] > 0 {
		t.Errorf("page has script, iframe, img or link elements: %v", f.elements)
	}
	for _, a := range f.attrs {
		if strings.HasPrefix(a.Key, "on") || strings.Contains(a.Val, "//") || a.Key == "src" {
			t.Errorf("attribute %s=%q: a page must load nothing and run nothing", a.Key, a.Val)
		}
	}
	for id, want := range map[string]string{"stories": "6", "checked": "4", "errors-count": "1", "not-checked": "1", "with-undeclared": "3", "rating-underdeclared": "1"} {
		if got := f.ids[id]; got != want {
			t.Errorf("#%s = %q, want %q", id, got, want)
		}
	}
	if !bytes.Contains(page, []byte(`data-declared="teen" data-predicted="mature">1 ↑</td>`)) {
		t.Error("the rating table lacks the cell teen → mature = 1, marked under-declared")
	}
	if f.elements["svg"] != 5+len(tinySummary().Labels) {
		t.Errorf("%d svg charts, want 5 and one histogram per label", f.elements["svg"])
	}
	for _, h := range f.hrefs {
		id, ok := strings.CutPrefix(h, "#")
		if !ok {
			t.Errorf("link %q leaves the page", h)
			continue
		}
		if _, ok := f.ids[id]; !ok {
			t.Errorf("link %q: no element has that id", h)
		}
	}
	for _, id := range []string{"story-1", "story-2", "story-3"} {
		if !strings.Contains(strings.Join(f.hrefs, " "), "#"+id) {
			t.Errorf("the review table does not link to #%s", id)
		}
	}
	if !strings.Contains(f.text, `<script>alert("x")</script> & «ça»`) || bytes.Contains(page, []byte("<script>alert")) {
		t.Error("the title is not shown as text, escaped")
	}
	if !strings.Contains(f.text, "read …: empty story: the input is empty") {
		t.Error("the error message is missing")
	}
}

// TestPageEmptyRun checks that a run with no rows still makes a page.
func TestPageEmptyRun(t *testing.T) {
	f := parsePage(t, render(t, summarise(DefaultTop)))
	if f.ids["stories"] != "0" || !strings.Contains(f.text, "No story has undeclared warnings") {
		t.Errorf("empty run: stories %q, text lacks the no-review note", f.ids["stories"])
	}
}

// TestPageGolden compares the page of the tiny run with
// testdata/tiny.golden.html; rewrite it with
// `go test ./pipeline/summary -run PageGolden -update` and review the diff
// (open it in a browser, light and dark, and at phone width).
func TestPageGolden(t *testing.T) {
	page := render(t, tinySummary())
	golden := filepath.Join("testdata", "tiny.golden.html")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, page, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./pipeline/summary -run PageGolden -update, then review)", err)
	}
	if !bytes.Equal(page, want) {
		t.Errorf("page differs from %s (go test ./pipeline/summary -run PageGolden -update, then review the diff)", golden)
	}
}

// TestPageEscapesStoryControls: a title, source, fandom or passage holding
// bidi or other control characters cannot reorder or hide what the page
// shows: they come out escaped, as in check's reports.
func TestPageEscapesStoryControls(t *testing.T) {
	r := with(story("rtl", map[string]float64{"violence": 0.9}), func(r *pipeline.Row) {
		r.Title = ptr("Safe \u202e88.0 yhpargonrop")
		r.Fandoms = []string{"Fandom\u2066x"}
		r.Evidence[0].Snippet = "he struck \u202eevil\x1b[2J"
	})
	page := string(render(t, summarise(5, r)))
	for _, raw := range []string{"\u202e", "\u2066", "\x1b"} {
		if strings.Contains(page, raw) {
			t.Errorf("the page holds a raw %q", raw)
		}
	}
	for _, want := range []string{`Safe \u202e88.0 yhpargonrop`, `Fandom\u2066x`, `he struck \u202eevil\x1b[2J`} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q escaped", want)
		}
	}
}
