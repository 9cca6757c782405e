package classify_test

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/models"
)

// TestSeedRatingEvidence: seed 000 (an explicit scene under R) and seed 002
// (explicit) read as explicit; seed 001 (a quiet aftermath) as general.
// The rating of a story above General shows passages of the cue behind it,
// each holding one of the cue's terms.
func TestSeedRatingEvidence(t *testing.T) {
	r := predictSeeds(t)
	for id, want := range map[string]string{"000": "explicit", "001": "general", "002": "explicit"} {
		got := r[id]
		if got.PredictedRating != want {
			t.Errorf("seed %s: predicted %s, want %s", id, got.PredictedRating, want)
		}
		if want == "general" {
			if len(got.RatingEvidence) != 0 {
				t.Errorf("seed %s: general, yet rating evidence %v", id, got.RatingEvidence)
			}
			continue
		}
		if got.RatingConfidence < 0.5 || len(got.RatingEvidence) == 0 || got.RatingEvidence[0].Label != "sexual" {
			t.Errorf("seed %s: confidence %.2f, evidence %+v; want sexual passages", id, got.RatingConfidence, got.RatingEvidence)
		}
		for _, e := range got.RatingEvidence {
			if e.LineStart < 1 || e.ByteEnd <= e.ByteStart || e.Snippet == "" || e.Score <= 0 || e.Score >= 1 {
				t.Errorf("seed %s: rating passage %+v", id, e)
			}
		}
	}
}

// TestRatingStreamed: the rating, its confidence and its evidence are the
// same whether a story is scored in memory or streamed in chunks.
func TestRatingStreamed(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	scene := "He kissed her and pulled off her dress; she moaned as he thrust into her, hard, until her orgasm shook them both. "
	fight := "He drew the knife and stabbed the guard, and the blood ran over the stones. Damn it, he said. Fuck. "
	text := strings.Repeat("The harbour was quiet that morning and the gulls circled the boats.\n", 4000) +
		strings.Repeat(scene, 3) + "\n" + strings.Repeat("The rain went on.\n", 3000) + strings.Repeat(fight, 2)
	ctx := context.Background()
	want, err := m.Predict(ctx, text, 0, 1, classify.PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want.PredictedRating == "general" || len(want.RatingEvidence) == 0 {
		t.Fatalf("predicted %s with evidence %v: the test story needs a rating above general", want.PredictedRating, want.RatingEvidence)
	}
	for _, workers := range []int{1, 3} {
		got, err := m.PredictReaderParallel(ctx, strings.NewReader(text), 0, 1, classify.PredictOptions{}, workers)
		if err != nil {
			t.Fatal(err)
		}
		if got.PredictedRating != want.PredictedRating || got.RatingScore != want.RatingScore || got.RatingConfidence != want.RatingConfidence ||
			got.RatingTotals != want.RatingTotals || !reflect.DeepEqual(got.RatingEvidence, want.RatingEvidence) {
			t.Errorf("%d workers: rating %s %.4f %.4f %v %+v\nin memory: %s %.4f %.4f %v %+v", workers,
				got.PredictedRating, got.RatingScore, got.RatingConfidence, got.RatingTotals, got.RatingEvidence,
				want.PredictedRating, want.RatingScore, want.RatingConfidence, want.RatingTotals, want.RatingEvidence)
		}
	}
}
