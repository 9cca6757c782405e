package classify

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// synthCorpus builds works where the label's positives hold a distinctive
// word; every other work declares that no archive warnings apply.
func synthCorpus(t *testing.T, m *Model, n, pos int, label, word string) []StoryExample {
	t.Helper()
	cfg := DefaultStoryConfig()
	cfg.HashBits = 12
	li := m.labelIdx[label]
	var ex []StoryExample
	filler := []string{"the garden was quiet and the tea was warm", "they walked along the river talking of books", "a letter came from the ministry about the new term"}
	for i := range n {
		var b strings.Builder
		for j := range 30 {
			b.WriteString(filler[(i+j)%len(filler)])
			b.WriteString(". ")
		}
		if i < pos {
			fmt.Fprintf(&b, "Then the %s came. ", word)
		}
		r, v, err := m.PredictVector(context.Background(), b.String(), 0, 1, PredictOptions{}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		id := fmt.Sprint("w", i)
		e := m.NewStoryExample(id, id, r, v)
		e.Obs.Declared = make([]bool, len(m.labels))
		e.Implied = make([]bool, len(m.labels))
		e.HasWarnings = true
		if i < pos {
			e.Obs.Declared[li] = true
		} else {
			e.NoneApply, e.Obs.Clean = true, true
		}
		ex = append(ex, e)
	}
	return ex
}

func TestCrossValidateStory(t *testing.T) {
	m := loadTestModel(t)
	tests := []struct {
		name      string
		pos       int
		wantModel bool
		minAUC    float64
	}{
		{"distinctive word", 40, true, 0.99},
		{"too few positives", 12, false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ex := synthCorpus(t, m, 200, tc.pos, "homophobia", "zorblax")
			cfg := DefaultStoryConfig()
			cfg.HashBits = 12
			cv, _, err := m.CrossValidateStory(context.Background(), ex, cfg, []string{"homophobia"})
			if tc.wantModel && err != nil {
				t.Fatal(err)
			}
			if !tc.wantModel {
				if err == nil {
					t.Fatalf("no label has enough positives, yet CV ran: %+v", cv)
				}
				return
			}
			l := cv.Labels[0]
			if !l.StoryModel || l.AUC < tc.minAUC {
				t.Errorf("homophobia: story model %v, AUC %.3f; want a story model with AUC ≥ %.2f", l.StoryModel, l.AUC, tc.minAUC)
			}
		})
	}
}

func TestTrainStoryRoundTrip(t *testing.T) {
	m := loadTestModel(t)
	ex := synthCorpus(t, m, 200, 40, "homophobia", "zorblax")
	// A second label with too few declaring works keeps the default.
	for i := 40; i < 45; i++ {
		ex[i].Obs.Declared[m.labelIdx["racism"]] = true
	}
	cfg := DefaultStoryConfig()
	cfg.HashBits = 12
	sm, cv, err := m.TrainStory(context.Background(), ex, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(cv.KeptDefault) != 1 || cv.KeptDefault[0] != "racism" {
		t.Errorf("kept default %v, want [racism]", cv.KeptDefault)
	}
	// No clean work of this corpus shows racism: it keeps the model's
	// thresholds, not the calibration floor (which made a rare label the
	// most sensitive of a model trained on a small archive).
	ri := m.labelIdx["racism"]
	if got, own := sm.info[ri].Story, m.info[ri].Story; got != own {
		t.Errorf("racism thresholds %+v after training, want the model's own %+v", got, own)
	}
	// A cross-validation that reports some labels lists only those.
	if cv, _, err := m.CrossValidateStory(context.Background(), ex, cfg, []string{"homophobia"}); err != nil || len(cv.KeptDefault) != 0 {
		t.Errorf("cv of homophobia alone: kept default %v (%v), want none", cv.KeptDefault, err)
	}
	dir := t.TempDir()
	if err := sm.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("the garden was quiet. ", 30) + "Then the zorblax came."
	r1, err := sm.Predict(context.Background(), text, 0, 1, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r2, err := back.Predict(context.Background(), text, 0, 1, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	li := m.labelIdx["homophobia"]
	if r1.Labels[li].Score != r2.Labels[li].Score {
		t.Errorf("score %v after load, %v before", r2.Labels[li].Score, r1.Labels[li].Score)
	}
	if r1.Labels[li].Score < 0.5 {
		t.Errorf("homophobia score %.3f on a story with the distinctive word; want ≥ 0.5", r1.Labels[li].Score)
	}
	// Deterministic: the same data gives the same bytes.
	sm2, _, err := m.TrainStory(context.Background(), ex, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(sm2.storyFile) != string(sm.storyFile) {
		t.Error("two trainings on the same data wrote different story models")
	}
	// A directory copied without its story model says which file is
	// missing, not only that the files changed.
	if err := os.Remove(filepath.Join(dir, StoryFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), StoryFile+" is missing, yet its story model scores homophobia") {
		t.Errorf("model without %s: err %v", StoryFile, err)
	}
}

func ExampleModel_TrainStory() {
	// m is a passage model (Train, or models.Default); ex the corpus's
	// works as pipeline.StoryExamples reads them.
	var m *Model
	var ex []StoryExample
	if m == nil {
		return
	}
	sm, cv, err := m.TrainStory(context.Background(), ex, DefaultStoryConfig(), []string{"violence", "death"})
	if err != nil {
		panic(err)
	}
	fmt.Printf("mean AUC %.3f, clean works flagged %.1f%%\n", cv.MeanAUC, 100*cv.CleanFlagged)
	_ = sm.Save("/tmp/my-model")
}

// loadTestModel loads the default model from its directory.
func loadTestModel(t *testing.T) *Model {
	t.Helper()
	m, err := Load(os.DirFS("../models/default"))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// zorblaxModel returns the default model and a story model trained on
// synthetic works where "zorblax" declares homophobia (2^12 buckets).
func zorblaxModel(t *testing.T) (m, sm *Model) {
	t.Helper()
	m = loadTestModel(t)
	cfg := DefaultStoryConfig()
	cfg.HashBits = 12
	sm, _, err := m.TrainStory(context.Background(), synthCorpus(t, m, 200, 40, "homophobia", "zorblax"), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return m, sm
}

// TestStoryModelPartials checks that a model with a story model decides a
// story of several chunks alike whether it is scored in one pass
// (Predict), chunk by chunk and merged at the end (FinishPartials), or
// folded in story order as a runner folds it (MergePartials): the story
// model's features (word buckets, lexicon sums) merge exactly.
func TestStoryModelPartials(t *testing.T) {
	m, sm := zorblaxModel(t)
	var b strings.Builder
	for i := 0; b.Len() < 5<<19; i++ {
		fmt.Fprintf(&b, "The garden was quiet and he hit the wall, bleeding; she grinned like a killer. Line %d.\n", i)
		if i%5000 == 0 {
			b.WriteString("Then the zorblax came, and the soldier died.\n")
		}
	}
	text := b.String()
	ctx := context.Background()
	opt := PredictOptions{FastSnippets: true}
	want, err := sm.Predict(ctx, text, 0, 1, opt)
	if err != nil {
		t.Fatal(err)
	}
	var parts []*Partial
	if err := SplitText(ctx, text, 0, 1, func(c Chunk) error {
		p, err := sm.ScoreChunk(ctx, c, opt)
		parts = append(parts, p)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(parts) < 3 {
		t.Fatalf("%d chunks; the test needs several", len(parts))
	}
	all, err := sm.FinishPartials(parts, opt)
	if err != nil {
		t.Fatal(err)
	}
	acc := parts[0]
	for _, p := range parts[1:] {
		if acc, err = sm.MergePartials([]*Partial{acc, p}, opt); err != nil {
			t.Fatal(err)
		}
	}
	folded, err := sm.FinishPartials([]*Partial{acc}, opt)
	if err != nil {
		t.Fatal(err)
	}
	want.Steps, all.Steps, folded.Steps = StepTimes{}, StepTimes{}, StepTimes{}
	li := m.labelIdx["homophobia"]
	if want.Labels[li].Source == "" || sm.storyCol[li] < 0 {
		t.Fatalf("homophobia is not scored by the story model")
	}
	for name, got := range map[string]Result{"FinishPartials": all, "MergePartials": folded} {
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s decides otherwise than Predict (homophobia %.17g against %.17g)", name, got.Labels[li].Story, want.Labels[li].Story)
		}
	}
}

// TestStoryRowsValues: the rows training reads from compact features hold
// exactly the values the story model's definition gives (wordValues, the
// dense features standardised), with and without IDF, for 16- and 32-bit
// buckets and counts past the look-up table and past 16 bits.
func TestStoryRowsValues(t *testing.T) {
	dense := []float32{0.5, 2, -1, 3}
	for _, tc := range []struct {
		name string
		bits int
		idf  bool
	}{
		{"16-bit buckets", 12, false},
		{"16-bit buckets, IDF", 16, true},
		{"32-bit buckets", 18, false},
		{"32-bit buckets, IDF", 18, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			vs := []StoryVector{
				{Bits: tc.bits, Buckets: []uint32{1, 7, 300, 1<<tc.bits - 1}, Counts: []float32{1, 3, 255, 256}, Dense: dense},
				{Bits: tc.bits, Buckets: []uint32{7, 9}, Counts: []float32{70000, 2}, Dense: []float32{1, 1, 1, 1}},
				{Bits: tc.bits, Dense: []float32{0, 0, 0, 0}},
			}
			ex := make([]StoryExample, len(vs))
			for i, v := range vs {
				ex[i].feat = compactFeatures(v)
			}
			r := &storyRows{ex: ex, words: 1 << tc.bits, mean: []float32{0.5, 1, 0, 1}, scale: []float32{2, 1, 0, 0.5}, inv: make([]float32, len(ex))}
			if tc.idf {
				r.idf = make([]float32, 1<<tc.bits)
				for b := range r.idf {
					r.idf[b] = 1 + float32(b%5)/3
				}
			}
			for c := range r.logc {
				r.logc[c] = 1 + math.Log(float64(c))
				r.logc32[c] = float32(r.logc[c])
			}
			for i, v := range vs {
				counts := v.Counts
				want := wordValues(counts, v.Buckets, r.idf, nil)
				// storyRows.inv, as prepareStory sets it.
				norm := 0.0
				for k, c := range counts {
					x := 1 + math.Log(float64(c))
					if r.idf != nil {
						x *= float64(r.idf[v.Buckets[k]])
					}
					norm += x * x
				}
				r.inv[i] = 1
				if norm > 0 {
					r.inv[i] = float32(1 / math.Sqrt(norm))
				}
				wantCols := slices.Clone(v.Buckets)
				for j, x := range v.Dense {
					wantCols = append(wantCols, uint32(r.words+j))
					want = append(want, (x-r.mean[j])*r.scale[j])
				}
				cols, vals := r.Row(i, []uint32{99}, []float32{99})
				if !slices.Equal(cols, wantCols) || !slices.Equal(vals, want) {
					t.Errorf("row %d: %v %v, want %v %v", i, cols, vals, wantCols, want)
				}
			}
		})
	}
}

// TestPrepareStoryRows: prepareStory's rows over real predictions are
// the story model's features as defined (wordValues of each vector, the
// dense features standardised by the corpus's mean and spread).
func TestPrepareStoryRows(t *testing.T) {
	m := loadTestModel(t)
	for _, idf := range []bool{false, true} {
		cfg := DefaultStoryConfig()
		cfg.HashBits, cfg.IDF, cfg.MinPositive = 12, idf, 1
		texts := []string{
			"He hit him again and again until the blood ran. The knife was cold.",
			"They walked along the river talking of books and tea and the new term.",
			"She cried at the funeral. He had died in the war, and the grave was cold.",
		}
		var ex []StoryExample
		var vs []StoryVector
		for i, text := range texts {
			r, v, err := m.PredictVector(context.Background(), text, 0, 1, PredictOptions{}, cfg)
			if err != nil {
				t.Fatal(err)
			}
			e := m.NewStoryExample(fmt.Sprint(i), fmt.Sprint(i), r, v)
			e.Obs.Declared = make([]bool, len(m.labels))
			e.Obs.Declared[0] = i == 0
			ex, vs = append(ex, e), append(vs, v)
		}
		sd, err := m.prepareStory(ex, cfg)
		if err != nil {
			t.Fatal(err)
		}
		for i, v := range vs {
			want := wordValues(v.Counts, v.Buckets, sd.idf, nil)
			wantCols := slices.Clone(v.Buckets)
			for j, x := range v.Dense {
				wantCols = append(wantCols, uint32(1<<cfg.HashBits+j))
				want = append(want, (x-sd.mean[j])*sd.scale[j])
			}
			cols, vals := sd.rows.Row(i, nil, nil)
			if len(v.Buckets) == 0 || !slices.Equal(cols, wantCols) || !slices.Equal(vals, want) {
				t.Errorf("IDF %v, story %d: row %v %v, want %v %v", idf, i, cols, vals, wantCols, want)
			}
		}
	}
}

// TestChunkScoreFinish: a story of one chunk decided by Finish, with no
// Partial, is decided exactly as FinishPartials decides its Partial and as
// Predict decides the whole text, with and without a story model, held in
// memory (Shared) or streamed, and the ChunkScore cannot be stepped again.
func TestChunkScoreFinish(t *testing.T) {
	m, sm := zorblaxModel(t)
	texts := map[string]string{
		"story-model label": "Title: A\n\nThe zorblax came at night. He hit the wall, bleeding, and the soldier died.\nShe wept.\n",
		"nothing to find":   "The garden was quiet. They had tea and talked about the weather until the light went.\n",
		"empty body":        "Title: only a header\n\n",
		"not English":       strings.Repeat("Il l'a poignardé deux fois dans le ventre. Le sang coulait sur les pavés, et elle s'était tailladé les veines dans la baignoire. ", 10),
	}
	ctx := context.Background()
	for _, model := range []struct {
		name string
		m    *Model
	}{{"default", m}, {"story model", sm}} {
		for name, text := range texts {
			for _, shared := range []bool{true, false} {
				opt := PredictOptions{FastSnippets: true}
				var chunks []Chunk
				if err := SplitText(ctx, text, 0, 1, func(c Chunk) error {
					c.Shared = shared
					chunks = append(chunks, c)
					return nil
				}); err != nil {
					t.Fatal(err)
				}
				if len(chunks) != 1 {
					t.Fatalf("%s: %d chunks", name, len(chunks))
				}
				want, err := model.m.Predict(ctx, text, 0, 1, opt)
				if err != nil {
					t.Fatal(err)
				}
				p, err := model.m.ScoreChunk(ctx, chunks[0], opt)
				if err != nil {
					t.Fatal(err)
				}
				viaPartial, err := model.m.FinishPartials([]*Partial{p}, opt)
				if err != nil {
					t.Fatal(err)
				}
				cs, err := model.m.TokenizeChunk(ctx, chunks[0], opt)
				if err != nil {
					t.Fatal(err)
				}
				cs.Featurize()
				got, err := cs.Finish()
				if err != nil {
					t.Fatal(err)
				}
				if (name == "not English") != (want.NotChecked != "") {
					t.Fatalf("%s: not checked %q; the case is there to cover both", name, want.NotChecked)
				}
				want.Steps, viaPartial.Steps, got.Steps = StepTimes{}, StepTimes{}, StepTimes{}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("%s, %s, shared %v: Finish decides otherwise than Predict:\n got %+v\nwant %+v", model.name, name, shared, got, want)
				}
				if !reflect.DeepEqual(viaPartial, want) {
					t.Errorf("%s, %s, shared %v: FinishPartials decides otherwise than Predict", model.name, name, shared)
				}
				func() {
					defer func() {
						if recover() == nil {
							t.Errorf("%s, %s: a finished ChunkScore classified again without a panic", model.name, name)
						}
					}()
					cs.Classify()
				}()
			}
		}
	}
}

// TestStoryTarget: how a work's declarations label it for one label's
// story model: declared is positive (implied weighs less), "no archive
// warnings apply" negative, unless its rating declares the label by
// definition (pornography under Explicit), which leaves it unlabelled.
func TestStoryTarget(t *testing.T) {
	cfg := StoryConfig{ImpliedWeight: 0.5, FreeformNegatives: "nawa"}
	type want struct {
		y, w float64
		ok   bool
	}
	tests := []struct {
		name string
		e    StoryExample
		want want
	}{
		{"declared", StoryExample{Obs: StoryObservation{Declared: []bool{true}}}, want{1, 1, true}},
		{"implied", StoryExample{Obs: StoryObservation{Declared: []bool{true}}, Implied: []bool{true}}, want{1, 0.5, true}},
		{"none apply", StoryExample{Obs: StoryObservation{Declared: []bool{false}}, NoneApply: true}, want{0, 1, true}},
		{"none apply, declared by the rating", StoryExample{Obs: StoryObservation{Declared: []bool{false}}, NoneApply: true, ByRating: []bool{true}}, want{0, 0, false}},
		{"declared and by the rating", StoryExample{Obs: StoryObservation{Declared: []bool{true}}, ByRating: []bool{true}}, want{1, 1, true}},
		{"nothing said", StoryExample{Obs: StoryObservation{Declared: []bool{false}}}, want{0, 0, false}},
	}
	for _, tc := range tests {
		y, w, ok := storyTarget(&tc.e, 0, false, cfg)
		if (want{y, w, ok}) != tc.want {
			t.Errorf("%s: storyTarget = %v, %v, %v; want %+v", tc.name, y, w, ok, tc.want)
		}
	}
}

// TestStratifiedGroupFolds: each fold holds ⌊n/k⌋ or ⌈n/k⌉ of each
// stratum's groups, and of all groups, and a group's examples share its
// fold. With 126 clean works of 300 in five folds, every fold's
// calibration set (the other folds) has the 100 clean works it needs;
// dealt at random, one had 98.
func TestStratifiedGroupFolds(t *testing.T) {
	for _, tc := range []struct{ n, clean, k int }{{300, 126, 5}, {301, 125, 5}, {10, 3, 3}, {7, 7, 2}, {50, 0, 4}} {
		var groups []string
		var strata []bool
		for i := range tc.n {
			g := fmt.Sprint("w", i)
			groups = append(groups, g, g) // two chapters of each work
			strata = append(strata, i < tc.clean, i < tc.clean)
		}
		for seed := range uint64(5) {
			fold := stratifiedGroupFolds(groups, strata, tc.k, seed)
			clean, all := make([]int, tc.k), make([]int, tc.k)
			for i := 0; i < len(groups); i += 2 {
				f := fold[groups[i]]
				all[f]++
				if strata[i] {
					clean[f]++
				}
			}
			for f := range tc.k {
				if lo, hi := tc.clean/tc.k, (tc.clean+tc.k-1)/tc.k; clean[f] < lo || clean[f] > hi {
					t.Errorf("%+v seed %d: fold %d holds %d clean groups, want %d to %d", tc, seed, f, clean[f], lo, hi)
				}
				if lo, hi := tc.n/tc.k, (tc.n+tc.k-1)/tc.k; all[f] < lo || all[f] > hi {
					t.Errorf("%+v seed %d: fold %d holds %d groups, want %d to %d", tc, seed, f, all[f], lo, hi)
				}
			}
		}
	}
}
