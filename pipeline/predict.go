package pipeline

import (
	"context"
	"strings"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/taxonomy"
)

// PredictStory scores a story read by package datasets with the model: the
// bridge between readers and the model, which knows nothing of readers.
func PredictStory(ctx context.Context, m *classify.Model, s *datasets.Story, opt classify.PredictOptions) (classify.Result, error) {
	return m.Predict(ctx, s.Text, s.BodyByte, s.BodyLine, opt)
}

// maxWeakText bounds the text of one story used as a weak example: naive
// Bayes sees counts, and one long story must not outweigh many short ones.
const maxWeakText = 64 << 10

// WeakLabelled turns a story whose header declares its warnings into a
// weakly labelled example: declared labels are positive; when the author
// declared that no warnings apply, every label is negative. A story with
// missing or withheld warnings teaches nothing and is skipped (ok false).
func WeakLabelled(s *datasets.Story, weight float64) (classify.Labelled, bool) {
	if s.Err != nil {
		return classify.Labelled{}, false
	}
	known := map[string]bool{}
	switch s.WarningStatus {
	case taxonomy.StateDeclared:
		for _, l := range s.DeclaredWarnings {
			known[l] = true
		}
	case taxonomy.StateNoneApply:
		for _, l := range taxonomy.Default().Labels() {
			known[l.ID] = false
		}
	}
	if len(known) == 0 {
		return classify.Labelled{}, false
	}
	body := s.Body()
	if len(body) > maxWeakText {
		// Cut after white space so that no word is split.
		cut := maxWeakText
		if i := strings.LastIndexAny(body[:maxWeakText], " \t\r\n"); i > 0 {
			cut = i + 1
		}
		body = body[:cut]
	}
	return classify.Labelled{ID: s.ID, Group: s.ID, Text: body, Known: known, Weight: weight}, true
}
