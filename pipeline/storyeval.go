package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/taxonomy"
)

// StoryEvalOptions tune EvaluateRows.
type StoryEvalOptions struct {
	// MinPositive is the fewest declaring works a label needs to be
	// reported (default 10): an AUC over a handful of works is noise.
	MinPositive int
	// Labels, when set, are the labels reported (and averaged), in order;
	// otherwise every label with MinPositive declaring works and as many
	// clean ones.
	Labels []string
}

// StoryLabelEval is the story-level evaluation of one label.
type StoryLabelEval struct {
	Label string `json:"label"`
	// Positive counts the works that declare the label; Clean the works
	// that declare that no archive warnings apply and do not tag it.
	Positive int `json:"positive"`
	Clean    int `json:"clean"`
	// AUC is the probability that a declaring work scores above a clean
	// one (ties count half).
	AUC float64 `json:"auc"`
	// Recall is the share of declaring works where the label is detected;
	// FalseAlarm the share of clean works where it is.
	Recall     float64 `json:"recall"`
	FalseAlarm float64 `json:"false_alarm"`
}

// StoryEval is a story-level evaluation of a model against what authors
// declared.
type StoryEval struct {
	Stories int `json:"stories"`
	Errors  int `json:"errors"`
	// FirstError is the first unreadable story's source and error.
	FirstError string `json:"first_error,omitempty"`
	// NotChecked counts stories left out because the model did not check
	// them (Row.Note: another language, none, or no words).
	NotChecked int `json:"not_checked"`
	// Labels holds the labels evaluated; the means are over them.
	Labels         []StoryLabelEval `json:"labels"`
	MeanAUC        float64          `json:"mean_auc"`
	MeanRecall     float64          `json:"mean_recall"`
	MeanFalseAlarm float64          `json:"mean_false_alarm"`
	// CleanWorks are the works rated General or Teen that declare that no
	// archive warnings apply and tag no warning; CleanFlagged is the share
	// of them with at least one undeclared finding.
	CleanWorks   int     `json:"clean_works"`
	CleanFlagged float64 `json:"clean_flagged"`
	// CleanFlaggedBy is, per label, the share of clean works where it is
	// an undeclared finding (labels that flag none are left out).
	CleanFlaggedBy map[string]float64 `json:"clean_flagged_by,omitempty"`
	// Rating compares the predicted rating with the declared one.
	Rating RatingEval `json:"rating"`
}

// RatingLevels are the ratings RatingEval counts, in order.
var RatingLevels = [4]string{"general", "teen", "mature", "explicit"}

// RatingEval compares predicted ratings with the ratings authors declared,
// over the works that declare one of RatingLevels and were checked.
type RatingEval struct {
	Works int `json:"works"`
	// Matrix counts works by declared (row) and predicted (column) rating,
	// in RatingLevels order.
	Matrix [4][4]int `json:"matrix"`
	// Exact is the share predicted as declared; WithinOne the share
	// predicted at most one level away.
	Exact     float64 `json:"exact"`
	WithinOne float64 `json:"within_one"`
	// Flagged is, per declared rating, the share of works flagged "rating
	// under-declared" (RatingLevels order).
	Flagged [4]float64 `json:"flagged"`
	// FlaggedWithEvidence is the share of flagged works whose flag has at
	// least one evidence passage (Row.RatingEvidence, or for a General
	// rating flagged by a detection, that detection's passages); 1 when
	// there are no flags.
	FlaggedWithEvidence float64 `json:"flagged_with_evidence"`
}

// add counts one row in e.
func (e *RatingEval) add(r *Row, flagged []int, evidenced *int) {
	if r.DeclaredRating == nil || r.PredictedRating == nil {
		return
	}
	d, p := slices.Index(RatingLevels[:], *r.DeclaredRating), slices.Index(RatingLevels[:], *r.PredictedRating)
	if d < 0 || p < 0 {
		return
	}
	e.Works++
	e.Matrix[d][p]++
	if r.RatingUnderdeclared != nil && *r.RatingUnderdeclared {
		flagged[d]++
		notGeneral := classify.NotGeneralLabels()
		if len(r.RatingEvidence) > 0 || slices.ContainsFunc(r.Evidence, func(e Evidence) bool { return slices.Contains(notGeneral, e.Label) }) {
			*evidenced++
		}
	}
}

// finish turns e's counts into shares.
func (e *RatingEval) finish(flagged []int, evidenced int) {
	exact, near, flags := 0, 0, 0
	for d := range e.Matrix {
		works := 0
		for p, n := range e.Matrix[d] {
			works += n
			if p == d {
				exact += n
			}
			if p-d <= 1 && d-p <= 1 {
				near += n
			}
		}
		e.Flagged[d] = ratio(flagged[d], works)
		flags += flagged[d]
	}
	e.Exact, e.WithinOne = ratio(exact, e.Works), ratio(near, e.Works)
	e.FlaggedWithEvidence = 1
	if flags > 0 {
		e.FlaggedWithEvidence = ratio(evidenced, flags)
	}
}

// Gold is what a row's declarations say of one label, as weak gold: the
// author declared it (warnings field or a freeform tag naming it), the
// author declared that no archive warnings apply and tagged nothing of it,
// or neither (chose not to warn, no warnings field, other warnings).
type Gold int

// Gold values.
const (
	GoldUnknown Gold = iota
	GoldPositive
	GoldClean
)

// LabelGold reads a row's declarations for label.
//
// A work whose rating declares the label by its definition (pornography
// under Explicit; see RatingDeclares) is no clean negative for it: a
// finding there is not undeclared. It is no positive either: the gold
// follows the warnings and tags, as tagger meta reads them.
func LabelGold(tx *taxonomy.Taxonomy, r *Row, label string) Gold {
	if slices.Contains(r.DeclaredWarnings, label) {
		return GoldPositive
	}
	if r.DeclaredRating != nil && RatingDeclares(*r.DeclaredRating, label) {
		return GoldUnknown
	}
	if noneApply(tx, r) {
		return GoldClean
	}
	return GoldUnknown
}

// noneApply reports whether the author declared that no archive warnings
// apply: the row's status, or the phrase beside freeform tags that name a
// warning (which make the status "declared").
func noneApply(tx *taxonomy.Taxonomy, r *Row) bool {
	if r.WarningStatus != nil && taxonomy.WarningState(*r.WarningStatus) == taxonomy.StateNoneApply {
		return true
	}
	for _, raw := range r.DeclaredWarningsRaw {
		if tx.ClassifyWarning(raw).State == taxonomy.StateNoneApply {
			return true
		}
	}
	return false
}

// CleanWork reports whether a row is a clean work: rated General or Teen,
// no archive warnings apply, and no warning declared anywhere.
func CleanWork(r *Row) bool {
	return r.WarningStatus != nil && r.DeclaredRating != nil &&
		clean(taxonomy.WarningState(*r.WarningStatus), *r.DeclaredRating, r.DeclaredWarnings)
}

// CleanDeclared is CleanWork for a story's declarations.
func CleanDeclared(d datasets.Declared) bool {
	return clean(d.WarningStatus, d.DeclaredRating, d.DeclaredWarnings)
}

func clean(status taxonomy.WarningState, rating string, declared []string) bool {
	return status == taxonomy.StateNoneApply && len(declared) == 0 && (rating == "general" || rating == "teen")
}

// EvaluateRows measures the rows' label scores and decisions against the
// declarations in the same rows.
func EvaluateRows(rows []Row, opt StoryEvalOptions) *StoryEval {
	if opt.MinPositive <= 0 {
		opt.MinPositive = 10
	}
	tx := taxonomy.Default()
	ev := &StoryEval{CleanFlaggedBy: map[string]float64{}}
	type obs struct {
		score    float64
		detected bool
	}
	pos, neg := map[string][]obs{}, map[string][]obs{}
	flagged := 0
	ratingFlags, ratingEvidenced := make([]int, len(RatingLevels)), 0
	for i := range rows {
		r := &rows[i]
		ev.Stories++
		if r.Error != nil {
			if ev.Errors == 0 {
				ev.FirstError = withSource(r.Source, errors.New(*r.Error)).Error()
			}
			ev.Errors++
			continue
		}
		if r.Note != nil {
			ev.NotChecked++ // scores of 0 say nothing of what it holds
			continue
		}
		ev.Rating.add(r, ratingFlags, &ratingEvidenced)
		for _, l := range r.Labels {
			switch LabelGold(tx, r, l.Label) {
			case GoldPositive:
				pos[l.Label] = append(pos[l.Label], obs{l.Score, l.Detected})
			case GoldClean:
				neg[l.Label] = append(neg[l.Label], obs{l.Score, l.Detected})
			}
		}
		if CleanWork(r) {
			ev.CleanWorks++
			if len(r.UndeclaredWarnings) > 0 {
				flagged++
			}
			for _, l := range r.UndeclaredWarnings {
				ev.CleanFlaggedBy[l]++
			}
		}
	}
	ev.Rating.finish(ratingFlags, ratingEvidenced)
	if ev.CleanWorks > 0 {
		ev.CleanFlagged = float64(flagged) / float64(ev.CleanWorks)
		for l := range ev.CleanFlaggedBy {
			ev.CleanFlaggedBy[l] /= float64(ev.CleanWorks)
		}
	}
	labels := opt.Labels
	if len(labels) == 0 {
		for _, l := range tx.Labels() {
			if len(pos[l.ID]) >= opt.MinPositive && len(neg[l.ID]) >= opt.MinPositive {
				labels = append(labels, l.ID)
			}
		}
	}
	for _, l := range labels {
		p, n := pos[l], neg[l]
		le := StoryLabelEval{Label: l, Positive: len(p), Clean: len(n)}
		ps, ns := make([]float64, len(p)), make([]float64, len(n))
		hits, alarms := 0, 0
		for i, o := range p {
			ps[i] = o.score
			if o.detected {
				hits++
			}
		}
		for i, o := range n {
			ns[i] = o.score
			if o.detected {
				alarms++
			}
		}
		le.AUC = AUC(ps, ns)
		le.Recall = ratio(hits, len(p))
		le.FalseAlarm = ratio(alarms, len(n))
		ev.Labels = append(ev.Labels, le)
		k := float64(len(labels))
		ev.MeanAUC += le.AUC / k
		ev.MeanRecall += le.Recall / k
		ev.MeanFalseAlarm += le.FalseAlarm / k
	}
	return ev
}

// EvaluateStories runs the model of cfg over the stories of inputs and
// measures it against their declarations (see EvaluateRows).
func EvaluateStories(ctx context.Context, inputs []string, cfg Config, opt StoryEvalOptions) (*StoryEval, []Row, error) {
	sink := &memorySink{}
	if _, err := Run(ctx, ctx, inputs, sink, cfg, nil); err != nil {
		return nil, nil, fmt.Errorf("score stories: %w", err)
	}
	return EvaluateRows(sink.rows, opt), sink.rows, nil
}

// AUC is the area under the ROC curve of scores pos (positives) against neg
// (negatives): the Mann-Whitney probability that a positive outscores a
// negative, ties counting half. NaN scores are left out. It is 0.5 when
// either side is empty.
func AUC(pos, neg []float64) float64 { return classify.AUC(pos, neg) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// memorySink keeps rows in memory (evaluation corpora are small).
type memorySink struct{ rows []Row }

func (s *memorySink) Write(rows []Row) error { s.rows = append(s.rows, rows...); return nil }
func (s *memorySink) Close() error           { return nil }
func (s *memorySink) Abort() error           { return nil }
