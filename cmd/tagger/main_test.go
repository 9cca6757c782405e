package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/models"
)

// runCLI runs tagger with args and returns stdout, stderr and the exit code.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, strings.NewReader(stdin), &out, &errb)
	return out.String(), errb.String(), code
}

func TestVersion(t *testing.T) {
	out, _, code := runCLI(t, "", "version")
	if code != 0 || !strings.HasPrefix(out, "tagger "+version+" (go") {
		t.Errorf("version: code %d, out %q", code, out)
	}
}

func TestLabels(t *testing.T) {
	out, _, code := runCLI(t, "", "labels")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 37 || !strings.HasPrefix(lines[0], "GROUP") {
		t.Fatalf("labels: code %d, %d lines", code, len(lines))
	}
	if !strings.Contains(out, "sexual-abuse") || !strings.Contains(out, "mental-health") {
		t.Error("labels output lacks known labels or groups")
	}
	out, _, code = runCLI(t, "", "labels", "--json")
	n := 0
	dec := json.NewDecoder(strings.NewReader(out))
	for dec.More() {
		var l struct{ Label, Group, Description string }
		if err := dec.Decode(&l); err != nil || l.Label == "" || l.Group == "" {
			t.Fatalf("labels --json: %v %+v", err, l)
		}
		n++
	}
	if code != 0 || n != 36 {
		t.Errorf("labels --json: code %d, %d labels", code, n)
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"meta"}, {"labels", "--nope"}, {"no-such-command"}, {"--log-level", "loud", "version"}} {
		_, errOut, code := runCLI(t, "", args...)
		if code != exitError || !strings.Contains(errOut, "tagger:") {
			t.Errorf("%v: code %d, stderr %q; want 2 and a message", args, code, errOut)
		}
	}
}

// TestMetaSeedsGolden checks that `tagger meta seeds/*.txt`, run from the
// repository root as the README says, prints the reviewed golden metadata
// of datasets/testdata/seeds, with null for each scalar the golden omits
// as absent (meta writes every key, as run's JSONL does).
func TestMetaSeedsGolden(t *testing.T) {
	nullable := []string{"sha256", "encoding", "title", "summary", "notes", "language", "published", "updated",
		"chapters", "declared_words", "declared_rating", "declared_rating_raw", "rating_system"}
	t.Chdir("../..")
	paths, err := filepath.Glob("seeds/*.txt")
	if err != nil || len(paths) != 4 {
		t.Fatalf("seeds: %v %v", paths, err)
	}
	out, errOut, code := runCLI(t, "", append([]string{"meta"}, paths...)...)
	if code != 0 || errOut != "" {
		t.Fatalf("meta: code %d, stderr %q", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(paths) {
		t.Fatalf("meta printed %d lines for %d stories", len(lines), len(paths))
	}
	for i, line := range lines {
		var got, want map[string]any
		if err := json.Unmarshal([]byte(line), &got); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		if got["source"] != paths[i] {
			t.Errorf("line %d: source %v, want %s", i+1, got["source"], paths[i])
		}
		golden, err := os.ReadFile(filepath.Join("datasets", "testdata", "seeds", got["id"].(string)+".meta.json"))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(golden, &want); err != nil {
			t.Fatal(err)
		}
		delete(got, "source") // the golden files are made with ../seeds paths
		delete(want, "source")
		for _, k := range nullable {
			if _, ok := want[k]; !ok {
				want[k] = nil
			}
		}
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(want)
		if !bytes.Equal(g, w) {
			t.Errorf("%s: meta differs from golden\n got %s\nwant %s", got["id"], g, w)
		}
	}
}

func TestMetaBadInputs(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.txt")
	bin := filepath.Join(dir, "bin.txt")
	os.WriteFile(good, []byte("Rating: R\n\nStory."), 0o644)
	os.WriteFile(bin, []byte("abc\x00def"), 0o644)
	out, errOut, code := runCLI(t, "", "meta", good, bin, filepath.Join(dir, "missing.txt"))
	if code != exitError {
		t.Errorf("code %d, want 2", code)
	}
	if n := strings.Count(out, "\n"); n != 1 || !strings.Contains(out, `"declared_rating":"mature"`) {
		t.Errorf("stdout should hold the one good story, got %q", out)
	}
	for _, want := range []string{bin, "missing.txt", "2 of 3 stories could not be read"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr %q lacks %q", errOut, want)
		}
	}
}

func TestMetaStdin(t *testing.T) {
	out, _, code := runCLI(t, "Title: Piped\nWarnings: none\n\nText.\n", "meta", "-")
	if code != 0 || !strings.Contains(out, `"title":"Piped"`) || !strings.Contains(out, `"warning_status":"none-apply"`) {
		t.Errorf("meta -: code %d, out %q", code, out)
	}
}

// TestEvalCommandReproducesCard runs `tagger eval --cv 5` on passages-dev
// and compares with the figure the default model's manifest records.
func TestEvalCommandReproducesCard(t *testing.T) {
	data := filepath.Join("..", "..", "..", "shared", "datasets", "passages-dev.jsonl")
	if _, err := os.Stat(data); err != nil {
		t.Skipf("%s not found (../shared is absent): skipping the evaluation", data)
	}
	if testing.Short() {
		t.Skip("-short")
	}
	out, errOut, code := runCLI(t, "", "eval", "--data", data, "--cv", "5", "--json")
	if code != 0 {
		t.Fatalf("eval: code %d, stderr %s", code, errOut)
	}
	var got struct {
		MacroF1 float64 `json:"macro_f1"`
		Labels  []struct{ Label string }
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	if card := m.Manifest().Eval; card == nil || len(got.Labels) != 8 || got.MacroF1 < card.MacroF1-0.01 || got.MacroF1 > card.MacroF1+0.01 {
		t.Errorf("eval --cv 5: macro-F1 %.3f over %d labels; manifest %+v", got.MacroF1, len(got.Labels), card)
	}
}

// TestTrainCorpusOnly trains a story model on a corpus alone: the model
// is the embedded passage model plus the story model, under the name
// given (rows name the model that decided them), and runs.
func TestTrainCorpusOnly(t *testing.T) {
	corpus := storyCorpus(t)
	out := filepath.Join(t.TempDir(), "model")
	_, errOut, code := runCLI(t, "", "train", "--corpus", corpus, "-o", out, "--name", "archive", "--version", "1.2.0")
	if code != 0 {
		t.Fatalf("train --corpus: code %d: %s", code, errOut)
	}
	if !strings.Contains(errOut, "trained archive@1.2.0 on 170 works in") {
		t.Errorf("train's last line does not say what it trained on:\n%s", errOut)
	}
	if m, err := classify.LoadDir(out); err != nil {
		t.Fatal(err)
	} else if created, err := time.Parse(time.RFC3339, m.Manifest().Created); err != nil || time.Since(created) > time.Hour {
		t.Errorf("the model trained says it was created at %q", m.Manifest().Created)
	}
	if _, err := os.Stat(filepath.Join(out, classify.StoryFile)); err != nil {
		t.Fatalf("no story model: %v", err)
	}
	rows, errOut, code := runCLI(t, "", "run", "--model", out, "-o", "-", corpus)
	if code != 0 && code != 1 {
		t.Fatalf("run --model: code %d: %s", code, errOut)
	}
	first, _, _ := strings.Cut(rows, "\n")
	if !strings.Contains(first, `"model":"archive@1.2.0"`) {
		t.Errorf("a row of the trained model names another model: %.300s", first)
	}
	// check names the model it used: the path given, its name and hash.
	m, err := classify.LoadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	// So does the model card, with the rating it decides with (the
	// passage model's: 170 works are too few to fit one).
	card, err := os.ReadFile(filepath.Join(out, CardFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"# Model card: `archive@1.2.0`", "Model hash `" + m.Manifest().Hash + "`", "## Rating", "kept from the passage model: the corpus has fewer than"} {
		if !strings.Contains(string(card), want) {
			t.Errorf("%s lacks %q:\n%s", CardFile, want, card)
		}
	}
	story := filepath.Join(t.TempDir(), "story.txt")
	os.WriteFile(story, []byte("Rating: General\n\nThey walked to the market and bought apples.\n"), 0o644)
	text, errOut, code := runCLI(t, "", "check", "--model", out, story)
	want := "settings   model " + out + " (archive@1.2.0, hash " + m.Manifest().Hash[:12] + ")"
	if code != 0 || !strings.Contains(text, want) {
		t.Errorf("check --model: exit %d, stderr %q, output lacks %q:\n%s", code, errOut, want, text)
	}
}

// TestTrainCommand trains on a tiny labelled file plus a corpus of stories
// whose headers declare warnings, and loads the result.
func TestTrainCommand(t *testing.T) {
	dir := t.TempDir()
	var lines []string
	for i := range 30 {
		if i%2 == 0 {
			lines = append(lines, fmt.Sprintf(`{"id": %d, "work_id": "w%d", "warning": "violence", "label": 1, "text": "he punched him and kicked him until he bled, a brutal fight"}`, i, i))
		} else {
			lines = append(lines, fmt.Sprintf(`{"id": %d, "work_id": "w%d", "warning": "violence", "label": 0, "text": "they talked about the fight over tea and laughed"}`, i, i))
		}
	}
	data := filepath.Join(dir, "labelled.jsonl")
	os.WriteFile(data, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
	corpus := filepath.Join(dir, "corpus")
	os.Mkdir(corpus, 0o755)
	os.WriteFile(filepath.Join(corpus, "a.txt"), []byte("Warnings: graphic violence\n\nHe hit him hard.\n"), 0o644)
	os.WriteFile(filepath.Join(corpus, "b.txt"), []byte("Warnings: none\n\nTea and cake.\n"), 0o644)
	os.WriteFile(filepath.Join(corpus, "c.txt"), []byte("No header at all.\n"), 0o644)
	out := filepath.Join(dir, "model")
	_, errOut, code := runCLI(t, "", "train", "--data", data, "--corpus", corpus, "-o", out, "--name", "tiny")
	if code != 0 {
		t.Fatalf("train: code %d: %s", code, errOut)
	}
	m, err := classify.LoadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	man := m.Manifest()
	// Two declaring works teach no story model, and without
	// --corpus-weight nothing else learns from the corpus: the model lists
	// the labelled data only, and train says why.
	if man.Name != "tiny" || len(man.Data) != 1 || man.Data[0].Examples != 30 {
		t.Errorf("manifest name %q data %+v: want the 30 labelled examples only", man.Name, man.Data)
	}
	if !strings.Contains(errOut, "no story model: train --corpus") || strings.Contains(errOut, " works in ") {
		t.Errorf("train's output does not say the corpus taught nothing:\n%s", errOut)
	}
	_, errOut, code = runCLI(t, "", "eval", "--data", data, "--model", out)
	if code != 0 || errOut != "" {
		t.Errorf("eval on the trained model: code %d, stderr %q", code, errOut)
	}
	if _, _, code := runCLI(t, "", "train", "-o", out); code != exitError {
		t.Errorf("train without data: code %d, want 2", code)
	}
}

// TestCorpusInputErrors: a corpus that names a missing path, holds no
// story file, or holds only unreadable stories stops train and eval with
// exit 2 and a message that says what is wrong, and train writes no model.
func TestCorpusInputErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nosuch.jsonl")
	empty := filepath.Join(dir, "empty.jsonl")
	bad := filepath.Join(dir, "bad.jsonl")
	noStories := filepath.Join(dir, "binaries")
	headerOnly := filepath.Join(dir, "header-only.txt")
	for path, data := range map[string]string{empty: "", bad: `{"text": 5}` + "\n", filepath.Join(noStories, "x.bin"): "hi", headerOnly: "Title: x\nRating: Mature\n\n"} {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"train, missing path", []string{"train", "--corpus", missing}, "--corpus " + missing + ": no such file or directory; check the path"},
		{"train, empty corpus", []string{"train", "--corpus", empty}, "no story to learn from in " + empty + " (1 of 1 story unreadable; the first: "},
		{"train, unreadable records", []string{"train", "--corpus", bad}, `"text" must be a string`},
		{"train, no story file", []string{"train", "--corpus", noStories}, "it holds no story file"},
		{"eval, missing path", []string{"eval", "--stories", missing}, "eval --stories " + missing + ": no such file or directory; check the path"},
		{"eval, unreadable records", []string{"eval", "--stories", bad}, "no story to evaluate in " + bad + " (1 of 1 story unreadable; the first: "},
		{"eval, nothing checked", []string{"eval", "--stories", headerOnly}, "1 of 1 story not checked: another language, no language at all, or no words after the header"},
		{"train, nothing checked", []string{"train", "--corpus", headerOnly}, "--corpus: no story to learn from in " + headerOnly + " (1 of 1 story not checked"},
		{"eval, no story file", []string{"eval", "--stories", noStories}, "it holds no story file"},
		{"eval --cv, missing path", []string{"eval", "--stories", "--cv", "5", missing}, "no such file or directory; check the path"},
		{"eval --cv, empty corpus", []string{"eval", "--stories", "--cv", "5", empty}, "no story to learn from"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			model := filepath.Join(t.TempDir(), "model")
			args := tc.args
			if args[0] == "train" {
				args = append(slices.Clone(args), "-o", model)
			}
			_, errOut, code := runCLI(t, "", args...)
			if code != 2 || !strings.Contains(errOut, tc.want) {
				t.Errorf("code %d, want 2; stderr %q, want it to say %q", code, errOut, tc.want)
			}
			if _, err := os.Stat(model); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("a model directory was written (%v)", err)
			}
		})
	}
}

// TestModelDirErrors: --model naming something that is not a model
// directory says what one is (exit 2).
func TestModelDirErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "story.txt")
	if err := os.WriteFile(file, []byte("Title: x\n\nHe was fine.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for model, want := range map[string]string{
		filepath.Join(dir, "nosuch"): "no such directory",
		file:                         "not a directory",
		dir:                          "not a model directory (it has no manifest.json)",
	} {
		_, errOut, code := runCLI(t, "", "check", "--model", model, file)
		if code != 2 || !strings.Contains(errOut, "model "+model+": "+want) || !strings.Contains(errOut, "tagger train -o") {
			t.Errorf("--model %s: code %d, stderr %q", model, code, errOut)
		}
	}
	// A model set in .tagger.yaml: the error names the file it is set in.
	cfg := filepath.Join(dir, ".tagger.yaml")
	if err := os.WriteFile(cfg, []byte("model: nosuchmodel\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code := runCLI(t, "", "check", file)
	if code != 2 || !strings.Contains(errOut, "no such directory") || !strings.Contains(errOut, "(the model setting is from "+cfg+")") {
		t.Errorf("model from %s: code %d, stderr %q", cfg, code, errOut)
	}
}

// TestUsageNamesRealFlags: every --flag a command's usage line shows is
// one the command accepts (calibrate's once showed a --stories it did not
// have, and a user who copied it got "unknown flag").
func TestUsageNamesRealFlags(t *testing.T) {
	root := newRootCmd(strings.NewReader(""), io.Discard, io.Discard, nil)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, f := range strings.Fields(c.Use) {
			f = strings.Trim(f, "[]().,")
			name, ok := strings.CutPrefix(f, "--")
			if !ok {
				continue
			}
			name, _, _ = strings.Cut(name, "=")
			if c.Flags().Lookup(name) == nil && c.InheritedFlags().Lookup(name) == nil {
				t.Errorf("%s: usage %q shows --%s, which the command does not accept", c.CommandPath(), c.Use, name)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
