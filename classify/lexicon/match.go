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
	var pendBuf [32]pend
	ends := endsBuf[:]
	if n := len(l.cats) + 1; n > len(endsBuf) {
		ends = make([]int, n)
	}
	pending := pendBuf[:0]
	cueEnd := 0
	// Repeats are counted as hits are emitted, in token order, so that a
	// dropped hit is no repeat.
	rep := repeats{span: l.repeatSpan}
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
			pending = flush(pending, i, &rep, fn)
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
	flush(pending, len(toks), &rep, fn)
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
// returns the rest of the queue; rep counts the repeats.
func flush(pending []pend, upto int, rep *repeats, fn func(Hit)) []pend {
	n := 0
	for ; n < len(pending) && pending[n].hit.TokEnd <= upto; n++ {
		p := &pending[n]
		if p.dropped {
			continue
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
