package main

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"testing"

	"github.com/tagger-dev/tagger/cmd/tagger-beam/beamrun"
)

// TestVersionIsTaggers checks that tagger-beam records the version tagger
// run records: cmd/tagger's, which this module cannot import (a main
// package).
func TestVersionIsTaggers(t *testing.T) {
	src, err := os.ReadFile("../tagger/root.go")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^const version = "([^"]+)"`).FindSubmatch(src)
	if m == nil {
		t.Fatal(`no const version = "…" in ../tagger/root.go`)
	}
	if string(m[1]) != version {
		t.Errorf("tagger-beam's version %q, tagger's %q", version, m[1])
	}
}

// TestSettings checks that the flags and the configuration file combine
// as in tagger run: flags over the file, lists the file's first, overlays
// read into their contents, relative paths from the file's directory.
func TestSettings(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	allow := "version: 1\nlabels:\n  pornography:\n    exceptions: [down on the ice]\n"
	extra := "version: 1\nlabels:\n  violence:\n    terms: [{term: slew foot, weight: 1.5}]\n"
	write("allow.yaml", allow)
	extraPath := write("extra.yaml", extra)
	cfgPath := write(".tagger.yaml", "sensitivity: high\nmodel: ours\nlexicon: allow.yaml\nthresholds:\n  violence: 0.999\n"+
		"include: [\"*.txt\"]\nexclude: [\"drafts/**\"]\n")

	sf := settingFlags{config: cfgPath, lexicon: list{extraPath}, exclude: list{"*.bak"}, set: map[string]bool{}}
	cfg := beamrun.Config{Sensitivity: "balanced"}
	if err := sf.apply(&cfg); err != nil {
		t.Fatal(err)
	}
	want := beamrun.Config{Sensitivity: "high", ModelDir: filepath.Join(dir, "ours"),
		Lexicon: [][]byte{[]byte(allow), []byte(extra)}, Thresholds: map[string]float64{"violence": 0.999},
		Include: []string{"*.txt"}, Exclude: []string{"drafts/**", "*.bak"}}
	if !reflect.DeepEqual(cfg, want) {
		t.Errorf("settings %+v, want %+v", cfg, want)
	}

	// Flags given override the file.
	sf.set = map[string]bool{"sensitivity": true, "model": true}
	cfg = beamrun.Config{Sensitivity: "low", ModelDir: "mine"}
	if err := sf.apply(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Sensitivity != "low" || cfg.ModelDir != "mine" {
		t.Errorf("flags --sensitivity low --model mine gave %q, %q", cfg.Sensitivity, cfg.ModelDir)
	}

	// No --config: nothing but the flags; the .tagger.yaml in the working
	// directory is not searched for.
	t.Chdir(dir)
	cfg = beamrun.Config{Sensitivity: "balanced"}
	if err := (&settingFlags{set: map[string]bool{}}).apply(&cfg); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg, beamrun.Config{Sensitivity: "balanced"}) {
		t.Errorf("no --config: %+v", cfg)
	}

	for name, sf := range map[string]settingFlags{
		"missing overlay": {lexicon: list{filepath.Join(dir, "nope.yaml")}},
		"missing config":  {config: filepath.Join(dir, "nope.yaml")},
		"bad config":      {config: write("bad.yaml", "thresholds:\n  violense: 0.9\n")},
	} {
		if err := sf.apply(&beamrun.Config{}); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
