package classify

import (
	"cmp"
	"math"
	"slices"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
)

// Feature families: each salts word hashes into its own part of the
// feature space.
const (
	saltNegated uint64 = 1 + iota
	saltLexicon
	saltLexiconNegated
	saltSubword
	saltCharGram
)

// FeatureConfig chooses the features naive Bayes sees. It is stored in the
// model manifest so that scoring uses exactly the training features.
type FeatureConfig struct {
	// Bigrams adds pairs of adjacent words within a clause.
	Bigrams bool `json:"bigrams"`
	// Negation replaces a word in the scope of a negation cue by its
	// negated form ("not ... kill" → NOT_kill).
	Negation bool `json:"negation"`
	// Lexicon adds one feature per lexicon hit, named by label (and
	// whether the hit was negated), so NB learns how far to trust the list.
	Lexicon bool `json:"lexicon"`
	// Subwords adds WordPiece pieces of words that split into several
	// pieces (rare words, misspellings, run-together slurs).
	Subwords bool `json:"subwords"`
	// CharGrams adds the character 3- to 5-grams of each word, with its
	// boundaries marked (" kil", "lled "): inflections and misspellings
	// share them.
	CharGrams bool `json:"char_grams,omitempty"`
	// WordHash names the word hash the model's tables were trained with
	// (tokenize.HashScheme); empty for models from before it was recorded,
	// which hashed words with FNV-1a. Tables keyed by another hash would
	// match no word, so Load refuses them.
	WordHash string `json:"word_hash,omitempty"`
}

// lexiconFeature is the feature of a lexicon hit for label.
func lexiconFeature(label string, negated bool) uint64 {
	if negated {
		return tokenize.Salt(tokenize.Hash(label), saltLexiconNegated)
	}
	return tokenize.Salt(tokenize.Hash(label), saltLexicon)
}

// featurizer emits the features of a token stream, each anchored at the
// token where it ends, so that window sums can be taken over tokens.
type featurizer struct {
	cfg FeatureConfig
	lex *lexicon.Lexicon
	sub *tokenize.Subworder // nil unless cfg.Subwords
}

// each calls fn for every feature of toks (tokens of text), anchored at a
// token index. hits are the lexicon hits of toks, in token order.
func (fz *featurizer) each(text string, toks []tokenize.Token, hits []lexicon.Hit, fn func(tok int, f uint64)) {
	fz.eachRange(text, toks, hits, 0, len(toks), fn)
}

// eachRange is each for the features anchored at tokens lo..hi-1, in the
// same order each calls fn for them.
func (fz *featurizer) eachRange(text string, toks []tokenize.Token, hits []lexicon.Hit, lo, hi int, fn func(tok int, f uint64)) {
	h := firstHitFrom(hits, lo)
	for i := lo; i < hi; i++ {
		t := toks[i]
		f := t.Hash
		if fz.cfg.Negation && t.Has(tokenize.FlagNegated) {
			f = tokenize.Salt(f, saltNegated)
		}
		fn(i, f)
		if fz.cfg.Bigrams && i > 0 && !toks[i-1].Has(tokenize.FlagClauseEnd) {
			fn(i, tokenize.HashPair(toks[i-1].Hash, t.Hash))
		}
		if fz.cfg.CharGrams {
			charGrams(tokenize.Normalize(text[t.Start:t.End()]), func(g uint64) { fn(i, tokenize.Salt(g, saltCharGram)) })
		}
		if fz.sub != nil {
			pieces := fz.sub.Pieces(tokenize.Normalize(text[t.Start:t.End()]))
			if len(pieces) > 1 {
				for _, p := range pieces {
					fn(i, tokenize.Salt(uint64(p), saltSubword))
				}
			}
		}
		for fz.cfg.Lexicon && h < len(hits) && hits[h].TokEnd-1 <= i {
			if hit := hits[h]; isLabelHit(hit) && !hit.Figurative {
				fn(hit.TokEnd-1, lexiconFeature(hit.Label, hit.Negated))
			}
			h++
		}
	}
}

// firstHitFrom returns the index of the first of hits (in TokEnd order)
// anchored at token lo or later.
func firstHitFrom(hits []lexicon.Hit, lo int) int {
	h, _ := slices.BinarySearchFunc(hits, lo, func(x lexicon.Hit, lo int) int { return cmp.Compare(x.TokEnd-1, lo) })
	return h
}

// wordsOnly reports whether fz's features are words (negated or not) and
// lexicon hits only: no bigrams, character grams or subwords.
func (fz *featurizer) wordsOnly() bool {
	return !fz.cfg.Bigrams && !fz.cfg.CharGrams && fz.sub == nil
}

// isLabelHit tells label hits from rating cues ("rating:sexual").
func isLabelHit(h lexicon.Hit) bool {
	return len(h.Label) < 7 || h.Label[:7] != "rating:"
}

// textFeatures returns all features of a short text (a training passage).
func (fz *featurizer) textFeatures(text string, buf []tokenize.Token) ([]uint64, []tokenize.Token) {
	toks := tokenize.Words(text, buf[:0])
	var hits []lexicon.Hit
	if fz.lex != nil {
		fz.lex.Match(text, toks, func(h lexicon.Hit) { hits = append(hits, h) })
	}
	feats := make([]uint64, 0, len(toks)*2)
	fz.each(text, toks, hits, func(_ int, f uint64) { feats = append(feats, f) })
	return feats, toks
}

// gated is the score of a window that a model label's gate shuts: lower
// than any threshold.
var gated = math.Inf(-1)

// lexiconWeights sums, per label, the weight of the non-negated lexicon
// hits in a text (toks are its tokens).
func lexiconWeights(lex *lexicon.Lexicon, text string, toks []tokenize.Token) map[string]float64 {
	w := map[string]float64{}
	lex.Match(text, toks, func(h lexicon.Hit) {
		if !h.Negated && isLabelHit(h) {
			w[h.Label] += h.Weight
		}
	})
	return w
}

// charGrams calls fn with the hash of every 3-, 4- and 5-gram of the bytes
// of " word ".
func charGrams(word string, fn func(uint64)) {
	w := " " + word + " "
	for n := 3; n <= 5; n++ {
		for i := 0; i+n <= len(w); i++ {
			fn(tokenize.Hash(w[i : i+n]))
		}
	}
}
