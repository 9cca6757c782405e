package web

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/tagger-dev/tagger/classify"
)

// TestConcurrentSeed sends 40 checks of a seed at once: every one is
// answered, with the report check --format json prints for it.
func TestConcurrentSeed(t *testing.T) {
	m := testModel(t)
	_, ts, _ := newTestServer(t, Options{Model: m})
	seed := readFile(t, seed003)
	want := wantCheck(t, m, seed, classify.PredictOptions{}, "")
	const n = 40
	bodies := make([][]byte, n)
	codes := make([]int, n)
	headers := make([]http.Header, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/check", bytes.NewReader(seed))
			req.Header.Set("Content-Type", "text/plain")
			resp, err := ts.Client().Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			bodies[i], _ = io.ReadAll(resp.Body)
			codes[i], headers[i] = resp.StatusCode, resp.Header
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		checkAnswer(t, codes[i], headers[i], bodies[i], want, true)
		if !bytes.Equal(bodies[i], bodies[0]) {
			t.Errorf("answer %d differs from answer 0", i)
		}
	}
}

// seedStories are the four seed stories.
func seedStories(t testing.TB) [][]byte {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "seeds", "*.txt"))
	if err != nil || len(paths) != 4 {
		t.Fatalf("seeds: %v %v", paths, err)
	}
	var out [][]byte
	for _, p := range paths {
		out = append(out, readFile(t, p))
	}
	return out
}

// load sends n checks of stories (in turn) to url from c clients at once,
// and returns each one's latency; answer checks each answer.
func load(t testing.TB, client *http.Client, url string, stories [][]byte, n, c int, answer func(i, code int, h http.Header, body []byte)) []time.Duration {
	t.Helper()
	lat := make([]time.Duration, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range c {
		wg.Go(func() {
			for i := range next {
				start := time.Now()
				resp, err := client.Post(url+"/v1/check", "text/plain", bytes.NewReader(stories[i%len(stories)]))
				if err != nil {
					t.Errorf("request %d: %v", i, err)
					continue
				}
				body, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[i] = time.Since(start)
				if err != nil {
					t.Errorf("request %d: %v", i, err)
					continue
				}
				answer(i, resp.StatusCode, resp.Header, body)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	return lat
}

// percentile returns the p-th percentile (0..100) of ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

// settle waits for the goroutines to come back to at most base (those of
// closed connections end a moment after the close) and fails t if they
// do not.
func settle(t testing.TB, base int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > base {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, %d before:\n%s", runtime.NumGoroutine(), base, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// warm loads the model and builds the sentence segmenter, which start
// goroutines of their own the first time, before goroutines are counted.
func warm(t testing.TB, m *classify.Model) {
	t.Helper()
	wantCheck(t, m, readFile(t, seed003), classify.PredictOptions{}, "")
}

// TestLoad sends 200 checks of the seeds from 20 clients at once over
// loopback: every one is answered correctly; it logs the latencies
// (measured, not asserted: see BenchmarkCheck10k), and checks that the
// goroutines come back to where they were.
func TestLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test")
	}
	m := testModel(t)
	stories := seedStories(t)
	want := make([]map[string]any, len(stories))
	for i, s := range stories {
		want[i] = wantCheck(t, m, s, classify.PredictOptions{}, "")
	}
	warm(t, m)
	base := runtime.NumGoroutine()

	s, err := New(Options{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 20}}
	const n, c = 200, 20
	codes, headers, bodies := make([]int, n), make([]http.Header, n), make([][]byte, n)
	start := time.Now()
	lat := load(t, client, ts.URL, stories, n, c, func(i, code int, h http.Header, body []byte) {
		codes[i], headers[i], bodies[i] = code, h, body
	})
	elapsed := time.Since(start)
	t.Logf("%d checks of the 4 seeds (%d–%d words) at concurrency %d on %d CPUs: p50 %v, p99 %v, max %v; %.0f checks/s",
		n, 2624, 13966, c, runtime.GOMAXPROCS(0), percentile(lat, 50).Round(time.Millisecond/10),
		percentile(lat, 99).Round(time.Millisecond/10), percentile(lat, 100).Round(time.Millisecond/10), float64(n)/elapsed.Seconds())
	for i := range n {
		k := i % len(stories)
		if i < len(stories) {
			checkAnswer(t, codes[i], headers[i], bodies[i], want[k], decode(t, bodies[i])["fails"] == true)
		} else if codes[i] != http.StatusOK || !bytes.Equal(bodies[i], bodies[k]) {
			t.Errorf("request %d (seed %d): status %d, answer differs from the first: %.200s", i, k, codes[i], bodies[i])
		}
	}
	wantMetrics(t, ts.URL, `tagger_http_requests_total{code="200",method="POST",route="POST /v1/check"} 200`)
	client.CloseIdleConnections()
	ts.Close()
	settle(t, base)
}

// TestNoGrowth sends 1,000 requests and checks that neither goroutines
// nor the live heap grow with them: what one request holds is let go.
func TestNoGrowth(t *testing.T) {
	if testing.Short() {
		t.Skip("1,000 requests")
	}
	m := testModel(t)
	warm(t, m)
	base := runtime.NumGoroutine()
	s, err := New(Options{Model: m})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	// A short story keeps 1,000 checks quick; every kind of answer is
	// among them: reports, errors, refusals of bodies, other endpoints.
	story := []byte("Title: Short\nRating: Teen\n\nHe drew the knife and stabbed the guard, and blood ran on the stones.\n")
	send := func(i int) {
		var req *http.Request
		switch i % 5 {
		case 0, 1:
			req, _ = http.NewRequest(http.MethodPost, ts.URL+"/v1/check", bytes.NewReader(story))
		case 2:
			req, _ = http.NewRequest(http.MethodPost, ts.URL+"/v1/check?explain=violence", bytes.NewReader(story))
		case 3:
			req, _ = http.NewRequest(http.MethodPost, ts.URL+"/v1/check", strings.NewReader(`{"text": 5}`))
			req.Header.Set("Content-Type", "application/json")
		case 4:
			req, _ = http.NewRequest(http.MethodGet, ts.URL+"/v1/labels", nil)
		}
		resp, err := client.Do(req)
		if err != nil {
			t.Errorf("request %d: %v", i, err)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if want := map[int]int{3: 400}[i%5]; resp.StatusCode != max(want, 200) {
			t.Errorf("request %d: status %d", i, resp.StatusCode)
		}
	}
	heap := func() uint64 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		return ms.HeapAlloc
	}
	var wg sync.WaitGroup
	run := func(from, to int) {
		next := make(chan int)
		for range 4 {
			wg.Go(func() {
				for i := range next {
					send(i)
				}
			})
		}
		for i := from; i < to; i++ {
			next <- i
		}
		close(next)
		wg.Wait()
	}
	run(0, 100)
	after100 := heap()
	run(100, 1000)
	after1000 := heap()
	t.Logf("live heap after 100 requests %.1f MiB, after 1,000 %.1f MiB", float64(after100)/(1<<20), float64(after1000)/(1<<20))
	// Metrics series and pools settle in the first hundred; a leak of
	// even a kilobyte a request would show as 0.9 MB more.
	if after1000 > after100+512<<10 {
		t.Errorf("the live heap grew by %d bytes over 900 requests", after1000-after100)
	}
	client.CloseIdleConnections()
	ts.Close()
	settle(t, base)
}

// story10k is a story of 10,000 words: the start of the longest seed.
func story10k(t testing.TB) []byte {
	t.Helper()
	b := readFile(t, filepath.Join("..", "seeds", "002_cd7afd8d40a901e0.txt"))
	words, in := 0, false
	for i, r := range string(b) {
		space := unicode.IsSpace(r)
		if !space && !in {
			if words++; words > 10000 {
				return b[:i]
			}
		}
		in = !space
	}
	t.Fatalf("the seed has only %d words", words)
	return nil
}

// BenchmarkCheck10k checks a 10,000-word story through the handler: one
// at a time in process (the cost of a check), and over loopback from 8
// clients at once, reporting the p50 and p99 latency of a request.
//
//	go test ./web -run '^$' -bench Check10k -benchtime 200x
func BenchmarkCheck10k(b *testing.B) {
	m := testModel(b)
	story := story10k(b)
	warm(b, m)
	b.Run("serial", func(b *testing.B) {
		s, err := New(Options{Model: m})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(story)))
		for b.Loop() {
			w := httptest.NewRecorder()
			req := httptest.NewRequestWithContext(context.Background(), http.MethodPost, "/v1/check", bytes.NewReader(story))
			s.ServeHTTP(w, req)
			if w.Code != http.StatusOK {
				b.Fatalf("status %d: %s", w.Code, w.Body)
			}
		}
	})
	b.Run("loopback-c8", func(b *testing.B) {
		s, err := New(Options{Model: m, MaxConcurrent: 8})
		if err != nil {
			b.Fatal(err)
		}
		ts := httptest.NewServer(s)
		defer ts.Close()
		client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 8}}
		defer client.CloseIdleConnections()
		b.SetBytes(int64(len(story)))
		b.ResetTimer()
		lat := load(b, client, ts.URL, [][]byte{story}, b.N, 8, func(i, code int, _ http.Header, body []byte) {
			if code != http.StatusOK {
				b.Errorf("request %d: status %d: %s", i, code, body)
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(percentile(lat, 50).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(percentile(lat, 99).Microseconds())/1000, "p99-ms")
	})
}
