package classify

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"unsafe"
	"weak"
)

// TestFreedScoringsKeepNoText: once a story is decided, the model's free
// lists of scorings and scratches hold nothing of its text (its windows
// are slices of it), so a long-lived process (tagger serve) does not keep
// the stories it checked alive.
func TestFreedScoringsKeepNoText(t *testing.T) {
	m := loadTestModel(t)
	ctx := context.Background()
	para := "He hit him with the bat and the blood ran down his face. She screamed as the knife went in. "
	var refs []weak.Pointer[byte]
	for range 6 {
		// The text in a buffer of its own, so that a weak pointer says
		// whether anything still refers to it.
		buf := []byte(strings.Repeat(para, 30000)) // ~2.8 MB: three chunks
		refs = append(refs, weak.Make(&buf[0]))
		text := unsafe.String(&buf[0], len(buf))
		var parts []*Partial
		err := SplitText(ctx, text, 0, 1, func(c Chunk) error {
			p, err := m.ScoreChunk(ctx, c, PredictOptions{})
			parts = append(parts, p)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		res, err := m.FinishPartials(parts, PredictOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Detected) == 0 {
			t.Fatalf("nothing detected in a story of blows, blood and knives")
		}
	}
	for range 3 {
		runtime.GC()
	}
	for i, r := range refs {
		if r.Value() != nil {
			t.Errorf("story %d's text is still reachable after it was decided", i+1)
		}
	}
	runtime.KeepAlive(m)
}
