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
// One goroutine walks the inputs, in order, as Read does. Each story file
// (text, HTML, EPUB) it meets is handed to a goroutine of its own, at most
// opt.Readers at a time, which opens, reads, decodes and parses it into a
// slot: a channel of that file's stories. Everything else (corpora,
// standard input, the walk's own failures) the walker reads itself, into a
// slot of its own. The slots queue in input order and are drained in that
// order, so stories come out exactly as Read yields them one file at a
// time; only the work overlaps. A file's reader blocks while its slot is
// full, so at most opt.Readers stories (and the walker's one) wait ahead
// of the consumer.
func readParallel(ctx context.Context, inputs []string, opt Options) iter.Seq[*Story] {
	return func(yield func(*Story) bool) {
		ctx, cancel := context.WithCancel(ctx)
		p := &fanout{ctx: ctx, slots: make(chan chan *Story, opt.Readers), sem: make(chan struct{}, opt.Readers)}
		r := newReader(ctx, opt, p.inline)
		r.fan = p
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
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
	wg    sync.WaitGroup
	// cur is the walker's open slot, for the stories it yields itself; nil
	// when the last slot queued is a file reader's. Only the walker uses it.
	cur chan *Story
}

// walkerSlot is the capacity of the walker's slots: a corpus it reads
// itself yields many stories into one.
const walkerSlot = 8

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
		p.cur = make(chan *Story, walkerSlot)
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

// hands reports whether a file in format is read by a goroutine of its
// own: a story file. A corpus is read by the walker, so that Skip is asked
// of its records in order, from one goroutine.
func (p *fanout) hands(format Format) bool {
	return format != FormatJSONL && format != FormatAO3ScraperCSV
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
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		defer func() { <-p.sem }()
		defer close(slot)
		if f == nil {
			w.openFile(path, id)
			return
		}
		w.readFile(f, fi, path, id)
	}()
	return r.live()
}
