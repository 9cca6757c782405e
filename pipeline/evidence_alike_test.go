package pipeline

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
)

// TestOneChunkEvidenceAlike: a story of one chunk shows the same evidence
// whichever way it is scored: Run's graph (tagger run), PredictStory
// (tagger check and serve), ScoreStory and Model.Predict. The story puts a
// negation ("did not torture") across the boundary of a window: read in
// the story's context, the torture is negated; read from the window's text
// alone, it would not be, and the evidence would differ by path.
func TestOneChunkEvidenceAlike(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	pre := strings.Repeat("The morning was quiet and calm. ", 6) + "Birds sang in the trees as she walked home alone and he"
	for len(tokenize.Words(pre, nil)) < 48 {
		pre = "Then " + pre
	}
	text := pre + " did not torture the guard that night, she said. The blood pooled on the stones and the guard bled out, screaming, as the knife went in again. He slit his throat. The corpse lay in the blood for hours and the wounds festered. She was raped and beaten. Blood everywhere, the bodies piled up.\n"
	dir := t.TempDir()
	path := filepath.Join(dir, "story.txt")
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	var story *datasets.Story
	for s := range datasets.Read(context.Background(), []string{path}, datasets.Options{}) {
		story = s
	}
	if story == nil || story.Err != nil {
		t.Fatalf("read: %v", story)
	}
	cfg := Config{Model: m}
	opt := cfg.PredictOptions()

	sink := &memorySink{}
	if _, err := Run(context.Background(), context.Background(), []string{path}, sink, cfg, nil); err != nil {
		t.Fatal(err)
	}
	if len(sink.rows) != 1 {
		t.Fatalf("%d rows", len(sink.rows))
	}
	ran := sink.rows[0].Evidence
	if len(ran) == 0 {
		t.Fatal("the story shows no evidence: the case tests nothing")
	}
	checked, err := PredictStory(context.Background(), m, story, opt)
	if err != nil {
		t.Fatal(err)
	}
	predicted, err := m.Predict(context.Background(), story.Text, story.BodyByte, story.BodyLine, opt)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string][]Evidence{
		"PredictStory":  ScoredRow(story, m, checked, nil).Evidence,
		"Model.Predict": ScoredRow(story, m, predicted, nil).Evidence,
		"ScoreStory":    ScoreStory(context.Background(), cfg, story).Evidence,
	} {
		if !reflect.DeepEqual(got, ran) {
			t.Errorf("%s evidence differs from Run's:\n got %+v\nwant %+v", name, got, ran)
		}
	}
	// In the story's context the torture is negated: no evidence lists it
	// among its terms.
	for _, e := range checked.Evidence {
		if slices.Contains(e.Terms, "torture") {
			t.Errorf("evidence %q counts the negated torture (terms %v)", e.Snippet, e.Terms)
		}
	}
}
