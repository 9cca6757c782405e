package tokenize

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"

	"github.com/sugarme/tokenizer/model"
	"github.com/sugarme/tokenizer/model/wordpiece"
)

// UnkToken is the vocabulary entry for pieces the vocabulary cannot spell.
const UnkToken = "[UNK]"

// continuation prefixes WordPiece pieces that continue a word.
const continuation = "##"

// Suffix pieces BuildVocab considers: 2 to maxSuffixRunes characters, cut
// from words that keep at least minStemRunes characters before them.
const (
	maxSuffixRunes = 6
	minStemRunes   = 2
)

// BuildVocab builds a WordPiece vocabulary from word counts (of normalised
// words) with our own code, because sugarme's trainers produce unusable
// vocabularies (see the package doc and TestSugarmeTrainerIsBroken).
//
// The order is deterministic: UnkToken first; then every character seen in
// a word with a positive count, in code-point order, each followed by its
// "##" continuation form, so that every word made of seen characters can be
// spelled; then whole words with count ≥ minCount, most frequent first
// (ties in byte order); then "##" suffix pieces of 2–6 characters, the ones
// ending the most distinct words first (type frequency favours productive
// endings such as "##ing" and "##ed" over the tails of a few very frequent
// words), keeping only suffixes that end at least two words. Words and
// suffixes are added while the vocabulary has fewer than size entries; the
// characters are always all included, even beyond size.
func BuildVocab(counts map[string]int, size, minCount int) []string {
	if minCount < 1 {
		minCount = 1
	}
	vocab := []string{UnkToken}
	have := map[string]bool{UnkToken: true}
	add := func(s string) {
		if !have[s] {
			have[s] = true
			vocab = append(vocab, s)
		}
	}

	chars := map[rune]bool{}
	suffixes := map[string]int{}
	var words []string
	for w, c := range counts {
		if c <= 0 || w == "" {
			continue
		}
		rs := []rune(w)
		for _, r := range rs {
			chars[r] = true
		}
		for k := 2; k <= maxSuffixRunes && len(rs)-k >= minStemRunes; k++ {
			suffixes[continuation+string(rs[len(rs)-k:])]++
		}
		if c >= minCount {
			words = append(words, w)
		}
	}

	runes := make([]rune, 0, len(chars))
	for r := range chars {
		runes = append(runes, r)
	}
	slices.Sort(runes)
	for _, r := range runes {
		add(string(r))
		add(continuation + string(r))
	}

	sort.Slice(words, func(i, j int) bool {
		ci, cj := counts[words[i]], counts[words[j]]
		if ci != cj {
			return ci > cj
		}
		return words[i] < words[j]
	})
	for _, w := range words {
		if len(vocab) >= size {
			break
		}
		add(w)
	}

	sufs := make([]string, 0, len(suffixes))
	for s, c := range suffixes {
		if c >= 2 {
			sufs = append(sufs, s)
		}
	}
	sort.Slice(sufs, func(i, j int) bool {
		ci, cj := suffixes[sufs[i]], suffixes[sufs[j]]
		if ci != cj {
			return ci > cj
		}
		return sufs[i] < sufs[j]
	})
	for _, s := range sufs {
		if len(vocab) >= size {
			break
		}
		add(s)
	}
	return vocab
}

// Subworder splits words into WordPiece pieces with sugarme's
// wordpiece.WordPiece model (greedy longest-match-first, "##" continuation
// pieces, words of more than 100 characters become UnkToken) behind a
// per-word cache. A word containing a character the vocabulary cannot
// spell becomes the single piece UnkToken, as in BERT.
//
// The cache is safe for concurrent use and bounded: once it holds maxCache
// words it stops adding, and later words are split on every call. By Zipf's
// law the words seen first in a corpus are mostly its frequent ones, so
// a full cache keeps serving most lookups, with no eviction cost or churn.
type Subworder struct {
	model    wordpiece.WordPiece
	vocab    []string
	unk      int32
	maxCache int64
	size     atomic.Int64 // entries in cache
	cache    sync.Map     // FNV-1a of the word's bytes → *pieceEntry
}

// pieceEntry is a cached split; word guards against hash collisions.
type pieceEntry struct {
	word string
	ids  []int32
}

// NewSubworder returns a Subworder over vocab, whose entries are
// WordPiece pieces (continuations prefixed "##") and whose index is the
// piece id. vocab must contain UnkToken, so that no word can fail (without
// it sugarme's model returns an error for any word it cannot spell), and no
// empty or repeated entry. maxCache bounds the cache in words; 0 disables
// it.
func NewSubworder(vocab []string, maxCache int) (*Subworder, error) {
	if maxCache < 0 {
		return nil, fmt.Errorf("tokenize: negative subword cache size %d", maxCache)
	}
	if len(vocab) > math.MaxInt32 {
		return nil, fmt.Errorf("tokenize: vocabulary of %d entries exceeds int32 ids", len(vocab))
	}
	v := make(model.Vocab, len(vocab))
	for i, p := range vocab {
		if p == "" {
			return nil, fmt.Errorf("tokenize: vocabulary entry %d is empty", i)
		}
		if j, dup := v[p]; dup {
			return nil, fmt.Errorf("tokenize: vocabulary entry %q at %d repeats entry %d", p, i, j)
		}
		v[p] = i
	}
	unk, ok := v[UnkToken]
	if !ok {
		return nil, errors.New("tokenize: vocabulary has no " + UnkToken + " entry")
	}
	m := wordpiece.NewWordPieceBuilder().
		Vocab(&v).
		UnkToken(UnkToken).
		ContinuingSubwordPrefix(continuation).
		Build()
	return &Subworder{
		model:    m,
		vocab:    slices.Clone(vocab),
		unk:      int32(unk),
		maxCache: int64(maxCache),
	}, nil
}

// Pieces returns the vocabulary ids of word's pieces; word should already
// be normalised (see Normalize). An empty word has no pieces. The returned
// slice may be shared with other callers and must not be modified.
func (s *Subworder) Pieces(word string) []int32 {
	if word == "" {
		return nil
	}
	key := fnv1a(word)
	if e, ok := s.cache.Load(key); ok {
		if pe := e.(*pieceEntry); pe.word == word {
			return pe.ids
		}
	}
	ids := s.split(word)
	// Reserve a slot before storing so that racing callers cannot overfill
	// the cache; a lost LoadOrStore race gives its slot back. The Load
	// first keeps a full cache from contending on the counter.
	if s.size.Load() >= s.maxCache {
		return ids
	}
	if s.size.Add(1) <= s.maxCache {
		// Clone: word is often a slice of a whole story, which the cache
		// must not keep alive.
		if _, loaded := s.cache.LoadOrStore(key, &pieceEntry{word: strings.Clone(word), ids: ids}); loaded {
			s.size.Add(-1)
		}
	} else {
		s.size.Add(-1)
	}
	return ids
}

// split runs the WordPiece model on word.
func (s *Subworder) split(word string) []int32 {
	if !utf8.ValidString(word) {
		// sugarme works on runes: invalid bytes would become U+FFFD and be
		// matched against the vocabulary under a different spelling.
		word = strings.ToValidUTF8(word, "\uFFFD")
	}
	toks, err := s.model.Tokenize(word)
	if err != nil || len(toks) == 0 {
		// Unreachable with UnkToken in the vocabulary; kept so that a
		// future sugarme cannot make Pieces fail.
		return []int32{s.unk}
	}
	ids := make([]int32, len(toks))
	for i, t := range toks {
		ids[i] = int32(t.Id)
	}
	return ids
}

// Vocab returns a copy of the vocabulary: entry i is the piece with id i.
func (s *Subworder) Vocab() []string { return slices.Clone(s.vocab) }

// fnv1a is the FNV-1a hash of s's bytes, unnormalised: a cache key.
func fnv1a(s string) uint64 {
	const fnvOffset, fnvPrime = 14695981039346656037, 1099511628211
	h := uint64(fnvOffset)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * fnvPrime
	}
	return h
}
