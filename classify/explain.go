package classify

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/tagger-dev/tagger/classify/tokenize"
)

// Explanation says what carried a label's score in a story: the best
// window, the lexicon terms found there, and the words whose naive-Bayes
// weights pushed the score up or down. Users distrust a bare number.
type Explanation struct {
	Label    string  `json:"label"`
	Source   string  `json:"source"` // model or lexicon
	Score    float64 `json:"score"`
	Detected bool    `json:"detected"`
	Passages int     `json:"passages"`
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
	Gate           float64 `json:"gate,omitempty"`
	Prior          float64 `json:"prior,omitempty"` // naive-Bayes prior log-odds
	// Window is the best-scoring window, or nil when no window of the
	// story reached the label's gate or had any of its terms.
	Window *ExplainedWindow `json:"window,omitempty"`
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
}

// ExplainWord is a word's total naive-Bayes contribution in the window.
type ExplainWord struct {
	Word   string  `json:"word"`
	Weight float64 `json:"weight"`
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

// Explain scores the story as Predict does and explains one label (see
// LabelID for the names it takes).
func (m *Model) Explain(ctx context.Context, text string, bodyByte, bodyLine int, label string, opt PredictOptions) (*Explanation, error) {
	id, err := m.LabelID(label)
	if err != nil {
		return nil, err
	}
	li := m.labelIdx[id]
	if err := checkThresholds(opt.Thresholds); err != nil {
		return nil, err
	}
	sg := m.newScoring(opt, bodyByte)
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
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
	ls := res.Labels[li]
	ex := &Explanation{Label: ls.Label, Source: m.info[li].Source, Score: ls.Score, Detected: ls.Detected, Passages: ls.Passages,
		WindowThreshold: sg.thr[li], Threshold: ls.Threshold, Gate: m.info[li].Gate,
		Story: ls.Story, StoryThreshold: m.info[li].Story.at(sg.opt.Sensitivity), Evidence: m.storyEvidence(li, ls.topZ)}
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
	p := m.analyse(w.text, nil)
	contrib, hits := m.contributions(p, li)
	ew := &ExplainedWindow{Raw: w.z, LineStart: w.line, LineEnd: w.line + lineBreaks(w.text)}
	for _, h := range hits {
		ew.Terms = append(ew.Terms, ExplainTerm{Term: h.Term, Text: p.text[p.toks[h.TokStart].Start:p.toks[h.TokEnd-1].End],
			Weight: h.Weight, Negated: h.Negated, Figurative: h.Figurative})
	}
	if m.nbCol[li] >= 0 {
		byWord := map[string]float64{}
		for t, tok := range p.toks {
			if contrib[t] != 0 {
				byWord[tokenize.Normalize(p.text[tok.Start:tok.End])] += contrib[t]
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
