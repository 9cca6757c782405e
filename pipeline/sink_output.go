package pipeline

import (
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// CheckOutput refuses an output path that would lose or overwrite data,
// before any work is done: an existing directory, a file that is one of the
// inputs (compared by identity, so through symbolic links and other
// spellings too), and a path inside an input directory (the next run over
// that directory would read the output back as a story). "-" (standard
// output) and inputs that do not exist are not checked.
func CheckOutput(out string, inputs []string) error {
	if out == StdoutPath {
		return nil
	}
	outInfo, err := os.Stat(out)
	switch {
	case err == nil && outInfo.IsDir():
		// Suggest a file the run takes: inside the directory, unless it
		// is an input (or inside one), then beside it; else say where.
		dir := filepath.Clean(out)
		beside := dir + ".parquet"
		if dir == "." || dir == ".." || dir == string(filepath.Separator) {
			beside = filepath.Join(dir, "..", "labels.parquet")
		}
		for _, file := range []string{filepath.Join(out, "labels.parquet"), beside} {
			if CheckOutput(file, inputs) == nil {
				return fmt.Errorf("output %s is a directory: name a file, e.g. -o %s", out, file)
			}
		}
		return fmt.Errorf("output %s is a directory inside an input: name a file outside the input directories", out)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("output %s: %w", out, err)
	case err != nil:
		outInfo = nil
	}
	outDir, err := resolvedDir(out)
	if err != nil {
		return fmt.Errorf("output %s: %w (check that its directory exists)", out, err)
	}
	for _, in := range inputs {
		if in == "-" {
			continue
		}
		inInfo, err := os.Stat(in)
		if err != nil {
			continue // the reader reports it as that input's error row
		}
		if outInfo != nil && os.SameFile(inInfo, outInfo) {
			return fmt.Errorf("output %s is the input %s: the run would replace it with labels; write to another file", out, in)
		}
		if !inInfo.IsDir() {
			continue
		}
		inDir, err := filepath.EvalSymlinks(in)
		if err != nil {
			continue
		}
		if inDir, err = filepath.Abs(inDir); err != nil {
			continue
		}
		if within(outDir, inDir) {
			return fmt.Errorf("output %s is inside the input directory %s: a later run over it would read the output as a story; write it elsewhere", out, in)
		}
	}
	return nil
}

// resolvedDir returns the absolute directory of path with symbolic links
// resolved.
func resolvedDir(path string) (string, error) {
	dir, err := filepath.EvalSymlinks(filepath.Dir(path))
	if err != nil {
		return "", err
	}
	return filepath.Abs(dir)
}

// within reports whether dir is root or below it (both absolute, clean).
func within(dir, root string) bool {
	rel, err := filepath.Rel(root, dir)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// OutputLock is an exclusive lock on an output path, held by one run from
// before it looks at the output until it exits: a lock file ".OUT.lock"
// beside OUT, locked with flock(2). The kernel drops the lock when the
// process dies, so a killed run never leaves it held.
type OutputLock struct {
	f *os.File
}

// LockOutput takes the lock of the output path, or fails at once naming
// the reason when another run holds it. "-" needs no lock (nil, nil).
func LockOutput(out string) (*OutputLock, error) {
	if out == StdoutPath {
		return nil, nil
	}
	name := lockPath(out)
	for range 10 {
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o666)
		if err != nil {
			return nil, fmt.Errorf("lock output %s: %w (check that its directory exists and is writable)", out, err)
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close()
			if errors.Is(err, syscall.EWOULDBLOCK) {
				return nil, fmt.Errorf("output %s is being written by another tagger run (it holds %s): wait for it to finish, or write to another file", out, name)
			}
			return nil, fmt.Errorf("lock output %s: %w", out, err)
		}
		// The holder before us may have removed the file after we opened
		// it: the lock is only ours if the name still leads to our file.
		fi, err1 := f.Stat()
		cur, err2 := os.Stat(name)
		if err1 == nil && err2 == nil && os.SameFile(fi, cur) {
			return &OutputLock{f: f}, nil
		}
		f.Close()
	}
	return nil, fmt.Errorf("lock output %s: %s keeps changing: is another run starting on the same output?", out, name)
}

// Release removes the lock file and drops the lock. A nil lock does
// nothing.
func (l *OutputLock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	os.Remove(l.f.Name()) // while held: a waiting run then retries on a new file
	err := l.f.Close()
	l.f = nil
	return err
}

// lockPath is the lock file of the output out.
func lockPath(out string) string {
	dir, base := filepath.Split(out)
	return filepath.Join(dir, "."+base+".lock")
}

// tempRandLen is the length of the random part of a temporary file's name
// (createTemp: rand.Text()[:12], base32 letters and digits).
const tempRandLen = 12

// isTempName reports whether the file name n is one createTemp makes for
// an output whose name is base: "."+base+".tmp-" and tempRandLen base32
// characters, nothing more. A longer name is not one of its temps (it may
// be a temp of another output, "base.tmp-XXXXXXXXXXXX.jsonl").
func isTempName(n, base string) bool {
	r, ok := strings.CutPrefix(n, "."+base+".tmp-")
	if !ok || len(r) != tempRandLen {
		return false
	}
	for _, c := range []byte(r) {
		if !('A' <= c && c <= 'Z' || '2' <= c && c <= '7') {
			return false
		}
	}
	return true
}

// staleTemps returns the temporary files (".OUT.tmp-XXXXXXXXXXXX", not
// their metadata sidecars) that runs writing out left behind; files of
// other outputs, whose names only start the same, are never among them.
// Call it with the lock held: then no live run is writing any of them.
func staleTemps(out string) ([]string, error) {
	dir, base := filepath.Split(out)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if isTempName(n, base) && e.Type().IsRegular() {
			names = append(names, filepath.Join(dir, n))
		}
	}
	// Orphan sidecars (a kill between removing a file and its sidecar).
	for _, e := range entries {
		n := e.Name()
		if t, ok := strings.CutSuffix(n, MetaSuffix); ok && isTempName(t, base) {
			if _, err := os.Stat(filepath.Join(dir, t)); errors.Is(err, fs.ErrNotExist) {
				os.Remove(filepath.Join(dir, n))
			}
		}
	}
	return names, nil
}

// RecoverStale deals with the temporary files that killed runs (SIGKILL, a
// crash, power loss) left beside out; call it with the output's lock held.
// Without resume they are removed. With resume, a temporary file is
// recovered when it is readable and was written at the operating point
// want: a JSONL file up to its last complete line, when its metadata
// sidecar is there; a Parquet file only when its footer was written (a run
// killed before finishing the file leaves no footer, and its row groups are
// not recovered). A temporary file replaces out only when it extends it:
// out is missing or empty, or the file holds, for every source of out's
// rows, at least as many rows (a run over the same inputs that got
// further). A temporary file of a run over other inputs never replaces a
// complete output, however many rows it holds. Of those that extend out,
// the one with the most rows wins; the others are removed. When out exists
// but cannot be read, nothing is replaced or removed: RecoverStale fails.
// Each decision is logged.
func RecoverStale(out string, resume bool, want RunMeta, log *slog.Logger) error {
	if out == StdoutPath {
		return nil
	}
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	temps, err := staleTemps(out)
	if err != nil {
		return fmt.Errorf("look for temporary files of %s: %w", out, err)
	}
	if len(temps) == 0 {
		return nil
	}
	best, bestRows := "", -1
	if resume {
		format, err := outputFormat(out)
		if err != nil {
			return err
		}
		seeds := [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}
		var done *SourceCounts // nil: out is missing or empty
		if fi, err := os.Stat(out); err == nil && fi.Size() > 0 {
			done, err = readSourceCounts(out, format, seeds)
			if err != nil {
				return fmt.Errorf("--resume: the output %s cannot be read (%w), so no temporary file of a killed run (%s) can be checked against it: move the output away, or run without --resume", out, err, strings.Join(temps, ", "))
			}
			bestRows = done.Rows()
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("--resume: output %s: %w", out, err)
		}
		for _, tmp := range temps {
			got, why := recoverableRows(out, tmp, want, seeds)
			if why != "" {
				log.Warn("stale temporary output not recovered", "file", tmp, "reason", why)
				continue
			}
			log.Info("stale temporary output is readable", "file", tmp, "rows", got.Rows())
			if done != nil && !got.covers(done) {
				log.Warn("stale temporary output not recovered: it lacks rows of the output, so it is from a run over other inputs", "file", tmp, "rows", got.Rows(), "output", out, "output_rows", done.Rows())
				continue
			}
			if got.Rows() > bestRows {
				best, bestRows = tmp, got.Rows()
			}
		}
	}
	for _, tmp := range temps {
		if tmp == best {
			continue
		}
		if err := os.Remove(tmp); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("remove stale temporary output %s: %w (delete it by hand)", tmp, err)
		}
		os.Remove(tmp + MetaSuffix)
		if resume {
			log.Warn("removed stale temporary output of a killed run (its rows are redone or already in the output)", "file", tmp)
		} else {
			log.Warn("removed stale temporary output of a killed run (use --resume to recover its rows)", "file", tmp)
		}
	}
	if best == "" {
		return nil
	}
	if err := promote(out, best); err != nil {
		return err
	}
	log.Warn("recovered the rows of a killed run from its temporary output", "file", best, "rows", bestRows, "output", out)
	return nil
}

// readSourceCounts reads the sources of the rows of the output file path,
// in format, counted with seeds.
func readSourceCounts(path string, format outFormat, seeds [2]maphash.Seed) (*SourceCounts, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b := &idSetBuilder{seeds: seeds}
	add := func(source, _ string, _ *string) { b.add(normSource(toValidUTF8(source))) }
	if format == formatParquet {
		err = readParquetSources(f, add)
	} else {
		err = readJSONLSources(f, add)
	}
	if err != nil {
		return nil, err
	}
	return b.counts(), nil
}

// recoverableRows returns the sources of the rows a stale temporary file
// of out holds, counted with seeds, or why they cannot be recovered. A
// JSONL file is cut back to its last complete line.
func recoverableRows(out, tmp string, want RunMeta, seeds [2]maphash.Seed) (*SourceCounts, string) {
	format, err := outputFormat(out)
	if err != nil {
		return nil, err.Error()
	}
	var got RunMeta
	if format == formatParquet {
		f, err := os.Open(tmp)
		if err != nil {
			return nil, err.Error()
		}
		pf, err := openParquet(f)
		f.Close()
		if err != nil {
			return nil, "a Parquet file without its footer (the run was killed before finishing it): its row groups cannot be read"
		}
		kv := map[string]string{}
		for _, e := range pf.Metadata().KeyValueMetadata {
			kv[e.Key] = e.Value
		}
		got = runMetaOf(kv)
		if err := want.CheckResume(tmp, got); err != nil {
			return nil, err.Error()
		}
		done, err := readSourceCounts(tmp, format, seeds)
		if err != nil {
			return nil, err.Error()
		}
		return done, ""
	}
	kv, err := readSidecar(tmp + MetaSuffix)
	if err != nil {
		return nil, "its metadata sidecar is missing or unreadable, so its operating point is unknown"
	}
	got = runMetaOf(kv)
	if err := want.CheckResume(tmp, got); err != nil {
		return nil, err.Error()
	}
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return nil, err.Error()
	}
	defer f.Close()
	end, err := lastNewlineEnd(f)
	if err != nil {
		return nil, err.Error()
	}
	if err := f.Truncate(end); err != nil {
		return nil, err.Error()
	}
	done, err := readSourceCounts(tmp, format, seeds)
	if err != nil {
		return nil, err.Error()
	}
	return done, ""
}

// promote makes the stale temporary file tmp the output out, with its
// metadata sidecar for JSONL.
func promote(out, tmp string) error {
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("recover %s: %w", tmp, err)
	}
	t := &tempFile{File: f, target: out}
	if _, err := os.Stat(tmp + MetaSuffix); err == nil {
		t.sidecar = tmp + MetaSuffix
	}
	if err := t.commit(); err != nil {
		return fmt.Errorf("recover %s: %w", tmp, err)
	}
	return nil
}
