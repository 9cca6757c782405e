package pipeline

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
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
	// Thresholds override the sensitivity's threshold of the labels they
	// name (classify.PredictOptions.Thresholds).
	Thresholds map[string]float64
	// MaxInFlight caps the bytes of story text held between reading and
	// writing (default 32 MiB), so memory stays bounded whatever the corpus.
	MaxInFlight int64
	// StreamAbove is the size above which a story is streamed from its
	// file instead of read into memory (default 16 MiB).
	StreamAbove int64
	// Shard, when Count > 0, keeps only the stories of shard Index (1-based)
	// of Count, split by a hash of the story ID.
	Shard Shard
	// Done holds the sources of the rows already written (a resumed run,
	// ReadDoneSources): for each source, that many of its occurrences in
	// the input, the first ones, are skipped. Inputs must be given as in
	// the run that wrote them.
	Done *SourceCounts
	// BatchRows is how many rows the sink receives at once (default 256).
	BatchRows int
	// Stdin is read for the input "-" (default os.Stdin).
	Stdin io.Reader
	// Limits on input (datasets.Options): a text file, a text story of
	// unknown size, an HTML or EPUB story, a corpus line. 0 keeps the
	// readers' defaults. Whatever is over a limit is a story that fails,
	// naming the flag that raises it.
	MaxFileBytes, MaxStoryBytes, MaxMarkupBytes int64
	MaxLineBytes                                int
	// Select chooses the files read under directory inputs
	// (datasets.Options.Select, e.g. a datasets.Selector's); nil reads
	// every file.
	Select func(rel string) bool
	// StopWithin bounds a stop (default DefaultStopWithin): once stop is
	// cancelled, Run returns within about this long, writing every row
	// that is ready in input order and dropping the stories still being
	// read or scored (a resumed run redoes them). A reader blocked in a
	// read is not waited for.
	StopWithin time.Duration
	// Log receives warnings (a stop that left stories unwritten, a reader
	// not waited for); nil discards them.
	Log *slog.Logger
}

// DefaultStopWithin is Config.StopWithin's default: with the time to close
// the output, a run stops within 5 s of its first signal.
const DefaultStopWithin = 3 * time.Second

// MaxWorkers is the most scoring workers a run uses: 4 per CPU, at least
// 16. More would only add memory (each holds a story and its model state).
func MaxWorkers() int { return max(4*runtime.NumCPU(), 16) }

// Shard is one of Count deterministic parts of a corpus.
type Shard struct{ Index, Count int }

// ParseShard reads "I/N": two decimal integers with 1 ≤ I ≤ N and nothing
// else (no sign, space or third part). Shards are numbered from 1.
func ParseShard(s string) (Shard, error) {
	bad := fmt.Errorf("--shard %q: want I/N, two whole numbers with 1 ≤ I ≤ N, e.g. 2/8", s)
	i, n, ok := strings.Cut(s, "/")
	if !ok || !allDigits(i) || !allDigits(n) {
		return Shard{}, bad
	}
	var sh Shard
	var err1, err2 error
	sh.Index, err1 = strconv.Atoi(i)
	sh.Count, err2 = strconv.Atoi(n)
	if err1 != nil || err2 != nil || sh.Count < 1 || sh.Index < 1 || sh.Index > sh.Count {
		return Shard{}, bad
	}
	return sh, nil
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	if s == "" || len(s) > 9 {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
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
// are still scored and written, for up to Config.StopWithin, and the summary
// says the run stopped; the rows written are always those of a prefix of the
// input, so --resume (Config.Done) completes them. Cancelling ctx abandons
// the run with an error (the caller aborts the sink). A story that fails
// becomes a row with its error; only a failing sink stops the run with an
// error. Run does not close the sink.
func Run(ctx, stop context.Context, inputs []string, sink Sink, cfg Config, prog *Progress) (Summary, error) {
	if cfg.Model == nil {
		return Summary{}, errors.New("pipeline: no model")
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	cfg.Workers = min(cfg.Workers, MaxWorkers())
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 32 << 20
	}
	if cfg.StreamAbove <= 0 {
		cfg.StreamAbove = 16 << 20
	}
	if cfg.BatchRows <= 0 {
		cfg.BatchRows = 256
	}
	if cfg.StopWithin <= 0 {
		cfg.StopWithin = DefaultStopWithin
	}
	log := cfg.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
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
	// work ends the stages early: when ctx is cancelled, or when the writer
	// gives up waiting after a stop (gaveUp).
	work, quit := context.WithCancel(ctx)
	defer quit()
	var gaveUp atomic.Bool
	g, gctx := errgroup.WithContext(work)
	// reading ends at a stop or when the stages end.
	reading, stopReading := context.WithCancel(gctx)
	defer stopReading()
	context.AfterFunc(stop, stopReading)
	toScore := make(chan item, cfg.Workers*2)
	toWrite := make(chan item, cfg.Workers*2)

	// Read: one goroutine walks the inputs in order (the order is the
	// output's), decoding and parsing headers. It runs outside the
	// errgroup: a read blocked in the kernel (a FIFO without a writer, a
	// terminal) cannot be interrupted, and a stop must not wait for it.
	// Every input position is counted once, in order, to skip the
	// occurrences a resumed run already wrote.
	stories := make(chan *datasets.Story)
	abandon := make(chan struct{}) // closed when nobody receives stories any more
	readerDone := make(chan struct{})
	occ := newOccurrences(cfg.Done)
	skip := func(source, id string) bool {
		return !cfg.Shard.Has(id) || occ.next(source)
	}
	asked := "" // the source Skip last let through, not yet yielded
	opts := datasets.Options{
		Stdin:          cfg.Stdin,
		StreamAbove:    cfg.StreamAbove,
		MaxFileBytes:   cfg.MaxFileBytes,
		MaxStoryBytes:  cfg.MaxStoryBytes,
		MaxMarkupBytes: cfg.MaxMarkupBytes,
		MaxLineBytes:   cfg.MaxLineBytes,
		NoWordCount:    true, // the score stage counts tokens
		Select:         cfg.Select,
		Skip: func(source, id string) bool {
			if skip(source, id) {
				return true
			}
			asked = source
			return false
		},
	}
	go func() {
		defer close(readerDone)
		defer close(stories)
		for s := range datasets.Read(reading, inputs, opts) {
			if asked != "" && asked == s.Source {
				asked = ""
			} else {
				// A story that failed before Skip could be asked.
				asked = ""
				if skip(s.Source, s.ID) {
					continue
				}
			}
			select {
			case stories <- s:
			case <-abandon:
				return
			}
		}
		// Every input read, and not one of its stories is in the output:
		// the output is likely of other inputs, or the inputs are given
		// relative to another directory than the first run's.
		if reading.Err() == nil && cfg.Done.Rows() > 0 && occ.hits == 0 {
			log.Warn("--resume: none of the output's rows are of these inputs, so every story is read again; "+
				"were other inputs given to the run that wrote it, or relative to another directory?", "output_rows", cfg.Done.Rows())
		}
	}()

	// Ingest: hand the stories read to the scorers, within the budget of
	// bytes in flight. A stop ends it at once, whatever the reader does.
	g.Go(func() error {
		defer close(toScore)
		defer close(abandon)
		var seq int64
		for {
			t0 := time.Now()
			var s *datasets.Story
			select {
			case st, ok := <-stories:
				if !ok {
					return nil
				}
				s = st
			case <-reading.Done():
				return nil
			}
			busy := time.Since(t0)
			t1 := time.Now()
			w := min(int64(len(s.Text))+1, cfg.MaxInFlight)
			if s.Streamed() {
				w = min(8<<20, cfg.MaxInFlight) // a streamed story holds a chunk at a time
			}
			if err := budget.Acquire(reading, w); err != nil {
				return nil // stopped: this story is redone by --resume
			}
			select {
			case toScore <- item{seq: seq, story: s, weight: w}:
			case <-reading.Done():
				budget.Release(w)
				return nil
			}
			seq++
			ingest.add(busy, time.Since(t1))
		}
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
				it.row, it.bytes, st = scoreStory(gctx, cfg, it.story)
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
				case <-gctx.Done():
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
	// the sink in batches. The output is always a prefix of the input
	// order. After a stop it waits at most StopWithin for the stories in
	// flight, then writes what is ready and gives up on the rest.
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
			if err != nil {
				return fmt.Errorf("write output: %w", err)
			}
			return nil
		}
		stopped := stop.Done()
		var deadline <-chan time.Time
		t0 := time.Now()
		for {
			var it item
			select {
			case i, ok := <-toWrite:
				if !ok {
					if err := flush(); err != nil {
						return err
					}
					if len(pending) > 0 && ctx.Err() == nil {
						return fmt.Errorf("pipeline: %d rows never written (internal error)", len(pending))
					}
					return nil
				}
				it = i
			case <-stopped:
				stopped = nil
				timer := time.NewTimer(cfg.StopWithin)
				defer timer.Stop()
				deadline = timer.C
				continue
			case <-deadline:
				err := flush()
				gaveUp.Store(true)
				log.Warn("stopping: stories still being read or scored were dropped; --resume redoes them",
					"waited", cfg.StopWithin, "rows_written", sum.Stories, "rows_waiting", len(pending))
				quit()
				return err
			case <-gctx.Done():
				return gctx.Err()
			}
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
						return err
					}
				}
			}
			// Rows wait here only behind an earlier row still being
			// scored; write what is ready so the budget is released.
			if len(pending) == 0 {
				if err := flush(); err != nil {
					return err
				}
			}
			t0 = time.Now()
		}
	})

	err := g.Wait()
	if gaveUp.Load() && ctx.Err() == nil && errors.Is(err, context.Canceled) {
		err = nil // the writer's own give-up after a stop, not a failure
	}
	if err == nil && ctx.Err() != nil {
		err = fmt.Errorf("run abandoned: %w", context.Cause(ctx))
	}
	stopReading()
	select {
	case <-readerDone:
	case <-time.After(200 * time.Millisecond):
		log.Warn("stopping: a read is still blocked (a pipe or device with nothing to read?); not waiting for it")
	}
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
	opt := cfg.PredictOptions()
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
	return ScoredRow(s, cfg.Model, res, err), n, res.Steps
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
