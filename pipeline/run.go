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
	"sync/atomic"
	"time"

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

	// poison overwrites each story's text once its row is built (see
	// datasets.BufferPool.Poison): tests prove with it that no row holds
	// a story's text.
	poison bool
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

// StageStats are a stage's counters: how many items it handled, how long
// it worked, and how long it waited for input or for room downstream (in
// its output channel, or in the byte budget). The stage with the most busy
// time per worker is the bottleneck.
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
	NotChecked int64 // rows read but not checked (Row.Note: another language, none, or no words)
	Bytes      int64 // bytes of story text scored
	// FirstError is the first row's error with its source ("" for none).
	FirstError string
	Elapsed    time.Duration
	// Stopped is set when the run was stopped early (a signal): the output
	// holds every row up to the point where reading stopped.
	Stopped bool
	Stages  []StageStats
	// Readers is how many small files the ingest stage read at once (see
	// datasets.Options.Readers); its one worker's busy time is then the
	// wait for the next story in input order.
	Readers int
	// Steps splits the model's time by step, as the model measures it
	// (the tokenize, feature and classify stages' work, and the deciding
	// of labels and evidence, in classify for a story of one chunk and in
	// combine for a longer one, counted under classify).
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
	scored                 atomic.Int64 // body bytes of the chunks scored
}

// Scored returns the bytes of story text scored so far, rows written or
// not: a long story's chunks count as they are scored.
func (p *Progress) Scored() int64 { return p.scored.Load() }

// Snapshot returns the stories and bytes written so far and the errors.
func (p *Progress) Snapshot() (stories, bytes, errors int64) {
	return p.stories.Load(), p.bytes.Load(), p.errors.Load()
}

// Run reads every story of inputs, scores it and writes one row per story to
// sink, in input order. Cancelling stop ends reading: stories already read
// are still scored and written, for up to Config.StopWithin, and the summary
// says the run stopped; the rows written are always those of a prefix of the
// input, so --resume (Config.Done) completes them. Cancelling ctx abandons
// the run with an error (the caller aborts the sink). A story that fails
// becomes a row with its error; only a failing sink stops the run with an
// error. Run does not close the sink.
//
// A run is a graph of seven stages, each a pool of goroutines joined to the
// next by a bounded channel (see graph.go):
//
//	ingest (walk, read, decode, headers: datasets.Read; input order)
//	  → chunk (cut each body into classify.Chunks)
//	  → tokenize → feature → classify (classify.ChunkScore's steps)
//	  → combine (per story: partials merged in story order, then decided → row;
//	    a story of one chunk comes decided by classify)
//	  → sink (rows back in input order, in batches, to the sink)
//
// The chunk is the unit of work: a 1 GB story and a 10 KB one take the same
// path. Memory is bounded by Config.MaxInFlight: a story held in memory
// holds its text's weight from ingest until its row is written, a streamed
// one an allowance; the chunks of a story of several draw on an allowance
// of the story's until they are merged.
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
	budget := semaphore.NewWeighted(cfg.MaxInFlight)
	// work ends the graph early: when ctx is cancelled, or when the writer
	// gives up waiting after a stop.
	work, quit := context.WithCancelCause(ctx)
	defer quit(nil)
	gr := newGraph(work)
	// reading ends at a stop or when the graph ends.
	reading, stopReading := context.WithCancel(gr.ctx)
	defer stopReading()
	context.AfterFunc(stop, stopReading)
	// writing ends StopWithin after a stop: the writer then writes the
	// rows that are ready and gives up on the rest.
	writing, giveUp := context.WithCancel(gr.ctx)
	defer giveUp()
	go func() {
		select {
		case <-stop.Done():
		case <-writing.Done():
			return
		}
		t := time.NewTimer(cfg.StopWithin)
		defer t.Stop()
		select {
		case <-t.C:
			giveUp()
		case <-writing.Done():
		}
	}()

	// The reader walks the inputs in order (the order is the output's),
	// decoding and parsing headers. Every input position is counted once,
	// in order, to skip the occurrences a resumed run already wrote.
	occ := newOccurrences(cfg.Done)
	var changed error // the input is not the one a resumed output was written from
	skip := func(source, id string) bool {
		if !cfg.Shard.Has(id) {
			return true
		}
		done, err := occ.next(source, id)
		if err != nil && changed == nil {
			changed = err
			quit(err)
		}
		return done || changed != nil
	}
	sc := newScorer(cfg)
	sc.bufs = &datasets.BufferPool{Poison: cfg.poison}
	sc.prog = prog
	opts := datasets.Options{
		// Texts are read into buffers that go back to the pool once the
		// story's row is built (scorer.row).
		Buffers:        sc.bufs,
		Stdin:          cfg.Stdin,
		StreamAbove:    cfg.StreamAbove,
		MaxFileBytes:   cfg.MaxFileBytes,
		MaxStoryBytes:  cfg.MaxStoryBytes,
		MaxMarkupBytes: cfg.MaxMarkupBytes,
		MaxLineBytes:   cfg.MaxLineBytes,
		NoWordCount:    true, // the tokenize stage counts tokens
		Select:         cfg.Select,
		// Declarations are read against the labels the model predicts.
		Taxonomy: cfg.Model.Taxonomy(),
		// Small files are read Readers at a time; Skip is asked of every
		// story in input order (by the reader's own goroutine, then).
		Readers: readers(cfg.Workers),
		Skip:    skip,
	}
	stories, readerDone := addSource(reading, func(ctx context.Context, emit func(*datasets.Story) error) {
		for s := range datasets.Read(ctx, inputs, opts) {
			if emit(s) != nil {
				return
			}
		}
		// Every input read, and not one of its stories is in the output:
		// the output is likely of other inputs, or the inputs are given
		// relative to another directory than the first run's.
		if ctx.Err() == nil && cfg.Done.Rows() > 0 && occ.hits == 0 {
			log.Warn("--resume: none of the output's rows are of these inputs, so every story is read again; "+
				"were other inputs given to the run that wrote it, or relative to another directory?", "output_rows", cfg.Done.Rows())
		}
	})

	w := &writer{sink: sink, batchRows: cfg.BatchRows, budget: budget, sum: &sum, prog: prog, log: log,
		stopWithin: cfg.StopWithin, graph: gr.ctx, quit: func() { quit(nil) }, pending: map[int64]rowItem{}}
	var seq int64 // the ingest stage's one worker numbers the stories
	ingested := addStage(gr, stories, stageSpec[*datasets.Story, *storyWork]{
		// A stop ends ingest at once, whatever the reader does; the
		// stories it handed on are still scored and written.
		name: "ingest", workers: 1, ctx: reading, buf: cfg.Workers, readIsWork: true,
		do: func(_ context.Context, s *datasets.Story, emit func(*storyWork) error) error {
			sw := newStoryWork(cfg, seq, s)
			seq++
			return emit(sw)
		},
		// Stories are admitted in input order, so the earliest story
		// in flight always gets its budget and the writer never waits
		// on a story that waits on the writer.
		room: func(ctx context.Context, sw *storyWork) error { return budget.Acquire(ctx, sw.weight) },
	})
	chunks := addStage(gr, ingested, stageSpec[*storyWork, chunkItem]{name: "chunk", workers: cfg.Workers, buf: 2 * cfg.Workers, do: sc.cut})
	// A chunk between tokenize and classify holds its tokens and block
	// sums (about six times its text): one waits between two steps.
	tokenized := addStage(gr, chunks, stageSpec[chunkItem, stepItem]{name: "tokenize", workers: cfg.Workers, buf: 1, do: sc.tokenize})
	featured := addStage(gr, tokenized, stageSpec[stepItem, stepItem]{name: "feature", workers: cfg.Workers, buf: 1, do: sc.featurize})
	scored := addStage(gr, featured, stageSpec[stepItem, scoredItem]{name: "classify", workers: cfg.Workers, buf: 2 * cfg.Workers, do: sc.classify})
	rows := addStage(gr, scored, stageSpec[scoredItem, rowItem]{name: "combine", workers: cfg.Workers, buf: 2 * cfg.Workers, do: sc.combine})
	addStage(gr, rows, stageSpec[rowItem, struct{}]{name: "sink", workers: 1, ctx: writing, do: w.take, end: w.end})

	err := gr.wait()
	if changed != nil {
		err = changed // asked on the reader's goroutine, which has ended
	}
	if w.gaveUp && ctx.Err() == nil && errors.Is(err, context.Canceled) {
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
	sc.steps.Lock()
	sum.Steps = sc.steps.StepTimes
	sc.steps.Unlock()
	sum.Stages = gr.stats()
	sum.Readers = opts.Readers
	return sum, err
}

// writer is the sink stage: it puts rows back in input order and hands them
// to the sink in batches, so the output is always a prefix of the input
// order, and releases each story's budget once its row is written.
type writer struct {
	sink       Sink
	batchRows  int
	budget     *semaphore.Weighted
	sum        *Summary
	prog       *Progress
	log        *slog.Logger
	stopWithin time.Duration
	graph      context.Context // ended when the run fails or is abandoned
	quit       func()          // ends the graph after a give-up
	gaveUp     bool            // read by Run once the writer is done
	writeErr   error           // the first write that failed: the run fails with it

	pending map[int64]rowItem // rows waiting for an earlier one
	next    int64             // the sequence number of the next row to write
	batch   []Row
	weights int64 // budget held by the rows in batch
}

// take adds one row, writing every row that is now in order.
func (w *writer) take(_ context.Context, it rowItem, _ func(struct{}) error) error {
	w.pending[it.seq] = it
	for {
		p, ok := w.pending[w.next]
		if !ok {
			break
		}
		delete(w.pending, w.next)
		w.next++
		w.batch = append(w.batch, p.row)
		w.weights += p.weight
		w.sum.Stories++
		w.sum.Bytes += p.bytes
		if p.row.Error != nil {
			if w.sum.Errors == 0 {
				w.sum.FirstError = withSource(p.row.Source, errors.New(*p.row.Error)).Error()
			}
			w.sum.Errors++
			w.prog.errors.Add(1)
		}
		if p.row.Note != nil {
			w.sum.NotChecked++
		}
		if len(p.row.UndeclaredWarnings) > 0 {
			w.sum.Undeclared++
		}
		w.prog.stories.Add(1)
		w.prog.bytes.Add(p.bytes)
		if len(w.batch) >= w.batchRows {
			if err := w.flush(); err != nil {
				return err
			}
		}
	}
	// Rows wait here only behind an earlier row still being scored; write
	// what is ready so the budget is released.
	if len(w.pending) == 0 {
		return w.flush()
	}
	return nil
}

// end writes what is ready when the rows run out (cause nil) or when the
// writer gives up StopWithin after a stop.
func (w *writer) end(cause error) error {
	if cause == nil {
		if err := w.flush(); err != nil {
			return err
		}
		if len(w.pending) > 0 && w.graph.Err() == nil {
			return fmt.Errorf("pipeline: %d rows never written (internal error)", len(w.pending))
		}
		return nil
	}
	if w.writeErr != nil {
		return w.writeErr
	}
	if w.graph.Err() != nil {
		return nil // failed or abandoned: the caller aborts the sink
	}
	if err := w.flush(); err != nil {
		return err // a write that failed is the run's error, not a stop
	}
	w.gaveUp = true
	w.log.Warn("stopping: stories still being read or scored were dropped; --resume redoes them",
		"waited", w.stopWithin, "rows_written", w.sum.Stories, "rows_waiting", len(w.pending))
	w.quit()
	return nil
}

// flush writes the batch and releases its budget.
func (w *writer) flush() error {
	if len(w.batch) == 0 {
		return nil
	}
	err := w.sink.Write(w.batch)
	w.budget.Release(w.weights)
	w.batch, w.weights = w.batch[:0], 0
	if err != nil {
		w.writeErr = fmt.Errorf("write output: %w", err)
		return w.writeErr
	}
	return nil
}

// maxReaders caps how many files a run reads at once: enough that reading
// keeps up with the scoring workers on a corpus of small files, few enough
// that the stories read ahead of the byte budget stay a few.
const maxReaders = 4

// readers is how many files a run with workers scoring workers reads at
// once: two per worker, as a reader waits on the system for part of its
// time (opening, reading, closing); on the 3,330 AO3 chapter texts, on two
// cores, 4 readers took 0.419 s where 2 took 0.434 (16 rounds).
func readers(workers int) int { return min(2*max(workers, 1), maxReaders) }
