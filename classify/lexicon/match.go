package lexicon

import (
	"math/bits"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

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
	// rape", "like a war zone") or is told in a scene (Scene).
	Figurative bool
	// Scene names the lexicon scene the hit is told in, which makes it
	// figurative: a hit of a one-word term of the scene's labels (and
	// terms) with two of its phrases near it ("he slaughtered my queen"
	// over a chess board, in the scene "play"). It is "" for other hits.
	Scene string
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
	// together: the hit of a together rule, one token long, which
	// neither drops the hits of its label it lies in nor is dropped by
	// them (a description beside the words, not a shorter term).
	together bool
}

// hitCore is a Hit without its label and term.
type hitCore struct {
	TokStart, TokEnd int32
	Weight           float64
	Repeat           int32
	Negated          bool
	Figurative       bool
	Scene            uint8 // 1 + index into Lexicon.scenes; 0 for none
}

// Match calls fn for every hit of the lexicon in toks, the tokens of text
// as tokenize.Words produced them, in token order (by TokStart; at one
// start, longer hits first).
//
// Match reads the tokens (their hashes and flags), and of text, the text
// they came from, only what terms marked capitalised: false or spaced:
// false need: the case of a word's first letters ("Dick" mid-sentence is
// a name) and the characters between a hyphenated word's parts ("hard
// on" is not "hard-on"). text may be empty; such terms then match however
// they are written. A phrase never spans a sentence end. A hit overlapped
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
	// 256: with scenes a hit waits a scene's span in the queue (see
	// scenes), and prose dense with hits (a fight, every other word a
	// term) holds over a hundred in that span.
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
	var sc *scenes
	var scBuf scenes
	if len(l.scenes) > 0 {
		sc = &scBuf
		sc.l = l
	}
	var nm names  // the words of capitalised: false terms that are names here
	var qs quotes // where the text's dialogue is, read as far as the last hit asked
	// seen[base+g] is 1 + the token of the latest word of group g of the
	// together rule at base (0: none yet).
	var seenBuf [64]int32
	seen := seenBuf[:min(l.togetherSlots, len(seenBuf))]
	if l.togetherSlots > len(seenBuf) {
		seen = make([]int32, l.togetherSlots)
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
			q = q.flush(l, sc.upto(i), &rep, sc, fn)
		}
		// The scenes with a phrase starting here (a bit each; see
		// sceneBits), and the end of each one's longest.
		var found uint8
		var sceneEnds [MaxScenes]int
		together := false // a together rule's word is at this token
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
				case kindScene:
					if sc == nil {
						continue // scenes turned off (a span of 0)
					}
					found |= 1 << p.cat
					sceneEnds[p.cat] = max(sceneEnds[p.cat], end)
				case kindTogether:
					together = true // recorded below
				case kindTerm:
					t := &l.terms[p.term]
					if ends[0] > i || ends[t.cat+1] > i {
						continue // inside an exception that started earlier
					}
					if t.lower && l.named(text, toks, i, &nm) {
						continue // "a message to Dick": a name
					}
					if t.hyphen && end-i > 1 && spaced(text, toks, i, end) {
						continue // "hard on the gravel": not "hard-on"
					}
					h := hitCore{Weight: t.weight, TokStart: int32(i), TokEnd: int32(end)}
					f := toks[i].Flags
					h.Negated = f&tokenize.FlagNegated != 0 && f&tokenize.FlagNegation == 0 && !t.fixed
					if l.figurative(toks, cueEnd, i) {
						h.Figurative = true
						h.Weight *= l.factor
					}
					if l.dialogueFactor < 1 && t.word && l.dialogueCat[t.cat] && qs.at(text, int(toks[i].Start)) {
						// "I'm killed!", "you slaughtered us": said, not done.
						h.Weight *= l.dialogueFactor
					}
					q = q.insert(pend{hit: h, cat: t.cat, term: p.term})
				}
			}
		}
		for found != 0 {
			s := bits.TrailingZeros8(found)
			found &^= 1 << s
			sc.add(s, i, sceneEnds[s])
		}
		// The together rules' words at this token are recorded once every
		// pattern starting here is known, so that an exception starting
		// at this token covers them. They are one-word patterns: refs1.
		if f := toks[i].Flags; together && (f&tokenize.FlagNegated == 0 || f&tokenize.FlagNegation != 0) && ends[0] <= i {
			// Not "no blade", and not a word inside an exception.
			for _, ref := range refs1 {
				p := &l.patterns[ref]
				if p.kind != kindTogether || ends[p.cat+1] > i {
					continue
				}
				r := &l.together[p.rule]
				if record(seen[r.base:r.base+r.groups], int(p.group), i, r.span) {
					q = q.insert(pend{hit: hitCore{Weight: l.terms[r.term].weight, TokStart: int32(i), TokEnd: int32(i + 1)}, cat: p.cat, term: r.term, together: true})
				}
			}
		}
	}
	q.flush(l, len(toks), &rep, sc, fn)
}

// names knows, for a Match call, which words of l.lowerFirst (the first
// words of the terms marked capitalised: false) stand written as a name in
// the middle of a sentence somewhere in the tokens; found in one pass the
// first time a word where a sentence may start needs it.
type names struct {
	done bool
	mask uint64 // bit k: l.lowerFirst[k] is a name in the tokens
}

// named reports whether token i of toks, read from text, is a name: a
// word written as a name is (a capital, then a small letter) in the middle
// of a sentence, or at a place where a sentence may start (the start of
// the tokens or of a sentence, after an opening quote or a line break)
// when the same word stands written so in the middle of a sentence
// elsewhere in the tokens ("Dick looked up" opening a paragraph of a story
// that also says "a message to Dick"). Without the text it reports false.
func (l *Lexicon) named(text string, toks []tokenize.Token, i int, nm *names) bool {
	switch nameAt(text, toks, i) {
	case isName:
		return true
	case maybeName:
		k, ok := slices.BinarySearch(l.lowerFirst, toks[i].Hash)
		if !ok || k >= 64 {
			return false
		}
		if !nm.done {
			nm.done = true
			for j := range toks {
				if w, ok := slices.BinarySearch(l.lowerFirst, toks[j].Hash); ok && w < 64 && nameAt(text, toks, j) == isName {
					nm.mask |= 1 << w
				}
			}
		}
		return nm.mask&(1<<k) != 0
	}
	return false
}

// A word's reading by nameAt.
const (
	notName   = iota // not written as a name
	isName           // written as a name, in the middle of a sentence
	maybeName        // written as a name where a sentence may start
)

// nameAt reads token i of toks, from text, as notName, isName or
// maybeName (see named).
func nameAt(text string, toks []tokenize.Token, i int) int {
	if int(toks[i].End()) > len(text) {
		return notName
	}
	// A capital and then a small letter, as a name is written ("Dick",
	// "Élan"); a word in capitals ("DICK") is shouting, not a name.
	w := text[toks[i].Start:toks[i].End()]
	first, n := utf8.DecodeRuneInString(w)
	second, _ := utf8.DecodeRuneInString(w[n:])
	if !unicode.IsUpper(first) || !unicode.IsLower(second) {
		return notName
	}
	if i == 0 || toks[i-1].Flags&tokenize.FlagSentenceEnd != 0 {
		return maybeName
	}
	// A line break or an opening quote right before the word may open a
	// sentence (a heading, `she said, "Dick..."`). A closing quote before
	// a space does not (`"...," Dick said`).
	gap := text[toks[i-1].End():toks[i].Start]
	if strings.ContainsAny(gap, "\n\r") {
		return maybeName
	}
	if last, _ := utf8.DecodeLastRuneInString(gap); strings.ContainsRune("\"“‘'«„", last) {
		return maybeName
	}
	return isName
}

// spaced reports whether tokens [i, end) of toks, read from text, are
// written apart rather than joined by hyphens. Without the text it cannot
// tell and reports false.
func spaced(text string, toks []tokenize.Token, i, end int) bool {
	for k := i; k+1 < end; k++ {
		a, b := int(toks[k].End()), int(toks[k+1].Start)
		if b > len(text) {
			return false
		}
		switch text[a:b] {
		case "-", "\u2010", "\u2011":
		default:
			return true
		}
	}
	return false
}

// record records a word of group g read at token i in seen, the latest
// positions of a together rule's groups (1 + token, 0 for none), and
// reports whether every group now has a word within span tokens ending at
// i, each on a token of its own. A token already recorded for another
// group of the rule stands for that one only. The rule then starts
// afresh, so that one passage shows it once: a hit at the word that
// completed it.
func record(seen []int32, g, i, span int) bool {
	for k, at := range seen {
		if k != g && int(at) == i+1 {
			return false
		}
	}
	seen[g] = int32(i + 1)
	for k, at := range seen {
		if at == 0 || i+1-int(at) >= span {
			return false
		}
		for _, other := range seen[:k] {
			if other == at {
				return false // one token for two groups
			}
		}
	}
	clear(seen)
	return true
}

// queue holds the hits that a later exception may still drop (or, with
// scenes, a later phrase make figurative), in emission order, in
// buf[head:]. Emitting moves head instead of copying the rest down, which
// with scenes would copy the whole queue at every candidate token.
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
// counts the repeats, and sc (nil without scenes) marks the hits told in
// a scene.
func (q queue) flush(l *Lexicon, upto int, rep *repeats, sc *scenes, fn func(Hit)) queue {
	for q.head < len(q.buf) && int(q.buf[q.head].hit.TokEnd) <= upto {
		p := &q.buf[q.head]
		q.head++
		if p.dropped {
			continue
		}
		if sc != nil {
			sc.mark(p)
		}
		if rep.span > 0 && !p.hit.Negated {
			// A negated hit adds nothing ("he did not stab her"), so it
			// neither counts as said nor is discounted.
			rep.count(p)
		}
		h := &p.hit
		scene := ""
		if h.Scene > 0 {
			scene = l.scenes[h.Scene-1].name
		}
		fn(Hit{Label: l.cats[p.cat], Term: l.terms[p.term].text, Weight: h.Weight,
			TokStart: int(h.TokStart), TokEnd: int(h.TokEnd), Negated: h.Negated,
			Figurative: h.Figurative, Scene: scene, Repeat: int(h.Repeat)})
		if p.together {
			continue
		}
		for j := q.head; j < len(q.buf); j++ {
			e := &q.buf[j]
			if e.cat == p.cat && !e.together && e.hit.TokStart >= p.hit.TokStart && e.hit.TokEnd <= p.hit.TokEnd {
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

// scene is a compiled scene (see the package doc, Scenes).
type scene struct {
	name string
	cat  []bool // by category index: the labels it discounts
	term []bool // by term index: the terms it discounts; nil for all of cat's
}

// scenes remembers the latest phrases of each scene in a Match call
// ("chess", "board game", "rehearsal"), which the main loop finds like
// any pattern; at a token where several of one scene start, the longest
// counts, and a phrase that starts inside the one before does not, so
// "power play" is one phrase, not also "play". A hit of a scene's labels (and terms)
// with sceneMin of its phrases within scene_span tokens, before or after it,
// is told in the scene: figurative, as after a simile ("he slaughtered my
// queen" over a chess board). The first scene in the file's order that
// claims a hit names it.
//
// So that the phrases after a hit are known, Match holds a hit until
// scene_span tokens past its end are read (upto). The hits before it in the
// queue can hold it a little longer, never by more than a term's length
// (MaxPhraseWords tokens), and phrases of one scene are at most one per
// token; so of a scene's phrases recorded by its emission, fewer than
// MaxPhraseWords lie beyond its reach, and a ring of sceneMin more than
// that holds every phrase that counts for it.
type scenes struct {
	l    *Lexicon
	seen [MaxScenes]struct {
		ring    [sceneMin + MaxPhraseWords]phrasePos
		n       int // phrases recorded in all
		lastEnd int // end of the latest phrase
	}
}

// phrasePos is a scene phrase over tokens [start, end).
type phrasePos struct{ start, end int }

// upto is how far Match may emit hits at token i: all of them without
// scenes (sc nil), else those ending scene_span tokens before i.
func (sc *scenes) upto(i int) int {
	if sc == nil {
		return i
	}
	return i - sc.l.sceneSpan
}

// add records a phrase of scene s over tokens [start, end), unless it
// starts inside the one before.
func (sc *scenes) add(s, start, end int) {
	r := &sc.seen[s]
	if start < r.lastEnd {
		return
	}
	r.ring[r.n%len(r.ring)] = phrasePos{start, end}
	r.n++
	r.lastEnd = end
}

// mark makes q's hit figurative, with its scene set, when a scene of its
// label and term has sceneMin recorded phrases within scene_span.
func (sc *scenes) mark(q *pend) {
	h := &q.hit
	// A scene discounts words, not descriptions: "he slaughtered my
	// queen" is a figure of the game, "she bled to death" or "he shot
	// himself" beside a chess board or a rehearsal is not.
	if h.Figurative || q.cat < 0 || !sc.l.terms[q.term].word {
		return
	}
	for s := range sc.l.scenes {
		c := &sc.l.scenes[s]
		if int(q.cat) >= len(c.cat) || !c.cat[q.cat] || c.term != nil && !c.term[q.term] {
			continue
		}
		r := &sc.seen[s]
		near := 0
		for _, f := range r.ring[:min(r.n, len(r.ring))] {
			if f.start < int(h.TokEnd)+sc.l.sceneSpan && f.end > int(h.TokStart)-sc.l.sceneSpan {
				near++
			}
		}
		if near >= sceneMin {
			h.Figurative, h.Scene = true, uint8(s+1)
			h.Weight *= sc.l.factor
			return
		}
	}
}

// sceneBits fails to compile when MaxScenes outgrows Match's uint8 mask
// of the scenes with a phrase at a token.
const sceneBits = uint8(1<<MaxScenes - 1)

// sceneMin is how many of a scene's phrases a hit needs near it: a scene
// of play names its game again and again, while one word of it ("after
// school they played chess") may stand beside a real fight.
const sceneMin = 2

// quotes tells whether places in a text lie inside double quotes, read
// from the start of each place's paragraph, so that a quote left open
// ends with its paragraph (as in prose, where each paragraph of a speech
// opens a quote again). Curly quotes decide where a paragraph has them;
// otherwise straight ones, by their count. Places are asked in order, so
// the text is read once whatever the number of places.
type quotes struct {
	pos      int  // the text before pos has been read
	straight bool // an odd number of straight quotes in the paragraph so far
	curly    int8 // the paragraph's last curly quote: 1 opening, -1 closing, 0 none
}

// at reports whether text[p] lies inside quotes; p is at or after the
// place asked before. It is false without the text.
func (q *quotes) at(text string, p int) bool {
	if p > len(text) || p < q.pos {
		return false
	}
	seg := text[q.pos:p]
	k := -1 // where the last paragraph in seg starts
	if i := strings.LastIndex(seg, "\n\n"); i >= 0 {
		k = i + 2
	}
	if i := strings.LastIndex(seg, "\n\r\n"); i >= 0 {
		k = max(k, i+3)
	}
	if k >= 0 {
		q.straight, q.curly = false, 0 // a new paragraph
		seg = seg[k:]
	}
	if strings.Count(seg, `"`)%2 == 1 {
		q.straight = !q.straight
	}
	if o, c := strings.LastIndex(seg, "\u201c"), strings.LastIndex(seg, "\u201d"); o > c {
		q.curly = 1
	} else if c > o {
		q.curly = -1
	}
	q.pos = p
	return q.curly == 1 || q.curly == 0 && q.straight
}
