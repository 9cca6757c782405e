package pipeline

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
	"slices"
	"strings"

	"github.com/parquet-go/parquet-go"
)

// ErrNotOutput is wrapped by ScanRows when the file is not a tagger output:
// a Parquet file without Row's columns, or JSONL whose lines are not rows.
var ErrNotOutput = errors.New("not a tagger output")

// errLineTooLong is wrapped by eachLineMax for a line over its cap.
var errLineTooLong = errors.New("line too long")

// MaxScanLine caps a JSONL line that ScanRows reads. A row is a few KB
// (evidence snippets are bounded), so a longer line means the file is not
// an output, and reading it whole would only use up memory.
const MaxScanLine = 64 << 20

// scanBatch is how many Parquet rows ScanRows decodes at a time: enough to
// amortise the reader's calls, few enough that memory does not depend on
// the size of the file or of its row groups.
const scanBatch = 128

// ScanRows calls fn with every row of the output at path (.parquet, .jsonl
// or .ndjson), in file order, holding only a batch of rows in memory
// whatever the file's size: Parquet is decoded scanBatch rows at a time
// across its row groups, JSONL a line at a time (at most MaxScanLine bytes;
// an unterminated last line is ignored, as ReadRows does). Empty lists come
// back empty and non-nil in both formats.
//
// The row is valid only during the call, and its strings may share memory
// with the reader's buffers: clone (strings.Clone) what you keep. A file
// that is not an output fails with an error wrapping ErrNotOutput; fn's
// error, or ctx's when it ends, stops the scan and is returned.
func ScanRows(ctx context.Context, path string, fn func(*Row) error) error {
	format, err := rowsFormat(path)
	if err != nil {
		return err
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read rows: %w", err)
	}
	defer f.Close()
	if format == formatParquet {
		return scanParquet(ctx, f, fn)
	}
	return scanJSONL(ctx, f, fn)
}

// scanParquet is ScanRows for a Parquet file.
func scanParquet(ctx context.Context, f *os.File, fn func(*Row) error) error {
	pf, err := openParquet(f)
	if err != nil {
		return fmt.Errorf("read rows: %w: %w", err, ErrNotOutput)
	}
	// These columns make a file a tagger output; the others may be missing
	// (an older schema) and read as zero values.
	for _, c := range []string{"id", "source", "labels", "detected_warnings", "undeclared_warnings", "declared_warnings", "evidence"} {
		if !slices.ContainsFunc(pf.Schema().Fields(), func(f parquet.Field) bool { return f.Name() == c }) {
			return fmt.Errorf("read rows: %s has no column %q: %w (give the .parquet that tagger run wrote)", f.Name(), c, ErrNotOutput)
		}
	}
	// A file of another schema is converted to Row's by the reader.
	r := parquet.NewGenericReader[Row](pf)
	defer r.Close()
	lists := sliceFields(reflect.TypeFor[Row]())
	buf := make([]Row, scanBatch)
	var read int64
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		clear(buf) // the reader would otherwise reuse slices fn may still hold
		n, err := r.Read(buf)
		read += int64(n)
		for i := range buf[:n] {
			emptyNilLists(&buf[i], lists)
			if err := fn(&buf[i]); err != nil {
				return err
			}
		}
		if err != nil && err != io.EOF {
			return fmt.Errorf("read rows from %s: %w", f.Name(), err)
		}
		if err == io.EOF || n == 0 {
			break
		}
	}
	if read != pf.NumRows() {
		return fmt.Errorf("read rows from %s: read %d of its %d rows", f.Name(), read, pf.NumRows())
	}
	return nil
}

// scanRow decodes a JSONL line: the pointers, which shadow Row's fields of
// the same names, tell a row from other JSON (a corpus record has an id
// too, but no labels).
type scanRow struct {
	Row
	ID     *string       `json:"id"`
	Source *string       `json:"source"`
	Labels *[]LabelScore `json:"labels"`
}

// scanJSONL is ScanRows for a JSONL file.
func scanJSONL(ctx context.Context, f *os.File, fn func(*Row) error) error {
	lists := sliceFields(reflect.TypeFor[Row]())
	err := eachLineMax(f, MaxScanLine, func(n int, line []byte) error {
		if n%1024 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var v scanRow
		if err := json.Unmarshal(line, &v); err != nil {
			return fmt.Errorf("%s:%d: %w: %w", f.Name(), n, err, ErrNotOutput)
		}
		if v.ID == nil || v.Source == nil || v.Labels == nil {
			var missing []string
			for _, k := range []struct {
				name string
				nil  bool
			}{{`"id"`, v.ID == nil}, {`"source"`, v.Source == nil}, {`"labels"`, v.Labels == nil}} {
				if k.nil {
					missing = append(missing, k.name)
				}
			}
			return fmt.Errorf("%s:%d: %w: the line has no %s, as every row has (give the .jsonl that tagger run wrote)", f.Name(), n, ErrNotOutput, strings.Join(missing, " or "))
		}
		v.Row.ID, v.Row.Source, v.Row.Labels = *v.ID, *v.Source, *v.Labels
		emptyNilLists(&v.Row, lists)
		return fn(&v.Row)
	})
	if errors.Is(err, errLineTooLong) {
		return fmt.Errorf("read rows from %s: %w: %w", f.Name(), err, ErrNotOutput)
	}
	if err != nil && !errors.Is(err, ErrNotOutput) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("read rows: %w", err)
	}
	return err
}

// ReadOutputMeta returns every key/value metadata entry of the output at
// path: the Parquet footer's, or a JSONL file's sidecar (path+MetaSuffix).
// A JSONL output without a sidecar (written to standard output and saved)
// has none: an empty map, no error.
func ReadOutputMeta(path string) (map[string]string, error) {
	format, err := rowsFormat(path)
	if err != nil {
		return nil, err
	}
	if format == formatJSONL {
		kv, err := readSidecar(path + MetaSuffix)
		if errors.Is(err, fs.ErrNotExist) {
			return map[string]string{}, nil
		}
		return kv, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read metadata: %w", err)
	}
	defer f.Close()
	pf, err := openParquet(f)
	if err != nil {
		return nil, fmt.Errorf("read metadata: %w: %w", err, ErrNotOutput)
	}
	kv := map[string]string{}
	for _, e := range pf.Metadata().KeyValueMetadata {
		kv[e.Key] = e.Value
	}
	return kv, nil
}

// WriteFileAtomic writes target through write as the sinks write outputs:
// into a temporary file beside it, synced and renamed over target only when
// write succeeds, so that target holds either its old content or the whole
// new one.
func WriteFileAtomic(target string, write func(io.Writer) error) error {
	tmp, err := createTemp(target)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(tmp, 64<<10)
	if err := write(bw); err != nil {
		tmp.abort()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.abort()
		return fmt.Errorf("write %s: %w (is the disk full?)", target, err)
	}
	return tmp.commit()
}
