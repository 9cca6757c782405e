package classify

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/tagger-dev/tagger/classify/linear"
)

// ErrNoStoryLabels is returned when no label of a corpus has enough
// declaring works for a story model.
var ErrNoStoryLabels = errors.New("too few declaring works for a story model")

// ArchiveWarnings are the labels of AO3's four archive warnings (Graphic
// Depictions Of Violence, Major Character Death, Rape/Non-Con, Underage).
// An author who chose not to use archive warnings says nothing of them.
var ArchiveWarnings = []string{"violence", "death", "sexual-abuse", "child-abuse"}

// StoryExample is one work of a training corpus: its story features and
// passage statistics (from PredictVector) and what its author declared.
type StoryExample struct {
	ID, Group string
	// feat holds the story features compactly (see storyFeatures).
	feat storyFeatures
	// Obs holds the passage model's statistics and evidence, whether the
	// work is clean (General or Teen, no archive warnings apply, nothing
	// declared) and, per label, whether the work declares it.
	Obs StoryObservation
	// NoneApply marks a work that declares "No Archive Warnings Apply";
	// HasWarnings one with any warnings field; Implied, per label, a label
	// that only an "Implied", "Referenced", "Mentioned" or "Past" tag
	// declares.
	NoneApply, HasWarnings bool
	Implied                []bool
	// ByRating marks, per label, one that the work's declared rating
	// declares by its definition (pornography under Explicit): the work is
	// no negative for it (nil: none).
	ByRating []bool
	// AnyWindow tells, per label, whether any window of the story was
	// scored for it (the story model's "any" evidence rule).
	AnyWindow []bool
}

// NewStoryExample returns the example of a story predicted by
// PredictVector (r, v); the caller fills in what its author declared.
func (m *Model) NewStoryExample(id, group string, r Result, v StoryVector) StoryExample {
	e := StoryExample{ID: id, Group: group, feat: compactFeatures(v), Obs: m.Observe(r), AnyWindow: make([]bool, len(r.Labels))}
	for li, l := range r.Labels {
		e.AnyWindow[li] = l.topZ > gated
	}
	return e
}

// StoryLabelCV is the cross-validated evaluation of one label: declaring
// and clean works (the work declares that no archive warnings apply and
// does not tag the label), AUC of the out-of-fold scores between them,
// recall and false alarms at balanced; StoryModel tells whether the story
// model scored it (otherwise the passage statistic did).
type StoryLabelCV struct {
	Label      string  `json:"label"`
	Positive   int     `json:"positive"`
	Clean      int     `json:"clean"`
	AUC        float64 `json:"auc"`
	Recall     float64 `json:"recall"`
	FalseAlarm float64 `json:"false_alarm"`
	StoryModel bool    `json:"story_model"`
}

// StoryCV is a grouped K-fold cross-validation of story-model training
// on a corpus: every work is scored by a story model trained without its
// fold, at thresholds calibrated on the other folds' out-of-fold scores.
type StoryCV struct {
	Folds          int            `json:"folds"`
	Seed           uint64         `json:"seed"`
	Stories        int            `json:"stories"`
	Labels         []StoryLabelCV `json:"labels"`
	MeanAUC        float64        `json:"mean_auc"`
	MeanRecall     float64        `json:"mean_recall"`
	MeanFalseAlarm float64        `json:"mean_false_alarm"`
	// CleanWorks and CleanFlagged: clean works, and the share of them
	// with any finding at balanced (at low and high too).
	CleanWorks      int     `json:"clean_works"`
	CleanFlagged    float64 `json:"clean_flagged"`
	CleanFlaggedLow float64 `json:"clean_flagged_low"`
	CleanFlaggedHi  float64 `json:"clean_flagged_high"`
	// KeptDefault are the labels (of those reported) with too few
	// declaring works for a story model: they keep the passage statistic.
	KeptDefault []string `json:"kept_default,omitempty"`
	// Config is the story configuration evaluated.
	Config StoryConfig `json:"config"`
}

// storyTarget returns example e's target and weight for label li under
// cfg, and whether it is labelled at all.
func storyTarget(e *StoryExample, li int, archive bool, cfg StoryConfig) (y, w float64, ok bool) {
	if e.Obs.Declared[li] {
		if e.Implied != nil && e.Implied[li] && cfg.ImpliedWeight > 0 {
			return 1, cfg.ImpliedWeight, true
		}
		return 1, 1, true
	}
	if e.ByRating != nil && e.ByRating[li] {
		return 0, 0, false
	}
	if e.NoneApply {
		return 0, 1, true
	}
	if !archive && cfg.FreeformNegatives == "untagged" && e.HasWarnings {
		return 0, 1, true
	}
	return 0, 0, false
}

// storyFeatures are a work's story features as training holds them, in
// about 4 bytes per distinct word or bigram rather than the 16 of a
// StoryVector and its row of values: the buckets in 16 bits when they fit
// (b16) or 32 (b32), the counts in 16 bits (c16) unless one is over
// 65,535 (c32), and the dense features. Training turns them into values
// one row at a time (storyRows.Row), so a corpus of tens of thousands of
// works fits in a few hundred megabytes.
type storyFeatures struct {
	b16   []uint16
	b32   []uint32
	c16   []uint16
	c32   []uint32
	dense []float32
	bits  int
}

func compactFeatures(v StoryVector) storyFeatures {
	f := storyFeatures{dense: v.Dense, bits: v.Bits}
	if slices.ContainsFunc(v.Counts, func(c float32) bool { return c > math.MaxUint16 }) {
		f.c32 = make([]uint32, len(v.Counts))
		for i, c := range v.Counts {
			f.c32[i] = uint32(c)
		}
	} else {
		f.c16 = make([]uint16, len(v.Counts))
		for i, c := range v.Counts {
			f.c16[i] = uint16(c)
		}
	}
	if v.Bits <= 16 {
		f.b16 = make([]uint16, len(v.Buckets))
		for i, b := range v.Buckets {
			f.b16[i] = uint16(b)
		}
	} else {
		f.b32 = slices.Clone(v.Buckets)
	}
	return f
}

// len returns the number of buckets.
func (f *storyFeatures) len() int { return len(f.c16) + len(f.c32) }

// bucket returns the k-th bucket.
func (f *storyFeatures) bucket(k int) uint32 {
	if f.b32 != nil {
		return f.b32[k]
	}
	return uint32(f.b16[k])
}

// count returns the k-th bucket's count.
func (f *storyFeatures) count(k int) uint32 {
	if f.c32 != nil {
		return f.c32[k]
	}
	return uint32(f.c16[k])
}

// storyData is a corpus prepared for fitting.
type storyData struct {
	rows   *storyRows
	labels []int // model-label indices with a story model
	kept   []int // labels with declaring works but too few for a model
	idf    []float32
	mean   []float32
	scale  []float32
	folds  []int // per example
}

// storyRows are the examples' features as the rows a fit reads (a
// linear.Matrix): per work, its words' values (1 + log count, times the
// IDF when used, L2-normalised), then its dense features standardised,
// computed as a row is read, exactly as wordValues computes them.
type storyRows struct {
	ex          []StoryExample
	words       int // hashed word columns; the dense ones follow
	idf         []float32
	mean, scale []float32
	inv         []float32 // per row, 1 / the norm of its word values
	logc        [256]float64
	logc32      [256]float32 // float32(logc), the value before normalising without IDF
}

func (r *storyRows) Dims() (int, int) { return len(r.ex), r.words + len(r.mean) }

// logCount is 1 + log c.
func (r *storyRows) logCount(c uint32) float64 {
	if int(c) < len(r.logc) {
		return r.logc[c]
	}
	return 1 + math.Log(float64(c))
}

// Row is on the hot path of training (every row is read once per
// evaluation of every label's objective): without IDF, a word's value is
// a table look-up and a multiply.
func (r *storyRows) Row(i int, cols []uint32, vals []float32) ([]uint32, []float32) {
	f := &r.ex[i].feat
	n := f.len()
	cols = slices.Grow(cols[:0], n+len(f.dense))[:n]
	vals = slices.Grow(vals[:0], n+len(f.dense))[:n]
	inv := r.inv[i]
	switch {
	case r.idf == nil && f.b16 != nil && f.c16 != nil:
		b16 := f.b16[:n]
		for k, c := range f.c16 {
			cols[k] = uint32(b16[k])
			if int(c) < len(r.logc32) {
				vals[k] = r.logc32[c] * inv
			} else {
				vals[k] = float32(r.logCount(uint32(c))) * inv
			}
		}
	default:
		for k := range n {
			b := f.bucket(k)
			x := r.logCount(f.count(k))
			if r.idf != nil {
				x *= float64(r.idf[b])
			}
			cols[k], vals[k] = b, float32(x)*inv
		}
	}
	for j, x := range f.dense {
		cols = append(cols, uint32(r.words+j))
		vals = append(vals, (x-r.mean[j])*r.scale[j])
	}
	return cols, vals
}

func (m *Model) prepareStory(ex []StoryExample, cfg StoryConfig) (*storyData, error) {
	L := len(m.labels)
	D := 1 << cfg.HashBits
	nd := numDense(L)
	for i := range ex {
		if len(ex[i].feat.dense) != nd || ex[i].feat.bits != cfg.HashBits {
			return nil, fmt.Errorf("story model: example %s has features for another configuration", ex[i].ID)
		}
	}
	sd := &storyData{}
	for li := range L {
		n := 0
		for i := range ex {
			if ex[i].Obs.Declared[li] {
				n++
			}
		}
		switch {
		case n >= max(cfg.MinPositive, 1):
			sd.labels = append(sd.labels, li)
		case n > 0:
			sd.kept = append(sd.kept, li)
		}
	}
	if len(sd.labels) == 0 {
		return nil, fmt.Errorf("story model: no label has %d declaring works: %w", cfg.MinPositive, ErrNoStoryLabels)
	}
	if cfg.IDF {
		df := make([]int32, D)
		for i := range ex {
			f := &ex[i].feat
			for k := range f.len() {
				df[f.bucket(k)]++
			}
		}
		sd.idf = make([]float32, D)
		for b, n := range df {
			sd.idf[b] = float32(math.Log(float64(1+len(ex))/float64(1+n)) + 1)
		}
	}
	sd.mean, sd.scale = make([]float32, nd), make([]float32, nd)
	for j := range nd {
		var s, ss float64
		for i := range ex {
			x := float64(ex[i].feat.dense[j])
			s += x
			ss += x * x
		}
		mu := s / float64(len(ex))
		std := math.Sqrt(max(ss/float64(len(ex))-mu*mu, 0))
		sd.mean[j] = float32(mu)
		if std > 1e-9 {
			sd.scale[j] = float32(cfg.DenseScale / std)
		}
	}
	rows := &storyRows{ex: ex, words: D, idf: sd.idf, mean: sd.mean, scale: sd.scale, inv: make([]float32, len(ex))}
	for c := range rows.logc {
		rows.logc[c] = 1 + math.Log(float64(c))
		rows.logc32[c] = float32(rows.logc[c])
	}
	for i := range ex {
		f := &ex[i].feat
		norm := 0.0
		for k := range f.len() {
			x := rows.logCount(f.count(k))
			if sd.idf != nil {
				x *= float64(sd.idf[f.bucket(k)])
			}
			norm += x * x
		}
		rows.inv[i] = 1
		if norm > 0 {
			rows.inv[i] = float32(1 / math.Sqrt(norm))
		}
	}
	sd.rows = rows
	groups := make([]string, len(ex))
	clean := make([]bool, len(ex))
	for i := range ex {
		groups[i], clean[i] = ex[i].Group, ex[i].Obs.Clean
	}
	k := max(cfg.Folds, 2)
	// Clean works dealt evenly: each fold's thresholds are set on the
	// clean works of the others, which must number MinCleanWorks.
	fold := stratifiedGroupFolds(groups, clean, k, cfg.Seed)
	sd.folds = make([]int, len(ex))
	for i := range ex {
		sd.folds[i] = fold[groups[i]]
	}
	return sd, nil
}

// fit trains every story label on the examples of train and returns the
// weights per label (columns, then bias last).
func (m *Model) fitStory(ctx context.Context, sd *storyData, ex []StoryExample, train []int, cfg StoryConfig) ([][]float64, error) {
	out := make([][]float64, len(sd.labels))
	errs := make([]error, len(sd.labels))
	archive := make(map[int]bool)
	for _, id := range ArchiveWarnings {
		if li, ok := m.labelIdx[id]; ok {
			archive[li] = true
		}
	}
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for k, li := range sd.labels {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			y, w := make([]float64, len(ex)), make([]float64, len(ex))
			var use []int
			for _, i := range train {
				yy, ww, ok := storyTarget(&ex[i], li, archive[li], cfg)
				if ok {
					y[i], w[i] = yy, ww
					use = append(use, i)
				}
			}
			opt := linear.Options{L2: cfg.L2, Balanced: true, Iterations: cfg.Iterations}
			wt, b, err := linear.FitRows(ctx, sd.rows, use, y, w, opt)
			if err != nil {
				errs[k] = fmt.Errorf("story model %s: %w", m.labels[li].ID, err)
				return
			}
			out[k] = append(wt, b)
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, ctx.Err()
}

// scoreRow returns the log-odds of weights w (bias last) on a row.
func scoreRow(cols []uint32, vals []float32, w []float64) float64 {
	z := w[len(w)-1]
	for e, c := range cols {
		z += w[c] * float64(vals[e])
	}
	return z
}

// storyObs returns the examples' observations with the story labels'
// statistics replaced by scores z (per example, per story label) and
// their evidence read by the story model's rule.
func (m *Model) storyObs(ex []StoryExample, sd *storyData, z [][]float64, cfg StoryConfig) []StoryObservation {
	obs := make([]StoryObservation, len(ex))
	for i := range ex {
		o := ex[i].Obs
		o.Story = slices.Clone(o.Story)
		o.Evidence = slices.Clone(o.Evidence)
		for k, li := range sd.labels {
			o.Story[li] = z[i][k]
			if cfg.Evidence == "any" {
				o.Evidence[li] = ex[i].AnyWindow[li]
			}
		}
		obs[i] = o
	}
	return obs
}

// trained reports whether label li (a model-label index) has a story model.
func (sd *storyData) trained(li int) bool { return slices.Contains(sd.labels, li) }

// storyFloors returns the calibration floor per label: the passage
// statistic's default high threshold, none for story labels.
func (m *Model) storyFloors(sd *storyData) []float64 {
	f := make([]float64, len(m.labels))
	for li := range f {
		f[li] = defaultStoryThresholds(m.manifest.Config.LexiconThresholds).High
	}
	for _, li := range sd.labels {
		f[li] = storyFloor
	}
	return f
}

// CrossValidateStory cross-validates story-model training on ex with
// cfg.Folds folds grouped by work: every work is scored by a model trained
// on the other folds; thresholds for each fold are calibrated on the other
// folds' out-of-fold scores. report lists the labels to report (default:
// every label with ten declaring and ten clean works).
func (m *Model) CrossValidateStory(ctx context.Context, ex []StoryExample, cfg StoryConfig, report []string) (*StoryCV, [][]float64, error) {
	sd, err := m.prepareStory(ex, cfg)
	if err != nil {
		return nil, nil, err
	}
	return m.crossValidate(ctx, sd, ex, cfg, report, max(cfg.Folds, 2))
}

func (m *Model) crossValidate(ctx context.Context, sd *storyData, ex []StoryExample, cfg StoryConfig, report []string, steps int) (*StoryCV, [][]float64, error) {
	works := map[string]bool{}
	for _, e := range ex {
		works[e.Group] = true
	}
	if err := foldsFor(max(cfg.Folds, 2), len(works), "corpus"); err != nil {
		return nil, nil, err
	}
	k := max(cfg.Folds, 2)
	z := make([][]float64, len(ex))
	for f := range k {
		var train, test []int
		for i := range ex {
			if sd.folds[i] == f {
				test = append(test, i)
			} else {
				train = append(train, i)
			}
		}
		if len(test) == 0 {
			continue
		}
		if cfg.Progress != nil {
			cfg.Progress(f+1, steps)
		}
		ws, err := m.fitStory(ctx, sd, ex, train, cfg)
		if err != nil {
			return nil, nil, err
		}
		var cols []uint32
		var vals []float32
		for _, i := range test {
			z[i] = make([]float64, len(sd.labels))
			cols, vals = sd.rows.Row(i, cols, vals)
			for c, w := range ws {
				z[i][c] = scoreRow(cols, vals, w)
			}
		}
	}
	obs := m.storyObs(ex, sd, z, cfg)
	// Decisions per fold at thresholds from the other folds.
	L := len(m.labels)
	det := map[Sensitivity][][]bool{}
	for _, s := range []Sensitivity{Low, Balanced, High} {
		det[s] = make([][]bool, len(ex))
	}
	floors, keep := m.storyFloors(sd), m.keptThresholds(sd.trained)
	for f := range k {
		var cal []StoryObservation
		for i := range ex {
			if sd.folds[i] != f {
				cal = append(cal, obs[i])
			}
		}
		th, err := calibrateThresholds(cal, cfg.Targets, floors, keep)
		if err != nil {
			return nil, nil, fmt.Errorf("fold %d: %w", f+1, err)
		}
		for i := range ex {
			if sd.folds[i] != f {
				continue
			}
			for s := range det {
				d := make([]bool, L)
				for li := range L {
					d[li] = obs[i].Evidence[li] && obs[i].Story[li] >= th.labels[li].at(s)
				}
				det[s][i] = d
			}
		}
	}
	cv := &StoryCV{Folds: k, Seed: cfg.Seed, Stories: len(ex), Config: cfg}
	cv.Config.Progress = nil
	for _, li := range sd.kept {
		if id := m.labels[li].ID; len(report) == 0 || slices.Contains(report, id) {
			cv.KeptDefault = append(cv.KeptDefault, id)
		}
	}
	isStory := map[int]bool{}
	for _, li := range sd.labels {
		isStory[li] = true
	}
	flagged := map[Sensitivity]int{}
	for i := range ex {
		if !ex[i].Obs.Clean {
			continue
		}
		cv.CleanWorks++
		for s, d := range det {
			if slices.Contains(d[i], true) {
				flagged[s]++
			}
		}
	}
	if cv.CleanWorks > 0 {
		n := float64(cv.CleanWorks)
		cv.CleanFlagged, cv.CleanFlaggedLow, cv.CleanFlaggedHi = float64(flagged[Balanced])/n, float64(flagged[Low])/n, float64(flagged[High])/n
	}
	var ids []int
	if len(report) > 0 {
		for _, id := range report {
			li, ok := m.labelIdx[id]
			if !ok {
				return nil, nil, fmt.Errorf("story cv: unknown label %q", id)
			}
			ids = append(ids, li)
		}
	}
	for li := range L {
		var ps, ns []float64
		hits, alarms := 0, 0
		for i := range ex {
			switch {
			case ex[i].Obs.Declared[li]:
				ps = append(ps, obs[i].Story[li])
				if det[Balanced][i][li] {
					hits++
				}
			case ex[i].NoneApply && (ex[i].ByRating == nil || !ex[i].ByRating[li]):
				ns = append(ns, obs[i].Story[li])
				if det[Balanced][i][li] {
					alarms++
				}
			}
		}
		if len(report) == 0 && (len(ps) < 10 || len(ns) < 10) {
			continue
		}
		if len(report) > 0 && !slices.Contains(ids, li) {
			continue
		}
		cv.Labels = append(cv.Labels, StoryLabelCV{Label: m.labels[li].ID, Positive: len(ps), Clean: len(ns),
			AUC: AUC(ps, ns), Recall: frac(hits, len(ps)), FalseAlarm: frac(alarms, len(ns)), StoryModel: isStory[li]})
	}
	if len(ids) > 0 {
		slices.SortStableFunc(cv.Labels, func(a, b StoryLabelCV) int {
			return cmp.Compare(slices.Index(ids, m.labelIdx[a.Label]), slices.Index(ids, m.labelIdx[b.Label]))
		})
	}
	for _, l := range cv.Labels {
		n := float64(len(cv.Labels))
		cv.MeanAUC += l.AUC / n
		cv.MeanRecall += l.Recall / n
		cv.MeanFalseAlarm += l.FalseAlarm / n
	}
	return cv, z, nil
}

func frac(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// AUC is the area under the ROC curve of scores of positives against
// scores of negatives: the Mann-Whitney probability that a positive
// outscores a negative, ties counting half. NaN scores are left out. It is
// 0.5 when either side is empty.
func AUC(pos, neg []float64) float64 {
	isNaN := func(x float64) bool { return x != x }
	pos = slices.DeleteFunc(slices.Clone(pos), isNaN)
	neg = slices.DeleteFunc(slices.Clone(neg), isNaN)
	if len(pos) == 0 || len(neg) == 0 {
		return 0.5
	}
	type sv struct {
		s   float64
		pos bool
	}
	all := make([]sv, 0, len(pos)+len(neg))
	for _, s := range pos {
		all = append(all, sv{s, true})
	}
	for _, s := range neg {
		all = append(all, sv{s, false})
	}
	slices.SortFunc(all, func(a, b sv) int { return cmp.Compare(a.s, b.s) })
	// Sum of the positives' mid-ranks.
	var rankSum float64
	for i := 0; i < len(all); {
		j := i
		for j < len(all) && all[j].s == all[i].s {
			j++
		}
		mid := float64(i+j+1) / 2 // ranks i+1..j
		for k := i; k < j; k++ {
			if all[k].pos {
				rankSum += mid
			}
		}
		i = j
	}
	np, nn := float64(len(pos)), float64(len(neg))
	return (rankSum - np*(np+1)/2) / (np * nn)
}

// TrainStory trains a story model on a corpus (see StoryModel): per label
// with cfg.MinPositive declaring works, a logistic regression on the
// whole-story features, with the archive's declarations as weak labels
// (see StoryConfig). Story thresholds of every label are calibrated on the
// out-of-fold scores of a cfg.Folds-fold cross-validation, which is also
// returned (report: the labels it lists, as in CrossValidateStory). The
// returned model is m with the story model and thresholds.
func (m *Model) TrainStory(ctx context.Context, ex []StoryExample, cfg StoryConfig, report []string) (*Model, *StoryCV, error) {
	sd, err := m.prepareStory(ex, cfg)
	if err != nil {
		return nil, nil, err
	}
	k := max(cfg.Folds, 2)
	cv, z, err := m.crossValidate(ctx, sd, ex, cfg, report, k+1)
	if err != nil {
		return nil, nil, err
	}
	all := make([]int, len(ex))
	for i := range all {
		all[i] = i
	}
	if cfg.Progress != nil {
		cfg.Progress(k+1, k+1)
	}
	ws, err := m.fitStory(ctx, sd, ex, all, cfg)
	if err != nil {
		return nil, nil, err
	}
	// Thresholds on all out-of-fold scores.
	obs := m.storyObs(ex, sd, z, cfg)
	th, err := calibrateThresholds(obs, cfg.Targets, m.storyFloors(sd), m.keptThresholds(sd.trained))
	if err != nil {
		return nil, nil, err
	}
	K := len(sd.labels)
	D := 1 << cfg.HashBits
	nw := D + numDense(len(m.labels))
	sm := &StoryModel{bits: cfg.HashBits, bigram: cfg.Bigrams, labels: sd.labels, idf: sd.idf,
		mean: sd.mean, scale: sd.scale, q: make([]float32, K), bias: make([]float64, K)}
	weights := make([]int16, nw*K)
	for k, w := range ws {
		mx := 0.0
		for _, x := range w[:nw] {
			mx = max(mx, math.Abs(x))
		}
		q := mx / 32767
		if q == 0 {
			q = 1
		}
		sm.q[k], sm.bias[k] = float32(q), w[nw]
		for j, x := range w[:nw] {
			weights[j*K+k] = int16(math.Round(x / float64(float32(q))))
		}
	}
	sm.setWeights(weights)
	ids := make([]string, len(m.labels))
	for i, l := range m.labels {
		ids[i] = l.ID
	}
	var buf bytes.Buffer
	if err := sm.write(&buf, ids); err != nil {
		return nil, nil, err
	}
	// Read back, so the model scores with exactly what is saved.
	sm, err = readStoryModel(buf.Bytes(), m.labelIdx, len(m.labels))
	if err != nil {
		return nil, nil, err
	}
	man := m.manifest
	man.Created = time.Now().UTC().Format(time.RFC3339) // a new model, whatever it was built on
	man.Labels = slices.Clone(man.Labels)
	man.Config.Aggregate = AggregateStory
	c := cfg
	c.Progress = nil // the caller's, not the model's
	man.Config.Story = &c
	npos := make([]int, len(m.labels))
	for i := range ex {
		for li, d := range ex[i].Obs.Declared {
			if d {
				npos[li]++
			}
		}
	}
	for i := range man.Labels {
		li := m.labelIdx[man.Labels[i].Label]
		man.Labels[i].Story = th.labels[li]
		man.Labels[i].StoryModel = slices.Contains(sd.labels, li)
		man.Labels[i].StoryPositive = npos[li]
	}
	man.StoryCalibration = &StoryCalibration{Clean: th.clean, Targets: cfg.Targets, Flagged: th.flagged}
	man.StoryCV = cv
	nm, err := newModel(man, m.lex, m.nb, m.vocab)
	if err != nil {
		return nil, nil, err
	}
	return nm.withStory(sm, buf.Bytes()), cv, nil
}

// storyFloor is the lowest story threshold of a story-model label, on its
// log-odds (trained with balanced class weights): one in e of the odds of
// a declaring work.
const storyFloor = -1.0
