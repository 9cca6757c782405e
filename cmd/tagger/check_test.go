package main

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/report"
)

var update = flag.Bool("update", false, "rewrite the golden files of tagger check (review the diff before committing)")

// checkCases are the stories with reviewed golden reports: the four seeds
// and our own cases in testdata/check.
func checkCases(t *testing.T) []string {
	t.Helper()
	seeds, _ := filepath.Glob("../../seeds/*.txt")
	own, _ := filepath.Glob("testdata/check/*.txt")
	if len(seeds) != 4 || len(own) < 3 {
		t.Fatalf("cases: %d seeds, %d own", len(seeds), len(own))
	}
	return append(seeds, own...)
}

// TestCheckGolden compares text and line reports with testdata/check/golden.
func TestCheckGolden(t *testing.T) {
	wantExit := map[string]int{
		"000_c1bd1572a1f429f3": 1, "001_c744f7a2d5dbaef9": 0, "002_cd7afd8d40a901e0": 1, "003_ef651ee35373ebd4": 1,
		"declared-all": 0, "none-apply-death": 1, "negated": 1,
		"self-harm": 1, "suicide-attempt": 1, "hyperbole": 0, "french": 1,
		"self-harm-burns": 1, "suicide-ledge": 1, "hyperbole-office": 0, "german": 1,
		"chose-not-to-warn": 0, "header-only": 1, "french-short": 1, "ao3-chapter-notes": 0, "ffn-author-notes": 0,
	}
	for _, path := range checkCases(t) {
		name := strings.TrimSuffix(filepath.Base(path), ".txt")
		for _, format := range []string{"text", "line"} {
			out, errOut, code := runCLI(t, "", "check", "--format", format, path)
			if code != wantExit[name] {
				t.Errorf("%s %s: exit %d, want %d (stderr %q)", name, format, code, wantExit[name], errOut)
			}
			if strings.Contains(out, "\x1b[") {
				t.Errorf("%s: colour codes in output that is not a terminal", name)
			}
			golden := filepath.Join("testdata", "check", "golden", name+"."+format)
			if *update {
				os.MkdirAll(filepath.Dir(golden), 0o755)
				if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
				continue
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test ./cmd/tagger -run CheckGolden -update, then review)", err)
			}
			if out != string(want) {
				t.Errorf("%s %s report differs from %s:\n--- got\n%s--- want\n%s", name, format, golden, out, want)
			}
		}
	}
}

// checkRow runs check --format json on one story and returns its row.
func checkRow(t *testing.T, path string, args ...string) (pipeline.Row, int) {
	t.Helper()
	out, errOut, code := runCLI(t, "", append([]string{"check", "--format", "json", path}, args...)...)
	if code == exitError {
		t.Fatalf("check %s: %s", path, errOut)
	}
	var r pipeline.Row
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("check %s: %v\n%s", path, err, out)
	}
	return r, code
}

func evidenceOf(r pipeline.Row, label string) []pipeline.Evidence {
	var out []pipeline.Evidence
	for _, e := range r.Evidence {
		if e.Label == label {
			out = append(out, e)
		}
	}
	return out
}

// The quality bar of the issue, stated outside the golden files so that a
// careless -update cannot hide a regression.
func TestCheckSeedsQualityBar(t *testing.T) {
	// 000: rated R, no warnings field: an undeclared non-consensual act
	// (lines 65–73) and explicit sex under an R.
	r, _ := checkRow(t, "../../seeds/000_c1bd1572a1f429f3.txt")
	if !slices.Contains(r.UndeclaredWarnings, "sexual-abuse") || r.RatingUnderdeclared == nil || !*r.RatingUnderdeclared {
		t.Errorf("000: undeclared %v, rating under-declared %v", r.UndeclaredWarnings, r.RatingUnderdeclared)
	}
	ev := evidenceOf(r, "sexual-abuse")
	in := slices.ContainsFunc(ev, func(e pipeline.Evidence) bool { return e.LineStart >= 65 && e.LineEnd <= 73 })
	simileOnly := len(ev) > 0 && !slices.ContainsFunc(ev, func(e pipeline.Evidence) bool { return e.LineStart != 31 })
	if !in || simileOnly {
		t.Errorf("000: sexual-abuse evidence %+v: want lines 65–73, never the simile of line 31 alone", ev)
	}
	// 003: fights, killing, no warnings declared: violence at balanced.
	// Its one killing line ("How many have I killed like that?") sits just
	// under death's story threshold even at high sensitivity (1.73 against
	// 1.82 since repeated words count less; 1.92 against 1.88 before):
	// classify's TestSeedViolenceAndDeath checks that it ranks above the
	// quiet seed 001.
	for _, c := range []struct{ label, sens string }{{"violence", "balanced"}} {
		r, _ = checkRow(t, "../../seeds/003_ef651ee35373ebd4.txt", "--sensitivity", c.sens)
		if !slices.Contains(r.UndeclaredWarnings, c.label) {
			t.Errorf("003 at %s: %s not reported undeclared: %v", c.sens, c.label, r.UndeclaredWarnings)
		}
		if !slices.ContainsFunc(evidenceOf(r, c.label), func(e pipeline.Evidence) bool { return e.LineStart >= 140 }) {
			t.Errorf("003 at %s: no %s evidence in the fight scenes (line 140 on)", c.sens, c.label)
		}
	}
	// 002: spanking, D/s and explicit content are declared and map to labels.
	r, _ = checkRow(t, "../../seeds/002_cd7afd8d40a901e0.txt")
	for _, l := range []string{"other-sexual", "pornography", "violence"} {
		if slices.Contains(r.UndeclaredWarnings, l) || !slices.Contains(r.DeclaredWarnings, l) {
			t.Errorf("002: %s declared %v, undeclared %v", l, r.DeclaredWarnings, r.UndeclaredWarnings)
		}
	}
	// Our own cases.
	if r, code := checkRow(t, "testdata/check/declared-all.txt"); code != 0 || len(r.UndeclaredWarnings) != 0 || len(r.DetectedWarnings) == 0 {
		t.Errorf("declared-all: exit %d, detected %v, undeclared %v", code, r.DetectedWarnings, r.UndeclaredWarnings)
	}
	if r, _ := checkRow(t, "testdata/check/none-apply-death.txt"); *r.WarningStatus != "none-apply" || !slices.Contains(r.UndeclaredWarnings, "death") {
		t.Errorf("none-apply-death: status %v, undeclared %v", *r.WarningStatus, r.UndeclaredWarnings)
	}
	if r, _ := checkRow(t, "testdata/check/negated.txt"); !slices.Contains(r.NegatedWarnings, "death") || !slices.Contains(r.UndeclaredWarnings, "death") {
		t.Errorf("negated: negated %v, undeclared %v: a negated declaration must not cover the death", r.NegatedWarnings, r.UndeclaredWarnings)
	}
	// The cases of issue 9: a self-harm scene and a suicide attempt that
	// nobody dies of are flagged as such (and not as death), pure
	// hyperbole passes, and a story in French is not checked (exit 1).
	for _, c := range []struct {
		file      string
		want, not []string
		exit      int
	}{
		{"self-harm", []string{"self-harm"}, []string{"death", "suicide"}, 1},
		{"suicide-attempt", []string{"suicide"}, []string{"death"}, 1},
		{"hyperbole", nil, nil, 0},
		{"french", nil, nil, 1},
		{"self-harm-burns", []string{"self-harm"}, []string{"death", "suicide"}, 1},
		{"suicide-ledge", []string{"suicide"}, []string{"death"}, 1},
		{"hyperbole-office", nil, nil, 0}, // no finding, and no rating over General either
		{"german", nil, nil, 1},
		{"french-short", nil, nil, 1}, // 9 words: too few for the trigram identifier
		// AO3's text export: a chapter's "CW: self-harm, a suicide attempt"
		// notes and its end notes declare; they are not the story.
		{"ao3-chapter-notes", nil, nil, 0},
		// "A/N: my other fic has a suicide attempt, a knife and blood"
		// among a fluff story's paragraphs: a note, not the story, and
		// no declaration of this story either.
		{"ffn-author-notes", nil, nil, 0},
		{"header-only", nil, nil, 1}, // nothing to check is not an OK
	} {
		r, code := checkRow(t, "testdata/check/"+c.file+".txt")
		if code != c.exit {
			t.Errorf("%s: exit %d, want %d", c.file, code, c.exit)
		}
		for _, l := range c.want {
			if !slices.Contains(r.UndeclaredWarnings, l) {
				t.Errorf("%s: %s not reported undeclared: %v", c.file, l, r.UndeclaredWarnings)
			}
		}
		for _, l := range c.not {
			if slices.Contains(r.DetectedWarnings, l) {
				t.Errorf("%s: %s detected: %v", c.file, l, r.DetectedWarnings)
			}
		}
		if c.want == nil && len(r.DetectedWarnings) > 0 {
			t.Errorf("%s: detected %v, want nothing", c.file, r.DetectedWarnings)
		}
	}
	for file, lang := range map[string]string{"french": "fr", "german": "de", "french-short": "fr"} {
		r, _ = checkRow(t, "testdata/check/"+file+".txt")
		if r.Note == nil || !strings.Contains(*r.Note, "not checked") || r.Language == nil || *r.Language != lang {
			t.Errorf("%s: note %v, language %v: want not checked, %s", file, r.Note, r.Language, lang)
		}
	}
	if r, _ = checkRow(t, "testdata/check/header-only.txt"); r.Note == nil || !strings.Contains(*r.Note, "no words to check") || r.Language != nil || r.PredictedRating != nil {
		t.Errorf("header only: note %v, language %v, predicted rating %v: want not checked, no language, no rating", r.Note, r.Language, r.PredictedRating)
	}
	// Seed 000's first undeclared finding is sexual-abuse.
	if r, _ := checkRow(t, "../../seeds/000_c1bd1572a1f429f3.txt"); len(r.UndeclaredWarnings) == 0 || topUndeclared(r) != "sexual-abuse" {
		t.Errorf("000: first undeclared finding %q, want sexual-abuse (%v)", topUndeclared(r), r.UndeclaredWarnings)
	}
}

// topUndeclared is the first undeclared finding of the report: the first a
// moderator reads.
func topUndeclared(r pipeline.Row) string {
	for _, f := range report.Findings(r) {
		if f.Undeclared {
			return f.Label
		}
	}
	return ""
}

func TestCheckOptions(t *testing.T) {
	seed001 := "../../seeds/001_c744f7a2d5dbaef9.txt"
	seed003 := "../../seeds/003_ef651ee35373ebd4.txt" // violence undeclared, no rating
	// --fail-on decides the exit code.
	for failOn, want := range map[string]int{"undeclared": 1, "rating": 0, "any": 1, "none": 0} {
		if _, _, code := runCLI(t, "", "check", "--fail-on", failOn, seed003); code != want {
			t.Errorf("--fail-on %s: exit %d, want %d", failOn, code, want)
		}
	}
	// --lexicon silences a term: an allow-list.
	dir := t.TempDir()
	overlay := filepath.Join(dir, "allow.yaml")
	negated := "testdata/check/negated.txt"
	if r, _ := checkRow(t, negated); !slices.Contains(r.DetectedWarnings, "death") {
		t.Fatalf("negated.txt: death not detected without an overlay: %v", r.DetectedWarnings)
	}
	os.WriteFile(overlay, []byte("labels:\n  death:\n    terms:\n      - {term: was dead, weight: 0}\n      - {term: \"carried * body\", weight: 0}\n"), 0o644)
	r, _ := checkRow(t, negated, "--lexicon", overlay)
	if slices.Contains(r.DetectedWarnings, "death") {
		t.Errorf("with its death terms silenced, negated.txt still reports %v", r.DetectedWarnings)
	}
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("labels:\n  deth:\n    terms: [x]\n"), 0o644)
	if _, errOut, code := runCLI(t, "", "check", "--lexicon", bad, seed001); code != exitError || !strings.Contains(errOut, "deth") {
		t.Errorf("bad overlay: exit %d, stderr %q", code, errOut)
	}
	// --explain shows the terms and words behind a score.
	out, _, code := runCLI(t, "", "check", "--explain", "violence", seed003)
	for _, want := range []string{"explain violence", "term ", "word ", "best window"} {
		if !strings.Contains(out, want) {
			t.Errorf("--explain output lacks %q:\n%s", want, out)
		}
	}
	if _, errOut, code := runCLI(t, "", "check", "--explain", "nonsense", seed001); code != exitError || !strings.Contains(errOut, "unknown label") {
		t.Errorf("--explain nonsense: exit %d, %q", code, errOut)
	}
	// --sensitivity high finds at least what balanced finds.
	bal, _ := checkRow(t, "../../seeds/000_c1bd1572a1f429f3.txt")
	high, _ := checkRow(t, "../../seeds/000_c1bd1572a1f429f3.txt", "--sensitivity", "high")
	for _, l := range bal.DetectedWarnings {
		if !slices.Contains(high.DetectedWarnings, l) {
			t.Errorf("high sensitivity lost %s", l)
		}
	}
	// Standard input, several stories, and a story that cannot be read.
	out, _, code = runCLI(t, "Warnings: none\n\nHe stabbed the guard in the throat and kicked him down the stairs.\nHe was dead before anyone reached him, and they buried him the next morning.\n", "check", "--format", "line", "-")
	if code != 1 || !strings.HasPrefix(out, "-:3:") {
		t.Errorf("check -: exit %d, out %q", code, out)
	}
	empty := filepath.Join(dir, "empty.txt")
	os.WriteFile(empty, nil, 0o644)
	out, errOut, code := runCLI(t, "", "check", seed001, empty)
	if code != exitError || !strings.Contains(out, "001_c744f7a2d5dbaef9") || !strings.Contains(out, "error:") || errOut == "" {
		t.Errorf("check with an empty file: exit %d, out %q, err %q", code, out, errOut)
	}
	for _, args := range [][]string{{"check", "--format", "xml", seed001}, {"check", "--fail-on", "sometimes", seed001}} {
		if _, _, code := runCLI(t, "", args...); code != exitError {
			t.Errorf("%v: exit %d, want 2", args, code)
		}
	}
}

// TestCheckColor checks when --color colours: auto only on a terminal
// with NO_COLOR empty (set but empty counts as unset, as no-color.org
// says), always and never whatever NO_COLOR says.
func TestCheckColor(t *testing.T) {
	for _, c := range []struct {
		mode, noColor  string
		terminal, want bool
	}{
		{"auto", "", true, true},
		{"auto", "1", true, false},
		{"auto", "", false, false},
		{"always", "1", false, true},
		{"always", "", false, true},
		{"never", "", true, false},
	} {
		if got := useColor(c.mode, c.noColor, c.terminal); got != c.want {
			t.Errorf("--color %s, NO_COLOR=%q, terminal %v: colour %v, want %v", c.mode, c.noColor, c.terminal, got, c.want)
		}
	}
	t.Setenv("NO_COLOR", "")
	if colorOK(&app{stdout: &strings.Builder{}}, "auto") {
		t.Error("not a terminal: no colour")
	}
}

// TestCheckProbes runs stories of our own that each show one warning
// (pos-LABEL[-N].txt; the eating-disorder one is dysmorphia in the
// taxonomy) or none but idioms and hyperbole (neg-N.txt), as a moderator
// would write them to try the tool.
func TestCheckProbes(t *testing.T) {
	files, _ := filepath.Glob("testdata/probes/*.txt")
	if len(files) < 16 {
		t.Fatalf("%d probe stories, want 16", len(files))
	}
	alias := map[string]string{"eating-disorder": "dysmorphia"}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".txt")
		r, code := checkRow(t, f)
		if strings.HasPrefix(name, "neg-") {
			if code != 0 || len(r.DetectedWarnings) > 0 {
				t.Errorf("%s: exit %d, detected %v; want nothing", name, code, r.DetectedWarnings)
			}
			continue
		}
		label := strings.TrimPrefix(name, "pos-")
		if i := strings.LastIndexByte(label, '-'); i > 0 && label[i+1:] >= "0" && label[i+1:] <= "9" {
			label = label[:i]
		}
		if a, ok := alias[label]; ok {
			label = a
		}
		if code != 1 || !slices.Contains(r.UndeclaredWarnings, label) {
			t.Errorf("%s: exit %d, undeclared %v; want %s", name, code, r.UndeclaredWarnings, label)
		}
		if label != "death" && slices.Contains(r.DetectedWarnings, "death") {
			t.Errorf("%s: death detected in a story where nobody dies", name)
		}
	}
}

// TestCheckBlindProbes runs seven sets of 30 stories that helpers wrote
// without seeing the lexicon, the model, the tool or each other's stories
// (testdata/probes-blind*; key.tsv gives each story's expected labels): in
// each, 15 General or Teen stories with no warnable content but hyperbole,
// idioms, games, sport, lessons and props, and 15 that each show a
// warning, about half without its obvious word. Nothing was tuned on the
// second and third sets (the third's clean stories are denser with traps:
// a chess "bloodbath", paintball "massacre", "cellular suicide"); the
// first led to the pornography scene rule (a biology lesson). The
// lexicon's play phrases were chosen after the first three sets' keys had
// been read; the fourth was written after them, blind to them. It is a
// floor, not a goal: the figures measured when each set was added must
// not drop; the model card lists what each misses.
func TestCheckBlindProbes(t *testing.T) {
	for _, set := range []struct {
		dir          string
		negOK, posOK int // floors
	}{
		{"testdata/probes-blind", 15, 8},   // 13 before scenes of play, 14 before the sport scene
		{"testdata/probes-blind-2", 13, 6}, // 14 while "costume", "props" and the like counted as play
		{"testdata/probes-blind-3", 7, 7},  // 5 before scenes of play; 6 before the sport scene
		// Written after scenes of play, blind to them: clean stories of
		// games, sport and the stage, and warnings shown in such settings
		// (the model before them: 3 and 6). Sport words were taken out of
		// the play phrases after a walkthrough hid a real fight with them;
		// the sport scene discounts only hyperbole and the game's words.
		{"testdata/probes-blind-4", 8, 6}, // 5 before the sport scene, 7 before the kitchen scene
		// Written while the sport scene was built, blind to it: hyperbole
		// in sport, contests and everyday life, and warnings in the same
		// settings, many without their obvious word (the model before the
		// sport scene: 11 and 3; the third positive was a rugby fracture
		// found through "bloodbath", the hyperbole, not the injury).
		{"testdata/probes-blind-5", 13, 2},
		// Written after the sport scene and the terms read from the fifth
		// set's misses, blind to both, in the worlds fan fiction is set
		// in (a school of magic, a starship, a royal court): the model
		// before this session, the sport scene and the new terms all
		// pass 13 clean stories and find 6 warnings.
		{"testdata/probes-blind-6", 13, 6},
		// Written after the kitchen and stage scenes, blind to them:
		// kitchens, stages and contests (the model before this session: 5
		// and 4). The sport scene's game words ("punch", "kick") were
		// taken out after reading it: they hid a car-park beating.
		{"testdata/probes-blind-7", 6, 4}, // 7 with a scene for gigs, taken out after a walkthrough's gig shooting
		// Written blind to the lexicon: clean stories dense with idiom,
		// and warnings shown without their words (the model before
		// together rules: 13 and 2; self-harm by a blade, a forearm and
		// scars is found since). Its suicide and self-harm stories were
		// read after that first measurement.
		{"testdata/probes-blind-8", 13, 3},
		// Written blind at the end of that session, in fandom settings
		// (names such as Dick, "hard on himself"): the session's final
		// model before reading it passed 14 and found 7, as did the model
		// at its start; the one false alarm, a name after a closing quote
		// ("dying inside," Dick whispered), was fixed after reading it.
		{"testdata/probes-blind-9", 15, 7},
		// Written blind to the lexicon and the code: clean stories of
		// exams, games, sport, fencing, stage blood, true-crime podcasts
		// and history lessons, and warnings shown as scenes (a kidnapping
		// with zip ties and a hood, counted almonds, a meat slicer). The
		// session's start and end models alike: 12 and 5; with the
		// dialogue overlay (README), 13 and 5.
		{"testdata/probes-blind-10", 12, 5},
	} {
		t.Run(filepath.Base(set.dir), func(t *testing.T) {
			negOK, negN, posOK, posN := scoreProbes(t, set.dir)
			if negN != 15 || posN != 15 {
				t.Fatalf("%d negative and %d positive stories, want 15 and 15", negN, posN)
			}
			if negOK < set.negOK || posOK < set.posOK {
				t.Errorf("negatives passed %d of 15 (floor %d), positives found %d of 15 (floor %d)", negOK, set.negOK, posOK, set.posOK)
			}
		})
	}
}

// scoreProbes checks every story of a probe set (a dir with key.tsv: file,
// then "none" or the labels, one of which must be found) with args added
// to check, and counts the clean stories passed and the warnings found.
func scoreProbes(t *testing.T, dir string, args ...string) (negOK, negN, posOK, posN int) {
	t.Helper()
	key, err := os.ReadFile(filepath.Join(dir, "key.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	alias := map[string]string{"eating-disorder": "dysmorphia", "eating-disorders": "dysmorphia"}
	for _, line := range strings.Split(strings.TrimSpace(string(key)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 2 {
			t.Fatalf("key.tsv: bad line %q", line)
		}
		r, code := checkRow(t, filepath.Join(dir, f[0]), args...)
		if f[1] == "none" {
			negN++
			if code == 0 && len(r.UndeclaredWarnings) == 0 && (r.RatingUnderdeclared == nil || !*r.RatingUnderdeclared) {
				negOK++
			} else {
				t.Logf("%s: exit %d, undeclared %v (a false alarm)", f[0], code, r.UndeclaredWarnings)
			}
			continue
		}
		posN++
		found := false
		for _, want := range strings.Split(f[1], ",") {
			if a, ok := alias[want]; ok {
				want = a
			}
			found = found || slices.Contains(r.UndeclaredWarnings, want)
		}
		if found && code == 1 {
			posOK++
		} else {
			t.Logf("%s: exit %d, undeclared %v; want one of %s (a miss)", f[0], code, r.UndeclaredWarnings, f[1])
		}
	}
	return negOK, negN, posOK, posN
}

// TestCheckDialogueOverlay holds the README's dialogue overlay to what it
// claims on the ten blind sets: more clean stories passed than without
// it (118 of 150), and no warning fewer found (55).
func TestCheckDialogueOverlay(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: 300 checks")
	}
	var neg, pos int
	for k := 1; k <= 10; k++ {
		dir := "testdata/probes-blind"
		if k > 1 {
			dir += "-" + strconv.Itoa(k)
		}
		negOK, _, posOK, _ := scoreProbes(t, dir, "--lexicon", "testdata/dialogue.yaml")
		neg, pos = neg+negOK, pos+posOK
	}
	if neg < 129 || pos < 55 {
		t.Errorf("with the dialogue overlay: %d of 150 clean stories passed (floor 129), %d of 150 warnings found (floor 55)", neg, pos)
	}
}

// TestCheckFoundByModerators: cases a moderator walkthrough found wrong,
// each a story as a moderator would paste it.
func TestCheckFoundByModerators(t *testing.T) {
	const head = "Title: Case\nRating: General Audiences\nArchive Warning: No Archive Warnings Apply\n\n"
	fight := "The raiders broke through the gate at dawn. Corran drew his sword and met the first of them on the stairs; he stabbed one man through the shoulder and kicked another down the steps before a spear caught him in the side. Blood ran over the stones. He killed two more before they dragged him down, and they beat him until he stopped moving. "
	tests := []struct {
		name      string
		body      string
		want, not []string // undeclared warnings that must and must not be reported
	}{
		// The pooled mass of harms lifted pornography over its threshold
		// on one "went down on", and the rating to Explicit.
		{"a sunset after a battle", fight + "The sun went down on the ruined keep.", []string{"violence"}, []string{"pornography"}},
		{"a fall in a beating", fight + "He went down on the wet cobbles and they kicked him again.", []string{"violence"}, []string{"pornography"}},
		// One word is not a sex scene: anatomy named in a lesson.
		{"a biology lesson", "Mr Okafor pointed at the diagram. \"This is the vagina, and this is the uterus,\" he said, and the class groaned. Later he drew the testes. " +
			strings.Repeat("They copied the labels into their books while the rain ran down the windows and the radiator clanked. ", 12) +
			"\"And this,\" he said, \"is the penis,\" and Dev laughed so hard he had to leave the room.", nil, []string{"pornography"}},
		// Not knowing, not telling and not stopping do not negate the act.
		{"nobody knew", "Nobody knew that her father raped her every night. She went to school, she smiled, she did her homework.", []string{"sexual-abuse"}, nil},
		{"never told", "She never told anyone that she had tried to kill herself the winter before. The pills had made her sick, and she had lived.", []string{"suicide"}, nil},
		// A real fight in a sport, told beside "referee" and "goalie":
		// sport is not a scene of play (it hid this broken jaw when it
		// was).
		{"a fight on the ice", "It started with a hit from behind in the second period. Reilly never saw Kowalski coming. One second he was chasing the puck into the corner, the next his face hit the glass and he went down hard.\n\nSam dropped his gloves before he had even decided to. He grabbed Kowalski by the jersey and hit him, once, twice, and Kowalski hit back, and they wrestled across the ice while the crowd roared.\n\nBut it was Reilly that nobody could stop looking at. He wasn't getting up.\n\nWhen the referee finally dragged Sam away, he saw the blood. There was a lot of it, bright red on the white ice, spreading from under Reilly's face in a wide smear. Reilly tried to lift his head and made a sound Sam would hear for weeks, a wet, broken moan. His jaw hung wrong, crooked, and when he opened his mouth blood ran down his chin and dripped onto the ice. Two of his teeth were lying near the blue line.\n\nTheir goalie skated over and the trainers ran out with towels that turned red in seconds. Someone shouted for the stretcher. The arena went silent, twelve thousand people holding their breath.\n\nKowalski was bleeding too, from a cut over his eye where Sam's fist had split the skin open. He stood by the bench with blood running into his eye and didn't even wipe it away. He was staring at Reilly like he hadn't meant it, like he couldn't believe what his own hands had done.\n\nThey strapped Reilly to the board and carried him off. The team doctor said it later in the hallway, quietly, to the coach: the jaw was broken in two places, and he had a concussion, and he would need surgery tonight.\n\nSam sat in the penalty box with his knuckles split and bleeding and stared at the red stain on the ice that the zamboni would scrape away in an hour, as if none of it had happened.\n\nHe thought about hitting Kowalski again. He thought about how good it had felt, and then he thought about Reilly's jaw, and he was sick in the trash can under the bench.", []string{"blood-gore"}, nil},
		{"could not stop", "He could not stop cutting himself. He did it with a razor blade in the bathroom, on his forearms, where the sleeves would hide the cuts.", []string{"self-harm"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "story.txt")
			if err := os.WriteFile(p, []byte(head+tt.body+"\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			r, _ := checkRow(t, p)
			for _, l := range tt.want {
				if !slices.Contains(r.UndeclaredWarnings, l) {
					t.Errorf("undeclared %v: want %s", r.UndeclaredWarnings, l)
				}
			}
			for _, l := range tt.not {
				if slices.Contains(r.UndeclaredWarnings, l) {
					t.Errorf("undeclared %v: %s is a false alarm", r.UndeclaredWarnings, l)
				}
			}
			if r.RatingUnderdeclared != nil && *r.RatingUnderdeclared && !slices.Contains(tt.want, "pornography") && r.PredictedRating != nil && *r.PredictedRating == "explicit" {
				t.Errorf("rating flagged Explicit with no sexual content")
			}
			// A label without a passage to show scores under 0.5.
			for _, l := range r.Labels {
				if !l.Detected && l.Score >= 0.5 {
					t.Errorf("%s scores %.2f but is not detected", l.Label, l.Score)
				}
			}
		})
	}
}

// TestCheckGeneralWithSexualViolence: a rape scene under General Audiences
// is flagged even when the author chose not to use warnings (which covers
// warnings, not the rating), and even though the scene alone reads Teen;
// under Teen it is within the rating.
func TestCheckGeneralWithSexualViolence(t *testing.T) {
	scene := "The party was loud and Mara wanted to go home. Jon pulled her into the bedroom and locked the door. " +
		"She said no. He pushed her down onto the bed, pinned her wrists and put his hand over her mouth, and he raped her while the music thumped through the wall. " +
		"Afterwards she lay there and could not stop shaking.\n"
	for _, c := range []struct {
		rating, warnings string
		flagged          bool
	}{
		{"General Audiences", "Creator Chose Not To Use Archive Warnings", true},
		{"General Audiences", "Rape/Non-Con", true},
		{"Teen And Up Audiences", "Rape/Non-Con", false},
	} {
		p := filepath.Join(t.TempDir(), "story.txt")
		if err := os.WriteFile(p, []byte("Title: Party\nRating: "+c.rating+"\nArchive Warning: "+c.warnings+"\n\n"+scene), 0o644); err != nil {
			t.Fatal(err)
		}
		r, _ := checkRow(t, p)
		if got := r.RatingUnderdeclared != nil && *r.RatingUnderdeclared; got != c.flagged {
			t.Errorf("%s, %s: rating under-declared %v, want %v (detected %v)", c.rating, c.warnings, got, c.flagged, r.DetectedWarnings)
		}
		out, _, code := runCLI(t, "", "check", "--color", "never", p)
		if c.flagged && (code != exitFindings || !strings.Contains(out, "with sexual violence")) {
			t.Errorf("%s, %s: exit %d, report:\n%s\nwant REVIEW naming sexual violence", c.rating, c.warnings, code, out)
		}
	}
}

// TestCheckCleanTraps: thirty clean General stories dense with the words
// of warnings used harmlessly (drills, hyperbole, props, games, tools;
// testdata/traps-dev, written by a helper who read nothing of the
// project). Unlike the blind sets, exceptions were added from what these
// flag, so the floor is what the tuned lexicon passes, not an unseen
// figure: 13 of 30 before, 16 after.
func TestCheckCleanTraps(t *testing.T) {
	const dir, floor = "testdata/traps-dev", 21 // 16 before scenes of play, 20 before the kitchen scene
	key, err := os.ReadFile(filepath.Join(dir, "key.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	passed, n := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(key)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) < 2 || f[1] != "none" {
			t.Fatalf("key.tsv: %q: every story here is clean", line)
		}
		n++
		r, code := checkRow(t, filepath.Join(dir, f[0]))
		if code == 0 && len(r.UndeclaredWarnings) == 0 {
			passed++
		} else {
			t.Logf("%s: exit %d, undeclared %v (a false alarm)", f[0], code, r.UndeclaredWarnings)
		}
	}
	if n != 30 || passed < floor {
		t.Errorf("%d of %d clean stories passed, floor %d", passed, n, floor)
	}
}

// TestCheckSaysWhatScenesDiscounted: a verdict of OK on a match told as a
// massacre says that a scene read its words as figures of speech, in the
// text, JSON and HTML reports; a story without such words says nothing.
func TestCheckSaysWhatScenesDiscounted(t *testing.T) {
	dir := writeTree(t, t.TempDir(), map[string]string{
		"match.txt": "Title: Derby\nRating: General Audiences\nArchive Warning: No Archive Warnings Apply\n\n" +
			"By half-time we were murdering them. The referee shrugged, the goalie laughed, and in the second half we slaughtered them again.\n",
		"tea.txt": "Title: Tea\nRating: General Audiences\nArchive Warning: No Archive Warnings Apply\n\nThey drank tea in the garden and talked about the roses.\n",
	})
	out, _, code := runBin(t, dir, "check", "match.txt")
	if code != 0 || !strings.Contains(out, "scenes     a scene of sport: 2 words of violence") || !strings.Contains(out, "read as figures of speech") {
		t.Errorf("check match.txt: exit %d\n%s\nwant OK with a line on the sport scene", code, out)
	}
	out, _, _ = runBin(t, dir, "check", "--format", "json", "match.txt")
	var c struct {
		Scenes []struct {
			Scene  string   `json:"scene"`
			Words  int      `json:"words"`
			Labels []string `json:"labels"`
		} `json:"scenes"`
	}
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		t.Fatalf("check --format json: %v\n%s", err, out)
	}
	// "murdering" and "slaughtered": two words, whatever labels each is
	// a term of.
	if len(c.Scenes) != 1 || c.Scenes[0].Scene != "sport" || c.Scenes[0].Words != 2 || !slices.Contains(c.Scenes[0].Labels, "violence") {
		t.Errorf("JSON scenes %+v, want the sport scene's two words of violence", c.Scenes)
	}
	if out, _, _ = runBin(t, dir, "check", "--format", "html", "match.txt"); !strings.Contains(out, `<p class="scenes">a scene of sport: `) {
		t.Errorf("check --format html has no scenes paragraph:\n%s", out)
	}
	if out, _, _ = runBin(t, dir, "check", "tea.txt"); strings.Contains(out, "scenes") {
		t.Errorf("check tea.txt mentions scenes:\n%s", out)
	}
}

// TestCheckNoStory: inputs that hold no story (an empty directory, one of
// files that are not stories) are an error naming them, never a silent
// clean exit, in every format.
func TestCheckNoStory(t *testing.T) {
	dir := writeTree(t, t.TempDir(), map[string]string{"other/a.story": "not a story file type\n", "empty/.keep": ""})
	for _, args := range [][]string{{"check", "empty"}, {"check", "--format", "json", "empty"}, {"check", "other"}} {
		_, errOut, code := runBin(t, dir, args...)
		if code != 2 || !strings.Contains(errOut, "no story found in "+args[len(args)-1]) || !strings.Contains(errOut, "nothing was checked") {
			t.Errorf("tagger %s: exit %d, stderr %q; want 2 and a message that nothing was checked", strings.Join(args, " "), code, errOut)
		}
	}
	if _, _, code := runBin(t, dir, "check", "other", "empty"); code != 2 {
		t.Errorf("two inputs without a story: exit %d, want 2", code)
	}
}
