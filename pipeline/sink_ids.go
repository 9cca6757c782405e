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
