package lexicon

import (
	"math/rand/v2"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestNumberFastPath checks that parser.number's fast path reads numbers
// as yaml.v3's Decode does, and leaves the others to it.
func TestNumberFastPath(t *testing.T) {
	for _, v := range []string{
		"0", "1", "2.5", "0.75", "010", "00", "0.0", "1.", ".5", "10", "007",
		"1e3", "0x10", "1_0", "-1", "+2", "12345678901234567", "123456789012345",
		"0.1234567890123456", "9.999999999999999", ".inf", "1.5.2", "two",
	} {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte("v: "+v), &doc); err != nil {
			t.Fatal(err)
		}
		n := doc.Content[0].Content[1]
		var el errList
		got, ok := parser{el: &el}.number(n, "weight")
		var want float64
		wantOK := (n.Tag == "!!int" || n.Tag == "!!float") && n.Decode(&want) == nil
		if ok != wantOK || got != want {
			t.Errorf("number(%q) = %v, %v; Decode gives %v, %v", v, got, ok, want, wantOK)
		}
	}
}

// TestSortEntries checks the radix sort of newTable against a plain sort
// and compaction, with repeated keys, ids out of order and -1 marks.
func TestSortEntries(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 10, 255, 256, 1000, 30000} {
		for _, keys := range []int{1, 7, n/3 + 1, 1 << 62} {
			var es []entry
			for i := 0; i < n; i++ {
				k := r.Uint64N(uint64(keys))
				if keys == 1<<62 {
					k = r.Uint64() // full 64-bit keys
				}
				es = append(es, entry{key: k, id: int32(r.IntN(50)) - 1})
			}
			want := slices.Clone(es)
			slices.SortFunc(want, compareEntries)
			want = slices.Compact(want)
			got := slices.Compact(sortEntries(slices.Clone(es)))
			if !slices.Equal(got, want) {
				t.Fatalf("n=%d keys=%d: sortEntries differs from a plain sort", n, keys)
			}
		}
	}
}
