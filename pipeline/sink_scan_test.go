package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// TestScanRows checks that ScanRows gives, in both formats and across row
// groups, the rows ReadRows gives, once each row is cloned (ScanRows may
// reuse its buffers); that fn's error stops it; and that an over-long
// JSONL line is refused as not an output.
func TestScanRows(t *testing.T) {
	for _, name := range []string{"labels.parquet", "labels.jsonl"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			rows := sampleRows()
			writeRows(t, path, SinkOptions{RowsPerRowGroup: 1}, rows)
			var got []Row
			err := ScanRows(context.Background(), path, func(r *Row) error {
				got = append(got, cloneRow(t, *r))
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if want := normalized(rows); !reflect.DeepEqual(got, want) {
				t.Errorf("scanned\n%+v\nwant\n%+v", got, want)
			}
			stop := errors.New("stop")
			n := 0
			if err := ScanRows(context.Background(), path, func(*Row) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
				t.Errorf("ScanRows after fn's error: %v after %d rows, want stop after 1", err, n)
			}
		})
	}
	long := filepath.Join(t.TempDir(), "long.jsonl")
	if err := os.WriteFile(long, []byte(strings.Repeat("x", MaxScanLine+1)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := ScanRows(context.Background(), long, func(*Row) error { return nil }); !errors.Is(err, ErrNotOutput) || !strings.Contains(err.Error(), "longer than 64 MiB") {
		t.Errorf("ScanRows(a 64 MiB line) = %v, want ErrNotOutput and the cap", err)
	}
}

// cloneRow copies r through JSON, so that no later read can change the
// copy's strings or slices.
func cloneRow(t *testing.T, r Row) Row {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var c Row
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
