package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/pipeline"
)

// storyCorpus writes a JSONL corpus of works that declare violence and
// show fights, and clean General works of quiet days (150 of them, enough
// to calibrate on).
func storyCorpus(t *testing.T) string {
	t.Helper()
	fight := "He punched him in the face and kicked him when he fell. Blood ran from his nose onto the stones, and he stabbed at the man's arm with the broken bottle until he screamed. "
	quiet := []string{
		"They walked to the market in the morning and bought apples, bread and a jar of honey. ",
		"The cat slept on the windowsill all afternoon while the rain tapped on the glass. ",
		"After school they played chess in the library until the bell rang for dinner. ",
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	for i := range 20 {
		enc.Encode(map[string]any{"id": fmt.Sprintf("fight%d", i), "text": quiet[i%3] + "\n\n" + fight + fight + "\n\n" + quiet[(i+1)%3],
			"rating": "Mature", "warnings": []string{"No Archive Warnings Apply"}, "tags": []string{"Graphic Violence"}})
	}
	for i := range 150 {
		enc.Encode(map[string]any{"id": fmt.Sprintf("calm%d", i), "text": strings.Repeat(quiet[i%3]+quiet[(i+1)%3]+"\n\n", 1+i%4),
			"rating": "General Audiences", "warnings": []string{"No Archive Warnings Apply"}})
	}
	path := filepath.Join(t.TempDir(), "works.jsonl")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestEvalStories(t *testing.T) {
	corpus := storyCorpus(t)
	out, errOut, code := runCLI(t, "", "eval", "--stories", corpus)
	if code != 0 {
		t.Fatalf("eval --stories: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"170 stories (0 unreadable, 0 not checked)", "violence", "mean over", "clean works (General/Teen, no warnings apply, nothing tagged): 150, with an undeclared finding of any label: 0.0%",
		"rating (170 works): exact", "declared \\ predicted  general  teen  mature  explicit  flagged under-declared"} {
		if !strings.Contains(out, want) {
			t.Errorf("eval --stories output lacks %q:\n%s", want, out)
		}
	}
	out, _, code = runCLI(t, "", "eval", "--stories", "--json", corpus)
	var ev pipeline.StoryEval
	if err := json.Unmarshal([]byte(out), &ev); err != nil || code != 0 {
		t.Fatalf("--json: exit %d, %v\n%s", code, err, out)
	}
	if len(ev.Labels) != 1 || ev.Labels[0].Label != "violence" || ev.Labels[0].AUC != 1 || ev.Labels[0].Recall != 1 || ev.Labels[0].Positive != 20 {
		t.Errorf("--json labels %+v: want violence alone, 20 declaring, AUC 1, recall 1", ev.Labels)
	}
	// Usage errors.
	for _, args := range [][]string{{"eval", "--stories"}, {"eval", corpus}} {
		if _, errOut, code := runCLI(t, "", args...); code != exitError || errOut == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}

func TestCalibrate(t *testing.T) {
	// The works of storyCorpus, and 30 more that say no warnings apply
	// but hold one fight: the default model flags them, and calibration on
	// this corpus must bring the clean works flagged under 8% while every
	// work that declares violence (two fights) stays detected.
	base, err := os.ReadFile(storyCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	fight := "He punched him in the face and kicked him when he fell. Blood ran from his nose onto the stones, and he stabbed at the man's arm with the broken bottle until he screamed. "
	var b strings.Builder
	b.Write(base)
	enc := json.NewEncoder(&b)
	for i := range 30 {
		enc.Encode(map[string]any{"id": fmt.Sprintf("quietfight%d", i), "text": "The rain fell all afternoon and they talked over tea.\n\n" + fight,
			"rating": "Teen And Up Audiences", "warnings": []string{"No Archive Warnings Apply"}})
	}
	corpus := filepath.Join(t.TempDir(), "works.jsonl")
	if err := os.WriteFile(corpus, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	evalJSON := func(args ...string) pipeline.StoryEval {
		t.Helper()
		out, errOut, code := runCLI(t, "", append([]string{"eval", "--stories", "--json", "--labels", "violence"}, args...)...)
		var ev pipeline.StoryEval
		if err := json.Unmarshal([]byte(out), &ev); err != nil || code != 0 {
			t.Fatalf("eval %v: exit %d, %v %s", args, code, err, errOut)
		}
		return ev
	}
	before := evalJSON(corpus)
	if before.CleanFlagged <= 0.08 {
		t.Fatalf("the default model flags %.3f of the clean works; the test needs more than 0.08", before.CleanFlagged)
	}
	dir := filepath.Join(t.TempDir(), "model")
	_, errOut, code := runCLI(t, "", "calibrate", "-o", dir, "--source", "test corpus", corpus)
	if code != 0 || !strings.Contains(errOut, "calibrated") || !strings.Contains(errOut, "180 clean works") || !strings.Contains(errOut, "rating fitted on 200 rated works") ||
		!strings.Contains(errOut, "cross-validated (5 folds") {
		t.Fatalf("calibrate: exit %d, %s", code, errOut)
	}
	man, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil || !strings.Contains(string(man), `"story_calibration"`) || !strings.Contains(string(man), "test corpus") || !strings.Contains(string(man), `"cross_validated"`) {
		t.Fatalf("calibrated manifest: %v\n%.400s", err, man)
	}
	// Two folds leave 90 clean works to set thresholds on, too few: the
	// calibration stands, uncross-validated, with a warning.
	dir2 := filepath.Join(t.TempDir(), "model2")
	if _, errOut, code := runCLI(t, "", "calibrate", "-o", dir2, "--cv", "2", corpus); code != 0 || !strings.Contains(errOut, "not cross-validated") || strings.Contains(errOut, "cross-validated (") {
		t.Errorf("calibrate --cv 2 on 180 clean works: exit %d, %s", code, errOut)
	}
	after := evalJSON("--model", dir, corpus)
	if after.CleanFlagged > 0.08 || len(after.Labels) != 1 || after.Labels[0].Recall != 1 {
		t.Errorf("calibrated: %.3f of clean works flagged (want ≤ 0.08), violence %+v (want recall 1)", after.CleanFlagged, after.Labels)
	}
	// The rating's cut points follow this corpus's ratings: General calm
	// days, Teen single fights, Mature double fights.
	t.Logf("rating exact agreement: %.3f before, %.3f after", before.Rating.Exact, after.Rating.Exact)
	if after.Rating.Works != 200 || after.Rating.Exact < before.Rating.Exact || after.Rating.Exact < 0.9 {
		t.Errorf("rating after calibration: %+v; want 200 works and exact agreement ≥ 0.9 and ≥ %.3f", after.Rating, before.Rating.Exact)
	}
	// A calibrated model decides differently from the one it came from,
	// so it has another hash (run --resume refuses to mix the two).
	defaultHash := func() string {
		m, err := loadModel("")
		if err != nil {
			t.Fatal(err)
		}
		return m.Manifest().Hash
	}()
	if back, err := loadModel(dir); err != nil || back.Manifest().Hash == defaultHash {
		t.Errorf("calibrated model: %v, hash %s the same as the default model's", err, defaultHash[:12])
	}
	// -o holds a model now: calibrating into it again is refused, and
	// nothing there changes; --force replaces it, in place.
	before2, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if _, errOut, code := runCLI(t, "", "calibrate", "--model", dir, "-o", dir, corpus); code != exitError || !strings.Contains(errOut, "not empty") || !strings.Contains(errOut, "--force") {
		t.Errorf("calibrate into a model directory without --force: exit %d, %s", code, errOut)
	}
	if after2, _ := os.ReadFile(filepath.Join(dir, "manifest.json")); string(after2) != string(before2) {
		t.Error("a refused calibrate changed the model")
	}
	// A trained model's card is carried over under a note of what was set
	// again.
	os.WriteFile(filepath.Join(dir, CardFile), []byte("# Model card: `trained`\n\n## Cross-validation\n\nold figures\n"), 0o644)
	if _, errOut, code := runCLI(t, "", "calibrate", "--model", dir, "-o", dir, "--force", "--cv", "0", corpus); code != 0 || strings.Contains(errOut, "cross-validated") {
		t.Fatalf("calibrate in place with --force --cv 0: exit %d, %s", code, errOut)
	}
	card, err := os.ReadFile(filepath.Join(dir, CardFile))
	if err != nil || !strings.Contains(string(card), "recalibrated") || !strings.Contains(string(card), "180 clean works") ||
		!strings.Contains(string(card), "no longer apply") || !strings.Contains(string(card), "\n## Model card: `trained`") || !strings.Contains(string(card), "\n### Cross-validation") {
		t.Errorf("card after calibrating in place: %v\n%s", err, card)
	}
	back, err := loadModel(dir)
	if err != nil {
		t.Fatalf("model calibrated in place: %v", err)
	}
	if h := back.Manifest().Hash; !strings.Contains(string(card), "Model hash `"+h+"`") {
		t.Errorf("the card does not name the calibrated model's hash %s:\n%s", h[:12], card)
	}
	if !strings.Contains(string(card), "story thresholds and rating cut points were set again") {
		t.Errorf("the card does not say what was set again:\n%s", card)
	}
	// --ratings-only keeps the story thresholds: flags that set or measure
	// them are refused, not ignored.
	if _, errOut, code := runCLI(t, "", "calibrate", "--ratings-only", "--cv", "3", "-o", filepath.Join(t.TempDir(), "r"), corpus); code != exitError || !strings.Contains(errOut, "--cv sets or measures story thresholds") {
		t.Errorf("calibrate --ratings-only --cv 3: exit %d, %q", code, errOut)
	}
	// A mistyped corpus path is named as such, not read as no clean works.
	if _, errOut, code := runCLI(t, "", "calibrate", "-o", filepath.Join(t.TempDir(), "m"), filepath.Join(t.TempDir(), "nope.jsonl")); code != exitError || !strings.Contains(errOut, "nope.jsonl: no such file or directory") {
		t.Errorf("calibrate on a missing file: exit %d, %q", code, errOut)
	}
	// Too few clean works to calibrate on.
	small := filepath.Join(t.TempDir(), "small.jsonl")
	os.WriteFile(small, []byte(`{"id":"a","text":"A quiet day at the sea.","rating":"General Audiences","warnings":["No Archive Warnings Apply"]}`+"\n"), 0o644)
	if _, errOut, code := runCLI(t, "", "calibrate", "-o", filepath.Join(t.TempDir(), "m"), small); code != exitError || !strings.Contains(errOut, "clean works") {
		t.Errorf("calibrate on one work: exit %d, %q", code, errOut)
	}
}

// TestStoryCorpusTeachesNothing: a corpus a story model cannot be trained
// on (no declarations, or too few clean works to set thresholds) stops
// train and eval --stories --cv with exit 2 and a message that says what
// to give; train writes nothing, and --force leaves the model there as it
// was. With --data the passage model is trained and kept, with a warning.
func TestStoryCorpusTeachesNothing(t *testing.T) {
	dir := t.TempDir()
	plain := filepath.Join(dir, "plain")
	os.Mkdir(plain, 0o755)
	for i := range 30 {
		os.WriteFile(filepath.Join(plain, fmt.Sprintf("s%02d.txt", i)), []byte("Title: Story\n\nShe walked to the market and bought bread. The day was long and warm.\n"), 0o644)
	}
	// 20 works declare violence, but only 100 are clean: a fold's
	// thresholds would be set on 80.
	full := storyCorpus(t)
	b, err := os.ReadFile(full)
	if err != nil {
		t.Fatal(err)
	}
	few := filepath.Join(dir, "few.jsonl")
	os.WriteFile(few, []byte(strings.Join(strings.SplitAfter(string(b), "\n")[:120], "")), 0o644)

	lines := strings.SplitAfter(string(b), "\n")
	fewDeclaring := filepath.Join(dir, "few-declaring.jsonl")
	os.WriteFile(fewDeclaring, []byte(strings.Join(lines[:15], "")+strings.Join(lines[20:], "")), 0o644)
	for _, c := range []struct{ corpus, want string }{
		{plain, "no label has 20 works declaring it (30 works read, 0 with a warnings field, 0 clean). A story model learns from the warnings and tags authors declared"},
		{fewDeclaring, "no label has 20 works declaring it (165 works read, 165 with a warnings field, 150 clean; the most declared, violence, has 15). Give more works that declare warnings, or a smaller --story-min-positive"},
		{few, "clean works, 100 needed: too few clean works to set story thresholds (120 works read, 120 with a warnings field, 100 clean)"},
	} {
		out := filepath.Join(dir, "new-model")
		_, errOut, code := runCLI(t, "", "train", "--corpus", c.corpus, "-o", out)
		if code != exitError || !strings.Contains(errOut, c.want) || !strings.Contains(errOut, "nothing was written") {
			t.Errorf("train --corpus %s: exit %d, stderr %q; want 2 and %q", filepath.Base(c.corpus), code, errOut, c.want)
		}
		if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("train --corpus %s failed, yet made -o (%v)", filepath.Base(c.corpus), err)
		}
		_, errOut, code = runCLI(t, "", "eval", "--stories", "--cv", "5", c.corpus)
		if code != exitError || !strings.Contains(errOut, c.want) {
			t.Errorf("eval --stories --cv 5 %s: exit %d, stderr %q; want 2 and %q", filepath.Base(c.corpus), code, errOut, c.want)
		}
	}

	// Declaring works and no clean work, with the bar lowered: a label's
	// model would have nothing to tell its works from.
	var declaring []string
	for _, ln := range lines {
		if strings.Contains(ln, "Graphic Violence") {
			declaring = append(declaring, ln)
		}
	}
	oneClass := filepath.Join(dir, "one-class.jsonl")
	os.WriteFile(oneClass, []byte(strings.Join(declaring, "")), 0o644)
	if _, errOut, code := runCLI(t, "", "train", "--corpus", oneClass, "--story-min-positive", "1", "-o", filepath.Join(dir, "one")); code != exitError ||
		!strings.Contains(errOut, "nothing to tell them from") || !strings.Contains(errOut, "no archive warnings apply") {
		t.Errorf("train on declaring works only: exit %d, stderr %q", code, errOut)
	}

	// --force over a model: a corpus that teaches nothing leaves it be.
	model := filepath.Join(dir, "model")
	if _, errOut, code := runCLI(t, "", "train", "--corpus", full, "-o", model); code != 0 {
		t.Fatalf("train --corpus: exit %d: %s", code, errOut)
	}
	// Measured on the corpus it was trained on, the figures are
	// in-sample, and eval says so.
	if _, errOut, code := runCLI(t, "", "eval", "--stories", "--model", model, full); code != 0 || !strings.Contains(errOut, "these figures are in-sample") {
		t.Errorf("eval --stories on the training corpus: exit %d, stderr %q; want a note that it is in-sample", code, errOut)
	}
	before, _ := os.ReadFile(filepath.Join(model, classify.ManifestFile))
	if _, _, code := runCLI(t, "", "train", "--corpus", plain, "-o", model, "--force"); code != exitError {
		t.Errorf("train --force on a corpus without declarations: exit %d, want 2", code)
	}
	after, _ := os.ReadFile(filepath.Join(model, classify.ManifestFile))
	if string(before) != string(after) {
		t.Error("train --force on a corpus that teaches nothing replaced the model there")
	}
	if _, err := os.Stat(filepath.Join(model, classify.StoryFile)); err != nil {
		t.Errorf("the story model is gone: %v", err)
	}

	// With --data, the passage model learns: trained, with a warning.
	data := tinyLabelled(t, dir)
	_, errOut, code := runCLI(t, "", "train", "--data", data, "--corpus", plain, "-o", filepath.Join(dir, "passages"))
	if code != 0 || !strings.Contains(errOut, "no story model: train --corpus") {
		t.Errorf("train --data --corpus (no declarations): exit %d, stderr %q; want 0 and a warning", code, errOut)
	}
}

// TestTrainNamesSkippedWorks: works a corpus cannot teach (a malformed
// JSONL line, a story in another language) are named with why, and the
// last line counts them; with --progress, each fit is announced.
func TestTrainNamesSkippedWorks(t *testing.T) {
	b, err := os.ReadFile(storyCorpus(t))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(string(b), "\n")
	french := `{"id": "fr1", "text": "Le matin, elle est allée au marché acheter du pain et des pommes. Il pleuvait sur la ville et les rues étaient vides. Elle est rentrée chez elle avant midi.", "warnings": ["No Archive Warnings Apply"], "rating": "General Audiences"}` + "\n"
	corpus := filepath.Join(t.TempDir(), "works.jsonl")
	os.WriteFile(corpus, []byte(strings.Join(lines[:10], "")+"{\"id\": broken\n"+french+strings.Join(lines[10:], "")), 0o644)
	_, errOut, code := runCLI(t, "", "train", "--corpus", corpus, "-o", filepath.Join(t.TempDir(), "m"), "--progress", "always")
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, errOut)
	}
	for _, want := range []string{"fitting cross-validation fold 1 of 5", "fitting cross-validation fold 5 of 5", "fitting the final model on every work",
		"corpus stories skipped: they teach nothing", "count=2", "works.jsonl:11: jsonl record: invalid JSON", "works.jsonl:12: the text reads as French", "on 170 works (2 skipped: see the warning above)"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("train's output lacks %q:\n%s", want, errOut)
		}
	}
}

// TestWilson checks the recall interval against values computed by hand
// (Wilson score interval, z = 1.96).
func TestWilson(t *testing.T) {
	for _, c := range []struct {
		p      float64
		n      int
		lo, hi float64
	}{
		{0.5, 100, 0.4038, 0.5962},
		{0.3, 50, 0.1910, 0.4375},
		{0, 20, 0, 0.1611},
		{1, 10, 0.7225, 1},
		{0.4, 0, 0, 1}, // nothing observed: anything goes
	} {
		lo, hi := wilson(c.p, c.n)
		if math.Abs(lo-c.lo) > 5e-4 || math.Abs(hi-c.hi) > 5e-4 {
			t.Errorf("wilson(%g, %d) = %.4f–%.4f, want %.4f–%.4f", c.p, c.n, lo, hi, c.lo, c.hi)
		}
	}
}

// TestPrintRatingFit: a fit that predicts a level for no work says so.
func TestPrintRatingFit(t *testing.T) {
	var b strings.Builder
	printRatingFit(&b, &classify.RatingFit{Works: 10, Exact: 0.6, WithinOne: 0.9, Predicted: []int{4, 3, 0, 3}}, "")
	if out := b.String(); !strings.Contains(out, "rating fitted on 10 rated works: exact 0.600") || !strings.Contains(out, "no story is predicted mature") {
		t.Errorf("fit without Mature: %q", out)
	}
	b.Reset()
	printRatingFit(&b, &classify.RatingFit{Works: 10, Exact: 0.6, WithinOne: 0.9, Predicted: []int{4, 3, 1, 2}}, "")
	if strings.Contains(b.String(), "warning") {
		t.Errorf("fit predicting every level: %q", b.String())
	}
}

// TestTrainCalibrateInterrupted: stopped by a signal (a cancelled
// context), train and calibrate say that nothing was written, and nothing
// was.
func TestTrainCalibrateInterrupted(t *testing.T) {
	corpus := storyCorpus(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{
		{"train", "--corpus", corpus},
		{"calibrate", corpus},
	} {
		dir := filepath.Join(t.TempDir(), "model")
		var out, errb strings.Builder
		code := run(ctx, append(args, "-o", dir), strings.NewReader(""), &out, &errb)
		if code != exitError || !strings.Contains(errb.String(), "interrupted: nothing was written") || strings.Contains(errb.String(), "context canceled") {
			t.Errorf("%s interrupted: exit %d, %q", args[0], code, errb.String())
		}
		if _, err := os.Stat(dir); err == nil {
			t.Errorf("%s interrupted: %s was written", args[0], dir)
		}
	}
}

// TestEvalStoriesNothingToMeasure: stories that declare nothing (no
// warnings, no rating) give no figures to read as measurements.
func TestEvalStoriesNothingToMeasure(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "a.txt"), []byte("The rain fell all afternoon and they talked over tea, and then he walked home.\n"), 0o644)
	for _, extra := range [][]string{nil, {"--json"}} {
		out, errOut, code := runCLI(t, "", append([]string{"eval", "--stories", dir}, extra...)...)
		if code != exitError || !strings.Contains(errOut, "nothing to measure") || out != "" {
			t.Errorf("eval --stories %v on undeclared stories: exit %d, stdout %q, stderr %q", extra, code, out, errOut)
		}
	}
}

// TestWriteModelDir: a model is written beside its directory first, so a
// failed write leaves the directory as it was; a written one replaces the
// model's files, removes those the new model lacks, and keeps the rest.
func TestWriteModelDir(t *testing.T) {
	out := filepath.Join(t.TempDir(), "model")
	os.Mkdir(out, 0o755)
	for name, body := range map[string]string{"manifest.json": "old manifest", "story.bin": "old story", "notes.txt": "mine"} {
		os.WriteFile(filepath.Join(out, name), []byte(body), 0o644)
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(out, name))
		if err != nil {
			return "<" + err.Error() + ">"
		}
		return string(b)
	}
	failed := errors.New("disk full")
	err := writeModelDir(out, func(dir string) error {
		os.WriteFile(filepath.Join(dir, "nb.bin"), []byte("half"), 0o644)
		return failed
	})
	if !errors.Is(err, failed) || read("manifest.json") != "old manifest" || read("story.bin") != "old story" || !strings.HasPrefix(read("nb.bin"), "<") {
		t.Errorf("failed write: err %v; the directory changed: manifest %q, story %q, nb %q", err, read("manifest.json"), read("story.bin"), read("nb.bin"))
	}
	if err := writeModelDir(out, func(dir string) error {
		os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("new manifest"), 0o644)
		return os.WriteFile(filepath.Join(dir, "nb.bin"), []byte("new nb"), 0o644)
	}); err != nil {
		t.Fatal(err)
	}
	if read("manifest.json") != "new manifest" || read("nb.bin") != "new nb" || !strings.HasPrefix(read("story.bin"), "<") || read("notes.txt") != "mine" {
		t.Errorf("written: manifest %q, nb %q, story %q (the old one must go), notes %q (must stay)", read("manifest.json"), read("nb.bin"), read("story.bin"), read("notes.txt"))
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(out), ".model.new-*")); len(left) > 0 {
		t.Errorf("temporary directories left: %v", left)
	}
	// A new directory is the written one, whole.
	fresh := filepath.Join(t.TempDir(), "a", "b")
	if err := writeModelDir(fresh, func(dir string) error {
		return os.WriteFile(filepath.Join(dir, "manifest.json"), []byte("m"), 0o644)
	}); err != nil || func() string { b, _ := os.ReadFile(filepath.Join(fresh, "manifest.json")); return string(b) }() != "m" {
		t.Errorf("new directory: %v", err)
	}
}
