package nb

import (
	"bufio"
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
	keys := make([]uint64, 0, len(m.index))
	for k := range m.index {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	put(uint32(len(keys)))
	put(keys)
	L := len(m.labels)
	row := make([]float32, 0, len(keys)*L)
	for _, k := range keys {
		r := m.index[k]
		row = append(row, m.weights[int(r)*L:int(r)*L+L]...)
	}
	put(row)
	return bw.Flush()
}

// Read parses a model written by Write.
func Read(r io.Reader) (*Model, error) {
	br := bufio.NewReader(r)
	head := make([]byte, len(magic))
	if _, err := io.ReadFull(br, head); err != nil {
		// Too short for the magic, or unreadable: keep the cause.
		return nil, fmt.Errorf("not a tagger naive-Bayes table (bad magic): %w", err)
	}
	if string(head) != magic {
		return nil, errors.New("not a tagger naive-Bayes table (bad magic)")
	}
	var err error
	get := func(v any) {
		if err == nil {
			err = binary.Read(br, binary.LittleEndian, v)
		}
	}
	var nl uint32
	get(&nl)
	if err != nil {
		return nil, fmt.Errorf("read label count: %w", err)
	}
	if nl == 0 || nl > maxLabels {
		return nil, fmt.Errorf("bad label count %d", nl)
	}
	m := &Model{labels: make([]string, nl), bias: make([]float64, nl)}
	for i := range m.labels {
		var n uint32
		get(&n)
		if err != nil {
			return nil, fmt.Errorf("read label name length: %w", err)
		}
		if n > maxName {
			return nil, fmt.Errorf("bad label name length %d", n)
		}
		b := make([]byte, n)
		if _, e := io.ReadFull(br, b); e != nil {
			return nil, fmt.Errorf("truncated label name: %w", e)
		}
		m.labels[i] = string(b)
	}
	get(m.bias)
	var nf uint32
	get(&nf)
	if err != nil {
		return nil, fmt.Errorf("read feature count: %w", err)
	}
	if nf > maxFeatures {
		return nil, fmt.Errorf("bad feature count %d", nf)
	}
	keys := make([]uint64, nf)
	get(keys)
	m.weights = make([]float32, int(nf)*int(nl))
	get(m.weights)
	if err != nil {
		return nil, fmt.Errorf("truncated tables: %w", err)
	}
	for _, b := range m.bias {
		if math.IsNaN(b) || math.IsInf(b, 0) {
			return nil, errors.New("bias is not finite")
		}
	}
	m.index = make(map[uint64]int32, nf)
	for i, k := range keys {
		if i > 0 && keys[i-1] >= k {
			return nil, errors.New("feature hashes not in ascending order")
		}
		m.index[k] = int32(i)
	}
	m.lookup = newTable(m.index)
	return m, nil
}
