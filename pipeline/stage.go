package pipeline

import (
	"context"
	"fmt"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
)

// Run's scoring of one story, exported for other runners of the same
// stages (cmd/tagger-beam), so that they write the rows Run writes.

// PredictOptions are the options Run scores every story with.
func (cfg Config) PredictOptions() classify.PredictOptions {
	return classify.PredictOptions{Sensitivity: cfg.Sensitivity, Thresholds: cfg.Thresholds, FastSnippets: true}
}

// ScoreStory is Run's scoring of one story read by package datasets: its
// row, with the error of a story that could not be read or scored. The
// story takes Run's path (chunk → tokenize → feature → classify →
// combine), its chunks scored by
// cfg.Workers goroutines; a streamed story (datasets.Story.Streamed) is
// read from its file a chunk at a time.
func ScoreStory(ctx context.Context, cfg Config, s *datasets.Story) Row {
	if cfg.Model == nil {
		return NewRow(s, nil, nil, fmt.Errorf("score %s: no model", s.Source))
	}
	out, err := scoreOne(ctx, cfg, newScorer(cfg), s)
	if err != nil {
		return ScoredRow(s, cfg.Model, classify.Result{}, err)
	}
	return out.row
}

// ScoredRow builds the row of a story that was read (s.Err is nil) and then
// scored, perhaps elsewhere (a huge story's chunks on other machines,
// classify.Model.FinishPartials): res is the model's result, or err why
// scoring failed. It sets s.Words to the tokens scored, as Run does.
func ScoredRow(s *datasets.Story, m *classify.Model, res classify.Result, err error) Row {
	if err != nil {
		return NewRow(s, nil, m, fmt.Errorf("score %s: %w", s.Source, err))
	}
	// Words are the body's word tokens, counted while scoring (they agree
	// with datasets.CountWords, which tagger meta uses, to within 0.1%).
	s.Words = res.Tokens
	return NewRow(s, &res, m, nil)
}
