package pipeline

import (
	"slices"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/taxonomy"
)

// NewRow builds the output row of a story from what was declared and what
// the model found. res is nil when the story failed, and the row then has
// no labels; err, when not nil, is recorded in the row's error column.
func NewRow(s *datasets.Story, res *classify.Result, m *classify.Model, err error) Row {
	d := s.Declared
	r := Row{
		ID: s.ID, Source: s.Source, Format: string(s.Format),
		SHA256: optString(s.SHA256), Title: optString(d.Title),
		Authors: list(d.Authors), Fandoms: list(d.Fandoms), Relationships: list(d.Relationships),
		Characters: list(d.Characters), Tags: list(d.Tags),
		Summary: optString(d.Summary), Language: optString(d.Language),
		DeclaredRating: optString(d.DeclaredRating), DeclaredRatingRaw: optString(d.DeclaredRatingRaw),
		RatingSystem: optString(d.RatingSystem), WarningStatus: optString(string(d.WarningStatus)),
		DeclaredWarnings: list(d.DeclaredWarnings), DeclaredWarningsRaw: list(d.DeclaredWarningsRaw),
		UnmappedWarnings: list(d.UnmappedWarnings), NegatedWarnings: list(d.NegatedWarnings),
		Labels: []LabelScore{}, DetectedWarnings: []string{}, UndeclaredWarnings: []string{}, Evidence: []Evidence{}, RatingEvidence: []Evidence{},
	}
	r.Encoding = optString(s.Encoding)
	if s.BodyLine > 0 { // 0: the header was never read, the body not found
		line, at := int32(s.BodyLine), int64(s.BodyByte)
		r.BodyLine, r.BodyByte = &line, &at
	}
	if m != nil {
		r.Model = m.NameVersion()
	}
	if err != nil {
		msg := err.Error()
		r.Error = &msg
	}
	if res == nil {
		return r
	}
	words := int64(s.Words)
	r.Words = &words
	if r.Language == nil {
		r.Language = optString(res.Language)
	}
	if res.NotChecked != "" {
		r.Note = optString("not checked: " + res.NotChecked)
	}
	r.PredictedRating = optString(res.PredictedRating)
	if res.NotChecked == "" && m != nil {
		under := m.RatingUnderdeclared(d.DeclaredRating, *res)
		conf := res.RatingConfidence
		r.RatingUnderdeclared, r.RatingConfidence = &under, &conf
	}
	for _, l := range res.Labels {
		r.Labels = append(r.Labels, LabelScore{Label: l.Label, Group: l.Group, Score: l.Score, Threshold: l.Threshold, Detected: l.Detected,
			Source: string(l.Source), Passages: int32(l.Passages)})
	}
	r.DetectedWarnings = append(r.DetectedWarnings, res.Detected...)
	if d.WarningStatus != taxonomy.StateChoseNotToWarn {
		r.UndeclaredWarnings = Undeclared(res.Detected, d.DeclaredWarnings)
	}
	r.Evidence = rowEvidence(r.Evidence, res.Evidence)
	r.RatingEvidence = rowEvidence(r.RatingEvidence, res.RatingEvidence)
	return r
}

// rowEvidence appends the model's evidence to out as the row holds it.
func rowEvidence(out []Evidence, ev []classify.Evidence) []Evidence {
	for _, e := range ev {
		out = append(out, Evidence{Label: e.Label, Score: e.Score, LineStart: int32(e.LineStart), LineEnd: int32(e.LineEnd),
			ByteStart: int64(e.ByteStart), ByteEnd: int64(e.ByteEnd), Snippet: e.Snippet})
	}
	return out
}

// Undeclared returns the detected labels the author did not declare, in
// the order detected.
func Undeclared(detected, declared []string) []string {
	out := []string{}
	for _, l := range detected {
		if !slices.Contains(declared, l) {
			out = append(out, l)
		}
	}
	return out
}

func optString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
