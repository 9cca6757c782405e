package report

import (
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/pipeline"
)

var update = flag.Bool("update", false, "rewrite testdata/html/*.html from HTML's output (review the diff before committing)")

// harbour is a story the test rows point into: a header, paragraphs
// between blank lines, a passage over two lines.
const harbour = `Title: The Harbour
Rating: Teen And Up Audiences
Warnings: Graphic Depictions Of Violence

The boats came in late that night.
Nobody on the quay said a word.

He stabbed the guard in the throat and kicked him down the stairs.
The guard lay still at the bottom.

By morning the guard was dead, and they buried him
before the tide turned.

Later she counted the coins.
He punched the sailor twice.

The end.
`

// hostileStory tries to add markup to the page and to reorder it.
const hostileStory = "Title: Harbour \u202eKO :tcidrev\u202c <script>alert(1)</script>\n" +
	"Warnings: Creator Chose Not To Use Archive Warnings\n\n" +
	"<script>alert(\"x\")</script> He stabbed him \u202eand the blood\u202c poured out. <img src=http://evil.example/x.png onerror=alert(1)>\n" +
	"He was dead <a href=\"https://evil.example/\">here</a>.\n"

// evAt is the evidence of label at the first needle in text, with line
// numbers counted here (text has \n line breaks only).
func evAt(t *testing.T, text, label, needle string, score float64) pipeline.Evidence {
	t.Helper()
	i := strings.Index(text, needle)
	if i < 0 {
		t.Fatalf("%q not in the story", needle)
	}
	return pipeline.Evidence{Label: label, Score: score,
		LineStart: int32(1 + strings.Count(text[:i], "\n")), LineEnd: int32(1 + strings.Count(text[:i+len(needle)-1], "\n")),
		ByteStart: int64(i), ByteEnd: int64(i + len(needle)), Snippet: oneLine(needle)}
}

// htmlCase is a story's report as a test writes it.
type htmlCase struct {
	name string
	c    Check
	text string
	opt  HTMLOptions
}

// htmlCases: an under-declared story with an undeclared and a declared
// finding and an explanation (standalone, and again as if streamed: no
// text), a hostile story in a work whose creator chose not to warn, an
// error, a story not checked and a clean one.
func htmlCases(t *testing.T) []htmlCase {
	t.Helper()
	findings := pipeline.Row{
		Source: "stories/harbour.txt", Title: ptr("The Harbour"), Language: ptr("en"),
		DeclaredRating: ptr("teen"), DeclaredRatingRaw: ptr("Teen And Up Audiences"), PredictedRating: ptr("mature"),
		RatingUnderdeclared: ptr(true), WarningStatus: ptr("declared"), DeclaredWarnings: []string{"violence"},
		Labels: []pipeline.LabelScore{
			{Label: "violence", Group: "aggression", Score: 0.9, Threshold: 0.5, Detected: true, Passages: 2},
			{Label: "death", Group: "aggression", Score: 0.83, Threshold: 0.5, Detected: true, Passages: 3},
			{Label: "suicide", Group: "mental-health", Score: 0.2, Threshold: 0.45},
		},
		DetectedWarnings: []string{"violence", "death"}, UndeclaredWarnings: []string{"death"},
		Evidence: []pipeline.Evidence{
			evAt(t, harbour, "violence", "He stabbed the guard in the throat and kicked him down the stairs.", 0.9),
			evAt(t, harbour, "violence", "He punched the sailor twice.", 0.6),
			evAt(t, harbour, "death", "By morning the guard was dead, and they buried him\nbefore the tide turned.", 0.82),
			evAt(t, harbour, "death", "The guard lay still at the bottom.", 0.55),
		},
		RatingConfidence: ptr(0.81),
		RatingEvidence: []pipeline.Evidence{
			evAt(t, harbour, "violence", "He stabbed the guard in the throat and kicked him down the stairs.", 0.7),
		},
	}
	ex := &classify.Explanation{
		Label: "death", Source: "model", Score: 0.83, Threshold: 0.5, Detected: true, Passages: 3, WindowThreshold: 1.2, EvidenceBar: -0.5,
		Story: 2.4, StoryThreshold: 1.5, Evidence: true, Gate: 1, Prior: -2.1,
		Window: &classify.ExplainedWindow{Raw: 2.9, LineStart: 8, LineEnd: 12,
			Terms: []classify.ExplainTerm{{Term: "was dead", Text: "was dead", Weight: 3}, {Term: "bury", Text: "buried", Weight: 2}},
			Words: []classify.ExplainWord{{Word: "guard", Weight: 0.4}, {Word: "morning", Weight: -0.1}}},
	}
	hostile := pipeline.Row{
		Source: "dir/<script>alert(1)</script>\u202egnp.txt", Title: ptr("Harbour \u202eKO :tcidrev\u202c <script>alert(1)</script>"),
		Language: ptr(`en" onmouseover="alert(1)`), DeclaredRatingRaw: ptr("<b>odd</b>\u202e"), PredictedRating: ptr("teen"),
		RatingUnderdeclared: ptr(false), WarningStatus: ptr("chose-not-to-warn"), UnmappedWarnings: []string{"<i>x</i>\u2066"},
		Labels: []pipeline.LabelScore{
			{Label: "violence", Group: "aggression", Score: 0.7, Threshold: 0.5, Detected: true, Passages: 1},
			{Label: "death", Group: "aggression", Score: 0.6, Threshold: 0.5, Detected: true, Passages: 1},
		},
		DetectedWarnings: []string{"violence", "death"},
		Evidence: []pipeline.Evidence{
			evAt(t, hostileStory, "violence", "<script>alert(\"x\")</script> He stabbed him \u202eand the blood\u202c poured out.", 0.7),
			evAt(t, hostileStory, "death", "He was dead <a href=\"https://evil.example/\">here</a>.", 0.6),
		},
	}
	errRow := pipeline.Row{Source: "missing.txt", Error: ptr("open missing.txt: no such file or directory")}
	note := pipeline.Row{Source: "french.txt", Language: ptr("fr"), PredictedRating: ptr("general"), WarningStatus: ptr("none-apply"),
		Note: ptr("not checked: the story is in French (fr), a language the model cannot read")}
	clean := pipeline.Row{Source: "clean.txt", PredictedRating: ptr("general"), RatingUnderdeclared: ptr(false),
		Labels: []pipeline.LabelScore{{Label: "violence", Group: "aggression", Score: 0.1, Threshold: 0.5}}}
	// The explanation of a label that is not a finding follows the verdict.
	notFound := &classify.Explanation{Label: "violence", Source: "lexicon", Score: 0.1, Threshold: 0.5, WindowThreshold: 2, EvidenceBar: 1,
		Story: 0.4, StoryThreshold: 2, Window: &classify.ExplainedWindow{Raw: 0.8, LineStart: 1, LineEnd: 1,
			Terms: []classify.ExplainTerm{{Term: "happen", Text: "happens", Weight: 0.8}}}}
	return []htmlCase{
		{"findings", NewCheck(findings, ex), harbour, HTMLOptions{Standalone: true}},
		{"streamed", NewCheck(findings, nil), "", HTMLOptions{IDPrefix: "s2-"}},
		{"hostile", NewCheck(hostile, nil), hostileStory, HTMLOptions{IDPrefix: "s3-", Context: 2}},
		{"error", NewCheck(errRow, nil), "", HTMLOptions{IDPrefix: "s4-"}},
		{"not-checked", NewCheck(note, nil), "Ceci n'est pas une histoire.\n", HTMLOptions{IDPrefix: "s5-"}},
		{"clean", NewCheck(clean, notFound), "Nothing happens.\n", HTMLOptions{IDPrefix: "s6 <6>"}},
	}
}

func writeHTML(t *testing.T, tc htmlCase) string {
	t.Helper()
	var b strings.Builder
	if err := HTML(&b, tc.c, tc.text, tc.opt); err != nil {
		t.Fatalf("%s: %v", tc.name, err)
	}
	return b.String()
}

// TestHTMLGolden compares the HTML of each case with testdata/html.
func TestHTMLGolden(t *testing.T) {
	for _, tc := range htmlCases(t) {
		out := writeHTML(t, tc)
		golden := filepath.Join("testdata", "html", tc.name+".html")
		if *update {
			if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test ./report -run HTMLGolden -update, then review the diff)", err)
		}
		if out != string(want) {
			t.Errorf("%s differs from %s:\n--- got\n%s--- want\n%s", tc.name, golden, out, want)
		}
	}
}

// TestHTMLReport parses each case's HTML and checks it against the row:
// the findings in Findings' order with their scores, state and a
// comparison with the threshold; every passage's <mark> is the evidence's
// text in the story, on the line Evidence.LineStart says (or the snippet
// without text); "N of M passages shown"; the verdict is Conclude's; the
// explanation is on demand; nothing is loaded, run or linked from
// elsewhere, and every id is unique.
func TestHTMLReport(t *testing.T) {
	for _, tc := range htmlCases(t) {
		t.Run(tc.name, func(t *testing.T) {
			out := writeHTML(t, tc)
			doc := parseHTML(t, out)
			checkInert(t, doc)
			if loc := rawControl.FindStringIndex(out); loc != nil {
				t.Errorf("raw %q in the page", out[loc[0]:loc[1]])
			}
			stories := findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Article && hasClass(n, "tagger-story") })
			if len(stories) != 1 {
				t.Fatalf("%d story articles, want 1", len(stories))
			}
			story := stories[0]
			r := tc.c.Row

			if v := findAll(story, classed("verdict-text")); len(v) != 1 || textOf(v[0]) != Conclude(r).Text {
				t.Errorf("verdict %q, want %q", texts(v), Conclude(r).Text)
			}
			items := findAll(story, classed("finding"))
			fs := Findings(r)
			var labels, want []string
			for _, f := range fs {
				want = append(want, f.Label)
			}
			for _, it := range items {
				labels = append(labels, texts(findAll(it, classed("label")))...)
			}
			if !slices.Equal(labels, want) {
				t.Fatalf("findings %q, want Findings' order %q", labels, want)
			}
			for i, f := range fs {
				it := items[i]
				if got := texts(findAll(it, classed("score"))); len(got) != 1 || got[0] != scoreAt(f) {
					t.Errorf("%s: score %q, want %q", f.Label, got, scoreAt(f))
				}
				wantState := "declared"
				switch {
				case f.Undeclared:
					wantState = "undeclared"
				case f.NotWarned:
					wantState = "not warned (creator chose not to warn)"
				}
				state := texts(findAll(it, classed("state")))
				icon := findAll(it, func(n *html.Node) bool { return hasClass(n, "icon") && attr(n, "aria-hidden") == "true" })
				if len(state) != 1 || state[0] != wantState || len(icon) != 1 {
					t.Errorf("%s: state %q, %d icons: want %q and an icon", f.Label, state, len(icon), wantState)
				}
				if cmp := findAll(it, classed("compare")); len(cmp) != 1 || cmp[0].DataAtom != atom.Details ||
					!strings.Contains(textOf(cmp[0]), fmt.Sprintf("The score %.2f is measured against the threshold %.2f", f.Score, f.Threshold)) {
					t.Errorf("%s: no <details> comparing the score with its threshold: %q", f.Label, texts(cmp))
				}
				ev := evidenceOf(r, f.Label)
				ps := findAll(it, classed("passage"))
				if len(ps) != len(ev) {
					t.Fatalf("%s: %d passages, want %d", f.Label, len(ps), len(ev))
				}
				for j, e := range ev {
					checkPassage(t, ps[j], e, tc.text)
				}
				shown := texts(findAll(it, classed("shown")))
				if total := f.total(len(ev)); total > len(ev) {
					if w := fmt.Sprintf("%d of %d passages shown (the best)", len(ev), total); len(shown) != 1 || shown[0] != w {
						t.Errorf("%s: %q, want %q", f.Label, shown, w)
					}
				} else if len(shown) != 0 {
					t.Errorf("%s: %q, with every passage shown", f.Label, shown)
				}
			}
			if ex := tc.c.Explanation; ex != nil {
				d := findAll(story, classed("explanation"))
				if len(d) != 1 || d[0].DataAtom != atom.Details || d[0].FirstChild == nil ||
					textOf(findAll(d[0], func(n *html.Node) bool { return n.DataAtom == atom.Summary })[0]) != "explanation of "+ex.Label {
					t.Fatalf("explanation: %q", texts(d))
				}
				body := textOf(d[0])
				want := []string{fmt.Sprintf("score %.2f (threshold %.2f)", ex.Score, ex.Threshold), ex.Window.Terms[0].Term, ex.Window.Terms[0].Text,
					"best window, " + lineRange(pipeline.Evidence{LineStart: int32(ex.Window.LineStart), LineEnd: int32(ex.Window.LineEnd)})}
				for _, w := range ex.Window.Words {
					want = append(want, w.Word)
				}
				for _, w := range want {
					if !strings.Contains(body, w) {
						t.Errorf("explanation lacks %q: %s", w, body)
					}
				}
			}
			if r.Error != nil && !strings.Contains(textOf(story), "error: "+*r.Error) {
				t.Errorf("the error is not shown: %s", textOf(story))
			}
			if r.Note != nil && !strings.Contains(textOf(story), "not checked: "+strings.TrimPrefix(*r.Note, "not checked: ")) {
				t.Errorf("the note is not shown: %s", textOf(story))
			}
		})
	}
}

// checkPassage checks one passage against its evidence: with the story's
// text, its <mark>s (one per line) are the passage's lines and the first
// line holding one is numbered e.LineStart; without, the one <mark> is the
// snippet.
func checkPassage(t *testing.T, p *html.Node, e pipeline.Evidence, text string) {
	t.Helper()
	marks := texts(findAll(p, func(n *html.Node) bool { return n.DataAtom == atom.Mark }))
	if text == "" {
		if len(marks) != 1 || marks[0] != CleanLine(e.Snippet) {
			t.Errorf("line %d: marks %q, want the snippet %q", e.LineStart, marks, e.Snippet)
		}
		return
	}
	s := text[e.ByteStart:e.ByteEnd]
	s = strings.TrimSuffix(strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n"), "\n")
	want := strings.Split(s, "\n")
	for i := range want {
		want[i] = cleanKeepTabs(want[i])
	}
	if !slices.Equal(marks, want) {
		t.Errorf("line %d: marks %q, want the passage %q", e.LineStart, marks, want)
	}
	hits := findAll(p, classed("hit"))
	if len(hits) == 0 {
		t.Fatalf("line %d: no line holds the passage", e.LineStart)
	}
	if n := texts(findAll(hits[0], classed("ln"))); len(n) != 1 || n[0] != strconv.Itoa(int(e.LineStart)) {
		t.Errorf("the passage's first line is numbered %q, want %d", n, e.LineStart)
	}
	if where := texts(findAll(p, classed("where"))); len(where) != 1 || !strings.HasPrefix(where[0], lineRange(e)+" · passage score ") {
		t.Errorf("passage caption %q, want %s", where, lineRange(e))
	}
}

// TestHTMLHostile: markup and bidi controls in the story's title, file
// name, declared values and passages reach the page as text, escaped.
func TestHTMLHostile(t *testing.T) {
	cases := htmlCases(t)
	tc := cases[slices.IndexFunc(cases, func(c htmlCase) bool { return c.name == "hostile" })]
	out := writeHTML(t, tc)
	doc := parseHTML(t, out)
	checkInert(t, doc)
	if strings.ContainsAny(out, "\u202e\u202c\u2066") {
		t.Errorf("a raw bidi control in the page")
	}
	page := textOf(doc)
	for _, w := range []string{
		`dir/<script>alert(1)</script>\u202egnp.txt`,                     // the source, Clean'd
		`“Harbour \u202eKO :tcidrev\u202c <script>alert(1)</script>”`,    // the title, Clean'd, in quotes
		`<script>alert("x")</script> He stabbed him \u202eand the blood`, // a passage
		`He was dead <a href="https://evil.example/">here</a>.`,
	} {
		if !strings.Contains(page, w) {
			t.Errorf("the page does not show %q as text:\n%s", w, page)
		}
	}
	if strings.Contains(out, "<script") || strings.Contains(out, "<img") || strings.Contains(out, "onmouseover=") {
		t.Errorf("markup from the story in the page:\n%s", out)
	}
	// Each string from the story is isolated from the page around it.
	for _, cls := range []string{"source", "title"} {
		if n := findAll(doc, classed(cls)); len(n) != 1 || n[0].DataAtom != atom.Bdi {
			t.Errorf("%s is not in a <bdi>", cls)
		}
	}
	for _, tx := range findAll(doc, classed("tx")) {
		if attr(tx, "dir") != "auto" {
			t.Errorf("a line of the story without dir=auto")
		}
	}
}

// TestHTMLPage: a standalone page of two stories is one document, in
// English, with its charset, viewport and title, the style sheet inline,
// one h1, a section per story and no id twice.
func TestHTMLPage(t *testing.T) {
	cases := htmlCases(t)
	var b strings.Builder
	if err := BeginHTMLPage(&b, "tagger check: a.txt b.txt"); err != nil {
		t.Fatal(err)
	}
	for i, tc := range []htmlCase{cases[0], cases[0]} {
		tc.opt = HTMLOptions{IDPrefix: fmt.Sprintf("s%d-", i+1)}
		if err := HTML(&b, tc.c, tc.text, tc.opt); err != nil {
			t.Fatal(err)
		}
	}
	if err := EndHTMLPage(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "<!DOCTYPE html>\n<html lang=\"en\">") || !strings.HasSuffix(out, "</html>\n") {
		t.Errorf("not one document:\n%s", out)
	}
	doc := parseHTML(t, out)
	checkInert(t, doc)
	meta := func(name, content string) bool {
		return len(findAll(doc, func(n *html.Node) bool {
			return n.DataAtom == atom.Meta && (attr(n, "name") == name || name == "charset" && attr(n, "charset") != "") && strings.Contains(attr(n, "content"), content)
		})) == 1
	}
	checks := []struct {
		what string
		ok   bool
	}{
		{"meta charset", meta("charset", "")},
		{"meta viewport", meta("viewport", "width=device-width")},
		{"title", texts(findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Title })) != nil},
		{"inline style sheet", slices.Equal(texts(findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.Style })), []string{"\n" + HTMLStyle()})},
		{"one h1", len(findAll(doc, func(n *html.Node) bool { return n.DataAtom == atom.H1 })) == 1},
		{"two stories", len(findAll(doc, classed("tagger-story"))) == 2},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("standalone page: no %s", c.what)
		}
	}
	if !strings.Contains(out, "<style>\n"+HTMLStyle()+"</style>") {
		t.Errorf("the style sheet is not inline as it is")
	}
}

// TestHTMLStyle: every colour the style sheet sets text in has a contrast
// of at least 4.5:1 (WCAG AA) with the background it is shown on, in the
// light, dark and print schemes; focus is visible and lines wrap.
func TestHTMLStyle(t *testing.T) {
	css := HTMLStyle()
	schemes := map[string]string{
		"light": css[:strings.Index(css, "@media")],
		"dark":  css[strings.Index(css, "@media (prefers-color-scheme: dark)"):strings.Index(css, "@media print")],
		"print": css[strings.Index(css, "@media print"):strings.Index(css, ".tagger-page {")],
	}
	pairs := [][2]string{
		{"fg", "bg"}, {"fg", "panel"}, {"muted", "bg"}, {"muted", "panel"}, {"link", "bg"}, {"focus", "bg"},
		{"bad", "bg"}, {"warn", "bg"}, {"good", "bg"}, {"mark-fg", "mark-bg"},
	}
	decl := regexp.MustCompile(`--([a-z-]+):\s*#([0-9a-f]{6});`)
	for name, block := range schemes {
		vars := map[string]string{}
		for _, m := range decl.FindAllStringSubmatch(block, -1) {
			vars[m[1]] = m[2]
		}
		for _, p := range pairs {
			fg, bg := vars[p[0]], vars[p[1]]
			if fg == "" || bg == "" {
				t.Errorf("%s: --%s or --%s not set", name, p[0], p[1])
				continue
			}
			if c := contrast(fg, bg); c < 4.5 {
				t.Errorf("%s: --%s #%s on --%s #%s has a contrast of %.2f, want 4.5", name, p[0], fg, p[1], bg, c)
			}
		}
	}
	for _, w := range []string{":focus-visible", "outline: 3px", "white-space: pre-wrap", "overflow-wrap: anywhere", "minmax(0, 1fr)"} {
		if !strings.Contains(css, w) {
			t.Errorf("the style sheet lacks %q", w)
		}
	}
	if strings.Contains(css, "url(") || strings.Contains(css, "@import") {
		t.Errorf("the style sheet loads something")
	}
}

// contrast is the WCAG contrast ratio of two colours "rrggbb".
func contrast(a, b string) float64 {
	la, lb := luminance(a), luminance(b)
	return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)
}

func luminance(hex string) float64 {
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.ParseUint(hex[2*i:2*i+2], 16, 8)
		c := float64(v) / 255
		if c <= 0.03928 {
			c /= 12.92
		} else {
			c = math.Pow((c+0.055)/1.055, 2.4)
		}
		l += w * c
	}
	return l
}

// TestStoryLinesPassage: a passage is found and marked whatever the line
// breaks (\n, \r\n, \r), with its context (blank lines not counted);
// offsets that do not fit the text or its line numbers give no lines, so
// the page falls back to the snippet rather than mark the wrong words; a
// long line is cut around the passage, never inside it.
func TestStoryLinesPassage(t *testing.T) {
	long := strings.Repeat("word ", 300)
	tests := []struct {
		name   string
		text   string
		needle string
		ctx    int
		edit   func(*pipeline.Evidence)
		want   []htmlLine // nil: no lines
	}{
		{"lf", "a\n\nb\nc d\ne\n", "d", 1, nil,
			[]htmlLine{{N: 3, Before: "b"}, {N: 4, Hit: true, Before: "c ", Mark: "d"}, {N: 5, Before: "e"}}},
		{"crlf", "a\r\n\r\nb\r\nc d\r\ne\r\n", "d", 1, nil,
			[]htmlLine{{N: 3, Before: "b"}, {N: 4, Hit: true, Before: "c ", Mark: "d"}, {N: 5, Before: "e"}}},
		{"cr", "a\r\rb\rc d\re\r", "d", 1, nil,
			[]htmlLine{{N: 3, Before: "b"}, {N: 4, Hit: true, Before: "c ", Mark: "d"}, {N: 5, Before: "e"}}},
		{"over two lines", "a\nb c\nd e\nf", "c\nd", -1, nil,
			[]htmlLine{{N: 2, Hit: true, Before: "b ", Mark: "c"}, {N: 3, Hit: true, Mark: "d", After: " e"}}},
		{"blank lines skipped", "a\n\n\nb\n\n\nc", "b", 1, nil,
			[]htmlLine{{N: 1, Before: "a"}, {N: 2}, {N: 3}, {N: 4, Hit: true, Mark: "b"}, {N: 5}, {N: 6}, {N: 7, Before: "c"}}},
		{"tabs kept, controls escaped", "x\tdied\x1b[2K\u202e", "died\x1b[2K\u202e", -1, nil,
			[]htmlLine{{N: 1, Hit: true, Before: "x\t", Mark: `died\x1b[2K\u202e`}}},
		{"long line cut", long + "died." + long, "died.", 0, nil,
			[]htmlLine{{N: 1, Hit: true, Before: "…" + strings.Repeat("word ", 119), Mark: "died.", After: strings.Repeat("word ", 119) + "word…"}}},
		{"line number disagrees", "a\nb\n", "b", 1, func(e *pipeline.Evidence) { e.LineStart = 1 }, nil},
		{"offset past the text", "a\nb\n", "b", 1, func(e *pipeline.Evidence) { e.ByteEnd = 99 }, nil},
		{"inside a character", "a\né\n", "é", 1, func(e *pipeline.Evidence) { e.ByteStart++ }, nil},
		{"empty", "a\nb\n", "b", 1, func(e *pipeline.Evidence) { e.ByteEnd = e.ByteStart }, nil},
	}
	for _, tc := range tests {
		i := strings.Index(tc.text, tc.needle)
		l := newStoryLines(tc.text)
		e := pipeline.Evidence{ByteStart: int64(i), ByteEnd: int64(i + len(tc.needle)), LineStart: int32(l.lineOf(i))}
		if tc.edit != nil {
			tc.edit(&e)
		}
		if got := l.passage(e, tc.ctx); !slices.Equal(got, tc.want) {
			t.Errorf("%s: passage\n%+v, want\n%+v", tc.name, got, tc.want)
		}
	}
}

// parseHTML parses a page or a fragment of one.
func parseHTML(t *testing.T, s string) *html.Node {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(s))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// checkInert fails on anything that would run, load or submit: script and
// embedding elements, event handler and style attributes, and links that
// are not to an id of the page.
func checkInert(t *testing.T, doc *html.Node) {
	t.Helper()
	ids := map[string]int{}
	var hrefs []string
	for _, n := range findAll(doc, func(n *html.Node) bool { return n.Type == html.ElementNode }) {
		switch n.DataAtom {
		case atom.Script, atom.Iframe, atom.Object, atom.Embed, atom.Img, atom.Link, atom.Base, atom.Form, atom.Input, atom.Svg, atom.Math:
			t.Errorf("<%s> in the page", n.Data)
		}
		for _, a := range n.Attr {
			switch {
			case strings.HasPrefix(a.Key, "on"), a.Key == "style", a.Key == "src", a.Key == "srcset", a.Key == "action":
				t.Errorf("<%s %s=%q> in the page", n.Data, a.Key, a.Val)
			case a.Key == "href":
				hrefs = append(hrefs, a.Val)
			case a.Key == "id":
				ids[a.Val]++
			}
		}
	}
	for id, n := range ids {
		if n > 1 {
			t.Errorf("id %q %d times", id, n)
		}
	}
	for _, h := range hrefs {
		if !strings.HasPrefix(h, "#") || ids[h[1:]] != 1 {
			t.Errorf("href %q is not to an id of the page", h)
		}
	}
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if match(c) {
			out = append(out, c)
		}
	}
	return out
}

func classed(c string) func(*html.Node) bool {
	return func(n *html.Node) bool { return hasClass(n, c) }
}

func hasClass(n *html.Node, c string) bool {
	return n.Type == html.ElementNode && slices.Contains(strings.Fields(attr(n, "class")), c)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func textOf(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

func texts(ns []*html.Node) []string {
	var out []string
	for _, n := range ns {
		out = append(out, textOf(n))
	}
	return out
}
