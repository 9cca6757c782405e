package pipeline

import (
	"cmp"
	"fmt"
	"hash/maphash"
	"path/filepath"
	"slices"
	"strings"
)

// IDSet is an immutable set of story IDs, as ReadDone returns them. It keeps
// a sorted array of 128-bit keyed hashes of the IDs rather than the IDs, 16
// bytes per ID whatever their length: a million IDs take 16 MB, where a
// map[string]bool of 30-byte IDs measured 83 MB. The chance that two
// distinct IDs collide is negligible (about n²/2¹²⁹). A nil *IDSet is an
// empty set. An IDSet is safe for concurrent use.
type IDSet struct {
	seeds  [2]maphash.Seed
	hashes [][2]uint64 // sorted, distinct
}

// NewIDSet returns the set of ids.
func NewIDSet(ids ...string) *IDSet {
	b := newIDSetBuilder(len(ids))
	for _, id := range ids {
		b.add(id)
	}
	return b.set()
}

// Has reports whether id is in the set.
func (s *IDSet) Has(id string) bool {
	if s == nil {
		return false
	}
	_, found := slices.BinarySearchFunc(s.hashes, hashID(s.seeds, id), compareHash)
	return found
}

// Len returns the number of distinct IDs in the set.
func (s *IDSet) Len() int {
	if s == nil {
		return 0
	}
	return len(s.hashes)
}

// idSetBuilder collects IDs for an IDSet.
type idSetBuilder struct {
	seeds  [2]maphash.Seed
	hashes [][2]uint64
	ids    []uint64 // see addID; empty unless it is called for every source
}

func newIDSetBuilder(capacity int) *idSetBuilder {
	return &idSetBuilder{
		seeds:  [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		hashes: make([][2]uint64, 0, capacity),
	}
}

func (b *idSetBuilder) add(id string) { b.hashes = append(b.hashes, hashID(b.seeds, id)) }

// addID records the story id of the source last added, for a corpus
// record ("" for any other source); see SourceCounts.ids.
func (b *idSetBuilder) addID(id string) {
	b.ids = append(b.ids, storyIDHash(b.seeds, id))
}

// storyIDHash is the 64-bit keyed hash of a story id, never 0 (0 stands
// for none); "" has none.
func storyIDHash(seeds [2]maphash.Seed, id string) uint64 {
	if id == "" {
		return 0
	}
	return maphash.String(seeds[0], id) | 1
}

// set sorts and deduplicates the hashes into an IDSet; b is not used again.
func (b *idSetBuilder) set() *IDSet {
	slices.SortFunc(b.hashes, compareHash)
	return &IDSet{seeds: b.seeds, hashes: slices.Compact(b.hashes)}
}

func hashID(seeds [2]maphash.Seed, id string) [2]uint64 {
	return [2]uint64{maphash.String(seeds[0], id), maphash.String(seeds[1], id)}
}

func compareHash(a, b [2]uint64) int {
	if c := cmp.Compare(a[0], b[0]); c != 0 {
		return c
	}
	return cmp.Compare(a[1], b[1])
}

// SourceCounts is the multiset of the sources of the rows already in an
// output (the source column: a path, or path:line for a corpus record), as
// ReadDoneSources returns it: a resumed run skips, for each source, as many
// occurrences as the output holds rows of it. Sources are compared in the
// form normSource gives them, so that one input spelled two ways
// ("corpus" and "/abs/corpus", "./a.txt" and "a.txt") is one source. Keying by input position
// rather than by story ID keeps stories whose IDs repeat (one.txt and
// one.html, a directory given twice, a corpus with repeated ids). Like
// IDSet it keeps 128-bit keyed hashes, plus a count per distinct source. A
// nil *SourceCounts is empty. It is immutable and safe for concurrent use.
type SourceCounts struct {
	seeds  [2]maphash.Seed
	hashes [][2]uint64 // sorted, distinct
	counts []int32     // rows per hash
	rows   int
	// failed counts the rows with an error (ReadDoneSources), first
	// being the first one's "source: error".
	failed int
	first  string
	// ids holds, beside hashes, the story id's hash (storyIDHash) of a
	// source that is a corpus record ("works.jsonl:12"), 0 for another: a
	// resumed run whose corpus has changed since (a record inserted or
	// removed shifts the rest) finds another id at that source. 8 bytes a
	// row, as a corpus may have millions. Empty when not recorded.
	ids []uint64
}

// Failed returns how many of the rows read by ReadDoneSources hold an
// error, and the first of them as "source: error". A resumed run does not
// read those stories again: they stay failed in the output.
func (s *SourceCounts) Failed() (n int, first string) { return s.failed, s.first }

// NewSourceCounts returns the multiset of sources.
func NewSourceCounts(sources ...string) *SourceCounts {
	b := newIDSetBuilder(len(sources))
	for _, s := range sources {
		b.add(normSource(toValidUTF8(s)))
	}
	return b.counts()
}

// counts sorts the hashes into a SourceCounts, with their ids when addID
// was called for each; b is not used again.
func (b *idSetBuilder) counts() *SourceCounts {
	withIDs := len(b.ids) == len(b.hashes) && len(b.ids) > 0
	if withIDs {
		// Sorted together: an index sorted by hash, then both laid out.
		order := make([]int32, len(b.hashes))
		for i := range order {
			order[i] = int32(i)
		}
		slices.SortFunc(order, func(x, y int32) int { return compareHash(b.hashes[x], b.hashes[y]) })
		hashes, ids := make([][2]uint64, len(order)), make([]uint64, len(order))
		for i, k := range order {
			hashes[i], ids[i] = b.hashes[k], b.ids[k]
		}
		b.hashes, b.ids = hashes, ids
	} else {
		slices.SortFunc(b.hashes, compareHash)
	}
	s := &SourceCounts{seeds: b.seeds, rows: len(b.hashes)}
	for i, h := range b.hashes {
		if i > 0 && h == b.hashes[i-1] {
			s.counts[len(s.counts)-1]++
			continue
		}
		s.hashes = append(s.hashes, h)
		s.counts = append(s.counts, 1)
		if withIDs {
			s.ids = append(s.ids, b.ids[i])
		}
	}
	return s
}

// Rows returns the number of rows counted.
func (s *SourceCounts) Rows() int {
	if s == nil {
		return 0
	}
	return s.rows
}

// Count returns how many rows have the source.
func (s *SourceCounts) Count(source string) int {
	if i, ok := s.index(source); ok {
		return int(s.counts[i])
	}
	return 0
}

func (s *SourceCounts) index(source string) (int, bool) {
	if s == nil || len(s.hashes) == 0 {
		return 0, false
	}
	return slices.BinarySearchFunc(s.hashes, hashID(s.seeds, normSource(toValidUTF8(source))), compareHash)
}

// covers reports whether s holds every source of o at least as many times
// as o does. Both must have been counted with the same seeds.
func (s *SourceCounts) covers(o *SourceCounts) bool {
	if o == nil || o.rows == 0 {
		return true
	}
	if s == nil || s.seeds != o.seeds {
		return false
	}
	i := 0
	for j, h := range o.hashes {
		for i < len(s.hashes) && compareHash(s.hashes[i], h) < 0 {
			i++
		}
		if i == len(s.hashes) || s.hashes[i] != h || s.counts[i] < o.counts[j] {
			return false
		}
	}
	return true
}

// normSource is the form in which sources are compared: the path made
// absolute and clean, followed, for a record of a corpus (a .jsonl,
// .ndjson or .csv file), by its ":line" or ":row" suffix as it was. A
// path may hold colons itself: only a final ":" and digits after a corpus
// path are a suffix. Standard input ("-", "-:line") is left as it is.
func normSource(source string) string {
	if source == "" || source == "-" || strings.HasPrefix(source, "-:") {
		return source
	}
	path, suffix := source, ""
	if i := strings.LastIndexByte(source, ':'); i > 0 && i < len(source)-1 && isDigits(source[i+1:]) {
		switch strings.ToLower(filepath.Ext(source[:i])) {
		case ".jsonl", ".ndjson", ".csv":
			path, suffix = source[:i], source[i:]
		}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	return abs + suffix
}

func isDigits(s string) bool {
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// occurrences walks the input of a resumed run: next is called once per
// input position, in input order, and reports whether that occurrence of
// its source is already in the output. It is used from one goroutine.
type occurrences struct {
	done *SourceCounts
	seen []int32 // occurrences met so far, per done hash
	hits int     // input positions found in done
}

func newOccurrences(done *SourceCounts) *occurrences {
	o := &occurrences{done: done}
	if done != nil {
		o.seen = make([]int32, len(done.hashes))
	}
	return o
}

// next counts one occurrence of source, the story id, and reports whether
// the output already holds it (the first Count(source) occurrences are
// done). For a corpus record the output holds under another id, it
// returns an error: the corpus is not the one the output was written from.
func (o *occurrences) next(source, id string) (bool, error) {
	i, ok := o.done.index(source)
	if !ok {
		return false, nil
	}
	o.hits++
	o.seen[i]++
	if i < len(o.done.ids) {
		if kept := o.done.ids[i]; kept != 0 && kept != storyIDHash(o.done.seeds, id) {
			return false, fmt.Errorf("%s holds the story %q, but the output holds another story at that line: the corpus has changed since the run that wrote it (a record inserted or removed shifts the rest), so --resume would lose and repeat stories; run again without --resume to redo it", source, id)
		}
	}
	return o.seen[i] <= o.done.counts[i], nil
}

// isRecord reports whether src, as normSource gives it, is a record of a
// corpus: a .jsonl, .ndjson or .csv path with a ":line" or ":row" suffix.
func isRecord(src string) bool {
	i := strings.LastIndexByte(src, ':')
	if i <= 0 || i == len(src)-1 || !isDigits(src[i+1:]) {
		return false
	}
	switch strings.ToLower(filepath.Ext(src[:i])) {
	case ".jsonl", ".ndjson", ".csv":
		return true
	}
	return false
}
