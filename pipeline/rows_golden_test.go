package pipeline

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// updateRows rewrites testdata/rows.golden.jsonl.
var updateRows = flag.Bool("update", false, "rewrite testdata/rows.golden.jsonl (review the diff before committing)")

// TestRunRowsGolden pins the rows of a run over the test corpus (the seeds,
// bad files, a large story) in testdata/rows.golden.jsonl: what the default
// model writes must not change by accident, whatever the number of workers
// and whether stories are read whole or streamed from their files, and
// with each story's text overwritten once its row is built. Update
// with `go test ./pipeline -run RowsGolden -update`, then review the diff.
func TestRunRowsGolden(t *testing.T) {
	dir, _ := corpus(t)
	golden := filepath.Join("testdata", "rows.golden.jsonl")
	configs := []struct {
		name string
		cfg  Config
	}{
		{"default", Config{}},
		{"one worker", Config{Workers: 1}},
		{"three workers, small in-flight budget", Config{Workers: 3, MaxInFlight: 1 << 20}},
		{"every story streamed", Config{Workers: 2, StreamAbove: 1024}},
		// Each text is overwritten once its row is built: a row that still
		// held a slice of it would differ.
		{"texts poisoned once their rows are built", Config{Workers: 2, poison: true}},
		{"texts poisoned, one worker, rows written one by one", Config{Workers: 1, BatchRows: 1, poison: true}},
	}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "rows.jsonl")
			runTo(t, out, []string{dir}, c.cfg)
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			// Sources hold the temporary directory's path.
			got := bytes.ReplaceAll(b, []byte(strings.ReplaceAll(dir, `\`, `\\`)+"/"), []byte("CORPUS/"))
			if *updateRows && c.name == "default" {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (go test ./pipeline -run RowsGolden -update, then review)", err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Fatalf("row %d differs from %s:\n got %.400s\nwant %.400s", i+1, golden, gl[i], wl[i])
					}
				}
				t.Fatalf("%d rows, %s has %d", len(gl), golden, len(wl))
			}
		})
	}
}
