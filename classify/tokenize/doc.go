// Package tokenize turns story text into the units tagger's model reads:
// words with byte offsets, sentences, and subword pieces.
//
// # Words
//
// Words is the default path, the one the batch pipeline runs on every
// story: a hand-written scanner with an ASCII fast path that appends Tokens
// (byte span, hash of the normalised form, clause, sentence and negation
// flags) to a caller's slice without allocating. Features are built from
// the hashes (Hash, HashPair, Salt), so no string is made per token;
// Normalize gives the string form when one is needed (lexicon, vocabulary).
//
// # What we use from jdkato/prose and sugarme/tokenizer, and what we avoid
//
// From github.com/jdkato/prose/v2 we use only its sentence segmenter, and
// we use it directly: gopkg.in/neurosnap/sentences.v1's English Punkt model,
// built once per Segmenter (prose.NewDocument rebuilds it on every call
// when segmentation is on). Its sentences carry byte offsets, which
// Segmenter checks against the text. prose's own tokenizer is available as
// ProseWords for comparison only: it reports no offsets (ProseWords
// recovers them by search), it drops text (a contraction followed by
// punctuation loses "n't" and the punctuation: "I can't." → I, ca), and it
// is about 16× slower than Words. Its tagger and entity extractor (0.05–0.7 MB/s
// measured on stories) are not used on every window.
//
// From github.com/sugarme/tokenizer we use only the WordPiece model,
// model/wordpiece.WordPiece, called one word at a time behind Subworder's
// cache. We avoid:
//   - the Tokenizer pipeline (normalizer, pre-tokenizer, post-processor),
//     allocation-bound at ~0.5 MB/s per story (measured); Words does that
//     job;
//   - the pretrained.* loaders, which download files or exit the process;
//   - the BPE model's cache, whose CacheCapacity(0) panics;
//     Subworder has its own bounded cache, where 0 disables caching;
//   - its trainers. The WordPiece trainer (a wrapper of the BPE trainer)
//     drops the special tokens it is given, so trained models have no
//     [UNK] and fail on any word they cannot spell (the model returns an
//     error, which Tokenizer.EncodeBatch turns into log.Fatal); it prefixes every word-initial piece with a pointer
//     address ("0xc000123abchug": it formats a **string with %v) and makes
//     no "##" continuation piece; so the trained model cannot tokenize its
//     own training words. It also prints to stdout. TestSugarmeTrainerIsBroken
//     pins these defects of v0.3.0. BuildVocab builds vocabularies instead,
//     deterministically and always with [UNK] and every seen character.
//
// # Measured speed
//
// go test -bench on this machine (AMD EPYC, 2 cores, shared with other
// work and noisy: repeated runs vary by ±5%), one goroutine, over the four
// seed stories (135 KB; MB/s counts text bytes, or word bytes for
// Normalize, Hash and Subworder):
//
//	Words                      190–205 MB/s, 0 allocations (1 MB text: 188–197 MB/s)
//	Hash (per word)            350 MB/s, 0 allocations
//	Normalize (per word)       225 MB/s, allocates only for words not already normal
//	Segmenter.Sentences      24–26 MB/s (NewSegmenter: 9–10 ms, 3.4 MB)
//	Subworder.Pieces, cached    37 ns/word (~117 MB/s), 0 allocations
//	Subworder.Pieces, uncached 480 ns/word (~9 MB/s), ~11 allocations/word
//	ProseWords                  12 MB/s
//
// Words and cached subwords fit the batch target (80 MB/s end to end on
// 2 cores); sentences and uncached subwords must stay off the per-story
// hot path or run only where needed.
//
// # Where each runs in tagger
//
// The default model tokenizes with Words and uses the Segmenter for
// evidence snippets (only the windows shown as evidence are segmented).
// Subword pieces are a documented option of the model's features
// (classify.FeatureConfig.Subwords, vocabulary from BuildVocab over the
// training texts); in grouped cross-validation on passages-dev they scored
// macro-F1 0.452 against 0.467 without them (models/README.md), so the
// default model leaves them off.
package tokenize
