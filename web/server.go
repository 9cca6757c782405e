// Package web serves tagger's checks over HTTP: the service behind
// `tagger serve`. It is built on the standard library's net/http and its
// routing patterns.
//
// # Endpoints
//
//	POST /v1/check    check one story; the answer is the JSON report of
//	                  `tagger check --format json`, plus "fails"
//	GET  /v1/labels   the taxonomy, as a JSON array (tagger labels --json)
//	GET  /v1/version  tagger's version and the model's name@version
//	GET  /healthz     200 "ok" while the model is loaded and serving
//	GET  /metrics     Prometheus metrics (see below)
//	GET  /            the moderators' page (below); POST / its form
//
// A story is sent as text/plain (the body is the story file's bytes), as
// application/json ({"text": ..., "title"?, "rating"?, "warnings"?,
// "tags"?, ...}, read as a line of a JSONL corpus is), or as
// multipart/form-data with one file part named *.txt, *.text, *.md,
// *.html, *.htm, *.xhtml or *.epub. Options come from the query
// (?sensitivity=high&fail-on=undeclared&explain=violence), from the JSON
// fields sensitivity, fail_on and explain, or from multipart fields of
// those names; a request's options override the server's defaults.
//
// Status codes: 200 with the report (its verdict in the body and in the
// Tagger-Verdict header, whether it fails under the fail-on in effect in
// "fails" and Tagger-Fails); 400 for a request to fix (a JSON body
// {"error": ...} says what); 404 and 405 for unknown paths and methods;
// 413 for a body over Options.MaxBodyBytes, refused from its
// Content-Length before anything is read when it has one; 415 for a
// content type or file extension not listed above; 422 for a story that
// cannot be read (empty, binary, an invalid EPUB); 503 with Retry-After
// when Options.MaxConcurrent checks are running and the queue is full or
// the wait too long. A client that
// goes away before its answer cancels its check (logged with status 499).
//
// # Limits
//
// Every request is bounded: its body by Options.MaxBodyBytes (32 MiB), the
// time to read its header and body, to write its answer and to keep an
// idle connection by the timeouts of Options, the checks running at once
// by Options.MaxConcurrent (2×GOMAXPROCS) with at most Options.MaxQueued
// waiting up to Options.QueueWait for a slot before their bodies are read
// (the others are refused with 503, so memory stays bounded), and a
// story's markup by
// the caps of package datasets.
//
// # Metrics
//
// /metrics serves, from a registry of the Server's own:
// tagger_http_requests_total{route,method,code},
// tagger_http_request_duration_seconds{route} (a histogram),
// tagger_stories_checked_total{verdict} (ok, review, not-checked),
// tagger_checks_in_flight, tagger_checks_rejected_total (503s when full),
// and the Go runtime's and the process's collectors (go_*, process_*).
//
// # The moderators' page
//
// GET / is a page for people (page.go): a form to paste a story or choose
// a file, answered by POST / with the same page and the story's report
// (report.HTML) below the form, or the error in an alert with the status
// code POST /v1/check would answer. It works without JavaScript; its
// script and style sheet are embedded and served under /assets/ by names
// that hold their content's hash. The form's post is checked as POST
// /v1/check is, with the same options, slot, queue, limits and metrics. A
// cross-origin post of the form (told by Sec-Fetch-Site or Origin) is
// refused with 403.
//
// # More routes
//
// Any path no route matches is answered 404 in JSON. Server.Handle adds
// routes, such as Handle("GET /about", page): a more specific pattern
// than "/" wins. Handled routes are logged and measured like the others.
package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/report"
)

// Defaults of Options.
const (
	// DefaultMaxBodyBytes caps a request's body: a story upload of 32 MiB
	// is about five million words of text, the longest works on AO3.
	DefaultMaxBodyBytes = 32 << 20
	// DefaultReadHeaderTimeout bounds reading a request's header, so that
	// a client trickling it byte by byte holds no connection for long.
	DefaultReadHeaderTimeout = 10 * time.Second
	// DefaultReadTimeout bounds reading a whole request, body included:
	// 32 MiB in a minute needs about 4.5 Mbit/s.
	DefaultReadTimeout = 60 * time.Second
	// DefaultWriteTimeout bounds a request from the end of its header to
	// the end of its answer: reading the body, checking the story (a few
	// seconds for the largest) and writing the report.
	DefaultWriteTimeout = 90 * time.Second
	// DefaultIdleTimeout closes a kept-alive connection left idle.
	DefaultIdleTimeout = 120 * time.Second
	// DefaultShutdownTimeout is how long Serve waits for requests in
	// flight once its context is done, before cutting them off.
	DefaultShutdownTimeout = 10 * time.Second
	// DefaultQueueWait is how long a check waits for a slot when
	// Options.MaxConcurrent checks are running.
	DefaultQueueWait = 5 * time.Second
)

// Options configure a Server. Model is required; zero values take the
// defaults.
type Options struct {
	// Model checks the stories.
	Model *classify.Model
	// Sensitivity is the default sensitivity (classify.Balanced when
	// empty); a request may ask for another.
	Sensitivity classify.Sensitivity
	// FailOn is the default of what makes a story fail ("fails" in the
	// answer; report.FailAny when empty); a request may ask for another.
	FailOn report.FailOn
	// Thresholds are per-label thresholds, as classify.PredictOptions
	// takes them (a team's configuration file).
	Thresholds map[string]float64
	// Settings, when set, describes the team settings the server checks
	// with (a configuration file, thresholds, lexicon overlays), but not
	// the sensitivity, which each request may set: each report page says
	// it above the verdict (report.HTMLOptions.Settings), with the
	// sensitivity of that check when it is not balanced.
	Settings string
	// Read holds the caps on reading a story (MaxMarkupBytes,
	// MaxStoryBytes, MaxLineBytes); zero fields keep package datasets'
	// defaults.
	Read datasets.Options

	// MaxBodyBytes caps a request's body (DefaultMaxBodyBytes when 0).
	MaxBodyBytes int64
	// MaxConcurrent caps the checks running at once (2×GOMAXPROCS when 0).
	MaxConcurrent int
	// MaxQueued caps the checks waiting for one of those slots (16 ×
	// MaxConcurrent when 0; a negative value queues none). A check over
	// both caps, or one that waited QueueWait (DefaultQueueWait when 0)
	// without a slot, is refused with 503 and Retry-After. A waiting check
	// has not read its body yet, so the queue costs little memory, and a
	// burst of submissions is answered rather than bounced.
	MaxQueued int
	QueueWait time.Duration
	// Timeouts of the http.Server (the Default* constants when 0).
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// ShutdownTimeout is how long Serve lets requests in flight finish
	// (DefaultShutdownTimeout when 0).
	ShutdownTimeout time.Duration

	// Logger receives one line per request at info level (method, path,
	// route, status, bytes, duration, remote address) and the server's
	// errors; nil discards them.
	Logger *slog.Logger
	// Version is tagger's version, for /v1/version.
	Version string
}

// Server is the HTTP service. It is an http.Handler (for tests and for
// mounting under another server) and serves on a listener with Serve.
type Server struct {
	opt     Options
	log     *slog.Logger
	mux     *http.ServeMux
	sem     *semaphore.Weighted
	waiting atomic.Int64 // checks waiting for a slot of sem
	metrics *metrics
	labels  []byte // the answer of /v1/labels, read-only
	version []byte // the answer of /v1/version, read-only
	assets  pageAssets
	// crossOrigin refuses the page's form posted from another site.
	crossOrigin *http.CrossOriginProtection

	// beforeCheck, when set (by tests), runs before a story is scored.
	beforeCheck func(context.Context)
}

// New returns a Server for opt, or an error when an option is invalid.
func New(opt Options) (*Server, error) {
	if opt.Model == nil {
		return nil, errors.New("web: Options.Model is required")
	}
	if opt.Read.Taxonomy == nil {
		// Declarations are read against the labels the model predicts.
		opt.Read.Taxonomy = opt.Model.Taxonomy()
	}
	// A story's words are the tokens scored (pipeline.PredictStory).
	opt.Read.NoWordCount = true
	if opt.Sensitivity == "" {
		opt.Sensitivity = classify.Balanced
	}
	if _, err := classify.ParseSensitivity(string(opt.Sensitivity)); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if opt.FailOn == "" {
		opt.FailOn = report.FailAny
	}
	if _, err := report.ParseFailOn(string(opt.FailOn)); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	for label, v := range opt.Thresholds {
		// Ids only: classify ignores a threshold whose key is not one.
		if id, err := opt.Model.LabelID(label); err != nil || id != label {
			return nil, fmt.Errorf("web: threshold of %q: not a label id of the model (see /v1/labels)", label)
		}
		if v < 0 || v > 1 {
			return nil, fmt.Errorf("web: threshold of %s is %g: use a score from 0 to 1", label, v)
		}
	}
	if opt.MaxBodyBytes < 0 || opt.MaxConcurrent < 0 {
		return nil, errors.New("web: MaxBodyBytes and MaxConcurrent must not be negative")
	}
	if opt.MaxBodyBytes == 0 {
		opt.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if opt.MaxConcurrent == 0 {
		opt.MaxConcurrent = 2 * runtime.GOMAXPROCS(0)
	}
	switch {
	case opt.MaxQueued == 0:
		opt.MaxQueued = 16 * opt.MaxConcurrent
	case opt.MaxQueued < 0:
		opt.MaxQueued = 0
	}
	if opt.QueueWait <= 0 {
		opt.QueueWait = DefaultQueueWait
	}
	for _, d := range []struct {
		v   *time.Duration
		def time.Duration
	}{
		{&opt.ReadHeaderTimeout, DefaultReadHeaderTimeout},
		{&opt.ReadTimeout, DefaultReadTimeout},
		{&opt.WriteTimeout, DefaultWriteTimeout},
		{&opt.IdleTimeout, DefaultIdleTimeout},
		{&opt.ShutdownTimeout, DefaultShutdownTimeout},
	} {
		if *d.v <= 0 {
			*d.v = d.def
		}
	}
	s := &Server{opt: opt, log: opt.Logger, mux: http.NewServeMux(),
		sem: semaphore.NewWeighted(int64(opt.MaxConcurrent)), metrics: newMetrics(),
		assets: newPageAssets(), crossOrigin: http.NewCrossOriginProtection()}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	var err error
	if s.labels, err = json.Marshal(opt.Model.Labels()); err != nil {
		return nil, fmt.Errorf("web: labels: %w", err)
	}
	s.version, err = json.Marshal(map[string]string{
		"tagger": opt.Version, "model": opt.Model.NameVersion(),
		"go": runtime.Version(), "platform": runtime.GOOS + "/" + runtime.GOARCH,
	})
	if err != nil {
		return nil, fmt.Errorf("web: version: %w", err)
	}
	// Answers end with a newline, as the CLI's JSON does.
	s.labels, s.version = append(s.labels, '\n'), append(s.version, '\n')
	s.routes()
	return s, nil
}

// routes registers the API. A path of the API asked with another method
// is answered 405 with Allow (the pattern without a method is less
// specific than the one with it), not the catch-all's 404.
func (s *Server) routes() {
	api := []struct {
		method, path string
		h            http.HandlerFunc
	}{
		{"POST", "/v1/check", s.handleCheck},
		{"GET", "/v1/labels", s.handleLabels},
		{"GET", "/v1/version", s.handleVersion},
		{"GET", "/healthz", s.handleHealth},
		{"GET", "/metrics", s.metrics.handler().ServeHTTP},
	}
	for _, r := range api {
		s.mux.HandleFunc(r.method+" "+r.path, r.h)
		allow := r.method
		if allow == "GET" {
			allow = "GET, HEAD"
		}
		s.mux.HandleFunc(r.path, func(w http.ResponseWriter, req *http.Request) {
			w.Header().Set("Allow", allow)
			writeError(w, req, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use %s", req.Method, r.path, r.method))
		})
	}
	s.pageRoutes()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, req *http.Request) {
		writeError(w, req, http.StatusNotFound, fmt.Sprintf("no such endpoint: %s %s; the endpoints are GET / (the page), POST /v1/check, GET /v1/labels, GET /v1/version, GET /healthz and GET /metrics",
			req.Method, req.URL.Path))
	})
}

// Handle registers handler for pattern (a net/http routing pattern, such
// as "GET /about"), beside the API and the page; it panics, as
// http.ServeMux.Handle does, when pattern conflicts with a registered one.
// Call it before serving.
func (s *Server) Handle(pattern string, handler http.Handler) {
	s.mux.Handle(pattern, handler)
}

// ServeHTTP serves one request: it routes it, and logs and measures it.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &requestInfo{}
	r = r.WithContext(context.WithValue(r.Context(), infoKey{}, info))
	sw := &statusWriter{ResponseWriter: w}
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			// The server would recover it too, but then neither the log
			// nor the metrics would show the request.
			buf := make([]byte, 8<<10)
			buf = buf[:runtime.Stack(buf, false)]
			s.log.Error("panic serving request", "path", r.URL.Path, "panic", fmt.Sprint(v), "stack", string(buf))
			if sw.code == 0 {
				writeError(sw, r, http.StatusInternalServerError, "internal error")
			}
		}
		s.done(r, sw, info, time.Since(start))
	}()
	s.mux.ServeHTTP(sw, r)
}

// done logs and measures a request once answered.
func (s *Server) done(r *http.Request, sw *statusWriter, info *requestInfo, d time.Duration) {
	code := sw.status()
	if info.gone {
		code = statusClientGone
	}
	route := r.Pattern
	if route == "" || route == "/" {
		// "/" is the catch-all that answers 404 (the page is "GET /{$}"):
		// a path no route matches, however many there are, is one series.
		route = "unmatched"
	}
	s.metrics.request(route, r.Method, code, d)
	attrs := []slog.Attr{
		slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("route", route),
		slog.Int("status", code), slog.Int64("bytes", sw.n), slog.Duration("duration", d),
		slog.String("remote", r.RemoteAddr),
	}
	if info.verdict != "" {
		attrs = append(attrs, slog.String("verdict", info.verdict))
	}
	if info.err != "" {
		attrs = append(attrs, slog.String("error", info.err))
	}
	s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
}

// statusClientGone is the status logged for a request whose client went
// away before its answer (nginx's 499); nothing is written.
const statusClientGone = 499

// Serve serves HTTP on ln until ctx is done, then shuts down gracefully:
// it stops accepting connections and lets requests in flight finish, for
// at most Options.ShutdownTimeout, after which they are cancelled. It
// returns nil after a graceful shutdown, and an error when serving failed
// or requests had to be cut off. Serve closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	// Requests do not inherit ctx's cancellation: a shutdown lets them
	// finish. base is cancelled only when the shutdown times out.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.opt.ReadHeaderTimeout,
		ReadTimeout:       s.opt.ReadTimeout,
		WriteTimeout:      s.opt.WriteTimeout,
		IdleTimeout:       s.opt.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve %s: %w", ln.Addr(), err)
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing the requests in flight", "timeout", s.opt.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), s.opt.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		cancelBase()
		hs.Close()
		err = fmt.Errorf("shutdown: requests still running after %s were cut off: %w", s.opt.ShutdownTimeout, err)
	}
	if serr := <-errc; !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = fmt.Errorf("serve %s: %w", ln.Addr(), serr)
	}
	return err
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}

func (s *Server) handleLabels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, s.labels)
}

func (s *Server) handleVersion(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, s.version)
}

// writeJSON writes an encoded JSON answer, shared by every request and
// never changed, with status 200.
func writeJSON(w http.ResponseWriter, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}

// writeError answers code with the JSON body {"error": msg} and notes msg
// for the access log.
func writeError(w http.ResponseWriter, r *http.Request, code int, msg string) {
	if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		info.err = msg
	}
	var buf bytes.Buffer
	report.JSON(&buf, map[string]string{"error": msg})
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// requestInfo is what a handler tells the access log about its request.
type requestInfo struct {
	verdict string // a check's verdict status
	err     string // the error answered
	gone    bool   // the client went away before the answer
}

type infoKey struct{}

// infoOf returns the requestInfo of r (a fresh one when r has none, as
// when a handler is called without ServeHTTP).
func infoOf(r *http.Request) *requestInfo {
	if info, ok := r.Context().Value(infoKey{}).(*requestInfo); ok {
		return info
	}
	return &requestInfo{}
}

// statusWriter records the status and the size of an answer.
type statusWriter struct {
	http.ResponseWriter
	code int
	n    int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.code == 0 && code >= 200 {
		w.code = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.code == 0 {
		w.code = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.n += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// status is the answer's status (200 when the handler wrote nothing).
func (w *statusWriter) status() int {
	if w.code == 0 {
		return http.StatusOK
	}
	return w.code
}
