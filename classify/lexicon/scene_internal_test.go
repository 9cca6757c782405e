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

// scenesByHand applies the scene rule the slow way: the hits without it,
// then for each hit, each scene's phrases counted over the whole text (at
// each token the longest phrase of the scene, the next looked for after
// it), the first scene of the hit's label and term with two near naming
// it.
func scenesByHand(l *Lexicon, toks []tokenize.Token) []Hit {
	off := *l
	off.scenes, off.sceneSpan = nil, 0
	var hits []Hit
	off.Match("", toks, func(h Hit) { hits = append(hits, h) })
	type phrase struct{ start, end int }
	phrases := make([][]phrase, len(l.scenes))
	for s := range l.scenes {
		for i := 0; i < len(toks); {
			best := 0
			for _, p := range l.patterns {
				if p.kind == kindScene && int(p.cat) == s && slices.Contains(p.slots[0].hashes, toks[i].Hash) {
					if end, ok := p.matchAt(toks, i, 1); ok {
						best = max(best, end)
					}
				}
			}
			if best > 0 {
				phrases[s] = append(phrases[s], phrase{i, best})
				i = best
			} else {
				i++
			}
		}
	}
	for k := range hits {
		h := &hits[k]
		if h.Figurative || strings.ContainsAny(h.Term, " *") {
			continue
		}
		cat := slices.Index(l.cats, h.Label)
		term := slices.IndexFunc(l.terms, func(t compiledTerm) bool { return t.text == h.Term && int(t.cat) == cat })
		for s, sc := range l.scenes {
			if !sc.cat[cat] || sc.term != nil && !sc.term[term] {
				continue
			}
			n := 0
			for _, p := range phrases[s] {
				if p.start < h.TokEnd+l.sceneSpan && p.end > h.TokStart-l.sceneSpan {
					n++
				}
			}
			if n >= sceneMin {
				h.Figurative, h.Scene = true, sc.name
				h.Weight *= l.factor
				break
			}
		}
	}
	return hits
}

// TestScenesByHand: Match, which holds hits in its queue until the phrases
// after them are read and counts each scene's phrases in a small ring,
// agrees with the rule applied by hand, on random texts of the shipped
// lexicon's terms, exceptions, similes and the phrases of its two scenes,
// at spans from 1 to 250 tokens.
func TestScenesByHand(t *testing.T) {
	src, err := os.ReadFile("../../models/default/lexicon.yaml")
	if err != nil {
		t.Fatal(err)
	}
	l, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	if len(l.scenes) < 2 {
		t.Fatalf("the shipped lexicon has %d scenes, want play and sport", len(l.scenes))
	}
	vocab := []string{"chess", "board game", "board games", "game master", "rehearsal", "stage blood", "fake blood", "murder mystery", "power", "play",
		"referee", "on the pitch", "goalie", "power play", "final whistle", "hit", "kick", "murdered", "punched him", "war",
		"stab", "stabbed", "kill", "killed", "dead", "died", "blood", "punch", "shot", "slit her throat", "kidnapped",
		"suicide", "cock", "the", "and", "he", "her", ".", ",", ";", "like a", "not", "killing time", "dying to know"}
	r := rand.New(rand.NewPCG(1, 2))
	n := 2000
	if testing.Short() {
		n = 200
	}
	for it := range n {
		lx := *l
		lx.sceneSpan = []int{1, 2, 3, 5, 10, 40, 250}[it%7]
		var b strings.Builder
		for range 5 + r.IntN(300) {
			b.WriteString(vocab[r.IntN(len(vocab))])
			b.WriteByte(' ')
		}
		text := b.String()
		toks := tokenize.Words(text, nil)
		var got []Hit
		lx.Match(text, toks, func(h Hit) { got = append(got, h) })
		want := scenesByHand(&lx, toks)
		// The weights may differ in the last bit: the discounts for scenes
		// and for repeats are applied in the other order.
		same := slices.EqualFunc(got, want, func(a, b Hit) bool {
			if math.Abs(a.Weight-b.Weight) > 1e-12 {
				return false
			}
			a.Weight = b.Weight
			return a == b
		})
		if !same {
			t.Fatalf("span %d, %q:\n got %+v\nwant %+v", lx.sceneSpan, text, got, want)
		}
	}
}
