package main

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/pipeline"
)

// CardFile is the model card train writes beside a story model.
const CardFile = "MODEL.md"

// printStoryCV prints a story-model cross-validation as eval --stories
// prints its table.
func printStoryCV(w io.Writer, cv *classify.StoryCV) error {
	ev := &pipeline.StoryEval{Stories: cv.Stories, CleanWorks: cv.CleanWorks, CleanFlagged: cv.CleanFlagged,
		MeanAUC: cv.MeanAUC, MeanRecall: cv.MeanRecall, MeanFalseAlarm: cv.MeanFalseAlarm}
	fmt.Fprintf(w, "%s, %d-fold CV grouped by work (seed %d): out-of-fold scores, thresholds from the other folds\n", plural(cv.Stories, "story", "stories"), cv.Folds, cv.Seed)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "label\tdeclaring\tclean\tAUC\trecall\t(95% interval)\tfalse alarms\tscored by\t")
	for _, l := range cv.Labels {
		by := "story model"
		if !l.StoryModel {
			by = "default"
		}
		lo, hi := wilson(l.Recall, l.Positive)
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.3f\t%.3f\t%.2f–%.2f\t%.3f\t%s\t\n", l.Label, l.Positive, l.Clean, l.AUC, l.Recall, lo, hi, l.FalseAlarm, by)
	}
	tw.Flush()
	fmt.Fprintf(w, "mean over %s: AUC %.3f, recall %.3f, false alarms %.3f\n", plural(len(cv.Labels), "label", "labels"), ev.MeanAUC, ev.MeanRecall, ev.MeanFalseAlarm)
	fmt.Fprintf(w, "clean works (General/Teen, no warnings apply, nothing tagged): %d, with a finding of any of the model's labels (not only those listed): %.1f%% (low %.1f%%, high %.1f%%)\n",
		cv.CleanWorks, 100*cv.CleanFlagged, 100*cv.CleanFlaggedLow, 100*cv.CleanFlaggedHi)
	if len(cv.KeptDefault) > 0 {
		fmt.Fprintf(w, "fewer than %d declaring works, kept the default story decision: %v\n", cv.Config.MinPositive, cv.KeptDefault)
	}
	return nil
}

// writeModelCard writes MODEL.md into the model directory: what the story
// model was trained on, per label its declaring works, and the
// cross-validated table.
func writeModelCard(dir string, m *classify.Model, cv *classify.StoryCV, st pipeline.StoryCorpusStats, took time.Duration) error {
	var b bytes.Buffer
	man := m.Manifest()
	cardHeader(&b, dir, m, took, "")
	for _, d := range man.Data {
		fmt.Fprintf(&b, "- `%s`: %d examples\n", d.Path, d.Examples)
	}
	fmt.Fprintf(&b, "- corpus: %s read, %d skipped (unreadable or not English), %.1f MB\n\n", plural(st.Stories, "story", "stories"), st.Skipped, float64(st.Bytes)/1e6)
	c := cv.Config
	fmt.Fprintf(&b, "## Story model\n\n")
	fmt.Fprintf(&b, "Per label with at least %d declaring works: L2 logistic regression (L2 %g, %d iterations) over 2^%d hashed word unigrams%s (1 + log tf, L2-normalised%s), lexicon weight per label and the passage model's story statistics (scale %g). Weak labels: declared = positive (\"Implied\"/\"Mentioned\" tags weigh %g); archive warnings negative only under \"No Archive Warnings Apply\"; freeform labels negative: %s. Evidence a detection needs: %s. Thresholds: set on %d-fold out-of-fold scores to flag %.0f/%.0f/%.0f%% of clean works (low/balanced/high); works the model never saw are flagged a little more (see the table).\n\n",
		c.MinPositive, c.L2, c.Iterations, c.HashBits, map[bool]string{true: " and bigrams"}[c.Bigrams], map[bool]string{true: ", IDF"}[c.IDF], c.DenseScale,
		c.ImpliedWeight, c.FreeformNegatives, c.Evidence, c.Folds, 100*c.Targets.Low, 100*c.Targets.Balanced, 100*c.Targets.High)
	fmt.Fprintf(&b, "| label | declaring works | scored by |\n|---|---:|---|\n")
	for _, li := range man.Labels {
		if li.StoryPositive == 0 {
			continue
		}
		by := "story model"
		if !li.StoryModel {
			by = "default story decision (too few declaring works)"
		}
		fmt.Fprintf(&b, "| %s | %d | %s |\n", li.Label, li.StoryPositive, by)
	}
	fmt.Fprintf(&b, "\n## Cross-validation\n\n| label | declaring | clean | AUC | recall | recall, 95%% interval | false alarms | scored by |\n|---|---:|---:|---:|---:|---:|---:|---|\n")
	for _, l := range cv.Labels {
		by := "story model"
		if !l.StoryModel {
			by = "default"
		}
		lo, hi := wilson(l.Recall, l.Positive)
		fmt.Fprintf(&b, "| %s | %d | %d | %.3f | %.3f | %.2f–%.2f | %.3f | %s |\n", l.Label, l.Positive, l.Clean, l.AUC, l.Recall, lo, hi, l.FalseAlarm, by)
	}
	fmt.Fprintf(&b, "| **mean** | | | **%.3f** | **%.3f** | | %.3f | |\n\n", cv.MeanAUC, cv.MeanRecall, cv.MeanFalseAlarm)
	b.WriteString("The interval is Wilson's for a share of the declaring works: with 50 of them, a recall of 0.30 could as well be 0.19 or 0.44 on another sample of the same archive.\n\n")
	fmt.Fprintf(&b, "Clean works (%d): %.1f%% flagged at balanced (low %.1f%%, high %.1f%%). Declarations are weak labels: a tag may be about a later chapter, or only implied.\n",
		cv.CleanWorks, 100*cv.CleanFlagged, 100*cv.CleanFlaggedLow, 100*cv.CleanFlaggedHi)
	if fit := man.Rating.Fit; fit == nil && len(man.Rating.Cuts) == 3 {
		fmt.Fprintf(&b, "\n## Rating\n\nCut points %.2f/%.2f/%.2f and weights (language %g, violence %g, pornography %g, dark %g) as trained, not fitted on a corpus: the corpus has fewer than %d rated works.\n",
			man.Rating.Cuts[0], man.Rating.Cuts[1], man.Rating.Cuts[2], man.Rating.Weights.Language, man.Rating.Weights.Violence, man.Rating.Weights.Porn, man.Rating.Weights.Dark, minRatingWorks)
	} else if fit != nil {
		// train fits the rating on the corpus when it has enough rated
		// works (the corpus is the last data the manifest lists), else
		// keeps the passage model's.
		kept := ""
		if len(man.Data) == 0 || fit.Source != man.Data[len(man.Data)-1].Path {
			kept = fmt.Sprintf(", kept from the passage model: the corpus has fewer than %d rated works", minRatingWorks)
		}
		fmt.Fprintf(&b, "\n## Rating\n\nCut points and weights (language %g, violence %g, pornography %g, dark %g) fitted on %s of %s%s: exact agreement %.3f, within one level %.3f (in-sample).%s\n",
			man.Rating.Weights.Language, man.Rating.Weights.Violence, man.Rating.Weights.Porn, man.Rating.Weights.Dark,
			plural(fit.Works, "rated work", "rated works"), fit.Source, kept, fit.Exact, fit.WithinOne, explicitPornNote(man.Rating))
	}
	if err := os.WriteFile(filepath.Join(dir, CardFile), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write model card: %w", err)
	}
	return nil
}

// explicitPornNote says, for a model card, the pornography score at which
// a fit makes works Explicit below detection, or nothing without one.
func explicitPornNote(rc classify.RatingConfig) string {
	if rc.ExplicitPorn <= 0 {
		return ""
	}
	return fmt.Sprintf(" A pornography score of %.2f or more, below detection, makes a work Explicit (shown, never flagged by itself).", rc.ExplicitPorn)
}

// cardHeader writes a model card's title, when and how long it was
// trained (what, after the time), its hash and the Data heading.
func cardHeader(b *bytes.Buffer, dir string, m *classify.Model, took time.Duration, what string) {
	fmt.Fprintf(b, "# Model card: `%s`\n\n", m.NameVersion())
	fmt.Fprintf(b, "Trained %s by tagger %s in %.1f s%s.", time.Now().UTC().Format("2006-01-02"), version, took.Seconds(), what)
	// The hash is the saved manifest's (Save computes it over the files):
	// names repeat, so `tagger check --model` prints it too.
	if back, err := classify.LoadDir(dir); err == nil {
		fmt.Fprintf(b, " Model hash `%s`.", back.Manifest().Hash)
	}
	b.WriteString("\n\n## Data\n\n")
}

// writePassageCard writes the model card of a model trained on labelled
// passages alone (train --data without --corpus): its data, what each
// label was trained on and decides at, and the cross-validated figures
// when --cv measured them. Story thresholds stay the passage model's.
func writePassageCard(dir string, m *classify.Model, took time.Duration) error {
	var b bytes.Buffer
	man := m.Manifest()
	cardHeader(&b, dir, m, took, ", on labelled passages only (no story model)")
	for _, d := range man.Data {
		fmt.Fprintf(&b, "- `%s`: %d examples\n", d.Path, d.Examples)
	}
	scorer := map[string]string{"": "naive Bayes", "nb": "naive Bayes", "lr": "logistic regression", "nb+lr": "naive Bayes and logistic regression"}[man.Config.Scorer]
	if scorer == "" {
		scorer = man.Config.Scorer
	}
	fmt.Fprintf(&b, "\n## Labels\n\n%s over words and lexicon hits for the labels with training examples; the lexicon alone for the others. A threshold that no score reaches marks a label whose examples all fell under its gate (too few to learn from).\n\n| label | scored by | examples | positive | gate | window threshold (low / balanced / high) |\n|---|---|---:|---:|---:|---|\n", upperFirst(scorer))
	for _, li := range man.Labels {
		if li.Source != classify.SourceModel {
			continue
		}
		th := fmt.Sprintf("%.2f / %.2f / %.2f", li.Thresholds.Low, li.Thresholds.Balanced, li.Thresholds.High)
		if li.Thresholds.Balanced > 1e300 {
			th = "none reached (every example gated)"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %.1f | %s |\n", li.Label, scorer, li.Train, li.Positive, li.Gate, th)
	}
	if e := man.Eval; e != nil {
		fmt.Fprintf(&b, "\n## Cross-validation\n\nMacro-F1 over %d labels: %.3f (%d-fold CV grouped by work; predicting every passage positive: %.3f).\n", len(e.Labels), e.MacroF1, e.Folds, e.AlwaysPosF1)
	} else {
		b.WriteString("\nNot cross-validated: train with --cv 5 to measure it.\n")
	}
	if err := os.WriteFile(filepath.Join(dir, CardFile), b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write model card: %w", err)
	}
	return nil
}

// wilson is the 95% Wilson score interval of a share p observed over n
// trials: recall on a few dozen declaring works is a rough figure, and
// the interval says how rough.
func wilson(p float64, n int) (lo, hi float64) {
	if n <= 0 {
		return 0, 1
	}
	const z = 1.959964
	nf := float64(n)
	d := 1 + z*z/nf
	c := (p + z*z/(2*nf)) / d
	h := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf)) / d
	return max(0, c-h), min(1, c+h)
}

// readModelCard returns the model card of the model directory dir, or nil
// (the embedded model, or a directory without one).
func readModelCard(dir string) []byte {
	if dir == "" {
		return nil
	}
	b, err := os.ReadFile(filepath.Join(dir, CardFile))
	if err != nil {
		return nil
	}
	return b
}

// recalibrated says what calibrate set again: the story thresholds, the
// rating's cut points, or both.
type recalibrated struct{ thresholds, rating bool }

// String names what was set: "story thresholds and rating cut points".
func (r recalibrated) String() string {
	var parts []string
	if r.thresholds {
		parts = append(parts, "story thresholds")
	}
	if r.rating {
		parts = append(parts, "rating cut points")
	}
	return strings.Join(parts, " and ")
}

// writeRecalibratedCard writes into dir, which holds the model calibrate
// saved, the card of that model: what was set again, on what, and what to
// expect, then the card the model had (card), marked as describing it
// before. A model that had no card gets none: the embedded model's is its
// documentation.
func writeRecalibratedCard(dir string, card []byte, set recalibrated) error {
	if card == nil {
		return nil
	}
	// The saved model, for the hash Save computed over its files.
	m, err := classify.LoadDir(dir)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	man := m.Manifest()
	fmt.Fprintf(&b, "# Model card: `%s`, recalibrated\n\n", m.NameVersion())
	fmt.Fprintf(&b, "Its %s were set again by `tagger calibrate` (tagger %s) on %s. Model hash `%s`.\n\n", set, version, time.Now().UTC().Format("2006-01-02"), man.Hash)
	if c := man.StoryCalibration; c != nil && set.thresholds {
		src := c.Source
		if src == "" {
			src = "the corpus given"
		}
		fmt.Fprintf(&b, "- Story thresholds: set on %d clean works of %s to flag %.0f/%.0f/%.0f%% of them (low/balanced/high); they flag %.1f/%.1f/%.1f%%.\n",
			c.Clean, src, 100*c.Targets.Low, 100*c.Targets.Balanced, 100*c.Targets.High, 100*c.Flagged.Low, 100*c.Flagged.Balanced, 100*c.Flagged.High)
		if cv := c.CV; cv != nil {
			fmt.Fprintf(&b, "- Cross-validated (%d folds): works left out of the calibration are flagged %.1f/%.1f/%.1f%%; mean recall %.3f/%.3f/%.3f. Expect these on new works.\n",
				cv.Folds, 100*cv.Flagged.Low, 100*cv.Flagged.Balanced, 100*cv.Flagged.High, cv.Recall.Low, cv.Recall.Balanced, cv.Recall.High)
		}
	}
	if f := man.Rating.Fit; f != nil && set.rating {
		cuts := make([]string, len(man.Rating.Cuts))
		for i, c := range man.Rating.Cuts {
			cuts[i] = fmt.Sprintf("%.2f", c)
		}
		fmt.Fprintf(&b, "- Rating: cut points %s (Teen, Mature, Explicit) fitted on %d rated works: exact agreement %.3f, within one level %.3f (in-sample).%s", strings.Join(cuts, ", "), f.Works, f.Exact, f.WithinOne, explicitPornNote(man.Rating))
		if never := f.Never(); len(never) > 0 {
			fmt.Fprintf(&b, " No story is predicted %s with them.", strings.Join(never, " or "))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "\nThe card below describes the model as it was before: its figures for the %s no longer apply.\n\n---\n\n", set)
	// Nest the old card's headings one level down.
	for _, line := range strings.SplitAfter(string(card), "\n") {
		if strings.HasPrefix(line, "#") {
			b.WriteString("#")
		}
		b.WriteString(line)
	}
	return os.WriteFile(filepath.Join(dir, CardFile), b.Bytes(), 0o644)
}

// upperFirst returns s with its first letter in upper case.
func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
