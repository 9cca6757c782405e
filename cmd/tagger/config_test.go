package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/config"
)

// runBin runs the built tagger in dir with no user configuration (HOME
// and XDG_CONFIG_HOME inside dir) and NO_COLOR set.
func runBin(t *testing.T, dir string, args ...string) (string, string, int) {
	t.Helper()
	home := filepath.Join(dir, ".home")
	return runTaggerIn(t, dir, "", []string{"HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "NO_COLOR=1"}, args...)
}

// writeTree writes files (slash paths relative to dir) and returns dir.
func writeTree(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	for rel, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// fixture returns a file of testdata/config.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "config", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// configJSON is `tagger config --json`.
type configJSON struct {
	Config      string
	Sensitivity setting
	FailOn      setting `json:"fail_on"`
	Lexicon     []setting
	Thresholds  []threshold
	Exclude     []setting
	ModelName   string `json:"model_name"`
}

// TestConfigFile: the nearest .tagger.yaml above a story applies to check
// (its fail-on, its allow-list relative to itself), flags override it,
// --no-config and --config choose, and `tagger config` says where each
// value came from.
func TestConfigFile(t *testing.T) {
	dir := writeTree(t, t.TempDir(), map[string]string{
		"team/.tagger.yaml":          "sensitivity: high\nfail-on: undeclared\nlexicon: lists/hockey.yaml\nthresholds: {violence: 0.7}\n",
		"team/lists/hockey.yaml":     fixture(t, "hockey-allow.yaml"),
		"team/works/2024/hockey.txt": fixture(t, "hockey.txt"),
		"other.yaml":                 "fail-on: none\n",
	})
	story := filepath.Join("team", "works", "2024", "hockey.txt")

	// The team's allow-list silences the hockey calls ("spearing",
	// "killed the penalty", "slew foot") that read as violence.
	out, errOut, code := runBin(t, dir, "check", story)
	if code != 0 || !strings.Contains(out, "verdict: OK") {
		t.Errorf("check with the team config: exit %d, stdout %q, stderr %q; want OK", code, out, errOut)
	}
	// Whoever runs check sees that a file above the story changed things.
	if !strings.Contains(errOut, "tagger: settings from ") || !strings.Contains(errOut, filepath.Join("team", ".tagger.yaml")) {
		t.Errorf("stderr %q does not name the configuration file", errOut)
	}
	// So does whoever reads the report, forwarded without the stderr.
	for _, c := range []struct{ format, want string }{
		{"text", "  settings   from "},
		{"html", `<p class="settings">settings: from `},
	} {
		out, _, _ := runBin(t, dir, "check", "--format", c.format, story)
		if !strings.Contains(out, c.want) || !strings.Contains(out, "thresholds violence 0.70") || !strings.Contains(out, "hockey.yaml") || !strings.Contains(out, "sensitivity high") {
			t.Errorf("check --format %s: the report does not name the settings:\n%s", c.format, out)
		}
	}
	if _, errOut, _ := runBin(t, dir, "check", "--no-config", story); strings.Contains(errOut, "settings from") {
		t.Errorf("--no-config: stderr %q names a configuration file", errOut)
	}
	if out, _, _ := runBin(t, dir, "check", "--no-config", story); strings.Contains(out, "settings") {
		t.Errorf("--no-config: the report names settings:\n%s", out)
	}
	out, _, code = runBin(t, dir, "check", "--no-config", story)
	if code != 1 || !strings.Contains(out, "violence") {
		t.Errorf("check --no-config: exit %d, stdout %q; want the false alarm the allow-list silences", code, out)
	}
	// --fail-on none from another file: findings reported, exit 0.
	out, _, code = runBin(t, dir, "check", "--config", "other.yaml", story)
	if code != 0 || !strings.Contains(out, "violence") {
		t.Errorf("check --config other.yaml: exit %d, stdout %q; want the finding and exit 0", code, out)
	}
	// A flag overrides the file.
	if _, _, code = runBin(t, dir, "check", "--config", "other.yaml", "--fail-on", "any", story); code != 1 {
		t.Errorf("--fail-on any over the file's none: exit %d, want 1", code)
	}
	if _, errOut, code = runBin(t, dir, "check", "--config", "other.yaml", "--no-config", story); code != 2 || !strings.Contains(errOut, "give one of them") {
		t.Errorf("--config with --no-config: exit %d, stderr %q", code, errOut)
	}

	out, errOut, code = runBin(t, dir, "config", "--json", "--sensitivity", "low", story)
	if code != 0 {
		t.Fatalf("config --json: exit %d, stderr %q", code, errOut)
	}
	var got configJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("config --json: %v\n%s", err, out)
	}
	file, _ := filepath.Abs(filepath.Join(dir, "team", ".tagger.yaml"))
	file, _ = filepath.EvalSymlinks(file)
	gotFile, _ := filepath.EvalSymlinks(got.Config)
	if gotFile != file {
		t.Errorf("config file %q, want %q", got.Config, file)
	}
	if got.Sensitivity != (setting{"low", "flag --sensitivity"}) {
		t.Errorf("sensitivity %+v, want low from the flag", got.Sensitivity)
	}
	if got.FailOn.Value != "undeclared" || got.FailOn.From != got.Config {
		t.Errorf("fail-on %+v, want undeclared from %s", got.FailOn, got.Config)
	}
	if len(got.Lexicon) != 1 || got.Lexicon[0].Value != filepath.Join(filepath.Dir(got.Config), "lists", "hockey.yaml") {
		t.Errorf("lexicon %+v, want the overlay relative to the config file", got.Lexicon)
	}
	if len(got.Thresholds) != 1 || got.Thresholds[0].Label != "violence" || got.Thresholds[0].Value != 0.7 {
		t.Errorf("thresholds %+v", got.Thresholds)
	}
	if !strings.HasPrefix(got.ModelName, "default@") {
		t.Errorf("model name %q", got.ModelName)
	}
	out, _, code = runBin(t, dir, "config", story)
	if code != 0 || !strings.Contains(out, "sensitivity  high") || !strings.Contains(out, "fail-on      undeclared") {
		t.Errorf("config (text): exit %d\n%s", code, out)
	}
}

// TestConfigErrors: a broken file stops the command with exit 2 and a
// message naming the file and the fix.
func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, yaml, want string
	}{
		{"unknown key", "sensitivity: high\nfailon: any\n", `"failon" is not a setting (did you mean "fail-on"? use sensitivity, fail-on`},
		{"unknown label", "thresholds: {violense: 0.6}\n", `"violense" is not a label`},
		{"missing overlay", "lexicon: nope.yaml\n", "nope.yaml"},
		{"bad overlay", "lexicon: bad.yaml\n", `unknown key "terms"`},
		{"bad glob", "exclude: ['[a-']\n", `"[a-" is not a valid pattern`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTree(t, t.TempDir(), map[string]string{
				".tagger.yaml": tt.yaml,
				"bad.yaml":     "terms: []\n",
				"s/story.txt":  fixture(t, "hockey.txt"),
			})
			for _, args := range [][]string{{"check", "s/story.txt"}, {"run", "s", "-o", "out.jsonl"}, {"config", "s"}} {
				_, errOut, code := runBin(t, dir, args...)
				if code != 2 || !strings.Contains(errOut, tt.want) || !strings.Contains(errOut, ".tagger.yaml") {
					t.Errorf("%v: exit %d, stderr %q; want 2 naming .tagger.yaml and %q", args, code, errOut, tt.want)
				}
			}
		})
	}
}

// rowsOf reads a JSONL output's rows: source → detected labels.
func rowsOf(t *testing.T, path string) map[string][]string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<24)
	for sc.Scan() {
		var r struct {
			Source           string
			DetectedWarnings []string `json:"detected_warnings"`
		}
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatal(err)
		}
		rows[filepath.ToSlash(r.Source)] = r.DetectedWarnings
	}
	return rows
}

// TestRunLexiconAndThresholds: a batch run applies the allow-list and the
// per-label thresholds, from flags or the configuration file, and a
// resumed run must use the same ones.
func TestRunLexiconAndThresholds(t *testing.T) {
	dir := writeTree(t, t.TempDir(), map[string]string{
		"in/hockey.txt":   fixture(t, "hockey.txt"),
		"in/guard.txt":    fixture(t, "guard.txt"),
		"allow.yaml":      fixture(t, "hockey-allow.yaml"),
		"strict.yaml":     "thresholds: {violence: 0.999}\n",
		"in/.tagger.yaml": "lexicon: ../allow.yaml\n",
	})
	run := func(out string, args ...string) map[string][]string {
		t.Helper()
		_, errOut, code := runBin(t, dir, append([]string{"run", "in", "-o", out, "--progress", "never"}, args...)...)
		if code != 0 {
			t.Fatalf("run %v: exit %d, stderr %q", args, code, errOut)
		}
		return rowsOf(t, filepath.Join(dir, out))
	}
	plain := run("plain.jsonl", "--no-config")
	if !slices.Contains(plain["in/hockey.txt"], "violence") || !slices.Contains(plain["in/guard.txt"], "violence") {
		t.Fatalf("without settings: %v; want the hockey false alarm and the guard's violence", plain)
	}
	for name, args := range map[string][]string{
		"flag":   {"--no-config", "--lexicon", "allow.yaml"},
		"config": nil,
	} {
		rows := run(name+".jsonl", args...)
		if slices.Contains(rows["in/hockey.txt"], "violence") {
			t.Errorf("lexicon from %s: hockey still %v", name, rows["in/hockey.txt"])
		}
		if !slices.Contains(rows["in/guard.txt"], "violence") {
			t.Errorf("lexicon from %s: the guard's violence lost: %v", name, rows["in/guard.txt"])
		}
	}
	strict := run("strict.jsonl", "--config", "strict.yaml")
	if slices.Contains(strict["in/guard.txt"], "violence") {
		t.Errorf("threshold 0.999: guard still %v", strict["in/guard.txt"])
	}
	if !slices.Contains(strict["in/guard.txt"], "blood-gore") {
		t.Errorf("threshold on violence changed blood-gore: %v", strict["in/guard.txt"])
	}
	// Resuming with other settings would mix rows scored two ways.
	_, errOut, code := runBin(t, dir, "run", "in", "-o", "strict.jsonl", "--resume", "--no-config", "--progress", "never")
	if code != 2 || !strings.Contains(errOut, "settings") {
		t.Errorf("resume with other settings: exit %d, stderr %q; want 2 naming the settings", code, errOut)
	}
	if _, errOut, code = runBin(t, dir, "run", "in", "-o", "strict.jsonl", "--resume", "--config", "strict.yaml", "--progress", "never"); code != 0 {
		t.Errorf("resume with the same settings: exit %d, stderr %q", code, errOut)
	}
}

// TestRunSelectsStories: files that are not in a story format are skipped
// (and counted), unless named or included; --exclude leaves files out.
func TestRunSelectsStories(t *testing.T) {
	story := fixture(t, "guard.txt")
	dir := writeTree(t, t.TempDir(), map[string]string{
		"in/a.txt":          story,
		"in/allow.yaml":     fixture(t, "hockey-allow.yaml"),
		"in/cover.png":      "\x89PNG\r\n",
		"in/drafts/b.txt":   story,
		"in/old/c.story":    story,
		"in/d.html":         "<html><head><title>D</title></head><body><p>He stabbed the guard and the blood ran.</p></body></html>",
		"in/e.bak.txt":      story,
		"in/corpus/w.jsonl": `{"id": "w1", "text": "She walked home."}` + "\n",
	})
	tests := []struct {
		name    string
		args    []string
		want    []string
		skipped string // in stderr; "" for no note
	}{
		{"story formats only", []string{"in"}, []string{"in/a.txt", "in/corpus/w.jsonl:1", "in/d.html", "in/drafts/b.txt", "in/e.bak.txt"}, "skipped 3 files that are not in a story format, e.g. allow.yaml"},
		{"named files are read", []string{"in/allow.yaml"}, []string{"in/allow.yaml"}, ""},
		{"exclude", []string{"in", "--exclude", "drafts/**", "--exclude", "*.bak.txt", "--exclude", "*.yaml", "--exclude", "*.png"}, []string{"in/a.txt", "in/corpus/w.jsonl:1", "in/d.html"}, "skipped 1 file that is not in a story format: old/c.story"},
		{"include", []string{"in", "--include", "*.story", "--include", "a.txt"}, []string{"in/a.txt", "in/old/c.story"}, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(dir, "out"+string(rune('0'+i))+".jsonl")
			_, errOut, code := runBin(t, dir, append([]string{"run", "-o", out, "--progress", "never", "--no-config"}, tt.args...)...)
			if code != 0 {
				t.Fatalf("exit %d, stderr %q", code, errOut)
			}
			var got []string
			for src := range rowsOf(t, out) {
				got = append(got, src)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.want) {
				t.Errorf("rows %q, want %q", got, tt.want)
			}
			if tt.skipped != "" && !strings.Contains(errOut, tt.skipped) {
				t.Errorf("stderr %q, want %q", errOut, tt.skipped)
			}
			if tt.skipped == "" && strings.Contains(errOut, "skipped") {
				t.Errorf("stderr %q mentions skipped files", errOut)
			}
		})
	}
}

// TestREADMEConfigExamples keeps README's configuration file and overlay
// examples working: the overlay is the fixture the tests use, and the
// configuration file parses (its paths need not exist).
func TestREADMEConfigExamples(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	block := func(first string) string {
		t.Helper()
		i := strings.Index(readme, "```yaml\n"+first)
		if i < 0 {
			t.Fatalf("README has no yaml block starting %q", first)
		}
		body := readme[i+len("```yaml\n"):]
		return body[:strings.Index(body, "```\n")]
	}
	if got := block("# lists/hockey.yaml"); got != fixture(t, "hockey-allow.yaml") {
		t.Errorf("README's overlay differs from testdata/config/hockey-allow.yaml:\n%s", got)
	}
	if _, err := config.Parse([]byte(block("# .tagger.yaml")), "/team"); err != nil {
		t.Errorf("README's .tagger.yaml: %v", err)
	}
}
