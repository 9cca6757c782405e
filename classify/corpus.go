package classify

import (
	"github.com/tagger-dev/tagger/classify/taxonomy"
	"github.com/tagger-dev/tagger/datasets"
)

// maxWeakText bounds the text of one story used as a weak example: naive
// Bayes sees counts, and one long story must not outweigh many short ones.
const maxWeakText = 64 << 10

// WeakLabelled turns a story whose header declares its warnings into a
// weakly labelled example: declared labels are positive; when the author
// declared that no warnings apply, every label is negative. A story with
// missing or withheld warnings teaches nothing and is skipped (ok false).
func WeakLabelled(s *datasets.Story, weight float64) (Labelled, bool) {
	if s.Err != nil {
		return Labelled{}, false
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
		return Labelled{}, false
	}
	body := s.Body()
	if len(body) > maxWeakText {
		body = body[:chunkEnd(body, 0, maxWeakText)]
	}
	return Labelled{ID: s.ID, Group: s.ID, Text: body, Known: known, Weight: weight}, true
}
