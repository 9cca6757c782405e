package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/report"
)

// checkObject is one object of check --format json.
type checkObject struct {
	pipeline.Row
	Verdict report.VerdictInfo `json:"verdict"`
}

// finding is a finding line of the text report: its label, score and
// threshold as printed.
var finding = regexp.MustCompile(`(?m)^  [✗✓!] (\S+)\s+(\d\.\d\d) \(threshold (\d\.\d\d)\)  `)

// TestCheckFormatsAgree runs the binary on every story of testdata/check
// in the three formats: they report the same labels, in the same order,
// with the same score and threshold, the same verdict and the same exit
// code.
func TestCheckFormatsAgree(t *testing.T) {
	stories, _ := filepath.Glob("testdata/check/*.txt")
	if len(stories) < 10 {
		t.Fatalf("%d stories in testdata/check", len(stories))
	}
	for _, path := range stories {
		t.Run(filepath.Base(path), func(t *testing.T) {
			text, _, textCode := runTagger(t, "", nil, "check", path)
			js, errOut, jsonCode := runTagger(t, "", nil, "check", "--format", "json", path)
			lines, _, lineCode := runTagger(t, "", nil, "check", "--format", "line", path)
			if textCode != jsonCode || textCode != lineCode {
				t.Errorf("exit codes: text %d, json %d, line %d", textCode, jsonCode, lineCode)
			}
			var obj checkObject
			if err := json.Unmarshal([]byte(js), &obj); err != nil {
				t.Fatalf("json: %v\n%s%s", err, js, errOut)
			}
			byLabel := map[string]pipeline.LabelScore{}
			var detected []string
			for _, l := range obj.Labels {
				byLabel[l.Label] = l
				if l.Detected {
					detected = append(detected, l.Label)
				}
			}
			var inText []string
			for _, m := range finding.FindAllStringSubmatch(text, -1) {
				inText = append(inText, m[1])
				l := byLabel[m[1]]
				if got := fmt.Sprintf("%.2f (threshold %.2f)", l.Score, l.Threshold); got != m[2]+" (threshold "+m[3]+")" {
					t.Errorf("%s: text says %s (threshold %s), json %s", m[1], m[2], m[3], got)
				}
			}
			// The same labels, as detected_warnings and labels[] say, in
			// the order of report.Findings.
			var order []string
			for _, f := range report.Findings(obj.Row) {
				order = append(order, f.Label)
			}
			if !slices.Equal(inText, order) {
				t.Errorf("text lists %v, report order of the json row %v", inText, order)
			}
			if !sameSet(inText, detected) || !sameSet(inText, obj.DetectedWarnings) {
				t.Errorf("text lists %v; json detects %v, detected_warnings %v", inText, detected, obj.DetectedWarnings)
			}
			if !strings.Contains(text, "  "+obj.Verdict.Text+"\n") || obj.Verdict.Status == "" || len(obj.Verdict.Reasons) == 0 {
				t.Errorf("json verdict %+v is not the text's:\n%s", obj.Verdict, text)
			}
			// A line's score is its label's score, and lines follow the
			// text report's order.
			var inLines []string
			for _, ln := range strings.Split(strings.TrimSuffix(lines, "\n"), "\n") {
				f := strings.SplitN(ln, ":", 5)
				if len(f) < 5 {
					continue // no output at all
				}
				l, ok := byLabel[f[2]]
				if !ok {
					continue // rating, error, not-checked
				}
				if want := fmt.Sprintf("%.2f", l.Score); f[3] != want || !strings.Contains(f[4], fmt.Sprintf("threshold %.2f", l.Threshold)) {
					t.Errorf("line %q: want score %s and threshold %.2f", ln, want, l.Threshold)
				}
				if len(inLines) == 0 || inLines[len(inLines)-1] != f[2] {
					inLines = append(inLines, f[2])
				}
			}
			for i, j := 0, 0; i < len(inLines); i++ {
				k := slices.Index(inText[j:], inLines[i])
				if k < 0 {
					t.Errorf("lines list %v, not in the text's order %v", inLines, inText)
					break
				}
				j += k + 1
			}
		})
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestCheckExplainFormats: --explain in text and line output, and a
// misspelt label, which fails before any story is scored.
func TestCheckExplainFormats(t *testing.T) {
	seed003 := "../../seeds/003_ef651ee35373ebd4.txt"
	tests := []struct {
		name      string
		args      []string
		exit      int
		want, not []string // in stdout
		stderr    string
	}{
		{"text", []string{"check", "--explain", "violence", seed003}, 1,
			[]string{"  explain violence: score 0.85 (threshold ", "(the window threshold)", "    best window: lines 211–213, raw score"},
			[]string{"(raw ", "213:,"}, ""},
		{"line", []string{"check", "--format", "line", "--explain", "violence", seed003}, 1,
			[]string{seed003 + ":211:violence:0.85:explain: score 0.85 (threshold ", seed003 + ":211:violence:0.85:explain: term "},
			[]string{"  explain"}, ""},
		{"misspelt", []string{"check", "--explain", "violnce", seed003}, exitError,
			nil, []string{"violence"}, `--explain: unknown label "violnce": did you mean "violence"?`},
		{"twice", []string{"check", "--explain", "violence", "--explain", "death", seed003}, exitError,
			nil, []string{"violence"}, "--explain takes one label, and was given 2 (violence, death): run check once per label"},
		{"not a label", []string{"check", "--explain", "nonsense", seed003}, exitError,
			nil, []string{"violence"}, `unknown label "nonsense": see tagger labels`},
	}
	for _, tc := range tests {
		out, errOut, code := runTagger(t, "", nil, tc.args...)
		if code != tc.exit || !strings.Contains(errOut, tc.stderr) {
			t.Errorf("%s: exit %d, want %d; stderr %q, want %q", tc.name, code, tc.exit, errOut, tc.stderr)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: output lacks %q:\n%s", tc.name, w, out)
			}
		}
		for _, n := range tc.not {
			if strings.Contains(out, n) {
				t.Errorf("%s: output holds %q:\n%s", tc.name, n, out)
			}
		}
		if tc.name == "line" {
			for _, ln := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
				if len(strings.SplitN(ln, ":", 5)) != 5 {
					t.Errorf("line: %q is not path:line:label:score:message", ln)
				}
			}
		}
	}
}

// TestCheckRowIsRunRow: check --format json and tagger run decide each
// seed alike: the same words (the tokens scored, which check does not
// count apart), predicted rating, scores and detections. Only evidence
// snippets may differ (check cuts them at Punkt's sentence ends).
func TestCheckRowIsRunRow(t *testing.T) {
	seeds, _ := filepath.Glob("../../seeds/*.txt")
	if len(seeds) != 4 {
		t.Fatalf("%d seeds", len(seeds))
	}
	out := filepath.Join(t.TempDir(), "rows.jsonl")
	if _, errOut, code := runTagger(t, "", nil, append([]string{"run", "-o", out, "--progress", "never"}, seeds...)...); code != 0 {
		t.Fatalf("run: exit %d: %s", code, errOut)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	runRows := map[string]pipeline.Row{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var r pipeline.Row
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		runRows[filepath.Base(r.Source)] = r
	}
	for _, path := range seeds {
		js, errOut, _ := runTagger(t, "", nil, "check", "--format", "json", path)
		var got checkObject
		if err := json.Unmarshal([]byte(js), &got); err != nil {
			t.Fatalf("%s: %v\n%s", path, err, errOut)
		}
		want, ok := runRows[filepath.Base(path)]
		if !ok {
			t.Fatalf("no run row for %s", path)
		}
		if got.Words == nil || want.Words == nil || *got.Words != *want.Words || *got.Words < 1000 {
			t.Errorf("%s: words %v in check, %v in run; want the same count of a long story", path, deref(got.Words), deref(want.Words))
		}
		if deref(got.PredictedRating) != deref(want.PredictedRating) {
			t.Errorf("%s: predicted rating %v in check, %v in run", path, deref(got.PredictedRating), deref(want.PredictedRating))
		}
		if len(got.Labels) != len(want.Labels) {
			t.Fatalf("%s: %d labels in check, %d in run", path, len(got.Labels), len(want.Labels))
		}
		for i, l := range got.Labels {
			w := want.Labels[i]
			if l.Label != w.Label || l.Score != w.Score || l.Detected != w.Detected {
				t.Errorf("%s: label %d is %s %.4f %v in check, %s %.4f %v in run", path, i, l.Label, l.Score, l.Detected, w.Label, w.Score, w.Detected)
			}
		}
	}
}

// deref is *p, or the zero value for nil.
func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
