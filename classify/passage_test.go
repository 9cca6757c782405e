package classify

import (
	"cmp"
	"slices"
	"testing"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
)

// TestPassageOfMatchesAnalyse: a window read from its chunk's tokens and
// hits (passageOf) is the window tokenised and matched again (analyse)
// when nothing before the window bears on it: same tokens at the same
// offsets of the window's text, same hits. Where something does (a phrase
// that begins before the window, a repeat, a negation), the chunk's reading
// is the one the window was scored on.
func TestPassageOfMatchesAnalyse(t *testing.T) {
	m, err := LoadDir("../models/default")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name         string
		before, text string
		// wantDiff: the reading in context differs from the window alone.
		wantDiff bool
	}{
		{"independent sentences", "The morning was quiet. ", "He stabbed the guard twice and the blood pooled on the stones. She screamed.", false},
		{"text start", "", "They buried her body at dawn, and he swore to kill himself that night.", false},
		{"punctuation at the end", "Rain fell. ", "He had been murdered!", false},
		{"exception begun before the window", "He had a heart ", "attack at his desk, and the blood pooled under the door.", true},
		{"negation begun before the window", "He swore he did not ", "kill the guard, and the blood pooled under the door.", true},
		{"repeat of an earlier hit", "He stabbed the guard. ", "He stabbed the guard again.", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chunk := tt.before + tt.text
			toks := tokenize.Words(chunk, nil)
			var hits []lexicon.Hit
			m.lex.Match(chunk, toks, func(h lexicon.Hit) { hits = append(hits, h) })
			slices.SortStableFunc(hits, func(a, b lexicon.Hit) int { return cmp.Compare(a.TokEnd, b.TokEnd) })
			ts := slices.IndexFunc(toks, func(tk tokenize.Token) bool { return int(tk.Start) >= len(tt.before) })
			w := window{start: len(tt.before), end: len(chunk), text: tt.text, tok0: int32(ts), tok1: int32(len(toks))}

			got := passageOf(w, &scratch{toks: toks, hits: hits}, nil, &arena{})
			want := m.analyse(tt.text, nil, &arena{})
			if len(got.toks) != len(want.toks) {
				t.Fatalf("%d tokens, want %d", len(got.toks), len(want.toks))
			}
			for i := range got.toks {
				g, w := got.toks[i], want.toks[i]
				if g.Start != w.Start || g.End() != w.End() || g.Hash != w.Hash {
					t.Errorf("token %d = %q (%d-%d), want %q (%d-%d)", i, tt.text[g.Start:g.End()], g.Start, g.End(), tt.text[w.Start:w.End()], w.Start, w.End())
				}
			}
			if len(want.hits) == 0 {
				t.Fatal("the window alone has no hits: the case tests nothing")
			}
			same := slices.Equal(got.hits, want.hits)
			if same == tt.wantDiff {
				t.Errorf("hits in context %+v\nhits of the window alone %+v\n(want them to differ: %v)", got.hits, want.hits, tt.wantDiff)
			}
			for _, h := range got.hits {
				if h.TokStart < 0 || h.TokEnd > len(got.toks) || h.TokStart >= h.TokEnd {
					t.Errorf("hit %+v outside the window's %d tokens", h, len(got.toks))
				}
			}
			if len(got.sents) == 0 || got.sents[len(got.sents)-1].End != len(tt.text) {
				t.Errorf("sentences %v do not end at the window's end %d", got.sents, len(tt.text))
			}
		})
	}
}
