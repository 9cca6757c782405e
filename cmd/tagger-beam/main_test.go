package main

import (
	"os"
	"regexp"
	"testing"
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
