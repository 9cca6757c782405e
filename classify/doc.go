// Package classify is tagger's text model: it scores a story's body for
// the 36 labels of the taxonomy, decides which it contains, finds the
// passages that show them, and predicts the rating the text calls for.
//
// # How a story is scored
//
// The body is read in 100-token windows with a 50-token stride (the size
// of the annotated passages), in chunks of at most 1 MiB so that memory is
// bounded whatever the story's size. Each window gets, per label, a raw
// score:
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
// A label is detected when its best window reaches the threshold of the
// chosen sensitivity (low: best F0.5, balanced: F1, high: F2 on
// out-of-fold training scores). Its story score is, for model labels, the
// noisy-OR of the Platt-calibrated probabilities of its five best windows
// and, for lexicon labels, a logistic of the best window's margin over the
// threshold. The best windows become evidence: the one or two sentences
// (prose's Punkt segmenter, built once) that carry the label most, with
// line and byte ranges into the story text.
//
// The rating is predicted from the lexicon's rating cues (sexual
// explicitness, violence, strong language) in the strongest window and from
// the detected labels.
//
// # Training and evaluation
//
// Train fits naive Bayes and chooses gates, thresholds and calibration
// from out-of-fold scores of grouped (by work) cross-validation on the
// training data only. Evaluate cross-validates the whole procedure, and
// BalancedProtocol runs the protocol of Wiegmann et al. (2024). The
// figures of the default model are in models/README.md.
//
// A Model is immutable and safe for concurrent use; Predict allocates only
// per call, from pooled buffers.
package classify
