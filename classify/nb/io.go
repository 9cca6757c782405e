package nb

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// magic starts a serialised Model; the digit is the format version.
const magic = "TAGGERNB1\n"

// Limits that keep a corrupt or hostile file from allocating without bound.
const (
	maxLabels   = 1 << 10
	maxFeatures = 1 << 26
	maxName     = 1 << 10
)

// Write serialises the model: a magic line, the labels, the biases, then
// the feature hashes in ascending order with their weight rows, all little
// endian. Sorting makes the file deterministic.
func (m *Model) Write(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(magic)
	put := func(v any) { binary.Write(bw, binary.LittleEndian, v) }
	put(uint32(len(m.labels)))
	for _, l := range m.labels {
		put(uint32(len(l)))
		bw.WriteString(l)
	}
	put(m.bias)
	rows := make([]int32, len(m.keys))
	for r := range rows {
		rows[r] = int32(r)
	}
	slices.SortFunc(rows, func(a, b int32) int { return cmp.Compare(m.keys[a], m.keys[b]) })
	put(uint32(len(rows)))
	keys := make([]uint64, len(rows))
	for i, r := range rows {
		keys[i] = m.keys[r]
	}
	put(keys)
	L := len(m.labels)
	row := make([]float32, 0, len(rows)*L)
	for _, r := range rows {
		row = append(row, m.weights[int(r)*L:int(r)*L+L]...)
	}
	put(row)
	return bw.Flush()
}

// Read parses a model written by Write.
func Read(r io.Reader) (*Model, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("read naive-Bayes table: %w", err)
	}
	return Parse(b)
}

// Parse parses a model written by Write from its bytes, which it does not
// keep or modify: a model lent in place (an embedded file) is decoded
// without a copy of it first.
func Parse(b []byte) (*Model, error) {
	if !bytes.HasPrefix(b, []byte(magic)) {
		return nil, errors.New("not a tagger naive-Bayes table (bad magic)")
	}
	d := decoder{b: b[len(magic):]}
	nl := d.u32()
	if d.short {
		return nil, errors.New("read label count: unexpected EOF")
	}
	if nl == 0 || nl > maxLabels {
		return nil, fmt.Errorf("bad label count %d", nl)
	}
	m := &Model{labels: make([]string, nl), bias: make([]float64, nl)}
	for i := range m.labels {
		n := d.u32()
		if d.short {
			return nil, errors.New("read label name length: unexpected EOF")
		}
		if n > maxName {
			return nil, fmt.Errorf("bad label name length %d", n)
		}
		name := d.take(int(n))
		if d.short {
			return nil, errors.New("truncated label name: unexpected EOF")
		}
		m.labels[i] = string(name)
	}
	for i := range m.bias {
		m.bias[i] = math.Float64frombits(d.u64())
	}
	nf := d.u32()
	if d.short {
		return nil, errors.New("read feature count: unexpected EOF")
	}
	if nf > maxFeatures {
		return nil, fmt.Errorf("bad feature count %d", nf)
	}
	// The sizes are checked before anything of them is allocated: a
	// damaged count cannot ask for more than the file holds.
	if rest := uint64(len(d.b)); uint64(nf)*8 > rest || uint64(nf)*8+uint64(nf)*uint64(nl)*4 > rest {
		return nil, errors.New("truncated tables: unexpected EOF")
	}
	// Each array is taken whole (its size is checked above) and decoded in
	// one loop: a bounds-checked read per value was most of parsing.
	m.keys = make([]uint64, nf)
	kb := d.take(8 * int(nf))
	for i := range m.keys {
		m.keys[i] = binary.LittleEndian.Uint64(kb[8*i:])
	}
	m.weights = make([]float32, int(nf)*int(nl))
	wb := d.take(4 * len(m.weights))
	for i := range m.weights {
		m.weights[i] = math.Float32frombits(binary.LittleEndian.Uint32(wb[4*i:]))
	}
	if d.short {
		return nil, errors.New("truncated tables: unexpected EOF")
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%d bytes after the tables: the file is damaged, or its feature count is", len(d.b))
	}
	for _, b := range m.bias {
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return nil, errors.New("bias is not finite")
		}
	}
	for i, w := range m.weights {
		if f := float64(w); math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("the weight of feature %d for %s is not finite", i/int(nl), m.labels[i%int(nl)])
		}
	}
	for i, k := range m.keys {
		if i > 0 && m.keys[i-1] >= k {
			return nil, errors.New("feature hashes not in ascending order")
		}
	}
	m.lookup = newTable(m.keys)
	return m, nil
}

// decoder reads little-endian values from b; short is set, and zeros
// are read, once b is exhausted.
type decoder struct {
	b     []byte
	short bool
}

func (d *decoder) take(n int) []byte {
	if n > len(d.b) {
		d.short, d.b = true, nil
		return nil
	}
	v := d.b[:n]
	d.b = d.b[n:]
	return v
}

func (d *decoder) u32() uint32 {
	if v := d.take(4); v != nil {
		return binary.LittleEndian.Uint32(v)
	}
	return 0
}

func (d *decoder) u64() uint64 {
	if v := d.take(8); v != nil {
		return binary.LittleEndian.Uint64(v)
	}
	return 0
}
