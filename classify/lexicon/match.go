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
	// rape", "like a war zone") or is told in a scene of play (Play).
	Figurative bool
	// Play reports that the hit is figurative for being told in a scene
	// of play: a hit of the lexicon's play_labels with two of its play
	// phrases near it ("he slaughtered my queen" over a chess board).
	Play bool
	// Repeat is the number of earlier hits of the same term within the
	// lexicon's repeat_span tokens before this one (0 without the key):
	// a word said again is weaker evidence than a new one.
	Repeat int
}

// pend is a hit waiting for the exceptions that may still overlap it.
// It holds no pointers (the label and term are found from cat and term
// when it is emitted), so that Match's queue is a small block of plain
// memory on the stack.
type pend struct {
	hit     hitCore
	cat     int16
	term    int32
	dropped bool
}

// hitCore is a Hit without its label and term.
type hitCore struct {
	TokStart, TokEnd int32
	Weight           float64
	Repeat           int32
	Negated          bool
	Figurative       bool
	Play             bool
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
	// 256: with play phrases a hit waits play_span tokens in the queue
	// (see plays), and prose dense with hits (a fight, every other word
	// a term) holds over a hundred in that span.
	var pendBuf [256]pend
	ends := endsBuf[:]
	if n := len(l.cats) + 1; n > len(endsBuf) {
		ends = make([]int, n)
	}
	q := queue{buf: pendBuf[:0]}
	cueEnd := 0
	// Repeats are counted as hits are emitted, in token order, so that a
	// dropped hit is no repeat.
	rep := repeats{span: l.repeatSpan}
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
		if q.len() > 0 {
			q = q.flush(l, play.upto(i), &rep, play, fn)
		}
		playEnd := 0 // the longest play phrase starting here
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
					for j := range q.items() {
						e := &q.buf[q.head+j]
						if int(e.hit.TokEnd) > i && (p.cat == globalCat || e.cat == p.cat) {
							e.dropped = true
						}
					}
				case kindSimile:
					cueEnd = max(cueEnd, end)
				case kindPlay:
					playEnd = max(playEnd, end)
				case kindTerm:
					t := &l.terms[p.term]
					if ends[0] > i || ends[t.cat+1] > i {
						continue // inside an exception that started earlier
					}
					h := hitCore{Weight: t.weight, TokStart: int32(i), TokEnd: int32(end)}
					f := toks[i].Flags
					h.Negated = f&tokenize.FlagNegated != 0 && f&tokenize.FlagNegation == 0 && !t.fixed
					if l.figurative(toks, cueEnd, i) {
						h.Figurative = true
						h.Weight *= l.factor
					}
					q = q.insert(pend{hit: h, cat: t.cat, term: p.term})
				}
			}
		}
		if playEnd > 0 {
			play.add(i, playEnd)
		}
	}
	q.flush(l, len(toks), &rep, play, fn)
}

// queue holds the hits that a later exception may still drop (or, with
// play phrases, a later phrase make figurative), in emission order, in
// buf[head:]. Emitting moves head instead of copying the rest down, which
// with play phrases would copy the whole queue at every candidate token.
type queue struct {
	buf  []pend
	head int
}

func (q queue) len() int      { return len(q.buf) - q.head }
func (q queue) items() []pend { return q.buf[q.head:] }

// insert queues a hit, keeping the queue ordered by start, then longer
// first, then heavier first, so that a hit is emitted before the hits it
// contains.
func (q queue) insert(p pend) queue {
	if len(q.buf) == cap(q.buf) && q.head > 0 {
		q.buf = q.buf[:copy(q.buf, q.buf[q.head:])]
		q.head = 0
	}
	j := len(q.buf)
	for j > q.head {
		e := &q.buf[j-1].hit
		if e.TokStart < p.hit.TokStart || e.TokEnd > p.hit.TokEnd ||
			(e.TokEnd == p.hit.TokEnd && e.Weight >= p.hit.Weight) {
			break
		}
		j--
	}
	q.buf = slices.Insert(q.buf, j, p)
	return q
}

// flush emits the queued hits at the front that end at or before token
// upto (no exception starting at upto or later can overlap them); rep
// counts the repeats, and play (nil without play phrases) marks the hits
// told in a scene of play.
func (q queue) flush(l *Lexicon, upto int, rep *repeats, play *plays, fn func(Hit)) queue {
	for q.head < len(q.buf) && int(q.buf[q.head].hit.TokEnd) <= upto {
		p := &q.buf[q.head]
		q.head++
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
		h := &p.hit
		fn(Hit{Label: l.cats[p.cat], Term: l.terms[p.term].text, Weight: h.Weight,
			TokStart: int(h.TokStart), TokEnd: int(h.TokEnd), Negated: h.Negated,
			Figurative: h.Figurative, Play: h.Play, Repeat: int(h.Repeat)})
		for j := q.head; j < len(q.buf); j++ {
			e := &q.buf[j]
			if e.cat == p.cat && e.hit.TokStart >= p.hit.TokStart && e.hit.TokEnd <= p.hit.TokEnd {
				e.dropped = true
			}
		}
	}
	if q.head == len(q.buf) {
		q.buf, q.head = q.buf[:0], 0
	}
	return q
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
		if e.start <= int(p.hit.TokStart)-r.span {
			break // hits are emitted by start: the rest are older
		}
		if e.term == p.term {
			k++
		}
	}
	e := &r.ring[r.n%len(r.ring)]
	e.term, e.start = p.term, int(p.hit.TokStart)
	r.n++
	if k > 0 {
		p.hit.Repeat = int32(k)
		p.hit.Weight /= float64(k + 1)
	}
}

// plays remembers the latest play phrases of a Match call ("chess",
// "board game", "rehearsal"), which the main loop finds like any pattern;
// at a token where several start, the longest counts, and a phrase inside
// the one before does not, so "power play" is one phrase, not also
// "play". A hit of a play label with playMin of them within span tokens,
// before or after it, is told in a scene of play: figurative, as after a
// simile ("he slaughtered my queen" over a chess board).
//
// So that the phrases after a hit are known, Match holds a hit until span
// tokens past its end are read (upto). The hits before it in the queue
// can hold it a little longer, never by more than a term's length
// (MaxPhraseWords tokens), and phrases are at most one per token; so of
// the phrases recorded by its emission, fewer than MaxPhraseWords lie
// beyond its reach, and a ring of playMin more than that holds every
// phrase that counts for it.
type plays struct {
	ring    [playMin + MaxPhraseWords]phrasePos
	n       int // phrases recorded in all
	lastEnd int // end of the latest phrase
	span    int
	cat     []bool  // the categories the rule applies to
	factor  float64 // the lexicon's simile factor
}

// phrasePos is a play phrase over tokens [start, end).
type phrasePos struct{ start, end int }

// upto is how far Match may emit hits at token i: all of them without
// play phrases (p nil), else those ending span tokens before i.
func (p *plays) upto(i int) int {
	if p == nil {
		return i
	}
	return i - p.span
}

// add records a play phrase over tokens [start, end), unless it lies
// inside the one before.
func (p *plays) add(start, end int) {
	if p == nil || start < p.lastEnd {
		return
	}
	p.ring[p.n%len(p.ring)] = phrasePos{start, end}
	p.n++
	p.lastEnd = end
}

// mark makes q's hit figurative, with Play set, when it is a hit of a
// play category with playMin recorded phrases within span tokens.
func (p *plays) mark(q *pend) {
	h := &q.hit
	if h.Figurative || q.cat < 0 || int(q.cat) >= len(p.cat) || !p.cat[q.cat] {
		return
	}
	near := 0
	for _, f := range p.ring[:min(p.n, len(p.ring))] {
		if f.start < int(h.TokEnd)+p.span && f.end > int(h.TokStart)-p.span {
			near++
		}
	}
	if near >= playMin {
		h.Figurative, h.Play = true, true
		h.Weight *= p.factor
	}
}

// playMin is how many play phrases a hit needs near it: a scene of play
// names its game again and again, while one word of it ("after school
// they played chess") may stand beside a real fight.
const playMin = 2
