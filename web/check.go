package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/report"
)

// answer is the body of a check's 200: the report exactly as `tagger
// check --format json` writes it, and whether the story fails under the
// fail-on in effect.
type answer struct {
	report.Check
	Fails bool `json:"fails"`
}

// checkOptions are what a request may set: the server's defaults
// otherwise.
type checkOptions struct {
	sensitivity classify.Sensitivity
	failOn      report.FailOn
	explain     string // a label id, "" for none
}

// uploadExtensions are the extensions of the story files a multipart
// upload may carry: the story formats of package datasets, without its
// corpora.
var uploadExtensions = []string{".txt", ".text", ".md", ".html", ".htm", ".xhtml", ".epub"}

// apiError is a request that fails with an HTTP status and a message
// saying what to do.
type apiError struct {
	code int
	msg  string
}

func (e *apiError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &apiError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// errGone reports a client that went away: nothing is answered.
var errGone = errors.New("the client went away")

func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) {
	if err := s.check(w, r); err != nil {
		var ae *apiError
		switch {
		case errors.Is(err, errGone):
			infoOf(r).gone = true
		case errors.As(err, &ae):
			if ae.code == http.StatusServiceUnavailable {
				w.Header().Set("Retry-After", "1")
			}
			writeError(w, r, ae.code, ae.msg)
		default:
			s.log.Error("check failed", "path", r.URL.Path, "error", err)
			writeError(w, r, http.StatusInternalServerError, err.Error())
		}
	}
}

// acquire takes a check slot, waiting in the bounded queue when all are
// taken: a 503 error when the queue is full or the wait passes
// Options.QueueWait, errGone when the client leaves meanwhile.
func (s *Server) acquire(ctx context.Context) error {
	if s.sem.TryAcquire(1) {
		return nil
	}
	// The two refusals say which limit was met: a full queue, or a wait
	// for a slot longer than the server grants.
	busy := func(why string) error {
		s.metrics.rejected.Inc()
		return &apiError{http.StatusServiceUnavailable, "busy: " + why + "; retry after 1 second"}
	}
	if s.waiting.Add(1) > int64(s.opt.MaxQueued) {
		s.waiting.Add(-1)
		return busy(fmt.Sprintf("%d checks are running and %d waiting, as many as this server takes", s.opt.MaxConcurrent, s.opt.MaxQueued))
	}
	defer s.waiting.Add(-1)
	wctx, cancel := context.WithTimeout(ctx, s.opt.QueueWait)
	defer cancel()
	if err := s.sem.Acquire(wctx, 1); err != nil {
		if ctx.Err() != nil {
			return errGone
		}
		return busy(fmt.Sprintf("waited %v for one of the %d check slots, all in use", s.opt.QueueWait, s.opt.MaxConcurrent))
	}
	return nil
}

// check answers one POST /v1/check, or returns the error to answer.
func (s *Server) check(w http.ResponseWriter, r *http.Request) error {
	return s.checkStory(w, r, nil, func(c *checked) error {
		a := answer{Check: c.report, Fails: c.fails}
		var buf bytes.Buffer
		if err := report.JSON(&buf, a); err != nil {
			return fmt.Errorf("encode the report: %w", err)
		}
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Tagger-Verdict", a.Verdict.Status)
		h.Set("Tagger-Fails", strconv.FormatBool(a.Fails))
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Length", strconv.Itoa(buf.Len()))
		w.Write(buf.Bytes())
		return nil
	})
}

// checked is one story checked: what POST /v1/check and the page answer.
type checked struct {
	story       *datasets.Story
	report      report.Check
	fails       bool                 // under the fail-on in effect
	sensitivity classify.Sensitivity // the request's
}

// checkStory reads the story of r and checks it, then calls answer with
// the result while still holding the check's slot (so that the memory of
// writing the answer is bounded with the rest), or returns the error to
// answer. It is the one path of POST /v1/check and of the page's form
// (form not nil: a multipart post of the page, whose fields are recorded
// in form to show them again), so that both parse the same options, wait
// in the same queue, keep the same limits and count in the same metrics.
func (s *Server) checkStory(w http.ResponseWriter, r *http.Request, form *pageForm, answer func(*checked) error) error {
	if r.ContentLength > s.opt.MaxBodyBytes {
		// Refused before a byte of the body is read; the server closes the
		// connection rather than drain a body this large.
		return s.tooLarge()
	}
	opt, err := s.queryOptions(r.URL.Query())
	if err != nil {
		return err
	}
	if form != nil {
		if kind, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); kind != "multipart/form-data" {
			return &apiError{http.StatusUnsupportedMediaType, fmt.Sprintf(
				"the page's form is sent as multipart/form-data, not %q; to send a story from a program, POST it to /v1/check", kind)}
		}
	}
	kind, params, err := contentType(r)
	if err != nil {
		return err
	}
	// The cap is taken before the body is read: reading it is most of a
	// check's memory. A bounded queue with a bounded wait absorbs bursts
	// and keeps memory and latency bounded under load; clients refused
	// retry after a second.
	if err := s.acquire(r.Context()); err != nil {
		return err
	}
	defer s.sem.Release(1)
	s.metrics.inFlight.Inc()
	defer s.metrics.inFlight.Dec()

	ctx := r.Context()
	r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxBodyBytes)
	var st *datasets.Story
	switch kind {
	case "text/plain":
		// The body is a story file, read as `tagger check -` reads
		// standard input: unnamed (source "-", id "stdin").
		st, err = datasets.ReadStory(ctx, "-", r.Body, r.ContentLength, s.opt.Read)
	case "application/json":
		st, err = s.readJSON(ctx, r.Body, r.ContentLength, &opt)
	case "multipart/form-data":
		st, err = s.readMultipart(ctx, r, params["boundary"], &opt, form)
	}
	if err != nil {
		return s.readError(ctx, err, kind == "application/json")
	}
	if opt.explain != "" {
		// A misspelt label fails before the story is scored, with the
		// closest id; "rating" explains the predicted rating.
		if opt.explain, err = s.opt.Model.ExplainName(opt.explain); err != nil {
			msg := strings.TrimRight(strings.TrimSuffix(err.Error(), "see tagger labels for the label ids"), " :")
			return badRequest("explain: %s (GET /v1/labels lists the label ids; \"rating\" explains the rating)", msg)
		}
	}
	if s.beforeCheck != nil {
		s.beforeCheck(ctx)
	}
	popt := classify.PredictOptions{Sensitivity: opt.sensitivity, Thresholds: s.opt.Thresholds}
	res, err := pipeline.PredictStory(ctx, s.opt.Model, st, popt)
	if err != nil {
		if ctx.Err() != nil {
			return errGone
		}
		return fmt.Errorf("check %s: %w", st.Source, err)
	}
	row := pipeline.NewRow(st, &res, s.opt.Model, nil)
	var ex *classify.Explanation
	if opt.explain != "" {
		if ex, err = s.opt.Model.Explain(ctx, st.Text, st.BodyByte, st.BodyLine, opt.explain, popt); err != nil {
			if ctx.Err() != nil {
				return errGone
			}
			return fmt.Errorf("explain %s: %w", opt.explain, err)
		}
	}
	c := &checked{story: st, report: report.NewCheck(row, ex), fails: opt.failOn.Fails(row), sensitivity: opt.sensitivity}
	c.report.Scenes = res.Scenes
	if err := answer(c); err != nil {
		return err
	}
	s.metrics.stories.WithLabelValues(c.report.Verdict.Status).Inc()
	infoOf(r).verdict = c.report.Verdict.Status
	return nil
}

func (s *Server) tooLarge() error {
	return &apiError{http.StatusRequestEntityTooLarge, fmt.Sprintf(
		"the body is over the limit of %s; send a smaller story (tagger serve --max-body-bytes raises the limit)", byteSize(s.opt.MaxBodyBytes))}
}

// readError turns an error reading a request's story into the error to
// answer: 413 for a body or story over a cap, 422 for a story that cannot
// be read, 400 for a malformed request (and for a JSON record's fields of
// the wrong type, when isJSON is set).
func (s *Server) readError(ctx context.Context, err error, isJSON bool) error {
	var ae *apiError
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &ae):
		return err
	case errors.As(err, &mbe):
		return s.tooLarge()
	case ctx.Err() != nil:
		return errGone
	case errors.Is(err, datasets.ErrTooLarge):
		return &apiError{http.StatusRequestEntityTooLarge, err.Error()}
	case errors.Is(err, datasets.ErrCorpus):
		return &apiError{http.StatusUnsupportedMediaType, err.Error()}
	case isJSON && !errors.Is(err, datasets.ErrEmpty) && !errors.Is(err, datasets.ErrBinary) && !errors.Is(err, datasets.ErrEncoding):
		return badRequest("%v", err)
	}
	return &apiError{http.StatusUnprocessableEntity, "the story cannot be read: " + err.Error()}
}

// contentType returns the request's media type, one of those check reads;
// a request without one is taken for text.
func contentType(r *http.Request) (string, map[string]string, error) {
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return "text/plain", nil, nil
	}
	kind, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", nil, badRequest("Content-Type %q: %v", ct, err)
	}
	switch kind {
	case "text/plain", "application/json", "multipart/form-data":
		return kind, params, nil
	}
	hint := ""
	if kind == "application/x-www-form-urlencoded" {
		hint = " (curl --data-binary sends this unless told otherwise: add -H 'Content-Type: text/plain')"
	}
	return "", nil, &apiError{http.StatusUnsupportedMediaType, fmt.Sprintf(
		"Content-Type %s is not read%s; send text/plain (the story file's bytes), application/json ({\"text\": ...}) or multipart/form-data (a %s file)",
		kind, hint, strings.Join(uploadExtensions, ", "))}
}

// queryParams are the options a query may set; a query naming anything
// else is refused, so that a misspelt option is not silently ignored.
var queryParams = []string{"sensitivity", "fail-on", "explain"}

// queryOptions returns the server's defaults overridden by the query's.
func (s *Server) queryOptions(q url.Values) (checkOptions, error) {
	opt := checkOptions{sensitivity: s.opt.Sensitivity, failOn: s.opt.FailOn}
	for key, vs := range q {
		if len(vs) != 1 {
			return opt, badRequest("query parameter %q is given %d times: give it once", key, len(vs))
		}
		if err := opt.set(key, vs[0]); err != nil {
			return opt, err
		}
	}
	return opt, nil
}

// set sets the option key, named as in a query (or with an underscore,
// as in JSON), to v.
func (o *checkOptions) set(key, v string) error {
	switch key {
	case "sensitivity":
		sens, err := classify.ParseSensitivity(v)
		if err != nil {
			return badRequest("%v", err)
		}
		o.sensitivity = sens
	case "fail-on", "fail_on":
		f, err := report.ParseFailOn(v)
		if err != nil {
			return badRequest("%s", strings.TrimPrefix(err.Error(), "--"))
		}
		o.failOn = f
	case "explain":
		o.explain = v
	default:
		return badRequest("unknown option %q: the options are %s", key, strings.Join(queryParams, ", "))
	}
	return nil
}

// jsonFields are the fields a JSON request may hold: a JSONL corpus
// record's text, id and declared fields, and the options. The record's
// fields are read by datasets.ReadRecord, as a corpus line's are; a field
// not listed is refused, so that a misspelt one is not silently ignored.
var jsonFields = []string{"text", "id", "title", "rating", "warnings", "tags", "summary", "notes", "sensitivity", "fail_on", "explain"}

// jsonFieldList names jsonFields, for errors.
const jsonFieldList = "text, and optionally id, title, rating, warnings, tags, summary, notes, sensitivity, fail_on, explain"

// jsonKind records the first byte of a JSON value, which tells its type,
// without copying the value: a request's text may run to megabytes.
type jsonKind byte

func (k *jsonKind) UnmarshalJSON(b []byte) error {
	*k = jsonKind(b[0])
	return nil
}

// readJSON reads a JSON request's story and sets the options it holds.
// The body is decoded without a copy of the text beside the one the story
// keeps: its fields are listed by kind, the options decoded on their own.
func (s *Server) readJSON(ctx context.Context, body io.Reader, size int64, opt *checkOptions) (*datasets.Story, error) {
	raw, err := readBody(body, size)
	if err != nil {
		return nil, err
	}
	var fields map[string]jsonKind
	if err := json.Unmarshal(raw, &fields); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			// Not an object: say what came, not the Go type it missed.
			return nil, badRequest("the body is a JSON %s; send one object {\"text\": ...}", te.Value)
		}
		return nil, badRequest("invalid JSON: %v; send one object {\"text\": ...}", err)
	}
	var unknown []string
	for k := range fields {
		if !slices.Contains(jsonFields, k) {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, badRequest("unknown field %q; a request holds %s", unknown[0], jsonFieldList)
	}
	switch text, ok := fields["text"]; {
	case !ok:
		return nil, badRequest("missing \"text\": a request holds %s", jsonFieldList)
	case text != '"':
		return nil, badRequest("\"text\" must be a string")
	}
	var o struct {
		Sensitivity *string `json:"sensitivity"`
		FailOn      *string `json:"fail_on"`
		Explain     *string `json:"explain"`
	}
	if err := json.Unmarshal(raw, &o); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, badRequest("%q must be a string", te.Field)
		}
		return nil, badRequest("invalid JSON: %v", err)
	}
	for _, o := range []struct {
		key string
		v   *string
	}{{"sensitivity", o.Sensitivity}, {"fail_on", o.FailOn}, {"explain", o.Explain}} {
		if o.v != nil {
			if err := opt.set(o.key, *o.v); err != nil {
				return nil, err
			}
		}
	}
	// The body is the record: its options are fields the corpus reader
	// ignores, as it ignores any other in a corpus line.
	return datasets.ReadRecord(ctx, "-", raw, s.opt.Read)
}

// readBody reads a body of size bytes (-1 when unknown) into a buffer of
// its size, rather than one grown by doubling.
func readBody(body io.Reader, size int64) ([]byte, error) {
	var buf bytes.Buffer
	if size > 0 {
		buf.Grow(int(size) + bytes.MinRead)
	}
	_, err := buf.ReadFrom(body)
	return buf.Bytes(), err
}

// maxOptionBytes bounds a multipart option's value.
const maxOptionBytes = 1 << 10

// readMultipart reads the one story file of a multipart upload, and the
// options its other fields hold. With form (the page's post), a story may
// come as the field "text" instead (a pasted story), an empty file field
// (no file chosen) and an empty explain are ignored, and form records the
// fields to show them again.
func (s *Server) readMultipart(ctx context.Context, r *http.Request, boundary string, opt *checkOptions, form *pageForm) (*datasets.Story, error) {
	if boundary == "" {
		return nil, badRequest("multipart/form-data without a boundary")
	}
	// The parts are read as they stream in: nothing is kept on disk, and
	// only the story's bytes in memory.
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("multipart: %v", err)
	}
	var st *datasets.Story
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) || ctx.Err() != nil {
				return nil, err
			}
			return nil, badRequest("multipart: %v", err)
		}
		name, file := part.FormName(), part.FileName()
		if file == "" {
			if !strings.Contains(part.Header.Get("Content-Disposition"), "filename") {
				if form != nil && name == "text" {
					// The body's cap bounds it; a pasted story is read once
					// whole, below, when no file comes.
					b, err := io.ReadAll(part)
					if err != nil {
						return nil, err
					}
					form.Text = string(b)
					continue
				}
				v, err := io.ReadAll(io.LimitReader(part, maxOptionBytes+1))
				if err != nil {
					return nil, err
				}
				if len(v) > maxOptionBytes {
					return nil, badRequest("multipart field %q is over %d bytes", name, maxOptionBytes)
				}
				if form != nil {
					form.record(name, string(v))
					if name == "explain" && len(v) == 0 {
						continue // the page's "none"
					}
				}
				if err := opt.set(name, string(v)); err != nil {
					return nil, err
				}
				continue
			}
			if form != nil {
				// A browser sends the file input with no file chosen as
				// a part with an empty name and no bytes.
				if _, err := io.Copy(io.Discard, part); err != nil {
					return nil, err
				}
				continue
			}
			return nil, badRequest("multipart field %q is a file without a name; name it *.txt, *.html or *.epub", name)
		}
		if st != nil {
			return nil, badRequest("more than one file; send one story per request")
		}
		if form != nil {
			form.File = file
		}
		ext := strings.ToLower(path.Ext(file))
		if !slices.Contains(uploadExtensions, ext) {
			return nil, &apiError{http.StatusUnsupportedMediaType, fmt.Sprintf(
				"file %q: the extension %q is not read; send a %s file", file, ext, strings.Join(uploadExtensions, ", "))}
		}
		if st, err = datasets.ReadStory(ctx, file, part, -1, s.opt.Read); err != nil {
			return nil, err
		}
	}
	if form != nil {
		return s.readForm(ctx, st, form)
	}
	if st == nil {
		return nil, badRequest("no file in the upload; send the story as a file field (curl -F file=@story.txt)")
	}
	return st, nil
}

// byteSize writes a byte count as people read it: "32 MiB" for a whole
// number of MiB, else "1500 bytes".
func byteSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB (%d bytes)", n>>20, n)
	}
	return fmt.Sprintf("%d bytes", n)
}
