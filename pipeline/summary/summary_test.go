package summary

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/pipeline"
)

func ptr[T any](v T) *T { return &v }

// labelNames are the labels of the rows built here, in "taxonomy" order.
var labelNames = []string{"violence", "death", "self-harm", "pornography"}

// story builds a checked row: scores by label (others 0), declared
// warnings, and detected labels those at or above 0.5. Undeclared are the
// detected ones not declared, as pipeline.NewRow makes them.
func story(id string, scores map[string]float64, declared ...string) pipeline.Row {
	r := pipeline.Row{ID: id, Source: "corpus/" + id + ".txt", Format: "text", Model: "m@1",
		Authors: []string{}, Fandoms: []string{}, Relationships: []string{}, Characters: []string{}, Tags: []string{},
		DeclaredWarnings: declared, DeclaredWarningsRaw: []string{}, UnmappedWarnings: []string{}, NegatedWarnings: []string{},
		DetectedWarnings: []string{}, Evidence: []pipeline.Evidence{}}
	if r.DeclaredWarnings == nil {
		r.DeclaredWarnings = []string{}
	}
	for _, l := range labelNames {
		s := scores[l]
		det := s >= 0.5
		r.Labels = append(r.Labels, pipeline.LabelScore{Label: l, Group: "g-" + l, Score: s, Threshold: 0.5, Detected: det, Source: "model"})
		if det {
			r.DetectedWarnings = append(r.DetectedWarnings, l)
			r.Evidence = append(r.Evidence, pipeline.Evidence{Label: l, Score: s, LineStart: 3, LineEnd: 4, Snippet: "passage of " + l + " in " + id})
		}
	}
	r.UndeclaredWarnings = pipeline.Undeclared(r.DetectedWarnings, r.DeclaredWarnings, "")
	return r
}

// with applies changes to a row, for the fields a case is about.
func with(r pipeline.Row, change func(*pipeline.Row)) pipeline.Row {
	change(&r)
	return r
}

func failed(id, msg string) pipeline.Row {
	return pipeline.Row{ID: id, Source: "corpus/" + id + ".txt", Error: ptr(msg), Labels: []pipeline.LabelScore{}}
}

func notChecked(id string) pipeline.Row {
	r := story(id, nil)
	r.Note = ptr("not checked: the text reads as French (fr); the model reads English only")
	return r
}

func summarise(top int, rows ...pipeline.Row) *Summary {
	a := New(top)
	for i := range rows {
		a.Add(&rows[i])
	}
	return a.Summary()
}

// TestCounts checks the story counts and the per-label detected, declared
// and undeclared counts, and that errors and not-checked rows stay out of
// the label figures.
func TestCounts(t *testing.T) {
	type counts struct{ stories, checked, errors, notChecked, withUndeclared, under int }
	for _, tt := range []struct {
		name   string
		rows   []pipeline.Row
		want   counts
		labels map[string][3]int // detected, declared, undeclared
	}{
		{name: "empty", want: counts{}, labels: map[string][3]int{}},
		{
			name: "mixed",
			rows: []pipeline.Row{
				story("a", map[string]float64{"violence": 0.9, "death": 0.6}, "death"),
				story("b", map[string]float64{"violence": 0.7}),
				story("c", nil, "self-harm"),
				failed("d", "read corpus/d.txt: empty story"),
				notChecked("e"),
				with(story("f", map[string]float64{"pornography": 0.8}), func(r *pipeline.Row) {
					r.RatingUnderdeclared = ptr(true)
				}),
			},
			want:   counts{stories: 6, checked: 4, errors: 1, notChecked: 1, withUndeclared: 3, under: 1},
			labels: map[string][3]int{"violence": {2, 0, 2}, "death": {1, 1, 0}, "self-harm": {0, 1, 0}, "pornography": {1, 0, 1}},
		},
		{
			name: "chose not to warn: detected, not undeclared",
			rows: []pipeline.Row{with(story("a", map[string]float64{"violence": 0.9}), func(r *pipeline.Row) {
				r.WarningStatus = ptr("chose-not-to-warn")
				r.UndeclaredWarnings = []string{}
			})},
			want:   counts{stories: 1, checked: 1},
			labels: map[string][3]int{"violence": {1, 0, 0}},
		},
		{
			name:   "only errors",
			rows:   []pipeline.Row{failed("a", "x"), failed("b", "x")},
			want:   counts{stories: 2, errors: 2},
			labels: map[string][3]int{},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := summarise(10, tt.rows...)
			got := counts{s.Stories, s.Checked, s.Errors, s.NotChecked, s.WithUndeclared, s.RatingUnderdeclared}
			if got != tt.want {
				t.Errorf("counts = %+v, want %+v", got, tt.want)
			}
			gotLabels := map[string][3]int{}
			for _, l := range s.Labels {
				gotLabels[l.Label] = [3]int{l.Detected, l.Declared, l.Undeclared}
			}
			if !reflect.DeepEqual(gotLabels, tt.labels) {
				t.Errorf("labels = %v, want %v", gotLabels, tt.labels)
			}
		})
	}
}

// TestLabelOrder checks that labels come most detected first, then most
// declared, then in taxonomy order, and carry their group.
func TestLabelOrder(t *testing.T) {
	s := summarise(0,
		story("a", map[string]float64{"pornography": 0.9, "death": 0.9}, "self-harm"),
		story("b", map[string]float64{"pornography": 0.9}, "violence", "self-harm"),
	)
	var got []string
	for _, l := range s.Labels {
		got = append(got, l.Label+"/"+l.Group)
	}
	want := []string{"pornography/g-pornography", "death/g-death", "self-harm/g-self-harm", "violence/g-violence"}
	if !slices.Equal(got, want) {
		t.Errorf("labels = %v, want %v", got, want)
	}
}

// TestRatingMatrix checks the cells of the declared × predicted matrix,
// with null as "missing" and unknown values under "other".
func TestRatingMatrix(t *testing.T) {
	rated := func(declared, predicted *string) pipeline.Row {
		return with(story("x", nil), func(r *pipeline.Row) { r.DeclaredRating, r.PredictedRating = declared, predicted })
	}
	for _, tt := range []struct {
		name      string
		rows      []pipeline.Row
		cells     map[[2]string]int
		declared  []string
		predicted []string
	}{
		{
			name: "known ratings",
			rows: []pipeline.Row{
				rated(ptr("teen"), ptr("explicit")), rated(ptr("teen"), ptr("explicit")),
				rated(nil, ptr("general")), rated(ptr("not-rated"), nil), rated(ptr("explicit"), ptr("mature")),
				failed("e", "x"), // errors are not in the matrix
			},
			cells:     map[[2]string]int{{"teen", "explicit"}: 2, {"missing", "general"}: 1, {"not-rated", "missing"}: 1, {"explicit", "mature"}: 1},
			declared:  []string{"general", "teen", "mature", "explicit", "not-rated", "missing"},
			predicted: []string{"general", "teen", "mature", "explicit", "missing"},
		},
		{
			name:      "other values",
			rows:      []pipeline.Row{rated(ptr("PG"), ptr("teen")), rated(ptr("teen"), ptr("R"))},
			cells:     map[[2]string]int{{"other", "teen"}: 1, {"teen", "other"}: 1},
			declared:  []string{"general", "teen", "mature", "explicit", "not-rated", "missing", "other"},
			predicted: []string{"general", "teen", "mature", "explicit", "missing", "other"},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := summarise(0, tt.rows...).Ratings
			if !slices.Equal(m.Declared, tt.declared) || !slices.Equal(m.Predicted, tt.predicted) {
				t.Fatalf("axes = %v × %v, want %v × %v", m.Declared, m.Predicted, tt.declared, tt.predicted)
			}
			for i, d := range m.Declared {
				for j, p := range m.Predicted {
					if got, want := m.Cells[i][j], tt.cells[[2]string{d, p}]; got != want {
						t.Errorf("cell %s → %s = %d, want %d", d, p, got, want)
					}
				}
			}
		})
	}
}

// TestHistogramBins checks which bin a score falls in, the edges included,
// and that the threshold range is kept.
func TestHistogramBins(t *testing.T) {
	for _, tt := range []struct {
		score float64
		bin   int // -1: in no bin
	}{
		{0, 0}, {0.0499, 0}, {0.05, 1}, {0.5, 10}, {0.5499, 10}, {0.95, 19}, {0.999, 19}, {1, 19},
		{-0.2, 0}, {1.7, 19}, {math.NaN(), -1},
	} {
		s := summarise(0, story("a", map[string]float64{"violence": tt.score}, "violence"))
		var got []int
		for i, n := range s.Labels[0].Hist {
			for range n {
				got = append(got, i)
			}
		}
		want := []int{tt.bin}
		if tt.bin < 0 {
			want = nil
		}
		if !slices.Equal(got, want) {
			t.Errorf("score %v: bins %v, want %v", tt.score, got, want)
		}
	}
	lo := story("a", nil, "violence")
	hi := with(story("b", nil), func(r *pipeline.Row) { r.Labels[0].Threshold = 0.7 })
	l := summarise(0, lo, hi).Labels[0]
	if l.ThresholdMin != 0.5 || l.ThresholdMax != 0.7 {
		t.Errorf("thresholds %v..%v, want 0.5..0.7", l.ThresholdMin, l.ThresholdMax)
	}
	old := with(story("a", nil, "violence"), func(r *pipeline.Row) { r.Labels[0].Threshold = 0 }) // row schema 1
	if l := summarise(0, old).Labels[0]; !math.IsNaN(l.ThresholdMin) || !math.IsNaN(l.ThresholdMax) {
		t.Errorf("thresholds of a schema-1 row %v..%v, want unknown (NaN)", l.ThresholdMin, l.ThresholdMax)
	}
}

// TestReviewOrder checks the stories to review: most undeclared warnings
// first, then the highest undeclared score, ties in input order; the
// heap keeps only top of them, whatever order they come in.
func TestReviewOrder(t *testing.T) {
	v := func(id string, scores ...float64) pipeline.Row {
		m := map[string]float64{}
		for i, s := range scores {
			m[labelNames[i]] = s
		}
		return story(id, m)
	}
	rows := []pipeline.Row{
		v("one-low", 0.6),
		v("two", 0.6, 0.7),
		v("clean"),
		v("one-high", 0.95),
		v("tie-a", 0.8),
		v("tie-b", 0.8),
		v("three", 0.5, 0.5, 0.5),
		v("declared", 0.99), // but declared below
	}
	rows[7].DeclaredWarnings = []string{"violence"}
	rows[7].UndeclaredWarnings = []string{}
	// Flagged only for the rating: after every story with an undeclared
	// warning, by the rating's confidence.
	flag := func(id string, conf float64) pipeline.Row {
		r := v(id)
		yes := true
		r.RatingUnderdeclared, r.RatingConfidence = &yes, &conf
		return r
	}
	withRating := append(slices.Clone(rows), flag("rating-low", 0.6), flag("rating-high", 0.9))
	for _, tt := range []struct {
		name string
		top  int
		rows []pipeline.Row
		want []string
	}{
		{"all", 10, rows, []string{"three", "two", "one-high", "tie-a", "tie-b", "one-low"}},
		{"top 3", 3, rows, []string{"three", "two", "one-high"}},
		{"tie at the cut keeps the earlier", 4, rows, []string{"three", "two", "one-high", "tie-a"}},
		{"reversed input: tie-b now earlier", 4, reversed(rows), []string{"three", "two", "one-high", "tie-b"}},
		{"none", 0, rows, nil},
		{"rating flags last, by confidence", 10, withRating, []string{"three", "two", "one-high", "tie-a", "tie-b", "one-low", "rating-high", "rating-low"}},
		{"rating flags give way to warnings", 6, reversed(withRating), []string{"three", "two", "one-high", "tie-b", "tie-a", "one-low"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := summarise(tt.top, tt.rows...)
			var got []string
			for i, st := range s.Review {
				if st.Rank != i+1 {
					t.Errorf("%s has rank %d at %d", st.ID, st.Rank, i+1)
				}
				got = append(got, st.ID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("review = %v, want %v", got, tt.want)
			}
		})
	}
}

func reversed(rows []pipeline.Row) []pipeline.Row {
	r := slices.Clone(rows)
	slices.Reverse(r)
	return r
}

// TestReviewStory checks what a story to review carries: its row number,
// findings by score, undeclared passages first, and the passage cap.
func TestReviewStory(t *testing.T) {
	r := story("s", map[string]float64{"violence": 0.6, "death": 0.9}, "violence")
	r.Title, r.Fandoms, r.DeclaredRating, r.PredictedRating = ptr("T"), []string{"F"}, ptr("teen"), ptr("mature")
	for i := range MaxPassages + 3 {
		r.Evidence = append(r.Evidence, pipeline.Evidence{Label: "violence", Score: 0.5, LineStart: int32(10 + i), LineEnd: int32(10 + i), Snippet: "more"})
	}
	s := summarise(5, story("clean", nil), r)
	if len(s.Review) != 1 {
		t.Fatalf("review has %d stories, want 1", len(s.Review))
	}
	st := s.Review[0]
	if st.Row != 2 || st.Title != "T" || st.DeclaredRating != "teen" || st.PredictedRating != "mature" || !slices.Equal(st.Fandoms, []string{"F"}) {
		t.Errorf("story = %+v", st)
	}
	if !reflect.DeepEqual(st.Undeclared, []Finding{{"death", 0.9}}) || st.MaxScore != 0.9 {
		t.Errorf("undeclared = %v (max %v), want death 0.9", st.Undeclared, st.MaxScore)
	}
	if len(st.Evidence) != MaxPassages || st.MorePassages != 5 { // 2 passages of story and 15 added
		t.Errorf("%d passages and %d more, want %d and 5", len(st.Evidence), st.MorePassages, MaxPassages)
	}
	if e := st.Evidence[0]; e.Label != "death" || !e.Undeclared {
		t.Errorf("first passage %+v, want the undeclared death", e)
	}
}

// TestFandoms checks undeclared warnings by fandom: stories without a
// fandom under NoFandom, a story under each fandom it declares once, the
// order and the labels per fandom.
func TestFandoms(t *testing.T) {
	fandom := func(r pipeline.Row, f ...string) pipeline.Row {
		r.Fandoms = f
		return r
	}
	s := summarise(0,
		fandom(story("a", map[string]float64{"violence": 0.9}), "Bleach", "Naruto", "Bleach"),
		fandom(story("b", map[string]float64{"violence": 0.9, "death": 0.8}), "Naruto"),
		fandom(story("c", nil), "Naruto"),
		fandom(story("d", nil), "Clean"),
		story("e", map[string]float64{"death": 0.9}),
		fandom(failed("f", "x"), "Naruto"),
	)
	type fd struct {
		name                   string
		stories, with, finding int
		labels                 string
	}
	var got []fd
	for _, f := range s.Fandoms {
		var ls []string
		for _, c := range f.ByLabel {
			ls = append(ls, c.Text+":"+strings.Repeat("|", c.N))
		}
		got = append(got, fd{f.Fandom, f.Stories, f.WithUndeclared, f.Findings, strings.Join(ls, " ")})
	}
	want := []fd{
		{"Naruto", 3, 2, 3, "violence:|| death:|"},
		{"(none declared)", 1, 1, 1, "death:|"},
		{"Bleach", 1, 1, 1, "violence:|"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fandoms =\n%v\nwant\n%v", got, want)
	}
	if s.FandomsWithUndeclared != 3 {
		t.Errorf("FandomsWithUndeclared = %d, want 3", s.FandomsWithUndeclared)
	}
}

// TestErrorMessages checks that errors are grouped by message with the
// source taken out, commonest first, and that the rest is counted.
func TestErrorMessages(t *testing.T) {
	var rows []pipeline.Row
	for _, id := range []string{"a", "b", "c"} {
		rows = append(rows, failed(id, "read corpus/"+id+".txt: empty story"))
	}
	rows = append(rows, failed("d", "read corpus/d.txt: binary file"))
	for i := range TopErrors + 2 {
		rows = append(rows, failed("z", strings.Repeat("x", i+1)))
	}
	s := summarise(0, rows...)
	if got := s.ErrorMessages[0]; got != (Count{Text: "read …: empty story", N: 3, Example: "corpus/a.txt"}) {
		t.Errorf("commonest = %+v", got)
	}
	if got := s.ErrorMessages[1]; got.Text != "read …: binary file" || got.N != 1 {
		t.Errorf("second = %+v", got)
	}
	if len(s.ErrorMessages) != TopErrors || s.OtherErrors != 4 {
		t.Errorf("%d messages and %d others, want %d and 4", len(s.ErrorMessages), s.OtherErrors, TopErrors)
	}
}

// TestReviewRatingOnly: a story flagged only for its rating is listed,
// with the rating's passages first and no undeclared score.
func TestReviewRatingOnly(t *testing.T) {
	r := story("r", map[string]float64{"violence": 0.2})
	yes, conf := true, 0.83
	r.RatingUnderdeclared, r.RatingConfidence = &yes, &conf
	r.RatingEvidence = []pipeline.Evidence{{Label: "sexual", Score: 0.7, LineStart: 4, LineEnd: 4, Snippet: "a scene"}}
	s := summarise(5, r)
	if len(s.Review) != 1 {
		t.Fatalf("review %+v, want the rating-flagged story", s.Review)
	}
	st := s.Review[0]
	if !st.RatingUnderdeclared || st.RatingConfidence != conf || st.MaxScore != 0 || len(st.Undeclared) != 0 {
		t.Errorf("story %+v", st)
	}
	if len(st.Evidence) == 0 || st.Evidence[0].Label != "rating: sexual" || !st.Evidence[0].Undeclared {
		t.Errorf("passages %+v, want the rating's first", st.Evidence)
	}
}
