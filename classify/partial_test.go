package classify_test

import (
	"bytes"
	"context"
	"encoding/gob"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/models"
)

// seedText returns the seed stories' text joined, as ASCII-safe filler for
// long test stories.
func seedText(t *testing.T) string {
	t.Helper()
	paths, err := filepath.Glob("../seeds/*.txt")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no seed stories: %v", err)
	}
	var b strings.Builder
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(data)
		b.WriteString("\n\n")
	}
	return b.String()
}

// repeatTo repeats s until the result holds at least n bytes.
func repeatTo(s string, n int) string {
	return strings.Repeat(s, n/len(s)+1)
}

// chunkInfo is a chunk without its text, for messages.
func chunkInfo(c classify.Chunk) classify.Chunk {
	c.Text = fmt.Sprintf("(%d bytes)", len(c.Text))
	return c
}

// TestFinishPartials checks that the chunks of a story scored one by one
// (ScoreChunk), merged in any order and after a gob round trip, give what
// Predict gives on the whole text: labels, evidence with its lines, rating.
func TestFinishPartials(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	seeds := seedText(t)
	const header = "Title: A long one\nRating: Teen\n\n"
	crlf := strings.ReplaceAll(seeds, "\n", "\r\n")
	// A \r\n pair straddling the first chunk boundary (ChunkBytes into
	// the body): the chunk reader cuts after the \r, and the next chunk's
	// leading \n must not count as a line of its own.
	const cb = classify.ChunkBytes
	straddle := func() string {
		body := []byte(repeatTo(crlf, cb))[:cb-1]
		for i := len(body) - 200; i < len(body); i++ {
			if body[i] == '\r' || body[i] == '\n' || body[i] >= 0x80 {
				body[i] = 'x' // no other break near the boundary, whole runes
			}
		}
		body[len(body)-100] = ' '
		return header + string(body) + "\r\n" + repeatTo(crlf, cb)
	}()
	tests := []struct {
		name       string
		text       string
		minChunks  int
		sensitivty classify.Sensitivity
		afterCR    bool // a chunk must start after a \r
	}{
		{name: "one chunk", text: header + seeds, minChunks: 1},
		{name: "several chunks, LF", text: header + repeatTo(seeds, 3*cb), minChunks: 3},
		{name: "several chunks, CRLF", text: header + repeatTo(crlf, 2*cb), minChunks: 2, sensitivty: classify.High},
		{name: "CR only", text: header + repeatTo(strings.ReplaceAll(seeds, "\n", "\r"), 2*cb), minChunks: 2},
		{name: "CRLF across a chunk boundary", text: straddle, minChunks: 2, afterCR: true},
		{name: "empty body", text: header, minChunks: 0},
		// Hyperbole of a match in every chunk: the scenes' counts
		// (Result.Scenes) merge too; a short unit, so that each chunk holds it.
		{name: "scenes in several chunks", text: header + repeatTo(seeds[:strings.LastIndexByte(seeds[:20000], ' ')]+"\n\nBy half-time we were murdering them, slaughtering them; the referee and the goalie knew it.\n\n", 3*cb), minChunks: 3},
	}
	ctx := context.Background()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bodyByte := len(header)
			bodyLine := strings.Count(header, "\n") + 1
			opt := classify.PredictOptions{Sensitivity: tc.sensitivty, FastSnippets: true}
			want, err := m.Predict(ctx, tc.text, bodyByte, bodyLine, opt)
			if err != nil {
				t.Fatal(err)
			}
			var parts []*classify.Partial
			var streamed []classify.Chunk
			afterCR := false
			err = classify.SplitBody(ctx, strings.NewReader(tc.text[bodyByte:]), bodyByte, bodyLine, func(c classify.Chunk) error {
				if got := c.Text; tc.text[c.Off:c.Off+len(got)] != got {
					t.Errorf("chunk at %d: text is not the story's there", c.Off)
				}
				afterCR = afterCR || c.AfterCR
				streamed = append(streamed, c)
				p, err := m.ScoreChunk(ctx, c, opt)
				parts = append(parts, p)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			// SplitText cuts the text in memory into the same chunks.
			var inMemory []classify.Chunk
			if err := classify.SplitText(ctx, tc.text, bodyByte, bodyLine, func(c classify.Chunk) error {
				if !c.Shared {
					t.Errorf("SplitText chunk at %d not marked Shared", c.Off)
				}
				c.Shared = false
				inMemory = append(inMemory, c)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			if len(inMemory) != len(streamed) {
				t.Fatalf("SplitText: %d chunks, SplitBody %d", len(inMemory), len(streamed))
			}
			for i := range inMemory {
				if !reflect.DeepEqual(inMemory[i], streamed[i]) {
					t.Errorf("chunk %d: SplitText %+v, SplitBody %+v", i, chunkInfo(inMemory[i]), chunkInfo(streamed[i]))
				}
			}
			if len(parts) < tc.minChunks || afterCR != tc.afterCR {
				t.Fatalf("%d chunks, one after a \\r %v; want at least %d, %v", len(parts), afterCR, tc.minChunks, tc.afterCR)
			}
			// Sent between machines: a gob round trip, then any order.
			var buf bytes.Buffer
			if err := gob.NewEncoder(&buf).Encode(parts); err != nil {
				t.Fatal(err)
			}
			encoded := slices.Clone(buf.Bytes())
			var back []*classify.Partial
			if err := gob.NewDecoder(&buf).Decode(&back); err != nil {
				t.Fatal(err)
			}
			orders := [][]*classify.Partial{parts, back}
			for seed := range uint64(3) {
				shuffled := append([]*classify.Partial(nil), back...)
				rand.New(rand.NewPCG(seed, 7)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				orders = append(orders, shuffled)
			}
			// Merged as a runner merges them: each partial folded into
			// those before it.
			if len(back) > 0 {
				decode := func() []*classify.Partial {
					var ps []*classify.Partial
					if err := gob.NewDecoder(bytes.NewReader(encoded)).Decode(&ps); err != nil {
						t.Fatal(err)
					}
					return ps
				}
				fold := decode()
				acc := fold[0]
				for _, p := range fold[1:] {
					if acc, err = m.MergePartials([]*classify.Partial{acc, p}, opt); err != nil {
						t.Fatal(err)
					}
				}
				orders = append(orders, []*classify.Partial{acc})
			}
			for i, ps := range orders {
				got, err := m.FinishPartials(ps, opt)
				if err != nil {
					t.Fatal(err)
				}
				got.Steps, want.Steps = classify.StepTimes{}, classify.StepTimes{}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("order %d: FinishPartials differs from Predict:\n got %+v\nwant %+v", i, got, want)
				}
			}
			if len(want.Detected) == 0 && tc.minChunks > 0 {
				t.Errorf("nothing detected: the comparison checks no evidence")
			}
			if strings.Contains(tc.name, "scenes") && (len(want.Scenes) != 1 || want.Scenes[0].Scene != "sport" || want.Scenes[0].Words < 40) {
				t.Errorf("scenes %+v, want words of the sport scene in every chunk", want.Scenes)
			}
		})
	}
}

// TestFinishPartialsRejects checks the partials FinishPartials refuses.
func TestFinishPartialsRejects(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	p, err := m.ScoreChunk(ctx, classify.Chunk{Text: "She hit him.", Line: 1, First: true}, classify.PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		parts []*classify.Partial
		want  string
	}{
		{"the same chunk twice", []*classify.Partial{p, p}, "two partials"},
		{"a nil partial", []*classify.Partial{nil}, "nil partial"},
		{"another model's labels", []*classify.Partial{{Labels: p.Labels[:3]}}, "another model"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := m.FinishPartials(tc.parts, classify.PredictOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	q, err := m.ScoreChunk(ctx, classify.Chunk{Text: "He fell.", Off: 20, Line: 2}, classify.PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	merges := []struct {
		name  string
		parts []*classify.Partial
		want  string
	}{
		{"none", nil, "none given"},
		{"out of order", []*classify.Partial{q, p}, "story order"},
		{"the same chunk twice", []*classify.Partial{p, p}, "story order"},
		{"a nil partial", []*classify.Partial{p, nil}, "nil partial"},
	}
	for _, tc := range merges {
		t.Run("merge "+tc.name, func(t *testing.T) {
			_, err := m.MergePartials(tc.parts, classify.PredictOptions{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestChunkScoreSteps runs ScoreChunk's steps one by one, each on a
// goroutine of its own as a staged runner does, and checks the partial
// against ScoreChunk's; a step out of turn panics.
func TestChunkScoreSteps(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c := classify.Chunk{Text: seedText(t), Line: 1, First: true}
	opt := classify.PredictOptions{FastSnippets: true}
	want, err := m.ScoreChunk(ctx, c, opt)
	if err != nil {
		t.Fatal(err)
	}
	step := func(f func()) {
		done := make(chan struct{})
		go func() { defer close(done); f() }()
		<-done
	}
	var cs *classify.ChunkScore
	step(func() { cs, err = m.TokenizeChunk(ctx, c, opt) })
	if err != nil {
		t.Fatal(err)
	}
	step(cs.Featurize)
	var got *classify.Partial
	step(func() { got = cs.Classify() })
	got.Steps, want.Steps = classify.StepTimes{}, classify.StepTimes{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("steps one by one give another partial than ScoreChunk")
	}
	panics := func(name string, f func()) {
		t.Helper()
		defer func() {
			if recover() == nil {
				t.Errorf("%s did not panic", name)
			}
		}()
		f()
	}
	panics("Classify after Classify", func() { cs.Classify() })
	early, err := m.TokenizeChunk(ctx, c, opt)
	if err != nil {
		t.Fatal(err)
	}
	panics("Classify before Featurize", func() { early.Classify() })
	early.Release()
	panics("Featurize after Release", early.Featurize)
	if _, err := m.TokenizeChunk(ctx, c, classify.PredictOptions{Thresholds: map[string]float64{"death": 2}}); err == nil {
		t.Error("a threshold off 0..1 was taken")
	}
}

// TestScenesOfUncheckedText: a text the model does not read reports no
// scenes, though its English line has a match's hyperbole.
func TestScenesOfUncheckedText(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	fr := strings.Repeat("Le matin, nous sommes allés au marché avec ma grand-mère, qui voulait acheter des tomates et du fromage pour le dîner de dimanche. ", 30)
	text := fr + "\n\nReferee, goalie: we were murdering them, slaughtered them.\n\n" + fr
	res, err := m.Predict(context.Background(), text, 0, 1, classify.PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.NotChecked == "" || res.Scenes != nil {
		t.Errorf("not checked %q, scenes %+v; want a text not checked and no scenes", res.NotChecked, res.Scenes)
	}
}
