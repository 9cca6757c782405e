package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
// repository root as the README says, prints the reviewed golden metadata.
func TestMetaSeedsGolden(t *testing.T) {
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
