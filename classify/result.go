package classify

import (
	"slices"
	"time"
)

// LabelSource says what scores a label.
type LabelSource string

// The sources of a label's score.
const (
	// SourceModel: naive Bayes, trained for the label (with lexicon
	// features), scores the windows the lexicon gate lets through.
	SourceModel LabelSource = "model"
	// SourceBoth is SourceModel in a story where some window passed the
	// gate, so naive Bayes did score it.
	SourceBoth LabelSource = "both"
	// SourceLexicon: the label has no training data; the lexicon alone
	// scores it.
	SourceLexicon LabelSource = "lexicon"
)

// LabelScore is the story-level verdict for one label.
type LabelScore struct {
	Label string `json:"label" parquet:"label"`
	Group string `json:"group" parquet:"group"`
	// Score is 0..1, 0.5 at the label's balanced story threshold. It ranks
	// stories (the context of other warnings counts a little). Detected
	// also needs a passage that reaches the label's evidence bar; without
	// one a label decided on the story scores at most 0.49, so that at
	// the balanced threshold Score ≥ 0.5 exactly when Detected (a story
	// model's score is left as it is: it ranks on its own).
	Score float64 `json:"score" parquet:"score"`
	// Threshold is the Score the label needs to be detected, at the
	// sensitivity asked for (or as PredictOptions.Thresholds set it).
	Threshold float64 `json:"threshold" parquet:"threshold"`
	Detected  bool    `json:"detected" parquet:"detected"`
	// Source is "both" for a label naive Bayes scored in windows the
	// lexicon gate let through, "model" for a naive-Bayes label no window
	// of the story reached the gate of, and "lexicon" for a label without
	// training data, scored by the lexicon alone.
	Source LabelSource `json:"source" parquet:"source"`
	// Passages is the number of windows over the threshold.
	Passages int `json:"passages" parquet:"passages"`
	// Story is the story-level statistic that Score and Detected are
	// decided on (see AggregateStory); it is what CalibrateStories sets
	// thresholds on.
	Story float64 `json:"-" parquet:"-"`
	// topZ is the raw score of the best window (-Inf without one).
	topZ float64
}

// Evidence is a passage that shows a label.
type Evidence struct {
	Label     string  `json:"label" parquet:"label"`
	Score     float64 `json:"score" parquet:"score"`
	LineStart int     `json:"line_start" parquet:"line_start"` // 1-based lines of the story text
	LineEnd   int     `json:"line_end" parquet:"line_end"`
	ByteStart int     `json:"byte_start" parquet:"byte_start"` // byte offsets into the story text
	ByteEnd   int     `json:"byte_end" parquet:"byte_end"`
	Snippet   string  `json:"snippet" parquet:"snippet"`
	// Terms are the lexicon terms found in the window, for explanations.
	Terms []string `json:"terms,omitempty" parquet:"-"`
}

// Result is what the model finds in a story.
type Result struct {
	// Labels holds every label of the taxonomy, in taxonomy order.
	Labels []LabelScore
	// Detected lists the detected labels, in taxonomy order.
	Detected []string
	// Evidence holds the best passages of detected labels, best first
	// within each label.
	Evidence []Evidence
	// PredictedRating is the canonical rating the text calls for.
	PredictedRating string
	// RatingCues are the strongest window's cue weights (sexual, violence,
	// language) behind the predicted rating.
	RatingCues RatingCues
	// RatingTotals are the cue weights summed over the whole story.
	RatingTotals RatingCues
	// RatingScore is the score the predicted rating was decided on (see
	// RatingWeights; 0 for models without rating cut points), and
	// RatingConfidence how sure the model is that the text calls for at
	// least the predicted rating (0..1).
	RatingScore, RatingConfidence float64
	// RatingEvidence holds the passages that set the predicted rating,
	// best first: the windows strongest in the cue (Label "sexual",
	// "violence" or "language") that lifted the rating most. None for a
	// story predicted General.
	RatingEvidence []Evidence
	// Language is the ISO 639-1 code of the language the text reads as
	// ("en" for English; "" for a text with no words).
	Language string
	// NotChecked says why the text was not checked, when the model cannot
	// read it (a language other than English) or there is nothing to read
	// (no words after the header): then no label is detected, every score
	// is 0 and there is no evidence or predicted rating.
	NotChecked string
	// Windows is the number of windows scored.
	Windows int
	// Tokens is the number of tokens read; Words the number of words as
	// PredictOptions.CountWords counts them (0 without it).
	Tokens, Words int
	// Steps is the time spent in each step.
	Steps StepTimes
	// Scenes counts the words each scene of the lexicon made figurative
	// ("murdered" beside a referee), by scene name: what a verdict of
	// nothing found may owe to them. Nil for a text not checked.
	Scenes []SceneHits
}

// SceneHits is the number of words one scene made figurative in a story,
// and the labels they were terms of, in taxonomy order in a Result (in
// the order first met in a Partial). A word that is a term of two labels
// ("murdered": violence, death) counts once.
type SceneHits struct {
	Scene  string   `json:"scene"`
	Words  int      `json:"words"`
	Labels []string `json:"labels"`
}

// addSceneHit counts a hit of label that scene made figurative, a new
// word unless another label's hit of the same word was counted.
func addSceneHit(hs []SceneHits, scene, label string, newWord bool) []SceneHits {
	i := slices.IndexFunc(hs, func(h SceneHits) bool { return h.Scene == scene })
	if i < 0 {
		hs = append(hs, SceneHits{Scene: scene})
		i = len(hs) - 1
	}
	if newWord {
		hs[i].Words++
	}
	if !slices.Contains(hs[i].Labels, label) {
		hs[i].Labels = append(hs[i].Labels, label)
	}
	return hs
}

// mergeSceneHits adds the counts of a later stretch of the same story.
func mergeSceneHits(hs, more []SceneHits) []SceneHits {
	for _, m := range more {
		i := slices.IndexFunc(hs, func(h SceneHits) bool { return h.Scene == m.Scene })
		if i < 0 {
			hs = append(hs, SceneHits{Scene: m.Scene})
			i = len(hs) - 1
		}
		hs[i].Words += m.Words
		for _, l := range m.Labels {
			if !slices.Contains(hs[i].Labels, l) {
				hs[i].Labels = append(hs[i].Labels, l)
			}
		}
	}
	return hs
}

// PredictOptions tune a prediction.
type PredictOptions struct {
	Sensitivity Sensitivity // default Balanced
	// MaxEvidence is the most passages kept per detected label (default 3).
	MaxEvidence int
	// CountWords, when set, counts the words of each chunk into
	// Result.Words, for streamed stories whose reader could not count them
	// (the readers' own counter, so that counts agree).
	CountWords func(string) int
	// FastSnippets cuts evidence snippets at the sentence ends the word
	// tokenizer flags instead of running prose's Punkt segmenter: about a
	// fifth of batch scoring time on keyword-dense corpora. Batch runs set
	// it; tagger check leaves it off for the better boundaries.
	FastSnippets bool
	// ParallelEvidence builds the evidence of the detected labels on two
	// goroutines, half of the labels each, instead of one: for a story
	// scored alone, as tagger check scores it, whose other core would
	// otherwise wait at the end. The evidence is the same. Batch runs,
	// whose workers keep every core busy, leave it off.
	ParallelEvidence bool
	// Thresholds, when set, override the sensitivity's threshold of the
	// labels they name: label id → threshold on the 0..1 Score scale
	// (LabelScore.Threshold). A moderator's team sets them in its config.
	// Each is turned back into the statistic its label is decided on (the
	// story statistic, the story model's log-odds or the raw window
	// score), so Detected still needs the label's evidence; for labels
	// decided on windows it also sets the window threshold that
	// LabelScore.Passages counts. 0 detects every label with evidence, 1
	// none. Values off 0..1 make Predict fail; ids that are not labels of
	// the model are ignored, so the caller checks them against Labels.
	Thresholds map[string]float64
	// vector, when set, receives the story's features for the story
	// model (see Model.StoryVector).
	vector *StoryVector
}

// StepTimes are the time Predict spent in each step, for pipeline stats.
type StepTimes struct {
	Tokenize, Feature, Classify time.Duration
}
