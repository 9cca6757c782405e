package datasets

import (
	"context"
	"io/fs"
	"iter"
	"os"
	"sync"
)

// readParallel is Read with Options.Readers files read at once.
//
// One goroutine walks the inputs, in order, as Read does. Each small story
// file (text, HTML, EPUB of at most ParallelFileBytes) it meets is handed
// to a goroutine of its own, at most opt.Readers at a time, which opens,
// reads, decodes and parses it into a slot: a channel of that file's one
// story. Everything else (larger files, corpora, standard input, the
// walk's own failures) the walker reads itself, into a slot of its own.
// The slots queue in input order, opt.Readers at most, and are drained in
// that order, so stories come out exactly as Read yields them one file at
// a time; only the work overlaps. Every slot holds one story at most, so
// the queue, the walker's story in hand and the consumer's slot hold at
// most opt.Readers+2 stories ahead of the consumer; only the walker's can
// be a large one, as when reading one file at a time.
func readParallel(ctx context.Context, inputs []string, opt Options) iter.Seq[*Story] {
	return func(yield func(*Story) bool) {
		ctx, cancel := context.WithCancel(ctx)
		p := &fanout{ctx: ctx, slots: make(chan chan *Story, opt.Readers), sem: make(chan struct{}, opt.Readers),
			jobs: make(chan func())}
		r := newReader(ctx, opt, p.inline)
		r.fan = p
		// The readers live as long as the walk: a goroutine per file
		// grew its stack afresh for every file (2% of a run's CPU on
		// the AO3 texts, 6% on one-line stories).
		for range opt.Readers {
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				for job := range p.jobs {
					job()
				}
			}()
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			defer close(p.jobs)
			defer close(p.slots)
			defer p.endInline()
			for _, in := range inputs {
				if !r.input(in) {
					return
				}
			}
		}()
		// Whatever ends the loop, no goroutine of Read outlives it.
		defer func() {
			cancel()
			for slot := range p.slots {
				for range slot {
				}
			}
			p.wg.Wait()
		}()
		for slot := range p.slots {
			for s := range slot {
				// A story read ahead is not yielded after a cancel, as
				// one read in turn would not be.
				if ctx.Err() != nil || !yield(s) {
					return
				}
			}
		}
	}
}

// fanout hands story files to their own goroutines (see readParallel).
type fanout struct {
	ctx   context.Context
	slots chan chan *Story // in input order
	sem   chan struct{}    // one token per file being read
	// jobs are files to read and corpus records to parse, for the
	// readers; only the walker sends, and closes it when it is done.
	jobs chan func()
	wg   sync.WaitGroup
	// cur is the walker's open slot, for the stories it yields itself; nil
	// when the last slot queued is a file reader's. Only the walker uses it.
	cur chan *Story
}

// ParallelFileBytes is the size up to which Read hands a story file to a
// reader of its own (Options.Readers). Reading in parallel pays on many
// small files, where opening and parsing each weighs; a larger file is
// read by the walker, so that the stories read ahead of the consumer stay
// small (a file is held whole, and an HTML page is parsed into a tree
// several times its size).
const ParallelFileBytes = 1 << 20

// queue adds a slot to the queue, in input order.
func (p *fanout) queue(slot chan *Story) bool {
	select {
	case p.slots <- slot:
		return true
	case <-p.ctx.Done():
		return false
	}
}

// inline is the walker's yield: into its open slot, opened (and queued)
// when needed.
func (p *fanout) inline(s *Story) bool {
	if p.cur == nil {
		p.cur = make(chan *Story, 1)
		if !p.queue(p.cur) {
			p.cur = nil
			return false
		}
	}
	return send(p.ctx, p.cur, s)
}

// endInline closes the walker's open slot, if any, so that the consumer
// can go past it.
func (p *fanout) endInline() {
	if p.cur != nil {
		close(p.cur)
		p.cur = nil
	}
}

// send sends s on slot unless ctx ends first.
func send(ctx context.Context, slot chan<- *Story, s *Story) bool {
	select {
	case slot <- s:
		return true
	case <-ctx.Done():
		return false
	}
}

// parallelFile reports whether a file in format of size bytes (-1:
// unknown) is read by a goroutine of its own: a small story file. A corpus
// is read by the walker, so that Skip is asked of its records in order,
// from one goroutine.
func parallelFile(format Format, size int64) bool {
	return format != FormatJSONL && format != FormatAO3ScraperCSV && size >= 0 && size <= ParallelFileBytes
}

// entrySize is the size of the file of directory entry e, or of fi, the
// file a symbolic link e leads to, when not nil; -1 when unknown.
func entrySize(e fs.DirEntry, fi fs.FileInfo) int64 {
	if fi == nil {
		var err error
		if fi, err = e.Info(); err != nil {
			return -1
		}
	}
	return fi.Size()
}

// dispatch reads the story file p (f, already open, when not nil) on a
// goroutine of its own, into the next slot, as r.openFile or r.readFile
// would. Skip is asked here, on the walker, before the file is opened: in
// input order, never concurrently.
func (p *fanout) dispatch(r *reader, f *os.File, fi fs.FileInfo, path, id string) bool {
	if r.skip != nil && r.skip(path, id) {
		if f != nil {
			f.Close()
		}
		return r.live()
	}
	p.endInline()
	select {
	case p.sem <- struct{}{}:
	case <-p.ctx.Done():
		if f != nil {
			f.Close()
		}
		return false
	}
	slot := make(chan *Story, 1)
	if !p.queue(slot) {
		<-p.sem
		if f != nil {
			f.Close()
		}
		return false
	}
	w := *r
	w.fan, w.skip = nil, nil // asked above
	w.yield = func(s *Story) bool { return send(p.ctx, slot, s) }
	return p.run(func() {
		defer func() { <-p.sem }()
		defer close(slot)
		if f == nil {
			w.openFile(path, id)
			return
		}
		w.readFile(f, fi, path, id)
	}) && r.live()
}

// run hands job to a reader. A job never waits on the consumer (its slot
// or its record's channel has room for what it sends), so a reader is
// free again soon. When the context ends first, job runs here (it ends
// early, and releases its slot and file) and run returns false.
func (p *fanout) run(job func()) bool {
	select {
	case p.jobs <- job:
		return true
	case <-p.ctx.Done():
		job()
		return false
	}
}

// recordParser parses the records of a corpus (JSONL lines, CSV rows) on
// the fanout's readers, at most max at a time, for the walker that reads
// them (see readParallel). Decoding records is most of the work of
// reading a corpus, and on one goroutine it was what the scoring waited
// on. Parsed records come back in the corpus's order and are handed to
// finish on the walker, as when they are parsed in turn: finish asks
// Skip, in order, and yields. The walker waits for the oldest record
// before it starts one more than max. Only records of at most
// ParallelFileBytes are parsed ahead; the walker parses a longer one
// itself, after the records before it, so the records parsed ahead are
// small. With max 0 (one reader) nothing is parsed ahead.
type recordParser struct {
	ctx     context.Context
	fan     *fanout // its readers parse; nil with one reader
	max     int
	pending []recordJob // in corpus order
	free    [][]byte    // copies of records already parsed, to reuse
	// finish takes a parsed record on the walker, in order; false when
	// reading must stop.
	finish func(parsedRecord) bool
}

// parsedRecord is what parsing a record gives: its story (nil for a
// record to pass over, as a CSV's header row repeated), and the key that
// finish needs, if any (a CSV row's work_id).
type parsedRecord struct {
	story *Story
	key   string
	id    string // the ID the record would have without one of its own
	n     int    // the record's line (JSONL) or row (CSV) number
}

// recordJob is one record being parsed.
type recordJob struct {
	done chan parsedRecord // receives the record, once
	raw  []byte            // the walker's copy of the record, free once parsed
}

// newRecordParser returns the parser of r's corpus records.
func newRecordParser(r *reader, finish func(parsedRecord) bool) *recordParser {
	rp := &recordParser{ctx: r.ctx, finish: finish}
	if r.fan != nil {
		rp.fan, rp.max = r.fan, cap(r.fan.sem)
	}
	return rp
}

// add parses raw, a record that stays valid only until the call returns:
// on a reader when it is small and records are parsed in parallel, else
// on the walker once every record before it is finished.
// parse must keep nothing of the bytes it is given.
func (rp *recordParser) add(raw []byte, parse func([]byte) parsedRecord) bool {
	if rp.max == 0 || len(raw) > ParallelFileBytes {
		return rp.drain() && rp.finish(parse(raw))
	}
	if len(rp.pending) >= rp.max && !rp.next() {
		return false
	}
	var buf []byte
	if n := len(rp.free); n > 0 {
		buf, rp.free = rp.free[n-1][:0], rp.free[:n-1]
	}
	job := recordJob{done: make(chan parsedRecord, 1), raw: append(buf, raw...)}
	rp.pending = append(rp.pending, job)
	return rp.fan.run(func() { job.done <- parse(job.raw) })
}

// ready finishes p, a record the walker made itself (a line too long to
// read, say), after every record before it.
func (rp *recordParser) ready(p parsedRecord) bool {
	return rp.drain() && rp.finish(p)
}

// next waits for the oldest record being parsed and finishes it.
func (rp *recordParser) next() bool {
	job := rp.pending[0]
	rp.pending = rp.pending[1:]
	var p parsedRecord
	select {
	case p = <-job.done:
	case <-rp.ctx.Done():
		return false
	}
	rp.free = append(rp.free, job.raw)
	return rp.finish(p)
}

// drain finishes every record started, in order.
func (rp *recordParser) drain() bool {
	for len(rp.pending) > 0 {
		if !rp.next() {
			return false
		}
	}
	return true
}
