package pipeline

import (
	"bufio"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"
)

// Keys of the Parquet key/value metadata that a sink records from
// SinkOptions.
const (
	MetaVersion = "tagger.version" // tagger's version (SinkOptions.Version)
	MetaModel   = "tagger.model"   // the model as name@version (SinkOptions.Model)
	// MetaModelHash is the model's content hash (SinkOptions.ModelHash):
	// two models may share a name and version (an archive's models left
	// at train's default name), never a hash.
	MetaModelHash = "tagger.model_hash"
	MetaCreated   = "tagger.created" // when the output was created, RFC 3339 UTC (SinkOptions.Created)
	// MetaSensitivity is the operating point of detection (SinkOptions.Sensitivity).
	MetaSensitivity = "tagger.sensitivity"
	// MetaSettings records what else changes the rows: lexicon overlays
	// (by content hash) and per-label thresholds (SinkOptions.Settings).
	// Absent when the model runs as it is.
	MetaSettings = "tagger.settings"
	// MetaInputs records the inputs of the run and the directory it ran
	// in (SinkOptions.Inputs, made by InputsMeta): a row's source is an
	// input as given, so a resumed run must be given the same inputs from
	// the same directory, or it would read every story again and write
	// it twice.
	MetaInputs = "tagger.inputs"
	// MetaShard is the shard of the corpus the output holds ("2/8", see
	// Shard); absent for the whole corpus.
	MetaShard = "tagger.shard"
	// MetaStopped is present only in the output of a run that was stopped
	// before the end of its inputs (SIGINT, SIGTERM): the file is valid
	// and holds the rows of a prefix of the inputs; its value says so and
	// how to complete it. A resumed run that completes it drops the key.
	MetaStopped = "tagger.stopped"
	// MetaSchema is the version of the row schema the output holds
	// (OutputSchema); outputs of taggers before it have none.
	MetaSchema = "tagger.schema"
)

// OutputSchema is the version of Row's columns, recorded as MetaSchema:
// a resumed output must hold the same columns, or its rows would mix two
// schemas. Raise it whenever Row's columns change (TestOutputSchemaPinned
// fails until it is). Schema 2 added labels.threshold, encoding, body_line
// and body_byte; schema 3 rating_confidence and rating_evidence.
const OutputSchema = "3"

// MetaSuffix names the sidecar that holds a JSONL output's metadata:
// OUT.jsonl has OUT.jsonl.meta.json, a JSON object of the same keys as the
// Parquet key/value metadata (MetaVersion, MetaModel, MetaSensitivity,
// MetaCreated), so that every line of the JSONL file stays a row.
const MetaSuffix = ".meta.json"

// DefaultRowsPerRowGroup is the Parquet row-group size used when
// SinkOptions.RowsPerRowGroup is zero. A row group is buffered, compressed,
// in memory until it is full: with rows of about 7 KB (as JSON; 36 labels,
// three evidence passages) the Parquet sink's live heap measured about
// 30 MB at this size, against 25 MB at 1,000 rows and 37 MB at 20,000, within
// the tool's 150 MB budget. Groups of 10,000 such rows (about 8 MB
// compressed) are large enough for DuckDB, Polars and Spark to scan
// efficiently and numerous enough for them to read in parallel.
const DefaultRowsPerRowGroup = 10_000

// StdoutPath is the output path that NewSink reads as "JSONL to
// SinkOptions.Stdout".
const StdoutPath = "-"

// Sink receives rows in order and writes them durably. A Sink is used from
// one goroutine at a time.
//
// A file sink writes to a temporary file in the target's directory; the
// target path only ever holds a complete file: Close makes the output
// appear, all at once, and Abort leaves the target as it was. Abort after a
// successful Close does nothing, so `defer sink.Abort()` is a safe cleanup.
//
// Strings that are not valid UTF-8 are written with each invalid byte
// replaced by U+FFFD, in both formats (Parquet readers such as DuckDB reject
// a file holding invalid UTF-8). Rows passed to Write are not modified.
type Sink interface {
	// Write appends rows, in input order. It may be called many times.
	// After an error the sink accepts no more rows and Close fails (the
	// output would lack rows): call Abort.
	Write(rows []Row) error
	// Close flushes and commits the output: the file is synced and renamed
	// to its target path. After Close the sink accepts no more rows.
	Close() error
	// Abort drops the temporary file (on fatal errors); the target path
	// keeps whatever it held before the sink was created.
	Abort() error
}

// SinkOptions configures NewSink.
type SinkOptions struct {
	// Version is recorded as MetaVersion in Parquet metadata when set.
	Version string
	// Model (name@version) is recorded as MetaModel when set.
	Model string
	// ModelHash is recorded as MetaModelHash when set.
	ModelHash string
	// Sensitivity is recorded as MetaSensitivity when set.
	Sensitivity string
	// Settings is recorded as MetaSettings when set.
	Settings string
	// Inputs is recorded as MetaInputs when set (see InputsMeta).
	Inputs string
	// Shard is recorded as MetaShard when set ("2/8").
	Shard string
	// Created is recorded as MetaCreated (RFC 3339, UTC) when not zero.
	// Leave it zero for byte-identical outputs across runs.
	Created time.Time
	// Metadata holds further key/value metadata. Version, Model,
	// Sensitivity and Created override the same keys here. A Parquet file
	// holds it in its footer; a JSONL file in its sidecar (MetaSuffix),
	// written and renamed with it; JSONL on standard output has none.
	Metadata map[string]string

	// RowsPerRowGroup caps each Parquet row group; 0 means
	// DefaultRowsPerRowGroup. Full row groups are written out as they fill,
	// so memory stays bounded whatever the number of rows.
	RowsPerRowGroup int

	// Append keeps the rows of an existing output at the path (for
	// --resume): they are copied into the new temporary file, new rows
	// follow them, and Close replaces the old file with the whole. A
	// missing output is not an error: the sink starts empty. For JSONL an
	// unterminated last line (a crash while writing it) is dropped, the same
	// line that ReadDone ignores, so that story is simply redone.
	Append bool

	// Stdout receives the JSONL rows when the path is "-". The sink
	// flushes it but never closes it.
	Stdout io.Writer
}

// NewSink opens a sink for path, choosing the format by extension: .parquet
// writes Parquet (zstd), .jsonl and .ndjson write JSONL, and "-" writes JSONL
// to opt.Stdout. Extensions are matched case-insensitively.
func NewSink(path string, opt SinkOptions) (Sink, error) {
	if opt.RowsPerRowGroup < 0 {
		return nil, fmt.Errorf("output %s: rows per row group is %d: use a positive number, or 0 for the default (%d)", path, opt.RowsPerRowGroup, DefaultRowsPerRowGroup)
	}
	if path == StdoutPath {
		if opt.Append {
			return nil, errors.New("cannot resume into standard output: write to a file (-o OUT.parquet or -o OUT.jsonl) to use --resume")
		}
		if opt.Stdout == nil {
			return nil, errors.New("output - (JSONL on standard output) needs SinkOptions.Stdout")
		}
		return newJSONLSink(nil, opt.Stdout), nil
	}
	format, err := outputFormat(path)
	if err != nil {
		return nil, err
	}
	switch format {
	case formatParquet:
		return newParquetSink(path, opt)
	default:
		return newJSONLFileSink(path, opt)
	}
}

// ReadDone returns the IDs of the stories already present in the output at
// path (a .parquet, .jsonl or .ndjson file), so that a resumed run can skip
// them. A missing file yields an empty set and no error. For Parquet only the
// id column is read; for JSONL an unterminated last line (a write cut short)
// is ignored, while any other malformed line is an error.
func ReadDone(path string) (*IDSet, error) {
	ids := newIDSetBuilder(0)
	found, err := readOutput(path, func(f *os.File) error { return readParquetIDs(f, ids) }, func(f *os.File) error { return readJSONLIDs(f, ids) })
	if err != nil || !found {
		return NewIDSet(), err
	}
	return ids.set(), nil
}

// readOutput opens the output at path and reads it with the reader of its
// format. found is false, with no error, when there is no such file.
func readOutput(path string, readParquet, readJSONL func(*os.File) error) (found bool, err error) {
	if path == StdoutPath {
		return false, errors.New("cannot resume from standard output: write to a file (-o OUT.parquet or -o OUT.jsonl) to use --resume")
	}
	format, err := outputFormat(path)
	if err != nil {
		return false, err
	}
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("read finished stories: %w", err)
	}
	defer f.Close()
	if format == formatParquet {
		return true, readParquet(f)
	}
	return true, readJSONL(f)
}

// ReadRows reads every row of a .parquet, .jsonl or .ndjson output, in file
// order. Empty lists come back as empty, non-nil slices in both formats (a
// JSONL null or missing list too), so rows from either format compare equal.
// Like ReadDone it ignores an unterminated last JSONL line. It holds the
// whole file in memory: it is meant for tests and small outputs.
func ReadRows(path string) ([]Row, error) {
	format, err := rowsFormat(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read rows: %w", err)
	}
	defer f.Close()
	if format == formatParquet {
		return readParquetRows(f)
	}
	return readJSONLRows(f)
}

type outFormat int

const (
	formatParquet outFormat = iota
	formatJSONL
)

// outputFormat maps a path's extension to its format.
func outputFormat(path string) (outFormat, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".parquet":
		return formatParquet, nil
	case ".jsonl", ".ndjson":
		return formatJSONL, nil
	}
	return 0, fmt.Errorf("output %q: unknown format: name it .parquet, .jsonl or .ndjson, or use - for JSONL on standard output", path)
}

// rowsFormat is outputFormat for a file read as rows (ReadRows, ScanRows,
// ReadOutputMeta): its error, wrapping ErrNotOutput, speaks of the file
// given, not of an output to write.
func rowsFormat(path string) (outFormat, error) {
	f, err := outputFormat(path)
	if err != nil {
		return 0, fmt.Errorf("%w: %s is not named .parquet, .jsonl or .ndjson, as the files tagger run writes are", ErrNotOutput, filepath.Base(path))
	}
	return f, nil
}

// tempFile is an output being written under a temporary name in its
// target's directory, renamed to the target by commit.
type tempFile struct {
	*os.File
	target string
	// sidecar, when set, is a temporary metadata file renamed to
	// target+MetaSuffix after the target is renamed (JSONL).
	sidecar string
	done    bool // committed or aborted
}

// createTemp creates ".<base>.tmp-<random>" beside target. The file is
// created with mode 0666 less the umask, as a shell redirection would.
func createTemp(target string) (*tempFile, error) {
	dir, base := filepath.Split(target)
	if dir == "" {
		dir = "."
	}
	var lastErr error
	for range 10 {
		name := filepath.Join(dir, "."+base+".tmp-"+rand.Text()[:12])
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			return &tempFile{File: f, target: target}, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create temporary output beside %s: %w (check that the directory exists and is writable)", target, err)
		}
		lastErr = err
	}
	return nil, fmt.Errorf("create temporary output beside %s: %w", target, lastErr)
}

// commit syncs and closes the file, renames it to its target and syncs the
// directory, so that the target survives a crash. On failure the temporary
// file is removed and the target keeps its old content.
func (t *tempFile) commit() error {
	if t.done {
		return fmt.Errorf("commit %s: output already closed", t.target)
	}
	t.done = true
	if err := t.Sync(); err != nil {
		t.Close()
		os.Remove(t.Name())
		t.removeSidecar()
		return fmt.Errorf("sync %s: %w (is the disk full?)", t.Name(), err)
	}
	if err := t.Close(); err != nil {
		os.Remove(t.Name())
		t.removeSidecar()
		return fmt.Errorf("close %s: %w", t.Name(), err)
	}
	if err := os.Rename(t.Name(), t.target); err != nil {
		os.Remove(t.Name())
		t.removeSidecar()
		return fmt.Errorf("rename finished output to %s: %w", t.target, err)
	}
	if t.sidecar != "" {
		if err := os.Rename(t.sidecar, t.target+MetaSuffix); err != nil {
			t.removeSidecar()
			return fmt.Errorf("wrote %s but not its metadata %s: %w (--resume cannot check it: run again without --resume)", t.target, t.target+MetaSuffix, err)
		}
	}
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for syncing there
	}
	dir, err := os.Open(filepath.Dir(t.target))
	if err != nil {
		return fmt.Errorf("wrote %s but could not sync its directory: %w", t.target, err)
	}
	defer dir.Close()
	if err := dir.Sync(); err != nil {
		return fmt.Errorf("wrote %s but could not sync its directory: %w", t.target, err)
	}
	return nil
}

// abort closes and removes the temporary file; after commit it does nothing.
func (t *tempFile) abort() error {
	if t.done {
		return nil
	}
	t.done = true
	t.Close()
	t.removeSidecar()
	if err := os.Remove(t.Name()); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove temporary output: %w (delete it by hand)", err)
	}
	return nil
}

// metadata gathers the key/value metadata that opt asks to record.
func (opt SinkOptions) metadata() map[string]string {
	m := make(map[string]string, len(opt.Metadata)+4)
	for k, v := range opt.Metadata {
		m[k] = v
	}
	if opt.Version != "" {
		m[MetaVersion] = opt.Version
	}
	if opt.Model != "" {
		m[MetaModel] = opt.Model
	}
	if opt.ModelHash != "" {
		m[MetaModelHash] = opt.ModelHash
	}
	if opt.Sensitivity != "" {
		m[MetaSensitivity] = opt.Sensitivity
	}
	if opt.Settings != "" {
		m[MetaSettings] = opt.Settings
	}
	if opt.Inputs != "" {
		m[MetaInputs] = opt.Inputs
	}
	if opt.Shard != "" {
		m[MetaShard] = opt.Shard
	}
	if !opt.Created.IsZero() {
		m[MetaCreated] = opt.Created.UTC().Format(time.RFC3339)
	}
	m[MetaSchema] = OutputSchema // what this sink writes, whatever opt says
	return m
}

// MarkStopped records in the output of s, when it is closed, that the run
// stopped before the end of its inputs (MetaStopped, with note as its
// value). JSONL on standard output has nowhere to record it.
func MarkStopped(s Sink, note string) {
	switch s := s.(type) {
	case *parquetSink:
		s.stopped = note
	case *jsonlSink:
		s.stopped = note
	}
}

// errSinkClosed reports a Write or Close after Close or Abort.
var errSinkClosed = errors.New("sink already closed or aborted")

// removeSidecar removes the temporary metadata file, if any.
func (t *tempFile) removeSidecar() {
	if t.sidecar != "" {
		os.Remove(t.sidecar)
	}
}

// writeSidecar writes meta as the temporary metadata file of t (JSONL),
// renamed beside the target by commit.
func (t *tempFile) writeSidecar(meta map[string]string) error {
	b, err := json.MarshalIndent(meta, "", "  ") // keys sorted: byte-identical runs
	if err != nil {
		return err
	}
	name := t.Name() + MetaSuffix
	if err := os.WriteFile(name, append(b, '\n'), 0o666); err != nil {
		return fmt.Errorf("write metadata beside %s: %w (check that the directory is writable)", t.target, err)
	}
	t.sidecar = name
	return nil
}

// sortedKeys returns the keys of m in order, so that metadata is written
// the same way every run.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ReadDoneSources returns the sources of the rows already present in the
// output at path (a .parquet, .jsonl or .ndjson file), counted, so that a
// resumed run skips, for each source, that many of its occurrences in the
// input (see SourceCounts). A missing file yields an empty set and no error.
// For Parquet only the source column is read; for JSONL an unterminated
// last line (a write cut short) is ignored, while any other malformed line
// is an error. Rows with an error are counted (SourceCounts.Failed).
func ReadDoneSources(path string) (*SourceCounts, error) {
	b := newIDSetBuilder(0)
	failed, first := 0, ""
	add := func(source, id string, errMsg *string) {
		src := normSource(toValidUTF8(source))
		b.add(src)
		if isRecord(src) {
			b.addID(id)
		} else {
			b.addID("")
		}
		if errMsg != nil {
			if failed == 0 {
				first = source + ": " + *errMsg
			}
			failed++
		}
	}
	found, err := readOutput(path, func(f *os.File) error { return readParquetSources(f, add) }, func(f *os.File) error { return readJSONLSources(f, add) })
	if err != nil || !found {
		return NewSourceCounts(), err
	}
	c := b.counts()
	c.failed, c.first = failed, first
	return c, nil
}

// RunMeta is the operating point an output was written at: rows written at
// another one must not be mixed into it.
type RunMeta struct {
	Version     string // tagger's version (MetaVersion)
	Model       string // name@version (MetaModel)
	ModelHash   string // the model's content hash (MetaModelHash)
	Sensitivity string // MetaSensitivity
	Settings    string // MetaSettings; "" when the model ran as it is
	Inputs      string // MetaInputs; "" in outputs of taggers before it
	Shard       string // MetaShard; "" for the whole corpus
}

// runMetaOf reads a RunMeta from key/value metadata.
func runMetaOf(kv map[string]string) RunMeta {
	return RunMeta{Version: kv[MetaVersion], Model: kv[MetaModel], ModelHash: kv[MetaModelHash], Sensitivity: kv[MetaSensitivity], Settings: kv[MetaSettings],
		Inputs: kv[MetaInputs], Shard: kv[MetaShard]}
}

// ReadRunMeta returns the operating point recorded in the output at path
// (Parquet footer, or the JSONL sidecar path+MetaSuffix) and whether the
// output exists at all. Keys missing from the metadata are left empty.
func ReadRunMeta(path string) (RunMeta, bool, error) {
	kv, exists, err := readMeta(path)
	return runMetaOf(kv), exists, err
}

// ReadStopped returns the MetaStopped note of the output at path: "" for
// the output of a run that read all its inputs, and for a missing output
// or one without metadata.
func ReadStopped(path string) (string, error) {
	kv, _, err := readMeta(path)
	return kv[MetaStopped], err
}

// readMeta reads the key/value metadata of the output at path (Parquet
// footer, or the JSONL sidecar), and whether the output exists.
func readMeta(path string) (map[string]string, bool, error) {
	format, err := outputFormat(path)
	if err != nil {
		return nil, false, err
	}
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return nil, false, nil
	}
	var kv map[string]string
	if format == formatParquet {
		f, err := os.Open(path)
		if err != nil {
			return nil, true, fmt.Errorf("read metadata: %w", err)
		}
		defer f.Close()
		pf, err := openParquet(f)
		if err != nil {
			return nil, true, fmt.Errorf("read metadata: %w", err)
		}
		kv = map[string]string{}
		for _, e := range pf.Metadata().KeyValueMetadata {
			kv[e.Key] = e.Value
		}
	} else {
		kv, err = readSidecar(path + MetaSuffix)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, true, nil
		}
		if err != nil {
			return nil, true, err
		}
	}
	return kv, true, nil
}

// readSidecar reads a JSONL output's metadata file.
func readSidecar(name string) (map[string]string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var kv map[string]string
	if err := json.Unmarshal(b, &kv); err != nil {
		return nil, fmt.Errorf("read metadata %s: %w (delete it and the output it describes, or run without --resume)", name, err)
	}
	return kv, nil
}

// CheckResume reports whether rows written at got (read from the output at
// path) may be completed by a run at want: model, sensitivity and tagger
// version must all be equal, since rows of two operating points would mix
// silently. The error names both.
func (want RunMeta) CheckResume(path string, got RunMeta) error {
	for _, f := range []struct{ name, got, want, flag string }{
		{"model", got.Model, want.Model, "--model"},
		{"sensitivity", got.Sensitivity, want.Sensitivity, "--sensitivity"},
		{"tagger version", got.Version, want.Version, "the tagger binary"},
		{"model hash", got.ModelHash, want.ModelHash, "--model (a model of the same name and version whose files differ is another model)"},
		{"settings", orNone(got.Settings), orNone(want.Settings), "lexicon overlays and thresholds (flags and configuration file)"},
	} {
		if f.got == f.want {
			continue
		}
		if f.got == "" && f.name != "settings" {
			return fmt.Errorf("--resume: %s does not record its %s (written by an older tagger, or its metadata is missing), so rows at %s %q cannot be checked against it: write to a new output, or remove it and run again", path, f.name, f.name, f.want)
		}
		return fmt.Errorf("--resume: %s was written with %s %q but this run uses %q: resume with the same %s, or write to a new output", path, f.name, f.got, f.want, f.flag)
	}
	if got.Shard != want.Shard {
		how := "without --shard"
		if got.Shard != "" {
			how = "with --shard " + got.Shard
		}
		return fmt.Errorf("--resume: %s holds %s and this run reads %s: resume %s, or write to a new output", path, shardName(got.Shard), shardName(want.Shard), how)
	}
	// Outputs of taggers before MetaInputs cannot be checked; ReadDone's
	// caller warns when none of their rows match.
	if got.Inputs != "" && want.Inputs != "" && got.Inputs != want.Inputs {
		gd, ga := decodeInputs(got.Inputs)
		wd, wa := decodeInputs(want.Inputs)
		again := "tagger run " + shellWords(ga) + " -o OUT --resume (and the run's other flags)"
		if gd != "" && gd != wd {
			again = "cd " + shellWords([]string{gd}) + " && " + again
		}
		in := func(dir string) string {
			if dir == "" {
				return ""
			}
			return " in " + dir
		}
		return fmt.Errorf("--resume: %s was written by a run of %s%s, and this run reads %s%s: its rows name their stories by the paths given, "+
			"so resume with the same inputs from the same directory (%s), or write to a new output",
			path, shellWords(ga), in(gd), shellWords(wa), in(wd), again)
	}
	return nil
}

// InputsMeta is the MetaInputs value of a run of inputs (as given on the
// command line) in the working directory dir. Inputs are cleaned ("in/"
// and "in" name their stories alike), and dir is recorded only when an
// input is relative: absolute inputs name the same stories from anywhere.
func InputsMeta(dir string, inputs []string) string {
	clean := make([]string, len(inputs))
	relative := false
	for i, in := range inputs {
		clean[i] = in
		if in != "-" { // standard input
			clean[i] = filepath.Clean(in)
			relative = relative || !filepath.IsAbs(in)
		}
	}
	if !relative {
		dir = ""
	}
	b, _ := json.Marshal(struct {
		Dir    string   `json:"dir,omitempty"`
		Inputs []string `json:"inputs"`
	}{dir, clean})
	return string(b)
}

// shellWords joins paths for a command line, quoting those a shell would
// split or expand.
func shellWords(paths []string) string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p
		if p == "" || strings.IndexFunc(p, func(r rune) bool {
			return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._/-+:,@%", r))
		}) >= 0 {
			out[i] = "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
		}
	}
	return strings.Join(out, " ")
}

// decodeInputs reads an InputsMeta value; a value it cannot read is
// shown as it is.
func decodeInputs(s string) (dir string, inputs []string) {
	var v struct {
		Dir    string   `json:"dir"`
		Inputs []string `json:"inputs"`
	}
	if json.Unmarshal([]byte(s), &v) != nil {
		return "?", []string{s}
	}
	return v.Dir, v.Inputs
}

// NewSinkFormat reports the format NewSink would choose for path ("parquet"
// or "jsonl"), or why it would refuse the name, without creating anything.
func NewSinkFormat(path string) (string, error) {
	if path == StdoutPath {
		return "jsonl", nil
	}
	f, err := outputFormat(path)
	if err != nil {
		return "", err
	}
	if f == formatParquet {
		return "parquet", nil
	}
	return "jsonl", nil
}

// shardName names a MetaShard value for messages.
func shardName(shard string) string {
	if shard == "" {
		return "the whole corpus"
	}
	return "shard " + shard
}

// orNone names empty settings for messages.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// CheckReplace reports whether a run at want may replace the file at path
// with its output. A missing or empty file may be replaced, and so may an
// output of tagger's (a Parquet file with tagger's metadata, or a JSONL
// file with its sidecar or whose first line is a row) of the same inputs
// and shard: running a job again, with another model or settings, say.
// An output of other inputs, or one that does not record its inputs (JSONL
// written to standard output, an export of rows), holds rows this run
// would lose: it is replaced only with force. Any other file is someone
// else's and is never replaced. The errors say what to do.
func CheckReplace(path string, want RunMeta, force bool) error {
	if path == StdoutPath {
		return nil
	}
	format, err := outputFormat(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("output %s: %w", path, err)
	}
	if !st.Mode().IsRegular() || st.Size() == 0 {
		return nil // a directory or device is refused where the output is created
	}
	ours := false
	if format == formatParquet {
		ours = parquetIsOutput(path)
	} else {
		ours = jsonlIsOutput(path)
	}
	if !ours {
		return fmt.Errorf("output %s exists and is not an output of tagger's: it is left as it is; remove it yourself or choose another -o path", path)
	}
	if force {
		return nil
	}
	got, _, err := ReadRunMeta(path)
	if err != nil {
		return fmt.Errorf("output %s: %w; pass --force to replace it, or choose another -o path", path, err)
	}
	if got.Inputs != "" && got.Inputs == want.Inputs && got.Shard == want.Shard {
		return nil // the same job again
	}
	what := "rows whose inputs it does not record"
	if got.Inputs != "" {
		gd, ga := decodeInputs(got.Inputs)
		what = "the rows of a run of " + shellWords(ga)
		if gd != "" {
			what += " in " + gd
		}
		if got.Shard != want.Shard {
			what += " (" + shardName(got.Shard) + ")"
		}
	}
	return fmt.Errorf("output %s holds %s, not of this run's inputs: replacing it would lose them; "+
		"pass --force to replace it, --resume to complete it (same inputs), or choose another -o path", path, what)
}

// parquetIsOutput tells whether the Parquet file at path holds tagger
// metadata.
func parquetIsOutput(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	pf, err := openParquet(f)
	if err != nil {
		return false
	}
	for _, e := range pf.Metadata().KeyValueMetadata {
		if strings.HasPrefix(e.Key, "tagger.") {
			return true
		}
	}
	return false
}

// jsonlIsOutput tells whether the JSONL file at path has an output's
// sidecar, or starts with a row (JSONL written to standard output has no
// sidecar).
func jsonlIsOutput(path string) bool {
	if _, err := os.Stat(path + MetaSuffix); err == nil {
		return true
	}
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	// A row is a few kilobytes; a first line longer than 4 MiB is no row.
	line, err := bufio.NewReader(io.LimitReader(f, 4<<20)).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return false
	}
	// Fields other tools' JSONL may share (id, model, labels) and those
	// only a row has together.
	var row struct {
		ID       *string         `json:"id"`
		Source   *string         `json:"source"`
		Model    *string         `json:"model"`
		Labels   json.RawMessage `json:"labels"`
		Detected json.RawMessage `json:"detected_warnings"`
	}
	return json.Unmarshal(line, &row) == nil && row.ID != nil && row.Source != nil && row.Model != nil && row.Labels != nil && row.Detected != nil
}
