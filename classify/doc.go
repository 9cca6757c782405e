// Package classify is tagger's text model: it scores a story's body for
// the 36 labels of the taxonomy, decides which it contains, finds the
// passages that show them, and predicts the rating the text calls for.
//
// # How a story is scored
//
// The body is read in 100-token windows with a 50-token stride (the size
// of the annotated passages), in chunks of at most 256 KiB (ChunkBytes) so
// that memory is bounded whatever the story's size, and so that a long
// story's chunks are scored on every core at once. Each window gets, per
// label, a raw score:
//
//   - Labels with annotated training data (the eight warnings of
//     passages-dev) are scored by one-vs-rest multinomial naive Bayes over
//     word features, negation-marked words and lexicon-hit features. The
//     annotated passages were sampled by keyword, so naive Bayes only ever
//     learnt to tell apart passages that mention a warning: a window is
//     scored only when its lexicon weight for the label reaches the label's
//     gate (chosen, with the thresholds, by grouped cross-validation on the
//     training data). Outside the gate the label is not in question.
//   - The other 28 labels are scored by the lexicon alone: the summed
//     weight of the window's non-negated hits (figurative hits after a
//     simile count 0.3).
//
// A label is decided on the whole story (AggregateStory): its evidence
// mass (each window's lexicon weight times the calibrated probability that
// the window shows the label) is normalised by the story's length, its best
// window is weighed as a short story of its own, and a small share of the
// other warnings' evidence is added. The label is detected when that
// statistic reaches the story threshold of the chosen sensitivity and one
// window reaches the label's high window threshold (so every finding has a
// passage to show). Story thresholds are set by CalibrateStories on works
// whose authors declared them clean. The best windows become evidence: the
// one or two sentences (prose's Punkt segmenter, built once) that carry the
// label most, with line and byte ranges into the story text.
//
// The model reads English only. The first chunk's share of English
// function words tells whether a story is English; when it is not,
// whatlanggo names the language and the story is not checked
// (Result.NotChecked); nor is a story with no words after its header.
//
// The rating is predicted from the lexicon's rating cues (sexual
// explicitness, violence, strong language) in the strongest window and from
// the detected labels.
//
// # Training and evaluation
//
// Train fits naive Bayes (or logistic regression, TrainConfig.Scorer) and
// chooses gates, window thresholds and calibration from out-of-fold scores
// of grouped (by work) cross-validation on the training data only. Evaluate cross-validates the whole procedure, and
// BalancedProtocol runs the protocol of Wiegmann et al. (2024). The
// figures of the default model are in models/README.md.
//
// A Model is immutable and safe for concurrent use; Predict allocates only
// per call, from pooled buffers.
package classify
