package web

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/report"
)

// violencePassage starts the passage of seed 003 that shows violence (its
// line 211; README: Checking a story before it goes live).
const violencePassage = "Persis leapt off the bar and swinging on a ceiling beam"

// parseHTML parses a page.
func parseHTML(t testing.TB, b []byte) *html.Node {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// findAll returns the elements under n, in document order, that match.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for d := range n.Descendants() {
		if d.Type == html.ElementNode && match(d) {
			out = append(out, d)
		}
	}
	return out
}

// byTag matches elements named tag whose attributes hold attrs (pairs of
// key and value; a value "*" matches any).
func byTag(tag string, attrs ...string) func(*html.Node) bool {
	return func(n *html.Node) bool {
		if n.Data != tag {
			return false
		}
		for i := 0; i+1 < len(attrs); i += 2 {
			v, ok := attrOf(n, attrs[i])
			if !ok || attrs[i+1] != "*" && v != attrs[i+1] {
				return false
			}
		}
		return true
	}
}

func attrOf(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func hasClass(n *html.Node, class string) bool {
	v, _ := attrOf(n, "class")
	for _, c := range strings.Fields(v) {
		if c == class {
			return true
		}
	}
	return false
}

// textOf is the text under n.
func textOf(n *html.Node) string {
	var b strings.Builder
	for d := range n.Descendants() {
		if d.Type == html.TextNode {
			b.WriteString(d.Data)
		}
	}
	return b.String()
}

// formPost builds the multipart body a browser posts for the page's form:
// the fields in the form's order, and the file input empty (a part with
// filename="") when no file is chosen.
func formPost(t testing.TB, text, fileName string, file []byte, sensitivity, explain string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("text", text)
	w, err := mw.CreateFormFile("file", fileName)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(file)
	mw.WriteField("sensitivity", sensitivity)
	mw.WriteField("explain", explain)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

// postPage posts a form body to the page, with extra headers.
func postPage(t testing.TB, ts *httptest.Server, contentType string, body []byte, header map[string]string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return do(t, ts.Client(), req)
}

// wantVerdict is report.Conclude's verdict line for a story file, checked
// outside the server.
func wantVerdict(t testing.TB, m *classify.Model, name string, story []byte, sens classify.Sensitivity) string {
	t.Helper()
	ctx := context.Background()
	st, err := datasets.ReadStory(ctx, name, bytes.NewReader(story), int64(len(story)), datasets.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := pipeline.PredictStory(ctx, m, st, classify.PredictOptions{Sensitivity: sens})
	if err != nil {
		t.Fatal(err)
	}
	return report.Conclude(pipeline.NewRow(st, &res, m, nil)).Text
}

// checkPageHeaders checks the security headers every page carries.
func checkPageHeaders(t *testing.T, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Type":           "text/html; charset=utf-8",
		"X-Content-Type-Options": "nosniff",
		"Referrer-Policy":        "no-referrer",
		"Cache-Control":          "no-store",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	csp := h.Get("Content-Security-Policy")
	for _, d := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, d+";") && !strings.HasSuffix(csp, d) {
			t.Errorf("Content-Security-Policy %q lacks %s", csp, d)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("Content-Security-Policy %q allows something unsafe", csp)
	}
}

// TestPage checks the page as GET / serves it: its headers, a form that
// posts without a script, every control labelled, and nothing inline
// that the Content-Security-Policy would block.
func TestPage(t *testing.T) {
	m := testModel(t)
	_, ts, _ := newTestServer(t, Options{Model: m, Sensitivity: classify.High})
	resp, err := ts.Client().Get(ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	checkPageHeaders(t, resp.Header)
	doc := parseHTML(t, body.Bytes())
	one := func(t *testing.T, what string, match func(*html.Node) bool) *html.Node {
		t.Helper()
		got := findAll(doc, match)
		if len(got) != 1 {
			t.Fatalf("%d %s, want 1", len(got), what)
		}
		return got[0]
	}
	tests := []struct {
		name  string
		check func(t *testing.T)
	}{
		{"the form posts multipart to /", func(t *testing.T) {
			one(t, "forms", byTag("form", "method", "post", "action", "/", "enctype", "multipart/form-data"))
		}},
		{"controls, each labelled", func(t *testing.T) {
			for _, c := range []struct{ tag, name string }{{"textarea", "text"}, {"input", "file"}, {"select", "sensitivity"}, {"select", "explain"}} {
				n := one(t, c.tag+" "+c.name, byTag(c.tag, "name", c.name))
				id, _ := attrOf(n, "id")
				l := one(t, "labels for "+c.name, byTag("label", "for", id))
				if strings.TrimSpace(textOf(l)) == "" {
					t.Errorf("the label of %s is empty", c.name)
				}
			}
		}},
		{"the file input takes the story formats", func(t *testing.T) {
			n := one(t, "file inputs", byTag("input", "type", "file"))
			accept, _ := attrOf(n, "accept")
			for _, ext := range []string{".txt", ".html", ".htm", ".epub", ".md"} {
				if !strings.Contains(accept+",", ext+",") {
					t.Errorf("accept %q lacks %s", accept, ext)
				}
			}
		}},
		{"sensitivity: the server's default selected", func(t *testing.T) {
			n := one(t, "selected sensitivities", func(n *html.Node) bool {
				_, sel := attrOf(n, "selected")
				return n.Data == "option" && sel && attrIs(n.Parent, "name", "sensitivity")
			})
			if v, _ := attrOf(n, "value"); v != "high" {
				t.Errorf("selected %q, want high", v)
			}
		}},
		{"explain: none, the rating and every label", func(t *testing.T) {
			opts := findAll(doc, func(n *html.Node) bool { return n.Data == "option" && attrIs(n.Parent, "name", "explain") })
			if len(opts) != len(m.Labels())+2 {
				t.Fatalf("%d options, want none, rating and %d labels", len(opts), len(m.Labels()))
			}
			if v, _ := attrOf(opts[0], "value"); v != "" || textOf(opts[0]) != "none" {
				t.Errorf("first option %q %q, want none", v, textOf(opts[0]))
			}
			if v, _ := attrOf(opts[1], "value"); v != "rating" {
				t.Errorf("second option %q, want rating", v)
			}
		}},
		{"a submit button", func(t *testing.T) {
			n := one(t, "submit buttons", byTag("button", "type", "submit"))
			if strings.TrimSpace(textOf(n)) != "Check" {
				t.Errorf("button %q", textOf(n))
			}
		}},
		{"no inline script or style", func(t *testing.T) {
			scripts := findAll(doc, byTag("script"))
			if len(scripts) != 1 {
				t.Fatalf("%d scripts, want page.js", len(scripts))
			}
			if src, _ := attrOf(scripts[0], "src"); !strings.HasPrefix(src, "/assets/page-") || textOf(scripts[0]) != "" {
				t.Errorf("script src %q with %q inline", src, textOf(scripts[0]))
			}
			if n := len(findAll(doc, byTag("style"))); n != 0 {
				t.Errorf("%d style elements", n)
			}
			for _, n := range findAll(doc, func(*html.Node) bool { return true }) {
				for _, a := range n.Attr {
					if a.Key == "style" || strings.HasPrefix(a.Key, "on") || strings.HasPrefix(a.Val, "javascript:") {
						t.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
					}
				}
			}
		}},
		{"the footer names tagger's version and the model", func(t *testing.T) {
			f := one(t, "footers", byTag("footer"))
			if txt := textOf(f); !strings.Contains(txt, "tagger test") || !strings.Contains(txt, m.NameVersion()) {
				t.Errorf("footer %q", txt)
			}
		}},
		{"no report and no alert yet", func(t *testing.T) {
			if n := len(findAll(doc, func(n *html.Node) bool { return hasClass(n, "tagger-story") || attrIs(n, "role", "alert") })); n != 0 {
				t.Errorf("%d reports or alerts in the empty page", n)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, tc.check)
	}
}

func attrIs(n *html.Node, key, val string) bool {
	if n == nil {
		return false
	}
	v, ok := attrOf(n, key)
	return ok && v == val
}

// TestPageAssets fetches what the page links: each with its type, cached
// for good under a name that holds its hash.
func TestPageAssets(t *testing.T) {
	_, ts, _ := newTestServer(t, Options{})
	_, _, body := do(t, ts.Client(), mustRequest(t, http.MethodGet, ts.URL+"/"))
	doc := parseHTML(t, body)
	link := func(match func(*html.Node) bool, attr string) string {
		ns := findAll(doc, match)
		if len(ns) != 1 {
			t.Fatalf("%d links", len(ns))
		}
		v, _ := attrOf(ns[0], attr)
		return v
	}
	tests := []struct {
		path, ctype string
		want        []byte // a part of the body
	}{
		{link(byTag("link", "rel", "stylesheet"), "href"), "text/css; charset=utf-8", []byte(report.HTMLStyle())},
		{link(byTag("script"), "src"), "text/javascript; charset=utf-8", pageJS},
		{link(byTag("link", "rel", "icon"), "href"), "image/svg+xml", []byte(pageIcon)},
	}
	name := regexp.MustCompile(`^/assets/[a-z]+-[0-9a-f]{12}\.(css|js|svg)$`)
	for _, tc := range tests {
		t.Run(tc.path, func(t *testing.T) {
			if !name.MatchString(tc.path) {
				t.Errorf("path %q does not hold a hash", tc.path)
			}
			code, h, b := do(t, ts.Client(), mustRequest(t, http.MethodGet, ts.URL+tc.path))
			if code != http.StatusOK || h.Get("Content-Type") != tc.ctype || h.Get("X-Content-Type-Options") != "nosniff" ||
				h.Get("Cache-Control") != "public, max-age=31536000, immutable" {
				t.Errorf("status %d, headers %v", code, h)
			}
			if !bytes.Contains(b, tc.want) {
				t.Errorf("the body lacks what is embedded")
			}
		})
	}
	if code, _, _ := do(t, ts.Client(), mustRequest(t, http.MethodGet, ts.URL+"/assets/page-000000000000.js")); code != http.StatusNotFound {
		t.Errorf("an unknown asset: status %d, want 404", code)
	}
	// The page's style sets colours only through the report's variables,
	// whose contrast package report's tests check.
	if c := regexp.MustCompile(`#[0-9a-fA-F]{3,8}\b|rgba?\(|hsla?\(`).Find(pageCSS); c != nil {
		t.Errorf("page.css sets the colour %s: use the report's variables", c)
	}
}

func mustRequest(t testing.TB, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// findingOf returns the report's finding of label.
func findingOf(doc *html.Node, label string) *html.Node {
	for _, f := range findAll(doc, func(n *html.Node) bool { return n.Data == "li" && hasClass(n, "finding") }) {
		for _, l := range findAll(f, func(n *html.Node) bool { return hasClass(n, "label") }) {
			if textOf(l) == label {
				return f
			}
		}
	}
	return nil
}

// TestPagePost posts the form as a browser does, without a script: the
// page comes back with the report under the form, its verdict
// report.Conclude's, the violence passage of seed 003 marked in its
// finding, the pasted text still in the text box; the check is measured
// as POST /v1/check's are.
func TestPagePost(t *testing.T) {
	m := testModel(t)
	_, ts, logs := newTestServer(t, Options{Model: m})
	seed := readFile(t, seed003)
	epub := testEPUB(t)
	tests := []struct {
		name        string
		text        string
		file        string
		data        []byte
		sensitivity classify.Sensitivity
		explain     string
		header      map[string]string
		source      string // the report's heading
		violence    bool   // seed 003's passage marked
	}{
		{name: "pasted", text: string(seed), sensitivity: classify.Balanced, source: pastedName, violence: true},
		{name: "pasted, explained, from the same origin", text: string(seed), sensitivity: classify.High, explain: "violence",
			header: map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": ts.URL}, source: pastedName, violence: true},
		{name: "a .txt file", file: "seed003.txt", data: seed, sensitivity: classify.Balanced, source: "seed003.txt", violence: true},
		{name: "an .epub file", file: "story.epub", data: epub, sensitivity: classify.Balanced, source: "story.epub"},
		{name: "markup pasted", text: "</textarea><script>alert(1)</script><mark>x</mark>\nHe drew the knife and stabbed the guard.",
			sensitivity: classify.Balanced, source: pastedName},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ct, body := formPost(t, tc.text, tc.file, tc.data, string(tc.sensitivity), tc.explain)
			code, h, b := postPage(t, ts, ct, body, tc.header)
			if code != http.StatusOK {
				t.Fatalf("status %d:\n%s", code, b)
			}
			checkPageHeaders(t, h)
			doc := parseHTML(t, b)
			stories := findAll(doc, func(n *html.Node) bool { return n.Data == "article" && hasClass(n, "tagger-story") })
			if len(stories) != 1 || !attrIs(stories[0].Parent, "id", "result") {
				t.Fatalf("%d reports in #result, want 1", len(stories))
			}
			if h2 := findAll(stories[0], byTag("h2")); len(h2) == 0 || !strings.HasPrefix(textOf(h2[0]), tc.source) {
				t.Errorf("heading %v, want the source %q", h2, tc.source)
			}
			name, story := tc.file, tc.data
			if tc.file == "" {
				name, story = pastedName, []byte(tc.text)
			}
			want := wantVerdict(t, m, name, story, tc.sensitivity)
			verdicts := findAll(doc, func(n *html.Node) bool { return hasClass(n, "verdict-text") })
			if len(verdicts) != 1 || textOf(verdicts[0]) != want {
				t.Errorf("verdict %v, want %q", verdicts, want)
			}
			if h.Get("Tagger-Verdict") == "" {
				t.Errorf("no Tagger-Verdict header")
			}
			ta := findAll(doc, byTag("textarea", "name", "text"))
			if len(ta) != 1 || textOf(ta[0]) != tc.text {
				t.Errorf("the text box does not hold the pasted text")
			}
			// What was pasted is text in the page, never markup.
			if n := len(findAll(doc, byTag("script"))); n != 1 {
				t.Errorf("%d scripts in the page, want page.js alone", n)
			}
			f := findingOf(doc, "violence")
			if !tc.violence {
				return
			}
			if f == nil {
				t.Fatalf("no violence finding:\n%s", b)
			}
			marked := false
			for _, mk := range findAll(f, byTag("mark")) {
				marked = marked || strings.Contains(textOf(mk), violencePassage)
			}
			if !marked {
				t.Errorf("no <mark> in the violence finding holds %q", violencePassage)
			}
			if ex := findAll(f, func(n *html.Node) bool { return n.Data == "details" && hasClass(n, "explanation") }); (len(ex) == 1) != (tc.explain == "violence") {
				t.Errorf("%d explanations in the finding, explain %q", len(ex), tc.explain)
			}
		})
	}
	wantMetrics(t, ts.URL, `tagger_http_requests_total{code="200",method="POST",route="POST /{$}"} 5`,
		`tagger_stories_checked_total{verdict="review"} 3`)
	if !strings.Contains(logs.String(), `"route":"POST /{$}","status":200`) {
		t.Errorf("the access log lacks the page's posts:\n%s", logs)
	}
}

// TestPageErrors: a post that cannot be checked answers the page with the
// status POST /v1/check would answer and the error in an alert, the form
// and what was pasted kept.
func TestPageErrors(t *testing.T) {
	s, ts, _ := newTestServer(t, Options{MaxConcurrent: 1, MaxQueued: -1})
	_, small, _ := newTestServer(t, Options{MaxBodyBytes: 4 << 10})
	seed := readFile(t, seed003)
	form := func(text, file string, data []byte) (string, []byte) {
		return formPost(t, text, file, data, "balanced", "")
	}
	emptyType, emptyBody := form("", "", nil)
	blankType, blankBody := form("  \n ", "", nil)
	bigType, bigBody := form(string(seed), "", nil)
	docxType, docxBody := form("", "story.docx", seed)
	bothType, bothBody := form("a story", "seed.txt", seed)
	okType, okBody := form("He drew the knife.", "", nil)
	badType, badBody := formPost(t, "He drew the knife.", "", nil, "extreme", "")
	explainType, explainBody := formPost(t, "He drew the knife.", "", nil, "balanced", "violense")
	tests := []struct {
		name        string
		ts          *httptest.Server
		contentType string
		body        []byte
		header      map[string]string
		busy        bool // every check slot taken
		code        int
		msg         string
		kept        string // the text box's text
	}{
		{"nothing", ts, emptyType, emptyBody, nil, false, 422, "nothing to check: paste a story or choose a file", ""},
		{"blank text", ts, blankType, blankBody, nil, false, 422, "the story cannot be read: read pasted text: empty story", "  \n "},
		{"too large", small, bigType, bigBody, nil, false, 413, "the body is over the limit of 4096 bytes", ""},
		{"a .docx", ts, docxType, docxBody, nil, false, 415, `file "story.docx": the extension ".docx" is not read`, ""},
		{"text and a file", ts, bothType, bothBody, nil, false, 400, "a story was pasted and a file chosen", "a story"},
		{"a bad sensitivity", ts, badType, badBody, nil, false, 400, `sensitivity "extreme": use low, balanced or high`, "He drew the knife."},
		{"a misspelt label", ts, explainType, explainBody, nil, false, 400, `explain: unknown label "violense": did you mean "violence"?`, "He drew the knife."},
		{"not multipart", ts, "application/x-www-form-urlencoded", []byte("text=x"), nil, false, 415, "the page's form is sent as multipart/form-data", ""},
		{"cross-site", ts, okType, okBody, map[string]string{"Sec-Fetch-Site": "cross-site"}, false, 403, "a post from another site is refused", ""},
		{"another origin", ts, okType, okBody, map[string]string{"Origin": "http://evil.example"}, false, 403, "a post from another site is refused", ""},
		{"busy", ts, okType, okBody, nil, true, 503, "busy: 1 checks are running and 0 waiting", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.busy {
				if !s.sem.TryAcquire(1) {
					t.Fatal("the cap is not free")
				}
				defer s.sem.Release(1)
			}
			code, h, b := postPage(t, tc.ts, tc.contentType, tc.body, tc.header)
			if code != tc.code {
				t.Fatalf("status %d, want %d:\n%s", code, tc.code, b)
			}
			checkPageHeaders(t, h)
			if tc.busy && h.Get("Retry-After") != "1" {
				t.Errorf("Retry-After %q, want 1", h.Get("Retry-After"))
			}
			doc := parseHTML(t, b)
			alerts := findAll(doc, func(n *html.Node) bool { return attrIs(n, "role", "alert") })
			if len(alerts) != 1 || !strings.Contains(textOf(alerts[0]), tc.msg) {
				t.Fatalf("alerts %d, want one saying %q:\n%s", len(alerts), tc.msg, b)
			}
			if n := len(findAll(doc, func(n *html.Node) bool { return hasClass(n, "tagger-story") })); n != 0 {
				t.Errorf("%d reports beside the error", n)
			}
			ta := findAll(doc, byTag("textarea", "name", "text"))
			if len(ta) != 1 || textOf(ta[0]) != tc.kept {
				t.Errorf("the text box holds %q, want %q", textOf(ta[0]), tc.kept)
			}
		})
	}
}

// TestPageSettings: a server run with a team's settings says so on every
// report it renders, above the verdict; one without says nothing.
func TestPageSettings(t *testing.T) {
	m := testModel(t)
	seed := string(readFile(t, seed003))
	// The sensitivity is the form's, not the server's default (a page
	// checked at low once said the team's high).
	for _, c := range []struct {
		settings      string
		server, asked classify.Sensitivity
		want          string
	}{
		{"from team/.tagger.yaml; thresholds violence 0.90", classify.Balanced, classify.Balanced, "settings: from team/.tagger.yaml; thresholds violence 0.90"},
		{"", classify.Balanced, classify.Balanced, ""},
		{"", classify.Balanced, classify.High, "settings: sensitivity high<"},
		{"from team/.tagger.yaml", classify.High, classify.Low, "settings: from team/.tagger.yaml; sensitivity low<"},
		{"from team/.tagger.yaml", classify.High, classify.Balanced, "settings: from team/.tagger.yaml<"},
	} {
		_, ts, _ := newTestServer(t, Options{Model: m, Settings: c.settings, Sensitivity: c.server})
		ct, body := formPost(t, seed, "", nil, string(c.asked), "")
		code, _, b := postPage(t, ts, ct, body, nil)
		if code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		got := strings.Contains(string(b), `<p class="settings">`)
		if c.want != "" && (!got || !strings.Contains(string(b), c.want)) || c.want == "" && got {
			t.Errorf("settings %q: page says settings %v; want %q", c.settings, got, c.want)
		}
	}
}
