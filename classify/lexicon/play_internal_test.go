package lexicon

import (
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify/tokenize"
)

// playByHand applies the play rule the slow way: the hits without it, then
// for each hit of a play label, its play phrases counted over the whole
// text (at each token the longest phrase, the next looked for after it).
func playByHand(l *Lexicon, toks []tokenize.Token) []Hit {
	off := *l
	off.playSpan, off.playCat = 0, nil
	var hits []Hit
	off.Match("", toks, func(h Hit) { hits = append(hits, h) })
	type phrase struct{ start, end int }
	var phrases []phrase
	for i := 0; i < len(toks); {
		best := 0
		for _, p := range l.patterns {
			if p.kind == kindPlay && slices.Contains(p.slots[0].hashes, toks[i].Hash) {
				if end, ok := p.matchAt(toks, i, 1); ok {
					best = max(best, end)
				}
			}
		}
		if best > 0 {
			phrases = append(phrases, phrase{i, best})
			i = best
		} else {
			i++
		}
	}
	for k := range hits {
		h := &hits[k]
		if h.Figurative || !l.playCat[slices.Index(l.cats, h.Label)] {
			continue
		}
		n := 0
		for _, p := range phrases {
			if p.start < h.TokEnd+l.playSpan && p.end > h.TokStart-l.playSpan {
				n++
			}
		}
		if n >= playMin {
			h.Figurative, h.Play = true, true
			h.Weight *= l.factor
		}
	}
	return hits
}

// TestPlayByHand: Match, which holds hits in its queue until the phrases
// after them are read and counts phrases in a small ring, agrees with the
// rule applied by hand, on random texts of the shipped lexicon's terms,
// exceptions, similes and play phrases, at spans from 1 to 250 tokens.
func TestPlayByHand(t *testing.T) {
	src, err := os.ReadFile("../../models/default/lexicon.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	if l.playSpan == 0 {
		t.Fatal("the shipped lexicon has no play phrases")
	}
	vocab := []string{"chess", "board game", "board games", "game master", "rehearsal", "stage blood", "fake blood", "murder mystery", "power", "play",
		"stab", "stabbed", "kill", "killed", "dead", "died", "blood", "punch", "shot", "slit her throat", "kidnapped",
		"suicide", "cock", "the", "and", "he", "her", ".", ",", ";", "like a", "not", "killing time", "dying to know"}
	r := rand.New(rand.NewPCG(1, 2))
	n := 2000
	if testing.Short() {
		n = 200
	}
	for it := range n {
		lx := *l
		lx.playSpan = []int{1, 2, 3, 5, 10, 40, 250}[it%7]
		var b strings.Builder
		for range 5 + r.IntN(300) {
			b.WriteString(vocab[r.IntN(len(vocab))])
			b.WriteByte(' ')
		}
		text := b.String()
		toks := tokenize.Words(text, nil)
		var got []Hit
		lx.Match(text, toks, func(h Hit) { got = append(got, h) })
		want := playByHand(&lx, toks)
		// The weights may differ in the last bit: the discounts for play
		// and for repeats are applied in the other order.
		same := slices.EqualFunc(got, want, func(a, b Hit) bool {
			if math.Abs(a.Weight-b.Weight) > 1e-12 {
				return false
			}
			a.Weight = b.Weight
			return a == b
		})
		if !same {
			t.Fatalf("span %d, %q:\n got %+v\nwant %+v", lx.playSpan, text, got, want)
		}
	}
}
