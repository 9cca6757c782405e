package pipeline

import (
	"context"
	"runtime"
	"strings"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/taxonomy"
)

// PredictStory scores a story read by package datasets with the model: the
// bridge between readers and the model, which knows nothing of readers. It
// takes Run's path: the body cut into chunks (read from its file, a chunk
// at a time, for a streamed story), the chunks tokenised, featurised and
// classified by as many goroutines as there are CPUs, and their partial
// scores merged, so that tagger check, tagger serve and tagger run decide
// a story alike. The story's Words are set to the word tokens scored, as
// in Run, so that its row is Run's too (a reader may then skip counting
// them: datasets.Options.NoWordCount). Errors do not name the story: the
// caller does.
func PredictStory(ctx context.Context, m *classify.Model, s *datasets.Story, opt classify.PredictOptions) (classify.Result, error) {
	if s.Err != nil {
		return classify.Result{}, s.Err
	}
	if !s.Streamed() && len(s.Text)-s.BodyByte <= classify.ChunkBytes {
		// One chunk: its steps in turn on this goroutine, without the
		// graph's goroutines (calibrate and train score thousands).
		res, err := scoreInPlace(ctx, m, s, opt)
		if err == nil {
			s.Words = res.Tokens
		}
		return res, err
	}
	cfg := Config{Model: m, Workers: runtime.GOMAXPROCS(0)}
	out, err := scoreOne(ctx, cfg, &scorer{model: m, opt: opt, results: true}, s)
	if err == nil {
		err = out.err
	}
	if err != nil {
		return classify.Result{}, err
	}
	s.Words = out.res.Tokens
	return out.res, nil
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

// scoreInPlace scores a story held in memory chunk by chunk on the calling
// goroutine, the stages' work without the stages and with the same
// result: a story of one chunk decided where its chunk is classified
// (classify.ChunkScore.Finish), a longer one's chunks of
// classify.SplitText scored into partials and merged
// (classify.Model.FinishPartials).
func scoreInPlace(ctx context.Context, m *classify.Model, s *datasets.Story, opt classify.PredictOptions) (classify.Result, error) {
	var parts []*classify.Partial
	// held is the first chunk, featurised, until a second shows it is
	// not the only one.
	var held *classify.ChunkScore
	defer func() {
		if held != nil {
			held.Release()
		}
	}()
	err := classify.SplitText(ctx, s.Text, s.BodyByte, s.BodyLine, func(c classify.Chunk) error {
		if held != nil {
			parts = append(parts, held.Classify())
			held = nil
		}
		cs, err := m.TokenizeChunk(ctx, c, opt)
		if err != nil {
			return err
		}
		cs.Featurize()
		if len(parts) == 0 {
			held = cs
			return nil
		}
		parts = append(parts, cs.Classify())
		return nil
	})
	if err != nil {
		return classify.Result{}, err
	}
	if held != nil {
		cs := held
		held = nil
		return cs.Finish()
	}
	return m.FinishPartials(parts, opt)
}
