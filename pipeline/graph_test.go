package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
	"github.com/tagger-dev/tagger/pipeline/benchcorpus"
)

// referenceRow scores a story the way Run did before it was a graph of
// chunks: Predict over a story held in memory, PredictReader over a
// streamed one, whole, on one goroutine. It returns the row and the bytes
// of text scored.
func referenceRow(t *testing.T, m *classify.Model, cfg Config, s *datasets.Story) (Row, int64) {
	t.Helper()
	if s.Err != nil {
		return NewRow(s, nil, m, s.Err), 0
	}
	opt := cfg.PredictOptions()
	if !s.Streamed() {
		res, err := m.Predict(context.Background(), s.Text, s.BodyByte, s.BodyLine, opt)
		return ScoredRow(s, m, res, err), int64(len(s.Text))
	}
	rc, err := s.OpenBody()
	if err != nil {
		return NewRow(s, nil, m, err), 0
	}
	defer rc.Close()
	cr := &countingReader{r: rc}
	res, err := m.PredictReader(context.Background(), cr, s.BodyByte, s.BodyLine, opt)
	return ScoredRow(s, m, res, err), int64(s.BodyByte) + cr.n
}

// TestRunGraphRowsAsPredict runs a generated corpus with a huge story, with
// several stories streamed from their files, through Run's graph with 1, 2
// and 7 workers, and with a budget of one chunk: the output must be byte
// for byte that of scoring each story whole with Predict or PredictReader,
// in input order, and the summary must count the same. The huge story's
// chunks are scored out of turn by several workers, so its partials are
// merged as they come in and some wait for the ones before them.
func TestRunGraphRowsAsPredict(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	paras, err := benchcorpus.Sources("../seeds", "")
	if err != nil {
		t.Fatal(err)
	}
	size, huge := int64(3e6), int64(12<<20)
	if testing.Short() {
		size, huge = 1e6, 5<<20
	}
	dir := t.TempDir()
	corpusDir := filepath.Join(dir, "corpus")
	if _, _, err := benchcorpus.Write(corpusDir, paras, benchcorpus.Options{Bytes: size, Seed: 11, MinWords: 200, MaxWords: 40_000, HugeBytes: huge}); err != nil {
		t.Fatal(err)
	}
	// A few bad files: their rows are errors, in place.
	for name, b := range map[string]string{"story-000003b.txt": "", "story-000005b.txt": "GIF89a\x00\x01garbage"} {
		if err := os.WriteFile(filepath.Join(corpusDir, name), []byte(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const streamAbove = 64 << 10 // every story over 64 KiB is streamed
	base := Config{Model: m, StreamAbove: streamAbove}

	// The reference: every story read as Run reads it, scored whole.
	want := filepath.Join(dir, "want.jsonl")
	sink, err := NewSink(want, SinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// ScoreStory, Run's stages for one story, must agree too.
	one := filepath.Join(dir, "scorestory.jsonl")
	oneSink, err := NewSink(one, SinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var ref Summary
	streamed := 0
	for s := range datasets.Read(context.Background(), []string{corpusDir}, datasets.Options{StreamAbove: streamAbove, NoWordCount: true}) {
		if s.Streamed() {
			streamed++
		}
		row, n := referenceRow(t, m, base, s)
		if err := sink.Write([]Row{row}); err != nil {
			t.Fatal(err)
		}
		if err := oneSink.Write([]Row{ScoreStory(context.Background(), Config{Model: m, Workers: 3}, s)}); err != nil {
			t.Fatal(err)
		}
		ref.Stories++
		ref.Bytes += n
		if row.Error != nil {
			ref.Errors++
		}
		if row.Note != nil {
			ref.NotChecked++
		}
		if len(row.UndeclaredWarnings) > 0 {
			ref.Undeclared++
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	if err := oneSink.Close(); err != nil {
		t.Fatal(err)
	}
	if streamed < 3 || ref.Errors != 2 {
		t.Fatalf("%d stories streamed, %d errors; the test wants several streamed and 2 errors", streamed, ref.Errors)
	}
	t.Logf("%d stories (%d streamed), %d bytes", ref.Stories, streamed, ref.Bytes)
	wantRows, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}

	if oneRows, err := os.ReadFile(one); err != nil || !bytes.Equal(oneRows, wantRows) {
		t.Errorf("ScoreStory's rows differ from the whole stories' (%v)", err)
	}

	for _, c := range []struct {
		workers     int
		inFlight    int64
		streamAbove int64
	}{
		// Budgets less than the huge story: it must stream through. The
		// smallest has room for one chunk of it at a time.
		{1, 8 << 20, 0}, {2, 8 << 20, 0}, {7, 8 << 20, 0}, {2, 1 << 20, 0},
		// Every story held in memory: the huge one's chunks are slices
		// of its text, scored out of turn by three workers.
		{3, 32 << 20, 64 << 20},
	} {
		workers := c.workers
		cfg := base
		cfg.Workers = workers
		cfg.MaxInFlight = c.inFlight
		if c.streamAbove > 0 {
			cfg.StreamAbove = c.streamAbove
		}
		out := filepath.Join(dir, "got.jsonl")
		sum := runTo(t, out, []string{corpusDir}, cfg)
		got, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, wantRows) {
			gl, wl := strings.Split(string(got), "\n"), strings.Split(string(wantRows), "\n")
			for i := range min(len(gl), len(wl)) {
				if gl[i] != wl[i] {
					t.Fatalf("workers %d: row %d differs from the whole story's:\n got %.600s\nwant %.600s", workers, i+1, gl[i], wl[i])
				}
			}
			t.Fatalf("workers %d: %d rows, want %d", workers, len(gl), len(wl))
		}
		if sum.Stories != ref.Stories || sum.Errors != ref.Errors || sum.Bytes != ref.Bytes ||
			sum.NotChecked != ref.NotChecked || sum.Undeclared != ref.Undeclared {
			t.Errorf("workers %d: summary %d stories, %d errors, %d bytes, %d not checked, %d undeclared; want %d, %d, %d, %d, %d",
				workers, sum.Stories, sum.Errors, sum.Bytes, sum.NotChecked, sum.Undeclared,
				ref.Stories, ref.Errors, ref.Bytes, ref.NotChecked, ref.Undeclared)
		}
		var names []string
		for _, st := range sum.Stages {
			names = append(names, st.Name)
			if st.Items == 0 {
				t.Errorf("workers %d: stage %s handled nothing", workers, st.Name)
			}
		}
		if !reflect.DeepEqual(names, []string{"ingest", "chunk", "tokenize", "feature", "classify", "combine", "sink"}) {
			t.Errorf("workers %d: stages %v", workers, names)
		}
		if sum.Steps.Tokenize <= 0 || sum.Steps.Classify <= 0 {
			t.Errorf("workers %d: steps %+v", workers, sum.Steps)
		}
	}
}

// TestFoldedOutOfTurn feeds the partials of a long story's chunks to the
// combine stage's fold in shuffled orders, with items that carry no
// partial among them: the merge must decide as FinishPartials does on all
// of them, and hold nothing once every item is in.
func TestFoldedOutOfTurn(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	text := seedsRepeated(t, "", 5<<20)
	sc := newScorer(Config{Model: m})
	ctx := context.Background()
	var parts []*classify.Partial
	err = classify.SplitText(ctx, text, 0, 1, func(c classify.Chunk) error {
		p, err := m.ScoreChunk(ctx, c, sc.opt)
		parts = append(parts, p)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(parts) < 4 {
		t.Fatalf("%d chunks; the test needs several", len(parts))
	}
	want, err := m.FinishPartials(parts, sc.opt)
	if err != nil {
		t.Fatal(err)
	}
	want.Steps = classify.StepTimes{}
	// Items 1..n+1: the chunks' partials, then an end marker without one.
	items := append(slices.Clone(parts), nil)
	for seed := range uint64(4) {
		order := rand.New(rand.NewPCG(seed, 1)).Perm(len(items))
		if seed == 0 {
			slices.Reverse(order) // the worst case: everything arrives ahead
		}
		var f folded
		var released, held int64
		for _, i := range order {
			// Item i holds i+1 of the allowance until it is merged.
			merged, err := f.add(sc, i+1, items[i], int64(i+1))
			if err != nil {
				t.Fatal(err)
			}
			held += int64(i+1) - merged
			released += merged
			var ahead int64
			for _, a := range f.ahead {
				ahead += a.weight
			}
			if ahead != held {
				t.Fatalf("seed %d: %d held by partials waiting, %d not given back", seed, ahead, held)
			}
		}
		if f.next != len(items)+1 || len(f.ahead) != 0 {
			t.Fatalf("seed %d: next %d with %d held, want %d and none", seed, f.next, len(f.ahead), len(items)+1)
		}
		if n := int64(len(items)); released != n*(n+1)/2 {
			t.Errorf("seed %d: %d of the allowance given back, want %d", seed, released, n*(n+1)/2)
		}
		got, err := m.FinishPartials([]*classify.Partial{f.acc}, sc.opt)
		if err != nil {
			t.Fatal(err)
		}
		got.Steps = classify.StepTimes{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("seed %d: the fold decides otherwise than FinishPartials", seed)
		}
	}
}

// TestPredictStoryAsPredict checks that PredictStory, the path of tagger
// check and tagger serve, decides as Predict does on the whole text: a
// story of one chunk, one of several held in memory, and one streamed from
// its file.
func TestPredictStoryAsPredict(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	seeds, err := filepath.Glob("../seeds/*.txt")
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no seeds: %v", err)
	}
	long := filepath.Join(t.TempDir(), "long.txt")
	if err := os.WriteFile(long, []byte(seedsRepeated(t, "Title: Long\nRating: Mature\n\n", 3<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	opt := classify.PredictOptions{Sensitivity: classify.High}
	for _, tc := range []struct {
		path        string
		streamAbove int64
	}{{seeds[0], 0}, {long, 0}, {long, 1 << 20}} {
		var stories []*datasets.Story
		for s := range datasets.Read(ctx, []string{tc.path}, datasets.Options{StreamAbove: tc.streamAbove}) {
			stories = append(stories, s)
		}
		if len(stories) != 1 || stories[0].Err != nil || stories[0].Streamed() != (tc.streamAbove > 0) {
			t.Fatalf("%s: read %d stories", tc.path, len(stories))
		}
		s := stories[0]
		var want classify.Result
		if s.Streamed() {
			rc, err := s.OpenBody()
			if err != nil {
				t.Fatal(err)
			}
			want, err = m.PredictReader(ctx, rc, s.BodyByte, s.BodyLine, opt)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
		} else if want, err = m.Predict(ctx, s.Text, s.BodyByte, s.BodyLine, opt); err != nil {
			t.Fatal(err)
		}
		got, err := PredictStory(ctx, m, s, opt)
		if err != nil {
			t.Fatal(err)
		}
		got.Steps, want.Steps = classify.StepTimes{}, classify.StepTimes{}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s (streamed %v): PredictStory decides otherwise than Predict", filepath.Base(tc.path), s.Streamed())
		}
		if len(want.Detected) == 0 {
			t.Errorf("%s: nothing detected: the comparison checks no evidence", filepath.Base(tc.path))
		}
	}
}

// seedsRepeated returns head followed by the seed stories, repeated until
// the text holds at least n bytes.
func seedsRepeated(t *testing.T, head string, n int) string {
	t.Helper()
	seeds, err := filepath.Glob("../seeds/*.txt")
	if err != nil || len(seeds) == 0 {
		t.Fatalf("no seeds: %v", err)
	}
	var b strings.Builder
	b.WriteString(head)
	for b.Len() < n {
		for _, p := range seeds {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b.Write(data)
		}
	}
	return b.String()
}

// TestRunStoryModelRowsAsPredict trains a story model on a small synthetic
// archive (a made-up word declares homophobia) and runs stories of one
// chunk (decided in the classify stage), of several chunks held in memory
// and streamed through Run's graph: every row must be byte for byte that of
// scoring the story whole, with the story model deciding.
func TestRunStoryModelRowsAsPredict(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	// The archive: 200 works, the first 40 tag homophobia and say zorblax.
	archive := filepath.Join(dir, "archive.jsonl")
	var b strings.Builder
	filler := []string{"the garden was quiet and the tea was warm", "they walked along the river talking of books", "a letter came from the ministry about the new term"}
	for i := range 200 {
		var text strings.Builder
		for j := range 30 {
			text.WriteString(filler[(i+j)%len(filler)] + ". ")
		}
		tags := []string{}
		if i < 40 {
			text.WriteString("Then the zorblax came. ")
			tags = append(tags, "Homophobia")
		}
		line, err := json.Marshal(map[string]any{"id": fmt.Sprint("w", i), "text": text.String(), "rating": "General Audiences",
			"warnings": []string{"No Archive Warnings Apply"}, "tags": tags})
		if err != nil {
			t.Fatal(err)
		}
		b.Write(line)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(archive, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg := classify.DefaultStoryConfig()
	cfg.HashBits = 12
	ex, _, err := StoryExamples(context.Background(), []string{archive}, nil, m, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	sm, _, err := m.TrainStory(context.Background(), ex, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}

	corpusDir := filepath.Join(dir, "corpus")
	if err := os.Mkdir(corpusDir, 0o755); err != nil {
		t.Fatal(err)
	}
	stories := map[string]string{
		"a-zorblax.txt": "Title: A\n\nThen the zorblax came, and they shouted slurs at him in the street.\n",
		"b-quiet.txt":   "The garden was quiet and the tea was warm.\n",
		"c-long.txt":    seedsRepeated(t, "Title: long\n\nThen the zorblax came.\n", 3<<20),
		"d-empty.txt":   "",
	}
	for name, text := range stories {
		if err := os.WriteFile(filepath.Join(corpusDir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, streamAbove := range []int64{1 << 20, 64 << 20} { // the long story streamed, then held in memory
		base := Config{Model: sm, StreamAbove: streamAbove}
		var want bytes.Buffer
		n := 0
		for s := range datasets.Read(context.Background(), []string{corpusDir}, datasets.Options{StreamAbove: streamAbove, NoWordCount: true}) {
			row, _ := referenceRow(t, sm, base, s)
			line, err := json.Marshal(row)
			if err != nil {
				t.Fatal(err)
			}
			want.Write(line)
			want.WriteByte('\n')
			n++
		}
		if n != len(stories) || !strings.Contains(want.String(), `"homophobia"`) {
			t.Fatalf("%d reference rows, homophobia found: %v; the test wants every story and a finding", n, strings.Contains(want.String(), `"homophobia"`))
		}
		for _, workers := range []int{1, 3} {
			cfg := base
			cfg.Workers = workers
			out := filepath.Join(dir, "got.jsonl")
			sink, err := NewSink(out, SinkOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Run(context.Background(), context.Background(), []string{corpusDir}, sink, cfg, nil); err != nil {
				t.Fatal(err)
			}
			if err := sink.Close(); err != nil {
				t.Fatal(err)
			}
			rows, err := ReadRows(out)
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			for _, r := range rows {
				line, err := json.Marshal(r)
				if err != nil {
					t.Fatal(err)
				}
				got.Write(line)
				got.WriteByte('\n')
			}
			if got.String() != want.String() {
				t.Errorf("stream above %d, workers %d: Run's rows differ from the whole stories':\n got %.2000s\nwant %.2000s", streamAbove, workers, got.String(), want.String())
			}
		}
	}
}
