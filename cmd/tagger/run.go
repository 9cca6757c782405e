package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagger-dev/tagger/pipeline"
)

func newRunCmd(a *app) *cobra.Command {
	var out, shard string
	var force bool
	progress := enumFlag{value: "auto", allowed: modeValues()}
	var sf settingFlags
	var workers int
	var stats, resume, allowErrors bool
	var limits inputLimits
	cmd := &cobra.Command{
		Use:   "run INPUT... -o OUT.parquet|OUT.jsonl",
		Short: "Label a corpus: one row per story to Parquet or JSONL",
		Long: `run reads stories (files, directories walked recursively, JSONL corpora,
AO3Scraper CSVs, or - for standard input), scores each one and writes one
row per story, in input order, to OUT (.parquet or .jsonl). A story that
cannot be read or scored becomes a row with its error; the run goes on.

The output is written to a temporary file beside OUT and renamed when
complete; OUT may not be an input, lie inside an input directory, be
written by two runs at once, or be a file other than an earlier output of
tagger's (that one is replaced). On SIGINT or SIGTERM, stories already read are
finished (for up to 3 s) and the file is closed valid; a second signal
(not the same one delivered twice within 50 ms, as GNU timeout does)
abandons the run, leaving OUT as it was. A run replacing a complete
earlier output leaves it as it was at the first signal, discarding its
own rows. --resume completes an interrupted
or killed run: rows already in OUT are kept, keyed by their source (path, or
path:line) and its occurrence, and the rest appended; give the same inputs,
model, sensitivity, overlays and thresholds.

Settings come from flags, then the nearest .tagger.yaml from the first
input's directory upward (or the user's config.yaml; --config FILE,
--no-config): sensitivity, model, lexicon overlays, per-label
thresholds, include and exclude globs. tagger config shows what applies.
Under a directory only files in story formats are read (.txt, .text, .md,
.html, .htm, .xhtml, .epub, .jsonl, .ndjson, .csv), unless --include
says otherwise; a file named as an input is always read.

Exit codes: 0 every story read and scored; 2 usage or runtime error, or any
story failed (its row holds the error) unless --allow-errors; 130 after
SIGINT, 143 after SIGTERM (the output is valid: --resume completes it).`,
		Args: needArgs("at least one INPUT (story files, directories, corpora, or - for standard input) and -o OUT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return &exitCodeError{code: exitError, msg: "run needs -o OUT.parquet or -o OUT.jsonl"}
			}
			// An output that is a symbolic link ("latest.parquet" to
			// this week's run) is written where it leads: replacing it
			// by rename would turn the link into a file and leave its
			// target as it was, and two runs through two names would
			// each take a lock of their own.
			target, err := linkTarget(out)
			if err != nil {
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("-o %s: %v: give the file's own path", out, err)}
			}
			out = target
			// A mistyped input is a usage error, not a failed story that
			// --allow-errors would pass.
			if err := checkInputs("run", args); err != nil {
				return err
			}
			set, err := sf.resolve(cmd, args)
			if err != nil {
				return err
			}
			noteConfig(a, set)
			s := set.sensitivity()
			sel, err := set.selector()
			if err != nil {
				return err
			}
			switch {
			case workers < 0:
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("--workers %d: use a positive number, or 0 for one per CPU", workers)}
			case workers > pipeline.MaxWorkers():
				a.log.Warn(fmt.Sprintf("--workers %d is more than this machine can use: running %d (4 per CPU, at least 16)", workers, pipeline.MaxWorkers()))
				workers = pipeline.MaxWorkers()
			}
			cfg := pipeline.Config{Workers: workers, Sensitivity: s, Thresholds: set.thresholds(), Select: sel.Select, Stdin: a.stdin, Log: a.log,
				MaxFileBytes: limits.file, MaxStoryBytes: limits.story, MaxMarkupBytes: limits.markup, MaxLineBytes: limits.line}
			if os.Getenv("GOMEMLIMIT") == "" {
				// Keep the heap, and so the RSS, near the in-flight budget:
				// a corpus run must stay within 150 MB whatever its size.
				debug.SetMemoryLimit(100 << 20)
			}
			if shard != "" {
				if cfg.Shard, err = pipeline.ParseShard(shard); err != nil {
					return &exitCodeError{code: exitError, msg: err.Error()}
				}
			}
			// An input given twice is read twice (rows are per input
			// position, as --resume counts them): say so, since it is
			// more often a slip than meant.
			seen := map[string]bool{}
			for _, in := range args {
				key := in
				if in != "-" {
					key = filepath.Clean(in)
				}
				if seen[key] {
					a.log.Warn(fmt.Sprintf("%s is given more than once: its stories are read, and written, once for each time", in))
				}
				seen[key] = true
			}
			// So is an input inside a directory also given ("corpus
			// corpus/works.jsonl"), under another id.
			for _, w := range inputWithin(args) {
				a.log.Warn(fmt.Sprintf("%s is inside %s, also given: its stories are read, and written, twice", w[0], w[1]))
			}
			// Check the output before any work: it must not be an input,
			// lie in an input directory, be a directory, or be in use.
			if err := pipeline.CheckOutput(out, args); err != nil {
				return &exitCodeError{code: exitError, msg: err.Error()}
			}
			if resume && out == pipeline.StdoutPath {
				return &exitCodeError{code: exitError, msg: "cannot resume into standard output: write to a file (-o OUT.parquet or -o OUT.jsonl) to use --resume"}
			}
			if _, err := pipeline.NewSinkFormat(out); err != nil {
				return &exitCodeError{code: exitError, msg: err.Error()}
			}
			wd, err := os.Getwd()
			if err != nil {
				return fmt.Errorf("run: the working directory: %w", err)
			}
			want := pipeline.RunMeta{Inputs: pipeline.InputsMeta(wd, args)}
			if shard != "" {
				want.Shard = fmt.Sprintf("%d/%d", cfg.Shard.Index, cfg.Shard.Count)
			}
			// keepOld: out holds a complete earlier output, which a run
			// stopped by a signal must not replace with a part of one.
			keepOld := false
			if !resume {
				// Before anything is created or cleaned up beside it.
				if err := pipeline.CheckReplace(out, want, force); err != nil {
					return &exitCodeError{code: exitError, msg: err.Error()}
				}
				if st, err := os.Stat(out); out != pipeline.StdoutPath && err == nil && st.Mode().IsRegular() && st.Size() > 0 {
					// Allowed, but not silently: the rows there are about to go.
					note, err := pipeline.ReadStopped(out)
					keepOld = err != nil || note == ""
					if keepOld {
						fmt.Fprintf(a.stderr, "tagger: replacing %s, an earlier output\n", out)
					} else {
						fmt.Fprintf(a.stderr, "tagger: replacing %s, a stopped earlier output (--resume would complete it instead)\n", out)
					}
				}
			}
			lock, err := pipeline.LockOutput(out)
			if err != nil {
				return &exitCodeError{code: exitError, msg: err.Error()}
			}
			defer lock.Release()
			if cfg.Model, err = set.loadModel(); err != nil {
				return err
			}
			want.Version, want.Model, want.ModelHash = version, cfg.Model.NameVersion(), cfg.Model.Manifest().Hash
			want.Sensitivity, want.Settings = string(s), set.fingerprint()
			if err := pipeline.RecoverStale(out, resume, want, a.log); err != nil {
				return err
			}
			if resume {
				got, exists, err := pipeline.ReadRunMeta(out)
				if err != nil {
					return fmt.Errorf("--resume: %w", err)
				}
				if exists {
					if err := want.CheckResume(out, got); err != nil {
						return &exitCodeError{code: exitError, msg: err.Error()}
					}
				}
				if cfg.Done, err = pipeline.ReadDoneSources(out); err != nil {
					return fmt.Errorf("--resume: %w", err)
				}
			}
			sink, err := pipeline.NewSink(out, pipeline.SinkOptions{
				Stdout:      a.stdout,
				Append:      resume,
				Version:     version,
				Model:       want.Model,
				ModelHash:   want.ModelHash,
				Sensitivity: want.Sensitivity,
				Settings:    want.Settings,
				Inputs:      want.Inputs,
				Shard:       want.Shard,
				Created:     time.Now(),
			})
			if err != nil {
				return err
			}
			// The first signal stops reading; the second abandons the run.
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			stop, stopReading := context.WithCancel(ctx)
			defer stopReading()
			var firstSig atomic.Value // os.Signal
			go func() {
				n := 0
				var first time.Time
				for {
					select {
					case sig := <-a.signals:
						n++
						switch {
						case n == 1:
							first = time.Now()
							firstSig.Store(sig)
							fmt.Fprintln(a.stderr, "tagger: stopping: finishing the stories already read (signal again to abandon)")
							stopReading()
						case sig == firstSig.Load() && time.Since(first) < sameSignal:
							// The same signal delivered twice (GNU timeout
							// signals the process and then its group), not
							// a second request.
							n--
						default:
							cancel()
							return
						}
					case <-ctx.Done():
						return
					}
				}
			}()
			sigCode := func() int {
				if sig, ok := firstSig.Load().(os.Signal); ok {
					return signalExitCode(sig)
				}
				return exitSigInt
			}
			prog := &pipeline.Progress{}
			done := startProgress(a, progress.value, args, prog)
			sum, runErr := pipeline.Run(ctx, stop, args, sink, cfg, prog)
			done()
			if runErr != nil {
				sink.Abort()
				if firstSig.Load() != nil {
					return &exitCodeError{code: sigCode(), msg: fmt.Sprintf("abandoned: %s is as it was before this run (%v)", out, runErr)}
				}
				return runErr
			}
			if sum.Stopped && keepOld {
				sink.Abort()
				return &exitCodeError{code: sigCode(), msg: fmt.Sprintf("stopped: %s is as it was before this run, a whole file; the %s read by this run were discarded, since keeping them would replace it with a part of an output (run again to replace it)",
					out, plural(int(sum.Stories), "story", "stories"))}
			}
			if sum.Stopped {
				// A valid file of a prefix of the inputs must not pass for
				// a whole run's.
				pipeline.MarkStopped(sink, fmt.Sprintf("stopped by a signal after %s: these are the rows of a prefix of the inputs; complete it with tagger run --resume (same inputs and flags)",
					plural(int(sum.Stories), "story", "stories")))
			}
			if err := sink.Close(); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			if stats {
				printStats(a.stderr, sum)
			}
			reportSkipped(a, sel)
			state := "done"
			if sum.Stopped {
				state = "stopped early (run again with --resume to finish)"
			}
			notChecked := ""
			if sum.NotChecked > 0 {
				notChecked = fmt.Sprintf(", %d not checked (see the note column)", sum.NotChecked)
			}
			now, kept := "", ""
			if cfg.Done != nil && cfg.Done.Rows() > 0 {
				// The counts in brackets are this session's: they follow
				// "read now", and what the file holds comes after them.
				now = " read now"
				kept = fmt.Sprintf(" and %s kept from the earlier run, %d in all",
					plural(cfg.Done.Rows(), "row", "rows"), int64(cfg.Done.Rows())+sum.Stories)
			}
			fmt.Fprintf(a.stderr, "%s: %s%s (%s, %d with undeclared warnings%s)%s, %.1f MB in %.2fs, %.1f MB/s → %s\n",
				state, plural(sum.Stories, "story", "stories"), now, plural(sum.Errors, "error", "errors"), sum.Undeclared, notChecked, kept,
				float64(sum.Bytes)/1e6, sum.Elapsed.Seconds(), sum.MBps(), out)
			if sum.Stories == 0 && !sum.Stopped && (cfg.Done == nil || cfg.Done.Rows() == 0) {
				fmt.Fprintf(a.stderr, "tagger: no story found in %s\n", strings.Join(args, " "))
			}
			// A resumed run does not read the stories that failed before:
			// their rows stay in the output, and count like new failures.
			keptFailed, keptFirst := 0, ""
			if cfg.Done != nil {
				keptFailed, keptFirst = cfg.Done.Failed()
			}
			if keptFailed > 0 {
				fmt.Fprintf(a.stderr, "tagger: kept %s of the earlier run (the first: %s); run without --resume to read them again\n",
					plural(keptFailed, "failed row", "failed rows"), keptFirst)
			}
			where := "the error column of " + out
			if out == pipeline.StdoutPath {
				where = "each row's error field"
			}
			switch {
			case sum.Stopped:
				return &exitCodeError{code: sigCode()}
			case firstSig.Load() != nil:
				// Interrupted after the last story was read: the output
				// is whole, but a script that chained on this run was
				// interrupted all the same, and the exit code says so.
				return &exitCodeError{code: sigCode()}
			case sum.Errors > 0 && !allowErrors:
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("%d of %s failed (the first: %s; %s has each); --allow-errors exits 0 for them", sum.Errors, plural(sum.Stories, "story", "stories"), sum.FirstError, where)}
			case keptFailed > 0 && !allowErrors:
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("%s holds %s from the earlier run; --allow-errors exits 0 for them", out, plural(keptFailed, "failed row", "failed rows"))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "output file: .parquet or .jsonl (- for JSONL on stdout)")
	f.IntVar(&workers, "workers", 0, fmt.Sprintf("scoring workers (default: the number of CPUs; at most %d)", pipeline.MaxWorkers()))
	f.Var(&progress, "progress", "progress bar on stderr: auto (when a terminal), always, never")
	f.BoolVar(&stats, "stats", false, "print per-stage counters at the end")
	f.StringVar(&shard, "shard", "", "process shard I of N (I/N, 1 ≤ I ≤ N), split by story id")
	f.BoolVar(&force, "force", false, "replace an existing output of other inputs (its rows are lost)")
	f.BoolVar(&resume, "resume", false, "complete an interrupted or killed run: keep the rows already in the output, append the rest")
	f.BoolVar(&allowErrors, "allow-errors", false, "exit 0 even when some stories failed (their rows hold the error)")
	sf.add(cmd, withSelect)
	limits.addFlags(cmd)
	return cmd
}

// startProgress shows a progress bar of bytes written, with stories and
// rate, until the returned function is called.
func startProgress(a *app, mode string, inputs []string, prog *pipeline.Progress) func() {
	show := mode == "always"
	if mode == "auto" {
		if f, ok := a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			show = true
		}
	}
	if !show {
		return func() {}
	}
	bar := progressbar.NewOptions64(totalBytes(inputs),
		progressbar.OptionSetWriter(a.stderr),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionClearOnFinish(),
	)
	quit := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(250 * time.Millisecond)
		defer tick.Stop()
		for {
			stories, bytes, errs := prog.Snapshot()
			bar.Describe(plural(stories, "story", "stories") + ", " + plural(errs, "error", "errors"))
			// Text scored moves within a long story; bytes written count
			// whole files (headers too) as their rows are written.
			bar.Set64(max(bytes, prog.Scored()))
			select {
			case <-quit:
				bar.Finish()
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(quit); <-finished }
}

// totalBytes sums the sizes of the input files, for the progress bar's
// ETA; -1 when unknown (standard input).
func totalBytes(inputs []string) int64 {
	var n int64
	for _, in := range inputs {
		if in == "-" {
			return -1
		}
		root := in
		if fi, err := os.Stat(in); err == nil && fi.IsDir() {
			// WalkDir does not follow a root that is a link to a
			// directory (seeds is one); the reader does.
			root = filepath.Clean(in) + string(filepath.Separator)
		}
		filepath.WalkDir(root, func(_ string, d fs.DirEntry, err error) error {
			if err == nil && d.Type().IsRegular() {
				if fi, err := d.Info(); err == nil {
					n += fi.Size()
				}
			}
			return nil
		})
	}
	return n
}

func printStats(w io.Writer, s pipeline.Summary) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\tworkers\titems\tbusy\tbusy/worker\twaiting\t")
	for _, st := range s.Stages {
		per := st.Busy / time.Duration(max(st.Workers, 1))
		fmt.Fprintf(tw, "%s\t%d\t%d\t%.2fs\t%.2fs\t%.2fs\t\n", st.Name, st.Workers, st.Items, st.Busy.Seconds(), per.Seconds(), st.Wait.Seconds())
	}
	tw.Flush()
	if s.Readers > 1 {
		fmt.Fprintf(w, "ingest read up to %d small files (or corpus records) at once; its busy time is the wait for each next story in input order\n", s.Readers)
	}
}

// inputWithin returns the pairs of inputs [inner, dir] where inner lies
// inside dir, a directory also given, by their absolute paths.
func inputWithin(args []string) [][2]string {
	var out [][2]string
	for _, dir := range args {
		if dir == "-" {
			continue
		}
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			continue
		}
		d, err := filepath.Abs(dir)
		if err != nil {
			continue
		}
		for _, in := range args {
			if in == "-" || in == dir {
				continue
			}
			p, err := filepath.Abs(in)
			if err != nil {
				continue
			}
			if rel, err := filepath.Rel(d, p); err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
				out = append(out, [2]string{in, dir})
			}
		}
	}
	return out
}

// linkTarget returns the path that p, when it is a symbolic link (or a
// chain of them), leads to: an output not yet written may be a link to a
// file that does not exist yet, in a directory that does. Any other p is
// returned as it is.
func linkTarget(p string) (string, error) {
	for range 40 { // the kernel's own bound on a chain of links
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&os.ModeSymlink == 0 {
			return p, nil
		}
		t, err := os.Readlink(p)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(t) {
			t = filepath.Join(filepath.Dir(p), t)
		}
		if _, err := os.Stat(filepath.Dir(t)); err != nil {
			return "", fmt.Errorf("the symbolic link leads nowhere (%s)", t)
		}
		p = t
	}
	return "", fmt.Errorf("too many levels of symbolic links")
}

// sameSignal is how soon after the first a signal of the same kind is
// taken for the same one delivered twice, not a request to abandon: far
// quicker than a person presses Ctrl-C again.
const sameSignal = 50 * time.Millisecond
