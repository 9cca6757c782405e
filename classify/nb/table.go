package nb

// table is a read-only open-addressing hash table from feature hash to row,
// built once a model is complete. Scoring looks a feature up per token, and
// this is several times faster than a Go map for uint64 keys.
type table struct {
	keys []uint64 // 0 marks an empty slot; a real key 0 is kept in zeroRow
	rows []int32
	mask uint64
	// zeroRow is the row of feature 0, or -1.
	zeroRow int32
}

func newTable(index map[uint64]int32) table {
	size := 1
	for size < 2*len(index) {
		size <<= 1
	}
	t := table{keys: make([]uint64, size), rows: make([]int32, size), mask: uint64(size - 1), zeroRow: -1}
	for k, r := range index {
		if k == 0 {
			t.zeroRow = r
			continue
		}
		i := mixKey(k) & t.mask
		for t.keys[i] != 0 {
			i = (i + 1) & t.mask
		}
		t.keys[i], t.rows[i] = k, r
	}
	return t
}

// get returns the row of key, or -1.
func (t *table) get(key uint64) int32 {
	if key == 0 {
		return t.zeroRow
	}
	if len(t.keys) == 0 {
		return -1
	}
	for i := mixKey(key) & t.mask; ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case key:
			return t.rows[i]
		case 0:
			return -1
		}
	}
}

// mixKey spreads feature hashes (already hashes, but salted families may
// share low bits) over the table.
func mixKey(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	return k
}
