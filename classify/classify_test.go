package classify

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/tagger-dev/tagger/classify/tokenize"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify/lexicon"
)

func TestReadLabelled(t *testing.T) {
	in := `{"id": 1, "work_id": "w1", "warning": "war", "votes": [1,1,0], "label": 1, "text": "the war"}
{"id": 2, "work_id": 77, "warning": "misogyny", "label": 0, "text": "a"}

{"text": "b", "labels": ["Graphic Depictions Of Violence"], "known": ["death"], "group": "g"}
{"text": "c", "labels": ["rape"]}
`
	got, err := ReadLabelled(strings.NewReader(in), "in.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Fatalf("got %d examples, want 4", len(got))
	}
	checks := []struct {
		group string
		known map[string]bool
	}{
		{"w1", map[string]bool{"collective-violence": true}},
		{"77", map[string]bool{"sexism": false}},
		{"g", map[string]bool{"violence": true, "death": false}},
		{"in.jsonl:5", map[string]bool{"sexual-abuse": true}},
	}
	for i, c := range checks {
		if got[i].Group != c.group || len(got[i].Known) != len(c.known) {
			t.Errorf("example %d: group %q known %v; want %q %v", i, got[i].Group, got[i].Known, c.group, c.known)
		}
		for l, v := range c.known {
			if a, ok := got[i].Known[l]; !ok || a != v {
				t.Errorf("example %d: known[%s] = %v, %v; want %v", i, l, a, ok, v)
			}
		}
	}
	for _, bad := range []string{
		`{"warning": "war", "label": 1}`,
		`{"text": "x", "warning": "nonsense-label", "label": 1}`,
		`{"text": "x", "warning": "war"}`,
		`{"text": "x"}`,
		`not json`,
	} {
		if _, err := ReadLabelled(strings.NewReader(bad), "bad.jsonl"); err == nil || !strings.Contains(err.Error(), "bad.jsonl:1") {
			t.Errorf("ReadLabelled(%s) error = %v, want one naming bad.jsonl:1", bad, err)
		}
	}
}

func TestFoldsKeepWorksTogether(t *testing.T) {
	var data []Labelled
	for i := range 100 {
		data = append(data, Labelled{ID: string(rune('a' + i%26)), Group: string(rune('A' + i%13))})
	}
	folds := Folds(data, 5, 7)
	seen := map[string]int{}
	total := 0
	for f, idx := range folds {
		total += len(idx)
		for _, i := range idx {
			if prev, ok := seen[data[i].Group]; ok && prev != f {
				t.Fatalf("group %s in folds %d and %d", data[i].Group, prev, f)
			}
			seen[data[i].Group] = f
		}
	}
	if total != len(data) {
		t.Errorf("folds hold %d examples, want %d", total, len(data))
	}
	again := Folds(data, 5, 7)
	for f := range folds {
		if len(folds[f]) != len(again[f]) {
			t.Fatal("Folds is not deterministic for a seed")
		}
	}
}

func TestBestThreshold(t *testing.T) {
	s := []scored{{5, true}, {4, true}, {3, false}, {2, true}, {1, false}, {0, false}}
	// Cutting after 4 gives P=1 R=2/3 F1=0.8; after 2: P=3/4 R=1 F1=0.857.
	if got := bestThreshold(s, 1); got != 1.5 {
		t.Errorf("F1 threshold = %v, want 1.5", got)
	}
	if got := bestThreshold(s, 0.5); got != 3.5 {
		t.Errorf("F0.5 threshold = %v, want 3.5 (precision first)", got)
	}
	withGated := append(s, scored{math.Inf(-1), true})
	if got := bestThreshold(withGated, 2); math.IsInf(got, -1) || got > 1.5 {
		t.Errorf("a gated example must stay negative; threshold %v", got)
	}
	if got := bestBalancedThreshold(s); got != 1.5 && got != 3.5 {
		t.Errorf("balanced threshold = %v", got)
	}
	// Every example gated (a small training set): no window may pass, and
	// the threshold must be a number a manifest can hold (it was -Inf,
	// which every gated score reaches and JSON cannot write).
	allGated := []scored{{math.Inf(-1), true}, {math.Inf(-1), false}}
	for name, got := range map[string]float64{"F1": bestThreshold(allGated, 1), "balanced": bestBalancedThreshold(allGated)} {
		if math.IsInf(got, 0) || got < 1e300 {
			t.Errorf("%s threshold over gated examples = %v, want a finite bar nothing reaches", name, got)
		}
		if _, err := json.Marshal(got); err != nil {
			t.Errorf("%s threshold: %v", name, err)
		}
	}
}

func TestPRF(t *testing.T) {
	var p PRF
	for _, c := range [][2]bool{{true, true}, {true, false}, {false, true}, {false, false}, {true, true}} {
		p.Add(c[0], c[1])
	}
	if p.TP != 2 || p.FP != 1 || p.FN != 1 || p.TN != 1 {
		t.Fatalf("counts %+v", p)
	}
	if p.Precision() != 2.0/3 || p.Recall() != 2.0/3 || math.Abs(p.F1()-2.0/3) > 1e-12 || p.Accuracy() != 0.6 {
		t.Errorf("P %v R %v F1 %v A %v", p.Precision(), p.Recall(), p.F1(), p.Accuracy())
	}
	if (PRF{}).F1() != 0 {
		t.Error("F1 of nothing must be 0")
	}
}

func TestPlatt(t *testing.T) {
	var s []scored
	for i := -20; i <= 20; i++ {
		z := float64(i) / 4
		// Exactly round(1000·sigmoid(2z)) of 1000 examples are positive.
		for k := range 1000 {
			s = append(s, scored{z, float64(k) < math.Round(1000*sigmoid(2*z))})
		}
	}
	a, b := platt(s)
	if math.Abs(a-2) > 0.1 || math.Abs(b) > 0.05 {
		t.Errorf("platt = %v, %v; want a near 2 and b near 0", a, b)
	}
	if a, b := platt([]scored{{1, true}}); a != 0 || b != 0 {
		t.Error("one class only must give the zero calibration")
	}
}

// tinyLexicon is a small valid lexicon for tests that train models.
func tinyLexicon(t *testing.T) *lexicon.Lexicon {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("..", "models", "default", LexiconFile))
	if err != nil {
		t.Fatal(err)
	}
	lex, err := lexicon.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	return lex
}

// toyData: violence passages that fight, and calm ones that mention a
// fight in passing; a lexicon term (fight, punch) opens the gate.
func toyData() []Labelled {
	violent := []string{"he punched him hard and kicked him", "blood on the floor after the brutal fight", "she stabbed the guard and he screamed",
		"they beat him until he bled", "the punch broke his nose", "he kicked the door and hit her"}
	calm := []string{"they talked about the fight over tea", "the fight was on television and they laughed", "a quiet afternoon after the old fight",
		"she read a book about a famous fight", "he smiled at the memory of the fight", "the garden was calm and green"}
	var data []Labelled
	for i := range 60 {
		g := fmt.Sprintf("w%d", i)
		a, b := i%6, (i/6)%6
		if i%2 == 0 {
			data = append(data, Labelled{ID: g, Group: g, Text: violent[a] + ", and " + violent[b], Known: map[string]bool{"violence": true}})
		} else {
			data = append(data, Labelled{ID: g, Group: g, Text: calm[a] + ", and " + calm[b], Known: map[string]bool{"violence": false}})
		}
	}
	return data
}

// TestManifestHashRoundTrip: a model whose manifest holds text that JSON
// cannot carry byte for byte (an invalid byte in a data path) loads after
// Save, and so does one whose manifest has a field this tagger does not
// know (a later tagger's), hashed as that tagger would.
func TestManifestHashRoundTrip(t *testing.T) {
	tr, err := Train(context.Background(), toyData(), tinyLexicon(t), DefaultTrainConfig(), "toy", "1")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := tr.Model.WithData([]DataSummary{{Path: "/tmp/donn\xe9es/p.jsonl", Examples: 3}}).Save(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadDir(dir); err != nil {
		t.Fatalf("manifest with an invalid byte in a path: %v", err)
	}
	mf := filepath.Join(dir, ManifestFile)
	mb, _ := os.ReadFile(mf)
	var fields map[string]any
	if err := json.Unmarshal(mb, &fields); err != nil {
		t.Fatal(err)
	}
	fields["from_a_later_tagger"] = map[string]any{"weight": 0.1}
	files := map[string][]byte{}
	for _, name := range []string{LexiconFile, TablesFile, VocabFile, StoryFile} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			files[name] = b
		}
	}
	later, _ := json.MarshalIndent(fields, "", "  ")
	h, err := manifestHash(HashFilesManifest, later, files)
	if err != nil {
		t.Fatal(err)
	}
	fields["hash"] = h
	later, _ = json.MarshalIndent(fields, "", "  ")
	os.WriteFile(mf, later, 0o644)
	if _, err := LoadDir(dir); err != nil {
		t.Errorf("manifest with a later tagger's field: %v", err)
	}
	fields["from_a_later_tagger"] = map[string]any{"weight": 0.2}
	edited, _ := json.MarshalIndent(fields, "", "  ")
	os.WriteFile(mf, edited, 0o644)
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "manifest hash") {
		t.Errorf("a later tagger's field changed after saving: err %v, want a hash mismatch", err)
	}
}

// TestLegacyHashLoads: a model saved before the hash covered its manifest
// (no hash_scheme; the hash over its other files) still loads and is still
// checked.
func TestLegacyHashLoads(t *testing.T) {
	tr, err := Train(context.Background(), toyData(), tinyLexicon(t), DefaultTrainConfig(), "toy", "1")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := tr.Model.Save(dir); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, name := range []string{LexiconFile, TablesFile, VocabFile, StoryFile} {
		if b, err := os.ReadFile(filepath.Join(dir, name)); err == nil {
			files[name] = b
		}
	}
	mf := filepath.Join(dir, ManifestFile)
	mb, _ := os.ReadFile(mf)
	var man Manifest
	if err := json.Unmarshal(mb, &man); err != nil {
		t.Fatal(err)
	}
	man.HashScheme, man.Hash = "", contentHash(files)
	legacy, _ := json.MarshalIndent(man, "", "  ")
	os.WriteFile(mf, legacy, 0o644)
	m, err := LoadDir(dir)
	if err != nil {
		t.Fatalf("legacy hash: %v", err)
	}
	if m.Manifest().Hash != man.Hash {
		t.Errorf("hash %s, want the legacy %s kept", m.Manifest().Hash, man.Hash)
	}
	files[TablesFile][0] ^= 0xff
	os.WriteFile(filepath.Join(dir, TablesFile), files[TablesFile], 0o644)
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "manifest hash") {
		t.Errorf("legacy model with a changed file: err %v, want a hash mismatch", err)
	}
	man.HashScheme = "files+everything"
	future, _ := json.MarshalIndent(man, "", "  ")
	os.WriteFile(mf, future, 0o644)
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "update tagger") {
		t.Errorf("unknown hash scheme: err %v, want advice to update tagger", err)
	}
}

func TestTrainPredictSaveLoad(t *testing.T) {
	ctx := context.Background()
	tr, err := Train(ctx, toyData(), tinyLexicon(t), DefaultTrainConfig(), "toy", "1")
	if err != nil {
		t.Fatal(err)
	}
	m := tr.Model
	li := m.labelIndex("violence")
	if m.info[li].Source != "model" || m.labelIndex("death") < 0 || m.info[m.labelIndex("death")].Source != "lexicon" {
		t.Fatalf("sources: violence %q death %q", m.info[li].Source, m.info[m.labelIndex("death")].Source)
	}
	story := "Title: x\n\nThe morning passed.\n\nThen he punched him hard and kicked him, blood on the floor, a brutal fight.\n"
	r, err := m.Predict(ctx, story, 10, 3, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Labels) != 36 {
		t.Fatalf("%d labels, want all 36", len(r.Labels))
	}
	if !r.Labels[li].Detected {
		t.Fatalf("violence not detected: %+v", r.Labels[li])
	}
	var ev *Evidence
	for i := range r.Evidence {
		if r.Evidence[i].Label == "violence" {
			ev = &r.Evidence[i]
			break
		}
	}
	if ev == nil || ev.LineStart != 5 || !strings.Contains(ev.Snippet, "punched") || story[ev.ByteStart:ev.ByteEnd] == "" {
		t.Fatalf("violence evidence %+v: want line 5 with the punch", ev)
	}
	calm, _ := m.Predict(ctx, "They talked over tea and laughed.", 0, 1, PredictOptions{})
	if calm.Labels[li].Detected || len(calm.Detected) != 0 {
		t.Errorf("calm text detected %v", calm.Detected)
	}

	dir := t.TempDir()
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	back, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := back.Predict(ctx, story, 10, 3, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r2.Labels[li] != r.Labels[li] {
		t.Errorf("after Save/Load: %+v, before %+v", r2.Labels[li], r.Labels[li])
	}
	// A directory copied without one of its files says which, and what
	// to do, not only that the files changed.
	for file, want := range map[string]string{
		TablesFile:  TablesFile + " is missing, yet its naive-Bayes tables score violence: copy the whole model directory",
		LexiconFile: LexiconFile + " is missing: copy the whole model directory",
	} {
		partial := t.TempDir()
		if err := m.Save(partial); err != nil {
			t.Fatal(err)
		}
		if err := os.Remove(filepath.Join(partial, file)); err != nil {
			t.Fatal(err)
		}
		if _, err := LoadDir(partial); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("model without %s: err %v, want %q", file, err, want)
		}
	}
	// A model from before the word hash was recorded (FNV-1a) is refused
	// with what to do, not read with tables that match no word.
	mf := filepath.Join(dir, ManifestFile)
	mb, _ := os.ReadFile(mf)
	old := strings.Replace(string(mb), `"word_hash": "`+tokenize.HashScheme+`"`, `"word_hash": ""`, 1)
	if old == string(mb) {
		t.Fatalf("manifest records no word hash:\n%s", mb)
	}
	// (Such a model's hash covered its other files only: none is checked
	// here.)
	old = strings.Replace(old, `"hash_scheme": "`+HashFilesManifest+`",`, "", 1)
	old = regexp.MustCompile(`"hash": "[0-9a-f]+"`).ReplaceAllString(old, `"hash": ""`)
	os.WriteFile(mf, []byte(old), 0o644)
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), `word hash "fnv1a"`) || !strings.Contains(err.Error(), "tagger train") || !strings.Contains(err.Error(), "tagger calibrate") {
		t.Errorf("model with FNV-1a tables: err %v, want a word-hash error that says to train again", err)
	}
	os.WriteFile(mf, mb, 0o644)
	// Nor does a manifest whose decisions changed (a threshold), though
	// every other file is the same: two models that decide differently
	// must not share a hash (run --resume trusts it).
	var man map[string]any
	if err := json.Unmarshal(mb, &man); err != nil {
		t.Fatal(err)
	}
	man["labels"].([]any)[0].(map[string]any)["gate"] = 123.0
	edited, _ := json.MarshalIndent(man, "", "  ")
	os.WriteFile(mf, edited, 0o644)
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "manifest hash") {
		t.Errorf("manifest with a changed gate: err %v, want a hash mismatch", err)
	}
	os.WriteFile(mf, mb, 0o644)
	// A changed file no longer matches the manifest hash.
	nb := filepath.Join(dir, TablesFile)
	b, _ := os.ReadFile(nb)
	b[len(b)-1] ^= 0xff
	os.WriteFile(nb, b, 0o644)
	if _, err := LoadDir(dir); err == nil || !strings.Contains(err.Error(), "hash") {
		t.Errorf("tampered model loaded: %v", err)
	}
}

func TestSensitivityOrder(t *testing.T) {
	tr, err := Train(context.Background(), toyData(), tinyLexicon(t), DefaultTrainConfig(), "toy", "1")
	if err != nil {
		t.Fatal(err)
	}
	for _, li := range tr.Model.info {
		th := li.Thresholds
		if !(th.High <= th.Balanced+1e-9 && th.Balanced <= th.Low+1e-9) {
			t.Errorf("%s: thresholds %+v: want high <= balanced <= low", li.Label, th)
		}
	}
	if _, err := ParseSensitivity("medium"); err == nil {
		t.Error("ParseSensitivity accepted medium")
	}
}

func TestPredictLargeStoryInChunks(t *testing.T) {
	tr, err := Train(context.Background(), toyData(), tinyLexicon(t), DefaultTrainConfig(), "toy", "1")
	if err != nil {
		t.Fatal(err)
	}
	// Over chunkBytes, so the story is tokenised in several chunks; the
	// violent paragraph sits at the very end.
	calm := strings.Repeat("The morning passed slowly by the window of the house.\n", (chunkBytes/53)+2000)
	story := calm + "Then he punched him hard and kicked him, blood on the floor, a brutal fight.\n"
	r, err := tr.Model.Predict(context.Background(), story, 0, 1, PredictOptions{})
	if err != nil {
		t.Fatal(err)
	}
	li := tr.Model.labelIndex("violence")
	if !r.Labels[li].Detected {
		t.Fatal("violence at the end of a large story not detected")
	}
	wantLine := strings.Count(calm, "\n") + 1
	for _, e := range r.Evidence {
		// The punch is on the last line; a short sentence may be shown
		// with the one before it.
		if e.Label == "violence" && (e.LineEnd != wantLine || e.LineStart < wantLine-1) {
			t.Errorf("evidence lines %d-%d, want %d (or from %d)", e.LineStart, e.LineEnd, wantLine, wantLine-1)
		}
	}
	// Streaming the same story gives the same result.
	streamed, err := tr.Model.PredictReader(context.Background(), strings.NewReader(story), 0, 1, PredictOptions{CountWords: func(s string) int { return len(strings.Fields(s)) }})
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Count(story, " ") + strings.Count(story, "\n"); streamed.Words != want || r.Words != 0 {
		t.Errorf("Words = %d streamed (want %d), %d without CountWords (want 0)", streamed.Words, want, r.Words)
	}
	r.Steps, streamed.Steps, streamed.Words = StepTimes{}, StepTimes{}, 0
	if fmt.Sprint(streamed) != fmt.Sprint(r) {
		t.Errorf("PredictReader differs from Predict:\n%v\n%v", streamed.Labels[li], r.Labels[li])
	}
	// Scoring the chunks in parallel changes nothing either.
	for _, workers := range []int{2, 3} {
		par, err := tr.Model.PredictReaderParallel(context.Background(), strings.NewReader(story), 0, 1, PredictOptions{}, workers)
		if err != nil {
			t.Fatal(err)
		}
		par.Steps = StepTimes{}
		if fmt.Sprint(par) != fmt.Sprint(r) {
			t.Errorf("PredictReaderParallel(%d) differs from Predict:\n%v\n%v", workers, par.Labels[li], r.Labels[li])
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tr.Model.Predict(ctx, story, 0, 1, PredictOptions{}); err == nil {
		t.Error("Predict ignored a cancelled context")
	}
}
