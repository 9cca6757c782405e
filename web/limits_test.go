package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagger-dev/tagger/classify"
)

// countingReader yields n bytes of story text and counts what is read.
type countingReader struct {
	n    int64
	read atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	left := c.n - c.read.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), left)]
	for i := range p {
		p[i] = "word "[i%5]
	}
	c.read.Add(int64(len(p)))
	return len(p), nil
}

func TestBodyLimit(t *testing.T) {
	const limit = 1 << 20
	_, ts, _ := newTestServer(t, Options{MaxBodyBytes: limit})
	tests := []struct {
		name          string
		size          int64
		contentLength bool // sent with its Content-Length, or chunked
		contentType   string
		maxRead       int64 // the most the server may have had the client send
	}{
		// Refused from its Content-Length: what the client got to send
		// before the answer is what the socket buffers hold, not 64 MiB.
		{"64 MiB with a Content-Length", 64 << 20, true, "text/plain", 16 << 20},
		// Read up to the limit, then refused.
		{"64 MiB chunked", 64 << 20, false, "text/plain", limit + 16<<20},
		{"JSON chunked", 8 << 20, false, "application/json", limit + 16<<20},
		{"one byte over", limit + 1, true, "text/plain", limit + 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			body := &countingReader{n: tc.size}
			req, err := http.NewRequest(http.MethodPost, ts.URL+"/v1/check", io.NopCloser(body))
			if err != nil {
				t.Fatal(err)
			}
			if tc.contentLength {
				req.ContentLength = tc.size
			}
			req.Header.Set("Content-Type", tc.contentType)
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Fatalf("no answer (%d bytes sent): %v", body.read.Load(), err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413: %s", resp.StatusCode, b)
			}
			wantError("over the limit of 1 MiB (1048576 bytes); send a smaller story (tagger serve --max-body-bytes raises the limit)")(t, b)
			n := body.read.Load()
			if n > tc.maxRead {
				t.Errorf("%d bytes were sent of %d: want at most %d", n, tc.size, tc.maxRead)
			}
			t.Logf("413 after %d bytes of %d were sent", n, tc.size)
		})
	}
	// The limit is the body's: a story just under it is checked.
	code, _, b := post(t, ts, "/v1/check", "text/plain", bytes.Repeat([]byte("The knife flashed. "), limit/19))
	if code != http.StatusOK {
		t.Errorf("a story under the limit: status %d: %s", code, b)
	}
}

// TestBusy fills the cap on concurrent checks from the test: a check then
// gets 503 with Retry-After at once, and is answered once a slot frees.
func TestBusy(t *testing.T) {
	s, ts, _ := newTestServer(t, Options{MaxConcurrent: 3, MaxQueued: -1})
	seed := readFile(t, seed003)
	if !s.sem.TryAcquire(3) {
		t.Fatal("the cap is not free")
	}
	start := time.Now()
	code, h, body := post(t, ts, "/v1/check", "text/plain", seed)
	if code != http.StatusServiceUnavailable || h.Get("Retry-After") != "1" {
		t.Fatalf("status %d, Retry-After %q; want 503, 1: %s", code, h.Get("Retry-After"), body)
	}
	wantError("busy: 3 checks are running and 0 waiting, as many as this server takes; retry after 1 second")(t, body)
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the refusal took %v: it must not wait for a slot", d)
	}
	// Other endpoints are not capped.
	if resp, err := ts.Client().Get(ts.URL + "/healthz"); err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("healthz while busy: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}
	s.sem.Release(1)
	if code, _, body := post(t, ts, "/v1/check", "text/plain", seed); code != http.StatusOK {
		t.Fatalf("with a slot free: status %d: %s", code, body)
	}
	s.sem.Release(2)
	wantMetrics(t, ts.URL, "tagger_checks_rejected_total 1", `tagger_stories_checked_total{verdict="review"} 1`,
		`tagger_http_requests_total{code="503",method="POST",route="POST /v1/check"} 1`,
		`tagger_http_requests_total{code="200",method="POST",route="POST /v1/check"} 1`)
}

// TestQueue: with every slot taken, checks wait in the queue and are
// answered when a slot frees; one over the queue is refused at once, and
// one that waits longer than QueueWait is refused with 503.
func TestQueue(t *testing.T) {
	s, ts, _ := newTestServer(t, Options{MaxConcurrent: 1, MaxQueued: 2, QueueWait: 30 * time.Second})
	seed := readFile(t, seed003)
	if !s.sem.TryAcquire(1) {
		t.Fatal("the cap is not free")
	}
	codes := make(chan int, 2)
	for range 2 {
		go func() {
			code, _, _ := post(t, ts, "/v1/check", "text/plain", seed)
			codes <- code
		}()
	}
	for s.waiting.Load() < 2 {
		time.Sleep(5 * time.Millisecond)
	}
	// The queue is full: a third is refused at once.
	if code, h, body := post(t, ts, "/v1/check", "text/plain", seed); code != http.StatusServiceUnavailable || h.Get("Retry-After") != "1" {
		t.Fatalf("over the queue: status %d, Retry-After %q: %s", code, h.Get("Retry-After"), body)
	} else {
		wantError("busy: 1 checks are running and 2 waiting, as many as this server takes; retry after 1 second")(t, body)
	}
	s.sem.Release(1)
	for range 2 {
		if code := <-codes; code != http.StatusOK {
			t.Errorf("a queued check: status %d, want 200 once a slot freed", code)
		}
	}

	s2, ts2, _ := newTestServer(t, Options{MaxConcurrent: 1, QueueWait: 50 * time.Millisecond})
	if !s2.sem.TryAcquire(1) {
		t.Fatal("the cap is not free")
	}
	defer s2.sem.Release(1)
	if code, _, body := post(t, ts2, "/v1/check", "text/plain", seed); code != http.StatusServiceUnavailable {
		t.Fatalf("after QueueWait: status %d: %s", code, body)
	} else {
		// The wait ran out, not the queue: the answer says so.
		wantError("busy: waited 50ms for one of the 1 check slots, all in use; retry after 1 second")(t, body)
	}
	if n := s2.waiting.Load(); n != 0 {
		t.Errorf("%d checks still counted as waiting", n)
	}
}

func getMetrics(t testing.TB, url string) string {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// wantMetrics reads the metrics until they contain every line of want,
// for up to five seconds, and fails t naming those still missing. A
// request is counted once its handler returns, which may be a moment
// after its client has read the answer, so one read could miss it.
func wantMetrics(t testing.TB, url string, want ...string) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		m := getMetrics(t, url)
		var missing []string
		for _, w := range want {
			if !strings.Contains(m, w) {
				missing = append(missing, w)
			}
		}
		if len(missing) == 0 {
			return m
		}
		if time.Now().After(deadline) {
			t.Errorf("metrics lack %s", strings.Join(missing, ", "))
			return m
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestClientGone checks that a client that goes away cancels its check:
// the check's context is done, nothing is counted as checked, the slot is
// freed and the log says 499.
func TestClientGone(t *testing.T) {
	s, ts, logs := newTestServer(t, Options{MaxConcurrent: 1})
	started, cancelled := make(chan struct{}), make(chan bool, 1)
	s.beforeCheck = func(ctx context.Context) {
		close(started)
		select {
		case <-ctx.Done():
			cancelled <- true
		case <-time.After(10 * time.Second):
			cancelled <- false
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.URL+"/v1/check", bytes.NewReader(readFile(t, seed003)))
	req.Header.Set("Content-Type", "text/plain")
	errc := make(chan error, 1)
	go func() {
		resp, err := ts.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Errorf("client: %v, want context.Canceled", err)
	}
	if !<-cancelled {
		t.Fatal("the check's context was not cancelled when its client went away")
	}
	s.beforeCheck = nil
	waitFor(t, "the access log line of the cancelled check", func() bool { return strings.Contains(logs.String(), `"status":499`) })
	metrics := wantMetrics(t, ts.URL, "tagger_checks_in_flight 0", `code="499"`)
	if strings.Contains(metrics, "tagger_stories_checked_total{") {
		t.Errorf("a cancelled check was counted as checked")
	}
	// The one slot is free again.
	if code, _, body := post(t, ts, "/v1/check", "text/plain", readFile(t, seed003)); code != http.StatusOK {
		t.Errorf("after the cancelled check: status %d: %s", code, body)
	}
}

// waitFor polls cond for up to 10 s.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// serving is s.Serve running on a loopback listener.
type serving struct {
	url    string
	cancel context.CancelFunc // cancels Serve's context
	done   chan struct{}      // closed when Serve has returned
	err    error              // what it returned, once done
}

// serve runs s.Serve on a loopback listener until the test ends or
// cancel is called.
func serve(t *testing.T, s *Server) *serving {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	sv := &serving{url: "http://" + ln.Addr().String(), cancel: cancel, done: make(chan struct{})}
	go func() {
		sv.err = s.Serve(ctx, ln)
		close(sv.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-sv.done
	})
	return sv
}

// TestGracefulShutdown cancels Serve's context while a check is in
// flight: the listener closes at once, the check is answered in full,
// and Serve returns nil after it.
func TestGracefulShutdown(t *testing.T) {
	m := testModel(t)
	s, err := New(Options{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	var checkCtx context.Context
	s.beforeCheck = func(ctx context.Context) {
		checkCtx = ctx
		close(started)
		<-release
	}
	sv := serve(t, s)
	url := sv.url
	seed := readFile(t, seed003)
	type result struct {
		code int
		body []byte
		err  error
	}
	resc := make(chan result, 1)
	go func() {
		resp, err := http.Post(url+"/v1/check", "text/plain", bytes.NewReader(seed))
		if err != nil {
			resc <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		resc <- result{resp.StatusCode, b, err}
	}()
	<-started
	sv.cancel()
	// New connections are refused once the shutdown has begun.
	waitFor(t, "the listener to close", func() bool {
		c, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "http://"), time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	select {
	case <-sv.done:
		t.Fatalf("Serve returned (%v) with a check in flight", sv.err)
	case <-time.After(100 * time.Millisecond):
	}
	if checkCtx.Err() != nil {
		t.Fatal("the shutdown cancelled the check in flight")
	}
	close(release)
	res := <-resc
	if res.err != nil || res.code != http.StatusOK {
		t.Fatalf("the check in flight: status %d, err %v: %s", res.code, res.err, res.body)
	}
	checkAnswer(t, res.code, http.Header{"Tagger-Fails": {"true"}, "Tagger-Verdict": {"review"}}, res.body,
		wantCheck(t, m, seed, classify.PredictOptions{}, ""), true)
	if <-sv.done; sv.err != nil {
		t.Errorf("Serve: %v, want nil after a graceful shutdown", sv.err)
	}
}

// TestShutdownTimeout checks that a check still running when the
// shutdown's time is up is cancelled, and that Serve says so.
func TestShutdownTimeout(t *testing.T) {
	s, err := New(Options{Model: testModel(t), ShutdownTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	started, cancelled := make(chan struct{}), make(chan bool, 1)
	s.beforeCheck = func(ctx context.Context) {
		close(started)
		select {
		case <-ctx.Done():
			cancelled <- true
		case <-time.After(10 * time.Second):
			cancelled <- false
		}
	}
	sv := serve(t, s)
	go func() {
		resp, err := http.Post(sv.url+"/v1/check", "text/plain", strings.NewReader("It rained."))
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-started
	sv.cancel()
	<-sv.done
	if err := sv.err; err == nil || !strings.Contains(err.Error(), "requests still running after 200ms were cut off") {
		t.Errorf("Serve: %v, want the cut-off said", err)
	}
	if !<-cancelled {
		t.Error("the check still running was not cancelled")
	}
}

// TestServeListenerError checks that Serve reports a listener that fails.
func TestServeListenerError(t *testing.T) {
	s, err := New(Options{Model: testModel(t)})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	if err := s.Serve(context.Background(), ln); err == nil || !strings.Contains(err.Error(), "serve 127.0.0.1:") {
		t.Errorf("Serve on a closed listener: %v, want an error naming it", err)
	}
}

func TestNewOptions(t *testing.T) {
	m := testModel(t)
	tests := []struct {
		name string
		opt  Options
		msg  string
	}{
		{"no model", Options{}, "Options.Model is required"},
		{"sensitivity", Options{Model: m, Sensitivity: "max"}, `sensitivity "max": use low, balanced or high`},
		{"fail-on", Options{Model: m, FailOn: "some"}, `fail-on "some"`},
		{"threshold of no label", Options{Model: m, Thresholds: map[string]float64{"violense": 0.5}}, `threshold of "violense": not a label id`},
		{"threshold off the scale", Options{Model: m, Thresholds: map[string]float64{"violence": 2}}, "use a score from 0 to 1"},
		{"negative", Options{Model: m, MaxConcurrent: -1}, "must not be negative"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := New(tc.opt); err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("New: %v, want %q", err, tc.msg)
			}
		})
	}
}
