package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// builtBinary is the tagger binary the CLI tests run, built once per test
// process into its own temporary directory.
var builtBinary struct {
	once sync.Once
	path string
	err  error
	out  []byte
}

// taggerBinary builds tagger (once per test process) and returns its path.
// CLI tests run it as a user would: flags parsed by the real binary, exit
// codes and streams as a shell sees them.
func taggerBinary(t *testing.T) string {
	t.Helper()
	builtBinary.once.Do(func() {
		dir, err := os.MkdirTemp("", "tagger-bin-")
		if err != nil {
			builtBinary.err = err
			return
		}
		builtBinary.path = filepath.Join(dir, "tagger")
		builtBinary.out, builtBinary.err = exec.Command("go", "build", "-o", builtBinary.path, ".").CombinedOutput()
	})
	if builtBinary.err != nil {
		t.Fatalf("build tagger: %v\n%s", builtBinary.err, builtBinary.out)
	}
	return builtBinary.path
}

// runTagger runs the built tagger with args (and env added to the
// test's environment) and returns stdout, stderr and the exit code.
func runTagger(t *testing.T, stdin string, env []string, args ...string) (string, string, int) {
	t.Helper()
	return runTaggerIn(t, "", stdin, env, args...)
}

// runTaggerIn is runTagger in the working directory dir ("" for the
// test's).
func runTaggerIn(t *testing.T, dir, stdin string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(taggerBinary(t), args...)
	cmd.Dir = dir
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.String(), errb.String(), 0
	case errors.As(err, &ee):
		return out.String(), errb.String(), ee.ExitCode()
	}
	t.Fatalf("run tagger %v: %v", args, err)
	return "", "", 0
}
