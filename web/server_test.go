package web

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/report"
)

// seed003 is the seed story the README checks: one undeclared warning.
var seed003 = filepath.Join("..", "seeds", "003_ef651ee35373ebd4.txt")

// testModel is the embedded default model.
func testModel(t testing.TB) *classify.Model {
	t.Helper()
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// syncBuffer is a log destination that tests read while the server
// writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newTestServer returns a Server for opt (the default model when
// opt.Model is nil) behind a real HTTP server on loopback, and its log.
func newTestServer(t testing.TB, opt Options) (*Server, *httptest.Server, *syncBuffer) {
	t.Helper()
	if opt.Model == nil {
		opt.Model = testModel(t)
	}
	logs := &syncBuffer{}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.NewJSONHandler(logs, nil))
	}
	opt.Version = "test"
	s, err := New(opt)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, ts, logs
}

func readFile(t testing.TB, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// wantCheck is what `tagger check --format json -` prints for story on
// standard input with the default settings: the reference every answer
// is compared with, computed as check computes it.
func wantCheck(t testing.TB, m *classify.Model, story []byte, opt classify.PredictOptions, explain string) map[string]any {
	t.Helper()
	ctx := context.Background()
	var b bytes.Buffer
	for st := range datasets.Read(ctx, []string{"-"}, datasets.Options{Stdin: bytes.NewReader(story)}) {
		if st.Err != nil {
			t.Fatal(st.Err)
		}
		res, err := pipeline.PredictStory(ctx, m, st, opt)
		if err != nil {
			t.Fatal(err)
		}
		var ex *classify.Explanation
		if explain != "" {
			if ex, err = m.Explain(ctx, st.Text, st.BodyByte, st.BodyLine, explain, opt); err != nil {
				t.Fatal(err)
			}
		}
		if err := report.JSON(&b, report.NewCheck(pipeline.NewRow(st, &res, m, nil), ex)); err != nil {
			t.Fatal(err)
		}
	}
	return decode(t, b.Bytes())
}

func decode(t testing.TB, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("answer is not a JSON object: %v\n%s", err, b)
	}
	return v
}

// post sends a request to ts and returns the status, headers and body.
func post(t testing.TB, ts *httptest.Server, path, contentType string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, ts.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return do(t, ts.Client(), req)
}

func do(t testing.TB, c *http.Client, req *http.Request) (int, http.Header, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// multipartBody builds a multipart upload of files (field "file") and
// fields.
func multipartBody(t testing.TB, files map[string][]byte, fields map[string]string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, data := range files {
		w, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	return mw.FormDataContentType(), buf.Bytes()
}

// testEPUB zips the AO3 EPUB fixture of package datasets.
func testEPUB(t testing.TB) []byte {
	t.Helper()
	dir := filepath.Join("..", "datasets", "testdata", "formats", "ao3-epub")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	w.Write([]byte("application/epub+zip"))
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "mimetype" {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(readFile(t, p))
		return err
	})
	if err == nil {
		err = zw.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestEndpoints(t *testing.T) {
	m := testModel(t)
	_, ts, logs := newTestServer(t, Options{Model: m})
	labels, _ := json.Marshal(m.Labels())
	tests := []struct {
		method, path string
		code         int
		ctype        string
		allow        string
		check        func(t *testing.T, body []byte)
	}{
		{"GET", "/healthz", 200, "text/plain; charset=utf-8", "", func(t *testing.T, b []byte) {
			if string(b) != "ok\n" {
				t.Errorf("body %q, want ok", b)
			}
		}},
		{"HEAD", "/healthz", 200, "text/plain; charset=utf-8", "", nil},
		{"GET", "/v1/labels", 200, "application/json", "", func(t *testing.T, b []byte) {
			var got []map[string]string
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != 36 || got[0]["label"] == "" || got[0]["group"] == "" || got[0]["description"] == "" {
				t.Errorf("%d labels, first %v: want the 36 of the taxonomy", len(got), got[0])
			}
			if !bytes.Equal(bytes.TrimSpace(b), labels) {
				t.Errorf("labels differ from the model's")
			}
		}},
		{"GET", "/v1/version", 200, "application/json", "", func(t *testing.T, b []byte) {
			v := map[string]string{}
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatal(err)
			}
			if v["tagger"] != "test" || v["model"] != m.NameVersion() || !strings.HasPrefix(v["go"], "go") || v["platform"] == "" {
				t.Errorf("version %v: want tagger test, model %s, go, platform", v, m.NameVersion())
			}
		}},
		{"GET", "/metrics", 200, "text/plain", "", func(t *testing.T, b []byte) {
			for _, name := range []string{"tagger_http_requests_total", "tagger_http_request_duration_seconds_bucket",
				"tagger_checks_in_flight 0", "tagger_checks_rejected_total 0", "go_goroutines", "process_resident_memory_bytes"} {
				if !bytes.Contains(b, []byte(name)) {
					t.Errorf("metrics lack %s", name)
				}
			}
		}},
		{"GET", "/", 200, "text/html; charset=utf-8", "", nil},
		{"PUT", "/", 405, "application/json", "GET, HEAD, POST", wantError("PUT /: use GET for the page")},
		{"GET", "/index.html", 404, "application/json", "", wantError("no such endpoint: GET /index.html")},
		{"POST", "/v2/check", 404, "application/json", "", wantError("the endpoints are GET / (the page), POST /v1/check")},
		{"GET", "/v1/check", 405, "application/json", "POST", wantError("GET /v1/check: use POST")},
		{"DELETE", "/healthz", 405, "application/json", "GET, HEAD", wantError("use GET")},
		{"POST", "/metrics", 405, "application/json", "GET, HEAD", wantError("use GET")},
	}
	for _, tc := range tests {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			req, _ := http.NewRequest(tc.method, ts.URL+tc.path, nil)
			code, h, body := do(t, ts.Client(), req)
			if code != tc.code || !strings.HasPrefix(h.Get("Content-Type"), tc.ctype) || h.Get("Allow") != tc.allow {
				t.Fatalf("status %d, Content-Type %q, Allow %q; want %d, %q, %q\n%s", code, h.Get("Content-Type"), h.Get("Allow"), tc.code, tc.ctype, tc.allow, body)
			}
			if tc.check != nil {
				tc.check(t, body)
			}
		})
	}
	// Every request above was logged, once, with what an access log needs.
	n := 0
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		if e["msg"] != "request" {
			continue
		}
		n++
		for _, k := range []string{"method", "path", "route", "status", "bytes", "duration", "remote"} {
			if _, ok := e[k]; !ok {
				t.Errorf("log line %s lacks %s", line, k)
			}
		}
	}
	if n != len(tests) {
		t.Errorf("%d access log lines, want %d:\n%s", n, len(tests), logs)
	}
	// The two paths no route matches are one series, not the page's.
	wantMetrics(t, ts.URL, `tagger_http_requests_total{code="404",method="GET",route="unmatched"} 1`,
		`tagger_http_requests_total{code="404",method="POST",route="unmatched"} 1`)
}

// wantError checks a JSON error body that says msg.
func wantError(msg string) func(t *testing.T, b []byte) {
	return func(t *testing.T, b []byte) {
		t.Helper()
		var e map[string]string
		if err := json.Unmarshal(b, &e); err != nil {
			t.Fatalf("error body %q: %v", b, err)
		}
		if !strings.Contains(e["error"], msg) {
			t.Errorf("error %q, want it to say %q", e["error"], msg)
		}
	}
}

// checkAnswer checks a 200 answer: the report want, with "fails" as
// given and the verdict in the headers too.
func checkAnswer(t *testing.T, code int, h http.Header, body []byte, want map[string]any, fails bool) {
	t.Helper()
	if code != http.StatusOK {
		t.Fatalf("status %d: %s", code, body)
	}
	got := decode(t, body)
	if got["fails"] != fails || h.Get("Tagger-Fails") != fmt.Sprint(fails) {
		t.Errorf("fails %v, Tagger-Fails %q; want %v", got["fails"], h.Get("Tagger-Fails"), fails)
	}
	delete(got, "fails")
	if verdict := got["verdict"].(map[string]any)["status"]; h.Get("Tagger-Verdict") != verdict {
		t.Errorf("Tagger-Verdict %q, verdict %q", h.Get("Tagger-Verdict"), verdict)
	}
	if want != nil && !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("answer differs from check --format json:\n%s\nwant\n%s", g, w)
	}
}

func TestCheckBodies(t *testing.T) {
	m := testModel(t)
	_, ts, _ := newTestServer(t, Options{Model: m})
	seed := readFile(t, seed003)
	want := wantCheck(t, m, seed, classify.PredictOptions{}, "")
	if want["verdict"].(map[string]any)["status"] != "review" {
		t.Fatalf("the seed's verdict is %v; the tests expect review", want["verdict"])
	}
	// As a file, the story keeps its name; otherwise it is check's.
	named := func(name, format string) map[string]any {
		w := wantCheck(t, m, seed, classify.PredictOptions{}, "")
		w["source"], w["id"] = name, strings.TrimSuffix(name, filepath.Ext(name))
		if format != "" {
			w["format"] = format
		}
		return w
	}
	upload := func(name string, data []byte) (string, []byte) {
		return multipartBody(t, map[string][]byte{name: data}, nil)
	}
	txtType, txtBody := upload("003.txt", seed)
	htmlType, htmlBody := upload("work.html", readFile(t, filepath.Join("..", "datasets", "testdata", "formats", "ao3-2024.html")))
	epubType, epubBody := upload("Winter Roads.epub", testEPUB(t))
	declared, _ := json.Marshal(map[string]any{"text": string(seed), "title": "Persis", "rating": "Teen And Up Audiences",
		"warnings": []string{"Graphic Depictions Of Violence"}, "tags": []string{"Fluff"}})

	tests := []struct {
		name        string
		contentType string
		body        []byte
		want        map[string]any
		fails       bool
		check       func(t *testing.T, got map[string]any)
	}{
		{"text/plain", "text/plain; charset=utf-8", seed, want, true, nil},
		{"no Content-Type is text", "", seed, want, true, nil},
		{"JSON with the text only", "application/json", []byte(`{"text": ` + quoteJSON(seed) + `}`), nil, true, func(t *testing.T, got map[string]any) {
			if got["format"] != "jsonl" || !reflect.DeepEqual(got["undeclared_warnings"], want["undeclared_warnings"]) {
				t.Errorf("format %v, undeclared %v; want jsonl, %v", got["format"], got["undeclared_warnings"], want["undeclared_warnings"])
			}
		}},
		{"JSON with declared fields", "application/json", declared, nil, false, func(t *testing.T, got map[string]any) {
			if got["warning_status"] != "declared" || !reflect.DeepEqual(got["declared_warnings"], []any{"violence"}) ||
				len(got["undeclared_warnings"].([]any)) != 0 || got["title"] != "Persis" || got["declared_rating"] != "teen" {
				t.Errorf("declared %v %v, undeclared %v, title %v, rating %v: want violence declared, none undeclared",
					got["warning_status"], got["declared_warnings"], got["undeclared_warnings"], got["title"], got["declared_rating"])
			}
			if got["verdict"].(map[string]any)["status"] != "ok" {
				t.Errorf("verdict %v, want ok", got["verdict"])
			}
		}},
		{"text/plain JSONL record, as check - reads it", "text/plain", append(declared, '\n'), nil, false, func(t *testing.T, got map[string]any) {
			if got["format"] != "jsonl" || got["title"] != "Persis" || !reflect.DeepEqual(got["declared_warnings"], []any{"violence"}) {
				t.Errorf("format %v, title %v, declared %v: want the record's fields read", got["format"], got["title"], got["declared_warnings"])
			}
		}},
		{"multipart .txt", txtType, txtBody, named("003.txt", ""), true, nil},
		{"multipart .html", htmlType, htmlBody, nil, false, func(t *testing.T, got map[string]any) {
			if got["format"] != "ao3-html" || got["source"] != "work.html" || got["id"] != "work" || got["title"] == nil {
				t.Errorf("format %v, source %v, id %v, title %v: want the AO3 download read", got["format"], got["source"], got["id"], got["title"])
			}
		}},
		{"multipart .epub", epubType, epubBody, nil, false, func(t *testing.T, got map[string]any) {
			if got["format"] != "ao3-epub" || got["title"] != "Winter Roads" || got["id"] != "Winter Roads" {
				t.Errorf("format %v, title %v, id %v: want the AO3 EPUB read", got["format"], got["title"], got["id"])
			}
			if !reflect.DeepEqual(got["declared_warnings"], []any{"kidnapping", "death"}) && !reflect.DeepEqual(got["declared_warnings"], []any{"death", "kidnapping"}) {
				t.Errorf("declared warnings %v, want kidnapping and death", got["declared_warnings"])
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, h, body := post(t, ts, "/v1/check", tc.contentType, tc.body)
			checkAnswer(t, code, h, body, tc.want, tc.fails)
			if tc.check != nil {
				tc.check(t, decode(t, body))
			}
		})
	}
}

// quoteJSON returns b as a JSON string.
func quoteJSON(b []byte) string {
	q, _ := json.Marshal(string(b))
	return string(q)
}

func TestCheckOptions(t *testing.T) {
	m := testModel(t)
	_, ts, _ := newTestServer(t, Options{Model: m, FailOn: report.FailRating})
	seed := readFile(t, seed003)
	high := wantCheck(t, m, seed, classify.PredictOptions{Sensitivity: classify.High}, "")
	def := wantCheck(t, m, seed, classify.PredictOptions{}, "")
	explained := wantCheck(t, m, seed, classify.PredictOptions{}, "violence")
	rating := wantCheck(t, m, seed, classify.PredictOptions{}, classify.RatingLabel)
	upType, upBody := multipartBody(t, map[string][]byte{"003.txt": seed}, map[string]string{"sensitivity": "high", "fail-on": "any"})
	upHigh := wantCheck(t, m, seed, classify.PredictOptions{Sensitivity: classify.High}, "")
	upHigh["source"], upHigh["id"] = "003.txt", "003"
	tests := []struct {
		name        string
		query       string
		contentType string
		body        []byte
		want        map[string]any
		fails       bool
	}{
		// The server's fail-on is rating: the seed has an undeclared
		// warning but no rating to under-declare.
		{"the server's defaults", "", "text/plain", seed, def, false},
		{"sensitivity", "?sensitivity=high", "text/plain", seed, high, false},
		{"fail-on", "?fail-on=undeclared", "text/plain", seed, def, true},
		{"fail-on none", "?fail-on=none", "text/plain", seed, def, false},
		{"explain an alias", "?explain=Graphic%20Depictions%20Of%20Violence", "text/plain", seed, explained, false},
		{"explain", "?explain=violence&fail-on=any", "text/plain", seed, explained, true},
		{"explain the rating", "?explain=rating", "text/plain", seed, rating, false},
		{"JSON fields", "", "application/json", []byte(`{"text":` + quoteJSON(seed) + `,"sensitivity":"high","fail_on":"undeclared"}`), nil, true},
		{"JSON fields over the query", "?fail-on=undeclared", "application/json", []byte(`{"text":` + quoteJSON(seed) + `,"fail_on":"none"}`), nil, false},
		{"multipart fields", "", upType, upBody, upHigh, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, h, body := post(t, ts, "/v1/check"+tc.query, tc.contentType, tc.body)
			checkAnswer(t, code, h, body, tc.want, tc.fails)
		})
	}
}

func TestCheckErrors(t *testing.T) {
	_, ts, logs := newTestServer(t, Options{Read: datasets.Options{MaxMarkupBytes: 1 << 10}})
	seed := readFile(t, seed003)
	up := func(files map[string][]byte, fields map[string]string) (string, []byte) {
		return multipartBody(t, files, fields)
	}
	docxType, docxBody := up(map[string][]byte{"story.docx": seed}, nil)
	jsonlType, jsonlBody := up(map[string][]byte{"corpus.jsonl": []byte(`{"text":"x"}`)}, nil)
	noFileType, noFileBody := up(nil, map[string]string{"sensitivity": "high"})
	twoType, twoBody := up(map[string][]byte{"a.txt": seed, "b.txt": seed}, nil)
	badEPUBType, badEPUBBody := up(map[string][]byte{"s.epub": []byte("this is not a zip")}, nil)
	bigHTMLType, bigHTMLBody := up(map[string][]byte{"s.html": bytes.Repeat([]byte("<p>word</p>"), 200)}, nil)
	badFieldType, badFieldBody := up(map[string][]byte{"a.txt": seed}, map[string]string{"sensitivty": "high"})
	tests := []struct {
		name        string
		query       string
		contentType string
		body        []byte
		code        int
		msg         string
	}{
		{"sensitivity", "?sensitivity=extreme", "text/plain", seed, 400, `sensitivity "extreme": use low, balanced or high`},
		{"fail-on", "?fail-on=some", "text/plain", seed, 400, `fail-on "some": use undeclared, rating, any or none`},
		{"explain a misspelt label", "?explain=violense", "text/plain", seed, 400, `explain: unknown label "violense": did you mean "violence"? (GET /v1/labels`},
		{"explain nonsense", "?explain=zzzzzzzz", "text/plain", seed, 400, `explain: unknown label "zzzzzzzz" (GET /v1/labels`},
		{"an unknown option", "?sensitivty=high", "text/plain", seed, 400, `unknown option "sensitivty": the options are sensitivity, fail-on, explain`},
		{"an option twice", "?sensitivity=high&sensitivity=low", "text/plain", seed, 400, "give it once"},
		{"JSON: an unknown field", "", "application/json", []byte(`{"text":"x","warning":"Violence"}`), 400, `unknown field "warning"; a request holds text, and optionally`},
		{"JSON: text not a string", "", "application/json", []byte(`{"text":5}`), 400, `"text" must be a string`},
		{"JSON: no text", "", "application/json", []byte(`{"title":"T"}`), 400, `missing "text"`},
		{"JSON: a field of the wrong type", "", "application/json", []byte(`{"text":"x","title":["a"]}`), 400, `"title" must be a string`},
		{"JSON: invalid", "", "application/json", []byte(`{"text":`), 400, "invalid JSON"},
		{"JSON: two values", "", "application/json", []byte(`{"text":"x"} {}`), 400, "invalid JSON"},
		{"JSON: not an object", "", "application/json", []byte(`["x"]`), 400, `the body is a JSON array; send one object`},
		{"JSON: a number", "", "application/json", []byte(`42`), 400, `the body is a JSON number; send one object`},
		{"JSON: an option not a string", "", "application/json", []byte(`{"text":"x","sensitivity":5}`), 400, `"sensitivity" must be a string`},
		{"JSON: text null", "", "application/json", []byte(`{"text":null}`), 400, `"text" must be a string`},
		{"JSON: a bad option", "", "application/json", []byte(`{"text":"x","sensitivity":"max"}`), 400, "use low, balanced or high"},
		{"multipart: an unknown field", "", badFieldType, badFieldBody, 400, `unknown option "sensitivty"`},
		{"multipart: no file", "", noFileType, noFileBody, 400, "no file in the upload"},
		{"multipart: two files", "", twoType, twoBody, 400, "send one story per request"},
		{"multipart: no boundary", "", "multipart/form-data", seed, 400, "without a boundary"},
		{"a bad Content-Type", "", "text/plain; charset", seed, 400, "Content-Type"},
		{"PDF", "", "application/pdf", seed, 415, "send text/plain"},
		{"a form", "", "application/x-www-form-urlencoded", seed, 415, "add -H 'Content-Type: text/plain'"},
		{"multipart: .docx", "", docxType, docxBody, 415, `the extension ".docx" is not read; send a .txt, .text, .md, .html, .htm, .xhtml, .epub file`},
		{"multipart: a corpus", "", jsonlType, jsonlBody, 415, `the extension ".jsonl" is not read`},
		{"empty", "", "text/plain", nil, 422, "the story cannot be read: read -: empty story"},
		{"binary", "", "text/plain", []byte("PK\x03\x04\x00\x00\x00"), 422, "binary file"},
		{"JSON: empty text", "", "application/json", []byte(`{"text":"  "}`), 422, "empty story"},
		{"not an EPUB", "", badEPUBType, badEPUBBody, 422, "the story cannot be read: read s.epub"},
		{"markup over its cap", "", bigHTMLType, bigHTMLBody, 413, "--max-markup-bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, h, body := post(t, ts, "/v1/check"+tc.query, tc.contentType, tc.body)
			if code != tc.code || h.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, Content-Type %q; want %d, application/json\n%s", code, h.Get("Content-Type"), tc.code, body)
			}
			wantError(tc.msg)(t, body)
		})
	}
	if !strings.Contains(logs.String(), `"status":415`) || !strings.Contains(logs.String(), `"error":"explain: unknown label`) {
		t.Errorf("the access log lacks the statuses and errors:\n%s", logs)
	}
}

// TestHandle adds a page: it answers there, the API, the moderators' page
// and the 404s for other paths stay, and its requests are logged and
// measured like the API's.
func TestHandle(t *testing.T) {
	s, err := New(Options{Model: testModel(t)})
	if err != nil {
		t.Fatal(err)
	}
	s.Handle("GET /about", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, "<!doctype html><title>about tagger</title>")
	}))
	ts := httptest.NewServer(s)
	defer ts.Close()
	tests := []struct {
		path string
		code int
		body string
	}{
		{"/about", 200, "<!doctype html><title>about tagger"},
		{"/", 200, "<h1>Check a story</h1>"},
		{"/index.html", 404, `"error":"no such endpoint: GET /index.html`},
		{"/healthz", 200, "ok"},
	}
	for _, tc := range tests {
		resp, err := ts.Client().Get(ts.URL + tc.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.code || !strings.Contains(string(b), tc.body) {
			t.Errorf("GET %s: %d %q, want %d and %q", tc.path, resp.StatusCode, b, tc.code, tc.body)
		}
	}
	wantMetrics(t, ts.URL, `tagger_http_requests_total{code="200",method="GET",route="GET /about"} 1`)
}
