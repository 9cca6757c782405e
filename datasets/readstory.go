package datasets

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"path/filepath"
)

// ErrCorpus reports a corpus (JSONL or CSV) given where one story was
// expected: ReadStory reads one story, Read reads corpora.
var ErrCorpus = errors.New("a corpus of many stories, not one story")

// ReadStory reads one story from r, as Read reads a file named name: the
// extension of name picks the format (.html, .htm and .xhtml are HTML,
// .epub is EPUB, anything else is text with a free-form header), and the
// same caps and header parsing apply. A name of a corpus (.jsonl, .ndjson,
// .csv) is an error wrapping ErrCorpus: send one story, or read the corpus
// with Read. It is for stories that come from elsewhere than a file, such
// as an upload.
//
// size is the number of bytes r holds, or -1 when it is not known. A text
// story of known size is read within Options.MaxFileBytes, checked before
// anything is read; one of unknown size within Options.MaxStoryBytes.
// Markup is read within Options.MaxMarkupBytes either way.
//
// The story's Source is name and its ID name's base without extension; an
// empty name, or "-", is unnamed input, read as standard input is: Source
// "-", ID "stdin". Unnamed input whose first line is a JSON object is a
// JSONL record, read as Read reads a corpus line (one record; more is an
// error wrapping ErrCorpus), as standard input is. Reading stops when ctx
// is done.
//
// The Story is returned even when it cannot be read, with Err set to the
// error ReadStory returns, so that a caller can report it as it would a
// story Read yields; only when ctx is done first is the Story nil.
func ReadStory(ctx context.Context, name string, r io.Reader, size int64, opt Options) (*Story, error) {
	source, id := storyName(name)
	var got *Story
	stories := 0
	rd := newReader(ctx, opt, func(s *Story) bool { got = s; stories++; return true })
	in := &ctxReader{ctx: ctx, r: r}
	format := formatOf(source)
	var jsonl io.Reader // unnamed input that is a JSONL record
	if format == FormatText && source == "-" {
		// Unnamed input is read as standard input is: a first line
		// that is a JSON object makes it a corpus record.
		br := bufio.NewReaderSize(in, 64<<10)
		prefix, isJSONL, err := sniffJSONL(br, rd.maxLine)
		if err != nil {
			return failStory(source, id, err)
		}
		in2 := io.MultiReader(bytes.NewReader(prefix), br)
		if isJSONL {
			jsonl = in2
		} else {
			in = &ctxReader{ctx: ctx, r: in2}
		}
	}
	switch {
	case jsonl != nil:
		rd.readJSONL(jsonl, source, id)
		if stories > 1 {
			got = &Story{ID: id, Source: source, Format: FormatJSONL,
				Err: fmt.Errorf("read %s: %d JSONL records: %w; send one story (one record, or its text), or label a corpus with tagger run", source, stories, ErrCorpus)}
		}
	default:
		rd.readOne(in, size, source, id, format)
	}
	if got == nil || ctx.Err() != nil {
		return nil, fmt.Errorf("read %s: %w", source, context.Cause(ctx))
	}
	return got, got.Err
}

// failStory is ReadStory's answer for input that could not be read.
func failStory(source, id string, err error) (*Story, error) {
	s := &Story{ID: id, Source: source, Format: FormatText, Err: fmt.Errorf("read %s: %w", source, err)}
	return s, s.Err
}

// readOne reads one story of the given format from in, for ReadStory.
func (rd *reader) readOne(in io.Reader, size int64, source, id string, format Format) {
	var got *Story
	defer func() {
		if got != nil {
			rd.yield(got)
		}
	}()
	switch format {
	case FormatJSONL, FormatAO3ScraperCSV:
		got = &Story{ID: id, Source: source, Format: format,
			Err: fmt.Errorf("read %s: %w; send one story (text, HTML or EPUB), or label a corpus with tagger run", source, ErrCorpus)}
	case FormatHTML, FormatEPUB:
		if size < 0 {
			// readMarkup reads input of unknown size as text, which fails
			// on the NUL bytes of a zip archive: buffer it within the
			// markup cap first, so an EPUB upload of unknown size reads.
			raw, err := readUpTo(in, rd.markupLimit())
			if err != nil {
				got = &Story{ID: id, Source: source, Format: format, Err: fmt.Errorf("read %s: %w", source, err)}
				break
			}
			rd.readMarkup(bytes.NewReader(raw), int64(len(raw)), source, id, format)
			break
		}
		rd.readMarkup(in, size, source, id, format)
	default:
		rd.readText(in, size, source, id)
	}
}

// ReadRecord reads one story from record, a JSON object in the form of a
// line of a JSONL corpus ({"text": ...} with optional declared fields:
// title, rating, warnings, tags, summary, ...), exactly as Read reads such
// a line: a record that declares fields has them as its metadata and its
// text all body; one that declares none has its text's header parsed. It
// may span lines, and start with a byte-order mark; its length is capped
// by Options.MaxLineBytes, as a corpus line is. Source and ID are as for
// ReadStory, except that the record's "id" field, when present, is the ID.
// The Story is returned even when it cannot be read, with Err set to the
// error ReadRecord returns.
func ReadRecord(ctx context.Context, name string, record []byte, opt Options) (*Story, error) {
	source, id := storyName(name)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", source, context.Cause(ctx))
	}
	maxLine := opt.MaxLineBytes
	if maxLine <= 0 {
		maxLine = DefaultMaxLineBytes
	}
	fail := func(err error) (*Story, error) {
		s := &Story{ID: id, Source: source, Format: FormatJSONL, Err: fmt.Errorf("read %s: %w", source, err)}
		return s, s.Err
	}
	if len(record) > maxLine {
		return fail(fmt.Errorf("jsonl record: %d bytes, longer than %d bytes; raise the line limit with %s (%w)",
			len(record), maxLine, lineLimitHint, ErrTooLarge))
	}
	br := bufio.NewReader(bytes.NewReader(record))
	if err := probeBinary(br); err != nil {
		return fail(fmt.Errorf("%w; a record holds text, one JSON object", err))
	}
	// A record in UTF-16 is decoded as a UTF-16 corpus's lines are.
	enc, lines := jsonlLines(br)
	line, err := io.ReadAll(lines)
	if err != nil {
		return fail(err)
	}
	s := parseRecord(opt.Taxonomy, trimEOL(line), enc, source, id, !opt.NoWordCount)
	return s, s.Err
}

// storyName returns the Source and ID of a story read from elsewhere than
// a file, named name.
func storyName(name string) (source, id string) {
	if name == "" || name == "-" {
		return "-", "stdin"
	}
	return name, trimExt(path.Base(filepath.ToSlash(name)))
}

// readUpTo reads in to its end, failing once it has read more than lim.n
// bytes.
func readUpTo(in io.Reader, lim limit) ([]byte, error) {
	raw, err := io.ReadAll(io.LimitReader(in, lim.n+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > lim.n {
		return nil, lim.over(-1)
	}
	return raw, nil
}
