package classify

import (
	"cmp"
	"math"
	"slices"

	"github.com/tagger-dev/tagger/taxonomy"
)

// Rating cues: the lexicon's "rating:" sections.
const (
	cueSexual = iota
	cueViolence
	cueLanguage
	numCues
)

// cueNames name the cues in rating evidence (Evidence.Label).
var cueNames = [numCues]string{"sexual", "violence", "language"}

// RatingCues are summed cue weights of one window.
type RatingCues [numCues]float64

// Sexual, Violence and Language name the cues.
func (c RatingCues) Sexual() float64   { return c[cueSexual] }
func (c RatingCues) Violence() float64 { return c[cueViolence] }
func (c RatingCues) Language() float64 { return c[cueLanguage] }

func (c RatingCues) max(o RatingCues) RatingCues {
	for i := range c {
		c[i] = max(c[i], o[i])
	}
	return c
}

func ratingCue(label string) (int, bool) {
	switch label {
	case "rating:sexual":
		return cueSexual, true
	case "rating:violence":
		return cueViolence, true
	case "rating:language":
		return cueLanguage, true
	}
	return 0, false
}

// RatingConfig says how a story's rating cues become a predicted rating on
// AO3's scale.
//
// With Cuts set, the rating is ordinal: the story's rating score (see
// RatingWeights) against three cut points, the lowest scores General, then
// Teen, Mature and Explicit; a detected pornography label makes a story
// Explicit whatever its score. The cut points (and the weights, from a
// small grid) are fitted to declared ratings by FitRating. Without Cuts
// (models from before), the strongest window's cue weights are compared
// with the levels below.
type RatingConfig struct {
	ExplicitSexual float64 `json:"explicit_sexual"`
	MatureSexual   float64 `json:"mature_sexual"`
	MatureViolence float64 `json:"mature_violence"`
	MatureLanguage float64 `json:"mature_language"`
	TeenSexual     float64 `json:"teen_sexual"`
	TeenViolence   float64 `json:"teen_violence"`
	TeenLanguage   float64 `json:"teen_language"`

	// Weights of the rating score.
	Weights RatingWeights `json:"weights,omitzero"`
	// Cuts are the scores at which Teen, Mature and Explicit start.
	Cuts []float64 `json:"cuts,omitempty"`
	// ExplicitPorn is a pornography score at or above which a story is
	// Explicit although pornography is not detected at the sensitivity in
	// use (0: only a detection makes it Explicit). Chapter text of an
	// Explicit work often reads pornographic without reaching the
	// detection threshold, which is set for false alarms on clean works,
	// not for ratings; FitRating chooses it.
	ExplicitPorn float64 `json:"explicit_porn,omitempty"`
	// FlagConfidence is the confidence (see Result.RatingConfidence) a
	// prediction needs to raise "rating under-declared".
	FlagConfidence float64 `json:"flag_confidence,omitempty"`
	// Fit records what the cut points were fitted on.
	Fit *RatingFit `json:"fit,omitempty"`
}

// RatingWeights weigh the parts of the rating score. The score is
// log(1+sexual) + Language·log(1+language) + Violence·log(1+violence) +
// Porn·p(pornography) + Dark·max p(violence, blood-gore, death,
// sexual-abuse), where sexual, language and violence are the story's
// summed cue weights and p a label's score: the amount of sexual content
// sets the scale, and strong language, violence and dark content lift it.
type RatingWeights struct {
	Language float64 `json:"language"`
	Violence float64 `json:"violence"`
	Porn     float64 `json:"porn"`
	Dark     float64 `json:"dark"`
}

// RatingFit records a fit of the rating settings (FitRating).
type RatingFit struct {
	Source string `json:"source,omitempty"`
	Works  int    `json:"works"`
	// Exact and WithinOne are the agreement on the works fitted on
	// (in-sample).
	Exact     float64 `json:"exact"`
	WithinOne float64 `json:"within_one"`
	// Predicted counts the works fitted on predicted at each level,
	// General to Explicit (nil in fits from before it was recorded).
	Predicted []int `json:"predicted,omitempty"`
}

// Never names the levels, General to Explicit, at which no work of the fit
// was predicted: a fit for exact agreement gives up a level that text reads
// like its neighbours (Mature, in chapter-1 text), and then predicts it for
// no story.
func (f *RatingFit) Never() []string {
	var out []string
	for i, n := range f.Predicted {
		if n == 0 {
			out = append(out, (taxonomy.General + taxonomy.Level(i)).String())
		}
	}
	return out
}

// DefaultRatingConfig returns the default cue levels.
func DefaultRatingConfig() RatingConfig {
	return RatingConfig{
		ExplicitSexual: 4, MatureSexual: 2, MatureViolence: 8, MatureLanguage: 6,
		TeenSexual: 1, TeenViolence: 3, TeenLanguage: 2,
	}
}

// darkLabels lift the rating score: content AO3 rates Mature or above when
// graphic.
var darkLabels = []string{"violence", "blood-gore", "death", "sexual-abuse"}

// ratingInputs are what the rating of one story is decided on.
type ratingInputs struct {
	max, total RatingCues // strongest window's and the story's cue weights
	porn, dark float64    // scores of pornography and the darkest label
	pornHit    bool       // pornography detected
	// warned is the highest score of a detected label (0 for none).
	warned float64
}

// explicit reports whether in's pornography makes the story Explicit:
// detected, or scored at least explicitPorn (above 0).
func (in ratingInputs) explicit(explicitPorn float64) bool {
	return in.pornHit || explicitPorn > 0 && in.porn >= explicitPorn
}

// floor is the lowest level in's detections allow: Explicit with
// pornography detected or scored at least explicitPorn
// (RatingConfig.ExplicitPorn), Teen with any other warning detected (AO3
// rates works with warnable content Teen at least), else General.
func (in ratingInputs) floor(explicitPorn float64) taxonomy.Level {
	switch {
	case in.explicit(explicitPorn):
		return taxonomy.Explicit
	case in.warned > 0:
		return taxonomy.Teen
	}
	return taxonomy.General
}

// inputs gathers a result's rating inputs.
func (m *Model) ratingInputs(res *Result) ratingInputs {
	in := ratingInputs{max: res.RatingCues, total: res.RatingTotals}
	for _, l := range res.Labels {
		if l.Detected {
			in.warned = max(in.warned, l.Score)
		}
		switch {
		case l.Label == "pornography":
			in.porn, in.pornHit = l.Score, l.Detected
		case slices.Contains(darkLabels, l.Label):
			in.dark = max(in.dark, l.Score)
		}
	}
	return in
}

// score is the rating score of in.
func (w RatingWeights) score(in ratingInputs) float64 {
	return math.Log1p(in.total[cueSexual]) + w.Language*math.Log1p(in.total[cueLanguage]) +
		w.Violence*math.Log1p(in.total[cueViolence]) + w.Porn*in.porn + w.Dark*in.dark
}

// parts are the terms of the rating score, per cue (sexual, violence,
// language), for choosing the evidence of a rating.
func (w RatingWeights) parts(in ratingInputs) RatingCues {
	return RatingCues{math.Log1p(in.total[cueSexual]) + w.Porn*in.porn,
		w.Violence*math.Log1p(in.total[cueViolence]) + w.Dark*in.dark,
		w.Language * math.Log1p(in.total[cueLanguage])}
}

// ratingConfidenceSlope turns a score's distance from its level's lower
// cut point into a confidence: one score unit past the cut is 0.88.
const ratingConfidenceSlope = 2

// decide returns the predicted level, the rating score and the confidence
// that the text calls for at least that level.
func (rc RatingConfig) decide(in ratingInputs, detected []string) (taxonomy.Level, float64, float64) {
	if len(rc.Cuts) != 3 {
		lv := rc.predict(in.max, detected)
		return lv, math.NaN(), 1
	}
	s := rc.Weights.score(in)
	lv := taxonomy.General + taxonomy.Level(levelOf(s, rc.Cuts))
	conf := 1.0
	if lv > taxonomy.General {
		conf = sigmoid(ratingConfidenceSlope * (s - rc.Cuts[lv-taxonomy.Teen]))
	}
	// A detection sets a floor, with the detection's own confidence: the
	// pornography score for Explicit, the strongest detection for Teen.
	f := in.floor(rc.ExplicitPorn)
	fconf := in.warned
	if f == taxonomy.Explicit {
		fconf = in.porn
	}
	switch {
	case f > lv && f == taxonomy.Explicit && !in.pornHit && lv >= taxonomy.Mature:
		// Explicit through a pornography score below detection, over a
		// Mature the score calls for by itself: the confidence stays the
		// score's, which a flag may rest on (see RatingUnderdeclared).
		lv = f
	case f > lv:
		lv, conf = f, fconf
	case f == lv && f > taxonomy.General:
		conf = max(conf, fconf)
	}
	return lv, s, conf
}

// levelOf is the number of cuts at or below s (0 for General).
func levelOf(s float64, cuts []float64) int {
	n := 0
	for _, c := range cuts {
		if s >= c {
			n++
		}
	}
	return n
}

// predict maps the strongest window's cues, and the detected labels, to a
// rating (models without Cuts).
func (rc RatingConfig) predict(c RatingCues, detected []string) taxonomy.Level {
	has := func(id string) bool { return slices.Contains(detected, id) }
	switch {
	case c.Sexual() >= rc.ExplicitSexual || has("pornography"):
		return taxonomy.Explicit
	case c.Sexual() >= rc.MatureSexual || c.Violence() >= rc.MatureViolence || c.Language() >= rc.MatureLanguage ||
		has("sexual-abuse") || has("blood-gore"):
		return taxonomy.Mature
	case c.Sexual() >= rc.TeenSexual || c.Violence() >= rc.TeenViolence || c.Language() >= rc.TeenLanguage ||
		has("violence") || has("death"):
		return taxonomy.Teen
	}
	return taxonomy.General
}

// RatingUnderdeclared reports whether res's rating should be flagged as
// under-declared for a story declared at declared (a canonical rating):
// the text calls for Mature or Explicit, above the declared rating, with
// at least FlagConfidence and a passage that shows it; an Explicit that
// rests on a pornography score below detection alone is not flagged
// (ExplicitBelowDetection). A milder gap
// (General declared, Teen predicted) is information, not a flag: the line
// between them is fuzzy even for people, and a flag raised on it would
// stop being read. One detection is flagged under General whatever the
// predicted rating (NotGeneral): General Audiences promises a work fit for
// all ages, which a scene of sexual violence never is.
func (m *Model) RatingUnderdeclared(declared string, res Result) bool {
	d, ok := taxonomy.ParseLevel(declared)
	p, ok2 := taxonomy.ParseLevel(res.PredictedRating)
	if ok && d == taxonomy.General && NotGeneral(res) != "" {
		return true
	}
	if !ok || !ok2 || !d.Ordered() || !p.Ordered() || p <= d {
		return false
	}
	if len(m.manifest.Rating.Cuts) != 3 {
		return true // models from before keep their rule: any gap
	}
	if m.ExplicitBelowDetection(res) {
		// Information, not a flag: the warnings' own threshold (which a
		// team may raise) says the text is not pornographic.
		return false
	}
	return p >= taxonomy.Mature && res.RatingConfidence >= m.manifest.Rating.FlagConfidence && len(res.RatingEvidence) > 0
}

// ExplicitBelowDetection reports whether res's Explicit rests on nothing
// but a pornography score below detection (RatingConfig.ExplicitPorn):
// neither the rating score nor a detection calls for Mature or more. Such
// a prediction is shown, never flagged.
func (m *Model) ExplicitBelowDetection(res Result) bool {
	rc := m.manifest.Rating
	if res.PredictedRating != taxonomy.Explicit.String() || len(rc.Cuts) != 3 || rc.ExplicitPorn <= 0 {
		return false
	}
	in := m.ratingInputs(&res)
	return !in.pornHit && in.explicit(rc.ExplicitPorn) && levelOf(res.RatingScore, rc.Cuts) < int(taxonomy.Mature-taxonomy.General)
}

// notGeneralLabels are the labels whose clear detection (a score of
// notGeneralScore or more) flags a General rating as under-declared by
// itself. Sexual abuse alone: a rape scene otherwise reads Teen (AO3 rates
// non-graphic violence Teen), so a General work with one passed as rated
// within bounds. On the ao3-works development half sexual abuse is
// detected in 5 of 1,105 General works, all under 0.8: rapes referred to
// in passing ("Implied/Referenced Rape/Non-con" tagged), not scenes; none
// is flagged.
var notGeneralLabels = []string{"sexual-abuse"}

// notGeneralScore is the score a notGeneralLabels detection needs to flag
// a General rating.
const notGeneralScore = 0.8

// NotGeneralLabels returns the labels whose detection, with a passage to
// show, flags a General rating as under-declared by itself.
func NotGeneralLabels() []string { return slices.Clone(notGeneralLabels) }

// NotGeneral returns the label among notGeneralLabels that res detects
// clearly (notGeneralScore) with a passage to show, or "".
func NotGeneral(res Result) string {
	for _, l := range res.Labels {
		if !l.Detected || l.Score < notGeneralScore || !slices.Contains(notGeneralLabels, l.Label) {
			continue
		}
		for _, e := range res.Evidence {
			if e.Label == l.Label {
				return l.Label
			}
		}
	}
	return ""
}

// DefaultFlagConfidence is the confidence a predicted rating needs to be
// flagged as under-declared when a fit does not say otherwise.
const DefaultFlagConfidence = 0.5

// DefaultExplicitWeight is how much an Explicit work counts in FitRating:
// four times, so that the fit finds nine in ten Explicit works, at a
// small cost in exact agreement. Fitted on one half of the ao3-works
// development half and measured on the other, both ways: Explicit found
// 89.7% and 89.6% counting them twice, 92.6% and 90.6% four times; exact
// agreement 0.571 → 0.565 on average.
const DefaultExplicitWeight = 4

// WithRating returns a copy of m that predicts ratings with rc.
func (m *Model) WithRating(rc RatingConfig) *Model {
	c := *m
	c.manifest.Rating = rc
	return &c
}

// RatingObservation is what FitRating needs of one work: its rating
// inputs (from Model.ObserveRating) and its declared level.
type RatingObservation struct {
	in       ratingInputs
	Declared taxonomy.Level
}

// ObserveRating returns what FitRating needs of a prediction; the caller
// sets Declared.
func (m *Model) ObserveRating(res Result) RatingObservation {
	return RatingObservation{in: m.ratingInputs(&res)}
}

// ratingGrid are the weights FitRating chooses from: a handful of settings,
// not weights trained on the corpus.
func ratingGrid() []RatingWeights {
	var g []RatingWeights
	for _, l := range []float64{0.15, 0.3, 0.6} {
		for _, v := range []float64{0, 0.1, 0.2} {
			for _, p := range []float64{1, 2} {
				for _, d := range []float64{0, 0.4} {
					g = append(g, RatingWeights{Language: l, Violence: v, Porn: p, Dark: d})
				}
			}
		}
	}
	return g
}

// FitRating returns rating settings fitted to works whose authors declared
// a rating on AO3's scale: for each weighting of a small grid, the three cut
// points that predict the declared rating of the most works (found exactly,
// by dynamic programming over the works sorted by score), Explicit works
// counting explicitWeight times (above 1, the fit gives up some exact
// agreement to find more Explicit works); the weighting, and the
// pornography score that makes a work Explicit without a detection
// (ExplicitPorn, none or one of a few high quantiles), that agree most
// win. FlagConfidence is kept from rc. Works without an ordered rating are
// left out.
func (rc RatingConfig) FitRating(obs []RatingObservation, explicitWeight float64, source string) RatingConfig {
	var use []RatingObservation
	for _, o := range obs {
		if o.Declared.Ordered() {
			use = append(use, o)
		}
	}
	if len(use) == 0 {
		return rc
	}
	if rc.FlagConfidence == 0 {
		rc.FlagConfidence = DefaultFlagConfidence
	}
	wt := [4]float64{1, 1, 1, max(explicitWeight, 1)}
	best, bestGain := rc, -1.0
	scores := make([]float64, len(use))
	eps := explicitPornCandidates(use)
	for _, w := range ratingGrid() {
		for i, o := range use {
			scores[i] = w.score(o.in)
		}
		for _, ep := range eps {
			cuts, gain := fitCuts(scores, use, wt, ep)
			if gain > bestGain {
				bestGain = gain
				best.Weights, best.Cuts, best.ExplicitPorn = w, cuts, ep
			}
		}
	}
	exact, near := 0, 0
	var predicted [4]int
	for _, o := range use {
		lv, _, _ := best.decide(o.in, nil)
		if lv.Ordered() {
			predicted[lv-taxonomy.General]++
		}
		d := int(lv) - int(o.Declared)
		if d == 0 {
			exact++
		}
		if d >= -1 && d <= 1 {
			near++
		}
	}
	best.Fit = &RatingFit{Source: source, Works: len(use), Exact: float64(exact) / float64(len(use)), WithinOne: float64(near) / float64(len(use)), Predicted: predicted[:]}
	return best
}

// explicitPornCandidates returns the ExplicitPorn settings FitRating
// tries: none (0), and a few high quantiles of the pornography score among
// the works of obs where it is not detected (the top few percent, where
// the text is sexual throughout).
func explicitPornCandidates(obs []RatingObservation) []float64 {
	quantiles := [...]float64{0.995, 0.99, 0.985, 0.98, 0.975, 0.97, 0.96, 0.95}
	var ps []float64
	for _, o := range obs {
		if !o.in.pornHit {
			ps = append(ps, o.in.porn)
		}
	}
	out := []float64{0}
	if len(ps) < 100 {
		return out // too few to tell a quantile from one work
	}
	slices.Sort(ps)
	for _, q := range quantiles {
		if v := ps[int(q*float64(len(ps)-1))]; v > 0 && v != out[len(out)-1] {
			out = append(out, v)
		}
	}
	return out
}

// fitCuts finds three cut points over scores that maximise the weighted
// number of works whose declared level they predict: the best monotone
// labelling of the works sorted by score, works of equal score labelled
// alike, a work below its floor (ratingInputs.floor, with explicitPorn)
// predicted at the floor, as decide does. It returns the cuts (midway
// between neighbouring scores) and the weighted agreement.
func fitCuts(scores []float64, obs []RatingObservation, wt [4]float64, explicitPorn float64) ([]float64, float64) {
	idx := make([]int, len(scores))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(scores[a], scores[b]) })
	type group struct {
		score float64
		gain  [4]float64
	}
	var gs []group
	for _, i := range idx {
		if len(gs) == 0 || gs[len(gs)-1].score != scores[i] {
			gs = append(gs, group{score: scores[i]})
		}
		lv, floor := int(obs[i].Declared-taxonomy.General), int(obs[i].in.floor(explicitPorn)-taxonomy.General)
		for l := range 4 {
			if max(l, floor) == lv {
				gs[len(gs)-1].gain[l] += wt[lv]
			}
		}
	}
	// dp[g][l]: best gain of groups[:g] with group g-1 at level l.
	n := len(gs)
	dp := make([][4]float64, n+1)
	from := make([][4]int8, n+1)
	for l := 1; l < 4; l++ {
		dp[0][l] = math.Inf(-1)
	}
	for g := 0; g < n; g++ {
		for l := 0; l < 4; l++ {
			k := 0
			for j := 1; j <= l; j++ {
				if dp[g][j] > dp[g][k] {
					k = j
				}
			}
			dp[g+1][l] = dp[g][k] + gs[g].gain[l]
			from[g+1][l] = int8(k)
		}
	}
	l := 0
	for j := 1; j < 4; j++ {
		if dp[n][j] > dp[n][l] {
			l = j
		}
	}
	gain := dp[n][l]
	level := make([]int, n)
	for g := n; g > 0; g-- {
		level[g-1] = l
		l = int(from[g][l])
	}
	cuts := make([]float64, 3)
	for c := 1; c <= 3; c++ {
		cuts[c-1] = gs[n-1].score + 1 // no work at this level: above them all
		for g := range gs {
			if level[g] >= c {
				if g == 0 {
					cuts[c-1] = gs[0].score
				} else {
					cuts[c-1] = (gs[g-1].score + gs[g].score) / 2
				}
				break
			}
		}
	}
	return cuts, gain
}
