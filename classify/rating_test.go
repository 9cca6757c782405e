package classify

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tagger-dev/tagger/taxonomy"
)

// bruteCuts is the best weighted agreement of any three cut points over
// scores, trying every cut at or between the scores (and above them all).
func bruteCuts(scores []float64, obs []RatingObservation, wt [4]float64, explicitPorn float64) float64 {
	cands := []float64{math.Inf(-1)}
	for _, s := range scores {
		cands = append(cands, s)
	}
	cands = append(cands, math.Inf(1))
	best := 0.0
	for _, a := range cands {
		for _, b := range cands {
			for _, c := range cands {
				if b < a || c < b {
					continue
				}
				gain := 0.0
				for i, s := range scores {
					lv := taxonomy.General + taxonomy.Level(levelOf(s, []float64{a, b, c}))
					lv = max(lv, obs[i].in.floor(explicitPorn))
					if lv == obs[i].Declared {
						gain += wt[lv-taxonomy.General]
					}
				}
				best = max(best, gain)
			}
		}
	}
	return best
}

// TestFitCutsOptimal checks the dynamic programme against brute force on
// small random sets with ties and floors, and that its cuts reach the gain
// it reports.
func TestFitCutsOptimal(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 300 {
		n := 1 + rng.IntN(9)
		scores := make([]float64, n)
		obs := make([]RatingObservation, n)
		for i := range n {
			scores[i] = float64(rng.IntN(5)) // ties on purpose
			obs[i].Declared = taxonomy.General + taxonomy.Level(rng.IntN(4))
			switch rng.IntN(6) {
			case 0:
				obs[i].in.pornHit = true
			case 1:
				obs[i].in.warned = 0.7
			}
			obs[i].in.porn = rng.Float64()
		}
		wt := [4]float64{1, 1, 1, float64(1 + rng.IntN(3))}
		explicitPorn := []float64{0, 0.5, 0.8}[rng.IntN(3)]
		cuts, gain := fitCuts(scores, obs, wt, explicitPorn)
		if want := bruteCuts(scores, obs, wt, explicitPorn); math.Abs(gain-want) > 1e-9 {
			t.Fatalf("trial %d: fitCuts gain %v, brute force %v (scores %v)", trial, gain, want, scores)
		}
		got := 0.0
		for i, s := range scores {
			lv := max(taxonomy.General+taxonomy.Level(levelOf(s, cuts)), obs[i].in.floor(explicitPorn))
			if lv == obs[i].Declared {
				got += wt[lv-taxonomy.General]
			}
		}
		if math.Abs(got-gain) > 1e-9 {
			t.Fatalf("trial %d: cuts %v reach %v, fitCuts said %v", trial, cuts, got, gain)
		}
		for _, c := range cuts {
			if math.IsInf(c, 0) || math.IsNaN(c) {
				t.Fatalf("trial %d: cut %v cannot be written to a manifest", trial, c)
			}
		}
	}
}

// TestFitRatingRecovers: when the declared rating follows the amount of
// sexual content, the fit finds cuts that predict every work.
func TestFitRatingRecovers(t *testing.T) {
	var obs []RatingObservation
	for i := range 400 {
		total := float64(i % 100) // sexual cue weight 0..99
		lv := taxonomy.General
		switch {
		case total >= 60:
			lv = taxonomy.Explicit
		case total >= 30:
			lv = taxonomy.Mature
		case total >= 5:
			lv = taxonomy.Teen
		}
		var in ratingInputs
		in.total[cueSexual] = total
		obs = append(obs, RatingObservation{in: in, Declared: lv})
	}
	obs = append(obs, RatingObservation{Declared: taxonomy.NotRated}) // left out
	rc := DefaultRatingConfig().FitRating(obs, DefaultExplicitWeight, "test")
	if rc.Fit == nil || rc.Fit.Works != 400 || rc.Fit.Exact != 1 {
		t.Fatalf("fit %+v, want all 400 works predicted exactly", rc.Fit)
	}
	if len(rc.Cuts) != 3 || rc.FlagConfidence != DefaultFlagConfidence || rc.ExplicitPorn != 0 {
		t.Fatalf("cuts %v, flag confidence %v, explicit pornography score %v (no pornography in these works)", rc.Cuts, rc.FlagConfidence, rc.ExplicitPorn)
	}
	for _, tc := range []struct {
		total float64
		want  taxonomy.Level
	}{{0, taxonomy.General}, {4, taxonomy.General}, {5, taxonomy.Teen}, {29, taxonomy.Teen}, {30, taxonomy.Mature}, {60, taxonomy.Explicit}, {500, taxonomy.Explicit}} {
		var in ratingInputs
		in.total[cueSexual] = tc.total
		if lv, _, _ := rc.decide(in, nil); lv != tc.want {
			t.Errorf("sexual cues %v: predicted %v, want %v (cuts %v)", tc.total, lv, tc.want, rc.Cuts)
		}
	}
}

// TestFitRatingExplicitPorn: Explicit works whose pornography score is high
// but undetected, and whose rating score lies between General's and Teen's
// (so no cut point can find them), are found by the fitted ExplicitPorn,
// and no other work is made Explicit by it.
func TestFitRatingExplicitPorn(t *testing.T) {
	var obs []RatingObservation
	add := func(lv taxonomy.Level, sexual, porn float64) {
		var in ratingInputs
		in.total[cueSexual], in.porn = sexual, porn
		obs = append(obs, RatingObservation{in: in, Declared: lv})
	}
	for i := range 380 {
		switch i % 3 {
		case 0:
			add(taxonomy.General, 0, float64(i%10)/100)
		case 1:
			add(taxonomy.Teen, math.Exp(2)-1+float64(i%7)/10, float64(i%10)/100)
		default:
			add(taxonomy.Mature, math.Exp(4)+float64(i%5), float64(i%20)/100)
		}
	}
	for i := range 20 {
		add(taxonomy.Explicit, 0, 0.6+float64(i)/100)
	}
	// Explicit works counting once: more, and the fit rightly trades a
	// few Mature works at 0.19 for the last Explicit ones.
	rc := DefaultRatingConfig().FitRating(obs, 1, "test")
	if rc.ExplicitPorn <= 0.19 {
		t.Fatalf("ExplicitPorn %v, want above 0.19, every other work's score", rc.ExplicitPorn)
	}
	found := 0
	for _, o := range obs {
		lv, _, _ := rc.decide(o.in, nil)
		switch {
		case lv == taxonomy.Explicit && o.Declared == taxonomy.Explicit:
			found++
		case lv == taxonomy.Explicit:
			t.Errorf("a %v work (porn %v) predicted Explicit", o.Declared, o.in.porn)
		}
	}
	if found < 10 {
		t.Errorf("%d of 20 Explicit works found (ExplicitPorn %v), want most", found, rc.ExplicitPorn)
	}
}

// TestRatingDecide: detections set floors with their own confidence, and
// the confidence grows with the distance past the level's cut.
func TestRatingDecide(t *testing.T) {
	rc := RatingConfig{Weights: RatingWeights{Language: 0.5, Porn: 2}, Cuts: []float64{1, 3, 4}, FlagConfidence: 0.5}
	in := func(sexual, porn, warned float64, pornHit bool) ratingInputs {
		var x ratingInputs
		x.total[cueSexual], x.porn, x.warned, x.pornHit = sexual, porn, warned, pornHit
		return x
	}
	tests := []struct {
		name     string
		in       ratingInputs
		level    taxonomy.Level
		minConf  float64
		maxConf  float64
		wantConf float64 // exact, when not NaN
	}{
		{"nothing", in(0, 0, 0, false), taxonomy.General, 1, 1, 1},
		{"just past teen", in(math.E-1+0.01, 0, 0, false), taxonomy.Teen, 0.5, 0.52, math.NaN()},
		{"well past mature", in(math.Exp(3.9)-1, 0, 0, false), taxonomy.Mature, 0.8, 0.9, math.NaN()},
		{"a warning lifts general to teen", in(0, 0, 0.7, false), taxonomy.Teen, 0.7, 0.7, 0.7},
		{"pornography is explicit", in(0, 0.9, 0.9, true), taxonomy.Explicit, 0.9, 0.9, 0.9},
		{"an undetected pornography score below ExplicitPorn is not", in(0, 0.3, 0, false), taxonomy.General, 1, 1, 1},
		// Explicit with the score as its confidence: below FlagConfidence,
		// so information, never a flag by itself.
		{"an undetected pornography score at ExplicitPorn is explicit", in(0, 0.45, 0, false), taxonomy.Explicit, 0.45, 0.45, 0.45},
	}
	rc.ExplicitPorn = 0.45
	for _, tt := range tests {
		lv, _, conf := rc.decide(tt.in, nil)
		if lv != tt.level || conf < tt.minConf || conf > tt.maxConf || !math.IsNaN(tt.wantConf) && conf != tt.wantConf {
			t.Errorf("%s: level %v confidence %v; want %v in [%v, %v]", tt.name, lv, conf, tt.level, tt.minConf, tt.maxConf)
		}
	}
}

func TestRatingUnderdeclared(t *testing.T) {
	withCuts := &Model{manifest: Manifest{Rating: RatingConfig{Cuts: []float64{1, 3, 4}, FlagConfidence: 0.5}}}
	without := &Model{manifest: Manifest{Rating: DefaultRatingConfig()}}
	ev := []Evidence{{Label: "sexual"}}
	tests := []struct {
		name      string
		m         *Model
		declared  string
		predicted string
		conf      float64
		evidence  []Evidence
		want      bool
	}{
		{"explicit under teen", withCuts, "teen", "explicit", 0.9, ev, true},
		{"mature under general", withCuts, "general", "mature", 0.6, ev, true},
		{"explicit under mature", withCuts, "mature", "explicit", 0.9, ev, true},
		{"teen under general is information", withCuts, "general", "teen", 0.99, ev, false},
		{"not confident enough", withCuts, "teen", "mature", 0.4, ev, false},
		{"no passage to show", withCuts, "teen", "explicit", 0.9, nil, false},
		{"as declared", withCuts, "explicit", "explicit", 0.9, ev, false},
		{"below declared", withCuts, "explicit", "teen", 0.9, ev, false},
		{"nothing declared", withCuts, "", "explicit", 0.9, ev, false},
		{"not rated", withCuts, "not-rated", "explicit", 0.9, ev, false},
		{"older models flag any gap", without, "general", "teen", 0, nil, true},
	}
	for _, tt := range tests {
		res := Result{PredictedRating: tt.predicted, RatingConfidence: tt.conf, RatingEvidence: tt.evidence}
		if got := tt.m.RatingUnderdeclared(tt.declared, res); got != tt.want {
			t.Errorf("%s: RatingUnderdeclared = %v, want %v", tt.name, got, tt.want)
		}
	}

	// Sexual violence flags a General rating whatever the prediction, when
	// a passage shows it; a Teen rating is AO3's for non-graphic scenes.
	abuse := Result{PredictedRating: "teen", RatingConfidence: 0.9,
		Labels:   []LabelScore{{Label: "sexual-abuse", Score: 0.97, Detected: true}},
		Evidence: []Evidence{{Label: "sexual-abuse"}}}
	noPassage := abuse
	noPassage.Evidence = nil
	undetected := abuse
	undetected.Labels = []LabelScore{{Label: "sexual-abuse", Score: 0.4}}
	referred := abuse
	referred.Labels = []LabelScore{{Label: "sexual-abuse", Score: 0.62, Detected: true}}
	for _, c := range []struct {
		name, declared string
		res            Result
		want           bool
	}{
		{"sexual abuse under general", "general", abuse, true},
		{"sexual abuse under teen", "teen", abuse, false},
		{"no passage to show", "general", noPassage, false},
		{"not detected", "general", undetected, false},
		{"a rape referred to in passing", "general", referred, false},
	} {
		if got := withCuts.RatingUnderdeclared(c.declared, c.res); got != c.want {
			t.Errorf("%s: RatingUnderdeclared = %v, want %v", c.name, got, c.want)
		}
	}
}

// TestRatingUnderdeclaredBelowDetection: an Explicit that rests only on a
// pornography score below detection is shown, never flagged, even when a
// team's raised threshold leaves that score above the flag's bar; one
// over a Mature the rating score calls for by itself keeps the score's
// confidence, and its flag.
func TestRatingUnderdeclaredBelowDetection(t *testing.T) {
	rc := RatingConfig{Weights: RatingWeights{Porn: 1}, Cuts: []float64{1, 3, 4}, ExplicitPorn: 0.35, FlagConfidence: 0.5}
	m := &Model{manifest: Manifest{Rating: rc}}
	ev := []Evidence{{Label: "sexual"}}
	for _, tc := range []struct {
		name     string
		sexual   float64 // story total of sexual cues
		porn     float64
		detected bool
		want     bool
	}{
		{"undetected 0.77 (threshold raised), score teen", math.E - 1, 0.77, false, false},
		{"undetected 0.45, score teen", math.E - 1, 0.45, false, false},
		{"undetected 0.45, score mature by itself", math.Exp(3.5) - 1, 0.45, false, true},
		{"detected 0.9, score teen", math.E - 1, 0.9, true, true},
	} {
		var in ratingInputs
		in.total[cueSexual], in.porn, in.pornHit = tc.sexual, tc.porn, tc.detected
		lv, score, conf := rc.decide(in, nil)
		if lv != taxonomy.Explicit {
			t.Fatalf("%s: predicted %v, want explicit", tc.name, lv)
		}
		res := Result{PredictedRating: lv.String(), RatingScore: score, RatingConfidence: conf, RatingEvidence: ev,
			Labels: []LabelScore{{Label: "pornography", Score: tc.porn, Detected: tc.detected}}}
		if got := m.RatingUnderdeclared("teen", res); got != tc.want {
			t.Errorf("%s: flagged %v (confidence %.2f), want %v", tc.name, got, conf, tc.want)
		}
		if below := m.ExplicitBelowDetection(res); below != (!tc.detected && !tc.want) {
			t.Errorf("%s: ExplicitBelowDetection %v", tc.name, below)
		}
	}
}

// TestExplainRatingFloor: a Teen set by a detection, not by the score,
// says so and names the detection.
func TestExplainRatingFloor(t *testing.T) {
	m := &Model{manifest: Manifest{Rating: RatingConfig{Cuts: []float64{1, 3, 4}, FlagConfidence: 0.5}}}
	res := Result{PredictedRating: "teen", RatingScore: 0.2, Labels: []LabelScore{
		{Label: "death", Score: 0.6, Detected: true}, {Label: "collective-violence", Score: 0.98, Detected: true}}}
	if got := m.explainRating(res).Floor; got != "collective-violence 0.98" {
		t.Errorf("Floor = %q, want the strongest detection", got)
	}
	res.RatingScore = 1.5 // Teen from the score itself
	if got := m.explainRating(res).Floor; got != "" {
		t.Errorf("Floor = %q for a Teen the score sets", got)
	}
}

// TestExplainRatingExplicitPorn: an Explicit set by the pornography score
// below detection says so, and a detection or a lower score does not.
func TestExplainRatingExplicitPorn(t *testing.T) {
	m := &Model{manifest: Manifest{Rating: RatingConfig{Cuts: []float64{1, 3, 4}, ExplicitPorn: 0.35, FlagConfidence: 0.5}}}
	for _, tc := range []struct {
		porn     float64
		detected bool
		want     float64
	}{{0.4, false, 0.35}, {0.3, false, 0}, {0.9, true, 0}} {
		res := Result{PredictedRating: "explicit", Labels: []LabelScore{{Label: "pornography", Score: tc.porn, Detected: tc.detected}}}
		re := m.explainRating(res)
		if re.ExplicitPorn != tc.want || re.PornDetected != tc.detected {
			t.Errorf("pornography %v (detected %v): ExplicitPorn %v, PornDetected %v; want %v, %v", tc.porn, tc.detected, re.ExplicitPorn, re.PornDetected, tc.want, tc.detected)
		}
	}
}

func TestRatingFitNever(t *testing.T) {
	tests := []struct {
		predicted []int
		want      []string
	}{
		{[]int{5, 3, 2, 1}, nil},
		{[]int{5, 3, 0, 1}, []string{"mature"}},
		{[]int{0, 3, 0, 1}, []string{"general", "mature"}},
		{nil, nil}, // a fit from before the counts were recorded
	}
	for _, tc := range tests {
		f := &RatingFit{Predicted: tc.predicted}
		if got := f.Never(); !slices.Equal(got, tc.want) {
			t.Errorf("Never(%v) = %v, want %v", tc.predicted, got, tc.want)
		}
	}
}
