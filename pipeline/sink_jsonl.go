package pipeline

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"reflect"
)

// jsonlSink writes one JSON object per line: the Row's JSON field names,
// null for nil pointers and [] for empty or nil lists (never null). HTML
// characters are not escaped.
type jsonlSink struct {
	tmp    *tempFile // nil when writing to a stream (standard output)
	bw     *bufio.Writer
	enc    *json.Encoder
	name   string // for error messages
	lists  []int  // indexes of Row's slice fields, set to [] when nil
	closed bool
	failed error // the first Write error: the output would lack rows
	// meta is the sidecar's metadata, written again on Close with
	// MetaStopped when stopped is set (see MarkStopped).
	meta    map[string]string
	stopped string
}

// newJSONLSink returns a sink writing JSONL to w; tmp, when not nil, is the
// temporary file behind w, committed on Close.
func newJSONLSink(tmp *tempFile, w io.Writer) *jsonlSink {
	bw := bufio.NewWriterSize(w, 256<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	name := "standard output"
	if tmp != nil {
		name = tmp.Name()
	}
	return &jsonlSink{tmp: tmp, bw: bw, enc: enc, name: name, lists: sliceFields(reflect.TypeFor[Row]())}
}

func newJSONLFileSink(path string, opt SinkOptions) (Sink, error) {
	tmp, err := createTemp(path)
	if err != nil {
		return nil, err
	}
	meta := opt.metadata()
	if opt.Append {
		// The Parquet sink compares the columns themselves; JSONL has
		// only its sidecar to tell which schema its rows hold.
		if err := checkJSONLSchema(path); err != nil {
			tmp.abort()
			return nil, err
		}
		if err := copyCompleteLines(tmp, path); err != nil {
			tmp.abort()
			return nil, err
		}
		// Keep the existing metadata that opt does not set, as the
		// Parquet sink does.
		if old, err := readSidecar(path + MetaSuffix); err == nil {
			for k, v := range old {
				if _, ok := meta[k]; !ok && k != MetaStopped {
					meta[k] = v
				}
			}
		}
	}
	if err := tmp.writeSidecar(meta); err != nil {
		tmp.abort()
		return nil, err
	}
	s := newJSONLSink(tmp, tmp)
	s.meta = meta
	return s, nil
}

// checkJSONLSchema refuses to resume the JSONL output at path when its
// sidecar records another row schema than OutputSchema, or none (an older
// tagger's). Without output or sidecar there is nothing to check here.
func checkJSONLSchema(path string) error {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	kv, err := readSidecar(path + MetaSuffix)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("resume %s: %w", path, err)
	}
	if got := kv[MetaSchema]; got != OutputSchema {
		was := fmt.Sprintf("row schema %s", got)
		if got == "" {
			was = "an older tagger's row schema"
		}
		return fmt.Errorf("resume %s: its rows have %s, this tagger writes row schema %s with other columns: write to a new output, or move it away and run without --resume", path, was, OutputSchema)
	}
	return nil
}

// copyCompleteLines copies the file at path, if any, to w up to and including
// its last newline: an unterminated last line is a write cut short, and is
// left out.
func copyCompleteLines(w io.Writer, path string) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("resume %s: %w", path, err)
	}
	defer f.Close()
	end, err := lastNewlineEnd(f)
	if err != nil {
		return fmt.Errorf("resume %s: %w", path, err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return fmt.Errorf("resume %s: %w", path, err)
	}
	if _, err := io.CopyN(w, f, end); err != nil {
		return fmt.Errorf("resume %s: copy its rows: %w", path, err)
	}
	return nil
}

// lastNewlineEnd returns the offset just past the last '\n' in f (0 if
// there is none), reading f backwards from its end.
func lastNewlineEnd(f *os.File) (int64, error) {
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 64<<10)
	for end := st.Size(); end > 0; {
		start := max(end-int64(len(buf)), 0)
		chunk := buf[:end-start]
		if _, err := f.ReadAt(chunk, start); err != nil {
			return 0, err
		}
		if i := bytes.LastIndexByte(chunk, '\n'); i >= 0 {
			return start + int64(i) + 1, nil
		}
		end = start
	}
	return 0, nil
}

// Write implements Sink.
func (s *jsonlSink) Write(rows []Row) error {
	if s.closed {
		return errSinkClosed
	}
	if s.failed != nil {
		return s.failed
	}
	for i := range rows {
		r := rows[i]
		emptyNilLists(&r, s.lists)
		if err := s.enc.Encode(&r); err != nil {
			s.failed = fmt.Errorf("write row %q to %s: %w", r.ID, s.name, err)
			return s.failed
		}
	}
	if s.tmp != nil {
		// Hand each batch to the operating system: a run killed (SIGKILL)
		// leaves its temporary file ending in complete rows, which
		// --resume recovers (RecoverStale).
		if err := s.bw.Flush(); err != nil {
			s.failed = fmt.Errorf("write %s: %w (is the disk full?)", s.name, err)
			return s.failed
		}
	}
	return nil
}

// Close implements Sink: it flushes the rows and, for a file, commits it.
// After a failed Write it aborts instead, so that the target never holds an
// output with rows missing.
func (s *jsonlSink) Close() error {
	if s.closed {
		return errSinkClosed
	}
	if s.failed != nil {
		s.Abort()
		return fmt.Errorf("output %s not written: %w", s.name, s.failed)
	}
	s.closed = true
	if err := s.bw.Flush(); err != nil {
		if s.tmp != nil {
			s.tmp.abort()
		}
		return fmt.Errorf("write %s: %w (is the disk full?)", s.name, err)
	}
	if s.tmp == nil {
		return nil
	}
	if s.stopped != "" && s.meta != nil {
		s.meta[MetaStopped] = s.stopped
		if err := s.tmp.writeSidecar(s.meta); err != nil {
			s.tmp.abort()
			return err
		}
	}
	return s.tmp.commit()
}

// Abort implements Sink. A file is removed; a stream cannot be taken back,
// so its buffered rows are flushed to end it on a complete line.
func (s *jsonlSink) Abort() error {
	if s.closed {
		return nil
	}
	s.closed = true
	if s.tmp != nil {
		return s.tmp.abort()
	}
	if err := s.bw.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", s.name, err)
	}
	return nil
}

// sliceFields returns the indexes of t's slice fields.
func sliceFields(t reflect.Type) []int {
	var idx []int
	for i := range t.NumField() {
		if t.Field(i).Type.Kind() == reflect.Slice {
			idx = append(idx, i)
		}
	}
	return idx
}

// emptyNilLists replaces the nil slices among r's fields listed in idx with
// empty ones, so that JSON shows [] rather than null.
func emptyNilLists(r *Row, idx []int) {
	v := reflect.ValueOf(r).Elem()
	for _, i := range idx {
		if f := v.Field(i); f.IsNil() {
			f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		}
	}
}

// eachLine calls fn for every '\n'-terminated line of r (without the '\n'),
// numbering lines from 1; it skips empty lines and ignores an unterminated
// last line. Lines may be of any length.
func eachLine(r io.Reader, fn func(n int, line []byte) error) error {
	return eachLineMax(r, 0, fn)
}

// eachLineMax is eachLine with lines capped at maxLine bytes (0: no cap),
// so that a file that is not JSONL (one huge line) cannot exhaust memory.
func eachLineMax(r io.Reader, maxLine int, fn func(n int, line []byte) error) error {
	br := bufio.NewReaderSize(r, 256<<10)
	var long []byte
	for n := 1; ; {
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, chunk...)
			if maxLine > 0 && len(long) > maxLine {
				return fmt.Errorf("line %d is longer than %d MiB: %w", n, maxLine>>20, errLineTooLong)
			}
			continue
		}
		if err == io.EOF {
			return nil // an unterminated last line, if any, is dropped
		}
		if err != nil {
			return err
		}
		if maxLine > 0 && len(long)+len(chunk)-1 > maxLine {
			return fmt.Errorf("line %d is longer than %d MiB: %w", n, maxLine>>20, errLineTooLong)
		}
		line := chunk
		if len(long) > 0 {
			line = append(long, chunk...)
			long = long[:0]
		}
		line = bytes.TrimSuffix(line[:len(line)-1], []byte("\r"))
		if len(bytes.TrimSpace(line)) > 0 {
			if err := fn(n, line); err != nil {
				return err
			}
		}
		n++
	}
}

// readJSONLIDs adds the "id" of every complete line of the JSONL file f to
// ids.
func readJSONLIDs(f *os.File, ids *idSetBuilder) error {
	err := eachLine(f, func(n int, line []byte) error {
		var v struct {
			ID *string `json:"id"`
		}
		if err := json.Unmarshal(line, &v); err != nil {
			return fmt.Errorf("%s:%d: %w", f.Name(), n, err)
		}
		if v.ID == nil {
			return fmt.Errorf("%s:%d: no string \"id\"", f.Name(), n)
		}
		ids.add(*v.ID)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read finished stories: %w (fix or delete that line, or run without --resume)", err)
	}
	return nil
}

// readJSONLRows decodes every complete line of the JSONL file f.
func readJSONLRows(f *os.File) ([]Row, error) {
	lists := sliceFields(reflect.TypeFor[Row]())
	var rows []Row
	err := eachLine(f, func(n int, line []byte) error {
		var r Row
		if err := json.Unmarshal(line, &r); err != nil {
			return fmt.Errorf("%s:%d: %w", f.Name(), n, err)
		}
		emptyNilLists(&r, lists)
		rows = append(rows, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read rows: %w", err)
	}
	return rows, nil
}

// readJSONLSources calls add with the "source", "id" and "error" of every complete line of
// the JSONL file f.
func readJSONLSources(f *os.File, add func(source, id string, err *string)) error {
	err := eachLine(f, func(n int, line []byte) error {
		var v struct {
			Source *string `json:"source"`
			ID     string  `json:"id"`
			Error  *string `json:"error"`
		}
		if err := json.Unmarshal(line, &v); err != nil {
			return fmt.Errorf("%s:%d: %w", f.Name(), n, err)
		}
		if v.Source == nil {
			return fmt.Errorf("%s:%d: no string \"source\"", f.Name(), n)
		}
		add(*v.Source, v.ID, v.Error)
		return nil
	})
	if err != nil {
		return fmt.Errorf("read finished stories: %w (fix or delete that line, or run without --resume)", err)
	}
	return nil
}
