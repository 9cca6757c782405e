package lexicon

import (
	"slices"

	"github.com/tagger-dev/tagger/classify/tokenize"
)

// Hit is one occurrence of a lexicon term in a text.
type Hit struct {
	// Label is the canonical label id, or RatingSexual, RatingViolence or
	// RatingLanguage for a rating cue.
	Label string
	// Term is the lexicon term as written in the file ("snap * neck").
	Term string
	// Weight is the term's weight, times the simile factor when
	// Figurative, divided by Repeat+1.
	Weight float64
	// TokStart and TokEnd are the token index range [TokStart, TokEnd) of
	// the hit in the tokens passed to Match.
	TokStart, TokEnd int
	// Negated reports that the hit's first token is in the scope of a
	// negation cue ("he did not kill her"). The weight is unchanged: the
	// model decides what a negated hit is worth.
	Negated bool
	// Figurative reports that the hit follows a simile cue ("akin to
	// rape", "like a war zone").
	Figurative bool
	// Repeat is the number of earlier hits of the same term within the
	// lexicon's repeat_span tokens before this one (0 without the key):
	// a word said again is weaker evidence than a new one.
	Repeat int
}

// pend is a hit waiting for the exceptions that may still overlap it.
type pend struct {
	hit     Hit
	cat     int16
	term    int32
	dropped bool
}

// Match calls fn for every hit of the lexicon in toks, the tokens of text
// as tokenize.Words produced them, in token order (by TokStart; at one
// start, longer hits first).
//
// Match reads only the tokens (their hashes and flags): text is the text
// they came from, kept in the signature for callers that report snippets,
// and may be empty. A phrase never spans a sentence end. A hit overlapped
// by an exception of its label, or by a global exception, is dropped; a
// hit whose tokens lie inside another hit of the same label is not
// reported (the longer term wins). Hashing is done by tokenize.Words, and
// Match allocates nothing for ordinary prose.
func (l *Lexicon) Match(text string, toks []tokenize.Token, fn func(Hit)) {
	if len(l.patterns) == 0 {
		return
	}
	// ends[c+1] is the end of the furthest exception of category c seen so
	// far (ends[0]: global exceptions); cueEnd that of the furthest simile
	// cue. pending holds hits that a later exception may still drop. Both
	// buffers live on the stack for ordinary input.
	var endsBuf [64]int
	// 256: a hit waits play_span tokens (see plays), and the densest prose
	// (every word a term of two labels and a rating cue) holds a hundred
	// hits in that span.
	var pendBuf [256]pend
	ends := endsBuf[:]
	if n := len(l.cats) + 1; n > len(endsBuf) {
		ends = make([]int, n)
	}
	pending := pendBuf[:0]
	cueEnd := 0
	// Repeats are counted as hits are emitted, in token order, so that a
	// dropped hit is no repeat.
	rep := repeats{span: l.repeatSpan}
	// With play phrases, a hit is held until playSpan tokens past its end
	// have been read, so that a play phrase just after it is seen.
	var play *plays
	var playBuf plays
	if l.playSpan > 0 {
		play = &playBuf
		play.span, play.cat, play.factor = l.playSpan, l.playCat, l.factor
	}
	for i := range toks {
		// Most tokens start no pattern: the filters turn them away
		// inline, and only the few that pass pay for the rest.
		h := toks[i].Hash
		var refs1, refs2 []int32
		if l.tab.mayHold(h) {
			refs1 = l.tab.find(h)
		}
		if i+1 < len(toks) && toks[i].Flags&tokenize.FlagSentenceEnd == 0 {
			if k := pairKey(h, toks[i+1].Hash); l.pairs.mayHold(k) {
				refs2 = l.pairs.find(k)
			}
		}
		if len(refs1) == 0 && len(refs2) == 0 {
			continue
		}
		// No exception can start between two candidates, so the queue
		// need only be flushed at candidates.
		if len(pending) > 0 {
			pending = flush(pending, play.upto(i), &rep, play, fn)
		}
		// The patterns that start with this word, then those that start
		// with this word and the next.
		refs := refs1
		for from := 1; from <= 2; from, refs = from+1, refs2 {
			for _, r := range refs {
				p := &l.patterns[r]
				end, ok := p.matchAt(toks, i, from)
				if !ok {
					continue
				}
				switch p.kind {
				case kindException:
					ends[p.cat+1] = max(ends[p.cat+1], end)
					for j := range pending {
						q := &pending[j]
						if q.hit.TokEnd > i && (p.cat == globalCat || q.cat == p.cat) {
							q.dropped = true
						}
					}
				case kindSimile:
					cueEnd = max(cueEnd, end)
				case kindPlay:
					play.add(i, end)
				case kindTerm:
					t := &l.terms[p.term]
					if ends[0] > i || ends[t.cat+1] > i {
						continue // inside an exception that started earlier
					}
					h := Hit{Label: l.cats[t.cat], Term: t.text, Weight: t.weight, TokStart: i, TokEnd: end}
					f := toks[i].Flags
					h.Negated = f&tokenize.FlagNegated != 0 && f&tokenize.FlagNegation == 0 && !t.fixed
					if l.figurative(toks, cueEnd, i) {
						h.Figurative = true
						h.Weight *= l.factor
					}
					pending = insert(pending, pend{hit: h, cat: t.cat, term: p.term})
				}
			}
		}
	}
	flush(pending, len(toks), &rep, play, fn)
}

// matchAt reports whether the pattern matches the tokens from i on, its
// slots before from being known to match, and returns the end of the
// match.
func (p *pattern) matchAt(toks []tokenize.Token, i, from int) (int, bool) {
	end := i + len(p.slots)
	if end > len(toks) {
		return 0, false
	}
	for k := from; k < len(p.slots); k++ {
		if toks[i+k-1].Flags&tokenize.FlagSentenceEnd != 0 {
			return 0, false
		}
		if s := &p.slots[k]; !s.any && !slices.Contains(s.hashes, toks[i+k].Hash) {
			return 0, false
		}
	}
	return end, true
}

// figurative reports whether a hit starting at token i follows the simile
// cue ending at cueEnd: directly, or after at most simileMaxSkip
// simile_skip words, with no clause punctuation in between.
func (l *Lexicon) figurative(toks []tokenize.Token, cueEnd, i int) bool {
	if cueEnd == 0 || cueEnd > i || i-cueEnd > simileMaxSkip {
		return false
	}
	for k := cueEnd - 1; k < i; k++ {
		if toks[k].Flags&tokenize.FlagClauseEnd != 0 {
			return false
		}
	}
	for k := cueEnd; k < i; k++ {
		if _, ok := slices.BinarySearch(l.skip, toks[k].Hash); !ok {
			return false
		}
	}
	return true
}

// insert queues a hit, keeping the queue ordered by start, then longer
// first, then heavier first, so that a hit is emitted before the hits it
// contains.
func insert(pending []pend, p pend) []pend {
	j := len(pending)
	for j > 0 {
		q := &pending[j-1].hit
		if q.TokStart < p.hit.TokStart || q.TokEnd > p.hit.TokEnd ||
			(q.TokEnd == p.hit.TokEnd && q.Weight >= p.hit.Weight) {
			break
		}
		j--
	}
	return slices.Insert(pending, j, p)
}

// flush emits the queued hits at the front that end at or before token
// upto (no exception starting at upto or later can overlap them), and
// returns the rest of the queue; rep counts the repeats, and play (nil
// without play phrases) marks the hits in a scene of play.
func flush(pending []pend, upto int, rep *repeats, play *plays, fn func(Hit)) []pend {
	n := 0
	for ; n < len(pending) && pending[n].hit.TokEnd <= upto; n++ {
		p := &pending[n]
		if p.dropped {
			continue
		}
		if play != nil {
			play.mark(p)
		}
		if rep.span > 0 && !p.hit.Negated {
			// A negated hit adds nothing ("he did not stab her"), so it
			// neither counts as said nor is discounted.
			rep.count(p)
		}
		fn(p.hit)
		for j := n + 1; j < len(pending); j++ {
			q := &pending[j]
			if q.cat == p.cat && q.hit.TokStart >= p.hit.TokStart && q.hit.TokEnd <= p.hit.TokEnd {
				q.dropped = true
			}
		}
	}
	if n == 0 {
		return pending
	}
	return pending[:copy(pending, pending[n:])]
}

// repeats remembers the latest hits of a Match call, to count repeats.
// A ring of 32 is enough: prose that shows a label has a few hits per
// hundred tokens, and past 32 the older hits are merely forgotten (the
// discount is smaller, never wrong in kind).
type repeats struct {
	ring [32]struct {
		term  int32
		start int
	}
	n    int
	span int // Lexicon.repeatSpan
}

// count sets p's Repeat to the number of remembered hits of its term that
// start less than r.span tokens before it, divides its weight accordingly,
// and remembers it.
func (r *repeats) count(p *pend) {
	k := 0
	for j := 1; j <= min(r.n, len(r.ring)); j++ {
		e := &r.ring[(r.n-j)%len(r.ring)]
		if e.start <= p.hit.TokStart-r.span {
			break // hits are emitted by start: the rest are older
		}
		if e.term == p.term {
			k++
		}
	}
	e := &r.ring[r.n%len(r.ring)]
	e.term, e.start = p.term, p.hit.TokStart
	r.n++
	if k > 0 {
		p.hit.Repeat = k
		p.hit.Weight /= float64(k + 1)
	}
}

// plays remembers where the latest play phrases of a Match call are
// ("chess", "board game", "rehearsal"): a hit of a play label within span
// tokens of two of them (playMin), before or after, is told of a game, a
// sport or a stage, and is figurative, as after a simile cue ("he
// slaughtered my queen" at a chess board).
//
// Match holds a hit until span tokens past its end are read (upto), so
// every phrase near it is known when it is emitted; a phrase further on
// would have made Match emit the hit before recording the phrase. So the
// phrases recorded by then that are near the hit are the newest ones, and
// the ring, which holds the newest, counts them (up to its size).
type plays struct {
	ring [16]struct{ start, end int }
	n    int
	span int
	// cat marks the categories the rule applies to; factor is the
	// lexicon's simile factor.
	cat    []bool
	factor float64
}

// upto is how far Match may emit hits at token i: all of them without
// play phrases (p nil), else those ending span tokens before i.
func (p *plays) upto(i int) int {
	if p == nil {
		return i
	}
	return i - p.span
}

// add records a play phrase over tokens [start, end).
func (p *plays) add(start, end int) {
	if p == nil {
		return
	}
	p.ring[p.n%len(p.ring)] = struct{ start, end int }{start, end}
	p.n++
}

// mark makes q figurative when it is a hit of a play category within span
// tokens of a recorded play phrase.
func (p *plays) mark(q *pend) {
	h := &q.hit
	if h.Figurative || q.cat < 0 || int(q.cat) >= len(p.cat) || !p.cat[q.cat] {
		return
	}
	near := 0
	for j := range min(p.n, len(p.ring)) {
		e := &p.ring[j]
		if e.start < h.TokEnd+p.span && e.end > h.TokStart-p.span {
			near++
		}
	}
	if near >= playMin {
		h.Figurative = true
		h.Weight *= p.factor
	}
}

// playMin is how many play phrases a hit needs near it: a scene of play
// names its game again and again, while one word of it ("after school
// they played chess") may stand beside a real fight.
const playMin = 2
