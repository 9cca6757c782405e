package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"sync"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/report"
)

// The moderators' page, at GET / and POST /: a form to paste a story or
// choose a file, and the story's report (report.HTML) below it. The form
// posts without JavaScript (multipart/form-data to /, answered with the
// whole page); page.js only improves it (a post without a reload, keyboard
// submission, drag and drop). The form's post goes through checkStory, as
// POST /v1/check does: the same options, slot, queue, limits and metrics.
//
// Everything the page shows of a request goes through html/template; the
// page runs no inline script or style, and its Content-Security-Policy
// allows only its own assets (served under /assets/ by a name that holds
// their content's hash, so that they can be cached for good).

//go:embed page.html
var pageHTML string

//go:embed page.js
var pageJS []byte

//go:embed page.css
var pageCSS []byte

// pageIcon is the page's icon, linked from the page so that a browser
// does not ask for /favicon.ico (a 404, an error in its console).
const pageIcon = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#0b50c0"/><path d="M4 8.5l2.5 2.5L12 5" fill="none" stroke="#fff" stroke-width="2"/></svg>`

// pageTmpl is parsed on first use (not at the start-up of every tagger
// command) and only ever executed.
var pageTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("page").Parse(pageHTML))
})

// pageCSP allows the page its own script, style sheet and icon, and its
// script a fetch of the form's post, nothing else: no inline script or
// style, no frame around it.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// pastedName is the name a pasted story is read under: its source in the
// report. It has no extension, so the story is read as text.
const pastedName = "pasted text"

// asset is a file of the page, served under /assets/NAME.
type asset struct {
	contentType string
	body        []byte
}

// pageAssets are the page's files, by the names the page links them by;
// read-only once built.
type pageAssets struct {
	css, js, icon string // the names
	files         map[string]asset
}

// newPageAssets names the page's files by their content's hash: a name
// never changes content, so a browser may keep a file for a year, and a
// new tagger serves new names.
func newPageAssets() pageAssets {
	a := pageAssets{files: map[string]asset{}}
	add := func(stem, ext, contentType string, body []byte) string {
		sum := sha256.Sum256(body)
		name := stem + "-" + hex.EncodeToString(sum[:6]) + ext
		a.files[name] = asset{contentType, body}
		return name
	}
	// The report's style sheet and the page's, in one file.
	css := append([]byte(report.HTMLStyle()+"\n"), pageCSS...)
	a.css = add("page", ".css", "text/css; charset=utf-8", css)
	a.js = add("page", ".js", "text/javascript; charset=utf-8", pageJS)
	a.icon = add("icon", ".svg", "image/svg+xml", []byte(pageIcon))
	return a
}

// pageRoutes registers the page and its assets.
func (s *Server) pageRoutes() {
	s.mux.HandleFunc("GET /{$}", s.handlePage)
	s.mux.HandleFunc("POST /{$}", s.handlePagePost)
	s.mux.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", "GET, HEAD, POST")
		writeError(w, r, http.StatusMethodNotAllowed, fmt.Sprintf("%s /: use GET for the page, POST for its form", r.Method))
	})
	s.mux.HandleFunc("GET /assets/{name}", s.handleAsset)
}

func (s *Server) handleAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := s.assets.files[r.PathValue("name")]
	if !ok {
		writeError(w, r, http.StatusNotFound, fmt.Sprintf("no such asset: %s", r.URL.Path))
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Write(a.body)
}

// pageForm is what the form sent, shown again in the page that answers
// it.
type pageForm struct {
	Text        string // the pasted story
	File        string // the chosen file's name
	Sensitivity string
	Explain     string
}

// record keeps a form field's value to show it again; checkOptions.set
// validates it.
func (f *pageForm) record(name, v string) {
	switch name {
	case "sensitivity":
		f.Sensitivity = v
	case "explain":
		f.Explain = v
	}
}

// readForm returns the story of the page's post: the chosen file (st,
// already read) or else the pasted text.
func (s *Server) readForm(ctx context.Context, st *datasets.Story, form *pageForm) (*datasets.Story, error) {
	pasted := strings.TrimSpace(form.Text) != ""
	switch {
	case st != nil && pasted:
		return nil, badRequest("a story was pasted and a file chosen: clear one of them, then check again")
	case st != nil:
		return st, nil
	case form.Text == "":
		return nil, &apiError{http.StatusUnprocessableEntity, "nothing to check: paste a story or choose a file"}
	}
	return datasets.ReadStory(ctx, pastedName, strings.NewReader(form.Text), int64(len(form.Text)), s.opt.Read)
}

// pageData is what page.html shows.
type pageData struct {
	Form          pageForm
	Sensitivities []pageChoice
	Labels        []string
	MaxBytes      int64
	Report        template.HTML // report.HTML's fragment, escaped by it
	Error         string
	Version       string
	Model         string
	CSS, JS, Icon string // the assets' paths
}

// pageChoice is an option of a select.
type pageChoice struct {
	Value, Text string
	Selected    bool
}

// sensitivityChoices says what each sensitivity trades, as the README
// does.
var sensitivityChoices = []pageChoice{
	{Value: string(classify.Low), Text: "low: fewer false alarms, finds less"},
	{Value: string(classify.Balanced), Text: "balanced"},
	{Value: string(classify.High), Text: "high: finds more, about twice the false alarms"},
}

// newPageData returns the page for form, its choices selected.
func (s *Server) newPageData(form pageForm) pageData {
	if form.Sensitivity == "" {
		form.Sensitivity = string(s.opt.Sensitivity)
	}
	d := pageData{Form: form, MaxBytes: s.opt.MaxBodyBytes, Version: s.opt.Version, Model: s.opt.Model.NameVersion(),
		CSS: "/assets/" + s.assets.css, JS: "/assets/" + s.assets.js, Icon: "/assets/" + s.assets.icon}
	for _, c := range sensitivityChoices {
		c.Selected = c.Value == form.Sensitivity
		d.Sensitivities = append(d.Sensitivities, c)
	}
	d.Labels = append(d.Labels, classify.RatingLabel) // the predicted rating, first
	for _, l := range s.opt.Model.Labels() {
		d.Labels = append(d.Labels, l.ID)
	}
	return d
}

func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) {
	if err := s.writePage(w, r, http.StatusOK, s.newPageData(pageForm{})); err != nil {
		s.log.Error("page", "error", err)
		writeError(w, r, http.StatusInternalServerError, err.Error())
	}
}

// handlePagePost checks the story of the page's form and answers the page
// with its report, or with the error in an alert and its status code.
//
// The page has no log-in, so a forged post could only run a check, but a
// cross-origin post is refused all the same (403): a browser says where a
// post comes from in Sec-Fetch-Site or Origin, and http.CrossOriginProtection
// refuses one from another origin than the page's. A request without
// either header (curl, a program) is no browser's and passes.
func (s *Server) handlePagePost(w http.ResponseWriter, r *http.Request) {
	form := &pageForm{}
	if err := s.crossOrigin.Check(r); err != nil {
		s.pageError(w, r, form, &apiError{http.StatusForbidden,
			"a post from another site is refused: open this page and post its form here"})
		return
	}
	err := s.checkStory(w, r, form, func(c *checked) error {
		var buf bytes.Buffer
		if err := report.HTML(&buf, c.report, c.story.Text, report.HTMLOptions{IDPrefix: "r-", Settings: s.settingsFor(c.sensitivity)}); err != nil {
			return fmt.Errorf("render the report: %w", err)
		}
		d := s.newPageData(*form)
		d.Report = template.HTML(buf.String()) // escaped by report.HTML
		w.Header().Set("Tagger-Verdict", c.report.Verdict.Status)
		return s.writePage(w, r, http.StatusOK, d)
	})
	if err != nil {
		s.pageError(w, r, form, err)
	}
}

// pageError answers the page with err in an alert, with the status
// POST /v1/check would answer.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, form *pageForm, err error) {
	code, msg := http.StatusInternalServerError, "internal error: "+err.Error()
	var ae *apiError
	switch {
	case errors.Is(err, errGone):
		infoOf(r).gone = true
		return
	case errors.As(err, &ae):
		code, msg = ae.code, ae.msg
		if code == http.StatusServiceUnavailable {
			w.Header().Set("Retry-After", "1")
			msg += " (press Check again)"
		}
	default:
		s.log.Error("check failed", "path", r.URL.Path, "error", err)
	}
	infoOf(r).err = msg
	d := s.newPageData(*form)
	d.Error = msg
	if err := s.writePage(w, r, code, d); err != nil {
		s.log.Error("page", "error", err)
	}
}

// writePage renders the page with its security headers and code; on an
// error nothing is written.
func (s *Server) writePage(w http.ResponseWriter, r *http.Request, code int, d pageData) error {
	var buf bytes.Buffer
	if err := pageTmpl().Execute(&buf, d); err != nil {
		return fmt.Errorf("render the page: %w", err)
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY") // frame-ancestors for older browsers
	// The page may hold a pasted story: no cache keeps it.
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
	return nil
}

// settingsFor is the report's settings line for a check at sens: the
// server's settings, which leave the sensitivity out, and the sensitivity
// the form asked for when it is not balanced, as check's own report says
// it (a page checked at low must not say the team's high).
func (s *Server) settingsFor(sens classify.Sensitivity) string {
	parts := []string{}
	if s.opt.Settings != "" {
		parts = append(parts, s.opt.Settings)
	}
	if sens != classify.Balanced {
		parts = append(parts, "sensitivity "+string(sens))
	}
	return strings.Join(parts, "; ")
}
