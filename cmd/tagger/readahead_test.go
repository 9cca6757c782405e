package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/tagger-dev/tagger/datasets"
)

// TestReadAhead checks that check's read-ahead yields the stories of its
// inputs as datasets.Read does, in the same order, and that stop ends the
// reading when the caller leaves the loop early (it returns, and no story
// comes after it).
func TestReadAhead(t *testing.T) {
	dir := t.TempDir()
	for i := range 6 {
		text := fmt.Sprintf("Title: Story %d\n\nThe rain fell on the village for the %dth day.\n", i, i+1)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%d.txt", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx := context.Background()
	var want []string
	for st := range datasets.Read(ctx, []string{dir}, datasets.Options{}) {
		want = append(want, st.Source+" "+st.Title)
	}
	if len(want) != 6 {
		t.Fatalf("datasets.Read gave %d stories, want 6", len(want))
	}

	read, stop := readAhead(ctx, []string{dir}, datasets.Options{})
	var got []string
	for st := range read {
		got = append(got, st.Source+" "+st.Title)
	}
	stop()
	if !slices.Equal(got, want) {
		t.Fatalf("read ahead:\n%q\nwant\n%q", got, want)
	}

	// Standard input that never ends comes after the files: stop must
	// cancel the read of it, not wait for it.
	pr, pw := io.Pipe()
	defer pw.Close()
	read, stop = readAhead(ctx, []string{dir, "-"}, datasets.Options{Stdin: pr})
	n := 0
	for range read {
		if n++; n == 2 {
			break
		}
	}
	stop() // must return: the reader is cancelled and drained
	for st := range read {
		t.Fatalf("a story (%s) after stop", st.Source)
	}
}
