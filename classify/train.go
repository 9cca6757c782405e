package classify

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/linear"
	"github.com/tagger-dev/tagger/classify/nb"
	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/taxonomy"
)

// TrainConfig holds everything that shapes a model besides its data.
type TrainConfig struct {
	Features FeatureConfig `json:"features"`
	NB       nb.Options    `json:"nb"`
	// Window and Stride are the scoring window and its step, in tokens.
	Window int `json:"window"`
	Stride int `json:"stride"`
	// Aggregate turns window scores of model labels into a story score:
	// "max", "top2" (mean of the two best windows) or "noisy-or" (the
	// probability that at least one of the TopK best windows shows the
	// label, each window's probability calibrated on training data).
	// Lexicon labels always take their best window.
	Aggregate string `json:"aggregate"`
	TopK      int    `json:"top_k"`
	// StoryContext weighs the other warnings' evidence in a label's story
	// statistic, and StorySlope turns the statistic into a score (see
	// AggregateStory).
	StoryContext float64 `json:"story_context,omitempty"`
	StorySlope   float64 `json:"story_slope,omitempty"`
	// EvidenceShare is the share of a lexicon label's high window
	// threshold that the best window must reach for a finding (0: all).
	EvidenceShare float64 `json:"evidence_share,omitempty"`
	// StoryGroupContext weighs the evidence of the other labels of the
	// same group (suicide and self-harm, say) in a label's statistic.
	StoryGroupContext float64 `json:"story_group_context,omitempty"`
	// Folds is the number of grouped folds used to choose thresholds.
	Folds int    `json:"folds"`
	Seed  uint64 `json:"seed"`
	// MinExamples is the fewest positive and negative examples a label
	// needs to get a naive-Bayes model; with fewer it is lexicon-only.
	MinExamples int `json:"min_examples"`
	// LexiconThresholds apply to lexicon-only labels, on the summed weight
	// of a window's hits.
	LexiconThresholds Thresholds `json:"lexicon_thresholds"`
	// Gates are the candidate gates of model labels: the lexicon weight a
	// window needs before naive Bayes may score it. The annotated passages
	// were sampled by keyword, so the model only learnt to tell apart
	// passages that mention a warning; text without any of its terms is
	// not its domain. Each label's gate is chosen among these by
	// cross-validation on the training data.
	Gates []float64 `json:"gates"`
	// VocabSize bounds the subword vocabulary (Features.Subwords).
	VocabSize int `json:"vocab_size,omitempty"`
	// Scorer is the window scorer of labels with training data: "nb"
	// (naive Bayes), "lr" (logistic regression) or "nb+lr" (the two
	// averaged, each scaled by the spread of its training scores). All are
	// linear in the features, so each is one table of weights.
	Scorer string `json:"scorer,omitempty"`
	// Linear tunes the logistic regression; SoftLabels trains it on the
	// share of annotators who saw the label instead of the majority.
	Linear     linear.Options `json:"linear,omitempty"`
	SoftLabels bool           `json:"soft_labels,omitempty"`
	// Story configures the story model, when the model has one (see
	// TrainStory).
	Story *StoryConfig `json:"story,omitempty"`
}

// DefaultTrainConfig is the configuration of tagger's default model.
func DefaultTrainConfig() TrainConfig {
	return TrainConfig{
		Features:          FeatureConfig{Bigrams: false, Negation: true, Lexicon: true, WordHash: tokenize.HashScheme},
		NB:                nb.DefaultOptions(),
		Window:            100,
		Stride:            50,
		Aggregate:         AggregateStory,
		TopK:              5,
		StoryContext:      0.3,
		StoryGroupContext: 0.05,
		EvidenceShare:     0.5,
		StorySlope:        4,
		Folds:             5,
		Seed:              1,
		MinExamples:       10,
		LexiconThresholds: Thresholds{Low: 6, Balanced: 4, High: 2.5},
		Gates:             []float64{0.5, 1, 2, 3},
		VocabSize:         8000,
		Scorer:            "nb",
		Linear:            linear.DefaultOptions(),
	}
}

// Trained is the result of Train: the model and the out-of-fold passage
// scores its thresholds were chosen on.
type Trained struct {
	Model *Model
	// OOF holds, per label trained with naive Bayes, the out-of-fold raw
	// scores of its training examples (prior included) and their answers.
	OOF map[string][]Scored
}

// Scored is a score with its gold answer and the label's prior log-odds.
type Scored struct {
	Score   float64
	Prior   float64
	Lexicon float64 // the label's lexicon weight in the example
	Actual  bool
}

// Train builds a model from labelled texts. Labels with enough examples get
// naive Bayes with thresholds chosen by grouped cross-validation on data
// (never on anything else); the others are scored by the lexicon alone.
func Train(ctx context.Context, data []Labelled, lex *lexicon.Lexicon, cfg TrainConfig, name, version string) (*Trained, error) {
	if lex == nil {
		return nil, fmt.Errorf("train: no lexicon")
	}
	if cfg.Linear.Iterations == 0 {
		// A configuration from before logistic regression: its defaults.
		l2 := cfg.Linear.L2
		cfg.Linear = linear.DefaultOptions()
		if l2 > 0 {
			cfg.Linear.L2 = l2
		}
	}
	tr := &trainer{cfg: cfg, lex: lex}
	if err := tr.prepare(data); err != nil {
		return nil, err
	}
	// Thresholds from out-of-fold scores.
	oof := map[string][]Scored{}
	folds := Folds(data, cfg.Folds, cfg.Seed)
	for _, test := range folds {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		in := make([]bool, len(data))
		for _, i := range test {
			in[i] = true
		}
		var train []int
		for i := range data {
			if !in[i] {
				train = append(train, i)
			}
		}
		tables, err := tr.fit(train)
		if err != nil {
			return nil, err
		}
		for _, i := range test {
			s := tables.Score(tr.feats[i], cfg.NB.Binary)
			for label, pos := range data[i].Known {
				if c := slices.Index(tr.nbLabels, label); c >= 0 {
					oof[label] = append(oof[label], Scored{Score: s[c], Prior: tables.Bias(c), Lexicon: tr.lexw[i][label], Actual: pos})
				}
			}
		}
	}
	all := make([]int, len(data))
	for i := range all {
		all[i] = i
	}
	tables, err := tr.fit(all)
	if err != nil {
		return nil, err
	}
	man := Manifest{
		Name: name, Version: version, Created: time.Now().UTC().Format(time.RFC3339),
		Config: cfg, Rating: DefaultRatingConfig(),
	}
	for _, l := range tr.tax.Labels() {
		li := LabelInfo{Label: l.ID, Source: SourceLexicon, Thresholds: cfg.LexiconThresholds, Story: defaultStoryThresholds(cfg.LexiconThresholds)}
		if c := slices.Index(tr.nbLabels, l.ID); c >= 0 {
			gate := chooseGate(oof[l.ID], cfg.Gates)
			s := gatedScores(oof[l.ID], gate)
			a, b := platt(s)
			li = LabelInfo{Label: l.ID, Source: SourceModel, Train: tr.count[l.ID][0] + tr.count[l.ID][1], Positive: tr.count[l.ID][1],
				Gate:       gate,
				Scale:      spread(s),
				Platt:      [2]float64{a, b},
				Thresholds: Thresholds{Low: bestThreshold(s, 0.5), Balanced: bestThreshold(s, 1), High: bestThreshold(s, 2)},
				Story:      defaultStoryThresholds(cfg.LexiconThresholds)}
		}
		man.Labels = append(man.Labels, li)
	}
	if len(tr.nbLabels) == 0 {
		tables = nil
	}
	m, err := newModel(man, lex, tables, tr.vocab)
	if err != nil {
		return nil, err
	}
	return &Trained{Model: m, OOF: oof}, nil
}

// gatedScores returns the scores as the model gives them with gate g: an
// example with less lexicon weight than g is shut out.
func gatedScores(s []Scored, g float64) []scored {
	out := make([]scored, len(s))
	for i, x := range s {
		out[i] = scored{score: x.Score, actual: x.Actual}
		if x.Lexicon < g {
			out[i].score = gated
		}
	}
	return out
}

// chooseGate picks, from the candidates, the gate whose out-of-fold F1 at
// its best threshold is highest; ties go to the higher, stricter gate.
func chooseGate(s []Scored, candidates []float64) float64 {
	best, bestF := 0.0, -1.0
	for _, g := range candidates {
		sc := gatedScores(s, g)
		t := bestThreshold(sc, 1)
		var p PRF
		for _, x := range sc {
			p.Add(x.score >= t, x.actual)
		}
		if f := p.F1(); f > bestF || f == bestF && g > best {
			best, bestF = g, f
		}
	}
	return best
}

// spread is the standard deviation of the finite scores, the scale on
// which a label's raw scores turn into 0..1 scores.
func spread(s []scored) float64 {
	var n, sum, sq float64
	for _, x := range s {
		if math.IsInf(x.score, 0) {
			continue
		}
		n++
		sum += x.score
		sq += x.score * x.score
	}
	if n < 2 {
		return 1
	}
	v := sq/n - (sum/n)*(sum/n)
	if v <= 0 {
		return 1
	}
	return math.Sqrt(v)
}

// trainer holds the featurised training data.
type trainer struct {
	cfg      TrainConfig
	lex      *lexicon.Lexicon
	tax      *taxonomy.Taxonomy
	data     []Labelled
	feats    [][]uint64
	lexw     []map[string]float64 // per example: lexicon weight per label
	nbLabels []string
	count    map[string][2]int
	vocab    []string
}

func (tr *trainer) prepare(data []Labelled) error {
	tr.tax = taxonomy.Default()
	tr.data = data
	tr.count = map[string][2]int{}
	for _, d := range data {
		for l, pos := range d.Known {
			c := tr.count[l]
			if pos {
				c[1]++
			} else {
				c[0]++
			}
			tr.count[l] = c
		}
	}
	for _, l := range tr.tax.Labels() {
		if c := tr.count[l.ID]; c[0] >= tr.cfg.MinExamples && c[1] >= tr.cfg.MinExamples {
			tr.nbLabels = append(tr.nbLabels, l.ID)
		}
	}
	fz := featurizer{cfg: tr.cfg.Features, lex: tr.lex}
	if tr.cfg.Features.Subwords {
		tr.vocab = buildVocab(data, tr.cfg.VocabSize)
		sub, err := tokenize.NewSubworder(tr.vocab, 1<<16)
		if err != nil {
			return fmt.Errorf("train: subwords: %w", err)
		}
		fz.sub = sub
	}
	tr.feats = make([][]uint64, len(data))
	tr.lexw = make([]map[string]float64, len(data))
	var buf []tokenize.Token
	for i, d := range data {
		tr.feats[i], buf = fz.textFeatures(d.Text, buf)
		tr.lexw[i] = lexiconWeights(tr.lex, d.Text, buf)
	}
	return nil
}

// fit trains the window scorer on the examples at idx: naive Bayes, and
// logistic regression blended in as TrainConfig.Scorer says.
func (tr *trainer) fit(idx []int) (*nb.Model, error) {
	tables, err := tr.fitNB(idx)
	if err != nil || tr.cfg.Scorer == "" || tr.cfg.Scorer == "nb" || len(tr.nbLabels) == 0 {
		return tables, err
	}
	L := len(tr.nbLabels)
	a, b, bias := make([]float64, L), make([]float64, L), make([]float64, L)
	extra := make([]map[uint64]float64, L)
	for c, label := range tr.nbLabels {
		var ex []linear.Example
		var nbScores []float64
		for _, i := range idx {
			pos, ok := tr.data[i].Known[label]
			if !ok {
				continue
			}
			y := 0.0
			if pos {
				y = 1
			}
			if s, ok := tr.data[i].Soft[label]; ok && tr.cfg.SoftLabels {
				y = s
			}
			ex = append(ex, linear.Example{Features: tr.feats[i], Target: y, Weight: tr.data[i].Weight})
			nbScores = append(nbScores, tables.Score(tr.feats[i], tr.cfg.NB.Binary)[c])
		}
		if !bothClasses(ex) {
			// A fold where one work holds every positive: naive Bayes alone.
			a[c] = 1
			continue
		}
		lr, err := linear.Train(ex, tr.cfg.Linear)
		if err != nil {
			return nil, fmt.Errorf("train %s: %w", label, err)
		}
		lrScores := make([]float64, len(ex))
		for k, e := range ex {
			lrScores[k] = lr.Score(e.Features)
		}
		extra[c], bias[c], b[c] = lr.Weights, lr.Bias, 1
		if tr.cfg.Scorer == "nb+lr" {
			a[c], b[c] = 1/stddev(nbScores), 1/stddev(lrScores)
		}
	}
	return tables.Blend(a, b, bias, extra), nil
}

// bothClasses reports whether the examples hold positive and negative
// target mass.
func bothClasses(ex []linear.Example) bool {
	var pos, neg bool
	for _, e := range ex {
		pos = pos || e.Target > 0
		neg = neg || e.Target < 1
	}
	return pos && neg
}

// stddev is the standard deviation of xs (1 when it is 0).
func stddev(xs []float64) float64 {
	var sum, sq float64
	for _, x := range xs {
		sum += x
		sq += x * x
	}
	n := float64(len(xs))
	v := sq/n - (sum/n)*(sum/n)
	if !(v > 0) {
		return 1
	}
	return math.Sqrt(v)
}

// fitNB trains naive Bayes on the examples at idx.
func (tr *trainer) fitNB(idx []int) (*nb.Model, error) {
	var ex []nb.Example
	for _, i := range idx {
		for label, pos := range tr.data[i].Known {
			c := slices.Index(tr.nbLabels, label)
			if c < 0 {
				continue
			}
			w := tr.data[i].Weight
			if w == 0 {
				w = 1
			}
			ex = append(ex, nb.Example{Features: tr.feats[i], Label: c, Positive: pos, Weight: w})
		}
	}
	if len(tr.nbLabels) == 0 {
		return nb.Train([]string{"none"}, nil, tr.cfg.NB)
	}
	return nb.Train(tr.nbLabels, ex, tr.cfg.NB)
}

// buildVocab counts the words of the training texts for the subword
// vocabulary.
func buildVocab(data []Labelled, size int) []string {
	counts := map[string]int{}
	var buf []tokenize.Token
	for _, d := range data {
		buf = tokenize.Words(d.Text, buf[:0])
		for _, t := range buf {
			counts[tokenize.Normalize(d.Text[t.Start:t.End()])]++
		}
	}
	return tokenize.BuildVocab(counts, size, 3)
}

// platt fits P(positive | score) = sigmoid(a*score + b) to the finite
// scores by Newton's method on the log-likelihood (Platt scaling), with
// Platt's target smoothing so that separable data stays finite.
func platt(s []scored) (a, b float64) {
	var pos, neg float64
	for _, x := range s {
		if math.IsInf(x.score, 0) {
			continue
		}
		if x.actual {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return 0, 0
	}
	hi, lo := (pos+1)/(pos+2), 1/(neg+2)
	b = math.Log((pos + 1) / (neg + 1))
	for range 50 {
		var g1, g2, h11, h12, h22 float64
		for _, x := range s {
			if math.IsInf(x.score, 0) {
				continue
			}
			t := lo
			if x.actual {
				t = hi
			}
			p := sigmoid(a*x.score + b)
			d := p - t
			w := p * (1 - p)
			g1 += d * x.score
			g2 += d
			h11 += w * x.score * x.score
			h12 += w * x.score
			h22 += w
		}
		h11 += 1e-9
		h22 += 1e-9
		det := h11*h22 - h12*h12
		if det <= 0 {
			break
		}
		da := (h22*g1 - h12*g2) / det
		db := (h11*g2 - h12*g1) / det
		a -= da
		b -= db
		if math.Abs(da) < 1e-9 && math.Abs(db) < 1e-9 {
			break
		}
	}
	return a, b
}
