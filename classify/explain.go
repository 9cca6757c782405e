package classify

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/agnivade/levenshtein"
	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/taxonomy"
)

// Explanation says what carried a label's score in a story: the best
// window, the lexicon terms found there, and the words whose naive-Bayes
// weights pushed the score up or down. Users distrust a bare number.
type Explanation struct {
	Label    string      `json:"label"`
	Source   LabelSource `json:"source"` // model or lexicon
	Score    float64     `json:"score"`
	Detected bool        `json:"detected"`
	Passages int         `json:"passages"`
	// Threshold is the Score the label needs to be detected: the
	// LabelScore.Threshold a Predict with the same options reports.
	Threshold float64 `json:"threshold"`
	// WindowThreshold is the raw window score a window needs to count
	// among Passages, at the chosen sensitivity.
	WindowThreshold float64 `json:"window_threshold"`
	// Story is the label's story statistic and StoryThreshold its
	// threshold at the chosen sensitivity (see AggregateStory), or as
	// PredictOptions.Thresholds set it; Evidence tells whether a window
	// reached the label's evidence bar (see StoryConfig.Evidence for
	// labels of the story model).
	Story          float64 `json:"story"`
	StoryThreshold float64 `json:"story_threshold"`
	Evidence       bool    `json:"evidence"`
	// EvidenceBar is the raw score a window needs to be shown as the
	// passage behind a finding (the label's high-sensitivity window
	// threshold, or a share of it for a lexicon label), whatever the
	// sensitivity; Detected needs one at or over it (for sceneLabel, one
	// that is a scene).
	EvidenceBar float64 `json:"evidence_bar"`
	// NotChecked is the story's note when it was not checked (a language
	// the model does not read, no words): every score is 0 and nothing is
	// explained.
	NotChecked string  `json:"not_checked,omitempty"`
	Gate       float64 `json:"gate,omitempty"`
	Prior      float64 `json:"prior,omitempty"` // naive-Bayes prior log-odds
	// Window is the best-scoring window, or nil when no window of the
	// story reached the label's gate or had any of its terms.
	Window *ExplainedWindow `json:"window,omitempty"`
	// Rating explains the predicted rating (label "rating"); the fields
	// above are then unset.
	Rating *RatingExplanation `json:"rating,omitempty"`
}

// RatingExplanation says how a story's predicted rating was decided.
type RatingExplanation struct {
	Predicted string `json:"predicted"`
	// Score is the rating score, Cuts where Teen, Mature and Explicit
	// start (empty for models deciding on the strongest window's cues),
	// and Parts the score's terms.
	Score float64      `json:"score"`
	Cuts  []float64    `json:"cuts,omitempty"`
	Parts []RatingPart `json:"parts"`
	// PornDetected forces Explicit whatever the score.
	PornDetected bool `json:"porn_detected"`
	// ExplicitPorn is set when the pornography score, though below its
	// detection threshold, reached the score that makes a story Explicit
	// (RatingConfig.ExplicitPorn): that score. Porn is the story's
	// pornography score.
	ExplicitPorn float64 `json:"explicit_porn,omitempty"`
	Porn         float64 `json:"porn"`
	// NotGeneral names the detection that flags a General rating as
	// under-declared by itself, whatever the predicted rating (see
	// NotGeneral), with its score ("sexual-abuse 0.93"), or is empty.
	NotGeneral string `json:"not_general,omitempty"`
	// Floor is set when a detection, not the score, set the predicted
	// rating: the detected label it rests on, with its score ("violence
	// 0.85"), for a Teen above the score's level.
	Floor string `json:"floor,omitempty"`
	// Confidence is Result.RatingConfidence; FlagConfidence what a flag
	// needs.
	Confidence     float64    `json:"confidence"`
	FlagConfidence float64    `json:"flag_confidence"`
	Evidence       []Evidence `json:"evidence"`
}

// RatingPart is one term of the rating score: what was measured (a cue's
// summed weight over the story, or a label's score), its weight and what
// it adds.
type RatingPart struct {
	Name     string  `json:"name"`
	Measured float64 `json:"measured"`
	Weight   float64 `json:"weight"`
	// LogScaled reports that the part adds Weight × log(1 + Measured)
	// (cue totals: the amount sets the scale), not Weight × Measured.
	LogScaled bool    `json:"log_scaled,omitempty"`
	Adds      float64 `json:"adds"`
}

// RatingLabel is the name --explain takes for the predicted rating.
const RatingLabel = "rating"

// explainRating explains res's predicted rating.
func (m *Model) explainRating(res Result) *RatingExplanation {
	rc := m.manifest.Rating
	in := m.ratingInputs(&res)
	re := &RatingExplanation{Predicted: res.PredictedRating, Score: res.RatingScore, Cuts: rc.Cuts, PornDetected: in.pornHit, Porn: in.porn,
		Confidence: res.RatingConfidence, FlagConfidence: rc.FlagConfidence, Evidence: res.RatingEvidence}
	if l := NotGeneral(res); l != "" {
		for _, ls := range res.Labels {
			if ls.Label == l {
				re.NotGeneral = fmt.Sprintf("%s %.2f", l, ls.Score)
			}
		}
	}
	if len(rc.Cuts) != 3 {
		for k, name := range cueNames {
			re.Parts = append(re.Parts, RatingPart{Name: "strongest window's " + name + " cues", Measured: in.max[k], Weight: 1})
		}
		return re
	}
	if !in.pornHit && in.explicit(rc.ExplicitPorn) {
		re.ExplicitPorn = rc.ExplicitPorn
	}
	if in.floor(rc.ExplicitPorn) == taxonomy.Teen && levelOf(res.RatingScore, rc.Cuts) == 0 {
		// Teen from a detection: name the strongest.
		best := LabelScore{}
		for _, l := range res.Labels {
			if l.Detected && l.Score > best.Score {
				best = l
			}
		}
		re.Floor = fmt.Sprintf("%s %.2f", best.Label, best.Score)
	}
	w := rc.Weights
	for _, p := range []struct {
		name      string
		measured  float64
		weight    float64
		logScaled bool
	}{
		{"sexual cues (story total)", in.total[cueSexual], 1, true},
		{"language cues (story total)", in.total[cueLanguage], w.Language, true},
		{"violence cues (story total)", in.total[cueViolence], w.Violence, true},
		{"pornography score", in.porn, w.Porn, false},
		{"darkest of violence, blood-gore, death, sexual-abuse", in.dark, w.Dark, false},
	} {
		adds := p.weight * p.measured
		if p.logScaled {
			adds = p.weight * math.Log1p(p.measured)
		}
		re.Parts = append(re.Parts, RatingPart{Name: p.name, Measured: p.measured, Weight: p.weight, LogScaled: p.logScaled, Adds: adds})
	}
	return re
}

// ExplainedWindow is one window of an explanation.
type ExplainedWindow struct {
	Raw       float64       `json:"raw"` // the window's raw score
	LineStart int           `json:"line_start"`
	LineEnd   int           `json:"line_end"`
	Terms     []ExplainTerm `json:"terms"`
	// Words are the words whose naive-Bayes weight moved the score most,
	// strongest first (model labels only).
	Words []ExplainWord `json:"words,omitempty"`
}

// ExplainTerm is a lexicon hit in the explained window.
type ExplainTerm struct {
	Term       string  `json:"term"`
	Text       string  `json:"text"` // as written in the story
	Weight     float64 `json:"weight"`
	Negated    bool    `json:"negated,omitempty"`
	Figurative bool    `json:"figurative,omitempty"`
	// Scene names the lexicon scene (a game, a match, the stage; see
	// lexicon.Hit.Scene) that makes the hit figurative, rather than a
	// simile; "" for others.
	Scene string `json:"scene,omitempty"`
	// Repeat is the number of earlier hits of the same term close before
	// it in the window (see lexicon.Hit.Repeat): its weight is divided by
	// Repeat+1.
	Repeat int `json:"repeat,omitempty"`
}

// ExplainWord is a word's total naive-Bayes contribution in the window.
type ExplainWord struct {
	Word   string  `json:"word"`
	Weight float64 `json:"weight"`
}

// ExplainName returns the name Explain takes for name: "rating", or a
// label id as LabelID returns it.
func (m *Model) ExplainName(name string) (string, error) {
	if strings.EqualFold(name, RatingLabel) {
		return RatingLabel, nil
	}
	id, err := m.LabelID(name)
	if err != nil && levenshtein.ComputeDistance(strings.ToLower(name), RatingLabel) <= 2 {
		return "", fmt.Errorf("unknown label %q: did you mean %q, the predicted rating? (see tagger labels for the label ids)", name, RatingLabel)
	}
	return id, err
}

// LabelID returns the id of the model's label that label names: an id, or
// a phrase the taxonomy maps to one ("non-con"). A label it does not know
// is an error that suggests the closest id, when one is close enough to be
// a likely typo, so that a user can check before scoring anything.
func (m *Model) LabelID(label string) (string, error) {
	if _, ok := m.labelIdx[label]; ok {
		return label, nil
	}
	if id, ok := m.tax.Normalize(label); ok {
		if _, ok := m.labelIdx[id]; ok {
			return id, nil
		}
	}
	hint := ""
	if near := m.tax.Suggest(label); near != "" {
		hint = fmt.Sprintf("did you mean %q? ", near)
	}
	return "", fmt.Errorf("unknown label %q: %ssee tagger labels for the label ids", label, hint)
}

// termsInContext lists label's hits in window w as scoring counted them:
// matched over the window's whole chunk (scoring matched each chunk
// apart), so that a term said before the window makes its repeat in the
// window weigh less, a negation cue before it scopes over its first words,
// and a phrase across its edges belongs where scoring put it (with the
// window that holds its last token). hits, found in the window's passage
// p alone, stand in when the chunk cannot be found.
func (m *Model) termsInContext(text string, bodyByte int, w window, label string, p *passage, hits []lexicon.Hit) []ExplainTerm {
	var out []ExplainTerm
	add := func(h lexicon.Hit, t string) {
		out = append(out, ExplainTerm{Term: h.Term, Text: t, Weight: h.Weight, Negated: h.Negated, Figurative: h.Figurative, Scene: h.Scene, Repeat: h.Repeat})
	}
	chunk, end := bodyByte, len(text)
	for off := bodyByte; off < len(text) && off <= w.start; off = chunkEnd(text, off, chunkBytes) {
		chunk, end = off, chunkEnd(text, off, chunkBytes)
	}
	if w.start < chunk || w.end > end {
		for _, h := range hits {
			add(h, p.text[p.toks[h.TokStart].Start:p.toks[h.TokEnd-1].End()])
		}
		return out
	}
	ct := text[chunk:end]
	toks := tokenize.Words(ct, nil)
	// The window's tokens: from the one at its start to the last that
	// starts before its end.
	ts, _ := slices.BinarySearchFunc(toks, int32(w.start-chunk), func(t tokenize.Token, at int32) int { return cmp.Compare(t.Start, at) })
	te, _ := slices.BinarySearchFunc(toks, int32(w.end-chunk), func(t tokenize.Token, at int32) int { return cmp.Compare(t.Start, at) })
	m.lex.Match(ct, toks, func(h lexicon.Hit) {
		if last := h.TokEnd - 1; h.Label == label && last >= ts && last < te {
			add(h, ct[toks[h.TokStart].Start:toks[h.TokEnd-1].End()])
		}
	})
	return out
}

// Explain scores the story as Predict does and explains one label (see
// LabelID for the names it takes).
func (m *Model) Explain(ctx context.Context, text string, bodyByte, bodyLine int, label string, opt PredictOptions) (*Explanation, error) {
	li := -1
	if label != RatingLabel {
		id, err := m.LabelID(label)
		if err != nil {
			return nil, err
		}
		li = m.labelIdx[id]
	}
	if err := checkThresholds(opt.Thresholds); err != nil {
		return nil, err
	}
	sg := m.newScoring(opt, bodyByte)
	sc := m.free.get()
	defer m.free.put(sc)
	lines := lineCounter{line: bodyLine}
	for off := bodyByte; off < len(text); {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		end := chunkEnd(text, off, chunkBytes)
		sg.chunk(sc, text[off:end], off, &lines)
		off = end
	}
	res, err := sg.finish()
	if err != nil {
		return nil, err
	}
	if li < 0 {
		re := m.explainRating(res)
		return &Explanation{Label: RatingLabel, Source: RatingLabel, Score: re.Confidence, Threshold: re.FlagConfidence, Rating: re, NotChecked: res.NotChecked}, nil
	}
	ls := res.Labels[li]
	ex := &Explanation{Label: ls.Label, Source: m.info[li].Source, Score: ls.Score, Detected: ls.Detected, Passages: ls.Passages,
		WindowThreshold: sg.thr[li], Threshold: ls.Threshold, Gate: m.info[li].Gate,
		Story: ls.Story, StoryThreshold: m.info[li].Story.at(sg.opt.Sensitivity), Evidence: m.storyEvidence(li, ls.topZ),
		EvidenceBar: m.evidenceBar(li), NotChecked: res.NotChecked}
	if res.NotChecked != "" {
		return ex, nil
	}
	if m.decision(li) != byWindow {
		ex.StoryThreshold = sg.stat[li] // with its override, if any
	}
	if c := m.nbCol[li]; c >= 0 {
		ex.Prior = m.nb.Bias(c)
	}
	top := sg.states[li].top
	if len(top) == 0 {
		return ex, nil
	}
	w := top[0]
	p := m.analyse(w.text, nil, nil)
	contrib, hits := m.contributions(p, li)
	ew := &ExplainedWindow{Raw: w.z, LineStart: w.line, LineEnd: w.line + lineBreaks(w.text)}
	ew.Terms = m.termsInContext(text, bodyByte, w, ls.Label, p, hits)
	if m.nbCol[li] >= 0 {
		byWord := map[string]float64{}
		for t, tok := range p.toks {
			if contrib[t] != 0 {
				byWord[tokenize.Normalize(p.text[tok.Start:tok.End()])] += contrib[t]
			}
		}
		for word, wt := range byWord {
			ew.Words = append(ew.Words, ExplainWord{Word: word, Weight: wt})
		}
		slices.SortFunc(ew.Words, func(a, b ExplainWord) int {
			if c := cmp.Compare(abs(b.Weight), abs(a.Weight)); c != 0 {
				return c
			}
			return strings.Compare(a.Word, b.Word)
		})
		if len(ew.Words) > 12 {
			ew.Words = ew.Words[:12]
		}
	}
	ex.Window = ew
	return ex, nil
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
