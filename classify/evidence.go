package classify

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/taxonomy"
)

// maxSnippet bounds a snippet's length in bytes.
const maxSnippet = 400

// passage is a window's text analysed once for all the labels whose
// evidence it is: tokens, lexicon hits, sentences and, once a label of
// naive Bayes asks for them, per-token naive-Bayes weights.
type passage struct {
	text  string
	toks  []tokenize.Token
	hits  []lexicon.Hit
	sents []tokenize.Span
	nb    []float64 // per token × NB column; nil until nbWeights
	ar    *arena    // where its slices come from (nil: allocated)
}

// arena holds the buffers of one story's evidence passages: slices are
// carved from them and all given back at once when the evidence is built
// (nothing returned refers to them: snippets are copies). A buffer that
// must grow leaves the slices already carved in the old array, which stays
// valid.
type arena struct {
	toks   []tokenize.Token
	hits   []lexicon.Hit
	floats []float64
}

func (a *arena) reset() {
	a.toks, a.hits, a.floats = a.toks[:0], a.hits[:0], a.floats[:0]
}

// zeros returns n zeroed floats.
func (a *arena) zeros(n int) []float64 {
	if a == nil {
		return make([]float64, n)
	}
	start := len(a.floats)
	a.floats = slices.Grow(a.floats, n)[:start+n]
	s := a.floats[start : start+n : start+n]
	clear(s)
	return s
}

// analyse tokenises text and finds its lexicon hits and sentences, with
// its slices from ar (nil: allocated).
func (m *Model) analyse(text string, seg *tokenize.Segmenter, ar *arena) *passage {
	p := &passage{text: text, ar: ar}
	if ar != nil {
		t0, h0 := len(ar.toks), len(ar.hits)
		ar.toks = tokenize.Words(text, ar.toks)
		p.toks = ar.toks[t0:len(ar.toks):len(ar.toks)]
		m.lex.Match(text, p.toks, func(h lexicon.Hit) { ar.hits = append(ar.hits, h) })
		p.hits = ar.hits[h0:len(ar.hits):len(ar.hits)]
	} else {
		p.toks = tokenize.Words(text, nil)
		m.lex.Match(text, p.toks, func(h lexicon.Hit) { p.hits = append(p.hits, h) })
	}
	slices.SortStableFunc(p.hits, func(a, b lexicon.Hit) int { return cmp.Compare(a.TokEnd, b.TokEnd) })
	p.sentences(seg)
	return p
}

// passageOf is window w's passage read from the tokens and hits of its
// chunk, held by sc (see scoring.only), with its slices from ar: the
// tokens rebased to the window's text, the hits that lie wholly inside it.
func passageOf(w window, v *scratch, seg *tokenize.Segmenter, ar *arena) *passage {
	ts, te := int(w.tok0), int(w.tok1)
	p := &passage{text: w.text, ar: ar}
	base := v.toks[ts].Start
	t0 := len(ar.toks)
	for _, t := range v.toks[ts:te] {
		t.Start -= base
		ar.toks = append(ar.toks, t)
	}
	p.toks = ar.toks[t0:len(ar.toks):len(ar.toks)]
	h0 := len(ar.hits)
	first, _ := slices.BinarySearchFunc(v.hits, ts+1, func(h lexicon.Hit, end int) int { return cmp.Compare(h.TokEnd, end) })
	for _, h := range v.hits[first:] {
		if h.TokEnd > te {
			break
		}
		if h.TokStart < ts {
			continue // begins before the window
		}
		h.TokStart -= ts
		h.TokEnd -= ts
		ar.hits = append(ar.hits, h)
	}
	p.hits = ar.hits[h0:len(ar.hits):len(ar.hits)]
	p.sentences(seg)
	return p
}

// sentences splits the passage into sentences: with seg when given, else
// at the tokens' sentence ends.
func (p *passage) sentences(seg *tokenize.Segmenter) {
	if seg != nil {
		p.sents = seg.Sentences(p.text)
	} else {
		p.sents = tokenSentences(p.text, p.toks)
	}
	if len(p.sents) == 0 {
		p.sents = []tokenize.Span{{Start: 0, End: len(p.text)}}
	}
}

// nbWeights returns the passage's per-token naive-Bayes weights, computed
// on first use: the evidence of lexicon labels and rating cues never needs
// them.
func (m *Model) nbWeights(p *passage) []float64 {
	if p.nb == nil {
		nbL := len(m.nb.Labels())
		p.nb = p.ar.zeros(len(p.toks) * nbL)
		m.fz.each(p.text, p.toks, p.hits, func(tok int, f uint64) {
			for c, w := range m.nb.Row(f) {
				p.nb[tok*nbL+c] += float64(w)
			}
		})
	}
	return p.nb
}

// contributions scores each token of a passage for label li: the naive-
// Bayes weight of the features anchored at it (model labels) or the
// lexicon weight of the hits ending at it (lexicon labels). It also returns
// the lexicon hits for the label.
func (m *Model) contributions(p *passage, li int) ([]float64, []lexicon.Hit) {
	contrib := p.ar.zeros(len(p.toks))
	id := m.labels[li].ID
	if c := m.nbCol[li]; c >= 0 {
		nbL := len(m.nb.Labels())
		nb := m.nbWeights(p)
		for t := range p.toks {
			contrib[t] = nb[t*nbL+c]
		}
	}
	var mine []lexicon.Hit
	for _, h := range p.hits {
		if h.Label != id {
			continue
		}
		mine = append(mine, h)
		if m.nbCol[li] < 0 && !h.Negated {
			contrib[h.TokEnd-1] += h.Weight
		}
	}
	return contrib, mine
}

// Rating evidence: a window shows a rating cue when its cue weight reaches
// minCueEvidence (one "kiss" or "damn" shows nothing); each cue keeps its
// ratingEvidenceKeep strongest windows, and a rating shows at most that
// many passages in all.
const (
	minCueEvidence     = 1.0
	ratingEvidenceKeep = 3
)

// evidence builds the evidence of the detected labels from their best
// windows (for each, the one or two sentences that carry the label most),
// and the evidence of the predicted rating lv from the strongest windows of
// the cues that lifted it most (see ratingOrder). With
// opt.ParallelEvidence, half of the detected labels are done on another
// goroutine, with a window cache and passage buffers of its own.
func (m *Model) evidence(states []labelState, cues [numCues]labelState, in ratingInputs, lv taxonomy.Level, res Result, opt PredictOptions, only *scratch) ([]Evidence, []Evidence, error) {
	// The segmenter is fetched before the first window is analysed: a
	// story with nothing detected never waits for it to be built.
	var seg *tokenize.Segmenter
	needSeg := !opt.FastSnippets
	var detected []int
	for li, ls := range res.Labels {
		if ls.Detected {
			detected = append(detected, li)
		}
	}
	if needSeg && (len(detected) > 0 || lv > taxonomy.General) {
		var err error
		if seg, err = m.seg(); err != nil {
			return nil, nil, fmt.Errorf("sentence segmenter: %w", err)
		}
	}
	sc := only
	if sc != nil {
		defer sc.evidence.reset() // its owner puts it back
	} else {
		sc = m.free.get()
		defer func() {
			sc.evidence.reset()
			m.free.put(sc)
		}()
	}
	main := newEvidenceCache(m, seg, only, &sc.evidence)
	perLabel := make([][]Evidence, len(detected))
	if opt.ParallelEvidence && len(detected) >= 2 {
		// Odd positions on another goroutine: labels are ordered by
		// group, so each half gets a mix of heavy and light ones.
		other := m.free.get()
		defer func() {
			other.evidence.reset()
			m.free.put(other)
		}()
		side := newEvidenceCache(m, seg, only, &other.evidence)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for k := 1; k < len(detected); k += 2 {
				perLabel[k] = m.labelEvidence(states, res, detected[k], opt.MaxEvidence, side)
			}
		}()
		for k := 0; k < len(detected); k += 2 {
			perLabel[k] = m.labelEvidence(states, res, detected[k], opt.MaxEvidence, main)
		}
		<-done
	} else {
		for k, li := range detected {
			perLabel[k] = m.labelEvidence(states, res, li, opt.MaxEvidence, main)
		}
	}
	var out []Evidence
	for _, evs := range perLabel {
		out = append(out, evs...)
	}
	if lv <= taxonomy.General {
		return out, nil, nil
	}
	var rating []Evidence
	for _, k := range m.ratingOrder(in) {
		for _, w := range cues[k].top {
			if len(rating) == ratingEvidenceKeep {
				return out, rating, nil
			}
			p := main.passage(w)
			contrib, hits := cueContributions(p, k)
			ev := snippet(w, p, contrib, hits)
			ev.Label = cueNames[k]
			ev.Score = w.z / (w.z + 2) // 0.5 at a cue weight of 2
			rating = append(rating, ev)
		}
	}
	return out, rating, nil
}

// evidenceCache analyses the windows evidence is built from, each once:
// labels often share windows. One goroutine uses it.
type evidenceCache struct {
	m        *Model
	seg      *tokenize.Segmenter // nil: snippets cut at the tokenizer's sentence ends
	only     *scratch            // the chunk's tokens and hits, when they are kept
	ar       *arena
	analysed map[int]*passage
}

func newEvidenceCache(m *Model, seg *tokenize.Segmenter, only *scratch, ar *arena) *evidenceCache {
	return &evidenceCache{m: m, seg: seg, only: only, ar: ar, analysed: map[int]*passage{}}
}

// passage returns window w analysed.
func (c *evidenceCache) passage(w window) *passage {
	if p, ok := c.analysed[w.start]; ok && p.text == w.text {
		return p
	}
	var p *passage
	if c.only != nil && w.tok1 > w.tok0 {
		p = passageOf(w, c.only, c.seg, c.ar)
	} else {
		p = c.m.analyse(w.text, c.seg, c.ar)
	}
	c.analysed[w.start] = p
	return p
}

// labelEvidence builds the evidence of detected label li from its best
// windows: at most maxPer passages, none weaker than the balanced
// threshold after the first, none a near copy of one kept.
func (m *Model) labelEvidence(states []labelState, res Result, li, maxPer int, c *evidenceCache) []Evidence {
	ls := res.Labels[li]
	thr := m.info[li].Thresholds.Balanced
	var out []Evidence
	for k, w := range states[li].top {
		if len(out) >= maxPer {
			break
		}
		if k > 0 && w.z < thr {
			break // weaker windows than the threshold are not evidence
		}
		p := c.passage(w)
		contrib, hits := m.contributions(p, li)
		ev := snippet(w, p, contrib, hits)
		ev.Label = ls.Label
		ev.Score = m.score(li, w.z)
		if slices.ContainsFunc(out, func(e Evidence) bool { return nearPassage(e, ev) }) {
			// An overlapping window's passage at the same place: a
			// moderator would read the same sentence twice, once cut.
			continue
		}
		out = append(out, ev)
	}
	return out
}

// ratingOrder lists the cues by how much each lifted the rating score,
// most first, then those the story has but the score weighs at nothing
// (most first by their total): a detected warning can set the level by
// itself (Teen at least), and its cue's passages still show what the
// level rests on.
func (m *Model) ratingOrder(in ratingInputs) []int {
	rc := m.manifest.Rating
	parts := in.max // models without cut points: the strongest window's cues
	if len(rc.Cuts) == 3 {
		parts = rc.Weights.parts(in)
	}
	if in.explicit(rc.ExplicitPorn) {
		parts[cueSexual] = math.Inf(1) // what made it Explicit
	}
	var order, unweighted []int
	for k := range parts {
		switch {
		case parts[k] > 0:
			order = append(order, k)
		case in.total[k] > 0:
			unweighted = append(unweighted, k)
		}
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(parts[b], parts[a]) })
	slices.SortStableFunc(unweighted, func(a, b int) int { return cmp.Compare(in.total[b], in.total[a]) })
	return append(order, unweighted...)
}

// cueContributions scores each token of a passage for rating cue k: the
// weight of the cue's hits ending at it.
func cueContributions(p *passage, k int) ([]float64, []lexicon.Hit) {
	contrib := p.ar.zeros(len(p.toks))
	var mine []lexicon.Hit
	for _, h := range p.hits {
		if c, ok := ratingCue(h.Label); !ok || c != k {
			continue
		}
		mine = append(mine, h)
		if !h.Negated {
			contrib[h.TokEnd-1] += h.Weight
		}
	}
	return contrib, mine
}

// snippet picks the best one or two sentences of window w (analysed as p)
// by the tokens' contributions to a label or cue and its lexicon hits.
func snippet(w window, p *passage, contrib []float64, hits []lexicon.Hit) Evidence {
	passage, toks, sents := p.text, p.toks, p.sents
	// hasTerm marks tokens that end a literal (not negated, not figurative)
	// term of the label: the snippet must show one, not only words naive
	// Bayes weighed.
	hasTerm := make([]bool, len(toks))
	for _, h := range hits {
		if !h.Negated && !h.Figurative {
			hasTerm[h.TokEnd-1] = true
		}
	}
	score := make([]float64, len(sents))
	termIn := make([]bool, len(sents))
	si := 0
	for t, tok := range toks {
		for si < len(sents)-1 && int(tok.Start) >= sents[si].End {
			si++
		}
		score[si] += contrib[t]
		termIn[si] = termIn[si] || hasTerm[t]
	}
	anyTerm := slices.Contains(termIn, true)
	// A sentence the window's edge cuts shows only part of itself
	// ("Kowalski was bleeding too, from…"): a whole sentence with a term
	// is shown instead when it weighs at least half as much.
	cut := func(i int) bool {
		return (i == 0 && w.cutStart) || (i == len(sents)-1 && w.cutEnd)
	}
	best, whole := -1, -1
	for i := range sents {
		if anyTerm && !termIn[i] {
			continue
		}
		if best < 0 || score[i] > score[best] {
			best = i
		}
		if !cut(i) && (whole < 0 || score[i] > score[whole]) {
			whole = i
		}
	}
	if cut(best) && whole >= 0 && score[whole] >= score[best]/2 {
		best = whole
	}
	span := sents[best]
	// A short sentence is shown with its better neighbour in the same
	// paragraph.
	if span.End-span.Start < 120 && len(sents) > 1 {
		prev, next := best > 0, best < len(sents)-1
		prev = prev && sameParagraph(passage, sents[best-1].End, span.Start)
		next = next && sameParagraph(passage, span.End, sents[best+1].Start)
		switch {
		case prev && (!next || score[best-1] >= score[best+1]):
			span.Start = sents[best-1].Start
		case next:
			span.End = sents[best+1].End
		}
	}
	ev := Evidence{
		ByteStart: w.start + span.Start, ByteEnd: w.start + span.End,
		LineStart: w.line + lineBreaks(passage[:span.Start]),
		LineEnd:   w.line + lineBreaks(passage[:max(span.End-1, span.Start)]),
	}
	ev.Snippet = trimSnippet(passage[span.Start:span.End])
	// A sentence the window's edge cuts says so: "…to strangle them." must
	// not read as the whole of "I want to strangle them."
	if w.cutStart && span.Start == 0 {
		ev.Snippet = "…" + ev.Snippet
	}
	if w.cutEnd && span.End == len(passage) && !strings.HasSuffix(ev.Snippet, "…") {
		ev.Snippet += "…"
	}
	seen := map[string]bool{}
	for _, h := range hits {
		if !h.Negated && !seen[h.Term] {
			seen[h.Term] = true
			ev.Terms = append(ev.Terms, h.Term)
		}
	}
	return ev
}

// lineBreaks counts line breaks (\n, \r\n, \r) in s.
func lineBreaks(s string) int {
	n := strings.Count(s, "\n")
	if strings.IndexByte(s, '\r') >= 0 {
		n += strings.Count(s, "\r") - strings.Count(s, "\r\n")
	}
	return n
}

// trimSnippet collapses white space and shortens s to maxSnippet bytes at
// a word boundary.
func trimSnippet(s string) string {
	s = collapseSpace(s)
	if len(s) <= maxSnippet {
		return s
	}
	cut := maxSnippet
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(s[:cut], ' '); i > maxSnippet/2 {
		cut = i
	}
	return s[:cut] + "…"
}

// collapseSpace is strings.Join(strings.Fields(s), " ") in one pass, and
// always a copy: a snippet is kept in a row after its story is gone, and a
// slice would keep the whole story text alive.
func collapseSpace(s string) string {
	// Is there anything to do? Only single ASCII spaces between words
	// are kept as they are.
	clean := true
	prevSpace := true // at the start, a space would be leading
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf {
			clean = false // a non-ASCII space is possible: take the slow path
			break
		}
		sp := asciiSpace[c]
		if sp && (c != ' ' || prevSpace) {
			clean = false
			break
		}
		prevSpace = sp
	}
	if clean && !prevSpace {
		return strings.Clone(s)
	}
	var b strings.Builder
	b.Grow(len(s))
	pending := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if unicode.IsSpace(r) {
			pending = b.Len() > 0
		} else {
			if pending {
				b.WriteByte(' ')
				pending = false
			}
			b.WriteString(s[i : i+size]) // invalid bytes kept as they are, as Fields keeps them
		}
		i += size
	}
	return b.String()
}

// asciiSpace marks the ASCII bytes unicode.IsSpace reports.
var asciiSpace = [utf8.RuneSelf]bool{'\t': true, '\n': true, '\v': true, '\f': true, '\r': true, ' ': true}

// sameParagraph reports whether no blank line lies in text[from:to].
func sameParagraph(text string, from, to int) bool {
	if from >= to {
		return true
	}
	gap := strings.ReplaceAll(text[from:to], "\r\n", "\n")
	return !strings.Contains(strings.ReplaceAll(gap, "\r", "\n"), "\n\n")
}

// tokenSentences splits text into sentences at the tokens the tokenizer
// flagged as sentence ends: the fast path of batch runs (see
// PredictOptions.FastSnippets).
func tokenSentences(text string, toks []tokenize.Token) []tokenize.Span {
	var out []tokenize.Span
	start := -1
	for i, t := range toks {
		if start < 0 {
			start = int(t.Start)
		}
		if t.Has(tokenize.FlagSentenceEnd) || i == len(toks)-1 {
			out = append(out, tokenize.Span{Start: start, End: wordEnd(text, int(t.End()))})
			start = -1
		}
	}
	return out
}

// nearPassage reports whether two passages of a story overlap or lie
// within a few words of each other.
func nearPassage(a, b Evidence) bool {
	const near = 40 // bytes between them
	return max(a.ByteStart, b.ByteStart)-min(a.ByteEnd, b.ByteEnd) <= near
}
