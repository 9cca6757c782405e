package classify

import (
	"context"
	"io"
	"slices"
	"sync"

	"github.com/tagger-dev/tagger/taxonomy"
)

// Predict scores a story's body (text[bodyByte:]) window by window and
// decides every label, the rating and the evidence. Offsets and lines in
// the result refer to text; bodyLine is the line on which the body starts.
func (m *Model) Predict(ctx context.Context, text string, bodyByte, bodyLine int, opt PredictOptions) (Result, error) {
	off := bodyByte
	next := func(*scratch) (string, int, error) {
		if off >= len(text) {
			return "", 0, io.EOF
		}
		end := chunkEnd(text, off, chunkBytes)
		chunk, at := text[off:end], off
		off = end
		return chunk, at, nil
	}
	return m.predict(ctx, next, bodyByte, bodyLine, opt, true)
}

// PredictReader is Predict for a body too large to hold in memory: it reads
// body (the story text from byte bodyByte on, as UTF-8) in chunks, so memory
// stays bounded whatever the story's size. Words never straddle chunks; a
// window never straddles chunks either (one window in 20,000 is lost).
func (m *Model) PredictReader(ctx context.Context, body io.Reader, bodyByte, bodyLine int, opt PredictOptions) (Result, error) {
	cr := &chunkReader{body: body, off: bodyByte}
	return m.predict(ctx, func(*scratch) (string, int, error) { return cr.next() }, bodyByte, bodyLine, opt, false)
}

// PredictReaderParallel is PredictReader with chunks scored by workers
// goroutines at once: a single huge story then uses every core. Chunks
// are independent (no window straddles two), so the result is the same as
// PredictReader's. Memory holds about 2×workers chunks (ChunkBytes).
func (m *Model) PredictReaderParallel(ctx context.Context, body io.Reader, bodyByte, bodyLine int, opt PredictOptions, workers int) (Result, error) {
	if workers <= 1 {
		return m.PredictReader(ctx, body, bodyByte, bodyLine, opt)
	}
	if err := checkThresholds(opt.Thresholds); err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type task struct {
		idx, off int
		chunk    string
		lines    lineCounter // the line and \r state at the chunk's start
	}
	type scored struct {
		idx int
		sg  *scoring
	}
	tasks := make(chan task, workers)
	results := make(chan scored, workers)
	var readErr error
	go func() {
		defer close(tasks)
		cr := &chunkReader{body: body, off: bodyByte}
		lc := lineCounter{line: bodyLine}
		for idx := 0; ; idx++ {
			chunk, off, err := cr.next()
			if err == io.EOF {
				return
			}
			if err != nil {
				readErr = err
				cancel()
				return
			}
			t := task{idx: idx, off: off, chunk: chunk, lines: lc}
			lc.chunk(chunk, off, nil)
			select {
			case tasks <- t:
			case <-ctx.Done():
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			sc := m.free.get()
			defer m.free.put(sc)
			for t := range tasks {
				sg := m.newScoring(opt, bodyByte)
				sg.chunk(sc, t.chunk, t.off, &t.lines)
				select {
				case results <- scored{t.idx, sg}:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(results)
	}()
	total := m.newScoring(opt, bodyByte)
	pending := map[int]*scoring{}
	next := 0
	for r := range results {
		pending[r.idx] = r.sg
		for p, ok := pending[next]; ok; p, ok = pending[next] {
			delete(pending, next)
			total.merge(p)
			next++
		}
	}
	if readErr != nil {
		return Result{}, readErr
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	return total.finish()
}

// predict runs the scoring over the chunks next yields (each with its byte
// offset in the story text), in order.
func (m *Model) predict(ctx context.Context, next func(*scratch) (string, int, error), bodyByte, bodyLine int, opt PredictOptions, inMemory bool) (Result, error) {
	if err := checkThresholds(opt.Thresholds); err != nil {
		return Result{}, err
	}
	sg := m.newScoring(opt, bodyByte)
	sg.inMemory = inMemory
	sc := m.free.get()
	defer m.free.put(sc)
	lines := lineCounter{line: bodyLine}
	chunks := 0
	for {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		chunk, off, err := next(sc)
		if err == io.EOF {
			break
		}
		if err != nil {
			return Result{}, err
		}
		sg.chunk(sc, chunk, off, &lines)
		chunks++
	}
	if chunks == 1 {
		// As ChunkScore.Finish does: the evidence of a story of one
		// chunk is read from its tokens.
		sg.only = sc
	}
	return sg.finish()
}

// labelLookup maps label ids to their index in m.labels.
func (m *Model) labelLookup() map[string]int {
	idx := make(map[string]int, len(m.labels))
	for i, l := range m.labels {
		idx[l.ID] = i
	}
	return idx
}

// Labels returns the labels the model scores: the whole taxonomy, in order.
func (m *Model) Labels() []taxonomy.Label { return slices.Clone(m.labels) }

// notChecked clears the findings of a text the model cannot read, for the
// reason why. Each label keeps its Threshold: a score of 0 under it reads
// as not found.
func (m *Model) notChecked(res Result, why string) Result {
	for i := range res.Labels {
		res.Labels[i].Score, res.Labels[i].Detected, res.Labels[i].Passages = 0, false, 0
	}
	res.Detected = nil
	res.Scenes = nil // nothing was read, as figures of speech or not
	res.NotChecked = why
	return res
}
