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
// Segmenter checks against the text. prose's own tokenizer is kept as
// ProseWords, in this package's tests, for comparison only (linked into the
// binary, prose cost every tagger process ~6 ms of start-up, compiling
// commonregex's expressions at init, for no work): it reports no offsets (ProseWords
// recovers them by search), it drops text (a contraction followed by
// punctuation loses "n't" and the punctuation: "I can't." → I, ca), and it
// is an order of magnitude slower than Words. Its tagger and entity
// extractor are slower still, too slow to run on every window, so tagger
// does not use them.
//
// From github.com/sugarme/tokenizer we use only the WordPiece model,
// model/wordpiece.WordPiece, called one word at a time behind Subworder's
// cache. We avoid:
//   - the Tokenizer pipeline (normalizer, pre-tokenizer, post-processor),
//     which allocates so much per story that it runs far below the batch
//     pipeline's speed; Words does that job;
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
// # Speed
//
// Words, Hash and cached subword lookups allocate nothing per word, and
// Normalize allocates only for words not already normal: all are fast
// enough for the batch pipeline's per-story hot path.
// Sentence segmentation and uncached subword pieces are several times
// slower, so they stay off that path or run only where needed.
// docs/benchmarks.md has the measured figures and the commands that
// produce them (go test -bench . ./classify/tokenize).
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
