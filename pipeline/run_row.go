package pipeline

import (
	"slices"
	"unsafe"

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
		Summary: optString(d.Summary), Language: optString(declaredLanguage(d.Language)),
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
	r.Labels = make([]LabelScore, 0, len(res.Labels))
	for _, l := range res.Labels {
		r.Labels = append(r.Labels, LabelScore{Label: l.Label, Group: l.Group, Score: l.Score, Threshold: l.Threshold, Detected: l.Detected,
			Source: string(l.Source), Passages: int32(l.Passages)})
	}
	r.DetectedWarnings = slices.Clip(append(r.DetectedWarnings, res.Detected...))
	if d.WarningStatus != taxonomy.StateChoseNotToWarn {
		r.UndeclaredWarnings = Undeclared(res.Detected, d.DeclaredWarnings, d.DeclaredRating)
	}
	r.Evidence = rowEvidence(make([]Evidence, 0, len(res.Evidence)), res.Evidence)
	r.RatingEvidence = rowEvidence(make([]Evidence, 0, len(res.RatingEvidence)), res.RatingEvidence)
	return r
}

// detach makes r hold its own copy of the strings it took from its story's
// header, which lie in the story's text (a text story's header values are
// slices of it), so that the text can be recycled: the strings in one
// allocation, the lists in another (new slices: the story's may be shared).
// The model's strings (labels, snippets) are its own already.
func (r *Row) detach() {
	fields := [...]*string{&r.ID, r.Title, r.Summary, r.Language, r.DeclaredRating, r.DeclaredRatingRaw, r.RatingSystem, r.WarningStatus}
	lists := [...]*[]string{&r.Authors, &r.Fandoms, &r.Relationships, &r.Characters, &r.Tags,
		&r.DeclaredWarnings, &r.DeclaredWarningsRaw, &r.UnmappedWarnings, &r.NegatedWarnings}
	n, items := 0, 0
	for _, f := range fields {
		if f != nil {
			n += len(*f)
		}
	}
	for _, l := range lists {
		items += len(*l)
		for _, v := range *l {
			n += len(v)
		}
	}
	buf := make([]byte, 0, n)
	for _, f := range fields {
		if f != nil {
			buf = append(buf, *f...)
		}
	}
	for _, l := range lists {
		for _, v := range *l {
			buf = append(buf, v...)
		}
	}
	all := unsafe.String(unsafe.SliceData(buf), len(buf)) // buf is not written again
	take := func(s string) string {
		v := all[:len(s)]
		all = all[len(s):]
		return v
	}
	for _, f := range fields {
		if f != nil {
			*f = take(*f)
		}
	}
	strs := make([]string, items)
	for _, l := range lists {
		if len(*l) == 0 {
			continue
		}
		own := strs[:len(*l):len(*l)]
		strs = strs[len(*l):]
		for i, v := range *l {
			own[i] = take(v)
		}
		*l = own
	}
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
// the order detected: neither among the declared warnings nor among the
// labels the declared rating (canonical, "explicit") declares by its
// definition (see taxonomy.Level.Declares).
func Undeclared(detected, declared []string, rating string) []string {
	out := []string{}
	for _, l := range detected {
		if !slices.Contains(declared, l) && !RatingDeclares(rating, l) {
			out = append(out, l)
		}
	}
	return out
}

// RatingDeclares reports whether a story rated rating (canonical:
// "explicit") declares label by the rating's definition (see
// taxonomy.Level.Declares).
func RatingDeclares(rating, label string) bool {
	lv, _ := taxonomy.ParseLevel(rating)
	return slices.Contains(lv.Declares(), label)
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

// declaredLanguage is a declared language as its ISO 639-1 code when it
// names one ("English" is en), so that the column holds codes whether a
// header declares the language or the text tells it; other values (a
// language in its own name, "Español") are kept as declared.
func declaredLanguage(s string) string {
	if code, ok := classify.LanguageCode(s); ok {
		return code
	}
	return s
}
