package classify

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
)

// AggregateStory is the aggregation that decides labels on the whole
// story rather than on its best window.
//
// A story has hundreds of windows, so a threshold chosen on single
// passages fires by chance on long clean stories. Instead, each label gets
// a story statistic:
//
//	own   = log(1 + max(mass / n, peak / sqrt(1.2)))    n = sqrt((tokens + 200) / 1000)
//	story = own + StoryContext × log(1 + Σ mass of the warning labels / n)
//	            + StoryGroupContext × Σ own of the other labels of its group
//
// where mass is the lexicon weight of the story's windows, each weighed by
// the probability that the window shows the label (naive Bayes, calibrated;
// 1 for lexicon labels), and peak the same for its best window alone.
// Dividing by the square root of the length lets a long story need more
// evidence than a short one, but not in proportion; and one strong scene
// counts as much in a long story as in a story of a thousand words. The
// context terms are small: warnings come together (a story that shows
// abuse tends to show violence; suicide comes with self-harm), which ranks
// stories without evidence of their own, but they never decide alone.
// Sexual content (storyContextGroup) neither adds to the pooled mass nor
// takes the StoryContext term.
//
// A label is detected when its statistic reaches the story threshold of the
// sensitivity and at least one window reaches the label's evidence bar (its
// high-sensitivity window threshold; for lexicon labels EvidenceShare of
// it): a finding always has a passage to show. For sceneLabel only windows
// that are scenes count as passages. Score is
// sigmoid(StorySlope × (story − balanced story threshold)), 0.5 at the
// balanced threshold, but at most noPassageScore without a passage.
const AggregateStory = "story"

// storyContextGroup is the label group left out of the context term:
// sexual content is not a warning of harm, and explicit stories would
// otherwise lift every label.
const storyContextGroup = "sexual-content"

// storyLength is the token count added to a story's length before
// normalising, so that very short texts are not over-weighted.
const storyLength = 200

// peakNorm is the length normaliser of a story of a thousand words.
var peakNorm = math.Sqrt(float64(1000+storyLength) / 1000)

// storyStats returns each label's story statistic (see AggregateStory).
func (m *Model) storyStats(states []labelState, tokens int) []float64 {
	norm := math.Sqrt(float64(tokens+storyLength) / 1000)
	own := make([]float64, len(states))
	pooled := 0.0
	for li := range states {
		// A long story dilutes one scene; its best window, weighed as a
		// story of about a thousand words, keeps it.
		own[li] = math.Log1p(max(states[li].mass/norm, states[li].peak/peakNorm))
		if m.labels[li].Group != storyContextGroup {
			pooled += states[li].mass
		}
	}
	ctx := math.Log1p(pooled / norm)
	beta, gamma := m.manifest.Config.StoryContext, m.manifest.Config.StoryGroupContext
	group := map[string]float64{}
	if gamma != 0 {
		for li := range own {
			group[m.labels[li].Group] += own[li]
		}
	}
	out := make([]float64, len(own))
	for li := range own {
		c := beta * ctx
		if m.labels[li].Group == storyContextGroup {
			// Nor does the pooled mass of harms lift sexual content: a
			// battle scene says nothing of a sex scene.
			c = 0
		}
		out[li] = own[li] + c + gamma*(group[m.labels[li].Group]-own[li])
	}
	return out
}

// decideStory decides label li on its story statistic s against the story
// threshold thr, and on its best window (its raw score topZ) against the
// evidence bar.
func (m *Model) decideStory(li int, topZ, s, thr float64) (float64, bool) {
	score := m.storyScore(li, s)
	if topZ < m.evidenceBar(li) {
		// No passage to show, so no finding: the score stays under the
		// balanced threshold too, so that a reader who thresholds scores
		// at 0.5 does not find what the report does not. Whatever the
		// sensitivity, so that scores do not depend on it. Measured on
		// the development half, AUC and the rating are unchanged.
		return min(score, noPassageScore), false
	}
	return score, s >= thr
}

// noPassageScore is the highest score of a label decided on the story
// without a passage to show: under the balanced threshold's 0.5 at two
// decimals.
const noPassageScore = 0.49

// storyScore maps label li's story statistic s to its Score.
func (m *Model) storyScore(li int, s float64) float64 {
	return sigmoid(m.storySlope() * (s - m.info[li].Story.Balanced))
}

// storySlope is StorySlope, 4 when the manifest leaves it unset.
func (m *Model) storySlope() float64 {
	if slope := m.manifest.Config.StorySlope; slope != 0 {
		return slope
	}
	return 4
}

// evidenceBar is the raw score a window needs to be shown as the passage
// behind a finding: the label's high window threshold, or for a lexicon
// label EvidenceShare of it (a story can show a label through several
// weaker terms, none of them alone at the window threshold).
func (m *Model) evidenceBar(li int) float64 {
	t := m.info[li].Thresholds.High
	if m.nbCol[li] < 0 {
		if f := m.manifest.Config.EvidenceShare; f > 0 {
			return t * f
		}
	}
	return t
}

// defaultStoryThresholds are the story thresholds of a model no corpus has
// calibrated (tagger calibrate sets better ones): balanced is what one
// window at the lexicon's high threshold weighs in a story of about a
// thousand words, low what one at its balanced threshold weighs, and high
// half of balanced's window weight.
func defaultStoryThresholds(lex Thresholds) Thresholds {
	at := func(w float64) float64 { return math.Log1p(w / peakNorm) }
	return Thresholds{Low: at(lex.Balanced), Balanced: at(lex.High), High: at(lex.High / 2)}
}

// StoryTargets are the shares of clean works (see CalibrateStories) that
// may be flagged with any label, per sensitivity.
type StoryTargets struct {
	Low      float64 `json:"low"`
	Balanced float64 `json:"balanced"`
	High     float64 `json:"high"`
}

// DefaultStoryTargets flag at most 4%, 8% and 16% of clean works.
func DefaultStoryTargets() StoryTargets { return StoryTargets{Low: 0.04, Balanced: 0.08, High: 0.16} }

// StoryObservation is one story's label statistics and evidence, as
// Predict gives them, with what its author declared, for calibration.
type StoryObservation struct {
	// Story holds each label's statistic, in taxonomy order.
	Story []float64
	// Evidence tells, per label, whether a window reached the label's
	// evidence bar (see AggregateStory).
	Evidence []bool
	// Clean marks a work whose author declared that no warnings apply and
	// tagged none; Declared marks, per label, a work that declares it.
	Clean    bool
	Declared []bool
}

// Observe returns what calibration needs of a prediction; the caller
// fills in Clean and Declared.
func (m *Model) Observe(r Result) StoryObservation {
	o := StoryObservation{Story: make([]float64, len(r.Labels)), Evidence: make([]bool, len(r.Labels)), Declared: make([]bool, len(r.Labels))}
	for li, l := range r.Labels {
		o.Story[li] = l.Story
		o.Evidence[li] = m.storyEvidence(li, l.topZ)
	}
	return o
}

// MinCleanWorks is the fewest clean works (see StoryObservation.Clean)
// story thresholds are set on: a threshold flags a share of them, and
// with fewer the share is too coarse to aim at.
const MinCleanWorks = 100

// ErrFewCleanWorks is returned when story thresholds would be set on
// fewer than MinCleanWorks clean works.
var ErrFewCleanWorks = errors.New("too few clean works to set story thresholds")

// minCalibrationPositives is the fewest declaring works a label needs for
// its recall to count in calibration.
const minCalibrationPositives = 10

// CalibrateStories returns a copy of m whose story thresholds flag at most
// the target shares of clean works (works whose authors declared that no
// warnings apply and tagged none) with any label, per sensitivity.
//
// Every label starts inactive, above its highest clean work by the gap
// between that and its fifth highest, where it flags no clean work. Then,
// greedily, the label whose next step down gains the most recall on
// declaring works per clean work newly flagged takes that step, until the
// share of flagged clean works would pass the target. A label's first step
// (just above its highest clean work) costs one clean work though it flags
// none: a threshold just above the j-th highest of n clean works flags
// about (j+1)/(n+1) of unseen clean works, not j/n, and without that
// correction the thresholds overshoot their budget on unseen works by
// about one clean work per label. Labels with fewer than ten declaring
// works stay inactive. Thresholds never go below the default high
// story threshold: what one window at half the lexicon's high window
// threshold weighs in a story of a thousand words.
func (m *Model) CalibrateStories(obs []StoryObservation, t StoryTargets) (*Model, error) {
	th, err := calibrateThresholds(obs, t, m.calibrationFloors(), m.keptThresholds(m.hasStoryCol))
	if err != nil {
		return nil, err
	}
	man := m.manifest
	man.Labels = slices.Clone(man.Labels)
	man.Config.Aggregate = AggregateStory
	for i := range man.Labels {
		li := m.labelIdx[man.Labels[i].Label]
		man.Labels[i].Story = th.labels[li]
	}
	man.StoryCalibration = &StoryCalibration{Clean: th.clean, Targets: t, Flagged: th.flagged}
	nm, err := newModel(man, m.lex, m.nb, m.vocab)
	if err != nil {
		return nil, err
	}
	return nm.withStory(m.story, m.storyFile), nil
}

// hasStoryCol reports whether label li is decided by m's story model.
func (m *Model) hasStoryCol(li int) bool { return m.storyCol != nil && m.storyCol[li] >= 0 }

// keptThresholds are, per label, the story thresholds that calibration
// keeps as a minimum for a label it leaves inactive with too few clean
// works to place it above (see calibrateThresholds): the model's own, for
// labels decided on the passage model's statistic; none for labels with a
// trained story model (trained(li)), whose scores are on another scale.
func (m *Model) keptThresholds(trained func(li int) bool) map[int]Thresholds {
	keep := map[int]Thresholds{}
	for _, l := range m.manifest.Labels {
		if li, ok := m.labelIdx[l.Label]; ok && !trained(li) {
			keep[li] = l.Story
		}
	}
	return keep
}

// calibrationFloors are the thresholds under which calibration sets none,
// per label (see CalibrateStories).
func (m *Model) calibrationFloors() []float64 {
	floor := make([]float64, len(m.labels))
	for li := range floor {
		floor[li] = defaultStoryThresholds(m.manifest.Config.LexiconThresholds).High
		if m.storyCol != nil && m.storyCol[li] >= 0 {
			floor[li] = storyFloor
		}
	}
	return floor
}

// CalibrationCV is what cross-validating CalibrateStories measured: the
// thresholds set on all but one fold of the works, applied to the works
// of that fold, pooled over the folds.
type CalibrationCV struct {
	Folds int `json:"folds"`
	// Flagged is the share of held-out clean works with any finding, per
	// sensitivity: what to expect on works the thresholds were not set
	// on (the calibration's own Flagged is lower, as thresholds set at
	// the edge of the clean works fit those works).
	Flagged StoryTargets `json:"flagged"`
	// Recall is the mean, over the labels with ten or more declaring
	// works, of the share of held-out declaring works detected.
	Recall StoryTargets `json:"recall"`
}

// CrossValidateCalibration estimates how CalibrateStories(obs, t) does on
// works it was not calibrated on: obs are dealt into k folds (observation
// i into fold i mod k; one observation per work), thresholds are set on
// the other folds' observations, and the held-out fold is decided with
// them, as Predict decides a story (its statistic reaching the threshold,
// with a passage to show).
func (m *Model) CrossValidateCalibration(obs []StoryObservation, t StoryTargets, k int) (*CalibrationCV, error) {
	if k < 2 || k > len(obs) {
		return nil, fmt.Errorf("calibrate: %d folds for %d works: give 2 or more folds, at most one per work", k, len(obs))
	}
	floors := m.calibrationFloors()
	keep := m.keptThresholds(m.hasStoryCol)
	L := len(floors)
	sens := []Sensitivity{Low, Balanced, High}
	var clean int
	var flagged [3]int
	npos := make([]int, L)
	hits := make([][3]int, L)
	for f := range k {
		var train []StoryObservation
		for i, o := range obs {
			if i%k != f {
				train = append(train, o)
			}
		}
		th, err := calibrateThresholds(train, t, floors, keep)
		if err != nil {
			return nil, fmt.Errorf("fold %d of %d: %w", f+1, k, err)
		}
		for i := f; i < len(obs); i += k {
			o := obs[i]
			if o.Clean {
				clean++
			}
			for s, sv := range sens {
				any := false
				for li := range L {
					if !o.Evidence[li] || o.Story[li] < th.labels[li].at(sv) {
						continue
					}
					any = true
					if o.Declared[li] {
						hits[li][s]++
					}
				}
				if any && o.Clean {
					flagged[s]++
				}
			}
			for li := range L {
				if o.Declared[li] {
					npos[li]++
				}
			}
		}
	}
	cv := &CalibrationCV{Folds: k}
	if clean > 0 {
		cv.Flagged = StoryTargets{Low: float64(flagged[0]) / float64(clean), Balanced: float64(flagged[1]) / float64(clean), High: float64(flagged[2]) / float64(clean)}
	}
	var rec [3]float64
	n := 0
	for li := range L {
		if npos[li] < minCalibrationPositives {
			continue
		}
		n++
		for s := range rec {
			rec[s] += float64(hits[li][s]) / float64(npos[li])
		}
	}
	if n > 0 {
		cv.Recall = StoryTargets{Low: rec[0] / float64(n), Balanced: rec[1] / float64(n), High: rec[2] / float64(n)}
	}
	return cv, nil
}

// WithCalibrationCV returns a copy of m whose manifest records cv, the
// cross-validation of its story calibration.
func (m *Model) WithCalibrationCV(cv *CalibrationCV) *Model {
	c := *m
	if c.manifest.StoryCalibration != nil {
		sc := *c.manifest.StoryCalibration
		sc.CV = cv
		c.manifest.StoryCalibration = &sc
	}
	return &c
}

// calibrated is what calibrateThresholds sets: per label its story
// thresholds, the number of clean works and the shares of them flagged.
type calibrated struct {
	labels  []Thresholds
	clean   int
	flagged StoryTargets
}

// minPlacing is how many clean works with evidence of a label it takes to
// place an inactive label above them (above the highest by the gap to the
// fifth highest; see CalibrateStories).
const minPlacing = 5

// calibrateThresholds is CalibrateStories' greedy search (see there), with
// a floor per label under which no threshold goes. A label left inactive
// with fewer than minPlacing clean works to place it above (a small
// archive, a rare label) keeps at least its thresholds in keep, if any:
// with no clean work that shows it, the floor would make it the most
// sensitive label of all, where it should change least.
func calibrateThresholds(obs []StoryObservation, t StoryTargets, floors []float64, keep map[int]Thresholds) (*calibrated, error) {
	L := len(floors)
	var clean []StoryObservation
	pos := make([][]float64, L) // per label, declaring works' statistics (with evidence)
	npos := make([]int, L)
	for _, o := range obs {
		if o.Clean {
			clean = append(clean, o)
		}
		for li := range L {
			if o.Declared[li] {
				npos[li]++
				if o.Evidence[li] {
					pos[li] = append(pos[li], o.Story[li])
				}
			}
		}
	}
	if len(clean) < MinCleanWorks {
		return nil, fmt.Errorf("calibrate: %d clean works, %d needed: %w", len(clean), MinCleanWorks, ErrFewCleanWorks)
	}
	// Per label, the clean works that could be detected (with evidence),
	// highest statistic first.
	type cw struct {
		s float64
		i int // index in clean
	}
	cand := make([][]cw, L)
	for i, o := range clean {
		for li := range L {
			if o.Evidence[li] {
				cand[li] = append(cand[li], cw{o.Story[li], i})
			}
		}
	}
	for li := range cand {
		slices.SortFunc(cand[li], func(a, b cw) int { return cmp.Compare(b.s, a.s) })
	}
	// With k[li] = j, the threshold sits just above the j-th clean
	// candidate: the j before it are flagged. With k[li] = -1 the label is
	// inactive: above its highest clean candidate by the gap between that
	// and its fifth highest, where unseen clean works rarely reach.
	thrAt := func(li, j int) float64 {
		c := cand[li]
		if j < 0 {
			if len(c) == 0 {
				return floors[li]
			}
			top := c[0].s
			ext := top + (top - c[min(4, len(c)-1)].s)
			return max(floors[li], math.Nextafter(ext, math.Inf(1)))
		}
		if j < len(c) {
			return max(floors[li], math.Nextafter(c[j].s, math.Inf(1)))
		}
		return floors[li]
	}
	recall := func(li int, thr float64) float64 {
		if npos[li] < minCalibrationPositives {
			return 0
		}
		n := 0
		for _, s := range pos[li] {
			if s >= thr {
				n++
			}
		}
		return float64(n) / math.Sqrt(float64(npos[li]))
	}
	// cost is what an active label adds to the clean works flagged beyond
	// those it flags among the calibration works: a threshold just above
	// the j-th of n clean works flags about (j+1)/(n+1) of unseen ones,
	// not j/n.
	cost := func(li, j int) float64 {
		if j < 0 || len(cand[li]) == 0 {
			return 0
		}
		return 1
	}
	k := make([]int, L)
	thr := make([]float64, L)
	hit := make([]int, len(clean)) // labels flagging each clean work
	flaggedN := 0
	extra := 0.0
	setK := func(li, j int) {
		t := thrAt(li, j)
		for _, c := range cand[li] {
			if c.s >= t && c.s < thr[li] {
				if hit[c.i] == 0 {
					flaggedN++
				}
				hit[c.i]++
			}
		}
		extra += cost(li, j) - cost(li, k[li])
		k[li], thr[li] = j, t
	}
	for li := range L {
		thr[li] = math.Inf(1)
		k[li] = -1
		setK(li, -1)
	}
	targets := []float64{t.High, t.Balanced, t.Low}
	slices.Sort(targets)
	snaps := map[float64][]float64{}
	for _, target := range targets {
		budget := target * float64(len(clean))
		for {
			best, bestJ, bestGain := -1, 0, 0.0
			for li := range L {
				if npos[li] < minCalibrationPositives || thr[li] <= floors[li] {
					continue
				}
				base := recall(li, thr[li])
				newly := 0
				for j := k[li] + 1; j <= len(cand[li]); j++ {
					if j > 0 && hit[cand[li][j-1].i] == 0 {
						newly++
					}
					dx := cost(li, j) - cost(li, k[li])
					if float64(flaggedN+newly)+extra+dx > budget {
						break
					}
					if g := (recall(li, thrAt(li, j)) - base) / (float64(newly) + dx + 0.5); g > bestGain {
						best, bestJ, bestGain = li, j, g
					}
					if thrAt(li, j) <= floors[li] {
						break
					}
				}
			}
			if best < 0 {
				break
			}
			setK(best, bestJ)
		}
		snaps[target] = slices.Clone(thr)
	}
	flaggedAt := func(th []float64) float64 {
		n := 0
		for _, o := range clean {
			for li := range L {
				if o.Evidence[li] && o.Story[li] >= th[li] {
					n++
					break
				}
			}
		}
		return float64(n) / float64(len(clean))
	}
	low, bal, high := snaps[t.Low], snaps[t.Balanced], snaps[t.High]
	for li := range L {
		if kt, ok := keep[li]; ok && k[li] < 0 && len(cand[li]) < minPlacing {
			low[li], bal[li], high[li] = max(low[li], kt.Low), max(bal[li], kt.Balanced), max(high[li], kt.High)
		}
	}
	out := &calibrated{clean: len(clean), labels: make([]Thresholds, L),
		flagged: StoryTargets{Low: flaggedAt(low), Balanced: flaggedAt(bal), High: flaggedAt(high)}}
	for li := range L {
		out.labels[li] = Thresholds{Low: max(low[li], bal[li]), Balanced: bal[li], High: min(high[li], bal[li])}
	}
	return out, nil
}

// StoryCalibration records how a model's story thresholds were set.
type StoryCalibration struct {
	// Clean is the number of clean works the thresholds were set on.
	Clean int `json:"clean_works"`
	// Targets are the shares of clean works allowed to be flagged, and
	// Flagged the shares flagged on the calibration works.
	Targets StoryTargets `json:"targets"`
	Flagged StoryTargets `json:"flagged"`
	// Source names the corpus (not shipped with the model).
	Source string `json:"source,omitempty"`
	// CV is the cross-validation of the calibration on the same corpus
	// (nil when not run).
	CV *CalibrationCV `json:"cross_validated,omitempty"`
}

// WithCalibrationSource returns a copy of m whose manifest names the corpus
// its story thresholds were calibrated on.
func (m *Model) WithCalibrationSource(src string) *Model {
	c := *m
	if c.manifest.StoryCalibration != nil && src != "" {
		sc := *c.manifest.StoryCalibration
		sc.Source = src
		c.manifest.StoryCalibration = &sc
	}
	return &c
}
