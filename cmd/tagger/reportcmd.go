package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/pipeline/summary"
)

// maxReviewTop caps --top: each story to review carries its passages, and
// a page of thousands of them is no longer something a person reads.
const maxReviewTop = 10_000

func newReportCmd(a *app) *cobra.Command {
	var out string
	var top int
	cmd := &cobra.Command{
		Use:   "report RUN.parquet|RUN.jsonl -o report.html",
		Short: "Write a summary page (HTML) of a batch run's output",
		Long: `report reads the output of tagger run (.parquet or .jsonl, with its
metadata) and writes one self-contained HTML page summarising it: stories
and errors, labels detected against declared, undeclared warnings by label
and by fandom, declared against predicted rating, score histograms per
label, and the stories to review first, each linked to its evidence. The
page has no script and loads nothing, so it opens offline.

The output is read as a stream: memory stays bounded whatever the run's
size. The page is written to a temporary file beside -o and renamed when
complete; -o - writes it to standard output.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageError(cmd, fmt.Sprintf("report needs one RUN (the .parquet or .jsonl that tagger run wrote), but was given %d", len(args)))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			in := args[0]
			switch {
			case out == "":
				return usageError(cmd, "report needs -o report.html (or -o - for standard output)")
			case top < 0 || top > maxReviewTop:
				return usageError(cmd, fmt.Sprintf("--top %d: use 0 to %d stories to review", top, maxReviewTop))
			}
			if err := checkReportPaths(in, out); err != nil {
				return &exitCodeError{code: exitError, msg: err.Error()}
			}
			s, err := summary.Read(cmd.Context(), in, top)
			if err != nil {
				return reportReadError(in, err)
			}
			a.log.Info("summarised run", "file", in, "summary", s.String())
			write := func(w io.Writer) error { return summary.WriteHTML(w, s) }
			if out == pipeline.StdoutPath {
				bw := bufio.NewWriterSize(a.stdout, 64<<10) // the template writes in small pieces
				if err := write(bw); err != nil {
					return err
				}
				return bw.Flush()
			}
			return pipeline.WriteFileAtomic(out, write)
		},
	}
	cmd.Flags().StringVarP(&out, "output", "o", "", "the page to write (.html), or - for standard output")
	cmd.Flags().IntVar(&top, "top", summary.DefaultTop, "how many stories to list for review, with their evidence")
	return cmd
}

// checkReportPaths refuses, before reading, a run that is missing and an
// output that is the run or its metadata sidecar (compared by identity,
// so through symbolic links too) or a directory.
func checkReportPaths(in, out string) error {
	inInfo, err := os.Stat(in)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%s: no such file: give the output of tagger run (RUN.parquet or RUN.jsonl)", in)
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", in, err)
	}
	if inInfo.IsDir() {
		return fmt.Errorf("%s is a directory: give the output of tagger run (RUN.parquet or RUN.jsonl)", in)
	}
	if out == pipeline.StdoutPath {
		return nil
	}
	outInfo, err := os.Stat(out)
	if err != nil {
		return nil // a new file
	}
	if outInfo.IsDir() {
		return fmt.Errorf("output %s is a directory: name a file, e.g. -o report.html", out)
	}
	for _, p := range []string{in, in + pipeline.MetaSuffix} {
		if pi, err := os.Stat(p); err == nil && os.SameFile(pi, outInfo) {
			return fmt.Errorf("output %s is the run's file %s: the page would replace it; write to another file, e.g. -o report.html", out, p)
		}
	}
	return nil
}

// reportReadError says what to do about a run that cannot be summarised.
func reportReadError(in string, err error) error {
	if errors.Is(err, pipeline.ErrNotOutput) {
		return &exitCodeError{code: exitError, msg: fmt.Sprintf("%s is not the output of tagger run: %v", in, err)}
	}
	return fmt.Errorf("report %s: %w", in, err)
}
