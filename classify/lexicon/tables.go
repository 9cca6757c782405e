package lexicon

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"math/bits"
	"unsafe"
)

// The lookup tables are stored in a compiled lexicon after its body,
// uncompressed and 8-byte aligned within the file, so that loading
// one that lies 8-aligned in memory (an embedded model) uses them where
// they lie: nothing is hashed, sorted or allocated for them, and the
// pages they are read from are the file's. Building them at every load
// cost a short-lived check more than anything else in loading a model,
// mostly in fresh memory (2.4 MB for the default lexicon: each new page
// is a fault). Elsewhere (a big-endian machine, data not aligned) they
// are decoded into new slices.
//
// Each table is three little-endian uint64 counts (filter words, buckets,
// refs), then the filter words, the buckets (key uint64, start uint32, n
// uint32) and the refs (int32), padded to 8 bytes; the header's CRC-32C
// covers them.

// castagnoli is the CRC-32C table (hardware-assisted on amd64 and arm64).
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// appendTables appends the section holding tables.
func appendTables(b []byte, tables ...*table) []byte {
	for _, t := range tables {
		b = binary.LittleEndian.AppendUint64(b, uint64(len(t.filter)))
		b = binary.LittleEndian.AppendUint64(b, uint64(len(t.buckets)))
		b = binary.LittleEndian.AppendUint64(b, uint64(len(t.refs)))
		for _, f := range t.filter {
			b = binary.LittleEndian.AppendUint64(b, f)
		}
		for _, bk := range t.buckets {
			b = binary.LittleEndian.AppendUint64(b, bk.key)
			b = binary.LittleEndian.AppendUint32(b, bk.start)
			b = binary.LittleEndian.AppendUint32(b, bk.n)
		}
		for _, r := range t.refs {
			b = binary.LittleEndian.AppendUint32(b, uint32(r))
		}
		b = pad8(b)
	}
	return b
}

// pad8 pads b with zeros to a multiple of 8 bytes.
func pad8(b []byte) []byte {
	for len(b)%8 != 0 {
		b = append(b, 0)
	}
	return b
}

// Bounds of a stored table.
const (
	minTableWords = 1 << 10 / 64 // newTable's smallest filter
	maxTableSlots = 1 << 24      // buckets or filter words: far above maxPairs' needs
)

// readTable returns the table stored at the start of b, checked so that
// lookups stay in bounds and end, and the rest of b. patterns is the
// number of patterns refs may point to. A verified table (see
// CompiledOptions) has its sizes checked, not every bucket and ref: that
// would read all of it (1.3 MB for the default lexicon) at every start.
func readTable(b []byte, patterns int, verified bool) (table, []byte, error) {
	if len(b) < 24 {
		return table{}, nil, errors.New("truncated")
	}
	nf, nb, nr := binary.LittleEndian.Uint64(b), binary.LittleEndian.Uint64(b[8:]), binary.LittleEndian.Uint64(b[16:])
	if nf < minTableWords || nf > maxTableSlots || nf&(nf-1) != 0 || nb < 16 || nb > maxTableSlots || nb&(nb-1) != 0 || nr > maxPairs {
		return table{}, nil, fmt.Errorf("a lookup table of %d filter words, %d buckets and %d refs", nf, nb, nr)
	}
	b = b[24:]
	size := int(nf*8 + nb*16 + (nr*4+7)&^7)
	if size > len(b) {
		return table{}, nil, errors.New("truncated")
	}
	t := table{
		filter:  words64(b[:nf*8]),
		fshift:  uint(64 - bits.Len64(nf*64-1)),
		buckets: bucketsOf(b[nf*8 : nf*8+nb*16]),
		shift:   uint(64 - bits.Len64(nb-1)),
		mask:    nb - 1,
		refs:    words32(b[nf*8+nb*16 : nf*8+nb*16+nr*4]),
	}
	if verified {
		return t, b[size:], nil
	}
	empty := false
	for _, bk := range t.buckets {
		if bk.n == 0 {
			empty = true // find stops at an empty bucket: there must be one
			continue
		}
		if bk.n&occupied == 0 || uint64(bk.start)+uint64(bk.n&countMask) > nr {
			return table{}, nil, errors.New("a lookup bucket out of range")
		}
	}
	if !empty {
		return table{}, nil, errors.New("a lookup table without an empty bucket")
	}
	for _, r := range t.refs {
		if r < 0 || int(r) >= patterns {
			return table{}, nil, fmt.Errorf("a lookup entry for pattern %d of %d", r, patterns)
		}
	}
	return t, b[size:], nil
}

// littleEndian reports whether this machine stores words little-endian,
// as the file does.
func littleEndian() bool { return binary.NativeEndian.Uint16([]byte{1, 0}) == 1 }

// inPlace reports whether b can be read where it lies as words of align
// bytes.
func inPlace(b []byte, align uintptr) bool {
	return len(b) > 0 && littleEndian() && uintptr(unsafe.Pointer(unsafe.SliceData(b)))%align == 0
}

// view returns b as a slice of T, each size bytes in the file: b itself
// when it can be read in place (T's memory layout is the file's: checked
// by a test for bucket), else a copy made with decode.
func view[T any](b []byte, size int, decode func([]byte) T) []T {
	n := len(b) / size
	if n == 0 {
		return nil
	}
	if inPlace(b, unsafe.Alignof(*new(T))) {
		return unsafe.Slice((*T)(unsafe.Pointer(unsafe.SliceData(b))), n)
	}
	out := make([]T, n)
	for i := range out {
		out[i] = decode(b[size*i:])
	}
	return out
}

func words64(b []byte) []uint64 { return view(b, 8, binary.LittleEndian.Uint64) }

func words32(b []byte) []int32 {
	return view(b, 4, func(b []byte) int32 { return int32(binary.LittleEndian.Uint32(b)) })
}

func bucketsOf(b []byte) []bucket {
	return view(b, 16, func(b []byte) bucket {
		return bucket{key: binary.LittleEndian.Uint64(b), start: binary.LittleEndian.Uint32(b[8:]), n: binary.LittleEndian.Uint32(b[12:])}
	})
}
