package pipeline

import (
	"cmp"
	"hash/maphash"
	"slices"
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
}

func newIDSetBuilder(capacity int) *idSetBuilder {
	return &idSetBuilder{
		seeds:  [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		hashes: make([][2]uint64, 0, capacity),
	}
}

func (b *idSetBuilder) add(id string) { b.hashes = append(b.hashes, hashID(b.seeds, id)) }

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
// occurrences as the output holds rows of it. Keying by input position
// rather than by story ID keeps stories whose IDs repeat (one.txt and
// one.html, a directory given twice, a corpus with repeated ids). Like
// IDSet it keeps 128-bit keyed hashes, plus a count per distinct source. A
// nil *SourceCounts is empty. It is immutable and safe for concurrent use.
type SourceCounts struct {
	seeds  [2]maphash.Seed
	hashes [][2]uint64 // sorted, distinct
	counts []int32     // rows per hash
	rows   int
}

// NewSourceCounts returns the multiset of sources.
func NewSourceCounts(sources ...string) *SourceCounts {
	b := newIDSetBuilder(len(sources))
	for _, s := range sources {
		b.add(toValidUTF8(s))
	}
	return b.counts()
}

// counts sorts the hashes into a SourceCounts; b is not used again.
func (b *idSetBuilder) counts() *SourceCounts {
	slices.SortFunc(b.hashes, compareHash)
	s := &SourceCounts{seeds: b.seeds, rows: len(b.hashes)}
	for i, h := range b.hashes {
		if i > 0 && h == b.hashes[i-1] {
			s.counts[len(s.counts)-1]++
			continue
		}
		s.hashes = append(s.hashes, h)
		s.counts = append(s.counts, 1)
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
	return slices.BinarySearchFunc(s.hashes, hashID(s.seeds, toValidUTF8(source)), compareHash)
}

// occurrences walks the input of a resumed run: next is called once per
// input position, in input order, and reports whether that occurrence of
// its source is already in the output. It is used from one goroutine.
type occurrences struct {
	done *SourceCounts
	seen []int32 // occurrences met so far, per done hash
}

func newOccurrences(done *SourceCounts) *occurrences {
	o := &occurrences{done: done}
	if done != nil {
		o.seen = make([]int32, len(done.hashes))
	}
	return o
}

// next counts one occurrence of source and reports whether the output
// already holds it (the first Count(source) occurrences are done).
func (o *occurrences) next(source string) bool {
	i, ok := o.done.index(source)
	if !ok {
		return false
	}
	o.seen[i]++
	return o.seen[i] <= o.done.counts[i]
}
