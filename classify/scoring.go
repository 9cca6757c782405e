package classify

import (
	"cmp"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/taxonomy"
)

// window is a scored window: its raw score per label and where it lies.
type window struct {
	z          float64
	start, end int    // byte offsets into the story text
	text       string // the window's text, kept for windows in a top list
	line       int    // line of start; 0 until the window's chunk is done
	// cutStart and cutEnd say that the window starts or ends within a
	// sentence, so that a snippet at its edge can say so.
	cutStart, cutEnd bool
	// tok0 and tok1 are the window's token range in its chunk's tokens
	// (see scoring.only).
	tok0, tok1 int32
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

// sceneLabel is the label whose passages must be scenes: the one that
// sets a story's rating to Explicit. One word is not a sex scene
// ("vagina" in a biology lesson, "went down on him" said once): a window
// is one of its passages (kept, counted, able to show a finding) only
// with two hits of its terms, a word said again within the lexicon's
// repeat_span and a figurative hit not counting, or with one hit of a
// term that alone signals it (soloWeight). Other windows still add to its
// story statistic. For every lexicon label the rule cost recall on the
// development half and missed a self-harm story told one term per
// paragraph, so it holds for this label alone.
const sceneLabel = "pornography"

// soloWeight is the lexicon weight of a term that alone signals its label
// (the lexicon's own scale: 3 "alone signals the label", 2 "a clear
// signal that needs context").
const soloWeight = 3

// offer considers w for the top list; chunk holds w's text at chunk
// offset off.
func (ls *labelState) offer(w window, keep int, chunk string, off int, copyText bool) {
	if len(ls.top) == keep && rank(w, ls.top[keep-1]) >= 0 {
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
	i, _ := slices.BinarySearchFunc(ls.top, w, rank)
	ls.top = slices.Insert(ls.top, i, w)
	if len(ls.top) > keep {
		ls.top = ls.top[:keep]
	}
}

// rank orders windows best first: by score, then, of equal scores, the
// earlier in the story first, as scoring in sequence keeps them. Chunks
// scored in parallel merge in any order, so a tie must not be left to it.
func rank(a, b window) int {
	if c := cmp.Compare(b.z, a.z); c != 0 {
		return c
	}
	return cmp.Compare(a.start, b.start)
}

// insert adds a window that already holds its text (a merged partial).
func (ls *labelState) insert(w window, keep int) {
	if len(ls.top) == keep && rank(w, ls.top[keep-1]) >= 0 {
		return
	}
	i, _ := slices.BinarySearchFunc(ls.top, w, rank)
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
	nhit []int32   // per block: the scene label's hits (see sceneLabel)
	solo []int32   // per block: the scene label's hits of soloWeight or more
	rat  []float64 // per block × rating cue
	mask []uint64  // per block: bit l set when label l has lexicon weight
	need []bool    // per block: naive Bayes is needed (see nbBlocks)
	// cueSum and lexSum hold the chunk's rating cue weights and lexicon
	// weight per label (for the story model), from featureStep to
	// classifyStep, where they are added to the story's once: chunks merged
	// later then add up as in one pass.
	cueSum RatingCues
	lexSum []float64
	mass   []float64 // per label: the chunk's evidence mass
	// evidence holds the buffers of the passages evidence analyses.
	evidence arena
}

// scratches is a model's free list of scoring buffers. Unlike a sync.Pool
// it is not emptied at every garbage collection: a batch run would
// otherwise regrow its token and block buffers (megabytes for a long
// story) after each. It holds a few per CPU; more are made when needed and
// dropped when returned to a full list.
type scratches chan *scratch

// newScratches holds 4 per CPU and 4 more: a run holds about three per
// worker between its tokenize, feature and classify stages, and a smaller
// list dropped scratches and regrew their buffers story after story. A
// scratch that scored a full chunk holds about 8 MB, so after a burst of
// huge stories a model keeps up to that much per scratch listed.
func newScratches() scratches { return make(scratches, 4*runtime.GOMAXPROCS(0)+4) }

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

// scorings is a model's free list of scoring states, for the same reason
// as scratches: a batch run makes one per story of one chunk, and one
// per chunk and another per merge for a longer story, each a few
// kilobytes of label states and windows. A scoring is freed only where nothing made of it refers to its
// buffers any more: a Partial and a Result copy what they keep.
type scorings chan *scoring

func newScorings() scorings { return make(scorings, 4*runtime.GOMAXPROCS(0)+4) }

// get returns a freed scoring for L labels, or nil.
func (f scorings) get(L int) *scoring {
	select {
	case sg := <-f:
		if len(sg.states) == L {
			return sg
		}
		return nil // freed by a model of other labels (not in practice)
	default:
		return nil
	}
}

// emptied returns ws with no windows, every window its array held
// (truncation leaves some past its length) cleared, so that a freed
// scoring does not keep their texts, slices of whole stories, alive.
func emptied(ws []window) []window {
	clear(ws[:cap(ws)])
	return ws[:0]
}

// free hands sg back to its model's free list, emptied of everything that
// refers to a story (windows, options); sg must not be used after.
func (sg *scoring) free() {
	if sg.acc != nil {
		sg.acc.release()
		sg.acc = nil
	}
	for i := range sg.states {
		sg.states[i] = labelState{top: emptied(sg.states[i].top)}
	}
	for k := range sg.cueStates {
		sg.cueStates[k] = labelState{top: emptied(sg.cueStates[k].top)}
	}
	m := sg.m
	*sg = scoring{thr: sg.thr, stat: sg.stat, score: sg.score, states: sg.states, cueStates: sg.cueStates}
	select {
	case m.sgs <- sg:
	default:
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
	// only, when set, is the scratch of the story's only chunk, kept with
	// its tokens and lexicon hits (sorted by TokEnd) until the evidence is
	// built (see ChunkScore.Finish). Most stories are one chunk, and their
	// evidence windows are read from these instead of being tokenised and
	// matched again: read in the chunk's context, a window's hits are
	// those its score was summed from (negation scope, exceptions and
	// repeats that began before it included). The scratch also lends its
	// evidence arena: a second scratch out per story would keep more of
	// them alive in a run, whose heap has a limit.
	only *scratch
	// scenes counts the hits scenes made figurative (Result.Scenes).
	scenes []SceneHits
}

func (m *Model) newScoring(opt PredictOptions, first int) *scoring {
	if opt.Sensitivity == "" {
		opt.Sensitivity = Balanced
	}
	if opt.MaxEvidence <= 0 {
		opt.MaxEvidence = 3
	}
	L := len(m.labels)
	sg := m.sgs.get(L)
	if sg == nil {
		f := make([]float64, 3*L) // one allocation for the three
		sg = &scoring{thr: f[:L:L], stat: f[L : 2*L : 2*L], score: f[2*L:], states: make([]labelState, L)}
	}
	// Every field is set anew; a reused scoring keeps only its buffers
	// (emptied by scoring.free).
	*sg = scoring{m: m, opt: opt, keep: max(opt.MaxEvidence, m.manifest.Config.TopK, 2),
		thr: sg.thr, stat: sg.stat, score: sg.score, states: sg.states, cueStates: sg.cueStates, first: first}
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

// chunk scores one chunk of text starting at byte off of the story: its
// three steps in turn.
func (sg *scoring) chunk(sc *scratch, chunk string, off int, lines *lineCounter) {
	sg.tokenizeStep(sc, chunk, off)
	sg.featureStep(sc, chunk)
	sg.classifyStep(sc, chunk, off, lines)
}

// geometry returns the model's window layout: tokens per block, blocks per
// window, and the labels and naive-Bayes columns scored.
func (sg *scoring) geometry() (stride, perWin, L, nbL int) {
	m := sg.m
	stride, win := m.manifest.Config.Stride, m.manifest.Config.Window
	if stride <= 0 || win < stride {
		stride, win = 50, 100
	}
	if m.nb != nil {
		nbL = len(m.nb.Labels())
	}
	return stride, win / stride, len(m.labels), nbL
}

// tokenizeStep splits a chunk into tokens and finds the lexicon's hits in
// it (sc.toks, sc.hits), and counts what the story level needs from them.
func (sg *scoring) tokenizeStep(sc *scratch, chunk string, off int) {
	m := sg.m
	start := time.Now()
	if n := len(chunk)/4 + 16; cap(sc.toks) < n {
		// Enough for English prose at once (see tokenize.Words), rather
		// than regrowing by a quarter at a time; a power of two (up to a
		// full chunk's), so that a buffer grows a few times in a run, not
		// at every longer story.
		sc.toks = make([]tokenize.Token, 0, min(1<<bits.Len(uint(n)), chunkBytes/4+16))
	}
	sc.toks = tokenize.Words(chunk, sc.toks[:0])
	toks := sc.toks
	if n := len(toks)/16 + 16; cap(sc.hits) < n {
		// Prose has a hit every 20 to 50 tokens: room for them at
		// once, not regrown and copied as they come (room not used
		// costs no memory until it is written).
		sc.hits = make([]lexicon.Hit, 0, n)
	}
	sc.hits = sc.hits[:0]
	m.lex.Match(chunk, toks, func(h lexicon.Hit) { sc.hits = append(sc.hits, h) })
	slices.SortStableFunc(sc.hits, func(a, b lexicon.Hit) int { return cmp.Compare(a.TokEnd, b.TokEnd) })
	sg.tokens += len(toks)
	if sg.acc != nil {
		sg.acc.tokens(toks, m.storyBigrams(sg.opt))
	}
	if sg.lang == "" && off == sg.first {
		var known func(uint64) bool // nil: every word is known
		if m.nb != nil && m.nb.Features() >= minVocabulary {
			known = m.knows
		}
		sg.lang, sg.readable = detectLanguage(chunk, toks, known)
	}
	if sg.opt.CountWords != nil {
		sg.words += sg.opt.CountWords(chunk)
	}
	sg.steps.Tokenize += time.Since(start)
}

// featureStep sums the tokenised chunk's features per block of tokens:
// lexicon weight per label, rating cues, and naive-Bayes weights where a
// window needs them.
func (sg *scoring) featureStep(sc *scratch, chunk string) {
	m := sg.m
	start := time.Now()
	stride, perWin, L, nbL := sg.geometry()
	toks := sc.toks
	nblocks := (len(toks) + stride - 1) / stride
	sc.nb = resize(sc.nb, nblocks*nbL)
	sc.lex = resize(sc.lex, nblocks*L)
	if m.scene >= 0 {
		sc.nhit = resize(sc.nhit, nblocks)
		sc.solo = resize(sc.solo, nblocks)
	}
	sc.rat = resize(sc.rat, nblocks*numCues)
	sc.mask = resize(sc.mask, nblocks)
	sc.cueSum = RatingCues{} // added once, like the mass (see classifyStep)
	sc.lexSum = resize(sc.lexSum, L)
	// The words scenes made figurative in this chunk, so that a word that
	// is a term of two labels counts once (they are few).
	var sceneWords []lexicon.Hit
	for _, h := range sc.hits {
		if h.Negated {
			continue
		}
		b := (h.TokEnd - 1) / stride
		if cue, ok := ratingCue(h.Label); ok {
			sc.rat[b*numCues+cue] += h.Weight
			sc.cueSum[cue] += h.Weight
			continue
		}
		if li, ok := m.labelIdx[h.Label]; ok {
			if h.Scene != "" {
				seen := slices.ContainsFunc(sceneWords, func(w lexicon.Hit) bool {
					return w.Scene == h.Scene && w.TokStart == h.TokStart && w.TokEnd == h.TokEnd
				})
				sg.scenes = addSceneHit(sg.scenes, h.Scene, h.Label, !seen)
				if !seen {
					sceneWords = append(sceneWords, h)
				}
			}
			sc.lex[b*L+li] += h.Weight
			if li == m.scene && !h.Figurative && h.Repeat == 0 {
				sc.nhit[b]++
				if h.Weight >= soloWeight {
					sc.solo[b]++
				}
			}
			sc.mask[b] |= 1 << li
			if sg.acc != nil {
				sc.lexSum[li] += h.Weight
			}
		}
	}
	if m.nb != nil {
		sg.nbBlocks(sc, chunk, toks, nblocks, windowsOf(nblocks, perWin), perWin, stride, nbL)
	}
	sg.steps.Feature += time.Since(start)
}

// scene reports whether the window of blocks [j, end) is a passage of the
// scene label (see sceneLabel).
func (sc *scratch) scene(j, end int) bool {
	n, solo := int32(0), int32(0)
	for b := j; b < end; b++ {
		n += sc.nhit[b]
		solo += sc.solo[b]
	}
	return n >= 2 || solo > 0
}

// windowsOf is the number of windows of perWin consecutive blocks over
// nblocks blocks; a text shorter than one window is one window.
func windowsOf(nblocks, perWin int) int { return max(nblocks-perWin+1, min(nblocks, 1)) }

// classifyStep scores the chunk's windows from the block sums and keeps
// what the story level needs: each label's best windows, counts, mass and
// peak, the rating cues, and the lines of the windows kept.
func (sg *scoring) classifyStep(sc *scratch, chunk string, off int, lines *lineCounter) {
	m := sg.m
	start := time.Now()
	stride, perWin, L, nbL := sg.geometry()
	toks := sc.toks
	nblocks := (len(toks) + stride - 1) / stride
	nwin := windowsOf(nblocks, perWin)
	// A chunk's mass is summed apart and added once, so that chunks scored
	// in parallel and merged in order add up exactly as in sequence.
	sc.mass = resize(sc.mass, L)
	for j := 0; j < nwin; j++ {
		lastBlock := min(j+perWin, nblocks)
		ts, te := j*stride, min(lastBlock*stride, len(toks))
		span := [2]int{off + int(toks[ts].Start), off + wordEnd(chunk, int(toks[te-1].End()))}
		// Within a sentence: no sentence end just before the window (at a
		// chunk's start, one that is not the body's, nothing tells: the
		// chunk was cut at a space), or none at its last token before
		// the chunk's end.
		cutStart := (ts > 0 && toks[ts-1].Flags&tokenize.FlagSentenceEnd == 0) || (ts == 0 && off != sg.first)
		cutEnd := te < len(toks) && toks[te-1].Flags&tokenize.FlagSentenceEnd == 0
		var cues RatingCues
		for b := j; b < lastBlock; b++ {
			for k := range numCues {
				cues[k] += sc.rat[b*numCues+k]
			}
		}
		sg.rating = sg.rating.max(cues)
		for k, c := range cues {
			if c >= minCueEvidence {
				sg.cueStates[k].offer(window{z: c, start: span[0], end: span[1], cutStart: cutStart, cutEnd: cutEnd, tok0: int32(ts), tok1: int32(te)}, ratingEvidenceKeep, chunk, off, !sg.inMemory)
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
			if li == m.scene && !sc.scene(j, lastBlock) {
				continue // adds to the story statistic, but is no passage
			}
			if z >= sg.thr[li] {
				sg.states[li].count++
			}
			sg.states[li].offer(window{z: z, start: span[0], end: span[1], cutStart: cutStart, cutEnd: cutEnd, tok0: int32(ts), tok1: int32(te)}, sg.keep, chunk, off, !sg.inMemory)
		}
		sg.windows++
	}
	for k := range sc.cueSum {
		sg.ratingSum[k] += sc.cueSum[k]
	}
	if sg.acc != nil {
		for li, x := range sc.lexSum {
			sg.acc.lex[li] += x
		}
	}
	for li, x := range sc.mass {
		sg.states[li].mass += x
	}
	lines.chunk(chunk, off, sg.states, sg.cueStates[:])
	sg.steps.Classify += time.Since(start)
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
	sc.need = resize(sc.need, nblocks)
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
		if m.fz.wordsOnly() {
			sg.nbWords(sc, toks, lo, hi, stride, nbL)
		} else {
			m.fz.eachRange(chunk, toks, sc.hits, lo, hi, func(tok int, f uint64) {
				sc.addRow(m.nb.Row(f), tok/stride, nbL)
			})
		}
		b = e
	}
}

// addRow adds a naive-Bayes row (nil: an unknown feature) to block blk's
// sums.
func (sc *scratch) addRow(row []float32, blk, nbL int) {
	if row == nil {
		return
	}
	sums := sc.nb[blk*nbL : (blk+1)*nbL]
	for c, w := range row {
		sums[c] += float64(w)
	}
}

// nbWords is nbBlocks' feature loop for models whose features are words
// (negated or not) and lexicon hits, as the default model's are: the
// features of featurizer.eachRange, added in the same order (so the sums
// are the same to the last bit), without a call through a function value
// per feature or hashing a label name per hit. It is the hot loop of a
// batch run over warning-dense text.
func (sg *scoring) nbWords(sc *scratch, toks []tokenize.Token, lo, hi, stride, nbL int) {
	if nbL == 8 {
		sg.nbWords8(sc, toks, lo, hi, stride)
		return
	}
	sg.nbWordsN(sc, toks, lo, hi, stride, nbL)
}

// nbWordsN is nbWords for any number of naive-Bayes labels.
func (sg *scoring) nbWordsN(sc *scratch, toks []tokenize.Token, lo, hi, stride, nbL int) {
	m := sg.m
	cfg := m.fz.cfg
	hits := sc.hits
	h := firstHitFrom(hits, lo)
	for i := lo; i < hi; i++ {
		sc.addRow(m.nb.Row(m.wordFeature(&toks[i])), i/stride, nbL)
		for cfg.Lexicon && h < len(hits) && hits[h].TokEnd-1 <= i {
			if f, ok := m.hitFeature(&hits[h]); ok {
				sc.addRow(m.nb.Row(f), (hits[h].TokEnd-1)/stride, nbL)
			}
			h++
		}
	}
}

// wordFeature is the naive-Bayes feature of a token: its word, salted when
// it is negated (for models that mark negation).
func (m *Model) wordFeature(t *tokenize.Token) uint64 {
	if m.fz.cfg.Negation && t.Flags&tokenize.FlagNegated != 0 {
		return tokenize.Salt(t.Hash, saltNegated)
	}
	return t.Hash
}

// hitFeature is the naive-Bayes feature of a lexicon hit, and whether it
// is one: rating cues and figurative hits are not.
func (m *Model) hitFeature(hit *lexicon.Hit) (uint64, bool) {
	if !isLabelHit(*hit) || hit.Figurative {
		return 0, false
	}
	if li, ok := m.labelIdx[hit.Label]; ok {
		return m.lexFeat[li][b2i(hit.Negated)], true
	}
	return lexiconFeature(hit.Label, hit.Negated), true
}

// nbWords8 is nbWords for models of eight naive-Bayes labels, as the
// default model is. A block's eight sums are kept in registers while its
// tokens are added, instead of eight loads and stores per token through
// memory; they are added in the same order, so the sums are the same to
// the last bit.
func (sg *scoring) nbWords8(sc *scratch, toks []tokenize.Token, lo, hi, stride int) {
	m := sg.m
	cfg := m.fz.cfg
	hits := sc.hits
	h := firstHitFrom(hits, lo)
	for bs := lo; bs < hi; {
		blk := bs / stride
		be := min((blk+1)*stride, hi)
		var a0, a1, a2, a3, a4, a5, a6, a7 float64
		add := func(row []float32) {
			if len(row) < 8 {
				return
			}
			a0 += float64(row[0])
			a1 += float64(row[1])
			a2 += float64(row[2])
			a3 += float64(row[3])
			a4 += float64(row[4])
			a5 += float64(row[5])
			a6 += float64(row[6])
			a7 += float64(row[7])
		}
		for i := bs; i < be; i++ {
			add(m.nb.Row(m.wordFeature(&toks[i])))
			// Hits are sorted by their last token, so a hit is added at
			// that token, in its block.
			for cfg.Lexicon && h < len(hits) && hits[h].TokEnd-1 <= i {
				if f, ok := m.hitFeature(&hits[h]); ok {
					add(m.nb.Row(f))
				}
				h++
			}
		}
		sums := sc.nb[blk*8 : blk*8+8]
		sums[0] += a0
		sums[1] += a1
		sums[2] += a2
		sums[3] += a3
		sums[4] += a4
		sums[5] += a5
		sums[6] += a6
		sums[7] += a7
		bs = be
	}
}

// b2i is 1 for true, 0 for false.
func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
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
	sg.scenes = mergeSceneHits(sg.scenes, o.scenes)
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
	res := Result{Windows: sg.windows, Tokens: sg.tokens, Words: sg.words, Steps: sg.steps, Scenes: sg.scenes}
	// Chunks may be merged in any order: sort what they counted.
	slices.SortFunc(res.Scenes, func(a, b SceneHits) int { return cmp.Compare(a.Scene, b.Scene) })
	for _, h := range res.Scenes {
		slices.SortFunc(h.Labels, func(a, b string) int { return cmp.Compare(m.labelIdx[a], m.labelIdx[b]) })
	}
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
			ls.Score, ls.Detected = m.decideStory(li, ls.topZ, story[li], sg.stat[li])
		case len(st.top) > 0:
			ls.Score, ls.Detected = m.decide(li, st.top, res.Windows, sg.thr[li])
		}
		if len(st.top) > 0 && ls.Source == SourceModel {
			ls.Source = SourceBoth // its windows passed the lexicon gate
		}
		res.Labels[li] = ls
		if ls.Detected {
			res.Detected = append(res.Detected, l.ID)
		}
	}
	res.Language = sg.lang
	switch {
	case sg.tokens == 0:
		// A header and nothing after it, or only punctuation: finding
		// nothing in it says nothing of the story, and it has no language.
		res.Language = ""
		return m.notChecked(res, "the story has no words to check after its header"), nil
	case res.Language == "":
		// Words, but no chunk marked First to read the language from
		// (partials of a caller's own): read as English, as before.
		res.Language = English
	case !sg.readable && res.Language == Undetermined:
		return m.notChecked(res, "the text reads as no language: almost none of its words are English words the model knows (random letters, an encoded file?)"), nil
	case !sg.readable:
		return m.notChecked(res, fmt.Sprintf("the text reads as %s (%s); the model reads English only", LanguageName(res.Language), res.Language)), nil
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
		if res.Evidence, res.RatingEvidence, err = m.evidence(sg.states, sg.cueStates, in, lv, res, sg.opt, sg.only); err != nil {
			return Result{}, err
		}
	}
	res.Steps.Classify += time.Since(t0)
	return res, nil
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

// resize returns s with length n, zeroed, reusing its array when it is
// large enough.
func resize[T any](s []T, n int) []T {
	if cap(s) < n {
		return make([]T, n)
	}
	s = s[:n]
	clear(s)
	return s
}
