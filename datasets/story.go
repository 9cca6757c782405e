// Package datasets gets stories into tagger: it finds input files, decodes
// them to UTF-8, splits corpora into stories, parses the author's declared
// metadata and yields one Story per work, in a deterministic order.
//
// Reading is streaming: a directory or a JSONL corpus is walked one story at
// a time, so a corpus never has to fit in memory. A story that cannot be read
// (binary, empty, undecodable, unreadable) is yielded too, with Err set, so
// that callers can account for every input.
package datasets

import (
	"io"

	"github.com/tagger-dev/tagger/datasets/header"
)

// Format is the format a Story was read from.
type Format string

// Formats a Story can come from.
const (
	FormatText    Format = "text"    // plain text with a free-form header
	FormatJSONL   Format = "jsonl"   // one {"id","text",...} object per line
	FormatPAN2023 Format = "pan2023" // PAN 2023 trigger detection: work_id, HTML text, labels
	// FormatAO3ScraperCSV is a row of the CSV AO3Scraper's ao3_get_fanfics.py
	// writes: work_id, metadata columns, body.
	FormatAO3ScraperCSV Format = "ao3scraper-csv"
)

// Declared is what the author declared about a story: the header fields,
// normalised. Field names follow the output row (README: Output schema).
type Declared = header.Declared

// Story is one work: where it came from, what its author declared, and its
// body text with the position where the body starts in the decoded file.
type Story struct {
	// ID identifies the story within a run: the file's path relative to the
	// input root without extension, or the id of a JSONL record, or the
	// work_id of a CSV row.
	ID string `json:"id"`
	// Source is where the story was read from: a path, or path:line for a
	// record of a JSONL corpus, or path:row for a row of a CSV (the header
	// row is row 1), or "-" for standard input.
	Source string `json:"source"`
	// Format is one of the Format constants.
	Format Format `json:"format"`
	// SHA256 is the hex digest of the story's raw bytes as read (the whole
	// file for a text story, the record line for a JSONL story, the row
	// without its final line break for a CSV story).
	SHA256 string `json:"sha256,omitempty"`
	// Encoding names how the bytes were decoded (utf-8, utf-8-bom,
	// utf-16le, utf-16be, windows-1252).
	Encoding string `json:"encoding,omitempty"`

	Declared

	// Words is the number of words in Body.
	Words int `json:"words"`

	// Text is the whole decoded text (header and body). Body is Text[BodyByte:].
	Text string `json:"-"`
	// BodyLine is the 1-based line of Text on which the body starts.
	BodyLine int `json:"body_line"`
	// BodyByte is the byte offset in Text at which the body starts. For
	// UTF-8 input without a byte-order mark, Text is the file's bytes, so
	// offsets and line numbers point into the original file.
	BodyByte int `json:"body_byte"`

	// Err is set when the story could not be read; the other fields then
	// hold whatever was known (at least Source and ID).
	Err error `json:"-"`

	// open reads the body of a streamed story from its file (see Streamed).
	open func() (io.ReadCloser, error)
	// buf is the pooled buffer Text lies in and pool the BufferPool it
	// came from; nil when Text is an allocation of its own.
	buf  *[]byte
	pool *BufferPool
}

// Body returns the story text after its header.
func (s *Story) Body() string {
	if s.BodyByte > len(s.Text) {
		return ""
	}
	return s.Text[s.BodyByte:]
}
