package main

import (
	"context"
	"fmt"
	"io"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/pipeline/report"
)

// metaStreamAbove is the size above which meta does not read a story file
// into memory: its header is parsed from the file's start and its words
// counted in chunks (see countWords).
const metaStreamAbove = 16 << 20

func newMetaCmd(a *app) *cobra.Command {
	var limits inputLimits
	cmd := &cobra.Command{
		Use:   "meta FILE|DIR|-...",
		Short: "Print each story's declared metadata as one JSON object per line",
		Long: `meta reads stories (files, directories walked recursively, JSONL corpora,
AO3Scraper CSVs, or - for standard input) and prints what each one's author
declared: title, rating, warnings and their state, tags, and where the body
starts.

Stories that cannot be read are reported on stderr and the exit code is 2;
the other stories are still printed. A story file over 16 MiB is not held
in memory: its words are counted as it is read in chunks. Control, bidi
and hiding characters in the output are escaped (\u sequences in the JSON,
\x1b and the like in errors), so a story cannot drive the terminal.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed, total := 0, 0
			for s := range datasets.Read(cmd.Context(), args, limits.options(datasets.Options{Stdin: a.stdin, StreamAbove: metaStreamAbove})) {
				total++
				if s.Err == nil && s.Streamed() {
					if s.Words, s.Err = streamedWords(cmd.Context(), s); s.Err != nil && cmd.Context().Err() != nil {
						break
					}
				}
				if s.Err != nil {
					failed++
					fmt.Fprintf(a.stderr, "tagger: %s\n", report.Clean(s.Err.Error()))
					continue
				}
				if err := report.JSON(a.stdout, s); err != nil {
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
	limits.addFlags(cmd)
	return cmd
}

// streamedWords counts the words of a streamed story's body.
func streamedWords(ctx context.Context, s *datasets.Story) (int, error) {
	rc, err := s.OpenBody()
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := countWords(ctx, rc)
	if err != nil {
		return 0, fmt.Errorf("count words of %s: %w", s.Source, err)
	}
	return n, nil
}

// countWords is datasets.CountWords over a reader, a MiB at a time. A
// chunk ends after its last ASCII character that is neither a letter, a
// digit nor an apostrophe: such a character ends any word, so the chunks'
// counts add up to the count of the whole. Only a MiB without one (a
// single "word" that long) is cut at a character boundary, where a word
// may count twice. It stops with ctx's error when ctx is done.
func countWords(ctx context.Context, r io.Reader) (int, error) {
	const chunk = 1 << 20
	buf := make([]byte, chunk)
	have, n := 0, 0
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		k, err := io.ReadFull(r, buf[have:])
		have += k
		switch err {
		case nil:
		case io.EOF, io.ErrUnexpectedEOF:
			return n + datasets.CountWords(string(buf[:have])), nil
		default:
			return 0, err
		}
		end := len(buf)
		for end > 0 && !endsWord(buf[end-1]) {
			end--
		}
		if end == 0 {
			end = len(buf)
			for j := len(buf) - 1; j >= len(buf)-utf8.UTFMax; j-- {
				if utf8.RuneStart(buf[j]) {
					if !utf8.FullRune(buf[j:]) {
						end = j
					}
					break
				}
			}
		}
		n += datasets.CountWords(string(buf[:end]))
		have = copy(buf, buf[end:])
	}
}

// endsWord reports whether the byte c is an ASCII character that
// datasets.CountWords reads as a separator.
func endsWord(c byte) bool {
	return c < utf8.RuneSelf && c != '\'' &&
		!('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9')
}
