package pipeline

import (
	"context"
	"fmt"
	"io"
	"sync"

	"golang.org/x/sync/semaphore"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
)

// The middle of Run's graph: chunk → tokenize → feature → classify →
// combine. A story is cut into chunks (classify.SplitText, or SplitBody
// from its file), each chunk goes through the model's three steps
// (classify.ChunkScore) on whichever workers are free, and the story's
// partial scores are merged in story order as they come in
// (classify.Model.MergePartials) and decided (classify.Model.FinishPartials)
// once the last is in; a story of one chunk, most stories, is decided in
// the classify stage (classify.ChunkScore.Finish), with no partial. The
// chunk is the unit of work: a 1 GB story takes the path a 10 KB one takes,
// cut into more chunks, so it keeps every worker busy and holds only a few
// chunks in flight.

// storyWork is one story on its way through the graph. The chunk stage
// fills in what it learns while cutting (bytes, the errors) before it hands
// on the story's last chunk, so the combine stage, which reads them only
// after that chunk, needs no lock for them.
type storyWork struct {
	seq   int64 // position in the input order: the writer's order
	story *datasets.Story
	// weight is what the story holds of the run's byte budget until its
	// row is written.
	weight int64
	// allow bounds the chunks of a story of several chunks between the
	// chunk and classify stages (nil for a story of one chunk).
	allow *semaphore.Weighted
	// allowSize is allow's capacity: no chunk may ask for more.
	allowSize int64

	// Set by the chunk stage.
	bytes    int64 // text scored: the story's, or the bytes read of a streamed one
	openErr  error // the streamed body could not be opened: a row with the error as is
	splitErr error // reading the body failed: the row is a scoring error

	// Set by the combine stage, under mu.
	mu    sync.Mutex
	got   int // items of the story received
	want  int // items the story has; 0 until its last is received
	parts folded
	// res is the result of a story of one chunk, decided by the classify
	// stage (finished set).
	res      classify.Result
	finished bool
	// scoreErr is the error of the story's first failing chunk (lowest
	// offset, so that the row does not depend on timing), at errOff.
	scoreErr error
	errOff   int
}

// chunkItem is one chunk of a story, or, for a story with no chunk to score
// (a failed read, an empty body), an item that only marks its end.
type chunkItem struct {
	sw     *storyWork
	chunk  classify.Chunk
	has    bool  // chunk is to be scored
	weight int64 // what the chunk holds of sw.allow until scored
	// n is the item's place in the story (from 1); last marks the story's
	// last item, whose n is then the number of items.
	n    int
	last bool
}

// scoredItem is the score of one chunkItem.
type scoredItem struct {
	sw   *storyWork
	part *classify.Partial // nil for an item without a chunk, on error, or finished
	// res is the result of a story's only chunk, finished in the classify
	// stage (finished set); err is then finishing's error.
	res      classify.Result
	finished bool
	err      error
	off      int
	last     bool
	n        int
	weight   int64 // what the chunk holds of sw.allow until merged
}

// rowItem is a story's row, with what the writer accounts for it.
type rowItem struct {
	seq    int64
	row    Row
	weight int64
	bytes  int64
	// res and err are the model's result for a scorer that keeps results
	// (PredictStory); row is then left empty.
	res classify.Result
	err error
}

// scorer runs the chunk, score and combine stages of one run.
type scorer struct {
	// results: the combine stage hands on the model's result (rowItem.res)
	// instead of building the row.
	results bool
	model   *classify.Model
	opt     classify.PredictOptions
	// steps sums the classify steps of every story (Summary.Steps).
	steps struct {
		sync.Mutex
		classify.StepTimes
	}
	// bufs, when set (Run), takes back each story's text once its row is
	// built (the row holds copies of what it keeps of the text: see
	// detach). A story scored for a caller (ScoreStory) is left as it is.
	bufs *datasets.BufferPool
	// prog, when set (Run), counts the text of the chunks scored, so that
	// progress moves within a long story, not only when its row is written.
	prog *Progress
}

func newScorer(cfg Config) *scorer {
	return &scorer{model: cfg.Model, opt: cfg.PredictOptions()}
}

// chunkAllowance is the budget of a long story's chunks between the chunk
// and classify stages: one chunk (classify.ChunkBytes) per worker and one
// more, enough to keep every worker busy, within the run's budget. Few
// are allowed because a chunk being scored holds several times its text
// (tokens, lexicon hits, block sums).
func chunkAllowance(cfg Config) int64 {
	// At most 8 MiB, so that with many workers a streamed story does not
	// take the whole budget from the stories around it.
	return max(1, min(cfg.MaxInFlight-1, int64(cfg.Workers+1)*classify.ChunkBytes, 8<<20))
}

// newStoryWork prepares s for the graph: its budget weight (its text, or a
// streamed story's allowance, plus one for its row) and, for a streamed
// story, the allowance its chunks draw on.
func newStoryWork(cfg Config, seq int64, s *datasets.Story) *storyWork {
	sw := &storyWork{seq: seq, story: s}
	switch {
	case s.Err == nil && s.Streamed():
		sw.allowSize = chunkAllowance(cfg)
		sw.allow = semaphore.NewWeighted(sw.allowSize)
		sw.weight = min(sw.allowSize+1, cfg.MaxInFlight)
	default:
		sw.weight = min(int64(len(s.Text))+1, cfg.MaxInFlight)
		if s.Err == nil && len(s.Text)-s.BodyByte > classify.ChunkBytes {
			// Several chunks: their text is counted in the weight, but
			// not what scoring them holds.
			sw.allowSize = chunkAllowance(cfg)
			sw.allow = semaphore.NewWeighted(sw.allowSize)
		}
	}
	return sw
}

// cut is the chunk stage: it cuts a story's body into the chunks the model
// scores, with their offsets and lines, and hands them on. A story held in
// memory is cut in place (classify.SplitText); a streamed story is read
// from its file a chunk at a time (classify.SplitBody), each chunk waiting
// for room in the story's allowance.
func (sc *scorer) cut(ctx context.Context, sw *storyWork, emit func(chunkItem) error) error {
	s := sw.story
	// One chunk is held back until the next is cut, so that the story's
	// last chunk goes out marked as such.
	var held *chunkItem
	n := 0
	flush := func(last bool) error {
		if held == nil {
			if !last {
				return nil
			}
			held = &chunkItem{sw: sw} // nothing to score: an end marker
		}
		it := *held
		held = nil
		n++
		it.last, it.n = last, n
		return emit(it)
	}
	// The chunk before is handed on before c takes its share of the
	// allowance: held, it would keep a share that c may be waiting for.
	yield := func(c classify.Chunk, acquire func(n int64) (int64, error)) error {
		if err := flush(false); err != nil {
			return err
		}
		w, err := acquire(int64(len(c.Text)))
		if err != nil {
			return err
		}
		held = &chunkItem{sw: sw, chunk: c, has: true, weight: w}
		return nil
	}
	switch {
	case s.Err != nil:
	case !s.Streamed():
		sw.bytes = int64(len(s.Text))
		// The chunks are slices of the story's text (Chunk.Shared), which
		// the story's weight accounts for; a long story's chunks being
		// scored are bounded by its allowance.
		acquire := func(int64) (int64, error) { return 0, nil }
		if sw.allow != nil {
			acquire = func(n int64) (int64, error) {
				w := min(n, sw.allowSize)
				return w, sw.allow.Acquire(ctx, w)
			}
		}
		err := classify.SplitText(ctx, s.Text, s.BodyByte, s.BodyLine, func(c classify.Chunk) error { return yield(c, acquire) })
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // stopped: not the story's failure
			}
			sw.splitErr = err
		}
	default:
		rc, err := s.OpenBody()
		if err != nil {
			sw.openErr = err
			break
		}
		cr := &countingReader{r: rc}
		acquire := func(n int64) (int64, error) {
			w := min(n, sw.allowSize)
			return w, sw.allow.Acquire(ctx, w)
		}
		err = classify.SplitBody(ctx, cr, s.BodyByte, s.BodyLine, func(c classify.Chunk) error { return yield(c, acquire) })
		rc.Close()
		sw.bytes = int64(s.BodyByte) + cr.n
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // stopped: not the story's failure
			}
			sw.splitErr = err
		}
	}
	return flush(true)
}

// stepItem is a chunkItem part way through the model's steps.
type stepItem struct {
	chunkItem
	cs  *classify.ChunkScore // nil for an item without a chunk, or on error
	err error
}

// tokenize is the tokenize stage: a chunk's tokens and lexicon hits
// (classify.Model.TokenizeChunk).
func (sc *scorer) tokenize(ctx context.Context, it chunkItem, emit func(stepItem) error) error {
	out := stepItem{chunkItem: it}
	if it.has {
		out.cs, out.err = sc.model.TokenizeChunk(ctx, it.chunk, sc.opt)
	}
	return emit(out)
}

// featurize is the feature stage: the chunk's features summed per block of
// tokens (classify.ChunkScore.Featurize).
func (sc *scorer) featurize(_ context.Context, it stepItem, emit func(stepItem) error) error {
	if it.cs != nil {
		it.cs.Featurize()
	}
	return emit(it)
}

// classify is the classify stage: the chunk's windows scored into its
// partial score (classify.ChunkScore.Classify), or, for a story's only
// chunk, into the story's result (classify.ChunkScore.Finish).
func (sc *scorer) classify(_ context.Context, it stepItem, emit func(scoredItem) error) error {
	out := scoredItem{sw: it.sw, last: it.last, n: it.n, err: it.err, weight: it.weight}
	if it.has {
		if sc.prog != nil {
			sc.prog.scored.Add(int64(len(it.chunk.Text)))
		}
		out.off = it.chunk.Off
		switch {
		case it.cs == nil:
		case it.n == 1 && it.last:
			// The story's only chunk: decided here, with no partial.
			out.res, out.err = it.cs.Finish()
			out.finished = true
		default:
			out.part = it.cs.Classify()
		}
	}
	return emit(out)
}

// combine is the combine stage: it gathers a story's partial scores and,
// once the last is in, merges them and builds the story's row.
func (sc *scorer) combine(ctx context.Context, it scoredItem, emit func(rowItem) error) error {
	sw := it.sw
	sw.mu.Lock()
	sw.got++
	if it.last {
		sw.want = it.n
	}
	if it.err != nil && (sw.scoreErr == nil || it.off < sw.errOff) {
		sw.scoreErr, sw.errOff = it.err, it.off
	}
	if it.finished {
		sw.res, sw.finished = it.res, true
	}
	merged, err := sw.parts.add(sc, it.n, it.part, it.weight)
	if err != nil && sw.scoreErr == nil {
		sw.scoreErr, sw.errOff = err, it.off
	}
	done := sw.got == sw.want
	sw.mu.Unlock()
	if sw.allow != nil && merged > 0 {
		// Chunks merged: their allowance goes to the chunks after. A
		// partial scored ahead of an earlier chunk keeps its share until
		// that one is in, so partials waiting are bounded too.
		sw.allow.Release(merged)
	}
	if !done {
		return nil
	}
	if sc.results {
		res, err := sc.result(sw)
		return emit(rowItem{seq: sw.seq, res: res, err: err, weight: sw.weight, bytes: sw.bytes})
	}
	row, bytes := sc.row(sw)
	return emit(rowItem{seq: sw.seq, row: row, weight: sw.weight, bytes: bytes})
}

// row builds the row of a story whose every chunk is scored, and returns
// it with the bytes of text scored.
func (sc *scorer) row(sw *storyWork) (Row, int64) {
	s := sw.story
	var row Row
	var bytes int64
	switch {
	case s.Err != nil:
		row = NewRow(s, nil, sc.model, s.Err)
	case sw.openErr != nil:
		row = NewRow(s, nil, sc.model, sw.openErr)
	default:
		res, err := sc.result(sw)
		row, bytes = ScoredRow(s, sc.model, res, err), sw.bytes
	}
	// The row is all that is kept of the story: once it holds its own
	// copy of the header's strings, the text's buffer can hold another.
	row.detach()
	sc.bufs.Recycle(s)
	return row, bytes
}

// result decides a story whose every chunk is scored: the model's result,
// or why there is none.
func (sc *scorer) result(sw *storyWork) (classify.Result, error) {
	s := sw.story
	switch {
	case s.Err != nil:
		return classify.Result{}, s.Err
	case sw.openErr != nil:
		return classify.Result{}, sw.openErr
	}
	err := sw.splitErr
	if err == nil {
		err = sw.scoreErr
	}
	var res classify.Result
	switch {
	case err != nil:
	case sw.finished:
		res = sw.res
	default:
		var parts []*classify.Partial
		if sw.parts.acc != nil {
			parts = append(parts, sw.parts.acc)
		}
		res, err = sc.model.FinishPartials(parts, sc.opt)
	}
	sw.parts, sw.res = folded{}, classify.Result{}
	sc.steps.Lock()
	sc.steps.Tokenize += res.Steps.Tokenize
	sc.steps.Feature += res.Steps.Feature
	sc.steps.Classify += res.Steps.Classify
	sc.steps.Unlock()
	return res, err
}

// folded is the merge of a story's partial scores so far: those of its
// first chunks, merged in story order as they come in
// (classify.Model.MergePartials), and those scored ahead of a chunk still
// being scored, held until it is in. A story holds one partial, plus the
// few scored out of turn (at most the chunks in flight), whatever its
// length.
type folded struct {
	next  int               // place of the next item to merge (from 1; 0 before the first)
	acc   *classify.Partial // the merge of the items before next
	ahead map[int]aheadItem
}

// aheadItem is a partial scored before an earlier chunk, with its share of
// the story's allowance.
type aheadItem struct {
	part   *classify.Partial
	weight int64
}

// add takes the partial of item n (nil for an item without one), which
// holds weight of the story's allowance, and merges every partial now in
// turn. It returns the allowance the items merged held.
func (f *folded) add(sc *scorer, n int, p *classify.Partial, weight int64) (int64, error) {
	if f.next == 0 {
		f.next = 1
	}
	if n != f.next {
		if f.ahead == nil {
			f.ahead = map[int]aheadItem{}
		}
		f.ahead[n] = aheadItem{p, weight}
		return 0, nil
	}
	var merged int64
	var firstErr error
	for {
		// A merge that fails fails the story, but the items after are
		// still taken in, so that their allowance is given back.
		merged += weight
		if p != nil && firstErr == nil {
			if f.acc == nil {
				f.acc = p
			} else if m, err := sc.model.MergePartials([]*classify.Partial{f.acc, p}, sc.opt); err != nil {
				firstErr = err
			} else {
				f.acc = m
			}
		}
		f.next++
		it, ok := f.ahead[f.next]
		if !ok {
			return merged, firstErr
		}
		delete(f.ahead, f.next)
		p, weight = it.part, it.weight
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// scoreOne runs the chunk, tokenize, feature, classify and combine stages
// over one story, with cfg.Workers scoring its chunks (cfg.Model and
// cfg.Workers are used, and cfg.MaxInFlight bounds a streamed story's
// chunks), the way Run scores every story. sc says what combine hands on.
func scoreOne(ctx context.Context, cfg Config, sc *scorer, s *datasets.Story) (rowItem, error) {
	if cfg.Workers <= 0 {
		cfg.Workers = 1
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 32 << 20
	}
	gr := newGraph(ctx)
	in := make(chan *storyWork, 1)
	in <- newStoryWork(cfg, 0, s)
	close(in)
	chunks := addStage(gr, in, stageSpec[*storyWork, chunkItem]{name: "chunk", workers: 1, buf: cfg.Workers, do: sc.cut})
	tokenized := addStage(gr, chunks, stageSpec[chunkItem, stepItem]{name: "tokenize", workers: cfg.Workers, buf: 1, do: sc.tokenize})
	featured := addStage(gr, tokenized, stageSpec[stepItem, stepItem]{name: "feature", workers: cfg.Workers, buf: 1, do: sc.featurize})
	scored := addStage(gr, featured, stageSpec[stepItem, scoredItem]{name: "classify", workers: cfg.Workers, buf: cfg.Workers, do: sc.classify})
	rows := addStage(gr, scored, stageSpec[scoredItem, rowItem]{name: "combine", workers: 1, buf: 1, do: sc.combine})
	var out rowItem
	got := false
	for r := range rows {
		out, got = r, true
	}
	if err := gr.wait(); err != nil {
		return rowItem{}, err
	}
	if !got {
		if err := ctx.Err(); err != nil {
			return rowItem{}, err
		}
		return rowItem{}, fmt.Errorf("score %s: no row (internal error)", s.Source)
	}
	return out, nil
}
