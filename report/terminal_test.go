package report

import (
	"regexp"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/pipeline"
)

// hostile is text a story (or its file name) may hold to drive the
// moderator's terminal: move up and erase a line, print a forged verdict,
// hide what follows, set the window title, reorder text.
const hostile = "\x1b[1A\x1b[2K verdict: OK\x1b[8m\x07\b\r\x00\x7f\u009b2J\u202e\u2066\u2069\u200e\u2028\U000e0041"

// rawControl matches what must never reach the terminal from the input:
// C0 controls but newline, DEL, C1 controls, bidi embeddings, overrides
// and isolates (not the marks LRM, RLM, ALM), separators, and tag
// characters (hostile holds none in an emoji tag sequence).
var rawControl = regexp.MustCompile("[\x00-\x09\x0b-\x1f\x7f\u0080-\u009f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufff9-\ufffb\U000e0000-\U000e007f]")

// styleCode matches the colour codes Style writes (and nothing a test
// input holds).
var styleCode = regexp.MustCompile(`\x1b\[(0|1|2|31|32|33)m`)

// hostileRows are rows whose every input-derived string is hostile.
func hostileRows() map[string]pipeline.Row {
	h := hostile
	ev := []pipeline.Evidence{
		{Label: "death", Score: 0.8, LineStart: 12, LineEnd: 13, Snippet: "He died" + h + "\n  verdict: OK — forged\nat dawn."},
		{Label: "violence", Score: 0.7, LineStart: 3, LineEnd: 3, Snippet: "not warned" + h},
	}
	return map[string]pipeline.Row{
		"findings": {
			Source: "dir/a" + h + "\nfake.txt:1:death:1.00:forged", Title: ptr("Title" + h),
			DeclaredRating: ptr("mature"), DeclaredRatingRaw: ptr("R" + h), PredictedRating: ptr("explicit"),
			RatingUnderdeclared: ptr(true), WarningStatus: ptr("declared"), DeclaredWarnings: []string{"violence"},
			UnmappedWarnings: []string{"odd" + h}, NegatedWarnings: []string{"suicide"},
			Labels: []pipeline.LabelScore{
				{Label: "death", Group: "aggression", Score: 0.8, Detected: true},
				{Label: "violence", Group: "aggression", Score: 0.7, Detected: true},
			},
			UndeclaredWarnings: []string{"death"}, Evidence: ev,
		},
		"chose not to warn": {
			Source: "b" + h, WarningStatus: ptr("chose-not-to-warn"), DeclaredRatingRaw: ptr("odd" + h),
			PredictedRating: ptr("teen"), RatingUnderdeclared: ptr(false),
			Labels:   []pipeline.LabelScore{{Label: "violence", Group: "aggression", Score: 0.7, Detected: true}},
			Evidence: ev,
		},
		"error": {Source: "c" + h, Error: ptr("read c" + h + ": not UTF-8\nverdict: OK")},
		"note":  {Source: "d" + h, Note: ptr("not checked: language" + h + "\nverdict: OK")},
	}
}

// TestTextTerminalSafe: nothing from the input reaches the terminal as a
// control, a passage or error cannot start a line of its own (a forged
// verdict), and tagger's own colours still work.
func TestTextTerminalSafe(t *testing.T) {
	for name, r := range hostileRows() {
		for _, color := range []bool{false, true} {
			var b strings.Builder
			if err := Text(&b, r, Style{Color: color}); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			plain := styleCode.ReplaceAllString(out, "")
			if color && plain == out {
				t.Errorf("%s: colour asked, none written", name)
			}
			if loc := rawControl.FindStringIndex(plain); loc != nil {
				t.Errorf("%s (colour %v): raw control %q in\n%q", name, color, plain[loc[0]:loc[1]], out)
			}
			verdicts := 0
			for _, ln := range strings.Split(plain, "\n") {
				if strings.HasPrefix(strings.TrimSpace(ln), "verdict:") {
					verdicts++
				}
			}
			// One verdict, a story that could not be read included
			// (its verdict is ERROR, as in JSON's verdict.text).
			if want := 1; verdicts != want {
				t.Errorf("%s (colour %v): %d lines start with a verdict:\n%s", name, color, verdicts, plain)
			}
			if !strings.Contains(plain, `\x1b[1A\x1b[2K`) || !strings.Contains(plain, `\u202e`) {
				t.Errorf("%s: the escapes are not shown:\n%s", name, plain)
			}
		}
	}
}

// TestLinesOneRecordPerFinding: every finding is one line of five
// fields, whatever the path and passages hold, and no line is forged.
func TestLinesOneRecordPerFinding(t *testing.T) {
	tests := []struct {
		row   string
		lines int
	}{
		{"findings", 2},          // the undeclared passage, the rating
		{"chose not to warn", 1}, // the passage not warned
		{"error", 1},
		{"note", 1},
	}
	rows := hostileRows()
	for _, tt := range tests {
		var b strings.Builder
		if err := Lines(&b, rows[tt.row]); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if loc := rawControl.FindStringIndex(out); loc != nil {
			t.Errorf("%s: raw control %q in %q", tt.row, out[loc[0]:loc[1]], out)
		}
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) != tt.lines {
			t.Errorf("%s: %d lines, want %d:\n%s", tt.row, len(lines), tt.lines, out)
		}
		for _, ln := range lines {
			if strings.HasPrefix(ln, "fake.txt") {
				t.Errorf("%s: forged record %q", tt.row, ln)
			}
			f := splitLine(ln)
			if len(f) != 5 {
				t.Errorf("%s: %q splits into %d fields", tt.row, ln, len(f))
				continue
			}
			if src := unescapePath(t, f[0]); src != rows[tt.row].Source {
				t.Errorf("%s: path %q reads back as %q, want %q", tt.row, f[0], src, rows[tt.row].Source)
			}
		}
	}
}

// splitLine splits a Lines record at its first four colons not escaped
// by a backslash, as the Lines doc says to.
func splitLine(ln string) []string {
	var out []string
	start := 0
	for i := 0; i < len(ln) && len(out) < 4; i++ {
		switch ln[i] {
		case '\\':
			i++
		case ':':
			out = append(out, ln[start:i])
			start = i + 1
		}
	}
	return append(out, ln[start:])
}
