package classify

import (
	"context"
	"fmt"
	"os"
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
