package classify

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/taxonomy"
	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/datasets"
)

// LabelScore is the story-level verdict for one label.
type LabelScore struct {
	Label    string  `json:"label" parquet:"label"`
	Group    string  `json:"group" parquet:"group"`
	Score    float64 `json:"score" parquet:"score"` // 0..1; 0.5 is the balanced threshold
	Detected bool    `json:"detected" parquet:"detected"`
	// Source is "model" (naive Bayes), "both" (naive Bayes, with lexicon
	// hits in the best window) or "lexicon" (no training data: lexicon only).
	Source string `json:"source" parquet:"source"`
	// Passages is the number of windows over the threshold.
	Passages int `json:"passages" parquet:"passages"`
}

// Evidence is a passage that shows a label.
type Evidence struct {
	Label     string  `json:"label" parquet:"label"`
	Score     float64 `json:"score" parquet:"score"`
	LineStart int     `json:"line_start" parquet:"line_start"` // 1-based lines of the story text
	LineEnd   int     `json:"line_end" parquet:"line_end"`
	ByteStart int     `json:"byte_start" parquet:"byte_start"` // byte offsets into the story text
	ByteEnd   int     `json:"byte_end" parquet:"byte_end"`
	Snippet   string  `json:"snippet" parquet:"snippet"`
	// Terms are the lexicon terms found in the window, for explanations.
	Terms []string `json:"terms,omitempty" parquet:"-"`
}

// Result is what the model finds in a story.
type Result struct {
	// Labels holds every label of the taxonomy, in taxonomy order.
	Labels []LabelScore
	// Detected lists the detected labels, in taxonomy order.
	Detected []string
	// Evidence holds the best passages of detected labels, best first
	// within each label.
	Evidence []Evidence
	// PredictedRating is the canonical rating the text calls for.
	PredictedRating string
	// RatingCues are the strongest window's cue weights (sexual, violence,
	// language) behind the predicted rating.
	RatingCues RatingCues
	// Windows is the number of windows scored.
	Windows int
	// Tokens is the number of words read.
	Tokens int
}

// PredictOptions tune a prediction.
type PredictOptions struct {
	Sensitivity Sensitivity // default Balanced
	// MaxEvidence is the most passages kept per detected label (default 3).
	MaxEvidence int
}

// chunkBytes bounds the text tokenised at once, so that memory stays
// bounded for stories of any size.
const chunkBytes = 4 << 20

// window is a scored window: its raw score per label and where it lies.
type window struct {
	z          float64
	start, end int // byte offsets into the story text
	lexicon    bool
}

// labelState accumulates one label's windows.
type labelState struct {
	top   []window // best windows, best first, at most keep
	count int      // windows over the threshold
}

func (ls *labelState) offer(w window, keep int) {
	if len(ls.top) == keep && w.z <= ls.top[keep-1].z {
		return
	}
	// Overlapping windows show the same passage: keep the better one.
	for i, o := range ls.top {
		if o.start < w.end && w.start < o.end {
			if w.z > o.z {
				ls.top = slices.Delete(ls.top, i, i+1)
				break
			}
			return
		}
	}
	i, _ := slices.BinarySearchFunc(ls.top, w, func(a, b window) int { return cmp.Compare(b.z, a.z) })
	ls.top = slices.Insert(ls.top, i, w)
	if len(ls.top) > keep {
		ls.top = ls.top[:keep]
	}
}

// scratch holds per-call buffers, pooled across calls.
type scratch struct {
	toks []tokenize.Token
	hits []lexicon.Hit
	nb   []float64 // per block × NB label
	lex  []float64 // per block × label
	rat  []float64 // per block × rating cue
	lexB []bool    // per block × label: any lexicon hit
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// Predict scores a story's body (text[bodyByte:]) window by window and
// decides every label, the rating and the evidence. Offsets and lines in
// the result refer to text; bodyLine is the line on which the body starts.
func (m *Model) Predict(ctx context.Context, text string, bodyByte, bodyLine int, opt PredictOptions) (Result, error) {
	if opt.Sensitivity == "" {
		opt.Sensitivity = Balanced
	}
	if opt.MaxEvidence <= 0 {
		opt.MaxEvidence = 3
	}
	keep := max(opt.MaxEvidence, m.manifest.Config.TopK, 2)
	L := len(m.labels)
	states := make([]labelState, L)
	thr := make([]float64, L)
	for i, li := range m.info {
		thr[i] = li.Thresholds.at(opt.Sensitivity)
	}
	var rating RatingCues
	res := Result{}
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)

	stride, win := m.manifest.Config.Stride, m.manifest.Config.Window
	if stride <= 0 || win < stride {
		stride, win = 50, 100
	}
	perWin := win / stride
	nbL := 0
	if m.nb != nil {
		nbL = len(m.nb.Labels())
	}
	labelIdx := m.labelLookup()

	for off := bodyByte; off < len(text); {
		if err := ctx.Err(); err != nil {
			return Result{}, err
		}
		end := chunkEnd(text, off, chunkBytes)
		chunk := text[off:end]
		sc.toks = tokenize.Words(chunk, sc.toks[:0])
		toks := sc.toks
		sc.hits = sc.hits[:0]
		m.lex.Match(chunk, toks, func(h lexicon.Hit) { sc.hits = append(sc.hits, h) })
		slices.SortStableFunc(sc.hits, func(a, b lexicon.Hit) int { return cmp.Compare(a.TokEnd, b.TokEnd) })
		res.Tokens += len(toks)

		nblocks := (len(toks) + stride - 1) / stride
		sc.nb = resize(sc.nb, nblocks*nbL)
		sc.lex = resize(sc.lex, nblocks*L)
		sc.rat = resize(sc.rat, nblocks*numCues)
		sc.lexB = resizeBool(sc.lexB, nblocks*L)
		if m.nb != nil {
			m.fz.each(chunk, toks, sc.hits, func(tok int, f uint64) {
				row := m.nb.Row(f)
				if row == nil {
					return
				}
				b := sc.nb[(tok/stride)*nbL : (tok/stride+1)*nbL]
				for c, w := range row {
					b[c] += float64(w)
				}
			})
		}
		for _, h := range sc.hits {
			if h.Negated {
				continue
			}
			b := (h.TokEnd - 1) / stride
			if cue, ok := ratingCue(h.Label); ok {
				sc.rat[b*numCues+cue] += h.Weight
				continue
			}
			if li, ok := labelIdx[h.Label]; ok {
				sc.lex[b*L+li] += h.Weight
				sc.lexB[b*L+li] = true
			}
		}
		// Windows of perWin consecutive blocks; a text shorter than one
		// window is one window.
		nwin := max(nblocks-perWin+1, min(nblocks, 1))
		for j := 0; j < nwin; j++ {
			lastBlock := min(j+perWin, nblocks)
			ts, te := j*stride, min(lastBlock*stride, len(toks))
			span := [2]int{off + int(toks[ts].Start), off + wordEnd(chunk, int(toks[te-1].End))}
			var cues RatingCues
			for b := j; b < lastBlock; b++ {
				for k := range numCues {
					cues[k] += sc.rat[b*numCues+k]
				}
			}
			rating = rating.max(cues)
			for li := range L {
				z, lexHit, lexW := 0.0, false, 0.0
				for b := j; b < lastBlock; b++ {
					lexHit = lexHit || sc.lexB[b*L+li]
					lexW += sc.lex[b*L+li]
				}
				if c := m.nbCol[li]; c >= 0 {
					if lexW < m.info[li].Gate {
						continue // outside the model's domain: see TrainConfig.Gate
					}
					z = m.nb.Bias(c)
					for b := j; b < lastBlock; b++ {
						z += sc.nb[b*nbL+c]
					}
				} else {
					for b := j; b < lastBlock; b++ {
						z += sc.lex[b*L+li]
					}
				}
				w := window{z: z, start: span[0], end: span[1], lexicon: lexHit}
				if z >= thr[li] {
					states[li].count++
				}
				states[li].offer(w, keep)
			}
			res.Windows++
		}
		off = end
	}

	res.Labels = make([]LabelScore, L)
	for li, l := range m.labels {
		st := states[li]
		ls := LabelScore{Label: l.ID, Group: l.Group, Source: m.info[li].Source, Passages: st.count}
		if len(st.top) > 0 {
			ls.Score, ls.Detected = m.decide(li, st.top, res.Windows, thr[li])
			if ls.Source == "model" && st.top[0].lexicon {
				ls.Source = "both"
			}
		}
		res.Labels[li] = ls
		if ls.Detected {
			res.Detected = append(res.Detected, l.ID)
		}
	}
	res.RatingCues = rating
	res.PredictedRating = m.manifest.Rating.predict(rating, res.Detected).String()
	if len(res.Detected) > 0 {
		ev, err := m.evidence(text, bodyByte, bodyLine, states, res, opt.MaxEvidence)
		if err != nil {
			return Result{}, err
		}
		res.Evidence = ev
	}
	return res, nil
}

// decide turns a label's best windows (best first) into its story score
// and decision at threshold thr. Lexicon labels take their best window.
// Model labels aggregate as the model's configuration says; with
// noisy-or, the score is the probability that at least one of the best
// windows shows the label, and the story is flagged when its best window
// is over the threshold.
func (m *Model) decide(li int, top []window, windows int, thr float64) (float64, bool) {
	if m.nbCol[li] < 0 {
		return m.score(li, top[0].z), top[0].z >= thr
	}
	cfg := m.manifest.Config
	switch cfg.Aggregate {
	case "noisy-or":
		miss := 1.0
		for k, w := range top {
			if k >= max(cfg.TopK, 1) {
				break
			}
			miss *= 1 - m.score(li, w.z)
		}
		p := 1 - miss
		// Weak windows add up in the score, but only a window over the
		// threshold makes a finding: it is the evidence a moderator reads.
		return p, top[0].z >= thr
	case "top2":
		z := top[0].z
		if len(top) >= 2 {
			z = (top[0].z + top[1].z) / 2
		} else if windows > 1 {
			// The other windows were outside the gate: the second counts
			// as one without evidence, a scale below the threshold.
			z = (z + min(z, m.info[li].Thresholds.Balanced-m.info[li].Scale)) / 2
		}
		return m.score(li, z), z >= thr
	}
	return m.score(li, top[0].z), top[0].z >= thr
}

// labelLookup maps label ids to their index in m.labels.
func (m *Model) labelLookup() map[string]int {
	idx := make(map[string]int, len(m.labels))
	for i, l := range m.labels {
		idx[l.ID] = i
	}
	return idx
}

// chunkEnd returns where a chunk starting at off should end: at most n
// bytes on, cut after white space so that no word is split.
func chunkEnd(text string, off, n int) int {
	if len(text)-off <= n {
		return len(text)
	}
	end := off + n
	if i := strings.LastIndexAny(text[off:end], " \t\r\n"); i > 0 {
		return off + i + 1
	}
	for end < len(text) && !utf8.RuneStart(text[end]) {
		end++
	}
	return end
}

func resize(s []float64, n int) []float64 {
	if cap(s) < n {
		return make([]float64, n)
	}
	s = s[:n]
	clear(s)
	return s
}

func resizeBool(s []bool, n int) []bool {
	if cap(s) < n {
		return make([]bool, n)
	}
	s = s[:n]
	clear(s)
	return s
}

// labelsOf returns the taxonomy labels a model scores (all of them).
func (m *Model) Labels() []taxonomy.Label { return slices.Clone(m.labels) }

// PredictStory predicts a story read by package datasets.
func (m *Model) PredictStory(ctx context.Context, s *datasets.Story, opt PredictOptions) (Result, error) {
	return m.Predict(ctx, s.Text, s.BodyByte, s.BodyLine, opt)
}

// wordEnd extends the end of a window's last word over the punctuation
// that closes it ("fight." not "fight"), stopping at white space.
func wordEnd(text string, end int) int {
	for n := 0; end < len(text) && n < 4; n++ {
		switch text[end] {
		case '.', '!', '?', '"', '\'', ')', ',', ';', ':':
			end++
		default:
			return end
		}
	}
	return end
}
