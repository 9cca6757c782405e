package report

import (
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/pipeline"
)

// agreeRow has a label over its threshold at a lower score than another
// (thresholds differ per label), more passages than evidence, and
// undeclared warnings whose taxonomy order (UndeclaredWarnings) is not the
// report's.
func agreeRow() pipeline.Row {
	return pipeline.Row{
		Source: "s.txt", DeclaredRating: ptr("explicit"), DeclaredRatingRaw: ptr("Explicit"), PredictedRating: ptr("explicit"),
		RatingUnderdeclared: ptr(false), WarningStatus: ptr("declared"), DeclaredWarnings: []string{"violence"},
		Labels: []pipeline.LabelScore{
			{Label: "violence", Group: "aggression", Score: 0.95, Threshold: 0.5, Detected: true, Passages: 2},
			{Label: "pornography", Group: "sexual-content", Score: 0.9, Threshold: 0.5, Detected: true, Passages: 5},
			{Label: "death", Group: "aggression", Score: 0.38, Threshold: 0.35, Detected: true, Passages: 1},
			{Label: "suicide", Group: "mental-health", Score: 0.41, Threshold: 0.45},
		},
		DetectedWarnings:   []string{"violence", "pornography", "death"},
		UndeclaredWarnings: []string{"pornography", "death"},
		Evidence: []pipeline.Evidence{
			{Label: "violence", Score: 0.9, LineStart: 2, LineEnd: 2, Snippet: "He hit him."},
			{Label: "pornography", Score: 0.8, LineStart: 20, LineEnd: 22, Snippet: "One."},
			{Label: "pornography", Score: 0.7, LineStart: 30, LineEnd: 30, Snippet: "Two."},
			{Label: "pornography", Score: 0.6, LineStart: 40, LineEnd: 40, Snippet: "Three."},
			{Label: "death", Score: 0.3, LineStart: 9, LineEnd: 9, Snippet: "She died."},
		},
	}
}

// TestOutputsAgree: the text report, the lines and the verdict name the
// same labels in the same order with the same score and threshold, and
// the text report says when it shows fewer passages than were counted.
func TestOutputsAgree(t *testing.T) {
	r := agreeRow()
	var text, lines strings.Builder
	if err := Text(&text, r, Style{}); err != nil {
		t.Fatal(err)
	}
	if err := Lines(&lines, r); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		out  string
		want []string
	}{
		{"text", text.String(), []string{
			"✗ death                  0.38 (threshold 0.35)  undeclared",
			"✗ pornography            0.90 (threshold 0.50)  undeclared",
			"✓ violence               0.95 (threshold 0.50)  declared",
			"      lines 20–22: “One.”",
			"      3 of 5 passages shown",
			"verdict: REVIEW — 2 undeclared warnings (death, pornography)",
		}},
		{"lines", lines.String(), []string{
			"s.txt:9:death:0.38:undeclared warning (threshold 0.35; passage 1 of 1, passage score 0.30): She died.\n",
			"s.txt:20:pornography:0.90:undeclared warning (threshold 0.50; passage 1 of 5, passage score 0.80): One.\n",
			"s.txt:40:pornography:0.90:undeclared warning (threshold 0.50; passage 3 of 5, passage score 0.60): Three.\n",
		}},
	}
	for _, tc := range tests {
		for _, w := range tc.want {
			if !strings.Contains(tc.out, w) {
				t.Errorf("%s lacks %q:\n%s", tc.name, w, tc.out)
			}
		}
	}
	// The report's order: death (harm) before pornography (sexual
	// content), in the text, the lines and the verdict alike.
	for name, out := range map[string]string{"text": text.String(), "lines": lines.String(), "verdict": Conclude(r).Text} {
		if d, p := strings.Index(out, "death"), strings.Index(out, "pornography"); d < 0 || p < 0 || d > p {
			t.Errorf("%s: death at %d, pornography at %d: want death first\n%s", name, d, p, out)
		}
	}
	// death shows its one passage: no note.
	if n := strings.Count(text.String(), "passages shown"); n != 2 || !strings.Contains(text.String(), "1 of 2 passages shown") {
		t.Errorf("%d notes of passages not shown, want pornography's and violence's:\n%s", n, text.String())
	}
	if strings.Contains(text.String(), "suicide") {
		t.Errorf("a label that is not detected is reported:\n%s", text.String())
	}
}

// TestConclude: the JSON verdict is the text report's verdict line, its
// parts and a status, for every kind of row.
func TestConclude(t *testing.T) {
	tests := []struct {
		name    string
		row     pipeline.Row
		status  string
		reasons []string
	}{
		{"review", agreeRow(), StatusReview, []string{"2 undeclared warnings (death, pornography)"}},
		{"ok", pipeline.Row{PredictedRating: ptr("teen")}, StatusOK,
			[]string{"the declarations cover what tagger found", "no rating declared; the text reads as teen"}},
		{"error", pipeline.Row{Error: ptr("read: boom")}, StatusError, []string{"the story could not be checked"}},
		{"not checked", pipeline.Row{Note: ptr("not checked: French")}, StatusNotChecked,
			[]string{"read it yourself; tagger found nothing because it could not check it"}},
		// An undeclared warning without a detected label for it is still
		// named, after the findings.
		{"undeclared only", pipeline.Row{DeclaredRating: ptr("teen"), UndeclaredWarnings: []string{"death"}, RatingUnderdeclared: ptr(true),
			DeclaredRatingRaw: ptr("T"), PredictedRating: ptr("mature")}, StatusReview,
			[]string{"1 undeclared warning (death)", "rating under-declared (T → mature)"}},
	}
	for _, tc := range tests {
		v := Conclude(tc.row)
		if v.Status != tc.status || strings.Join(v.Reasons, "|") != strings.Join(tc.reasons, "|") {
			t.Errorf("%s: status %q reasons %q, want %q %q", tc.name, v.Status, v.Reasons, tc.status, tc.reasons)
		}
		if got := Verdict(tc.row, Style{}); got != v.Text {
			t.Errorf("%s: Verdict %q, Conclude().Text %q", tc.name, got, v.Text)
		}
		for _, reason := range v.Reasons {
			if !strings.Contains(v.Text, reason) {
				t.Errorf("%s: verdict %q lacks its reason %q", tc.name, v.Text, reason)
			}
		}
		b, err := json.Marshal(v)
		if err != nil || !strings.Contains(string(b), `"status":"`+tc.status+`"`) {
			t.Errorf("%s: JSON %s, %v", tc.name, b, err)
		}
	}
}

// explained is an explanation whose best window is under the window
// threshold, as for a label with no passage.
func explained() *classify.Explanation {
	return &classify.Explanation{
		Label: "death", Source: "lexicon", Score: 0.3, Threshold: 0.5, WindowThreshold: 4, EvidenceBar: 2, Story: 1.2, StoryThreshold: 2.1,
		Window: &classify.ExplainedWindow{Raw: 3, LineStart: 7, LineEnd: 13,
			Terms: []classify.ExplainTerm{{Term: "die", Text: "died\x1b[2K", Weight: 3}}},
	}
}

// TestExplain: the header shows the score beside its threshold, the window
// threshold is not read as a raw score, line ranges are not followed by
// stray punctuation, and the line format carries every line of it.
func TestExplain(t *testing.T) {
	var text, lines strings.Builder
	if err := Explain(&text, explained(), Style{}); err != nil {
		t.Fatal(err)
	}
	if err := ExplainLines(&lines, "dir/a:b.txt", explained()); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		out       string
		want, not []string
	}{
		{"text", text.String(),
			[]string{"explain death: score 0.30 (threshold 0.50), not detected", "0 windows with a raw score of at least 4.00 (the window threshold)",
				"best window: lines 7–13, raw score 3.00, under the window threshold", `"died\x1b[2K"`},
			[]string{"(raw 4.00)", "13:,", "\x1b"}},
		{"lines", lines.String(),
			[]string{"dir/a\\:b.txt:7:death:0.30:explain: score 0.30 (threshold 0.50), not detected",
				"dir/a\\:b.txt:7:death:0.30:explain: best window: lines 7–13, raw score 3.00, under the window threshold\n",
				"dir/a\\:b.txt:7:death:0.30:explain: term die +3.00 \"died\\x1b[2K\"\n"},
			[]string{"\x1b"}},
	}
	for _, tc := range tests {
		for _, w := range tc.want {
			if !strings.Contains(tc.out, w) {
				t.Errorf("%s lacks %q:\n%s", tc.name, w, tc.out)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(tc.out, n) {
				t.Errorf("%s holds %q:\n%s", tc.name, n, tc.out)
			}
		}
	}
	// Every explanation line is a line of the line format, one per line
	// of the text explanation.
	field := regexp.MustCompile(`^dir/a\\:b\.txt:7:death:0\.30:explain: \S`)
	got := strings.Split(strings.TrimSuffix(lines.String(), "\n"), "\n")
	if want := strings.Count(text.String(), "\n"); len(got) != want {
		t.Errorf("%d explanation lines, text has %d:\n%s", len(got), want, lines.String())
	}
	for _, ln := range got {
		if !field.MatchString(ln) {
			t.Errorf("not a line of the line format: %q", ln)
		}
	}
	// Without a window, the line is 1.
	ex := explained()
	ex.Window = nil
	lines.Reset()
	ExplainLines(&lines, "a.txt", ex)
	if !strings.HasPrefix(lines.String(), "a.txt:1:death:0.30:explain: ") || !strings.Contains(lines.String(), "no window of the story counts for it") {
		t.Errorf("explanation without a window:\n%s", lines.String())
	}
}

// TestRatingLinesAddUp: a part of the rating score shows the arithmetic it
// adds: log(1 + total) × weight for cue totals, score × weight otherwise.
func TestRatingLinesAddUp(t *testing.T) {
	re := &classify.RatingExplanation{Predicted: "teen", Score: 1.08, Cuts: []float64{0.62, 3.06, 3.86}, Parts: []classify.RatingPart{
		{Name: "sexual cues (story total)", Measured: 1.8, Weight: 1, LogScaled: true, Adds: math.Log1p(1.8)},
		{Name: "pornography score", Measured: 0.05, Weight: 1, Adds: 0.05},
	}}
	lines := strings.Join(ratingLines(re), "\n")
	for _, want := range []string{"log(1 + 1.80) × 1.00 → +1.03", "0.05 × 1.00 → +0.05"} {
		if !strings.Contains(lines, want) {
			t.Errorf("rating explanation lacks %q:\n%s", want, lines)
		}
	}
}

// TestRatingLinesExplicitPorn: an Explicit from the pornography score below
// detection is said as such, with the score it reached; a detection is not
// said twice.
func TestRatingLinesExplicitPorn(t *testing.T) {
	re := &classify.RatingExplanation{Predicted: "explicit", Score: 1.2, Cuts: []float64{0.61, 3.05, 3.48}, ExplicitPorn: 0.35, Porn: 0.41}
	lines := strings.Join(ratingLines(re), "\n")
	if !strings.Contains(lines, "pornography 0.41, not detected, is at least 0.35") || strings.Contains(lines, "pornography is detected") {
		t.Errorf("explicit from the pornography score:\n%s", lines)
	}
	re.ExplicitPorn, re.PornDetected = 0, true
	if lines := strings.Join(ratingLines(re), "\n"); strings.Contains(lines, "not detected, is") || !strings.Contains(lines, "pornography is detected") {
		t.Errorf("explicit from a detection:\n%s", lines)
	}
}

// TestRatingLinesNoPassage: a rating without passages says why, and a
// General rating flagged by a detection alone says so.
func TestRatingLinesNoPassage(t *testing.T) {
	for _, tc := range []struct {
		re   classify.RatingExplanation
		want string
	}{
		{classify.RatingExplanation{Predicted: "general", Cuts: []float64{1, 2, 3}}, "a General prediction shows none"},
		{classify.RatingExplanation{Predicted: "teen", Cuts: []float64{1, 2, 3}, Floor: "violence 0.70"}, "no passage reaches a cue weight of 1"},
		{classify.RatingExplanation{Predicted: "general", Cuts: []float64{1, 2, 3}, NotGeneral: "sexual-abuse 0.93"}, "sexual-abuse 0.93 detected with a passage: a General rating is under-declared by that alone"},
	} {
		if lines := strings.Join(ratingLines(&tc.re), "\n"); !strings.Contains(lines, tc.want) {
			t.Errorf("%+v: lines lack %q:\n%s", tc.re, tc.want, lines)
		}
	}
}

// TestRatingNoteNotFlagged: a prediction above the declared rating that
// is not flagged says why: a gap below Mature, no passage, or a
// confidence under the bar.
func TestRatingNoteNotFlagged(t *testing.T) {
	str := func(s string) *string { return &s }
	f := func(v float64) *float64 { return &v }
	no := false
	ev := []pipeline.Evidence{{Label: "sexual", LineStart: 3, LineEnd: 3}}
	for _, tc := range []struct {
		declared, predicted string
		conf                float64
		ev                  []pipeline.Evidence
		want                string
	}{
		{"general", "teen", 0.9, ev, "only clear Mature or Explicit content is"},
		{"teen", "explicit", 0.49, ev, "confidence 0.49 is under the bar a flag needs"},
		{"teen", "mature", 0.9, nil, "no passage shows it"},
		{"mature", "mature", 0.9, ev, "within the declared rating"},
		// The confidence is the undetected pornography score's.
		{"teen", "explicit", 0.77, ev, "explicit rests only on an undetected pornography score"},
	} {
		r := pipeline.Row{DeclaredRating: str(tc.declared), PredictedRating: str(tc.predicted), RatingUnderdeclared: &no, RatingConfidence: f(tc.conf), RatingEvidence: tc.ev,
			Labels: []pipeline.LabelScore{{Label: "pornography", Score: 0.77}}}
		if got := ratingNote(r, Style{}); !strings.Contains(got, tc.want) {
			t.Errorf("%s declared, %s predicted (confidence %v): %q, want %q", tc.declared, tc.predicted, tc.conf, got, tc.want)
		}
	}
}

// TestTextNothingDetected: a story without findings says "nothing over
// the threshold" only when no label reached its threshold; a label that
// reached it without a passage to show (a low threshold) is named.
func TestTextNothingDetected(t *testing.T) {
	str := func(s string) *string { return &s }
	base := pipeline.Row{Source: "s.txt", PredictedRating: str("general"),
		Labels: []pipeline.LabelScore{{Label: "pornography", Score: 0.1, Threshold: 0.5}, {Label: "violence", Score: 0.3, Threshold: 0.5}}}
	var b strings.Builder
	if err := Text(&b, base, Style{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "found      nothing over the threshold") {
		t.Errorf("no label at its threshold:\n%s", b.String())
	}
	base.Labels[0] = pipeline.LabelScore{Label: "pornography", Score: 0.49, Threshold: 0.14}
	b.Reset()
	if err := Text(&b, base, Style{}); err != nil {
		t.Fatal(err)
	}
	if out := b.String(); strings.Contains(out, "nothing over the threshold") || !strings.Contains(out, "nothing detected: pornography 0.49, threshold 0.14 reached without a passage") {
		t.Errorf("a label at its threshold without a passage:\n%s", out)
	}
}
