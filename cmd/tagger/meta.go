package main

import (
	"context"
	"fmt"
	"github.com/tagger-dev/tagger/classify"
	"io"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/report"
	"github.com/tagger-dev/tagger/taxonomy"
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
starts. As in tagger run's JSONL, a field the story lacks is null and an
empty list is [].

Stories that cannot be read are reported on stderr and the exit code is 2;
the other stories are still printed. A story file over 16 MiB is not held
in memory: its words are counted as it is read in chunks. Control, bidi
and hiding characters in the output are escaped (\u sequences in the JSON,
\x1b and the like in errors), so a story cannot drive the terminal.`,
		Args: needArgs("at least one story FILE or DIR, or - for standard input"),
		RunE: func(cmd *cobra.Command, args []string) error {
			failed, total := 0, 0
			sel := storyFiles()
			for s := range datasets.Read(cmd.Context(), args, limits.options(datasets.Options{Stdin: a.stdin, StreamAbove: metaStreamAbove, Select: sel.Select})) {
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
				if err := report.JSON(a.stdout, newMetaRow(s)); err != nil {
					return fmt.Errorf("write output: %w", err)
				}
			}
			if err := cmd.Context().Err(); err != nil {
				return &exitCodeError{code: exitError, msg: "interrupted after " + plural(total, "story", "stories")}
			}
			reportSkipped(a, sel)
			if failed > 0 {
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("%d of %s could not be read", failed, plural(total, "story", "stories"))}
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

// metaRow is one line of meta's output: the story's declared metadata,
// with the keys of datasets.Story, and each scalar the story lacks null,
// as in tagger run's JSONL rows (pipeline.Row), so that a reader of either
// finds every key.
type metaRow struct {
	ID            string          `json:"id"`
	Source        string          `json:"source"`
	Format        datasets.Format `json:"format"`
	SHA256        *string         `json:"sha256"`
	Encoding      *string         `json:"encoding"`
	Title         *string         `json:"title"`
	Authors       []string        `json:"authors"`
	Fandoms       []string        `json:"fandoms"`
	Relationships []string        `json:"relationships"`
	Characters    []string        `json:"characters"`
	Tags          []string        `json:"tags"`
	Summary       *string         `json:"summary"`
	Notes         *string         `json:"notes"`
	Language      *string         `json:"language"`
	Published     *string         `json:"published"`
	Updated       *string         `json:"updated"`
	Chapters      *string         `json:"chapters"`
	DeclaredWords *int            `json:"declared_words"`

	DeclaredRating      *string               `json:"declared_rating"`
	DeclaredRatingRaw   *string               `json:"declared_rating_raw"`
	RatingSystem        *string               `json:"rating_system"`
	WarningStatus       taxonomy.WarningState `json:"warning_status"`
	DeclaredWarnings    []string              `json:"declared_warnings"`
	DeclaredWarningsRaw []string              `json:"declared_warnings_raw"`
	UnmappedWarnings    []string              `json:"unmapped_warnings"`
	NegatedWarnings     []string              `json:"negated_warnings"`

	Words    int `json:"words"`
	BodyLine int `json:"body_line"`
	BodyByte int `json:"body_byte"`
}

// newMetaRow is s's line of meta output.
func newMetaRow(s *datasets.Story) metaRow {
	d := s.Declared
	r := metaRow{
		ID: s.ID, Source: s.Source, Format: s.Format,
		SHA256: nullable(s.SHA256), Encoding: nullable(s.Encoding), Title: nullable(d.Title),
		Authors: orEmpty(d.Authors), Fandoms: orEmpty(d.Fandoms), Relationships: orEmpty(d.Relationships),
		Characters: orEmpty(d.Characters), Tags: orEmpty(d.Tags),
		Summary: nullable(d.Summary), Notes: nullable(d.Notes), Language: nullable(languageCode(d.Language)),
		Published: nullable(d.Published), Updated: nullable(d.Updated), Chapters: nullable(d.Chapters),
		DeclaredRating: nullable(d.DeclaredRating), DeclaredRatingRaw: nullable(d.DeclaredRatingRaw),
		RatingSystem: nullable(d.RatingSystem), WarningStatus: d.WarningStatus,
		DeclaredWarnings: orEmpty(d.DeclaredWarnings), DeclaredWarningsRaw: orEmpty(d.DeclaredWarningsRaw),
		UnmappedWarnings: orEmpty(d.UnmappedWarnings), NegatedWarnings: orEmpty(d.NegatedWarnings),
		Words: s.Words, BodyLine: s.BodyLine, BodyByte: s.BodyByte,
	}
	if d.DeclaredWords != 0 {
		n := d.DeclaredWords
		r.DeclaredWords = &n
	}
	return r
}

// nullable is nil for "", which JSON writes as null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// orEmpty is [] for a nil list, which JSON would write as null.
func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// languageCode is a declared language as the output row writes it: its
// ISO 639-1 code when it names one ("English" is en), else as declared.
func languageCode(s string) string {
	if code, ok := classify.LanguageCode(s); ok {
		return code
	}
	return s
}
