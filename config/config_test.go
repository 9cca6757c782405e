package config

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	dir := filepath.FromSlash("/team")
	tests := []struct {
		name    string
		yaml    string
		want    *File
		wantErr string // a substring of the error; "" for none
	}{
		{name: "empty file", yaml: "", want: &File{}},
		{name: "every key", yaml: `
sensitivity: high
fail-on: undeclared
model: models/ours
lexicon: [allow.yaml, /abs/more.yaml]
thresholds: {violence: 0.7, death: 0.25}
include: ["*.story"]
exclude: ["drafts/**", "*.bak"]
`, want: &File{Sensitivity: "high", FailOn: "undeclared", Model: filepath.Join(dir, "models/ours"),
			Lexicon:    []string{filepath.Join(dir, "allow.yaml"), "/abs/more.yaml"},
			Thresholds: map[string]float64{"violence": 0.7, "death": 0.25},
			Include:    []string{"*.story"}, Exclude: []string{"drafts/**", "*.bak"}}},
		{name: "one lexicon as a string", yaml: "lexicon: allow.yaml\n", want: &File{Lexicon: []string{filepath.Join(dir, "allow.yaml")}}},
		{name: "unknown key names the keys", yaml: "sensitivity: low\nfailon: any\n", wantErr: `line 2: "failon" is not a setting (did you mean "fail-on"? use sensitivity, fail-on, model, lexicon, thresholds, include, exclude)`},
		{name: "a plural is a slip", yaml: "lexicons: [a.yaml]\n", wantErr: `line 1: "lexicons" is not a setting (did you mean "lexicon"? use `},
		{name: "an unknown key gets no guess", yaml: "colour: red\n", wantErr: `line 1: "colour" is not a setting (use sensitivity`},
		{name: "bad sensitivity", yaml: "sensitivity: medium\n", wantErr: `sensitivity "medium": use low, balanced or high`},
		{name: "bad fail-on", yaml: "fail-on: all\n", wantErr: `fail-on "all": use undeclared, rating, any or none`},
		{name: "unknown label", yaml: "thresholds: {violense: 0.5}\n", wantErr: `"violense" is not a label`},
		{name: "threshold out of range", yaml: "thresholds: {violence: 7}\n", wantErr: "from 0 to 1"},
		{name: "negative threshold", yaml: "thresholds: {violence: -0.1}\n", wantErr: "from 0 to 1"},
		{name: "thresholds 0 and 1", yaml: "thresholds: {violence: 0, death: 1}\n", want: &File{Thresholds: map[string]float64{"violence": 0, "death": 1}}},
		{name: "not a mapping", yaml: "- a\n- b\n", wantErr: `one "key: value" per line`},
		{name: "list of numbers as lexicon", yaml: "lexicon: {a: 1}\n", wantErr: "want a string or a list of strings"},
		{name: "empty lexicon path", yaml: "lexicon: ['']\n", wantErr: "empty path"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse([]byte(tt.yaml), dir)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Parse: error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse = %+v\nwant    %+v", got, tt.want)
			}
		})
	}
}

// TestFind finds the nearest file from a story's directory upward, then
// the user's, then none.
func TestFind(t *testing.T) {
	root := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(root, "xdg"))
	t.Setenv("HOME", filepath.Join(root, "home"))
	deep := filepath.Join(root, "team", "fandom", "works")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("sensitivity: low\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := Find(deep); err != nil || got != "" {
		t.Fatalf("Find with no file = %q, %v; want none", got, err)
	}
	user := filepath.Join(root, "xdg", "tagger", "config.yaml")
	write(user)
	if got, _ := Find(deep); got != user {
		t.Errorf("Find = %q, want the user's %q", got, user)
	}
	team := filepath.Join(root, "team", FileName)
	write(team)
	if got, _ := Find(deep); got != team {
		t.Errorf("Find = %q, want the team's %q above the story", got, team)
	}
	near := filepath.Join(deep, FileName)
	write(near)
	if got, _ := Find(deep); got != near {
		t.Errorf("Find = %q, want the nearest %q", got, near)
	}
	// A directory named like the file is not a configuration file.
	if err := os.Remove(near); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(near, 0o755); err != nil {
		t.Fatal(err)
	}
	if got, _ := Find(deep); got != team {
		t.Errorf("Find with a directory named %s = %q, want %q", FileName, got, team)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, FileName)
	if err := os.WriteFile(p, []byte("lexicon: allow.yaml\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.Path != p || len(c.Lexicon) != 1 || c.Lexicon[0] != filepath.Join(dir, "allow.yaml") {
		t.Errorf("Load = %+v; want the path recorded and the overlay relative to the file", c)
	}
	big := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(big, make([]byte, maxFileBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(big); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("Load of a %d-byte file: %v; want an error naming the limit", maxFileBytes+1, err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("Load of a missing file: %v; want a not-exist error", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}

// FuzzParse checks that Parse never panics and that what it accepts is
// valid.
func FuzzParse(f *testing.F) {
	f.Add([]byte("sensitivity: high\nthresholds: {violence: 0.7}\nlexicon: a.yaml\n"))
	f.Add([]byte("exclude: ['drafts/**']\ninclude: x\n"))
	f.Add([]byte("- a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data, "/d")
		if err != nil {
			return
		}
		for id, v := range c.Thresholds {
			if !(v >= 0 && v <= 1) {
				t.Errorf("accepted threshold %s: %v", id, v)
			}
		}
		for _, l := range c.Lexicon {
			if !filepath.IsAbs(l) {
				t.Errorf("lexicon path %q not resolved", l)
			}
		}
	})
}

// TestFingerprint checks the tagger.settings value outputs record: the
// overlays by content, in order, and the thresholds in taxonomy order
// (not the map's), as older outputs recorded them for --resume to match.
func TestFingerprint(t *testing.T) {
	if got := Fingerprint(nil, nil); got != "" {
		t.Errorf("no settings: %q, want \"\"", got)
	}
	a, b := []byte("version: 1\n"), []byte("version: 1\nlabels: {}\n")
	th := map[string]float64{"sexual-abuse": 0.2, "violence": 0.999}
	for _, tc := range []struct {
		overlays   [][]byte
		thresholds map[string]float64
		want       string
	}{
		{[][]byte{a, b}, nil, "lexicon=" + sha6(a) + "," + sha6(b)},
		{nil, th, "thresholds=violence:0.999,sexual-abuse:0.2"},
		{[][]byte{b}, th, "lexicon=" + sha6(b) + " thresholds=violence:0.999,sexual-abuse:0.2"},
	} {
		if got := Fingerprint(tc.overlays, tc.thresholds); got != tc.want {
			t.Errorf("Fingerprint = %q, want %q", got, tc.want)
		}
	}
	if sha6(a) == sha6(b) || len(sha6(a)) != 12 {
		t.Errorf("hashes %s, %s", sha6(a), sha6(b))
	}
}

func sha6(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}
