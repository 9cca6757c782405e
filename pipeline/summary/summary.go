// Package summary turns a batch run's rows into the figures and the HTML
// page of `tagger report`.
//
// An Aggregator takes rows one at a time and keeps counts, not rows, so a
// run of millions of stories is summarised in memory bounded by the number
// of labels, fandoms (capped at MaxFandoms) and distinct error messages
// (capped at MaxErrorMessages), plus the Top stories to review, kept in a
// heap of at most Top entries.
package summary

import (
	"cmp"
	"container/heap"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/report"
)

// DefaultTop is how many stories to review a page lists unless told.
const DefaultTop = 50

// Bins is the number of bins of each label's score histogram, over 0..1.
const Bins = 20

// Caps that keep an Aggregator's memory bounded whatever the run's size.
const (
	// MaxErrorMessages caps the distinct error messages counted; later
	// new messages are counted under OtherErrors.
	MaxErrorMessages = 1000
	// MaxFandoms caps the distinct fandoms counted; stories of later new
	// fandoms are counted under OtherFandom.
	MaxFandoms = 20_000
	// MaxPassages caps the evidence passages kept per story to review.
	MaxPassages = 12
	// TopFandoms and TopErrors are how many of each a Summary lists.
	TopFandoms = 15
	TopErrors  = 10
)

// NoFandom is the fandom of stories that declare none, and OtherFandom
// that of stories of fandoms beyond MaxFandoms.
const (
	NoFandom    = "(none declared)"
	OtherFandom = "(other fandoms)"
)

// declaredRatings and predictedRatings are the rows and columns of
// RatingMatrix: the canonical ratings, then "not-rated" (declared only) and
// "missing" (null). Values outside these are counted as "other", shown
// when present.
func declaredRatings() []string {
	return []string{"general", "teen", "mature", "explicit", "not-rated", "missing"}
}

func predictedRatings() []string { return []string{"general", "teen", "mature", "explicit", "missing"} }

// Summary is what a page shows of a run.
type Summary struct {
	Meta Meta

	Stories    int // rows
	Errors     int // rows with an error: not scored
	NotChecked int // rows read but not checked (Row.Note)
	// Checked are the stories scored (neither error nor note): the
	// population of the label, fandom, rating and histogram figures.
	Checked             int
	WithUndeclared      int // checked stories with at least one undeclared warning
	RatingUnderdeclared int // checked stories whose predicted rating is above the declared one

	// ErrorMessages are the commonest error messages, with the story's
	// source replaced by "…" so that one cause is one message.
	ErrorMessages []Count
	// OtherErrors counts the errors not among ErrorMessages.
	OtherErrors int

	// Labels are those detected, declared or undeclared at least once,
	// the most detected first (then the most declared, then taxonomy
	// order).
	Labels []Label

	// Fandoms are the TopFandoms fandoms with the most stories with
	// undeclared warnings; FandomsWithUndeclared counts all of them.
	Fandoms               []Fandom
	FandomsWithUndeclared int

	Ratings RatingMatrix

	// Review are the stories to review, best first: the most undeclared
	// warnings, then the highest undeclared score, then input order; a
	// story flagged only for an under-declared rating comes after those
	// with undeclared warnings, by its rating's confidence.
	Review []Story
}

// Meta is the run's key/value metadata (pipeline.Meta*) and its file.
type Meta struct {
	File, Format                                           string
	Version, Model, Sensitivity, Settings, Created, Schema string
	// ModelHash is the model's content hash (pipeline.MetaModelHash):
	// names repeat (every trained model is custom@0.1.0 unless named).
	ModelHash string
	// Stopped is set when the run stopped before the end of its inputs
	// (pipeline.MetaStopped): the file holds a prefix of them.
	Stopped string
}

// Count is a text and how often it occurs; Example is one source it
// occurred in, for error messages.
type Count struct {
	Text    string
	N       int
	Example string
}

// Label is one label's figures over the checked stories.
type Label struct {
	Label, Group string
	Detected     int
	Declared     int
	Undeclared   int
	// Hist counts the checked stories by score, in Bins bins over 0..1
	// (a score of 1 falls in the last).
	Hist [Bins]int
	// ThresholdMin and ThresholdMax are the least and greatest threshold
	// rows gave the label (equal unless per-label thresholds changed
	// between rows); NaN when no row gave one (an output of row schema 1
	// has no threshold column).
	ThresholdMin, ThresholdMax float64
}

// Fandom is one fandom's undeclared findings over its checked stories.
type Fandom struct {
	Fandom         string
	Stories        int     // checked stories of the fandom
	WithUndeclared int     // of them, those with an undeclared warning
	Findings       int     // undeclared warnings, summed over its stories
	ByLabel        []Count // undeclared warnings by label, commonest first
}

// RatingMatrix counts checked stories by declared (rows) and predicted
// (columns) rating.
type RatingMatrix struct {
	Declared  []string
	Predicted []string
	Cells     [][]int // [declared][predicted]
}

// Story is a story to review.
type Story struct {
	Rank   int // 1-based, in Summary.Review
	Row    int // 1-based position in the output
	ID     string
	Source string
	Title  string
	// Fandoms, DeclaredRating, PredictedRating and WarningStatus are as
	// in the row ("" for null).
	Fandoms         []string
	DeclaredRating  string
	PredictedRating string
	WarningStatus   string
	Undeclared      []Finding // by score, highest first
	MaxScore        float64   // the highest undeclared score (0 without one)
	// RatingUnderdeclared is the row's rating_underdeclared, and
	// RatingConfidence its rating_confidence.
	RatingUnderdeclared bool
	RatingConfidence    float64
	// Evidence are its passages, those of undeclared labels first, at
	// most MaxPassages; MorePassages counts the rest.
	Evidence     []Passage
	MorePassages int
}

// Finding is an undeclared label and its score.
type Finding struct {
	Label string
	Score float64
}

// Passage is a passage of evidence of a story to review.
type Passage struct {
	Label              string
	Undeclared         bool
	Score              float64
	LineStart, LineEnd int32
	Snippet            string
}

// Read summarises the output of `tagger run` at path (.parquet, .jsonl or
// .ndjson), reading it as a stream, and keeps top stories to review. A
// file that is not an output fails with an error wrapping
// pipeline.ErrNotOutput.
func Read(ctx context.Context, path string, top int) (*Summary, error) {
	kv, err := pipeline.ReadOutputMeta(path)
	if err != nil {
		return nil, err
	}
	format, err := pipeline.NewSinkFormat(path)
	if err != nil {
		return nil, err
	}
	a := New(top)
	if err := pipeline.ScanRows(ctx, path, func(r *pipeline.Row) error { a.Add(r); return nil }); err != nil {
		return nil, err
	}
	if a.rows == 0 && len(kv) == 0 {
		// No row and no metadata (a JSONL output keeps its metadata
		// beside it, a Parquet one inside): nothing says tagger wrote it.
		return nil, fmt.Errorf("%s: %w: it holds no row, and no metadata of a run (give the file tagger run wrote, with its %s beside a .jsonl)", path, pipeline.ErrNotOutput, pipeline.MetaSuffix)
	}
	s := a.Summary()
	c := report.Clean
	s.Meta = Meta{
		File: c(path), Format: format,
		Version: c(kv[pipeline.MetaVersion]), Model: c(kv[pipeline.MetaModel]), Sensitivity: c(kv[pipeline.MetaSensitivity]),
		Settings: c(kv[pipeline.MetaSettings]), Created: c(kv[pipeline.MetaCreated]), Schema: c(kv[pipeline.MetaSchema]),
		Stopped: c(kv[pipeline.MetaStopped]), ModelHash: c(kv[pipeline.MetaModelHash]),
	}
	return s, nil
}

// Aggregator summarises rows added one at a time. Its memory is bounded
// (see the package doc); it is used from one goroutine.
type Aggregator struct {
	top  int
	rows int
	s    Summary // the counts; lists are filled in by Summary

	labelIndex map[string]int
	labels     []*labelAgg

	errors map[string]*Count

	fandoms map[string]*fandomAgg

	declared, predicted []string // declaredRatings, predictedRatings
	ratings             [][]int  // [declared][predicted], "other" last in each

	review reviewHeap
}

type labelAgg struct {
	Label
	order int // taxonomy order: first seen in a row's labels
}

type fandomAgg struct {
	stories, withUndeclared, findings int
	byLabel                           []int // by label index
}

// New returns an Aggregator that keeps top stories to review (none when
// top ≤ 0).
func New(top int) *Aggregator {
	a := &Aggregator{
		top:        max(top, 0),
		labelIndex: map[string]int{},
		errors:     map[string]*Count{},
		fandoms:    map[string]*fandomAgg{},
		declared:   declaredRatings(),
		predicted:  predictedRatings(),
	}
	a.ratings = make([][]int, len(a.declared)+1)
	for i := range a.ratings {
		a.ratings[i] = make([]int, len(a.predicted)+1)
	}
	return a
}

// label returns the aggregate of name, adding it (cloned: the row's strings
// may be the reader's buffers) the first time.
func (a *Aggregator) label(name, group string) *labelAgg {
	if i, ok := a.labelIndex[name]; ok {
		if a.labels[i].Group == "" {
			a.labels[i].Group = strings.Clone(group)
		}
		return a.labels[i]
	}
	l := &labelAgg{Label: Label{Label: strings.Clone(name), Group: strings.Clone(group), ThresholdMin: math.NaN(), ThresholdMax: math.NaN()}, order: len(a.labels)}
	a.labelIndex[l.Label.Label] = len(a.labels)
	a.labels = append(a.labels, l)
	return l
}

// Add counts one row; rows are numbered in the order they are added.
func (a *Aggregator) Add(r *pipeline.Row) {
	r = shown(r)
	a.rows++
	a.s.Stories++
	switch {
	case r.Error != nil:
		a.s.Errors++
		a.addError(*r.Error, r.Source)
		return
	case r.Note != nil:
		a.s.NotChecked++
		return
	}
	a.s.Checked++
	for _, ls := range r.Labels {
		l := a.label(ls.Label, ls.Group)
		if !math.IsNaN(ls.Score) {
			l.Hist[min(max(int(ls.Score*Bins), 0), Bins-1)]++
		}
		if ls.Threshold <= 0 {
			continue // unknown: an output of row schema 1 has no threshold, read as 0
		}
		if math.IsNaN(l.ThresholdMin) || ls.Threshold < l.ThresholdMin {
			l.ThresholdMin = ls.Threshold
		}
		if math.IsNaN(l.ThresholdMax) || ls.Threshold > l.ThresholdMax {
			l.ThresholdMax = ls.Threshold
		}
	}
	for _, w := range r.DetectedWarnings {
		a.label(w, "").Detected++
	}
	for _, w := range r.DeclaredWarnings {
		a.label(w, "").Declared++
	}
	for _, w := range r.UndeclaredWarnings {
		a.label(w, "").Undeclared++
	}
	if len(r.UndeclaredWarnings) > 0 {
		a.s.WithUndeclared++
	}
	if r.RatingUnderdeclared != nil && *r.RatingUnderdeclared {
		a.s.RatingUnderdeclared++
	}
	a.ratings[ratingIndex(a.declared, r.DeclaredRating)][ratingIndex(a.predicted, r.PredictedRating)]++
	a.addFandoms(r)
	a.addReview(r)
}

// ratingIndex is the row or column of a rating in names: "missing" for
// null, one past the end ("other") for a value not among them.
func ratingIndex(names []string, rating *string) int {
	v := "missing"
	if rating != nil {
		v = *rating
	}
	if i := slices.Index(names, v); i >= 0 {
		return i
	}
	return len(names)
}

// addError counts an error message, with the story's source taken out so
// that stories failing for one reason share one message.
func (a *Aggregator) addError(msg, source string) {
	if source != "" {
		msg = strings.ReplaceAll(msg, source, "…")
	}
	if c, ok := a.errors[msg]; ok {
		c.N++
		return
	}
	if len(a.errors) >= MaxErrorMessages {
		a.s.OtherErrors++
		return
	}
	a.errors[strings.Clone(msg)] = &Count{Text: strings.Clone(msg), N: 1, Example: strings.Clone(source)}
}

// addFandoms counts a checked row under each fandom it declares, or under
// NoFandom.
func (a *Aggregator) addFandoms(r *pipeline.Row) {
	add := func(name string) {
		f, ok := a.fandoms[name]
		if !ok {
			if len(a.fandoms) >= MaxFandoms {
				name = OtherFandom
				f, ok = a.fandoms[name]
			}
			if !ok {
				f = &fandomAgg{}
				a.fandoms[strings.Clone(name)] = f
			}
		}
		f.stories++
		if len(r.UndeclaredWarnings) == 0 {
			return
		}
		f.withUndeclared++
		f.findings += len(r.UndeclaredWarnings)
		for _, w := range r.UndeclaredWarnings {
			i := a.labelIndex[w] // added by Add before
			if i >= len(f.byLabel) {
				f.byLabel = append(f.byLabel, make([]int, i+1-len(f.byLabel))...)
			}
			f.byLabel[i]++
		}
	}
	if len(r.Fandoms) == 0 {
		add(NoFandom)
		return
	}
	for i, name := range r.Fandoms {
		if !slices.Contains(r.Fandoms[:i], name) { // a fandom listed twice counts once
			add(name)
		}
	}
}

// reviewKey orders stories to review: more undeclared warnings, then a
// higher undeclared score, then earlier in the output come first.
type reviewKey struct {
	count int
	score float64
	row   int
}

// before reports whether k is reviewed before o.
func (k reviewKey) before(o reviewKey) bool {
	if k.count != o.count {
		return k.count > o.count
	}
	if k.score != o.score {
		return k.score > o.score
	}
	return k.row < o.row
}

// addReview keeps the row among the stories to review if it is one of the
// top so far; only then is it copied.
func (a *Aggregator) addReview(r *pipeline.Row) {
	ratingFlag := r.RatingUnderdeclared != nil && *r.RatingUnderdeclared
	if a.top == 0 || len(r.UndeclaredWarnings) == 0 && !ratingFlag {
		return
	}
	var findings []Finding
	key := reviewKey{count: len(r.UndeclaredWarnings), score: math.Inf(-1), row: a.rows}
	if len(r.UndeclaredWarnings) == 0 && r.RatingConfidence != nil {
		key.score = *r.RatingConfidence // a rating flag only: by its confidence
	}
	for _, w := range r.UndeclaredWarnings {
		score := math.NaN()
		for _, ls := range r.Labels {
			if ls.Label == w {
				score = ls.Score
				break
			}
		}
		if score > key.score {
			key.score = score
		}
		findings = append(findings, Finding{Label: w, Score: score})
	}
	if len(a.review) == a.top && !key.before(a.review[0].key) {
		return
	}
	st := storyOf(r, findings, key)
	if len(a.review) < a.top {
		heap.Push(&a.review, st)
		return
	}
	a.review[0] = st
	heap.Fix(&a.review, 0)
}

// storyOf copies what a page shows of a story to review; strings are
// cloned, since the row's may be the reader's buffers.
func storyOf(r *pipeline.Row, findings []Finding, key reviewKey) reviewItem {
	opt := func(p *string) string {
		if p == nil {
			return ""
		}
		return strings.Clone(*p)
	}
	st := Story{
		Row: key.row, ID: strings.Clone(r.ID), Source: strings.Clone(r.Source), Title: opt(r.Title),
		DeclaredRating: opt(r.DeclaredRating), PredictedRating: opt(r.PredictedRating), WarningStatus: opt(r.WarningStatus),
		MaxScore: key.score, RatingUnderdeclared: r.RatingUnderdeclared != nil && *r.RatingUnderdeclared,
	}
	if r.RatingConfidence != nil {
		st.RatingConfidence = *r.RatingConfidence
	}
	if len(findings) == 0 {
		st.MaxScore = 0 // a rating flag only: no undeclared label
	}
	for _, f := range r.Fandoms {
		st.Fandoms = append(st.Fandoms, strings.Clone(f))
	}
	for _, f := range findings {
		st.Undeclared = append(st.Undeclared, Finding{Label: strings.Clone(f.Label), Score: f.Score})
	}
	slices.SortStableFunc(st.Undeclared, func(x, y Finding) int { return cmp.Compare(y.Score, x.Score) })
	// The rating's passages first when it is flagged, then those of
	// undeclared labels, then the rest, each group in the row's order
	// (best first per label).
	if st.RatingUnderdeclared {
		for _, e := range r.RatingEvidence {
			if len(st.Evidence) == MaxPassages {
				st.MorePassages++
				continue
			}
			st.Evidence = append(st.Evidence, Passage{Label: "rating: " + strings.Clone(e.Label), Undeclared: true, Score: e.Score,
				LineStart: e.LineStart, LineEnd: e.LineEnd, Snippet: strings.Clone(e.Snippet)})
		}
	}
	for _, undeclared := range []bool{true, false} {
		for _, e := range r.Evidence {
			if slices.Contains(r.UndeclaredWarnings, e.Label) != undeclared {
				continue
			}
			if len(st.Evidence) == MaxPassages {
				st.MorePassages++
				continue
			}
			st.Evidence = append(st.Evidence, Passage{Label: strings.Clone(e.Label), Undeclared: undeclared, Score: e.Score,
				LineStart: e.LineStart, LineEnd: e.LineEnd, Snippet: strings.Clone(e.Snippet)})
		}
	}
	return reviewItem{key: key, story: st}
}

type reviewItem struct {
	key   reviewKey
	story Story
}

// reviewHeap is a min-heap of the stories to review: the root is the one
// reviewed last, the first to give way to a better one.
type reviewHeap []reviewItem

func (h reviewHeap) Len() int           { return len(h) }
func (h reviewHeap) Less(i, j int) bool { return h[j].key.before(h[i].key) }
func (h reviewHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *reviewHeap) Push(x any)        { *h = append(*h, x.(reviewItem)) }
func (h *reviewHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Sizes reports how much the Aggregator holds: stories to review, labels,
// fandoms and distinct error messages. It is there to check that memory
// stays bounded.
func (a *Aggregator) Sizes() (review, labels, fandoms, errors int) {
	return len(a.review), len(a.labels), len(a.fandoms), len(a.errors)
}

// Summary returns the figures of the rows added so far; Meta is left
// empty. The Aggregator may go on taking rows.
func (a *Aggregator) Summary() *Summary {
	s := a.s // a copy: the lists below are built afresh
	for _, l := range a.labels {
		if l.Detected+l.Declared+l.Undeclared > 0 {
			s.Labels = append(s.Labels, l.Label)
		}
	}
	order := func(name string) int { return a.labels[a.labelIndex[name]].order }
	slices.SortStableFunc(s.Labels, func(x, y Label) int {
		return cmp.Or(cmp.Compare(y.Detected, x.Detected), cmp.Compare(y.Declared, x.Declared), cmp.Compare(order(x.Label), order(y.Label)))
	})

	for _, c := range a.errors {
		s.ErrorMessages = append(s.ErrorMessages, *c)
	}
	slices.SortFunc(s.ErrorMessages, func(x, y Count) int { return cmp.Or(cmp.Compare(y.N, x.N), strings.Compare(x.Text, y.Text)) })
	for _, c := range s.ErrorMessages[min(TopErrors, len(s.ErrorMessages)):] {
		s.OtherErrors += c.N
	}
	s.ErrorMessages = s.ErrorMessages[:min(TopErrors, len(s.ErrorMessages))]

	s.Fandoms = nil
	for name, f := range a.fandoms {
		if f.withUndeclared == 0 {
			continue
		}
		s.FandomsWithUndeclared++
		fd := Fandom{Fandom: name, Stories: f.stories, WithUndeclared: f.withUndeclared, Findings: f.findings}
		for i, n := range f.byLabel {
			if n > 0 {
				fd.ByLabel = append(fd.ByLabel, Count{Text: a.labels[i].Label.Label, N: n})
			}
		}
		slices.SortStableFunc(fd.ByLabel, func(x, y Count) int { return cmp.Compare(y.N, x.N) })
		s.Fandoms = append(s.Fandoms, fd)
	}
	slices.SortFunc(s.Fandoms, func(x, y Fandom) int {
		return cmp.Or(cmp.Compare(y.WithUndeclared, x.WithUndeclared), cmp.Compare(y.Findings, x.Findings), strings.Compare(x.Fandom, y.Fandom))
	})
	s.Fandoms = s.Fandoms[:min(TopFandoms, len(s.Fandoms))]

	s.Ratings = a.ratingMatrix()

	items := slices.Clone(a.review)
	slices.SortFunc(items, func(x, y reviewItem) int {
		if x.key.before(y.key) {
			return -1
		}
		return 1
	})
	for i, it := range items {
		it.story.Rank = i + 1
		s.Review = append(s.Review, it.story)
	}
	return &s
}

// ratingMatrix is the matrix of ratings, with an "other" row or column
// only when some rating is outside the known ones.
func (a *Aggregator) ratingMatrix() RatingMatrix {
	m := RatingMatrix{Declared: slices.Clone(a.declared), Predicted: slices.Clone(a.predicted)}
	otherRow := slices.ContainsFunc(a.ratings[len(a.declared)], func(n int) bool { return n > 0 })
	otherCol := slices.ContainsFunc(a.ratings, func(row []int) bool { return row[len(a.predicted)] > 0 })
	if otherRow {
		m.Declared = append(m.Declared, "other")
	}
	if otherCol {
		m.Predicted = append(m.Predicted, "other")
	}
	for i := range m.Declared {
		m.Cells = append(m.Cells, slices.Clone(a.ratings[i][:len(m.Predicted)]))
	}
	return m
}

// String is a one-line account of s, for logs.
func (s *Summary) String() string {
	return fmt.Sprintf("%d stories: %d checked, %d errors, %d not checked, %d with undeclared warnings", s.Stories, s.Checked, s.Errors, s.NotChecked, s.WithUndeclared)
}

// shown returns r, or a copy of it whose strings from the story (title,
// source, fandoms, error, passages, declared values) have their control,
// bidi and hiding characters escaped as report.Clean does: the page must
// not let a title reorder or hide what a moderator reads, as check's
// reports do not.
func shown(r *pipeline.Row) *pipeline.Row {
	if rowClean(r) {
		return r
	}
	c := *r
	cl := report.Clean
	c.ID, c.Source = cl(r.ID), cl(r.Source)
	for _, p := range []**string{&c.Title, &c.Error, &c.Note, &c.DeclaredRating, &c.PredictedRating, &c.WarningStatus} {
		if *p != nil {
			s := cl(**p)
			*p = &s
		}
	}
	for _, l := range []*[]string{&c.Fandoms, &c.DeclaredWarnings, &c.UndeclaredWarnings, &c.DetectedWarnings} {
		out := make([]string, len(*l))
		for i, s := range *l {
			out[i] = cl(s)
		}
		*l = out
	}
	ev := make([]pipeline.Evidence, len(r.Evidence))
	for i, e := range r.Evidence {
		e.Label, e.Snippet = cl(e.Label), report.CleanLine(e.Snippet)
		ev[i] = e
	}
	c.Evidence = ev
	return &c
}

// rowClean reports whether r has nothing shown() would escape.
func rowClean(r *pipeline.Row) bool {
	clean := func(s string) bool { return report.Clean(s) == s }
	for _, s := range []string{r.ID, r.Source} {
		if !clean(s) {
			return false
		}
	}
	for _, p := range []*string{r.Title, r.Error, r.Note, r.DeclaredRating, r.PredictedRating, r.WarningStatus} {
		if p != nil && !clean(*p) {
			return false
		}
	}
	for _, l := range [][]string{r.Fandoms, r.DeclaredWarnings, r.UndeclaredWarnings, r.DetectedWarnings} {
		for _, s := range l {
			if !clean(s) {
				return false
			}
		}
	}
	for _, e := range r.Evidence {
		if !clean(e.Label) || report.CleanLine(e.Snippet) != e.Snippet {
			return false
		}
	}
	return true
}
