package classify_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
)

// predictSeeds runs the default model over the four seed stories.
func predictSeeds(t testing.TB) map[string]classify.Result {
	t.Helper()
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]classify.Result{}
	for s := range datasets.Read(context.Background(), []string{"../seeds"}, datasets.Options{}) {
		if s.Err != nil {
			t.Fatal(s.Err)
		}
		r, err := m.Predict(context.Background(), s.Text, s.BodyByte, s.BodyLine, classify.PredictOptions{})
		if err != nil {
			t.Fatal(err)
		}
		out[s.ID[:3]] = r
	}
	if len(out) != 4 {
		t.Fatalf("read %d seeds, want 4", len(out))
	}
	return out
}

func label(r classify.Result, id string) classify.LabelScore {
	for _, l := range r.Labels {
		if l.Label == id {
			return l
		}
	}
	return classify.LabelScore{}
}

// Seed 003 is a fight story (killing, a neck snapped, stabbing, guns);
// seed 001 is a quiet aftermath. Violence is detected and scores well
// above; death ranks above too (its story statistic, what scores are
// made of), but its one line ("How many have I killed like that?", of the
// agents of the Matrix) is not enough for the story-level threshold at
// balanced, only at high sensitivity.
func TestSeedViolenceAndDeath(t *testing.T) {
	r := predictSeeds(t)
	for _, id := range []string{"violence", "death"} {
		fight, quiet := label(r["003"], id), label(r["001"], id)
		if fight.Detected != (id == "violence") || fight.Score <= quiet.Score || fight.Story-quiet.Story < 0.5 {
			t.Errorf("%s: seed 003 %.2f (statistic %.2f, detected %v), seed 001 %.2f (statistic %.2f): want 003 above by 0.5 in the statistic, detected only for violence",
				id, fight.Score, fight.Story, fight.Detected, quiet.Score, quiet.Story)
		}
	}
	var fightEvidence int
	for _, e := range r["003"].Evidence {
		if e.Label == "violence" && e.LineStart >= 140 {
			fightEvidence++ // the fight scenes run from line 140 on
		}
	}
	if fightEvidence == 0 {
		t.Errorf("no violence evidence in 003's fight scenes: %+v", r["003"].Evidence)
	}
}

// Seed 000 contains a non-consensual act (lines 65–73) its header never
// declares; "akin to rape" on line 31 is a simile and must not be the
// evidence.
func TestSeedSexualAbuseEvidence(t *testing.T) {
	r := predictSeeds(t)["000"]
	if l := label(r, "sexual-abuse"); !l.Detected {
		t.Fatalf("sexual-abuse not detected in seed 000: %+v", l)
	}
	inRange := false
	for _, e := range r.Evidence {
		if e.Label != "sexual-abuse" {
			continue
		}
		if e.LineStart <= 31 && e.LineEnd >= 31 {
			t.Errorf("the simile on line 31 is evidence: %+v", e)
		}
		if e.LineStart >= 65 && e.LineEnd <= 73 {
			inRange = true
		}
	}
	if !inRange {
		t.Errorf("no sexual-abuse evidence within lines 65–73: %+v", r.Evidence)
	}
}

func TestSeedRatings(t *testing.T) {
	r := predictSeeds(t)
	if got := r["002"].PredictedRating; got != "explicit" {
		t.Errorf("seed 002 predicted %q, want explicit", got)
	}
	if got := r["000"].PredictedRating; got != "explicit" {
		t.Errorf("seed 000 predicted %q, want explicit (explicit sex under an R)", got)
	}
	if got := r["001"].PredictedRating; got == "explicit" || got == "mature" {
		t.Errorf("seed 001 predicted %q: it has no sex or graphic violence", got)
	}
}

// The result invariants every caller relies on.
func TestSeedResultShape(t *testing.T) {
	for id, r := range predictSeeds(t) {
		if len(r.Labels) != 36 {
			t.Errorf("%s: %d labels, want 36", id, len(r.Labels))
		}
		for _, l := range r.Labels {
			if l.Score < 0 || l.Score > 1 || math.IsNaN(l.Score) {
				t.Errorf("%s: %s score %v outside 0..1", id, l.Label, l.Score)
			}
			// A finding always shows a passage. That the passage reaches
			// the evidence bar is checked inside the package
			// (TestFindingsHavePassages).
			if l.Detected && l.Passages == 0 && !slices.ContainsFunc(r.Evidence, func(e classify.Evidence) bool { return e.Label == l.Label }) {
				t.Errorf("%s: %s detected without a passage to show", id, l.Label)
			}
		}
		for _, e := range r.Evidence {
			if e.LineStart < 1 || e.LineEnd < e.LineStart || e.ByteEnd <= e.ByteStart || e.Snippet == "" {
				t.Errorf("%s: bad evidence %+v", id, e)
			}
		}
	}
}

// Predict is safe for concurrent use: the same story gives the same
// result from many goroutines (run with -race).
func TestPredictConcurrent(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("../seeds/003_ef651ee35373ebd4.txt")
	if err != nil {
		t.Fatal(err)
	}
	want, _ := m.Predict(context.Background(), string(b), 0, 1, classify.PredictOptions{})
	want.Steps = classify.StepTimes{}
	wantJSON, _ := json.Marshal(want)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := m.Predict(context.Background(), string(b), 0, 1, classify.PredictOptions{})
			if err != nil {
				t.Error(err)
				return
			}
			got.Steps = classify.StepTimes{} // timings differ
			if gotJSON, _ := json.Marshal(got); string(gotJSON) != string(wantJSON) {
				t.Error("concurrent Predict gave a different result")
			}
		})
	}
	wg.Wait()
}

// TestParallelEvidence: evidence built on two goroutines is the evidence
// built on one, passage for passage and in the same order, for each seed
// and for the four seeds as one story (eight labels detected, rating
// evidence too), with and without fast snippets.
func TestParallelEvidence(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	paths, _ := filepath.Glob("../seeds/*.txt")
	var texts []string
	var all strings.Builder
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		texts = append(texts, string(b))
		all.Write(b)
		all.WriteString("\n\n")
	}
	texts = append(texts, all.String())
	for i, text := range texts {
		for _, fast := range []bool{false, true} {
			seq, err := m.Predict(context.Background(), text, 0, 1, classify.PredictOptions{FastSnippets: fast})
			if err != nil {
				t.Fatal(err)
			}
			par, err := m.Predict(context.Background(), text, 0, 1, classify.PredictOptions{FastSnippets: fast, ParallelEvidence: true})
			if err != nil {
				t.Fatal(err)
			}
			if i == len(texts)-1 && (len(seq.Detected) < 4 || len(seq.RatingEvidence) == 0) {
				t.Fatalf("the four seeds as one story: %d labels detected and %d rating passages; the test wants several of both", len(seq.Detected), len(seq.RatingEvidence))
			}
			a, _ := json.Marshal([2][]classify.Evidence{seq.Evidence, seq.RatingEvidence})
			b, _ := json.Marshal([2][]classify.Evidence{par.Evidence, par.RatingEvidence})
			if string(a) != string(b) {
				t.Errorf("text %d (fast snippets %v): parallel evidence differs:\n%s\nwant\n%s", i, fast, b, a)
			}
		}
	}
}

// The model card's cross-validated figure must be reproducible: retrain
// with 5 grouped folds (seed 1) on passages-dev and compare.
func TestEvalReproducesModelCard(t *testing.T) {
	path := filepath.Join("..", "..", "shared", "datasets", "passages-dev.jsonl")
	if _, err := os.Stat(path); err != nil {
		t.Skipf("passages-dev.jsonl not found at %s (../shared is absent): cannot reproduce the model card's figure", path)
	}
	if testing.Short() {
		t.Skip("-short: skipping 5-fold cross-validation")
	}
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	card := m.Manifest().Eval
	if card == nil {
		t.Fatal("the default model's manifest records no evaluation; train it with --cv 5")
	}
	data, err := classify.LoadLabelled(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := classify.Evaluate(context.Background(), data, m.Lexicon(), m.Manifest().Config, card.Folds, card.Seed, card.Sensitivity)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(got.MacroF1-card.MacroF1) > 0.01 {
		t.Errorf("macro-F1 %.3f, model card says %.3f", got.MacroF1, card.MacroF1)
	}
	readme, err := os.ReadFile("../models/README.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%.3f", card.MacroF1); !strings.Contains(string(readme), want) {
		t.Errorf("models/README.md does not quote the manifest's macro-F1 %s", want)
	}
}
