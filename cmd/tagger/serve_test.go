package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestServe runs `tagger serve` as a user would: it finds the port on
// stderr, checks seeds over HTTP (each answer the report `tagger check
// --format json -` prints for it, plus "fails"), gets the moderators'
// page at /, and stops it with SIGTERM, after which it exits 0: a
// graceful stop is a clean exit.
func TestServe(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the tagger binary")
	}
	bin := taggerBinary(t)
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--no-config")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := false
	defer func() {
		if !exited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	// The first line says where it listens; the rest is the access log.
	var logMu sync.Mutex
	var logs strings.Builder
	addrc := make(chan string, 1)
	logDone := make(chan struct{})
	go func() {
		defer close(logDone)
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`listening on (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
			logMu.Lock()
			logs.WriteString(sc.Text() + "\n")
			logMu.Unlock()
		}
	}()
	var url string
	select {
	case url = <-addrc:
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not say where it listens within 30 s")
	}

	seeds, _ := filepath.Glob(filepath.Join("..", "..", "seeds", "*.txt"))
	if len(seeds) != 4 {
		t.Fatalf("seeds: %v", seeds)
	}
	for _, p := range seeds[:2] {
		story, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want, _, code := runTagger(t, string(story), nil, "check", "--format", "json", "--no-config", "-")
		resp, err := http.Post(url+"/v1/check", "text/plain", bytes.NewReader(story))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d: %s", p, resp.StatusCode, body)
		}
		var got, exp map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal([]byte(want), &exp); err != nil {
			t.Fatalf("check --format json: %v: %s", err, want)
		}
		// check exits 1 when the story fails under --fail-on any, the
		// default of both.
		if fails := got["fails"]; fails != (code == exitFindings) {
			t.Errorf("%s: fails %v, check's exit code %d", p, fails, code)
		}
		delete(got, "fails")
		if !reflect.DeepEqual(got, exp) {
			t.Errorf("%s: the answer differs from check --format json:\n%s\nwant\n%s", p, body, want)
		}
	}
	// The moderators' page is served at the root.
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" ||
		!bytes.Contains(page, []byte(`<form id="check-form" method="post" action="/"`)) {
		t.Errorf("GET /: status %d, Content-Type %q, want the page:\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), page)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	werr := make(chan error, 1)
	go func() { werr <- cmd.Wait() }()
	select {
	case err := <-werr:
		exited = true
		if err != nil {
			t.Errorf("after SIGTERM: %v, want exit 0", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20 s of SIGTERM")
	}
	<-logDone
	logMu.Lock()
	defer logMu.Unlock()
	for _, want := range []string{`msg=request method=POST path=/v1/check route="POST /v1/check" status=200`, "verdict=", "shutting down"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, logs.String())
		}
	}
}

// TestServeErrors checks that serve fails before listening, exit 2 with a
// message, when it cannot start.
func TestServeErrors(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"serve", "--no-config", "--addr", "127.0.0.1:99999"}, "--addr: listen tcp: address 99999: invalid port"},
		{[]string{"serve", "--no-config", "--max-body-bytes", "-1"}, "must not be negative"},
		{[]string{"serve", "--no-config", "--sensitivity", "max"}, `sensitivity "max"`},
		{[]string{"serve", "--no-config", "stories/"}, "serve"},
	}
	for _, tc := range tests {
		_, errOut, code := runCLI(t, "", tc.args...)
		if code != exitError || !strings.Contains(errOut, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tc.args, code, errOut, tc.msg)
		}
	}
}
