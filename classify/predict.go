package classify

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/taxonomy"
)

// LabelScore is the story-level verdict for one label.
type LabelScore struct {
	Label string `json:"label" parquet:"label"`
	Group string `json:"group" parquet:"group"`
	// Score is 0..1, 0.5 at the label's balanced story threshold. It ranks
	// stories (the context of other warnings counts a little); Detected
	// also needs a passage that reaches the label's evidence bar, so a
	// score over 0.5 without one is not a finding.
	Score float64 `json:"score" parquet:"score"`
	// Threshold is the Score the label needs to be detected, at the
	// sensitivity asked for (or as PredictOptions.Thresholds set it).
	Threshold float64 `json:"threshold" parquet:"threshold"`
	Detected  bool    `json:"detected" parquet:"detected"`
	// Source is "both" for a label naive Bayes scored in windows the
	// lexicon gate let through, "model" for a naive-Bayes label no window
	// of the story reached the gate of, and "lexicon" for a label without
	// training data, scored by the lexicon alone.
	Source string `json:"source" parquet:"source"`
	// Passages is the number of windows over the threshold.
	Passages int `json:"passages" parquet:"passages"`
	// Story is the story-level statistic that Score and Detected are
	// decided on (see AggregateStory); it is what CalibrateStories sets
	// thresholds on.
	Story float64 `json:"-" parquet:"-"`
	// topZ is the raw score of the best window (-Inf without one).
	topZ float64
}

// Evidence is a passage that shows a label.
type Evidence struct {
	Label     string  `json:"label" parquet:"label"`
	Score     float64 `json:"score" parquet:"score"`
	LineStart int     `json:"line_start" parquet:"line_start"` // 1-based lines of the story text
	LineEnd   int     `json:"line_end" parquet:"line_end"`
	ByteStart int     `json:"byte_start" parquet:"byte_start"` // byte offsets into the story text
	ByteEnd   int     `json:"byte_end" parquet:"byte_end"`
	Snippet   string  `json:"snippet" parquet:"snippet"`
	// Terms are the lexicon terms found in the window, for explanations.
	Terms []string `json:"terms,omitempty" parquet:"-"`
}

// Result is what the model finds in a story.
type Result struct {
	// Labels holds every label of the taxonomy, in taxonomy order.
	Labels []LabelScore
	// Detected lists the detected labels, in taxonomy order.
	Detected []string
	// Evidence holds the best passages of detected labels, best first
	// within each label.
	Evidence []Evidence
	// PredictedRating is the canonical rating the text calls for.
	PredictedRating string
	// RatingCues are the strongest window's cue weights (sexual, violence,
	// language) behind the predicted rating.
	RatingCues RatingCues
	// RatingTotals are the cue weights summed over the whole story.
	RatingTotals RatingCues
	// RatingScore is the score the predicted rating was decided on (see
	// RatingWeights; 0 for models without rating cut points), and
	// RatingConfidence how sure the model is that the text calls for at
	// least the predicted rating (0..1).
	RatingScore, RatingConfidence float64
	// RatingEvidence holds the passages that set the predicted rating,
	// best first: the windows strongest in the cue (Label "sexual",
	// "violence" or "language") that lifted the rating most. None for a
	// story predicted General.
	RatingEvidence []Evidence
	// Language is the ISO 639-1 code of the language the text reads as
	// ("en" for English).
	Language string
	// NotChecked says why the text was not checked, when the model cannot
	// read it (a language other than English): then no label is detected,
	// every score is 0 and there is no evidence or predicted rating.
	NotChecked string
	// Windows is the number of windows scored.
	Windows int
	// Tokens is the number of tokens read; Words the number of words as
	// PredictOptions.CountWords counts them (0 without it).
	Tokens, Words int
	// Steps is the time spent in each step.
	Steps StepTimes
}

// PredictOptions tune a prediction.
type PredictOptions struct {
	Sensitivity Sensitivity // default Balanced
	// MaxEvidence is the most passages kept per detected label (default 3).
	MaxEvidence int
	// CountWords, when set, counts the words of each chunk into
	// Result.Words, for streamed stories whose reader could not count them
	// (the readers' own counter, so that counts agree).
	CountWords func(string) int
	// FastSnippets cuts evidence snippets at the sentence ends the word
	// tokenizer flags instead of running prose's Punkt segmenter: about a
	// fifth of batch scoring time on keyword-dense corpora. Batch runs set
	// it; tagger check leaves it off for the better boundaries.
	FastSnippets bool
	// Thresholds, when set, override the sensitivity's threshold of the
	// labels they name: label id → threshold on the 0..1 Score scale
	// (LabelScore.Threshold). A moderator's team sets them in its config.
	// Each is turned back into the statistic its label is decided on (the
	// story statistic, the story model's log-odds or the raw window
	// score), so Detected still needs the label's evidence; for labels
	// decided on windows it also sets the window threshold that
	// LabelScore.Passages counts. 0 detects every label with evidence, 1
	// none. Values off 0..1 make Predict fail; ids that are not labels of
	// the model are ignored, so the caller checks them against Labels.
	Thresholds map[string]float64
	// vector, when set, receives the story's features for the story
	// model (see Model.StoryVector).
	vector *StoryVector
}

// chunkBytes bounds the text tokenised at once, so that memory stays
// bounded for stories of any size.
const chunkBytes = 1 << 20

// window is a scored window: its raw score per label and where it lies.
type window struct {
	z          float64
	start, end int    // byte offsets into the story text
	text       string // the window's text, kept for windows in a top list
	line       int    // line of start; 0 until the window's chunk is done
}

// labelState accumulates one label's windows.
type labelState struct {
	top   []window // best windows, best first, at most keep
	count int      // windows over the threshold
	// mass is the story's evidence for the label: the lexicon weight of
	// its windows, each window's weight times the probability that the
	// window shows the label (1 for lexicon labels), counted once per
	// block (windows overlap).
	mass float64
	// peak is the largest evidence of one window (its lexicon weight
	// times its probability).
	peak float64
}

// offer considers w for the top list; chunk holds w's text at chunk
// offset off.
func (ls *labelState) offer(w window, keep int, chunk string, off int, copyText bool) {
	if len(ls.top) == keep && w.z <= ls.top[keep-1].z {
		return
	}
	// Overlapping windows show the same passage: keep the better one.
	for i, o := range ls.top {
		if o.start < w.end && w.start < o.end {
			if w.z > o.z {
				ls.top = slices.Delete(ls.top, i, i+1)
				break
			}
			return
		}
	}
	w.text = chunk[w.start-off : w.end-off]
	if copyText {
		w.text = strings.Clone(w.text)
	}
	i, _ := slices.BinarySearchFunc(ls.top, w, func(a, b window) int { return cmp.Compare(b.z, a.z) })
	ls.top = slices.Insert(ls.top, i, w)
	if len(ls.top) > keep {
		ls.top = ls.top[:keep]
	}
}

// insert adds a window that already holds its text (a merged partial).
func (ls *labelState) insert(w window, keep int) {
	if len(ls.top) == keep && w.z <= ls.top[keep-1].z {
		return
	}
	i, _ := slices.BinarySearchFunc(ls.top, w, func(a, b window) int { return cmp.Compare(b.z, a.z) })
	ls.top = slices.Insert(ls.top, i, w)
	if len(ls.top) > keep {
		ls.top = ls.top[:keep]
	}
}

// scratch holds per-call buffers, pooled across calls.
type scratch struct {
	toks []tokenize.Token
	hits []lexicon.Hit
	nb   []float64 // per block × NB label
	lex  []float64 // per block × label
	rat  []float64 // per block × rating cue
	mask []uint64  // per block: bit l set when label l has lexicon weight
	need []bool    // per block: naive Bayes is needed (see nbBlocks)
	mass []float64 // per label: the chunk's evidence mass
	buf  []byte    // PredictReader's chunk buffer
	// evidence holds the buffers of the passages evidence analyses.
	evidence arena
}

// scratches is a model's free list of scoring buffers. Unlike a sync.Pool
// it is not emptied at every garbage collection: a batch run would
// otherwise regrow its token and block buffers (megabytes for a long
// story) after each. It holds a few per CPU; more are made when needed and
// dropped when returned to a full list.
type scratches chan *scratch

func newScratches() scratches { return make(scratches, 2*runtime.GOMAXPROCS(0)+2) }

func (f scratches) get() *scratch {
	select {
	case sc := <-f:
		return sc
	default:
		return new(scratch)
	}
}

func (f scratches) put(sc *scratch) {
	select {
	case f <- sc:
	default:
	}
}

// StepTimes are the time Predict spent in each step, for pipeline stats.
type StepTimes struct {
	Tokenize, Feature, Classify time.Duration
}

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
// PredictReader's. Memory holds about 2×workers chunks of 1 MiB.
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

// chunkReader cuts a body into chunks of at most chunkBytes that end after
// white space, so that no word is split.
type chunkReader struct {
	body  io.Reader
	carry []byte // bytes read after the last cut
	buf   []byte
	off   int // story offset of the next chunk
	eof   bool
}

// next returns the next chunk (its own copy) and its offset, or io.EOF.
func (cr *chunkReader) next() (string, int, error) {
	for {
		// One byte more than a chunk tells whether the text goes on, so
		// that chunks are cut exactly where Predict cuts an in-memory text.
		if cap(cr.buf) < chunkBytes+1 {
			cr.buf = make([]byte, 0, chunkBytes+1)
		}
		buf := append(cr.buf[:0], cr.carry...)
		for !cr.eof && len(buf) < chunkBytes+1 {
			n, err := cr.body.Read(buf[len(buf) : chunkBytes+1])
			buf = buf[:len(buf)+n]
			if err == io.EOF {
				cr.eof = true
			} else if err != nil {
				return "", 0, fmt.Errorf("read story body: %w", err)
			}
		}
		if len(buf) == 0 {
			return "", 0, io.EOF
		}
		cut := len(buf)
		if len(buf) > chunkBytes { // cut after white space, as chunkEnd does
			cut = chunkBytes
			if i := bytes.LastIndexAny(buf[:chunkBytes], " \t\r\n"); i > 0 {
				cut = i + 1
			} else {
				for cut < len(buf) && !utf8.RuneStart(buf[cut]) {
					cut++
				}
			}
		}
		cr.carry = append(cr.carry[:0], buf[cut:]...)
		cr.buf = buf
		chunk, at := string(buf[:cut]), cr.off
		cr.off += cut
		if cut == 0 {
			continue
		}
		return chunk, at, nil
	}
}

// scoring is the state of one prediction: settings, and the label states,
// cues and counts accumulated over the chunks scored so far.
type scoring struct {
	m    *Model
	opt  PredictOptions
	keep int
	// thr is each label's raw window threshold: the windows over it count
	// as passages, and labels decided on windows are decided on it.
	thr []float64
	// stat and score are each label's decision threshold, on the statistic
	// it is decided on and on the Score scale (see Model.threshold).
	stat, score []float64
	states      []labelState
	rating      RatingCues
	ratingSum   RatingCues
	cueStates   [numCues]labelState // each cue's strongest windows
	windows     int
	tokens      int
	words       int
	steps       StepTimes
	// lang is the language of the first chunk ("" until it is scored);
	// readable whether the model reads it.
	lang     string
	readable bool
	first    int // story offset of the first chunk
	// inMemory says the chunks are parts of one story text that outlives
	// the scoring (Predict): windows keep slices of it. Otherwise each
	// window kept copies its text, so that a huge story's chunks are not
	// held by the few windows kept from each.
	inMemory bool
	// acc counts word features for the story model (nil when the model
	// has none and no StoryVector is asked for).
	acc *storyAcc
}

func (m *Model) newScoring(opt PredictOptions, first int) *scoring {
	if opt.Sensitivity == "" {
		opt.Sensitivity = Balanced
	}
	if opt.MaxEvidence <= 0 {
		opt.MaxEvidence = 3
	}
	sg := &scoring{m: m, opt: opt, keep: max(opt.MaxEvidence, m.manifest.Config.TopK, 2),
		thr: make([]float64, len(m.labels)), stat: make([]float64, len(m.labels)), score: make([]float64, len(m.labels)),
		states: make([]labelState, len(m.labels)), first: first}
	for i, li := range m.info {
		sg.thr[i] = li.Thresholds.at(opt.Sensitivity)
		sg.stat[i], sg.score[i] = m.threshold(i, opt.Sensitivity, opt.Thresholds)
		if m.decision(i) == byWindow {
			sg.thr[i] = sg.stat[i] // an override moves the window threshold
		}
	}
	if m.story != nil {
		sg.acc = m.accs.get(m.story.bits, len(m.labels))
	} else if opt.vector != nil {
		sg.acc = m.accs.get(opt.vector.Bits, len(m.labels))
	}
	return sg
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
	}
	return sg.finish()
}

// chunk scores one chunk of text starting at byte off of the story.
func (sg *scoring) chunk(sc *scratch, chunk string, off int, lines *lineCounter) {
	m := sg.m
	L := len(m.labels)
	stride, win := m.manifest.Config.Stride, m.manifest.Config.Window
	if stride <= 0 || win < stride {
		stride, win = 50, 100
	}
	perWin := win / stride
	nbL := 0
	if m.nb != nil {
		nbL = len(m.nb.Labels())
	}
	clock := time.Now()
	lap := func(d *time.Duration) {
		now := time.Now()
		*d += now.Sub(clock)
		clock = now
	}

	if n := len(chunk)/4 + 16; cap(sc.toks) < n {
		// Enough for English prose at once (see tokenize.Words), rather
		// than regrowing by a quarter at a time.
		sc.toks = make([]tokenize.Token, 0, n)
	}
	sc.toks = tokenize.Words(chunk, sc.toks[:0])
	toks := sc.toks
	sc.hits = sc.hits[:0]
	m.lex.Match(chunk, toks, func(h lexicon.Hit) { sc.hits = append(sc.hits, h) })
	slices.SortStableFunc(sc.hits, func(a, b lexicon.Hit) int { return cmp.Compare(a.TokEnd, b.TokEnd) })
	sg.tokens += len(toks)
	if sg.acc != nil {
		sg.acc.tokens(toks, m.storyBigrams(sg.opt))
	}
	if sg.lang == "" && off == sg.first {
		sg.lang, sg.readable = detectLanguage(chunk, toks)
	}
	if sg.opt.CountWords != nil {
		sg.words += sg.opt.CountWords(chunk)
	}
	lap(&sg.steps.Tokenize)

	nblocks := (len(toks) + stride - 1) / stride
	sc.nb = resize(sc.nb, nblocks*nbL)
	sc.lex = resize(sc.lex, nblocks*L)
	sc.rat = resize(sc.rat, nblocks*numCues)
	sc.mask = resizeMask(sc.mask, nblocks)
	// A chunk's mass is summed apart and added once, so that chunks scored
	// in parallel and merged in order add up exactly as in sequence.
	sc.mass = resize(sc.mass, L)
	var cueSum RatingCues // added once, like the mass below
	for _, h := range sc.hits {
		if h.Negated {
			continue
		}
		b := (h.TokEnd - 1) / stride
		if cue, ok := ratingCue(h.Label); ok {
			sc.rat[b*numCues+cue] += h.Weight
			cueSum[cue] += h.Weight
			continue
		}
		if li, ok := m.labelIdx[h.Label]; ok {
			sc.lex[b*L+li] += h.Weight
			sc.mask[b] |= 1 << li
			if sg.acc != nil {
				sg.acc.lex[li] += h.Weight
			}
		}
	}
	// Windows of perWin consecutive blocks; a text shorter than one
	// window is one window.
	nwin := max(nblocks-perWin+1, min(nblocks, 1))
	if m.nb != nil {
		sg.nbBlocks(sc, chunk, toks, nblocks, nwin, perWin, stride, nbL)
	}
	lap(&sg.steps.Feature)
	for j := 0; j < nwin; j++ {
		lastBlock := min(j+perWin, nblocks)
		ts, te := j*stride, min(lastBlock*stride, len(toks))
		span := [2]int{off + int(toks[ts].Start), off + wordEnd(chunk, int(toks[te-1].End))}
		var cues RatingCues
		for b := j; b < lastBlock; b++ {
			for k := range numCues {
				cues[k] += sc.rat[b*numCues+k]
			}
		}
		sg.rating = sg.rating.max(cues)
		for k, c := range cues {
			if c >= minCueEvidence {
				sg.cueStates[k].offer(window{z: c, start: span[0], end: span[1]}, ratingEvidenceKeep, chunk, off, !sg.inMemory)
			}
		}
		// Only labels with lexicon weight in the window can reach a
		// threshold: lexicon labels score that weight, and model labels
		// need it to pass their gate.
		var mask uint64
		for b := j; b < lastBlock; b++ {
			mask |= sc.mask[b]
		}
		for ; mask != 0; mask &= mask - 1 {
			li := bits.TrailingZeros64(mask)
			z, lexW := 0.0, 0.0
			for b := j; b < lastBlock; b++ {
				lexW += sc.lex[b*L+li]
			}
			// The window's share of the story's evidence: each block's
			// weight divided among the windows that cover it.
			share := 0.0
			for b := j; b < lastBlock; b++ {
				share += sc.lex[b*L+li] / float64(min(b, nwin-1)-max(0, b-perWin+1)+1)
			}
			p := 1.0
			if c := m.nbCol[li]; c >= 0 {
				if lexW < m.info[li].Gate {
					continue // outside the model's domain: see TrainConfig.Gates
				}
				z = m.nb.Bias(c)
				for b := j; b < lastBlock; b++ {
					z += sc.nb[b*nbL+c]
				}
				p = m.score(li, z)
			} else {
				z = lexW
			}
			sc.mass[li] += share * p
			sg.states[li].peak = max(sg.states[li].peak, lexW*p)
			if z >= sg.thr[li] {
				sg.states[li].count++
			}
			sg.states[li].offer(window{z: z, start: span[0], end: span[1]}, sg.keep, chunk, off, !sg.inMemory)
		}
		sg.windows++
	}
	for k := range cueSum {
		sg.ratingSum[k] += cueSum[k]
	}
	for li, x := range sc.mass {
		sg.states[li].mass += x
	}
	lines.chunk(chunk, off, sg.states, sg.cueStates[:])
	lap(&sg.steps.Classify)
}

// nbBlocks sums the naive-Bayes weights of the features anchored in each
// block (sc.nb) of the blocks a window needs them for: the windows where a
// model label has lexicon weight reaching its gate. Elsewhere the model is
// never asked (see TrainConfig.Gates), and in most prose most windows hold
// no warning term, so skipping them saves most of the feature work. Blocks
// are summed whole and in token order, as one pass over every token would.
func (sg *scoring) nbBlocks(sc *scratch, chunk string, toks []tokenize.Token, nblocks, nwin, perWin, stride, nbL int) {
	m := sg.m
	L := len(m.labels)
	sc.need = resizeBool(sc.need, nblocks)
	any := false
	for j := 0; j < nwin; j++ {
		lastBlock := min(j+perWin, nblocks)
		var mask uint64
		for b := j; b < lastBlock; b++ {
			mask |= sc.mask[b]
		}
		mask &= m.nbMask
		for ; mask != 0; mask &= mask - 1 {
			li := bits.TrailingZeros64(mask)
			lexW := 0.0
			for b := j; b < lastBlock; b++ {
				lexW += sc.lex[b*L+li]
			}
			if lexW >= m.info[li].Gate {
				for b := j; b < lastBlock; b++ {
					sc.need[b] = true
				}
				any = true
				break
			}
		}
	}
	if !any {
		return
	}
	for b := 0; b < nblocks; {
		if !sc.need[b] {
			b++
			continue
		}
		e := b
		for e < nblocks && sc.need[e] {
			e++
		}
		lo, hi := b*stride, min(e*stride, len(toks))
		m.fz.eachRange(chunk, toks, sc.hits, lo, hi, func(tok int, f uint64) {
			row := m.nb.Row(f)
			if row == nil {
				return
			}
			blk := sc.nb[(tok/stride)*nbL : (tok/stride+1)*nbL]
			for c, w := range row {
				blk[c] += float64(w)
			}
		})
		b = e
	}
}

// merge adds the scoring of a later stretch of the same story.
func (sg *scoring) merge(o *scoring) {
	for li := range sg.states {
		sg.states[li].count += o.states[li].count
		sg.states[li].mass += o.states[li].mass
		sg.states[li].peak = max(sg.states[li].peak, o.states[li].peak)
		// Worst first, so that windows of equal score keep the order
		// sequential scoring gives them.
		for k := len(o.states[li].top) - 1; k >= 0; k-- {
			sg.states[li].insert(o.states[li].top[k], sg.keep)
		}
	}
	if o.acc != nil {
		sg.acc.merge(o.acc)
		o.acc = nil
	}
	sg.rating = sg.rating.max(o.rating)
	for k := range sg.ratingSum {
		sg.ratingSum[k] += o.ratingSum[k]
		for j := len(o.cueStates[k].top) - 1; j >= 0; j-- {
			sg.cueStates[k].insert(o.cueStates[k].top[j], ratingEvidenceKeep)
		}
	}
	if sg.lang == "" {
		sg.lang, sg.readable = o.lang, o.readable
	}
	sg.windows += o.windows
	sg.tokens += o.tokens
	sg.words += o.words
	sg.steps.Tokenize += o.steps.Tokenize
	sg.steps.Feature += o.steps.Feature
	sg.steps.Classify += o.steps.Classify
}

// finish decides every label, the rating and the evidence.
func (sg *scoring) finish() (Result, error) {
	m := sg.m
	t0 := time.Now()
	res := Result{Windows: sg.windows, Tokens: sg.tokens, Words: sg.words, Steps: sg.steps}
	res.Labels = make([]LabelScore, len(m.labels))
	story := m.storyStats(sg.states, sg.tokens)
	var storyZ []float64
	if sg.acc != nil {
		dense := denseFeatures(sg.acc.lex, story, sg.tokens)
		if sg.opt.vector != nil {
			*sg.opt.vector = sg.acc.vector(dense)
		}
		if m.story != nil {
			storyZ = m.story.scoreAcc(sg.acc, dense)
		}
		sg.acc.release()
		sg.acc = nil
	}
	for li, l := range m.labels {
		st := sg.states[li]
		ls := LabelScore{Label: l.ID, Group: l.Group, Source: m.info[li].Source, Passages: st.count, Story: story[li], topZ: gated,
			Threshold: sg.score[li]}
		if len(st.top) > 0 {
			ls.topZ = st.top[0].z
		}
		switch {
		case storyZ != nil && m.storyCol[li] >= 0:
			ls.Story = storyZ[m.storyCol[li]]
			ls.Score, ls.Detected = m.decideStoryModel(li, ls.topZ, ls.Story, sg.stat[li])
		case m.manifest.Config.Aggregate == AggregateStory:
			ls.Score, ls.Detected = m.decideStory(li, st.top, story[li], sg.stat[li])
		case len(st.top) > 0:
			ls.Score, ls.Detected = m.decide(li, st.top, res.Windows, sg.thr[li])
		}
		if len(st.top) > 0 && ls.Source == "model" {
			ls.Source = "both" // its windows passed the lexicon gate
		}
		res.Labels[li] = ls
		if ls.Detected {
			res.Detected = append(res.Detected, l.ID)
		}
	}
	res.Language = sg.lang
	if res.Language == "" {
		res.Language = English // no text at all
	} else if !sg.readable {
		return m.notChecked(res), nil
	}
	res.RatingCues, res.RatingTotals = sg.rating, sg.ratingSum
	in := m.ratingInputs(&res)
	lv, score, conf := m.manifest.Rating.decide(in, res.Detected)
	res.PredictedRating, res.RatingConfidence = lv.String(), conf
	if !math.IsNaN(score) {
		res.RatingScore = score
	}
	if len(res.Detected) > 0 || lv > taxonomy.General {
		var err error
		if res.Evidence, res.RatingEvidence, err = m.evidence(sg.states, sg.cueStates, in, lv, res, sg.opt.MaxEvidence, sg.opt.FastSnippets); err != nil {
			return Result{}, err
		}
	}
	res.Steps.Classify += time.Since(t0)
	return res, nil
}

// lineCounter tracks the line at the start of each chunk and gives the
// windows of a chunk their first line.
type lineCounter struct {
	line   int
	lastCR bool // the previous chunk ended with \r: a leading \n is its pair
}

func (lc *lineCounter) chunk(chunk string, off int, sets ...[]labelState) {
	type pending struct {
		at  int
		dst *int
	}
	var ps []pending
	for _, states := range sets {
		for li := range states {
			for k := range states[li].top {
				w := &states[li].top[k]
				if w.line == 0 && w.start >= off && w.start < off+len(chunk) {
					ps = append(ps, pending{w.start - off, &w.line})
				}
			}
		}
	}
	slices.SortFunc(ps, func(a, b pending) int { return cmp.Compare(a.at, b.at) })
	line, at := lc.line, 0
	if lc.lastCR && strings.HasPrefix(chunk, "\n") {
		at = 1
	}
	// Without \r, line breaks are counted with strings.Count, which is
	// vectorised; IndexAny looks at one byte at a time.
	noCR := strings.IndexByte(chunk, '\r') < 0
	count := func(to int) {
		if noCR {
			if at < to {
				line += strings.Count(chunk[at:to], "\n")
				at = to
			}
			return
		}
		for at < to {
			i := strings.IndexAny(chunk[at:to], "\r\n")
			if i < 0 {
				at = to
				return
			}
			at += i
			if chunk[at] == '\n' || at+1 >= len(chunk) || chunk[at+1] != '\n' {
				line++
			}
			at++
		}
	}
	for _, p := range ps {
		count(p.at)
		*p.dst = line
	}
	count(len(chunk))
	lc.line = line
	lc.lastCR = strings.HasSuffix(chunk, "\r")
}

// decide turns a label's best windows (best first) into its story score
// and decision at threshold thr. Lexicon labels take their best window.
// Model labels aggregate as the model's configuration says; with
// noisy-or, the score is the probability that at least one of the best
// windows shows the label, and the story is flagged when its best window
// is over the threshold.
func (m *Model) decide(li int, top []window, windows int, thr float64) (float64, bool) {
	if m.nbCol[li] < 0 {
		return m.score(li, top[0].z), top[0].z >= thr
	}
	cfg := m.manifest.Config
	switch cfg.Aggregate {
	case "noisy-or":
		miss := 1.0
		for k, w := range top {
			if k >= max(cfg.TopK, 1) {
				break
			}
			miss *= 1 - m.score(li, w.z)
		}
		p := 1 - miss
		// Weak windows add up in the score, but only a window over the
		// threshold makes a finding: it is the evidence a moderator reads.
		return p, top[0].z >= thr
	case "top2":
		z := top[0].z
		if len(top) >= 2 {
			z = (top[0].z + top[1].z) / 2
		} else if windows > 1 {
			// The other windows were outside the gate: the second counts
			// as one without evidence, a scale below the threshold.
			z = (z + min(z, m.info[li].Thresholds.Balanced-m.info[li].Scale)) / 2
		}
		return m.score(li, z), z >= thr
	}
	return m.score(li, top[0].z), top[0].z >= thr
}

// labelLookup maps label ids to their index in m.labels.
func (m *Model) labelLookup() map[string]int {
	idx := make(map[string]int, len(m.labels))
	for i, l := range m.labels {
		idx[l.ID] = i
	}
	return idx
}

// chunkEnd returns where a chunk starting at off should end: at most n
// bytes on, cut after white space so that no word is split.
func chunkEnd(text string, off, n int) int {
	if len(text)-off <= n {
		return len(text)
	}
	end := off + n
	if i := strings.LastIndexAny(text[off:end], " \t\r\n"); i > 0 {
		return off + i + 1
	}
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end++
	}
	return end
}

func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func resizeBool(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func resizeMask(s []uint64, n int) []uint64 {
	if cap(s) < n {
		return make([]uint64, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// Labels returns the labels the model scores: the whole taxonomy, in order.
func (m *Model) Labels() []taxonomy.Label { return slices.Clone(m.labels) }

// wordEnd extends the end of a window's last word over the punctuation
// that closes it ("fight." not "fight"), stopping at white space.
func wordEnd(text string, end int) int {
	for n := 0; end < len(text) && n < 4; n++ {
		switch text[end] {
		case '.', '!', '?', '"', '\'', ')', ',', ';', ':':
			end++
		default:
			return end
		}
	}
	return end
}

// notChecked clears the findings of a text the model cannot read. Each
// label keeps its Threshold: a score of 0 under it reads as not found.
func (m *Model) notChecked(res Result) Result {
	for i := range res.Labels {
		res.Labels[i].Score, res.Labels[i].Detected, res.Labels[i].Passages = 0, false, 0
	}
	res.Detected = nil
	res.NotChecked = fmt.Sprintf("the text reads as %s (%s); the model reads English only", LanguageName(res.Language), res.Language)
	return res
}
