package classify

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
)

// maxSnippet bounds a snippet's length in bytes.
const maxSnippet = 400

// contributions scores each token of a passage for one label: the naive-
// Bayes weight of the features anchored at it (model labels) or the
// lexicon weight of the hits ending at it (lexicon labels). It also returns
// the lexicon terms for the label found in the passage.
func (m *Model) contributions(passage string, li int) ([]tokenize.Token, []float64, []lexicon.Hit) {
	toks := tokenize.Words(passage, nil)
	var hits []lexicon.Hit
	m.lex.Match(passage, toks, func(h lexicon.Hit) { hits = append(hits, h) })
	slices.SortStableFunc(hits, func(a, b lexicon.Hit) int { return cmp.Compare(a.TokEnd, b.TokEnd) })
	contrib := make([]float64, len(toks))
	id := m.labels[li].ID
	if c := m.nbCol[li]; c >= 0 {
		m.fz.each(passage, toks, hits, func(tok int, f uint64) {
			if row := m.nb.Row(f); row != nil {
				contrib[tok] += float64(row[c])
			}
		})
	}
	var mine []lexicon.Hit
	for _, h := range hits {
		if h.Label != id {
			continue
		}
		mine = append(mine, h)
		if m.nbCol[li] < 0 && !h.Negated {
			contrib[h.TokEnd-1] += h.Weight
		}
	}
	return toks, contrib, mine
}

// evidence builds the evidence of the detected labels from their best
// windows: for each, the one or two sentences that carry the label most.
func (m *Model) evidence(states []labelState, res Result, maxPer int) ([]Evidence, error) {
	seg, err := m.seg()
	if err != nil {
		return nil, fmt.Errorf("sentence segmenter: %w", err)
	}
	var out []Evidence
	for li, ls := range res.Labels {
		if !ls.Detected {
			continue
		}
		thr := m.info[li].Thresholds.Balanced
		for k, w := range states[li].top {
			if k >= maxPer {
				break
			}
			if k > 0 && w.z < thr {
				break // weaker windows than the threshold are not evidence
			}
			ev := m.snippet(w, li, seg)
			ev.Label = ls.Label
			ev.Score = m.score(li, w.z)
			out = append(out, ev)
		}
	}
	return out, nil
}

// snippet picks the best one or two sentences of a window for label li.
func (m *Model) snippet(w window, li int, seg *tokenize.Segmenter) Evidence {
	passage := w.text
	toks, contrib, hits := m.contributions(passage, li)
	sents := seg.Sentences(passage)
	if len(sents) == 0 {
		sents = []tokenize.Span{{Start: 0, End: len(passage)}}
	}
	score := make([]float64, len(sents))
	si := 0
	for t, tok := range toks {
		for si < len(sents)-1 && int(tok.Start) >= sents[si].End {
			si++
		}
		score[si] += contrib[t]
	}
	best := 0
	for i := range sents {
		if score[i] > score[best] {
			best = i
		}
	}
	span := sents[best]
	// A short sentence is shown with its better neighbour in the same
	// paragraph.
	if span.End-span.Start < 120 && len(sents) > 1 {
		prev, next := best > 0, best < len(sents)-1
		prev = prev && sameParagraph(passage, sents[best-1].End, span.Start)
		next = next && sameParagraph(passage, span.End, sents[best+1].Start)
		switch {
		case prev && (!next || score[best-1] >= score[best+1]):
			span.Start = sents[best-1].Start
		case next:
			span.End = sents[best+1].End
		}
	}
	ev := Evidence{
		ByteStart: w.start + span.Start, ByteEnd: w.start + span.End,
		LineStart: w.line + lineBreaks(passage[:span.Start]),
		LineEnd:   w.line + lineBreaks(passage[:max(span.End-1, span.Start)]),
	}
	ev.Snippet = trimSnippet(passage[span.Start:span.End])
	seen := map[string]bool{}
	for _, h := range hits {
		if !h.Negated && !seen[h.Term] {
			seen[h.Term] = true
			ev.Terms = append(ev.Terms, h.Term)
		}
	}
	return ev
}

// lineBreaks counts line breaks (\n, \r\n, \r) in s.
func lineBreaks(s string) int {
	n := strings.Count(s, "\n")
	if strings.IndexByte(s, '\r') >= 0 {
		n += strings.Count(s, "\r") - strings.Count(s, "\r\n")
	}
	return n
}

// trimSnippet collapses white space and shortens s to maxSnippet bytes at
// a word boundary.
func trimSnippet(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= maxSnippet {
		return s
	}
	cut := maxSnippet
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(s[:cut], ' '); i > maxSnippet/2 {
		cut = i
	}
	return s[:cut] + "…"
}

// sameParagraph reports whether no blank line lies in text[from:to].
func sameParagraph(text string, from, to int) bool {
	if from >= to {
		return true
	}
	gap := strings.ReplaceAll(text[from:to], "\r\n", "\n")
	return !strings.Contains(strings.ReplaceAll(gap, "\r", "\n"), "\n\n")
}
