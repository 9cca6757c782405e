package nb

// table is a read-only open-addressing hash table from feature hash to row,
// built once a model is complete. Scoring looks a feature up per token, and
// this is several times faster than a Go map for uint64 keys.
type table struct {
	keys  []uint64 // 0 marks an empty slot; a real key 0 is kept in zeroRow
	rows  []int32
	mask  uint64
	shift uint // a key's home slot is the top bits of key·fib
	// zeroRow is the row of feature 0, or -1.
	zeroRow int32
}

// newTable returns the table of the rows of keys (keys[r] is row r's
// feature; features are distinct).
func newTable(keys []uint64) table {
	size, lg := 2, uint(1)
	for size < 2*len(keys) {
		size, lg = size<<1, lg+1
	}
	t := table{keys: make([]uint64, size), rows: make([]int32, size), mask: uint64(size - 1), shift: 64 - lg, zeroRow: -1}
	for r, k := range keys {
		r := int32(r)
		if k == 0 {
			t.zeroRow = r
			continue
		}
		i := t.home(k)
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
	for i := t.home(key); ; i = (i + 1) & t.mask {
		switch t.keys[i] {
		case key:
			return t.rows[i]
		case 0:
			return -1
		}
	}
}

// fib is 2^64 divided by the golden ratio: multiplying by it and keeping
// the top bits spreads feature hashes (already hashes, but salted families
// may share low bits) over the table in one multiplication.
const fib = 0x9e3779b97f4a7c15

// home is key's first slot.
func (t *table) home(key uint64) uint64 { return key * fib >> t.shift }
