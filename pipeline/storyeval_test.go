package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/tagger-dev/tagger/taxonomy"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/models"
)

func TestAUC(t *testing.T) {
	for _, c := range []struct {
		pos, neg []float64
		want     float64
	}{
		{[]float64{3, 4}, []float64{1, 2}, 1},
		{[]float64{1, 2}, []float64{3, 4}, 0},
		{[]float64{1}, []float64{1}, 0.5},                // a tie counts half
		{[]float64{2, 0}, []float64{1, 1}, 0.5},          // one pair won, one lost each
		{[]float64{3, 1, 2}, []float64{1, 0}, 5.5 / 6},   // (2+1.5+2)/6
		{nil, []float64{1}, 0.5},                         // nothing to compare
		{[]float64{0, 0, 0}, []float64{0, 0, 0, 0}, 0.5}, // all tied
		{[]float64{math.NaN(), 1}, []float64{0}, 1},      // NaN left out (it used to hang)
	} {
		if got := AUC(c.pos, c.neg); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("AUC(%v, %v) = %v, want %v", c.pos, c.neg, got, c.want)
		}
	}
}

func strp(s string) *string { return &s }

// row builds a row with declarations and one scored label.
func row(status, rating string, declared []string, raw []string, label string, score float64, detected bool) Row {
	r := Row{WarningStatus: strp(status), DeclaredRating: strp(rating), DeclaredWarnings: declared, DeclaredWarningsRaw: raw,
		Labels: []LabelScore{{Label: label, Score: score, Detected: detected}}}
	if detected {
		r.DetectedWarnings = []string{label}
		for _, d := range declared {
			if d == label {
				return r
			}
		}
		r.UndeclaredWarnings = []string{label}
	}
	return r
}

func TestEvaluateRowsKnownAnswers(t *testing.T) {
	nawa := []string{"No Archive Warnings Apply"}
	var rows []Row
	// 10 works declare death (freeform tag beside "no warnings apply"
	// makes the status declared); 6 of them are detected.
	for i := range 10 {
		rows = append(rows, row("declared", "teen", []string{"death"}, append(nawa, "Character Death"), "death", 0.5+float64(i)/100, i < 6))
	}
	// 20 clean works score lower; 2 are detected (false alarms).
	for i := range 20 {
		rows = append(rows, row("none-apply", "general", []string{}, nawa, "death", float64(i)/100, i >= 18))
	}
	// Works that say nothing usable: chose not to warn, or no field.
	rows = append(rows, row("chose-not-to-warn", "teen", []string{}, []string{"Creator Chose Not To Use Archive Warnings"}, "death", 0.99, true))
	rows = append(rows, row("missing", "", []string{}, nil, "death", 0.99, true))
	// An explicit clean work counts for AUC but not among clean works.
	rows = append(rows, row("none-apply", "explicit", []string{}, nawa, "death", 0.1, false))
	msg := "broken"
	rows = append(rows, Row{Error: &msg})
	// A story not checked (another language) counts nowhere.
	fr := row("none-apply", "general", []string{}, nawa, "death", 0, false)
	fr.Note = strp("not checked: French")
	rows = append(rows, fr)

	ev := EvaluateRows(rows, StoryEvalOptions{})
	if ev.Stories != 35 || ev.Errors != 1 || ev.NotChecked != 1 {
		t.Errorf("stories %d errors %d not checked %d, want 35, 1 and 1", ev.Stories, ev.Errors, ev.NotChecked)
	}
	if len(ev.Labels) != 1 || ev.Labels[0].Label != "death" {
		t.Fatalf("labels %+v, want death alone", ev.Labels)
	}
	d := ev.Labels[0]
	if d.Positive != 10 || d.Clean != 21 || d.AUC != 1 || d.Recall != 0.6 || math.Abs(d.FalseAlarm-2.0/21) > 1e-12 {
		t.Errorf("death %+v: want 10 declaring, 21 clean, AUC 1, recall 0.6, false alarms 2/21", d)
	}
	if ev.CleanWorks != 20 || ev.CleanFlagged != 0.1 || ev.CleanFlaggedBy["death"] != 0.1 {
		t.Errorf("clean works %d flagged %v by %v, want 20 and 0.1", ev.CleanWorks, ev.CleanFlagged, ev.CleanFlaggedBy)
	}
	if ev.MeanAUC != 1 || ev.MeanRecall != 0.6 {
		t.Errorf("means %v %v", ev.MeanAUC, ev.MeanRecall)
	}
	// Fewer declaring works than MinPositive: the label is not reported.
	if ev := EvaluateRows(rows, StoryEvalOptions{MinPositive: 11}); len(ev.Labels) != 0 {
		t.Errorf("MinPositive 11 still reports %+v", ev.Labels)
	}
}

// A small corpus with known answers, through the real reader and model:
// stories that declare violence and show a fight (two paragraphs of it),
// clean works that show a quiet afternoon.
func TestEvaluateStoriesSynthetic(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	fights := []string{
		"He punched him in the face and kicked him when he fell. Blood ran from his nose onto the stones, and he stabbed at the man's arm with the broken bottle until he screamed.",
		"The soldiers beat the prisoner with their rifle butts until he stopped moving. One of them stabbed him in the side, and another shot him in the leg when he tried to crawl away.",
		"She was dragged across the yard, punched in the stomach and kicked in the ribs until she coughed up blood. He hit her again, harder, and slammed her head against the wall.",
	}
	calm := []string{
		"They walked to the market in the morning and bought apples, bread and a jar of honey for their grandmother.",
		"The cat slept on the windowsill all afternoon while the rain tapped on the glass and the kettle began to sing.",
		// Not chess, said three times beside the fights: that reads as a
		// game told as a battle (the lexicon's play phrases).
		"After school they read comics in the library, and she laughed twice before the bell rang for dinner.",
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for i := range 12 {
		text := strings.Repeat(calm[i%3]+"\n\n", 3) + fights[i%3] + "\n\n" + fights[(i+1)%3] + "\n\n" + calm[(i+1)%3] + "\n"
		enc.Encode(map[string]any{"id": fmt.Sprintf("v%d", i), "text": text, "rating": "Mature", "warnings": []string{"Graphic Depictions Of Violence"}})
	}
	for i := range 12 {
		text := strings.Repeat(calm[i%3]+"\n\n"+calm[(i+2)%3]+"\n\n", 2)
		enc.Encode(map[string]any{"id": fmt.Sprintf("c%d", i), "text": text, "rating": "General Audiences", "warnings": []string{"No Archive Warnings Apply"}, "tags": []string{"Fluff"}})
	}
	path := filepath.Join(t.TempDir(), "corpus.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	ev, rows, err := EvaluateStories(context.Background(), []string{path}, Config{Model: m}, StoryEvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 24 || ev.CleanWorks != 12 {
		t.Fatalf("%d rows, %d clean works; want 24 and 12", len(rows), ev.CleanWorks)
	}
	var v *StoryLabelEval
	for i := range ev.Labels {
		if ev.Labels[i].Label == "violence" {
			v = &ev.Labels[i]
		}
	}
	if v == nil || v.Positive != 12 || v.Clean != 12 || v.AUC != 1 || v.Recall < 0.9 || v.FalseAlarm != 0 {
		t.Errorf("violence %+v: want 12 vs 12, AUC 1, recall ≥ 0.9, no false alarm", v)
	}
	if ev.CleanFlagged != 0 {
		t.Errorf("calm works flagged: %v", ev.CleanFlaggedBy)
	}
}

// TestEvaluateRowsRating counts the declared × predicted matrix, the
// agreement and the flags, from rows whose answers are known.
func TestEvaluateRowsRating(t *testing.T) {
	rated := func(declared, predicted string, flagged, evidenced bool) Row {
		r := Row{DeclaredRating: ptr(declared), PredictedRating: ptr(predicted), RatingUnderdeclared: ptr(flagged)}
		if evidenced {
			r.RatingEvidence = []Evidence{{Label: "sexual", LineStart: 3, LineEnd: 3}}
		}
		return r
	}
	rows := []Row{
		rated("general", "general", false, false),
		rated("general", "teen", false, false),
		rated("teen", "explicit", true, true),
		rated("teen", "teen", false, false),
		rated("mature", "explicit", true, false),
		rated("explicit", "explicit", false, true),
		rated("explicit", "general", false, false),
		rated("not-rated", "explicit", false, true), // not on the scale: left out
		{DeclaredRating: ptr("teen")},               // failed: no prediction
	}
	e := EvaluateRows(rows, StoryEvalOptions{}).Rating
	var want [4][4]int
	want[0][0], want[0][1], want[1][3], want[1][1], want[2][3], want[3][3], want[3][0] = 1, 1, 1, 1, 1, 1, 1
	if e.Works != 7 || e.Matrix != want {
		t.Fatalf("works %d, matrix %v; want 7, %v", e.Works, e.Matrix, want)
	}
	if e.Exact != 3.0/7 || e.WithinOne != 5.0/7 {
		t.Errorf("exact %v, within one %v; want 3/7, 5/7", e.Exact, e.WithinOne)
	}
	if e.Flagged != [4]float64{0, 0.5, 1, 0} || e.FlaggedWithEvidence != 0.5 {
		t.Errorf("flagged %v with evidence %v; want [0 0.5 1 0], 0.5", e.Flagged, e.FlaggedWithEvidence)
	}
}

// TestLabelGoldRatingDeclares: a work rated Explicit that says no warnings
// apply is no clean negative for pornography (its rating declares it), and
// no positive either; for other labels it is clean as before.
func TestLabelGoldRatingDeclares(t *testing.T) {
	tx := taxonomy.Default()
	nawa := []string{"No Archive Warnings Apply"}
	explicit := row("none-apply", "explicit", []string{}, nawa, "pornography", 0.9, true)
	mature := row("none-apply", "mature", []string{}, nawa, "pornography", 0.9, true)
	tests := []struct {
		name  string
		r     Row
		label string
		want  Gold
	}{
		{"explicit, pornography", explicit, "pornography", GoldUnknown},
		{"explicit, violence", explicit, "violence", GoldClean},
		{"mature, pornography", mature, "pornography", GoldClean},
	}
	for _, tc := range tests {
		if got := LabelGold(tx, &tc.r, tc.label); got != tc.want {
			t.Errorf("%s: LabelGold = %v, want %v", tc.name, got, tc.want)
		}
	}
}
