package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
	"github.com/tagger-dev/tagger/taxonomy"
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

	// One story ahead, not more: while the caller holds the first, the
	// second is read and waits; the third is not asked for.
	var asked atomic.Int32
	read, stop = readAhead(ctx, []string{dir}, datasets.Options{Skip: func(string, string) bool { asked.Add(1); return false }})
	for range read {
		deadline := time.Now().Add(10 * time.Second)
		for asked.Load() < 2 && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond) // a third would be read by now
		if n := asked.Load(); n != 2 {
			t.Fatalf("%d stories read while the caller held the first, want 2 (one ahead)", n)
		}
		break
	}
	stop()

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

// TestModelsUseDefaultTaxonomy pins what check relies on to read headers
// before the model has loaded: every model, the embedded one and one
// saved to a directory and loaded from it, is built on taxonomy.Default.
func TestModelsUseDefaultTaxonomy(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "m")
	if err := m.Save(dir); err != nil {
		t.Fatal(err)
	}
	saved, err := classify.LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]*classify.Model{"embedded": m, "saved": saved} {
		if got.Taxonomy() != taxonomy.Default() {
			t.Errorf("the %s model has a taxonomy of its own: check reads headers with taxonomy.Default() before the model loads", name)
		}
	}
}
