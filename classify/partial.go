package classify

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
)

// Chunk is one stretch of a story's body as SplitBody cuts it: the unit
// ScoreChunk scores on its own, so that the chunks of a huge story can be
// scored on different machines (tagger-beam) and merged by FinishPartials.
type Chunk struct {
	// Text is the chunk; it never splits a word.
	Text string
	// Off is the byte offset of Text in the story text.
	Off int
	// Line is the 1-based line of the story text on which Text starts.
	Line int
	// AfterCR says the text before the chunk ended with \r: a \n opening
	// the chunk ends that line rather than a new one, so line numbers
	// agree with those of one pass over the whole text.
	AfterCR bool
	// First marks the body's first chunk, from which the language is read.
	First bool
	// Shared says Text is a slice of a story text held in memory until the
	// story is finished (SplitText's chunks): the windows ScoreChunk keeps
	// then slice it instead of copying. Leave it unset for chunks of a
	// buffer that is reused or of a story too large to hold, so that the
	// few windows kept do not hold whole chunks.
	Shared bool
}

// SplitText is SplitBody for a story held in memory: it cuts text[bodyByte:]
// (the body starting on line bodyLine) into the same chunks, without
// copying them (each is a slice of text, marked Shared), and calls yield for
// each in order. An error of yield stops the split and is returned.
func SplitText(ctx context.Context, text string, bodyByte, bodyLine int, yield func(Chunk) error) error {
	lc := lineCounter{line: bodyLine}
	for off, first := bodyByte, true; off < len(text); first = false {
		if err := ctx.Err(); err != nil {
			return err
		}
		end := chunkEnd(text, off, chunkBytes)
		c := Chunk{Text: text[off:end], Off: off, Line: lc.line, AfterCR: lc.lastCR, First: first, Shared: true}
		lc.chunk(c.Text, off)
		off = end
		if err := yield(c); err != nil {
			return err
		}
	}
	return nil
}

// SplitBody cuts body (the story text from byte bodyByte on, as UTF-8, the
// body starting on line bodyLine) into the chunks PredictReader scores,
// with the line at each chunk's start, and calls yield for each in order.
// A body of any size is read a chunk at a time. An error of yield stops
// the split and is returned.
func SplitBody(ctx context.Context, body io.Reader, bodyByte, bodyLine int, yield func(Chunk) error) error {
	cr := &chunkReader{body: body, off: bodyByte}
	lc := lineCounter{line: bodyLine}
	for first := true; ; first = false {
		if err := ctx.Err(); err != nil {
			return err
		}
		text, off, err := cr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		c := Chunk{Text: text, Off: off, Line: lc.line, AfterCR: lc.lastCR, First: first}
		lc.chunk(text, off) // lines only: no windows to place
		if err := yield(c); err != nil {
			return err
		}
	}
}

// Partial is what ScoreChunk found in one chunk: the state FinishPartials
// merges into a Result. Its fields are exported so that it can be encoded
// (encoding/gob, JSON) and sent between machines; they are meaningful only
// to FinishPartials, with the model and PredictOptions that made them.
type Partial struct {
	// Off is the chunk's byte offset in the story text: FinishPartials
	// merges partials in this order whatever order they come in.
	Off int
	// Labels holds each label's state, in the model's label order.
	Labels []PartialLabel
	// Cues holds each rating cue's strongest windows, best first.
	Cues [][]PartialWindow
	// Rating is the strongest window's cue weights, RatingSum the sums.
	Rating, RatingSum RatingCues
	// Windows, Tokens and Words count the chunk's windows, tokens and
	// words (Words with PredictOptions.CountWords only).
	Windows, Tokens, Words int
	// Language is read from the body's first chunk only ("" elsewhere);
	// Readable says whether the model reads it.
	Language string
	Readable bool
	// Buckets, Counts and Lex are the chunk's story-model features (empty
	// for models without a story model): hashed word buckets in the order
	// first seen, their counts, and each label's lexicon weight.
	Buckets, Counts []uint32
	Lex             []float64
	// Steps is the time ScoreChunk spent in each step.
	Steps StepTimes
	// Scenes counts the chunk's hits that scenes made figurative.
	Scenes []SceneHits
}

// PartialLabel is one label's state in a Partial.
type PartialLabel struct {
	// Count is the number of windows over the label's window threshold.
	Count int
	// Mass and Peak are the chunk's evidence for the label: summed over
	// its windows, and of its strongest window.
	Mass, Peak float64
	// Top holds the label's best windows, best first.
	Top []PartialWindow
}

// PartialWindow is a scored window kept in a Partial.
type PartialWindow struct {
	Z                float64 // raw score
	Start, End, Line int     // story byte offsets, 1-based line of Start
	Text             string  // the window's text
	// CutStart and CutEnd say that the window starts or ends within a
	// sentence.
	CutStart, CutEnd bool
}

// ChunkScore is a chunk part way through scoring, so that a runner can give
// each of ScoreChunk's three steps to workers of its own: TokenizeChunk
// makes it (tokens and lexicon hits), Featurize sums its features per block
// of tokens, and Classify scores its windows and returns its Partial (or,
// for a story's only chunk, Finish decides the story). ScoreChunk is
// TokenizeChunk, Featurize and Classify in turn. A ChunkScore holds buffers
// of its model's until Classify, Finish or Release returns them; its steps
// may run on different goroutines, one after the other, never at once.
type ChunkScore struct {
	c     Chunk
	sg    *scoring
	sc    *scratch
	lines lineCounter
	stage int // steps done
}

// TokenizeChunk is the first step of scoring chunk c (see ChunkScore).
func (m *Model) TokenizeChunk(ctx context.Context, c Chunk, opt PredictOptions) (*ChunkScore, error) {
	if err := checkThresholds(opt.Thresholds); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	first := -1 // the language is read only where the body starts
	if c.First {
		first = c.Off
	}
	cs := &ChunkScore{c: c, sg: m.newScoring(opt, first), sc: m.free.get(), lines: lineCounter{line: c.Line, lastCR: c.AfterCR}}
	cs.sg.inMemory = c.Shared
	cs.sg.tokenizeStep(cs.sc, c.Text, c.Off)
	cs.stage = 1
	return cs, nil
}

// Featurize is the second step (see ChunkScore).
func (cs *ChunkScore) Featurize() {
	if cs.stage != 1 {
		panic("classify: ChunkScore.Featurize out of turn")
	}
	cs.sg.featureStep(cs.sc, cs.c.Text)
	cs.stage = 2
}

// Classify is the last step (see ChunkScore): it returns the chunk's
// Partial and gives the ChunkScore's buffers back to the model.
func (cs *ChunkScore) Classify() *Partial {
	if cs.stage != 2 {
		panic("classify: ChunkScore.Classify out of turn")
	}
	cs.sg.classifyStep(cs.sc, cs.c.Text, cs.c.Off, &cs.lines)
	p := cs.sg.partial(cs.c.Off)
	cs.Release()
	return p
}

// Finish is the last step instead of Classify for a chunk that is its
// story's only one: it scores the chunk's windows and decides the story,
// and gives the ChunkScore's buffers back to the model. Most stories are
// one chunk, and for them a Partial would be a copy of the scoring made
// only to be read back. The Result is Predict's for the same text; it is
// FinishPartials' for the Partial Classify would return but for the
// evidence, which Finish reads from the chunk's tokens (a negation or
// exception that begins before a window counts) and FinishPartials from
// each window's text alone.
func (cs *ChunkScore) Finish() (Result, error) {
	if cs.stage != 2 {
		panic("classify: ChunkScore.Finish out of turn")
	}
	cs.sg.classifyStep(cs.sc, cs.c.Text, cs.c.Off, &cs.lines)
	sg, sc := cs.sg, cs.sc
	cs.sc, cs.sg, cs.stage = nil, nil, -1
	defer sg.free()
	defer sg.m.free.put(sc) // after the evidence, which reads its tokens
	sg.only = sc
	return sg.finish()
}

// Release gives the ChunkScore's buffers back to the model without
// finishing it (a run that stopped half way); a later step panics.
func (cs *ChunkScore) Release() {
	if cs.sc != nil {
		cs.sg.m.free.put(cs.sc)
		cs.sc = nil
	}
	if cs.sg != nil {
		cs.sg.free() // with its accumulator, unless partial took it
		cs.sg = nil
	}
	cs.stage = -1
}

// ScoreChunk scores one chunk of a story (see SplitBody) on its own. The
// Partials of all of a story's chunks, given to FinishPartials with the
// same opt, give the Result Predict gives for the whole story.
func (m *Model) ScoreChunk(ctx context.Context, c Chunk, opt PredictOptions) (*Partial, error) {
	cs, err := m.TokenizeChunk(ctx, c, opt)
	if err != nil {
		return nil, err
	}
	cs.Featurize()
	return cs.Classify(), nil
}

// FinishPartials merges the Partials of every chunk of one story, in any
// order (they are sorted by offset and merged in order, so the combination
// is order-independent), and decides every label, the rating and the
// evidence as Predict does. opt must be the options the partials were
// scored with. Partials of the same offset are an error: a chunk counted
// twice would count its windows twice.
func (m *Model) FinishPartials(parts []*Partial, opt PredictOptions) (Result, error) {
	if err := checkThresholds(opt.Thresholds); err != nil {
		return Result{}, err
	}
	if len(parts) == 1 && parts[0] != nil {
		// Most stories are one chunk: merging its scoring into an empty
		// one would only copy it.
		sg, err := m.fromPartial(parts[0], opt, true)
		if err != nil {
			return Result{}, err
		}
		defer sg.free()
		return sg.finish()
	}
	sorted := slices.Clone(parts)
	slices.SortFunc(sorted, func(a, b *Partial) int { return cmp.Compare(a.Off, b.Off) })
	total := m.newScoring(opt, 0)
	defer total.free()
	for i, p := range sorted {
		if p == nil {
			return Result{}, errors.New("finish partials: a nil partial")
		}
		if i > 0 && sorted[i-1].Off == p.Off {
			return Result{}, fmt.Errorf("finish partials: two partials of the chunk at byte %d", p.Off)
		}
		sg, err := m.fromPartial(p, opt, false)
		if err != nil {
			return Result{}, err
		}
		total.merge(sg)
		sg.free()
	}
	return total.finish()
}

// MergePartials merges the Partials of a story's first chunks, given in
// story order, into one: FinishPartials gives the same Result for it, alone
// or with the partials of the chunks after, as for the partials it merged.
// A runner folds each chunk's partial into the merge of those before it as
// soon as they are in, so that a huge story holds one partial rather than
// one per chunk. Merging must start at the story's first chunk: sums of
// floating-point weights are added in story order, as Predict adds them,
// and merging a later run apart would add them in another order. opt must
// be the options the partials were scored with.
func (m *Model) MergePartials(parts []*Partial, opt PredictOptions) (*Partial, error) {
	if err := checkThresholds(opt.Thresholds); err != nil {
		return nil, err
	}
	if len(parts) == 0 {
		return nil, errors.New("merge partials: none given")
	}
	total := m.newScoring(opt, 0)
	defer total.free()
	for i, p := range parts {
		if p == nil {
			return nil, errors.New("merge partials: a nil partial")
		}
		if i > 0 && p.Off <= parts[i-1].Off {
			return nil, fmt.Errorf("merge partials: the chunk at byte %d given after the one at byte %d; give them in story order", p.Off, parts[i-1].Off)
		}
		sg, err := m.fromPartial(p, opt, false)
		if err != nil {
			return nil, err
		}
		total.merge(sg)
		sg.free()
	}
	return total.partial(parts[0].Off), nil
}

// partial turns the scoring of one chunk into a Partial, releasing its
// feature accumulator.
func (sg *scoring) partial(off int) *Partial {
	p := &Partial{Off: off, Labels: make([]PartialLabel, len(sg.states)), Cues: make([][]PartialWindow, len(sg.cueStates)),
		Rating: sg.rating, RatingSum: sg.ratingSum, Windows: sg.windows, Tokens: sg.tokens, Words: sg.words,
		Readable: sg.readable, Steps: sg.steps, Scenes: sg.scenes}
	p.Language = sg.lang
	for li, st := range sg.states {
		p.Labels[li] = PartialLabel{Count: st.count, Mass: st.mass, Peak: st.peak, Top: partialWindows(st.top)}
	}
	for k, st := range sg.cueStates {
		p.Cues[k] = partialWindows(st.top)
	}
	if a := sg.acc; a != nil {
		// touched keeps the order buckets were first seen in, which the
		// story model sums in: merged in order, the sums are those of one
		// pass.
		buckets, counts := a.lists()
		p.Buckets, p.Counts = slices.Clone(buckets), slices.Clone(counts)
		p.Lex = slices.Clone(a.lex)
		a.release()
		sg.acc = nil
	}
	return p
}

func partialWindows(ws []window) []PartialWindow {
	out := make([]PartialWindow, len(ws))
	for i, w := range ws {
		out[i] = PartialWindow{Z: w.z, Start: w.start, End: w.end, Line: w.line, Text: w.text, CutStart: w.cutStart, CutEnd: w.cutEnd}
	}
	return out
}

// fromPartial rebuilds the scoring of one chunk from its Partial, checking
// that it fits the model. With whole (the partial is the whole story, to
// be finished, not merged) the story features stay the partial's lists,
// which is all that scoring them needs: counting them into an array of
// buckets first would cost a cache miss per bucket.
func (m *Model) fromPartial(p *Partial, opt PredictOptions, whole bool) (*scoring, error) {
	if len(p.Labels) != len(m.labels) || len(p.Cues) > numCues {
		return nil, fmt.Errorf("finish partials: the partial at byte %d has %d labels and %d cues, the model %d and %d: was it scored by another model?",
			p.Off, len(p.Labels), len(p.Cues), len(m.labels), numCues)
	}
	sg := m.newScoring(opt, -1)
	for li, pl := range p.Labels {
		sg.states[li] = labelState{top: fromPartialWindows(sg.states[li].top, pl.Top), count: pl.Count, mass: pl.Mass, peak: pl.Peak}
	}
	for k, ws := range p.Cues {
		sg.cueStates[k].top = fromPartialWindows(sg.cueStates[k].top, ws)
	}
	sg.rating, sg.ratingSum = p.Rating, p.RatingSum
	sg.windows, sg.tokens, sg.words, sg.steps = p.Windows, p.Tokens, p.Words, p.Steps
	sg.lang, sg.readable = p.Language, p.Readable
	sg.scenes = mergeSceneHits(nil, p.Scenes) // a copy: merging adds to it
	if a := sg.acc; a != nil {
		if len(p.Buckets) != len(p.Counts) || (p.Lex != nil && len(p.Lex) != len(a.lex)) {
			a.release()
			return nil, fmt.Errorf("finish partials: the partial at byte %d has malformed story features", p.Off)
		}
		for i, b := range p.Buckets {
			if int(b) >= len(a.counts) || p.Counts[i] == 0 {
				a.release()
				return nil, fmt.Errorf("finish partials: the partial at byte %d has a feature bucket out of the model's range or counted zero times", p.Off)
			}
		}
		// A partial's fields are anyone's to edit: its lists are scored as
		// they are only when no bucket comes twice.
		if whole && a.unique(p.Buckets) {
			lex := p.Lex
			if lex == nil {
				lex = make([]float64, len(a.lex))
			}
			sg.acc = listAcc(a.bits, p.Buckets, p.Counts, lex)
			a.release()
		} else {
			for i, b := range p.Buckets {
				a.add(uint64(b), p.Counts[i])
			}
			copy(a.lex, p.Lex)
		}
	} else if len(p.Buckets) > 0 {
		return nil, fmt.Errorf("finish partials: the partial at byte %d has story features the model has no story model for", p.Off)
	}
	return sg, nil
}

// fromPartialWindows appends ps to dst as windows.
func fromPartialWindows(dst []window, ps []PartialWindow) []window {
	for _, w := range ps {
		dst = append(dst, window{z: w.Z, start: w.Start, end: w.End, line: w.Line, text: w.Text, cutStart: w.CutStart, cutEnd: w.CutEnd})
	}
	return dst
}
