package classify

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// thresholdModels are models that decide labels on each statistic: the
// story statistic (the default model), the best windows (the toy model
// with each window aggregation) and the story model.
func thresholdModels(t *testing.T) []struct {
	name string
	m    *Model
} {
	t.Helper()
	def := loadTestModel(t)
	tr, err := Train(context.Background(), toyData(), tinyLexicon(t), DefaultTrainConfig(), "toy", "1")
	if err != nil {
		t.Fatal(err)
	}
	window := func(agg string) *Model {
		c := *tr.Model
		c.manifest.Config.Aggregate = agg
		return &c
	}
	cfg := DefaultStoryConfig()
	cfg.HashBits = 12
	sm, _, err := def.TrainStory(context.Background(), synthCorpus(t, def, 200, 40, "homophobia", "zorblax"), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	return []struct {
		name string
		m    *Model
	}{
		{"story statistic", def},
		{"windows, best", window("max")},
		{"windows, noisy-or", window("noisy-or")},
		{"windows, top2", window("top2")},
		{"story model", sm},
	}
}

// thresholdTexts are stories with evidence for several labels, found and
// not found at each sensitivity.
func thresholdTexts(t *testing.T) []string {
	t.Helper()
	texts := []string{
		"Then he punched him hard and kicked him, blood on the floor, a brutal fight.",
		strings.Repeat("the garden was quiet. ", 30) + "Then the zorblax came, and the fag jokes, and a punch.",
		// Homophobia has terms here but no zorblax: under the story
		// model's threshold.
		strings.Repeat("the garden was quiet and the tea was warm. ", 200) + "They told fag jokes at school.",
	}
	seeds, err := filepath.Glob(filepath.Join("..", "seeds", "*.txt"))
	if err != nil || len(seeds) == 0 {
		t.Fatalf("seed stories: %v (found %d)", err, len(seeds))
	}
	for _, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
	}
	return texts
}

// wantThreshold is the Score at label li's decision boundary at sens,
// worked out from the manifest apart from Model.threshold.
func wantThreshold(m *Model, li int, sens Sensitivity) float64 {
	info := m.info[li]
	switch {
	case m.story != nil && m.storyCol[li] >= 0:
		return sigmoid(info.Story.at(sens) - info.Story.Balanced)
	case m.manifest.Config.Aggregate == AggregateStory:
		return sigmoid(m.manifest.Config.StorySlope * (info.Story.at(sens) - info.Story.Balanced))
	}
	return m.score(li, info.Thresholds.at(sens))
}

// Threshold is the Score at which a label is detected: a label with
// evidence is detected exactly when its score reaches it (with noisy-or,
// the score of its best window: see decided), and no label under it is
// detected.
func TestPredictThreshold(t *testing.T) {
	texts := thresholdTexts(t)
	for _, tc := range thresholdModels(t) {
		for _, sens := range []Sensitivity{Low, Balanced, High} {
			detected, undetected := 0, 0
			for i, text := range texts {
				r, err := tc.m.Predict(context.Background(), text, 0, 1, PredictOptions{Sensitivity: sens})
				if err != nil {
					t.Fatal(err)
				}
				for li, l := range r.Labels {
					if want := wantThreshold(tc.m, li, sens); math.Abs(l.Threshold-want) > 1e-12 {
						t.Errorf("%s, %s, text %d, %s: threshold %v, want %v", tc.name, sens, i, l.Label, l.Threshold, want)
					}
					if l.Detected && l.Score < l.Threshold {
						t.Errorf("%s, %s, text %d, %s: detected at score %v under threshold %v", tc.name, sens, i, l.Label, l.Score, l.Threshold)
					}
					if evidence(tc.m, li, l) && l.Detected != (decided(tc.m, li, l) >= l.Threshold) {
						t.Errorf("%s, %s, text %d, %s: score %v (decided on %v), threshold %v, evidence, but detected %v",
							tc.name, sens, i, l.Label, l.Score, decided(tc.m, li, l), l.Threshold, l.Detected)
					}
					if l.Detected {
						detected++
					} else if l.Score > 0 {
						undetected++
					}
				}
			}
			if detected == 0 || undetected == 0 {
				t.Errorf("%s, %s: %d labels detected, %d scored but not: the texts test neither side of the threshold", tc.name, sens, detected, undetected)
			}
		}
	}
}

// evidence tells whether label l of a prediction has the passage its
// decision needs besides the threshold.
func evidence(m *Model, li int, l LabelScore) bool {
	if m.decision(li) == byWindow {
		return l.topZ > gated
	}
	return m.storyEvidence(li, l.topZ)
}

// decided is the score that a label's decision compares with its
// threshold: its Score, but with noisy-or the score of its best window
// (the weaker windows add to the Score, not to the finding).
func decided(m *Model, li int, l LabelScore) float64 {
	if m.decision(li) == byWindow && m.manifest.Config.Aggregate == "noisy-or" {
		return m.score(li, l.topZ)
	}
	return l.Score
}

// PredictOptions.Thresholds overrides a label's threshold on the Score
// scale: reported as given, at 0.99 a label scored under it is no longer
// detected, at 0.01 a label with evidence over it is, at 0 every label
// with evidence is and at 1 none is.
func TestPredictThresholdOverride(t *testing.T) {
	texts := thresholdTexts(t)
	for _, tc := range thresholdModels(t) {
		m := tc.m
		raised, lowered := 0, 0
		for i, text := range texts {
			base, err := m.Predict(context.Background(), text, 0, 1, PredictOptions{})
			if err != nil {
				t.Fatal(err)
			}
			high, low := map[string]float64{}, map[string]float64{}
			for _, l := range base.Labels {
				li := m.labelIdx[l.Label]
				if l.Detected && decided(m, li, l) < 0.99 {
					high[l.Label] = 0.99
				}
				if !l.Detected && evidence(m, li, l) && decided(m, li, l) >= 0.01 {
					low[l.Label] = 0.01
				}
			}
			for _, o := range []struct {
				name string
				over map[string]float64
				want func(li int, l LabelScore) bool // detected
			}{
				{"0.99", high, func(li int, l LabelScore) bool {
					return base.Labels[li].Detected && high[l.Label] == 0
				}},
				{"0.01", low, func(li int, l LabelScore) bool {
					return base.Labels[li].Detected || low[l.Label] != 0
				}},
				{"0 for every label", every(m, 0), func(li int, l LabelScore) bool { return evidence(m, li, l) }},
				{"1 for every label", every(m, 1), func(int, LabelScore) bool { return false }},
			} {
				r, err := m.Predict(context.Background(), text, 0, 1, PredictOptions{Thresholds: o.over})
				if err != nil {
					t.Fatal(err)
				}
				for li, l := range r.Labels {
					if p, ok := o.over[l.Label]; ok && l.Threshold != p {
						t.Errorf("%s, text %d, %s at %s: threshold %v, want the override", tc.name, i, l.Label, o.name, l.Threshold)
					} else if !ok && l.Threshold != base.Labels[li].Threshold {
						t.Errorf("%s, text %d, %s at %s: threshold %v moved from %v without an override", tc.name, i, l.Label, o.name, l.Threshold, base.Labels[li].Threshold)
					}
					if l.Score != base.Labels[li].Score {
						t.Errorf("%s, text %d, %s at %s: score %v moved from %v", tc.name, i, l.Label, o.name, l.Score, base.Labels[li].Score)
					}
					if want := o.want(li, l); l.Detected != want {
						t.Errorf("%s, text %d, %s at %s: detected %v, want %v (score %v)", tc.name, i, l.Label, o.name, l.Detected, want, l.Score)
					}
				}
			}
			raised += len(high)
			lowered += len(low)
		}
		if raised == 0 || lowered == 0 {
			t.Errorf("%s: %d labels raised to 0.99 and %d lowered to 0.01: the texts test neither override", tc.name, raised, lowered)
		}
	}
}

// every sets the threshold of every label of m to p.
func every(m *Model, p float64) map[string]float64 {
	out := map[string]float64{}
	for _, l := range m.labels {
		out[l.ID] = p
	}
	return out
}

func TestPredictThresholdOverrideInvalid(t *testing.T) {
	m := loadTestModel(t)
	for _, p := range []float64{-0.1, 1.5, math.NaN(), math.Inf(1)} {
		opt := PredictOptions{Thresholds: map[string]float64{"violence": 0.5, "death": p}}
		_, err := m.Predict(context.Background(), "a fight", 0, 1, opt)
		_, perr := m.PredictReaderParallel(context.Background(), strings.NewReader("a fight"), 0, 1, opt, 2)
		_, eerr := m.Explain(context.Background(), "a fight", 0, 1, "death", opt)
		for _, e := range []error{err, perr, eerr} {
			if e == nil || !strings.Contains(e.Error(), `"death"`) || !strings.Contains(e.Error(), "between 0 and 1") {
				t.Errorf("threshold %v: %v; want an error naming the label and the range", p, e)
			}
		}
	}
	// Ids outside the taxonomy are the caller's to check.
	if _, err := m.Predict(context.Background(), "a fight", 0, 1, PredictOptions{Thresholds: map[string]float64{"no-such-label": 0.5}}); err != nil {
		t.Errorf("an unknown label id: %v", err)
	}
}

// Overrides reach every chunk of a streamed story, scored in sequence or
// in parallel, and Explain reports the thresholds Predict decided on.
func TestPredictThresholdStreamed(t *testing.T) {
	ctx := context.Background()
	para := "The morning passed slowly by the window of the house, and then he punched him hard and kicked him; blood on the floor, a brutal fight, a knife.\n"
	story := strings.Repeat(para, 2*chunkBytes/len(para)+10)
	models := thresholdModels(t)
	for _, tc := range []struct {
		name string
		m    *Model
	}{models[0], models[1], models[4]} {
		for _, over := range []map[string]float64{nil, {"violence": 0.97, "death": 0.02}} {
			opt := PredictOptions{Sensitivity: High, Thresholds: over}
			want, err := tc.m.Predict(ctx, story, 0, 1, opt)
			if err != nil {
				t.Fatal(err)
			}
			want.Steps = StepTimes{}
			seq, err := tc.m.PredictReader(ctx, strings.NewReader(story), 0, 1, opt)
			if err != nil {
				t.Fatal(err)
			}
			par, err := tc.m.PredictReaderParallel(ctx, strings.NewReader(story), 0, 1, opt, 3)
			if err != nil {
				t.Fatal(err)
			}
			seq.Steps, par.Steps = StepTimes{}, StepTimes{}
			for name, got := range map[string]Result{"PredictReader": seq, "PredictReaderParallel": par} {
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s, overrides %v: %s differs from Predict:\n%v\n%v", tc.name, over, name, got.Labels, want.Labels)
				}
			}
			for _, id := range []string{"violence", "death"} {
				li := tc.m.labelIdx[id]
				ex, err := tc.m.Explain(ctx, story, 0, 1, id, opt)
				if err != nil {
					t.Fatal(err)
				}
				l := want.Labels[li]
				stat, _ := tc.m.threshold(li, High, over)
				if ex.Threshold != l.Threshold || ex.Detected != l.Detected || ex.Score != l.Score || ex.Evidence != evidence(tc.m, li, l) {
					t.Errorf("%s, overrides %v, %s: explained %+v, predicted %+v", tc.name, over, id, ex, l)
				}
				if tc.m.decision(li) == byWindow && ex.WindowThreshold != stat || tc.m.decision(li) != byWindow && ex.StoryThreshold != stat {
					t.Errorf("%s, overrides %v, %s: explained thresholds raw %v, story %v; decided on %v", tc.name, over, id, ex.WindowThreshold, ex.StoryThreshold, stat)
				}
			}
		}
	}
}

// A story the model cannot read scores 0 under every label's threshold.
func TestPredictThresholdNotChecked(t *testing.T) {
	m := loadTestModel(t)
	fr := strings.Repeat("Il l'a poignardé deux fois dans le ventre. Le sang coulait sur les pavés, et elle s'était tailladé les veines dans la baignoire. ", 10)
	r, err := m.Predict(context.Background(), fr, 0, 1, PredictOptions{Thresholds: map[string]float64{"violence": 0.3}})
	if err != nil {
		t.Fatal(err)
	}
	if r.NotChecked == "" {
		t.Fatal("a French story was checked")
	}
	for li, l := range r.Labels {
		want := wantThreshold(m, li, Balanced)
		if l.Label == "violence" {
			want = 0.3
		}
		if l.Threshold != want || l.Score != 0 || l.Detected {
			t.Errorf("%s: score %v, threshold %v (want %v), detected %v", l.Label, l.Score, l.Threshold, want, l.Detected)
		}
	}
}
