package main

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/taxonomy"
)

// minRatingWorks is the fewest rated works calibrate fits rating cut points
// on: below it the model's rating settings are kept.
const minRatingWorks = 200

// minRatingLevelWorks is the fewest works of General, Teen and Mature a
// rating fit needs: a corpus of one audience (all General and Teen, say)
// would fit cut points that never predict the levels it lacks. Explicit
// may be missing: it rests on a pornography detection more than on its
// cut point.
const minRatingLevelWorks = 10

// ratingFitProblem says why the rated works of obs cannot fit the rating
// ("" when they can): too few of them, or of one level.
func ratingFitProblem(obs []classify.RatingObservation) string {
	if len(obs) < minRatingWorks {
		return fmt.Sprintf("%s rated on AO3's scale (General, Teen, Mature, Explicit), and at least %d are needed", plural(len(obs), "work", "works"), minRatingWorks)
	}
	var n [4]int
	for _, o := range obs {
		if l := int(o.Declared - taxonomy.General); l >= 0 && l < len(n) {
			n[l]++
		}
	}
	var few []string
	for i, c := range n[:3] {
		if c < minRatingLevelWorks {
			few = append(few, fmt.Sprintf("%s %d", (taxonomy.General+taxonomy.Level(i)).String(), c))
		}
	}
	if len(few) > 0 {
		return fmt.Sprintf("too few works of a level (%s; at least %d of General, Teen and Mature each are needed)", strings.Join(few, ", "), minRatingLevelWorks)
	}
	return ""
}

func newCalibrateCmd(a *app) *cobra.Command {
	var modelDir, out, source string
	var explicitWeight float64
	var ratingsOnly, force bool
	var folds int
	t := classify.DefaultStoryTargets()
	cmd := &cobra.Command{
		Use:   "calibrate CORPUS... -o MODEL_DIR [--model DIR] [--force]",
		Short: "Set a model's story thresholds on works whose authors declared them clean",
		Long: `calibrate sets the story-level thresholds of a model (low, balanced, high)
so that, on the clean works of CORPUS, at most the target share of works gets
any undeclared finding, and recall on the works that declare each label is
as high as that allows. With 200 or more works rated on AO3's scale it also
fits the rating's cut points (and picks its weights from a small grid) to
their declared ratings. Clean works are rated General or Teen and declare
that no archive warnings apply, with no tag naming a warning. Nothing is
learnt from the texts beyond one threshold per label and sensitivity; the
calibration is recorded in the model's manifest. Thresholds set at the edge
of the clean works fit those works, so unseen works get more findings:
--cv K (5 by default) sets them K times, each on all but one K-th of the
works, decides the rest with them, and reports the share of those clean
works flagged and the recall, recorded in the manifest too. Measure the
result on other works with tagger eval --stories. -o must be a new or empty directory unless --force
is given (to calibrate a model in place, give the same directory to --model
and -o, with --force); a model card in the --model directory is carried over
under a note of what was set again.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &exitCodeError{code: exitError, msg: "calibrate: name the corpus to read (files, directories, JSONL)"}
			}
			if out == "" {
				return &exitCodeError{code: exitError, msg: "calibrate needs -o MODEL_DIR"}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFolds(cmd, folds, true); err != nil {
				return err
			}
			for _, c := range []struct {
				flag string
				v    float64
			}{{"target-low", t.Low}, {"target-balanced", t.Balanced}, {"target-high", t.High}} {
				if math.IsNaN(c.v) || c.v <= 0 || c.v >= 1 {
					return usageError(cmd, fmt.Sprintf("--%s %v: a share of clean works, above 0 and below 1 (0.08 is 8%%)", c.flag, c.v))
				}
			}
			if !(t.Low <= t.Balanced && t.Balanced <= t.High) {
				return usageError(cmd, fmt.Sprintf("the targets must rise from low to high: --target-low %v, --target-balanced %v, --target-high %v", t.Low, t.Balanced, t.High))
			}
			if err := checkModelOutput(out, force); err != nil {
				return err
			}
			if err := checkInputs("calibrate", args); err != nil {
				return err
			}
			m, err := loadModel(modelDir)
			if err != nil {
				return err
			}
			// The card of a trained model describes the thresholds train
			// set: read before --force may remove it, carried over under
			// a note of what changed.
			card := readModelCard(modelDir)
			save := func(cal *classify.Model, set recalibrated) error {
				return writeModelDir(out, func(dir string) error {
					if err := cal.Save(dir); err != nil {
						return err
					}
					return writeRecalibratedCard(dir, card, set)
				})
			}
			if ratingsOnly {
				for _, f := range []string{"cv", "target-low", "target-balanced", "target-high"} {
					if cmd.Flags().Changed(f) {
						return &exitCodeError{code: exitError, msg: fmt.Sprintf("--%s sets or measures story thresholds, which --ratings-only keeps as they are: drop one of the two", f)}
					}
				}
				return fitRatingsOnly(cmd, a, m, args, source, explicitWeight, out, save)
			}
			var obs []classify.StoryObservation
			labels := m.Labels()
			sel := storyFiles()
			defer reportSkipped(a, sel)
			for s := range datasets.Read(cmd.Context(), args, datasets.Options{Stdin: a.stdin, Select: sel.Select, Taxonomy: m.Taxonomy()}) {
				if s.Err != nil || s.WarningStatus == taxonomy.StateMissing {
					continue
				}
				res, err := pipeline.PredictStory(cmd.Context(), m, s, classify.PredictOptions{FastSnippets: true})
				if err != nil {
					return fmt.Errorf("%s: %w", s.Source, err)
				}
				if res.NotChecked != "" {
					continue // a story the model cannot read says nothing of thresholds
				}
				o := m.Observe(res)
				o.Clean = pipeline.CleanDeclared(s.Declared)
				for li, l := range labels {
					o.Declared[li] = slices.Contains(s.DeclaredWarnings, l.ID)
				}
				obs = append(obs, o)
			}
			if err := cmd.Context().Err(); err != nil {
				return &exitCodeError{code: exitError, msg: "interrupted"}
			}
			cal, err := m.CalibrateStories(obs, t)
			if err != nil {
				return &exitCodeError{code: exitError, msg: err.Error() + " (give a corpus with more works rated General or Teen that declare no archive warnings)"}
			}
			cal = cal.WithCalibrationSource(source)
			var cv *classify.CalibrationCV
			if folds > 0 {
				// The thresholds stand without it: a corpus just big
				// enough to calibrate on may be too small to leave a fold
				// out.
				if cv, err = m.CrossValidateCalibration(obs, t, folds); err != nil {
					a.log.Warn("calibration not cross-validated: " + err.Error() + " (give more works, or fewer folds with --cv)")
					cv = nil
				} else {
					cal = cal.WithCalibrationCV(cv)
				}
			}
			// The rating is fitted on what the calibrated model detects
			// (its label scores and detections feed the rating score): a
			// second pass over the corpus.
			var ratings []classify.RatingObservation
			if slices.Contains(args, "-") {
				a.log.Warn("rating cut points not fitted: standard input cannot be read twice; give the corpus as a file")
			} else if ratings, err = pipeline.RatingObservations(cmd.Context(), args, sel.Select, cal); err != nil {
				return fmt.Errorf("fit ratings: %w", err)
			}
			fitRating := ratingFitProblem(ratings) == ""
			if fitRating {
				cal = cal.WithRating(cal.Manifest().Rating.FitRating(ratings, explicitWeight, source))
			} else if len(ratings) > 0 {
				fmt.Fprintf(a.stderr, "rating not fitted, the model's kept: %s\n", ratingFitProblem(ratings))
			}
			if err := save(cal, recalibrated{thresholds: true, rating: fitRating}); err != nil {
				return err
			}
			c := cal.Manifest().StoryCalibration
			fmt.Fprintf(a.stderr, "calibrated %s on %d clean works: flagged low %.1f%%, balanced %.1f%%, high %.1f%% → %s\n",
				cal.NameVersion(), c.Clean, 100*c.Flagged.Low, 100*c.Flagged.Balanced, 100*c.Flagged.High, out)
			if cv != nil {
				fmt.Fprintf(a.stderr, "cross-validated (%d folds, thresholds set without the works they decide): clean works flagged low %.1f%%, balanced %.1f%%, high %.1f%%; mean recall low %.3f, balanced %.3f, high %.3f\n",
					cv.Folds, 100*cv.Flagged.Low, 100*cv.Flagged.Balanced, 100*cv.Flagged.High, cv.Recall.Low, cv.Recall.Balanced, cv.Recall.High)
			}
			if fit := cal.Manifest().Rating.Fit; fit != nil && fitRating {
				printRatingFit(a.stderr, fit, "")
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&modelDir, "model", "", "model directory to start from (default: the embedded model)")
	f.StringVarP(&out, "output", "o", "", "model directory to write")
	f.StringVar(&source, "source", "", "name of the corpus, recorded in the manifest")
	f.BoolVar(&ratingsOnly, "ratings-only", false, "fit the rating's cut points only, keeping the model's story thresholds")
	f.Float64Var(&explicitWeight, "rating-explicit-weight", classify.DefaultExplicitWeight, "how much an Explicit work counts when fitting the rating cut points")
	f.BoolVar(&force, "force", false, "write into -o even when it is not empty, replacing the model there (as calibrating a model in place does)")
	f.IntVar(&folds, "cv", 5, "also cross-validate the calibration with K folds and report what to expect on unseen works (0: do not)")
	f.Float64Var(&t.Low, "target-low", t.Low, "share of clean works flagged at sensitivity low")
	f.Float64Var(&t.Balanced, "target-balanced", t.Balanced, "share of clean works flagged at sensitivity balanced")
	f.Float64Var(&t.High, "target-high", t.High, "share of clean works flagged at sensitivity high")
	cmd.RunE = nothingWrittenOnInterrupt(cmd.RunE)
	return cmd
}

// fitRatingsOnly fits m's rating cut points to the ratings of the corpus,
// keeping everything else of m, and saves the model to out.
func fitRatingsOnly(cmd *cobra.Command, a *app, m *classify.Model, inputs []string, source string, explicitWeight float64, out string, save func(*classify.Model, recalibrated) error) error {
	if slices.Contains(inputs, "-") {
		return &exitCodeError{code: exitError, msg: "--ratings-only reads the corpus from files: give it as a file, not standard input"}
	}
	sel := storyFiles()
	defer reportSkipped(a, sel)
	ratings, err := pipeline.RatingObservations(cmd.Context(), inputs, sel.Select, m)
	if err != nil {
		return fmt.Errorf("fit ratings: %w", err)
	}
	if why := ratingFitProblem(ratings); why != "" {
		return &exitCodeError{code: exitError, msg: "--ratings-only: the rating cannot be fitted on this corpus: " + why}
	}
	m = m.WithRating(m.Manifest().Rating.FitRating(ratings, explicitWeight, source))
	if err := save(m, recalibrated{rating: true}); err != nil {
		return err
	}
	printRatingFit(a.stderr, m.Manifest().Rating.Fit, " of "+m.NameVersion())
	fmt.Fprintf(a.stderr, "→ %s\n", out)
	return nil
}

// printRatingFit says how the rating's cut points fit the works they were
// fitted on, and which level they predict for no work.
func printRatingFit(w io.Writer, fit *classify.RatingFit, of string) {
	fmt.Fprintf(w, "rating%s fitted on %s: exact %.3f, within one level %.3f (in-sample)\n",
		of, plural(fit.Works, "rated work", "rated works"), fit.Exact, fit.WithinOne)
	if never := fit.Never(); len(never) > 0 {
		fmt.Fprintf(w, "warning: with these cut points no story is predicted %s: the fit that agrees most with the declared ratings gave %s up, so such works are read a level below or above (and flagged when read above)\n",
			strings.Join(never, " or "), map[bool]string{true: "that level", false: "those levels"}[len(never) == 1])
	}
}
