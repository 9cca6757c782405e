package classify

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
)

// PRF holds binary classification counts and their scores.
type PRF struct {
	TP, FP, FN, TN int
}

// Precision is TP / (TP + FP), 0 when nothing was predicted positive.
func (m PRF) Precision() float64 { return ratio(m.TP, m.TP+m.FP) }

// Recall is TP / (TP + FN).
func (m PRF) Recall() float64 { return ratio(m.TP, m.TP+m.FN) }

// F1 is the harmonic mean of precision and recall of the positive class.
func (m PRF) F1() float64 { return FBeta(m, 1) }

// Accuracy is the share of correct decisions.
func (m PRF) Accuracy() float64 { return ratio(m.TP+m.TN, m.TP+m.TN+m.FP+m.FN) }

// FBeta weighs recall beta times as much as precision.
func FBeta(m PRF, beta float64) float64 {
	p, r := m.Precision(), m.Recall()
	if p+r == 0 {
		return 0
	}
	b2 := beta * beta
	return (1 + b2) * p * r / (b2*p + r)
}

// Add counts one decision.
func (m *PRF) Add(predicted, actual bool) {
	switch {
	case predicted && actual:
		m.TP++
	case predicted:
		m.FP++
	case actual:
		m.FN++
	default:
		m.TN++
	}
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// scored is a score with its gold answer.
type scored struct {
	score  float64
	actual bool
}

// bestThreshold returns the threshold on score that maximises F-beta over
// the given out-of-fold scores: the midpoint between the two scores where
// the decision changes.
func bestThreshold(s []scored, beta float64) float64 {
	if len(s) == 0 {
		return 0
	}
	s = slices.Clone(s)
	slices.SortFunc(s, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	if math.IsInf(s[0].score, -1) {
		// Every example gated: no score says anything, and no window
		// may pass. (-Inf would be passed by gated scores, and a
		// manifest cannot hold it.)
		return neverThreshold
	}
	pos := 0
	for _, x := range s {
		if x.actual {
			pos++
		}
	}
	bestF, best := -1.0, s[0].score+1
	tp, fp := 0, 0
	for i, x := range s {
		if math.IsInf(x.score, -1) {
			break // gated examples are negative at every threshold
		}
		if x.actual {
			tp++
		} else {
			fp++
		}
		if i+1 < len(s) && s[i+1].score == x.score {
			continue // ties decide together
		}
		m := PRF{TP: tp, FP: fp, FN: pos - tp}
		if f := FBeta(m, beta); f > bestF {
			bestF = f
			best = cutBelow(s, i)
		}
	}
	return best
}

// groupFolds assigns each distinct group to one of k folds, at random with
// the given seed but balanced in size.
func groupFolds(groups []string, k int, seed uint64) map[string]int {
	var uniq []string
	seen := map[string]bool{}
	for _, g := range groups {
		if !seen[g] {
			seen[g] = true
			uniq = append(uniq, g)
		}
	}
	slices.Sort(uniq)
	r := rand.New(rand.NewPCG(seed, 0x7a66e5))
	r.Shuffle(len(uniq), func(i, j int) { uniq[i], uniq[j] = uniq[j], uniq[i] })
	fold := make(map[string]int, len(uniq))
	for i, g := range uniq {
		fold[g] = i % k
	}
	return fold
}

// stratifiedGroupFolds is groupFolds with the groups of each stratum
// (strata[i] for the example of groups[i]; a group takes its first
// example's) dealt evenly over the folds: each fold holds ⌊n/k⌋ or ⌈n/k⌉ of
// a stratum's n groups, where dealing at random could give one fold more
// than its share.
func stratifiedGroupFolds(groups []string, strata []bool, k int, seed uint64) map[string]int {
	var uniq []string
	stratum := map[string]bool{}
	for i, g := range groups {
		if _, ok := stratum[g]; !ok {
			stratum[g] = strata[i]
			uniq = append(uniq, g)
		}
	}
	slices.Sort(uniq)
	r := rand.New(rand.NewPCG(seed, 0x7a66e5))
	r.Shuffle(len(uniq), func(i, j int) { uniq[i], uniq[j] = uniq[j], uniq[i] })
	fold := make(map[string]int, len(uniq))
	// One count per stratum, the second starting where the first ends,
	// so that the folds stay balanced in size too.
	var next [2]int
	for _, g := range uniq {
		if stratum[g] {
			fold[g] = next[1] % k
			next[1]++
		}
	}
	next[0] = next[1]
	for _, g := range uniq {
		if !stratum[g] {
			fold[g] = next[0] % k
			next[0]++
		}
	}
	return fold
}

// neverThreshold is the threshold of a label whose training examples all
// fall under its gate: no score reaches it, and JSON can hold it.
const neverThreshold = math.MaxFloat64

// bestBalancedThreshold returns the threshold maximising the mean of the
// true-positive and true-negative rates (Youden's J).
func bestBalancedThreshold(s []scored) float64 {
	if len(s) == 0 {
		return 0
	}
	s = slices.Clone(s)
	slices.SortFunc(s, func(a, b scored) int { return cmp.Compare(b.score, a.score) })
	pos, neg := 0, 0
	for _, x := range s {
		if x.actual {
			pos++
		} else {
			neg++
		}
	}
	if pos == 0 || neg == 0 {
		return 0
	}
	if math.IsInf(s[0].score, -1) {
		return neverThreshold // every example gated
	}
	best, bestJ := s[0].score+1, -1.0
	tp, fp := 0, 0
	for i, x := range s {
		if math.IsInf(x.score, -1) {
			break
		}
		if x.actual {
			tp++
		} else {
			fp++
		}
		if i+1 < len(s) && s[i+1].score == x.score {
			continue
		}
		j := float64(tp)/float64(pos) - float64(fp)/float64(neg)
		if j > bestJ {
			bestJ = j
			best = cutBelow(s, i)
		}
	}
	return best
}

// cutBelow returns a threshold between s[i] and the next lower finite score
// (s sorted by descending score). Below the lowest finite score it leaves a
// margin of one spread of the scores, as unseen texts score lower than
// training texts.
func cutBelow(s []scored, i int) float64 {
	if i+1 < len(s) && !math.IsInf(s[i+1].score, -1) {
		return (s[i].score + s[i+1].score) / 2
	}
	return s[i].score - max(1, spread(s))
}
