package lexicon

import (
	"cmp"
	"math/bits"
	"slices"
	"sort"
	"strings"

	"github.com/tagger-dev/tagger/classify/tokenize"
)

// kind is what a pattern is for.
type kind uint8

const (
	kindTerm      kind = iota // a term: a hit
	kindException             // drops the hits of its label (or all labels) it overlaps
	kindSimile                // marks the hits right after it figurative
	kindScene                 // a scene's phrase: marks the scene's hits near it figurative
	kindTogether              // a word of a together rule's group
)

// globalCat is the category of exceptions that apply to every label.
const globalCat = -1

// pattern is one way a term, exception or simile cue can appear: a run
// of slots, one per token. A term with hyphenated words has two patterns
// ("self-harm" as self, harm and as selfharm).
type pattern struct {
	slots []slot // slots[0] is found through the index, never a wildcard
	kind  kind
	cat   int16 // index into Lexicon.cats, or globalCat; into Lexicon.scenes for kindScene
	term  int32 // index into Lexicon.terms (kindTerm, kindTogether)
	rule  int16 // index into Lexicon.together (kindTogether)
	group uint8 // the rule's group the word is in (kindTogether)
}

// togetherRule is a compiled together rule: its hit is terms[term], shown
// when a word of each of its groups has been read within span tokens.
// Match keeps the position of each group's latest word in slots
// [base, base+groups) of its state.
type togetherRule struct {
	term   int32
	span   int
	groups int
	base   int
}

// slot matches one token: any token, or one whose hash is in hashes.
type slot struct {
	any    bool
	hashes []uint64
}

// compiledTerm is a term with a positive weight.
type compiledTerm struct {
	cat    int16
	text   string
	weight float64
	fixed  bool // negation does not undo it
	lower  bool // capitalised mid-sentence, its first word is a name
	hyphen bool // a hyphenated word: not written as separate words
	// word: the term is one word, hyphenated or not ("kill",
	// "blood-soaked"), the only kind a scene discounts.
	word bool
}

// oneWord reports whether a term as written is one word: no space and no
// wildcard ("blood-soaked" is one; "war zone", "snap * neck" are not).
func oneWord(text string) bool { return !strings.ContainsAny(text, " *") }

// compile builds the matchers of s.
func compile(s *spec) *Lexicon {
	l := &Lexicon{spec: s, factor: s.factor, repeatSpan: s.repeatSpan, dialogueFactor: s.dialogueFactor}
	l.dialogueCat = make([]bool, len(s.cats))
	for ci, c := range s.cats {
		l.dialogueCat[ci] = slices.Contains(s.dialogueLabels, c.name)
	}
	if len(s.scenes) > 0 {
		l.sceneSpan = s.sceneSpan
	}
	add := func(p pattern) { l.patterns = append(l.patterns, p) }
	var keys []string // by compiled term, its key
	for ci, c := range s.cats {
		l.cats = append(l.cats, c.name)
		for _, t := range c.terms {
			if t.weight <= 0 {
				continue
			}
			ti := int32(len(l.terms))
			l.terms = append(l.terms, compiledTerm{cat: int16(ci), text: t.text, weight: t.weight, fixed: t.fixed, lower: t.lower, hyphen: t.hyphened, word: oneWord(t.text)})
			keys = append(keys, t.key)
			for _, v := range variants(t.words, !t.exact, s.irregular, t.forms) {
				add(pattern{slots: v, kind: kindTerm, cat: int16(ci), term: ti})
			}
		}
		for _, e := range c.exceptions {
			for _, v := range variants(e.words, false, nil, nil) {
				add(pattern{slots: v, kind: kindException, cat: int16(ci)})
			}
		}
		for _, t := range c.together {
			ti := int32(len(l.terms))
			l.terms = append(l.terms, compiledTerm{cat: int16(ci), text: t.text(), weight: t.weight})
			keys = append(keys, "") // no term of a scene's list
			ri := int16(len(l.together))
			l.together = append(l.together, togetherRule{term: ti, span: t.span, groups: len(t.groups)})
			// One pattern per group, its words' forms merged, so that a
			// token counts once for a group whose words share a form
			// ("eat" and "ate").
			for g, words := range t.groups {
				var sl slot
				for _, w := range words {
					for _, v := range variants([]word{{parts: []string{w}}}, true, s.irregular, nil) {
						sl.hashes = append(sl.hashes, v[0].hashes...)
					}
				}
				slices.Sort(sl.hashes)
				sl.hashes = slices.Compact(sl.hashes)
				add(pattern{slots: []slot{sl}, kind: kindTogether, cat: int16(ci), term: ti, rule: ri, group: uint8(g)})
			}
		}
	}
	l.togetherBases()
	for _, e := range s.exceptions {
		for _, v := range variants(e.words, false, nil, nil) {
			add(pattern{slots: v, kind: kindException, cat: globalCat})
		}
	}
	for _, p := range s.similes {
		for _, v := range variants(p.words, false, nil, nil) {
			add(pattern{slots: v, kind: kindSimile, cat: globalCat})
		}
	}
	for _, sc := range s.scenes {
		if s.sceneSpan == 0 || len(sc.labels) == 0 || len(sc.phrases) == 0 {
			continue // it would change nothing
		}
		c := scene{name: sc.name, cat: make([]bool, len(l.cats))}
		for _, id := range sc.labels {
			if i := slices.Index(l.cats, id); i >= 0 {
				c.cat[i] = true
			}
		}
		if sc.terms != nil {
			c.term = make([]bool, len(l.terms))
			for ti, t := range l.terms {
				c.term[ti] = c.cat[t.cat] && slices.ContainsFunc(sc.terms, func(p phrase) bool { return p.key == keys[ti] })
			}
		}
		si := int16(len(l.scenes))
		l.scenes = append(l.scenes, c)
		for _, p := range sc.phrases {
			for _, v := range variants(p.words, false, nil, nil) {
				add(pattern{slots: v, kind: kindScene, cat: si})
			}
		}
	}
	for _, p := range s.skip {
		l.skip = append(l.skip, tokenize.Hash(p.key))
	}
	slices.Sort(l.skip)
	l.index()
	return l
}

// index builds l's lookup tables from its patterns: a pattern whose second
// slot is a word is found through the pair of its first two words
// (pairKey), the others through their first word alone. Most words that
// start a pair pattern are common ("the", "his"), so filing those under
// the word would send half of all tokens to a bucket: filed under the
// pair, they cost each token one bit test of the pair filter instead.
func (l *Lexicon) index() {
	var singles, pairs []entry
	l.indexNames()
	// Sized first: grown by appending, the pair list (tens of thousands
	// of entries) was half of a model load's allocation when every load
	// built the tables (compiled lexicons now store them).
	nSingles, nPairs := 0, 0
	for _, p := range l.patterns {
		if len(p.slots) < 2 || p.slots[1].any {
			nSingles += len(p.slots[0].hashes)
		} else {
			nPairs += len(p.slots[0].hashes) * len(p.slots[1].hashes)
		}
	}
	singles, pairs = make([]entry, 0, nSingles), make([]entry, 0, nPairs)
	for id, p := range l.patterns {
		for _, h := range p.slots[0].hashes {
			if len(p.slots) < 2 || p.slots[1].any {
				singles = append(singles, entry{key: h, id: int32(id)})
				continue
			}
			for _, h1 := range p.slots[1].hashes {
				pairs = append(pairs, entry{key: pairKey(h, h1), id: int32(id)})
			}
		}
	}
	l.tab = newTable(singles)
	l.pairs = newTable(pairs)

}

// indexNames lists the first words of terms that are not matched as
// capitalised names (Lexicon.lowerFirst).
func (l *Lexicon) indexNames() {
	l.lowerFirst = nil
	for _, p := range l.patterns {
		if p.kind == kindTerm && l.terms[p.term].lower {
			l.lowerFirst = append(l.lowerFirst, p.slots[0].hashes...)
		}
	}
	slices.Sort(l.lowerFirst)
	l.lowerFirst = slices.Compact(l.lowerFirst)
}

// togetherBases lays out the rules' slots of Match's state, one after
// another.
func (l *Lexicon) togetherBases() {
	l.togetherSlots = 0
	for i := range l.together {
		l.together[i].base = l.togetherSlots
		l.togetherSlots += l.together[i].groups
	}
}

// pairKey is the key of the word pair hashing to a, b in Lexicon.pairs.
// It is computed for every token, so it is one multiply, not
// tokenize.HashPair: the table's own multiply mixes it. For a given first
// word distinct second words give distinct keys, and for a given second
// word distinct first words do. Two pairs differing in both words share a
// key by a 2⁻⁶⁴ coincidence (none among the 25 million pairs of 5,000
// common words), as two pairs could under tokenize.HashPair: Match trusts
// the key, and checking the first word costs 15% of its time.
func pairKey(a, b uint64) uint64 { return a*pairMul ^ b }

// pairMul is an odd constant (so a*pairMul is a bijection).
const pairMul = 0xd6e8feb86659fd93

// variants returns the slot runs of a term or phrase: the words as
// tokenize.Words splits them, and, when some word is hyphenated, one more
// with those words closed up ("self-harm" → "selfharm"). With inflected,
// each word matches its inflected and irregular forms too; in a hyphenated
// word only the last part inflects. forms, for a single-word term, are
// extra words it matches.
func variants(words []word, inflected bool, irregular map[string][]string, forms []string) [][]slot {
	expand := func(w string) []string {
		if !inflected {
			return []string{w}
		}
		out := inflect(w)
		for _, f := range irregular[w] {
			if !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
		return out
	}
	var split []slot
	joinable := false
	for _, w := range words {
		if w.wild {
			split = append(split, slot{any: true})
			continue
		}
		for i, p := range w.parts {
			if i < len(w.parts)-1 {
				split = append(split, hashSlot([]string{p}))
			} else {
				split = append(split, hashSlot(expand(p)))
			}
		}
		if w.joined() != "" {
			joinable = true
		}
	}
	if len(forms) > 0 {
		last := &split[len(split)-1]
		last.hashes = mergeHashes(last.hashes, forms)
	}
	out := [][]slot{split}
	if joinable {
		var joined []slot
		for _, w := range words {
			switch {
			case w.wild:
				joined = append(joined, slot{any: true})
			case w.joined() != "":
				joined = append(joined, hashSlot(expand(w.joined())))
			default:
				for i, p := range w.parts {
					if i < len(w.parts)-1 {
						joined = append(joined, hashSlot([]string{p}))
					} else {
						joined = append(joined, hashSlot(expand(p)))
					}
				}
			}
		}
		out = append(out, joined)
	}
	return out
}

func hashSlot(forms []string) slot {
	return slot{hashes: mergeHashes(nil, forms)}
}

func mergeHashes(hs []uint64, forms []string) []uint64 {
	for _, f := range forms {
		h := tokenize.Hash(f)
		if !slices.Contains(hs, h) {
			hs = append(hs, h)
		}
	}
	return hs
}

// formsOf lists the single words a term matches besides its own text, for
// Terms: empty for a phrase.
func formsOf(t termSpec, irregular map[string][]string) []string {
	words := t.words
	var out []string
	addAll := func(w string) {
		var forms []string
		if t.exact {
			forms = []string{w}
		} else {
			forms = inflect(w)
			forms = append(forms, irregular[w]...)
		}
		for _, f := range forms {
			if f != t.key && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	}
	switch {
	case len(words) != 1 || words[0].wild:
		return nil
	case len(words[0].parts) == 1:
		addAll(words[0].parts[0])
		for _, f := range t.forms {
			if f != t.key && !slices.Contains(out, f) {
				out = append(out, f)
			}
		}
	case words[0].joined() != "":
		addAll(words[0].joined())
	default:
		return nil
	}
	sort.Strings(out)
	return out
}

// table maps a hash (of a token, or of a pair of tokens) to the patterns
// that can start there: open addressing with linear probing, behind a
// Bloom-style bit filter that turns away most tokens of prose with one
// load from a few kilobytes. A lookup allocates nothing.
type table struct {
	filter  []uint64
	fshift  uint // see filterBits
	buckets []bucket
	shift   uint
	mask    uint64
	refs    []int32
}

type bucket struct {
	key   uint64
	start uint32
	n     uint32 // patterns in refs[start:start+n&countMask], and flags
}

const (
	occupied  = 1 << 31 // the bucket holds a key
	countMask = occupied - 1
)

// fib spreads a hash's bits over the table's index (Fibonacci hashing).
const fib = 0x9e3779b97f4a7c15

// entry files pattern id under key.
type entry struct {
	key uint64
	id  int32
}

// newTable builds a table of the entries (which it reorders).
func newTable(entries []entry) table {
	entries = sortEntries(entries)
	keys := 0
	for i := range entries {
		if i == 0 || entries[i].key != entries[i-1].key {
			keys++
		}
	}
	n := max(keys, 1)
	tbits := max(bits.Len(uint(n*2-1)), 4)   // 2^tbits ≥ 2n
	fbits := max(bits.Len(uint(n*16-1)), 10) // ≥ 16 filter bits per key
	t := table{
		filter:  make([]uint64, 1<<fbits/64),
		fshift:  uint(64 - fbits),
		buckets: make([]bucket, 1<<tbits),
		shift:   uint(64 - tbits),
		mask:    1<<tbits - 1,
		refs:    make([]int32, 0, len(entries)),
	}
	for len(entries) > 0 {
		h := entries[0].key
		j := 1
		for j < len(entries) && entries[j].key == h {
			j++
		}
		b := bucket{key: h, start: uint32(len(t.refs)), n: occupied}
		for k, e := range entries[:j] {
			if k > 0 && e.id == entries[k-1].id {
				continue // the same entry twice
			}
			t.refs = append(t.refs, e.id)
			b.n++
		}
		entries = entries[j:]
		x := h * fib
		w, bits := t.filterBits(x)
		t.filter[w] |= bits
		i := x >> t.shift
		for t.buckets[i].n != 0 {
			i = (i + 1) & t.mask
		}
		t.buckets[i] = b
	}
	return t
}

// sortEntries orders entries by key, then id, and returns them (in
// entries or in a new slice). Tens of thousands of entries are sorted at
// every Load of a YAML lexicon or Merge of an overlay, so it sorts by key
// with a stable radix sort, in linear
// time, and then sorts by id only the runs of equal keys whose ids are
// not in order already (compile adds them in order, so none are).
func sortEntries(entries []entry) []entry {
	if len(entries) < 256 {
		slices.SortFunc(entries, compareEntries)
		return entries
	}
	src, dst := entries, make([]entry, len(entries))
	var count [256]int
	for shift := uint(0); shift < 64; shift += 8 {
		count = [256]int{}
		for _, e := range src {
			count[byte(e.key>>shift)]++
		}
		if count[byte(src[0].key>>shift)] == len(src) {
			continue // every key has this byte: nothing to move
		}
		sum := 0
		for i, c := range count {
			count[i] = sum
			sum += c
		}
		for _, e := range src {
			b := byte(e.key >> shift)
			dst[count[b]] = e
			count[b]++
		}
		src, dst = dst, src
	}
	for i := 0; i < len(src); {
		j := i + 1
		for j < len(src) && src[j].key == src[i].key {
			j++
		}
		if run := src[i:j]; !slices.IsSortedFunc(run, compareEntries) {
			slices.SortFunc(run, compareEntries)
		}
		i = j
	}
	return src
}

func compareEntries(a, b entry) int {
	if a.key != b.key {
		return cmp.Compare(a.key, b.key)
	}
	return cmp.Compare(a.id, b.id)
}

// filterBits returns the filter word and the two bits in it that stand for
// the key whose mixed hash is x. Two bits in one word turn away about four
// times as many absent keys as one bit, for the same single load.
func (t *table) filterBits(x uint64) (word uint64, bits uint64) {
	f := x >> t.fshift
	return f >> 6, 1<<(f&63) | 1<<(x>>(t.fshift-6)&63)
}

// mayHold reports whether h passes the filter: false means no pattern is
// stored under h. It is small enough to inline into Match's loop, where
// most tokens stop.
func (t *table) mayHold(h uint64) bool {
	w, bits := t.filterBits(h * fib)
	return t.filter[w]&bits == bits
}

// find returns the patterns stored under h, looked up in the buckets.
func (t *table) find(h uint64) []int32 {
	for i := (h * fib) >> t.shift; ; i = (i + 1) & t.mask {
		b := &t.buckets[i]
		if b.n == 0 {
			return nil
		}
		if b.key == h {
			return t.refs[b.start : b.start+b.n&countMask]
		}
	}
}

// joined is the word closed up when it is hyphenated ("self-harm" →
// "selfharm"), else "".
func (w word) joined() string {
	if w.wild || len(w.parts) < 2 || !w.hyphen {
		return ""
	}
	return strings.Join(w.parts, "")
}
