package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime/debug"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagger-dev/tagger/pipeline"
)

func newRunCmd(a *app) *cobra.Command {
	var out, progress, shard, sens, modelDir string
	var workers int
	var stats, resume bool
	cmd := &cobra.Command{
		Use:   "run INPUT... -o OUT.parquet|OUT.jsonl",
		Short: "Label a corpus: one row per story to Parquet or JSONL",
		Long: `run reads stories (files, directories walked recursively, JSONL corpora,
AO3Scraper CSVs, or - for standard input), scores each one and writes one
row per story, in input order, to OUT (.parquet or .jsonl). A story that
cannot be read or scored becomes a row with its error; the run goes on.

The output is written to a temporary file beside OUT and renamed when
complete. On SIGINT or SIGTERM, stories already read are finished and the
file is closed valid; a second signal abandons the run. --resume completes
an interrupted run: stories already in OUT are skipped, the rest appended.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return &exitCodeError{code: exitError, msg: "run needs -o OUT.parquet or -o OUT.jsonl"}
			}
			s, err := ParseSensitivityFlag(sens)
			if err != nil {
				return err
			}
			cfg := pipeline.Config{Workers: workers, Sensitivity: s, Stdin: a.stdin}
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
			if cfg.Model, err = loadModel(modelDir); err != nil {
				return err
			}
			if resume {
				if cfg.Done, err = pipeline.ReadDone(out); err != nil {
					return fmt.Errorf("--resume: %w", err)
				}
			}
			sink, err := pipeline.NewSink(out, pipeline.SinkOptions{
				Stdout:  a.stdout,
				Append:  resume && cfg.Done != nil && cfg.Done.Len() > 0,
				Version: version,
				Model:   cfg.Model.NameVersion(),
				Created: time.Now(),
			})
			if err != nil {
				return err
			}
			// The first signal stops reading; the second abandons the run.
			ctx, cancel := context.WithCancel(cmd.Context())
			defer cancel()
			stop, stopReading := context.WithCancel(ctx)
			defer stopReading()
			go func() {
				n := 0
				for {
					select {
					case <-a.signals:
						n++
						if n == 1 {
							fmt.Fprintln(a.stderr, "tagger: stopping: finishing the stories already read (signal again to abandon)")
							stopReading()
						} else {
							cancel()
							return
						}
					case <-ctx.Done():
						return
					}
				}
			}()
			prog := &pipeline.Progress{}
			done := startProgress(a, progress, args, prog)
			sum, runErr := pipeline.Run(ctx, stop, args, sink, cfg, prog)
			done()
			if runErr != nil {
				sink.Abort()
				return runErr
			}
			if err := sink.Close(); err != nil {
				return fmt.Errorf("write %s: %w", out, err)
			}
			if stats {
				printStats(a.stderr, sum)
			}
			state := "done"
			if sum.Stopped {
				state = "stopped early (run again with --resume to finish)"
			}
			notChecked := ""
			if sum.NotChecked > 0 {
				notChecked = fmt.Sprintf(", %d not checked (language; see the note column)", sum.NotChecked)
			}
			fmt.Fprintf(a.stderr, "%s: %d stories (%d errors, %d with undeclared warnings%s), %.1f MB in %.2fs, %.1f MB/s → %s\n",
				state, sum.Stories, sum.Errors, sum.Undeclared, notChecked, float64(sum.Bytes)/1e6, sum.Elapsed.Seconds(), sum.MBps(), out)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVarP(&out, "output", "o", "", "output file: .parquet or .jsonl (- for JSONL on stdout)")
	f.IntVar(&workers, "workers", 0, "scoring workers (default: the number of CPUs)")
	f.StringVar(&progress, "progress", "auto", "progress bar on stderr: auto (when a terminal), always, never")
	f.BoolVar(&stats, "stats", false, "print per-stage counters at the end")
	f.StringVar(&shard, "shard", "", "process shard I of N (I/N), split by story id")
	f.BoolVar(&resume, "resume", false, "complete an interrupted run: skip stories already in the output")
	f.StringVar(&sens, "sensitivity", "balanced", "detection threshold: low, balanced, high")
	f.StringVar(&modelDir, "model", "", "model directory (default: the embedded model)")
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
			bar.Describe(fmt.Sprintf("%d stories, %d errors", stories, errs))
			bar.Set64(bytes)
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
		filepath.WalkDir(in, func(_ string, d fs.DirEntry, err error) error {
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
	for _, step := range []struct {
		name string
		d    time.Duration
	}{{"  tokenize", s.Steps.Tokenize}, {"  feature", s.Steps.Feature}, {"  classify", s.Steps.Classify}} {
		fmt.Fprintf(tw, "%s\t\t\t%.2fs\t\t\t\n", step.name, step.d.Seconds())
	}
	tw.Flush()
}
