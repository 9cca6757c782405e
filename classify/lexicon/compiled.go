package lexicon

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math"
	"slices"
	"strings"
	"sync"
)

// A compiled lexicon is the matcher Load builds from a lexicon file,
// serialised, so that a process that only scores text (tagger check) skips
// parsing the YAML and compiling it: about four fifths of loading a model.
// It records the SHA-256 of the file it was compiled from, and LoadCompiled
// refuses it for any other file (ErrStale), so it can never disagree with
// the YAML beside it. What needs the parsed file (Merge, Terms,
// Exceptions, Labels) parses it on first use.
//
// The format is little-endian: the magic "TGLX", a format version, the
// compiler's fingerprint (compilerFingerprintValue), the source's SHA-256, the
// body's length and the CRC-32C of everything after the header; then the
// body: the simile factor, the repeat span, the category names, the
// terms, the patterns (with their together rule and group), the
// simile-skip hashes, the scene span, the scenes (name, categories,
// whether terms are listed, and the terms), the together rules (term,
// span, groups) and the dialogue factor and categories, each list
// prefixed by its length; last, at the next multiple of 8 bytes, the
// lookup tables (see tables.go). Nothing is compressed: inflating the
// body cost a check's start more time than anything else in loading the
// lexicon once the tables were stored, and plain, a lexicon edit changes
// the file where the edit is (git stores the change as a small delta).
// The format changes with this package: a file of another format version
// is stale too.

// compiledVersion is the format version; raise it when the layout or the
// meaning of a compiled field changes.
const compiledVersion = 15

// maxCompiledBody bounds a compiled lexicon's body (the default
// lexicon's is 369 KB).
const maxCompiledBody = 32 << 20

// Bounds a compiled lexicon must keep, so that a damaged file cannot make
// loading allocate without limit: index builds one lookup entry per pair
// of a pattern's first two words' forms.
const (
	maxSlotHashes = 256 // forms of one word (the default lexicon: 8 at most)
	// maxGroupHashes bounds the forms of a together group's words, one
	// slot and so one lookup entry each (the default lexicon: 90 at most).
	maxGroupHashes = 1024
	maxPairs       = 4 << 20 // lookup entries in all (the default lexicon: 21,000)
)

// compilerProbe is a small lexicon whose compiled patterns and lookup
// tables fingerprint the compiler: inflection, irregular forms, hyphens, exact terms, wildcards.
// A compiled lexicon records the fingerprint, so that one written by a
// tagger that turned terms into hashes differently is stale, not silently
// matching the old way.
const compilerProbe = `version: 1
simile_factor: 0.3
repeat_span: 100
similes: [like a]
simile_skip: [very]
scene_span: 10
dialogue: {factor: 0.5, labels: [violence]}
scenes:
  play: {labels: [violence], phrases: [chess, board game]}
  sport: {labels: [violence], terms: [kill, murder], phrases: [match, pitch]}
irregular: {die: [dead, dying], lie: [lay, lain]}
exceptions: [dying to know]
labels:
  violence:
    terms:
      - {term: stab, weight: 2}
      - {term: "snap * neck", weight: 3}
      - {term: self-harm, weight: 2}
      - {term: murder, forms: [murderer]}
      - {term: cock, exact: true}
      - {term: dick, capitalised: false}
      - {term: hard-on, spaced: false}
      - {term: die, weight: 1}
      - {term: fight, weight: 1}
      - {term: kill, weight: 1}
      - {term: lie, weight: 1}
      - {term: hurry, weight: 1}
      - {term: beat, weight: 1}
    exceptions: [beat the traffic]
    together:
      - {weight: 2, span: 30, groups: [[blade, razor], [wrist, arm], [lines]]}
`

// compilerFingerprint computes the fingerprint of this package's
// compiler, which compiled lexicons record (compilerFingerprintValue holds
// it for them).
func compilerFingerprint() [8]byte {
	s := newSpec()
	var el errList
	doc := parse([]byte(compilerProbe), &el)
	s.apply(doc, false, &el) // the probe need not pass validation's minimums
	l := compile(s)
	var w encoder
	w.body(l)
	// The tables too: a change in how they are hashed, sized or probed
	// makes every stored table stale.
	w.b = appendTables(w.b, &l.tab, &l.pairs)
	sum := sha256.Sum256(w.b)
	var fp [8]byte
	copy(fp[:], sum[:])
	return fp
}

var compiledMagic = []byte("TGLX")

// ErrStale reports a compiled lexicon that was not compiled from the given
// file by this version of the package: compile it again (go generate).
var ErrStale = errors.New("compiled lexicon is stale")

// Compiled returns l's matcher in the compiled format, for LoadCompiled.
// l must come from Load (a merged lexicon has no source file to record).
func (l *Lexicon) Compiled() ([]byte, error) {
	if l.source == nil {
		return nil, errors.New("compiled lexicon: the lexicon has no source file (merged lexicons cannot be compiled)")
	}
	var w encoder
	w.b = append(w.b, compiledMagic...)
	w.u32(compiledVersion)
	w.b = append(w.b, compilerFingerprintValue[:]...)
	sum := sha256.Sum256(l.source)
	w.b = append(w.b, sum[:]...)
	var body encoder
	body.body(l)
	rest := appendTables(pad8(body.b), &l.tab, &l.pairs)
	w.u32(uint32(len(body.b)))
	w.u32(crc32.Checksum(rest, castagnoli))
	// The header is 56 bytes, a multiple of 8: the tables' offset in rest
	// is theirs in the file.
	return append(w.b, rest...), nil
}

// body appends what LoadCompiled reads after the header.
func (w *encoder) body(l *Lexicon) {
	w.f64(l.factor)
	w.u32(uint32(l.repeatSpan))
	w.u32(uint32(len(l.cats)))
	for _, c := range l.cats {
		w.str(c)
	}
	w.u32(uint32(len(l.terms)))
	for _, t := range l.terms {
		w.u16(uint16(t.cat))
		w.str(t.text)
		w.f64(t.weight)
		w.flag(t.fixed)
		w.flag(t.lower)
		w.flag(t.hyphen)
	}
	w.u32(uint32(len(l.patterns)))
	for _, p := range l.patterns {
		w.b = append(w.b, byte(p.kind))
		w.u16(uint16(p.cat))
		w.u32(uint32(p.term))
		w.u16(uint16(p.rule))
		w.b = append(w.b, p.group)
		w.u32(uint32(len(p.slots)))
		for _, s := range p.slots {
			w.flag(s.any)
			w.u64s(s.hashes)
		}
	}
	w.u64s(l.skip)
	w.u32(uint32(l.sceneSpan))
	w.u32(uint32(len(l.scenes)))
	for _, sc := range l.scenes {
		w.str(sc.name)
		w.u64s(trueAt(sc.cat))
		w.flag(sc.term != nil)
		w.u64s(trueAt(sc.term))
	}
	w.u32(uint32(len(l.together)))
	for _, r := range l.together {
		w.u32(uint32(r.term))
		w.u32(uint32(r.span))
		w.b = append(w.b, byte(r.groups))
	}
	w.f64(l.dialogueFactor)
	w.u64s(trueAt(l.dialogueCat))
}

// sha256Of returns the SHA-256 of b.
func sha256Of(b []byte) []byte {
	sum := sha256.Sum256(b)
	return sum[:]
}

// trueAt returns the indexes at which bs is true.
func trueAt(bs []bool) []uint64 {
	var out []uint64
	for i, b := range bs {
		if b {
			out = append(out, uint64(i))
		}
	}
	return out
}

// fromIndexes returns a slice of n bools, true at the given indexes, and
// whether every index is below n.
func fromIndexes(idx []uint64, n int) ([]bool, bool) {
	bs := make([]bool, n)
	for _, i := range idx {
		if i >= uint64(n) {
			return nil, false
		}
		bs[i] = true
	}
	return bs, true
}

// LoadCompiled returns the lexicon compiled in data from the lexicon file
// source: the same matcher Load(source) builds. It returns an error
// wrapping ErrStale when data was compiled from another file or by another
// format version, and another error when data is malformed. The lexicon
// reads its lookup tables from data where they lie when it can: data
// must not be modified afterwards.
func LoadCompiled(data, source []byte) (*Lexicon, error) {
	return LoadCompiledWith(data, source, CompiledOptions{})
}

// CompiledOptions say what LoadCompiledWith may take for granted.
type CompiledOptions struct {
	// Verified says that data is intact, as for a model built into the
	// program, whose tests check it: the checksum over data (about 2 ms
	// for the default lexicon on a slow machine, most of loading it) is
	// not computed again, nor is every entry of its lookup tables checked
	// (their sizes are). The rest is still checked, and data compiled from
	// another source is still stale.
	Verified bool
	// Lent says that source stays valid and unmodified while the program
	// runs: the lexicon keeps it instead of a copy.
	Lent bool
}

// LoadCompiledWith is LoadCompiled with opt.
func LoadCompiledWith(data, source []byte, opt CompiledOptions) (*Lexicon, error) {
	r := decoder{b: data}
	if !bytes.HasPrefix(data, compiledMagic) {
		return nil, errors.New("compiled lexicon: not a compiled lexicon (bad magic)")
	}
	r.b = r.b[len(compiledMagic):]
	if v := r.u32(); v != compiledVersion {
		return nil, fmt.Errorf("%w: format version %d, this tagger reads %d", ErrStale, v, compiledVersion)
	}
	if fp := compilerFingerprintValue; !bytes.Equal(r.take(len(fp)), fp[:]) {
		return nil, fmt.Errorf("%w: compiled by a tagger that matches terms differently", ErrStale)
	}
	// Checked even when Verified (0.1 ms): a lexicon file edited without
	// go generate falls back to the file, as a developer expects.
	if got := r.take(sha256.Size); !bytes.Equal(got, sha256Of(source)) {
		return nil, fmt.Errorf("%w: compiled from another lexicon file", ErrStale)
	}
	size, crc := int(r.u32()), r.u32()
	if r.err != nil {
		return nil, fmt.Errorf("compiled lexicon: %w", r.err)
	}
	if size > maxCompiledBody {
		return nil, fmt.Errorf("compiled lexicon: a body of more than %d MiB", maxCompiledBody>>20)
	}
	if !opt.Verified && crc32.Checksum(r.b, castagnoli) != crc {
		return nil, errors.New("compiled lexicon: damaged or cut (checksum)")
	}
	if size > len(r.b) {
		return nil, errors.New("compiled lexicon: truncated")
	}
	body, tables := r.b[:size], r.b[min((size+7)&^7, len(r.b)):]
	r = decoder{b: body}
	if !opt.Lent {
		source = bytes.Clone(source)
	}
	l := &Lexicon{source: source, lazy: &lazySpec{}}
	l.factor = r.f64()
	if l.repeatSpan = int(r.u32()); l.repeatSpan > MaxRepeatSpan {
		return nil, fmt.Errorf("compiled lexicon: repeat span %d over %d", l.repeatSpan, MaxRepeatSpan)
	}
	l.cats = make([]string, r.count(4))
	for i := range l.cats {
		l.cats[i] = r.str()
	}
	l.terms = make([]compiledTerm, r.count(17))
	for i := range l.terms {
		l.terms[i] = compiledTerm{cat: int16(r.u16()), text: r.str(), weight: r.f64(), fixed: r.flag(), lower: r.flag(), hyphen: r.flag()}
		l.terms[i].word = oneWord(l.terms[i].text)
	}
	l.patterns = make([]pattern, r.count(14))
	// The patterns' slots and hashes are carved out of a few large
	// blocks, not allocated one by one: some 13,000 small allocations
	// were a third of loading the shipped lexicon.
	var slots slab[slot]
	var hashes slab[uint64]
	for i := range l.patterns {
		p := &l.patterns[i]
		p.kind, p.cat, p.term = kind(r.u8()), int16(r.u16()), int32(r.u32())
		p.rule, p.group = int16(r.u16()), r.u8()
		p.slots = slots.take(r.count(5))
		for j := range p.slots {
			any := r.flag()
			p.slots[j] = slot{any: any, hashes: r.u64sFrom(&hashes)}
			if n := len(p.slots[j].hashes); n > maxSlotHashes && (p.kind != kindTogether || n > maxGroupHashes) {
				return nil, fmt.Errorf("compiled lexicon: pattern %d has a word of %d forms, more than %d", i, len(p.slots[j].hashes), maxSlotHashes)
			}
		}
	}
	l.skip = r.u64s()
	if l.sceneSpan = int(r.u32()); l.sceneSpan > MaxSceneSpan {
		return nil, fmt.Errorf("compiled lexicon: scene span %d over %d", l.sceneSpan, MaxSceneSpan)
	}
	if n := r.count(13); n > MaxScenes {
		return nil, fmt.Errorf("compiled lexicon: %d scenes, more than %d", n, MaxScenes)
	} else if n > 0 {
		l.scenes = make([]scene, n)
	}
	for i := range l.scenes {
		sc := &l.scenes[i]
		if sc.name = r.str(); !sceneName(sc.name) {
			return nil, fmt.Errorf("compiled lexicon: scene %q: not a scene name", sc.name)
		}
		var ok bool
		if sc.cat, ok = fromIndexes(r.u64s(), len(l.cats)); !ok {
			return nil, fmt.Errorf("compiled lexicon: scene %q: a category out of range", sc.name)
		}
		for c, on := range sc.cat {
			if on && strings.HasPrefix(l.cats[c], "rating:") {
				return nil, fmt.Errorf("compiled lexicon: scene %q: %s is not a label", sc.name, l.cats[c])
			}
		}
		listed, terms := r.flag(), r.u64s()
		if listed {
			if sc.term, ok = fromIndexes(terms, len(l.terms)); !ok {
				return nil, fmt.Errorf("compiled lexicon: scene %q: a term out of range", sc.name)
			}
		}
	}
	if n := r.count(9); n > MaxTogetherRules {
		return nil, fmt.Errorf("compiled lexicon: %d together rules, more than %d", n, MaxTogetherRules)
	} else if n > 0 {
		l.together = make([]togetherRule, n)
	}
	for i := range l.together {
		t := &l.together[i]
		t.term, t.span, t.groups = int32(r.u32()), int(r.u32()), int(r.u8())
		if t.span < 1 || t.span > MaxTogetherSpan || t.groups < MinTogetherGroups || t.groups > MaxTogetherGroups {
			return nil, fmt.Errorf("compiled lexicon: together rule %d: span %d or %d groups out of range", i, t.span, t.groups)
		}
	}
	l.togetherBases()
	if l.dialogueFactor = r.f64(); math.IsNaN(l.dialogueFactor) || l.dialogueFactor < 0 || l.dialogueFactor > 1 {
		return nil, fmt.Errorf("compiled lexicon: dialogue factor %v out of range", l.dialogueFactor)
	}
	var ok bool
	if l.dialogueCat, ok = fromIndexes(r.u64s(), len(l.cats)); !ok {
		return nil, errors.New("compiled lexicon: a dialogue category out of range")
	}
	if r.err != nil {
		return nil, fmt.Errorf("compiled lexicon: %w", r.err)
	}
	if len(r.b) != 0 {
		return nil, fmt.Errorf("compiled lexicon: %d bytes after the end", len(r.b))
	}
	if err := l.checkRefs(); err != nil {
		return nil, fmt.Errorf("compiled lexicon: %w", err)
	}
	l.indexNames()
	var err error
	if l.tab, tables, err = readTable(tables, len(l.patterns), opt.Verified); err == nil {
		l.pairs, tables, err = readTable(tables, len(l.patterns), opt.Verified)
	}
	if err != nil {
		return nil, fmt.Errorf("compiled lexicon: %w", err)
	}
	if len(tables) != 0 {
		return nil, fmt.Errorf("compiled lexicon: %d bytes after the lookup tables", len(tables))
	}
	return l, nil
}

// checkRefs verifies that every index in l points inside what it indexes,
// so that a damaged file fails here rather than panicking while matching.
func (l *Lexicon) checkRefs() error {
	for _, t := range l.terms {
		if int(t.cat) < 0 || int(t.cat) >= len(l.cats) {
			return fmt.Errorf("term %q: category %d of %d", t.text, t.cat, len(l.cats))
		}
	}
	if !slices.IsSorted(l.skip) {
		return errors.New("simile-skip words not sorted")
	}
	for i, r := range l.together {
		if r.term < 0 || int(r.term) >= len(l.terms) || strings.HasPrefix(l.cats[l.terms[r.term].cat], "rating:") {
			return fmt.Errorf("together rule %d: term %d is not a label's", i, r.term)
		}
	}
	pairs := 0
	for i, p := range l.patterns {
		if len(p.slots) >= 2 {
			pairs += len(p.slots[0].hashes) * max(len(p.slots[1].hashes), 1)
		}
		if pairs > maxPairs {
			return fmt.Errorf("more than %d lookup entries", maxPairs)
		}
		if p.kind > kindTogether || len(p.slots) == 0 || p.slots[0].any {
			return fmt.Errorf("pattern %d: no first word", i)
		}
		if (p.kind == kindTerm || p.kind == kindTogether) && (p.term < 0 || int(p.term) >= len(l.terms)) {
			return fmt.Errorf("pattern %d: term %d of %d", i, p.term, len(l.terms))
		}
		if p.kind == kindTogether {
			if p.rule < 0 || int(p.rule) >= len(l.together) || int(p.group) >= l.together[p.rule].groups || l.together[p.rule].term != p.term ||
				p.cat != l.terms[p.term].cat || len(p.slots) != 1 {
				return fmt.Errorf("pattern %d: not a word of together rule %d", i, p.rule)
			}
		}
		if p.kind == kindScene {
			if p.cat < 0 || int(p.cat) >= len(l.scenes) {
				return fmt.Errorf("pattern %d: scene %d of %d", i, p.cat, len(l.scenes))
			}
		} else if p.cat != globalCat && (p.cat < 0 || int(p.cat) >= len(l.cats)) {
			return fmt.Errorf("pattern %d: category %d of %d", i, p.cat, len(l.cats))
		}
	}
	return nil
}

// lazySpec parses a compiled lexicon's source file on first use.
type lazySpec struct {
	once sync.Once
	spec *spec
	err  error
}

// specOf returns l's parsed file: the one Load parsed, or for a compiled
// lexicon its source parsed now (once).
func (l *Lexicon) specOf() (*spec, error) {
	if l.lazy == nil {
		return l.spec, nil
	}
	l.lazy.once.Do(func() {
		full, err := Load(l.source)
		if err != nil {
			l.lazy.err = err
			return
		}
		l.lazy.spec = full.spec
	})
	return l.lazy.spec, l.lazy.err
}

// encoder appends little-endian fields.
type encoder struct{ b []byte }

func (w *encoder) u16(v uint16) { w.b = binary.LittleEndian.AppendUint16(w.b, v) }
func (w *encoder) u32(v uint32) { w.b = binary.LittleEndian.AppendUint32(w.b, v) }
func (w *encoder) u64(v uint64) { w.b = binary.LittleEndian.AppendUint64(w.b, v) }
func (w *encoder) f64(v float64) {
	w.u64(math.Float64bits(v))
}
func (w *encoder) flag(v bool) {
	if v {
		w.b = append(w.b, 1)
	} else {
		w.b = append(w.b, 0)
	}
}
func (w *encoder) str(s string) { w.u32(uint32(len(s))); w.b = append(w.b, s...) }
func (w *encoder) u64s(vs []uint64) {
	w.u32(uint32(len(vs)))
	for _, v := range vs {
		w.u64(v)
	}
}

// decoder reads what encoder wrote; the first short read sets err and
// every later read returns zeros.
type decoder struct {
	b   []byte
	err error
}

func (r *decoder) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		if r.err == nil {
			r.err = errors.New("truncated")
		}
		r.b = nil
		return make([]byte, max(n, 0))
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}
func (r *decoder) u8() uint8   { return r.take(1)[0] }
func (r *decoder) flag() bool  { return r.u8() != 0 }
func (r *decoder) u16() uint16 { return binary.LittleEndian.Uint16(r.take(2)) }
func (r *decoder) u32() uint32 { return binary.LittleEndian.Uint32(r.take(4)) }
func (r *decoder) u64() uint64 { return binary.LittleEndian.Uint64(r.take(8)) }
func (r *decoder) f64() float64 {
	return math.Float64frombits(r.u64())
}
func (r *decoder) str() string { return string(r.take(r.count(1))) }

// count reads a length whose items take at least min bytes each, and
// refuses one that the rest of the data cannot hold (a damaged file must
// not make us allocate gigabytes).
func (r *decoder) count(min int) int {
	n := int(r.u32())
	if r.err == nil && n*min > len(r.b) {
		r.err = fmt.Errorf("a list of %d items does not fit in the %d bytes left", n, len(r.b))
		r.b = nil
		return 0
	}
	return n
}

// u64sFrom is u64s with the list carved out of sl.
func (r *decoder) u64sFrom(sl *slab[uint64]) []uint64 {
	n := r.count(8)
	if n == 0 {
		return nil // as compile leaves an empty list
	}
	out := sl.take(n)
	b := r.take(8 * n) // count checked that it fits
	for i := range out {
		out[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	return out
}

// slab hands out slices carved from blocks of slabBlock items (or one of
// its own for a longer slice), each with its capacity capped at its
// length so that an append cannot run into the next.
type slab[T any] struct{ free []T }

// slabBlock is the number of items of a slab's block.
const slabBlock = 4096

func (s *slab[T]) take(n int) []T {
	if n == 0 {
		return nil
	}
	if n > len(s.free) {
		if n > slabBlock/4 {
			return make([]T, n)
		}
		s.free = make([]T, slabBlock)
	}
	out := s.free[:n:n]
	s.free = s.free[n:]
	return out
}

func (r *decoder) u64s() []uint64 {
	n := r.count(8)
	if n == 0 {
		return nil // as compile leaves an empty list
	}
	out := make([]uint64, n)
	for i := range out {
		out[i] = r.u64()
	}
	return out
}
