package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
)

// TestVersionFlagAndCommand checks that --version and the version command
// print the same two lines: tagger's release and the default model.
func TestVersionFlagAndCommand(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"tagger " + version + " (go", "\nmodel " + m.NameVersion() + "\n"}
	var outs []string
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, errOut, code := runTagger(t, "", nil, args...)
		if code != 0 || errOut != "" {
			t.Errorf("%v: exit %d, stderr %q", args, code, errOut)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: %q lacks %q", args, out, w)
			}
		}
		outs = append(outs, out)
	}
	if outs[0] != outs[1] {
		t.Errorf("--version printed %q, version %q: want the same", outs[0], outs[1])
	}
}

// TestCompletion asks the binary's hidden __complete command, as a shell's
// completion script does, for flag values and checks the values and the
// directive (files, directories, no files).
func TestCompletion(t *testing.T) {
	modes := []string{"auto", "always", "never"}
	sens := []string{"low", "balanced", "high"}
	for _, c := range []struct {
		args []string
		want []string
		dir  cobra.ShellCompDirective
	}{
		{[]string{"check", "--fail-on", ""}, []string{"undeclared", "rating", "any", "none"}, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"check", "--format", ""}, []string{"text", "json", "line", "html"}, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"check", "--sensitivity", ""}, sens, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"run", "--sensitivity", ""}, sens, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"eval", "--sensitivity", ""}, sens, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"check", "--color", ""}, modes, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"run", "--progress", ""}, modes, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"train", "--progress", ""}, modes, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"check", "--explain", "self-h"}, []string{"self-harm"}, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"eval", "--labels", "death,suic"}, []string{"death,suicide"}, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace},
		{[]string{"check", "--model", ""}, nil, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"train", "-o", ""}, nil, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"calibrate", "-o", ""}, nil, cobra.ShellCompDirectiveFilterDirs},
		{[]string{"run", "-o", ""}, []string{"parquet", "jsonl"}, cobra.ShellCompDirectiveFilterFileExt},
		{[]string{"labels", ""}, nil, cobra.ShellCompDirectiveNoFileComp},
		{[]string{"version", ""}, nil, cobra.ShellCompDirectiveNoFileComp},
	} {
		out, errOut, code := runTagger(t, "", nil, append([]string{"__complete"}, c.args...)...)
		if code != 0 {
			t.Errorf("%q: exit %d, stderr %q", c.args, code, errOut)
			continue
		}
		// One completion a line (with a tab before any description),
		// then :DIRECTIVE.
		var got []string
		dir := -1
		for line := range strings.Lines(out) {
			line = strings.TrimSuffix(line, "\n")
			if d, ok := strings.CutPrefix(line, ":"); ok {
				dir, _ = strconv.Atoi(d)
				break
			}
			got = append(got, strings.SplitN(line, "\t", 2)[0])
		}
		if !slices.Equal(got, c.want) || cobra.ShellCompDirective(dir) != c.dir {
			t.Errorf("%q: completions %q, directive %d; want %q, %d", c.args, got, dir, c.want, c.dir)
		}
	}
}

// TestCompletionScripts checks that cobra's completion command writes a
// script for each shell, recognisable by the line that installs it.
func TestCompletionScripts(t *testing.T) {
	for shell, want := range map[string]string{
		"bash":       "complete -o default -F __start_tagger tagger",
		"zsh":        "#compdef tagger",
		"fish":       "complete -c tagger",
		"powershell": "Register-ArgumentCompleter -CommandName 'tagger'",
	} {
		out, errOut, code := runTagger(t, "", nil, "completion", shell)
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, stderr %q, script has %q: %v", shell, code, errOut, want, strings.Contains(out, want))
		}
	}
}

// TestUsageMessages checks the errors of a wrong command line: exit 2, a
// message that says what is needed, and the command's own help to see.
func TestUsageMessages(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"check"}, "tagger: check needs at least one story FILE, or - for standard input (see 'tagger check --help')"},
		{[]string{"meta"}, "tagger: meta needs at least one story FILE or DIR, or - for standard input (see 'tagger meta --help')"},
		{[]string{"run", "-o", "x.jsonl"}, "tagger: run needs at least one INPUT"},
		{[]string{"labels", "extra"}, `tagger: labels takes no arguments, but was given ["extra"] (see 'tagger labels --help')`},
		{[]string{"check", "--nope", "a.txt"}, "tagger: unknown flag: --nope (see 'tagger check --help')"},
		{[]string{"labels", "--nope"}, "tagger: unknown flag: --nope (see 'tagger labels --help')"},
		{[]string{"--nope"}, "tagger: unknown flag: --nope (see 'tagger --help')"},
		{[]string{"completion", "tcsh"}, `tagger: no completion script for the shell "tcsh": tagger writes them for bash, fish, powershell and zsh (see 'tagger completion --help')`},
		{[]string{"check", "--color", "pink", "a.txt"}, `tagger: invalid argument "pink" for "--color" flag: use auto, always or never (see 'tagger check --help')`},
	} {
		_, errOut, code := runTagger(t, "", nil, c.args...)
		if code != exitError || !strings.HasPrefix(errOut, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
}

// TestCheckColorFlag runs check on a story with a finding, its report on
// a pipe: colour only with --color always, whatever NO_COLOR says.
func TestCheckColorFlag(t *testing.T) {
	story := "testdata/check/none-apply-death.txt"
	for _, c := range []struct {
		args  []string
		env   []string
		color bool
	}{
		{[]string{"--color", "always"}, []string{"NO_COLOR="}, true},
		{[]string{"--color", "always"}, []string{"NO_COLOR=1"}, true},
		{[]string{"--color", "never"}, []string{"NO_COLOR="}, false},
		{[]string{"--color", "auto"}, []string{"NO_COLOR="}, false}, // a pipe is no terminal
		{nil, []string{"NO_COLOR="}, false},
	} {
		out, errOut, code := runTagger(t, "", c.env, append(append([]string{"check"}, c.args...), story)...)
		if code != exitFindings {
			t.Fatalf("%v %v: exit %d, stderr %q; want 1 (the story has a finding)", c.env, c.args, code, errOut)
		}
		if got := strings.Contains(out, "\x1b["); got != c.color {
			t.Errorf("%v %v: coloured %v, want %v", c.env, c.args, got, c.color)
		}
	}
}

// TestPlural checks the agreement of counts and nouns, alone and in the
// messages of check and run about one story.
func TestPlural(t *testing.T) {
	for _, c := range []struct {
		n    int
		want string
	}{{0, "0 stories"}, {1, "1 story"}, {2, "2 stories"}} {
		if got := plural(c.n, "story", "stories"); got != c.want {
			t.Errorf("plural(%d) = %q, want %q", c.n, got, c.want)
		}
	}
	dir := t.TempDir()
	_, errOut, code := runTagger(t, "", nil, "check", filepath.Join(dir, "missing.txt"))
	if code != exitError || !strings.Contains(errOut, "tagger: 1 story could not be read") {
		t.Errorf("check of a missing file: exit %d, stderr %q; want 2 and 1 story", code, errOut)
	}
	story := filepath.Join(dir, "a.txt")
	if err := os.WriteFile(story, []byte("Rating: General\n\nThey had tea in the garden.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, errOut, code = runTagger(t, "", nil, "run", "--progress", "never", story, "-o", filepath.Join(dir, "out.jsonl"))
	if code != 0 || !strings.Contains(errOut, "done: 1 story (0 errors, ") {
		t.Errorf("run of one story: exit %d, stderr %q; want 0 and done: 1 story (0 errors, ...", code, errOut)
	}
}

// TestTrainOutputNotEmpty checks that train refuses to write a model into
// a non-empty directory or over a file, before any work, and that
// --force replaces the model there: the old model's files go (a model
// card the new model does not write must not describe it), other files
// stay.
func TestTrainOutputNotEmpty(t *testing.T) {
	dir := t.TempDir()
	data := tinyLabelled(t, dir)
	out := filepath.Join(dir, "model")
	file := filepath.Join(dir, "file")
	for name, body := range map[string]string{filepath.Join(out, "notes.txt"): "mine", filepath.Join(out, CardFile): "old card", file: "x"} {
		os.MkdirAll(filepath.Dir(name), 0o755)
		if err := os.WriteFile(name, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range []struct {
		out, want string
	}{
		{out, "is not empty: add --force to replace the model there, or give another directory"},
		{file, "is a file: give a directory for the model"},
	} {
		_, errOut, code := runTagger(t, "", nil, "train", "--data", data, "-o", c.out)
		if code != exitError || !strings.Contains(errOut, c.want) {
			t.Errorf("train -o %s: exit %d, stderr %q; want 2 and %q", c.out, code, errOut, c.want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, classify.ManifestFile)); err == nil {
		t.Error("train refused, yet wrote a model")
	}
	_, errOut, code := runTagger(t, "", nil, "train", "--data", data, "-o", out, "--force", "--name", "forced")
	if code != 0 {
		t.Fatalf("train --force: exit %d, stderr %q", code, errOut)
	}
	if m, err := classify.LoadDir(out); err != nil || m.Manifest().Name != "forced" {
		t.Errorf("train --force: model %v, %v; want the model named forced", m, err)
	}
	// The old card is replaced by the new model's own (a model trained on
	// passages alone has one too).
	if card, err := os.ReadFile(filepath.Join(out, CardFile)); err != nil || !strings.Contains(string(card), "# Model card: `forced@") || strings.Contains(string(card), "old card") {
		t.Errorf("train --force: %s is %q, %v; want the new model's card", CardFile, card, err)
	}
	if b, err := os.ReadFile(filepath.Join(out, "notes.txt")); err != nil || string(b) != "mine" {
		t.Errorf("train --force touched a file not its own: %q, %v", b, err)
	}
}

// TestMetaNulls checks that meta writes every key, a scalar the story
// lacks as null and a list as [], as run's JSONL does, and that its keys
// are those of datasets.Story.
func TestMetaNulls(t *testing.T) {
	out, errOut, code := runTagger(t, "No header at all.\n", nil, "meta", "-")
	if code != 0 {
		t.Fatalf("meta: exit %d, stderr %q", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("meta: %v: %q", err, out)
	}
	for _, k := range []string{"title", "summary", "language", "declared_rating", "declared_rating_raw", "rating_system", "declared_words"} {
		if v, ok := got[k]; !ok || v != nil {
			t.Errorf("%s: %v (present %v), want null", k, v, ok)
		}
	}
	for _, k := range []string{"authors", "tags", "declared_warnings", "negated_warnings"} {
		if v, ok := got[k].([]any); !ok || len(v) != 0 {
			t.Errorf("%s: %v, want []", k, got[k])
		}
	}
	if got["warning_status"] != "missing" || got["words"] != 4.0 {
		t.Errorf("warning_status %v, words %v; want missing, 4", got["warning_status"], got["words"])
	}
	story, row := jsonKeys(reflect.TypeFor[datasets.Story]()), jsonKeys(reflect.TypeFor[metaRow]())
	if !slices.Equal(story, row) {
		t.Errorf("meta's keys differ from datasets.Story's:\n meta  %q\n story %q", row, story)
	}
}

// jsonKeys lists the JSON keys of struct type t, embedded structs' too,
// sorted.
func jsonKeys(t reflect.Type) []string {
	var keys []string
	for f := range t.Fields() {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch {
		case !f.IsExported() || name == "-":
		case name == "" && !f.Anonymous:
			keys = append(keys, f.Name)
		case f.Anonymous && name == "":
			keys = append(keys, jsonKeys(f.Type)...)
		default:
			keys = append(keys, name)
		}
	}
	slices.Sort(keys)
	return keys
}

// tinyLabelled writes 20 labelled violence passages (half positive) to
// dir/labelled.jsonl, enough for train --data, and returns the path.
func tinyLabelled(t *testing.T, dir string) string {
	t.Helper()
	var lines []string
	for i := range 20 {
		text := "they talked about the fight over tea and laughed"
		if i%2 == 0 {
			text = "he punched him and kicked him until he bled, a brutal fight"
		}
		lines = append(lines, fmt.Sprintf(`{"id": %d, "work_id": "w%d", "warning": "violence", "label": %d, "text": %q}`, i, i, 1-i%2, text))
	}
	data := filepath.Join(dir, "labelled.jsonl")
	if err := os.WriteFile(data, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return data
}

// TestExplicitPornNote: a model card names the fitted pornography score
// that makes works Explicit below detection, and says nothing without one.
func TestExplicitPornNote(t *testing.T) {
	if got := explicitPornNote(classify.RatingConfig{}); got != "" {
		t.Errorf("no ExplicitPorn: %q, want nothing", got)
	}
	if got := explicitPornNote(classify.RatingConfig{ExplicitPorn: 0.349}); !strings.Contains(got, "pornography score of 0.35 or more, below detection") {
		t.Errorf("ExplicitPorn 0.349: %q", got)
	}
}
