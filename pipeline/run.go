package pipeline

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
)

// Config tunes a run. The zero value of every field but Model is usable.
type Config struct {
	Model *classify.Model
	// Workers is the number of classify workers (default GOMAXPROCS).
	Workers int
	// Sensitivity is the operating point of detection (default balanced).
	Sensitivity classify.Sensitivity
	// MaxInFlight caps the bytes of story text held between reading and
	// writing (default 32 MiB), so memory stays bounded whatever the corpus.
	MaxInFlight int64
	// StreamAbove is the size above which a story is streamed from its
	// file instead of read into memory (default 16 MiB).
	StreamAbove int64
	// Shard, when Count > 0, keeps only the stories of shard Index (1-based)
	// of Count, split by a hash of the story ID.
	Shard Shard
	// Done holds the IDs of stories already written (a resumed run).
	Done *IDSet
	// BatchRows is how many rows the sink receives at once (default 256).
	BatchRows int
	// Stdin is read for the input "-" (default os.Stdin).
	Stdin io.Reader
}

// Shard is one of Count deterministic parts of a corpus.
type Shard struct{ Index, Count int }

// ParseShard reads "I/N" (1 ≤ I ≤ N).
func ParseShard(s string) (Shard, error) {
	var sh Shard
	if _, err := fmt.Sscanf(s, "%d/%d", &sh.Index, &sh.Count); err != nil || sh.Count < 1 || sh.Index < 1 || sh.Index > sh.Count {
		return Shard{}, fmt.Errorf("--shard %q: want I/N with 1 ≤ I ≤ N, e.g. 2/8", s)
	}
	return sh, nil
}

// Has reports whether the story with the given ID belongs to the shard.
func (sh Shard) Has(id string) bool {
	if sh.Count <= 1 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return int(h.Sum64()%uint64(sh.Count)) == sh.Index-1
}

// Stage counters: how many items a stage handled, how long it worked, and
// how long it waited for input or for room downstream. The stage with the
// most busy time per worker is the bottleneck.
type StageStats struct {
	Name    string
	Workers int
	Items   int64
	Busy    time.Duration
	Wait    time.Duration
}

// Summary is the outcome of a run.
type Summary struct {
	Stories    int64 // rows written
	Errors     int64 // rows with an error
	Undeclared int64 // rows with at least one undeclared warning
	NotChecked int64 // rows read but not checked (Row.Note: a language the model cannot read)
	Bytes      int64 // bytes of story text scored
	Elapsed    time.Duration
	// Stopped is set when the run was stopped early (a signal): the output
	// holds every row up to the point where reading stopped.
	Stopped bool
	Stages  []StageStats
	// Steps splits the classify stage's busy time.
	Steps classify.StepTimes
}

// MBps is the throughput in megabytes (10⁶ bytes) of story text per second.
func (s Summary) MBps() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Bytes) / 1e6 / s.Elapsed.Seconds()
}

// Progress is a live view of a run, safe to read from another goroutine.
type Progress struct {
	stories, bytes, errors atomic.Int64
}

// Snapshot returns the stories and bytes written so far and the errors.
func (p *Progress) Snapshot() (stories, bytes, errors int64) {
	return p.stories.Load(), p.bytes.Load(), p.errors.Load()
}

type item struct {
	seq    int64
	story  *datasets.Story
	weight int64
	row    Row
	bytes  int64
}

type stageClock struct {
	items      atomic.Int64
	busy, wait atomic.Int64 // nanoseconds
}

func (c *stageClock) add(busy, wait time.Duration) {
	c.items.Add(1)
	c.busy.Add(int64(busy))
	c.wait.Add(int64(wait))
}

// Run reads every story of inputs, scores it and writes one row per story to
// sink, in input order. Cancelling stop ends reading: stories already read
// are still scored and written, and the summary says the run stopped.
// Cancelling ctx abandons the run. A story that fails becomes a row with its
// error; only a failing sink stops the run with an error. Run does not close
// the sink.
func Run(ctx, stop context.Context, inputs []string, sink Sink, cfg Config, prog *Progress) (Summary, error) {
	if cfg.Model == nil {
		return Summary{}, errors.New("pipeline: no model")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 32 << 20
	}
	if cfg.StreamAbove <= 0 {
		cfg.StreamAbove = 16 << 20
	}
	if cfg.BatchRows <= 0 {
		cfg.BatchRows = 256
	}
	if prog == nil {
		prog = &Progress{}
	}
	start := time.Now()
	var sum Summary
	var ingest, score, write stageClock
	var steps struct {
		sync.Mutex
		classify.StepTimes
	}
	budget := semaphore.NewWeighted(cfg.MaxInFlight)
	g, ctx := errgroup.WithContext(ctx)
	toScore := make(chan item, cfg.Workers*2)
	toWrite := make(chan item, cfg.Workers*2)

	// Ingest: one reader walks the inputs in order (the order is the
	// output's), decoding and parsing headers.
	g.Go(func() error {
		defer close(toScore)
		opts := datasets.Options{
			Stdin:       cfg.Stdin,
			StreamAbove: cfg.StreamAbove,
			NoWordCount: true, // the score stage counts tokens
			Skip: func(id string) bool {
				return cfg.Done != nil && cfg.Done.Has(id) || !cfg.Shard.Has(id)
			},
		}
		var seq int64
		t0 := time.Now()
		for s := range datasets.Read(stop, inputs, opts) {
			busy := time.Since(t0)
			t1 := time.Now()
			w := min(int64(len(s.Text))+1, cfg.MaxInFlight)
			if s.Streamed() {
				w = min(8<<20, cfg.MaxInFlight) // a streamed story holds a chunk at a time
			}
			if err := budget.Acquire(ctx, w); err != nil {
				return err
			}
			select {
			case toScore <- item{seq: seq, story: s, weight: w}:
			case <-ctx.Done():
				return ctx.Err()
			}
			seq++
			ingest.add(busy, time.Since(t1))
			t0 = time.Now()
		}
		return nil
	})

	// Score: a pool of workers runs the model; a story that fails is a row
	// with its error.
	var workers sync.WaitGroup
	for range cfg.Workers {
		workers.Go(func() {
			t0 := time.Now()
			for it := range toScore {
				wait := time.Since(t0)
				t1 := time.Now()
				var st classify.StepTimes
				it.row, it.bytes, st = scoreStory(ctx, cfg, it.story)
				it.story = nil // the text is no longer needed
				busy := time.Since(t1)
				steps.Lock()
				steps.Tokenize += st.Tokenize
				steps.Feature += st.Feature
				steps.Classify += st.Classify
				steps.Unlock()
				t2 := time.Now()
				select {
				case toWrite <- it:
				case <-ctx.Done():
					return
				}
				score.add(busy, wait+time.Since(t2))
				t0 = time.Now()
			}
		})
	}
	g.Go(func() error {
		workers.Wait()
		close(toWrite)
		return nil
	})

	// Write: one writer puts rows back in input order and hands them to
	// the sink in batches.
	g.Go(func() error {
		pending := map[int64]item{}
		var next int64
		var batch []Row
		var weights int64
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			t := time.Now()
			err := sink.Write(batch)
			write.busy.Add(int64(time.Since(t)))
			budget.Release(weights)
			batch, weights = batch[:0], 0
			return err
		}
		t0 := time.Now()
		for it := range toWrite {
			write.wait.Add(int64(time.Since(t0)))
			pending[it.seq] = it
			for {
				p, ok := pending[next]
				if !ok {
					break
				}
				delete(pending, next)
				next++
				batch = append(batch, p.row)
				weights += p.weight
				write.items.Add(1)
				sum.Stories++
				sum.Bytes += p.bytes
				if p.row.Error != nil {
					sum.Errors++
					prog.errors.Add(1)
				}
				if p.row.Note != nil {
					sum.NotChecked++
				}
				if len(p.row.UndeclaredWarnings) > 0 {
					sum.Undeclared++
				}
				prog.stories.Add(1)
				prog.bytes.Add(p.bytes)
				if len(batch) >= cfg.BatchRows {
					if err := flush(); err != nil {
						return fmt.Errorf("write output: %w", err)
					}
				}
			}
			// Rows wait here only behind an earlier row still being
			// scored; write what is ready so the budget is released.
			if len(pending) == 0 {
				if err := flush(); err != nil {
					return fmt.Errorf("write output: %w", err)
				}
			}
			t0 = time.Now()
		}
		if err := flush(); err != nil {
			return fmt.Errorf("write output: %w", err)
		}
		if len(pending) > 0 && ctx.Err() == nil {
			return fmt.Errorf("pipeline: %d rows never written (internal error)", len(pending))
		}
		return nil
	})

	err := g.Wait()
	sum.Elapsed = time.Since(start)
	sum.Stopped = stop.Err() != nil
	sum.Steps = steps.StepTimes
	sum.Stages = []StageStats{
		{Name: "ingest", Workers: 1, Items: ingest.items.Load(), Busy: time.Duration(ingest.busy.Load()), Wait: time.Duration(ingest.wait.Load())},
		{Name: "score", Workers: cfg.Workers, Items: score.items.Load(), Busy: time.Duration(score.busy.Load()), Wait: time.Duration(score.wait.Load())},
		{Name: "sink", Workers: 1, Items: write.items.Load(), Busy: time.Duration(write.busy.Load()), Wait: time.Duration(write.wait.Load())},
	}
	return sum, err
}

// scoreStory runs the model on one story and builds its row. It returns the
// bytes of text scored.
func scoreStory(ctx context.Context, cfg Config, s *datasets.Story) (Row, int64, classify.StepTimes) {
	if s.Err != nil {
		return NewRow(s, nil, cfg.Model, s.Err), 0, classify.StepTimes{}
	}
	opt := classify.PredictOptions{Sensitivity: cfg.Sensitivity, FastSnippets: true}
	var res classify.Result
	var err error
	n := int64(len(s.Text))
	if s.Streamed() {
		rc, oerr := s.OpenBody()
		if oerr != nil {
			return NewRow(s, nil, cfg.Model, oerr), 0, classify.StepTimes{}
		}
		cr := &countingReader{r: rc}
		// A huge story would hold one worker for its whole length: its
		// chunks are scored by as many goroutines as there are workers.
		res, err = cfg.Model.PredictReaderParallel(ctx, cr, s.BodyByte, s.BodyLine, opt, cfg.Workers)
		rc.Close()
		n = int64(s.BodyByte) + cr.n
	} else {
		res, err = PredictStory(ctx, cfg.Model, s, opt)
	}
	if err != nil {
		return NewRow(s, nil, cfg.Model, fmt.Errorf("score %s: %w", s.Source, err)), n, res.Steps
	}
	// Words are the body's word tokens, counted while scoring (they agree
	// with datasets.CountWords, which tagger meta uses, to within 0.1%).
	s.Words = res.Tokens
	return NewRow(s, &res, cfg.Model, nil), n, res.Steps
}

type countingReader struct {
	r interface{ Read([]byte) (int, error) }
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
