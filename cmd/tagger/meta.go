package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/datasets"
)

func newMetaCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "meta FILE|DIR|-...",
		Short: "Print each story's declared metadata as one JSON object per line",
		Long: `meta reads stories (files, directories walked recursively, JSONL corpora,
AO3Scraper CSVs, or - for standard input) and prints what each one's author
declared: title, rating, warnings and their state, tags, and where the body
starts.

Stories that cannot be read are reported on stderr and the exit code is 2;
the other stories are still printed.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			enc := json.NewEncoder(a.stdout)
			enc.SetEscapeHTML(false)
			failed, total := 0, 0
			for s := range datasets.Read(cmd.Context(), args, datasets.Options{Stdin: a.stdin}) {
				total++
				if s.Err != nil {
					failed++
					fmt.Fprintf(a.stderr, "tagger: %v\n", s.Err)
					continue
				}
				if err := enc.Encode(s); err != nil {
					return fmt.Errorf("write output: %w", err)
				}
			}
			if err := cmd.Context().Err(); err != nil {
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("interrupted after %d stories", total)}
			}
			if failed > 0 {
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("%d of %d stories could not be read", failed, total)}
			}
			return nil
		},
	}
}
