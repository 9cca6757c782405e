package datasets

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/datasets/header"
	"github.com/tagger-dev/tagger/taxonomy"
)

// scraperShape is the hint every error about the shape of an AO3Scraper
// CSV ends with.
const scraperShape = "tagger reads .csv files as AO3Scraper's ao3_get_fanfics.py writes them: " +
	"a header row naming work_id and body (other columns optional, in any order), then one work per row"

// scraperColumn says what a column of an AO3Scraper CSV declares. list
// marks columns whose cell may be a Python list, as AO3Scraper writes its
// author column (['a', 'b']); the other list columns hold comma-joined
// tags, which header.Build splits.
type scraperColumn struct {
	key  string
	list bool
}

// scraperColumns maps normalised header names (see columnName) to what
// they declare. AO3Scraper writes the singular names; the plural ones and
// the warning and summary columns are those of forks and hand-made files.
// Columns not named here (stats, kudos, bookmarks) declare nothing.
var scraperColumns = map[string]scraperColumn{
	"title":            {header.KeyTitle, false},
	"author":           {header.KeyAuthor, true},
	"authors":          {header.KeyAuthor, true},
	"rating":           {header.KeyRating, false},
	"warning":          {header.KeyWarnings, true},
	"warnings":         {header.KeyWarnings, true},
	"archive warning":  {header.KeyWarnings, true},
	"archive warnings": {header.KeyWarnings, true},
	"category":         {header.KeyCategory, true},
	"categories":       {header.KeyCategory, true},
	"fandom":           {header.KeyFandom, true},
	"fandoms":          {header.KeyFandom, true},
	"relationship":     {header.KeyRelationships, true},
	"relationships":    {header.KeyRelationships, true},
	"character":        {header.KeyCharacters, true},
	"characters":       {header.KeyCharacters, true},
	"additional tags":  {header.KeyFreeform, true}, // AO3 freeform tags: those naming a warning declare it
	"freeform":         {header.KeyFreeform, true},
	"freeforms":        {header.KeyFreeform, true},
	"summary":          {header.KeySummary, false},
	"language":         {header.KeyLanguage, false},
}

// scraperLayout is where the columns tagger reads stand in a header row.
type scraperLayout struct {
	names        []string // the header row as written
	workID, body int
	declared     []scraperField
}

type scraperField struct {
	index int
	label string // the column name as written
	scraperColumn
}

// columnName normalises a header cell so that "Work ID", "work_id" and
// "work-id" name the same column.
func columnName(cell string) string {
	cell = strings.NewReplacer("_", " ", "-", " ").Replace(strings.ToLower(cell))
	return strings.Join(strings.Fields(cell), " ")
}

// newScraperLayout finds the columns of the header row names. It fails,
// naming the missing columns, when work_id or body is not there.
func newScraperLayout(names []string) (*scraperLayout, error) {
	l := &scraperLayout{names: names, workID: -1, body: -1}
	for i, cell := range names {
		name := columnName(cell)
		switch {
		case name == "work id":
			if l.workID < 0 {
				l.workID = i
			}
		case name == "body":
			if l.body < 0 {
				l.body = i
			}
		default:
			if c, ok := scraperColumns[name]; ok {
				l.declared = append(l.declared, scraperField{i, strings.TrimSpace(cell), c})
			}
		}
	}
	var missing []string
	if l.workID < 0 {
		missing = append(missing, "work_id")
	}
	if l.body < 0 {
		missing = append(missing, "body")
	}
	if len(missing) == 0 {
		return l, nil
	}
	msg := fmt.Sprintf("not an AO3Scraper CSV: the header row has no %s column", strings.Join(missing, " or "))
	switch {
	case len(names) == 1 && strings.ContainsAny(names[0], ";\t"):
		msg += "; the file looks separated by semicolons or tabs: save it with commas"
	case l.workID >= 0:
		msg += "; a metadata-only CSV (AO3Scraper's extract_metadata.py) holds no story text: use the full CSV"
	}
	return nil, errors.New(msg + "; " + scraperShape)
}

// readAO3ScraperCSV reads a CSV written by AO3Scraper, one story per row,
// streaming: a row is held in memory only while it is read. A row that
// cannot be read yields a Story with Err set and reading goes on; a file
// without the columns tagger needs yields one failing Story. Like a JSONL
// corpus, the file may start with a byte-order mark and be UTF-16.
func (r *reader) readAO3ScraperCSV(in io.Reader, source, fileID string) bool {
	br := bufio.NewReaderSize(in, 64<<10)
	if err := probeBinary(br); err != nil {
		return r.fail(source, fileID, FormatAO3ScraperCSV, fmt.Errorf("read %s: %w; %s", source, err, scraperShape))
	}
	enc, text := jsonlLines(br)
	rows := &csvRows{br: text, max: r.maxLine}
	var layout *scraperLayout
	seen := map[string]int{} // work_id → the row that has it
	works := 0
	// Rows are parsed on goroutines of their own when Read has several
	// readers; what depends on the rows before (a work_id seen already,
	// Skip) is settled here, on the walker, in row order.
	par := newRecordParser(r, func(p parsedRecord) bool {
		s := p.story
		if s == nil {
			return true // the header row again: files concatenated with cat
		}
		if p.key != "" {
			if first, dup := seen[p.key]; dup {
				// Keep the first: AO3Scraper appends to its CSV when run
				// again, so a work can be there twice.
				s = &Story{ID: p.id, Source: s.Source, Format: FormatAO3ScraperCSV, SHA256: s.SHA256, Encoding: s.Encoding,
					Err: fmt.Errorf("%s: ao3scraper-csv row: duplicate work_id %q, already read at row %d; "+
						"this row is not read: remove one of the two rows", s.Source, p.key, first)}
			} else {
				seen[p.key] = p.n
			}
		}
		works++
		return r.offer(s)
	})
	for {
		if !r.live() {
			return false
		}
		raw, long, err := rows.next()
		if err == io.EOF {
			break
		}
		src := fmt.Sprintf("%s:%d", source, rows.n)
		id := fmt.Sprintf("%s:%d", fileID, rows.n)
		if err != nil {
			// The rows before it first, in order.
			return par.drain() && r.fail(src, id, FormatAO3ScraperCSV, fmt.Errorf("read %s: %w", src, err))
		}
		if layout == nil {
			// The first row names the columns.
			var names []string
			if long {
				err = fmt.Errorf("%w: the header row is longer than %d bytes; raise the limit with %s; %s", ErrTooLarge, r.maxLine, lineLimitHint, scraperShape)
			} else if names, _, err = csvFields(raw, enc); err == nil {
				layout, err = newScraperLayout(names)
			}
			if err != nil {
				return r.fail(source, fileID, FormatAO3ScraperCSV, fmt.Errorf("read %s: %w", source, err))
			}
			continue
		}
		var ok bool
		switch {
		case long:
			ok = par.ready(parsedRecord{story: &Story{ID: id, Source: src, Format: FormatAO3ScraperCSV,
				Err: fmt.Errorf("%s: ao3scraper-csv row: longer than %d bytes; split the work, or raise the line limit with "+
					lineLimitHint+" (a quote left open makes the rest of the file one row) (%w)", src, r.maxLine, ErrTooLarge)}})
		case rows.open && bytes.Count(raw, []byte("\n")) > 1:
			// A quote opened in this row and never closed: the rows after
			// it were read as its text.
			ok = par.ready(parsedRecord{story: &Story{ID: id, Source: src, Format: FormatAO3ScraperCSV,
				Err: fmt.Errorf("%s: ao3scraper-csv row: a quoted field opens here and is never closed, so the %d lines after it were read as one field; close the quote (or double a quote inside the field)", src, bytes.Count(raw, []byte("\n"))-1)}})
		case rows.runOn:
			// A quote left open that closed in a later row: the rows
			// between were read as its text, and would be lost.
			ok = par.ready(parsedRecord{story: &Story{ID: id, Source: src, Format: FormatAO3ScraperCSV,
				Err: fmt.Errorf("%s: ao3scraper-csv row: a quoted field opens here and runs on into the rows after it (a quote inside it, on a later line, opens a field), so they were read as its text; close the quote (or double each quote inside the field)", src)}})
		default:
			tx, l, words, n := r.tx, layout, !r.noWords, rows.n
			ok = par.add(raw, func(raw []byte) parsedRecord {
				s, workID := parseScraperRow(tx, raw, enc, l, src, id)
				// Counted here, beside the parse, so before Skip is
				// asked, as a JSONL record's are (tagger run counts no
				// words while reading).
				if s != nil && s.Err == nil && words {
					s.Words = CountWords(s.Text)
				}
				return parsedRecord{story: s, key: workID, id: id, n: n}
			})
		}
		if !ok {
			return false
		}
	}
	if !par.drain() {
		return false
	}
	switch {
	case layout == nil:
		return r.fail(source, fileID, FormatAO3ScraperCSV,
			fmt.Errorf("read %s: %w: the file holds no rows; %s", source, ErrEmpty, scraperShape))
	case works == 0:
		return r.fail(source, fileID, FormatAO3ScraperCSV,
			fmt.Errorf("read %s: %w: the file holds a header row but no works; %s", source, ErrEmpty, scraperShape))
	}
	return true
}

// parseScraperRow makes the Story of one data row (raw, without decoding)
// of a CSV laid out as l. enc is the file's encoding, src the row's source
// (path:row) and id the ID to use when the row has no work_id. workID is
// the row's work_id, when it has one and its columns could be read; s is
// nil for a repeat of the header row.
func parseScraperRow(tx *taxonomy.Taxonomy, raw []byte, enc string, l *scraperLayout, src, id string) (s *Story, workID string) {
	sum := sha256.Sum256(trimEOL(raw))
	s = &Story{ID: id, Source: src, Format: FormatAO3ScraperCSV, SHA256: hex.EncodeToString(sum[:]), Encoding: enc}
	fail := func(err error) (*Story, string) {
		s.Err = fmt.Errorf("%s: ao3scraper-csv row: %w", src, err)
		return s, workID
	}
	cells, rowEnc, err := csvFields(raw, enc)
	s.Encoding = rowEnc
	if err != nil {
		return fail(err)
	}
	if slices.Equal(cells, l.names) {
		return nil, ""
	}
	if len(cells) != len(l.names) {
		// The columns cannot be trusted, the work_id included.
		fields := "fields"
		if len(cells) == 1 {
			fields = "field"
		}
		return fail(fmt.Errorf("%d %s where the header row has %d; a quote left open or a cut-off write "+
			"damaged the row: fix or remove it", len(cells), fields, len(l.names)))
	}
	if workID = strings.TrimSpace(cells[l.workID]); workID != "" {
		s.ID = workID
	}
	s.Text = cells[l.body]
	if isSpace(s.Text) {
		return fail(fmt.Errorf("%w: the body column is empty (AO3Scraper leaves it empty with --metadata-only "+
			"and for works it could not read); scrape the work's text", ErrEmpty))
	}
	var fields []header.Field
	for _, c := range l.declared {
		fields = appendCell(fields, c, cells[c.index])
	}
	// The row declares its metadata in columns; the body is all story.
	s.Declared = header.BuildWith(tx, fields)
	s.BodyLine, s.BodyByte = 1, 0
	return s, workID
}

// appendCell appends the header fields of one cell of the column c:
// one for each item of a Python list, else one for the whole cell. Blank
// cells, and the 'null' AO3Scraper writes for a statistic (the language)
// it did not find, declare nothing.
func appendCell(fields []header.Field, c scraperField, cell string) []header.Field {
	values := []string{cell}
	if c.list {
		if items, ok := pyList(cell); ok {
			values = items
		}
	}
	for _, v := range values {
		if v = strings.TrimSpace(v); v != "" && v != "null" {
			fields = append(fields, header.Field{Key: c.key, Label: c.label, Value: v})
		}
	}
	return fields
}

// csvFields parses one row, raw as read from a file of encoding enc, and
// returns its cells and the encoding they were decoded from: bytes that
// are not UTF-8 in a UTF-8 file are taken for Windows-1252, as in a JSONL
// record.
func csvFields(raw []byte, enc string) ([]string, string, error) {
	if !utf8.Valid(raw) {
		if enc == EncodingUTF8 {
			if text, err := decodeWindows1252(raw); err == nil {
				raw, enc = []byte(text), EncodingWindows1252
			}
		}
		// A byte-order mark declares the encoding: a stray byte is damage.
		raw = bytes.ToValidUTF8(raw, []byte(string(utf8.RuneError)))
	}
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.LazyQuotes = true    // Python's csv module and spreadsheets write bare quotes
	cr.FieldsPerRecord = -1 // counts are checked against the header row, with a better message
	cells, err := cr.Read()
	if err == nil {
		// csvRows cut exactly one record; anything else is a bug there.
		if _, err2 := cr.Read(); err2 != io.EOF {
			err = errors.New("the row splits into more than one CSV record")
		}
	}
	if err != nil {
		return nil, enc, fmt.Errorf("invalid CSV: %w", err)
	}
	return cells, enc, nil
}

// pyList parses a cell that holds a Python list of strings as repr()
// writes it ("['a', \"b's\"]", with or without Python 2's u prefixes), which
// is how AO3Scraper writes its author column. ok is false when the cell is
// anything else.
func pyList(cell string) (items []string, ok bool) {
	s := strings.TrimSpace(cell)
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, false
	}
	s = s[1 : len(s)-1]
	items = []string{}
	for {
		s = strings.TrimLeft(s, " ")
		if s == "" {
			return items, true
		}
		if s[0] == 'u' || s[0] == 'U' {
			s = s[1:]
		}
		v, rest, ok := pyString(s)
		if !ok {
			return nil, false
		}
		items = append(items, v)
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			return items, true
		}
		if rest[0] != ',' {
			return nil, false
		}
		s = rest[1:]
	}
}

// pyString reads the Python string literal at the start of s and returns
// its value and what follows it. Python's escapes are Go's, but for \xHH,
// which is a code point in Python 3 (and in Python 2 unicode strings).
func pyString(s string) (v, rest string, ok bool) {
	if s == "" || s[0] != '\'' && s[0] != '"' {
		return "", "", false
	}
	q := s[0]
	s = s[1:]
	var b strings.Builder
	for s != "" {
		if s[0] == q {
			return b.String(), s[1:], true
		}
		r, _, tail, err := strconv.UnquoteChar(s, q)
		if err != nil {
			return "", "", false
		}
		b.WriteRune(r) // \xHH: rune(HH), the code point
		s = tail
	}
	return "", "", false
}

// rowPrefix reports whether line, the start of a line up to a quote, reads
// as the first cells of a row: cells without spaces ("7003,Explicit,"),
// not prose ("and she said,").
func rowPrefix(line []byte) bool {
	return len(line) > 1 && bytes.IndexAny(line, " \t\"") < 0
}

// csvRows cuts CSV text into rows where encoding/csv would (lazy quotes: a
// field that starts with a quote runs to a closing quote followed by a
// comma or a line end, line breaks included; blank lines between rows are
// skipped) without parsing them, so that a row over the limit can be
// skipped without holding it, and each row's bytes can be hashed.
type csvRows struct {
	br  *bufio.Reader
	max int
	buf []byte
	n   int  // number of the row last read, from 1: the header row is row 1
	eof bool // the input is exhausted; reading a terminal again would block
	// open: the row last read ended with the input inside a quoted field,
	// a quote never closed, which took in every line after it.
	open bool
	// runOn: the row last read has, on a line after its first, a bare
	// quote that opens a field inside a quoted field, after cells that
	// read as a row's ("7003,Explicit,"): a quote left open ran into the
	// next row and closed there. Writers double quotes inside quoted
	// fields.
	runOn bool
}

// States of csvRows' scan.
const (
	csvFieldStart = iota
	csvUnquoted
	csvQuoted
	csvQuote   // a quote in a quoted field: closing, doubled or bare
	csvQuoteCR // a carriage return after such a quote: a line end if "\n" follows
)

// next returns the next row, with its line terminator. long reports that
// the row was longer than max bytes (not counting the terminator) and row
// is nil. At the end of input err is io.EOF. row is valid until the next
// call.
func (cr *csvRows) next() (row []byte, long bool, err error) {
	for {
		if cr.eof {
			return nil, false, io.EOF
		}
		row, long, err = cr.scan()
		if err != nil || long || !blankCSVLine(row, cr.eof) {
			if err != io.EOF {
				cr.n++
			}
			return row, long, err
		}
	}
}

// blankCSVLine reports a line encoding/csv skips: an empty one, or a
// carriage return alone at the end of input.
func blankCSVLine(row []byte, eof bool) bool {
	s := string(row)
	return s == "\n" || s == "\r\n" || eof && (s == "" || s == "\r")
}

// scan reads up to the end of the next row, or of the input. At the end of
// input, with nothing read, err is io.EOF.
func (cr *csvRows) scan() (row []byte, long bool, err error) {
	cr.buf = cr.buf[:0]
	cr.runOn = false
	n := 0
	state := csvFieldStart
	newLine := false // the row's chunk before this one ended a line
	for {
		chunk, err := cr.br.ReadSlice('\n')
		n += len(chunk)
		end := false
		// A line of the row after its first (a long line read in parts
		// counts from its first part only).
		lineAfterFirst := newLine
		newLine = len(chunk) > 0 && chunk[len(chunk)-1] == '\n'
		for i := 0; i < len(chunk); i++ {
			c := chunk[i]
			switch state {
			case csvQuoted:
				// Most of a body is quoted: jump to the next quote.
				if j := bytes.IndexByte(chunk[i:], '"'); j >= 0 {
					i += j
					state = csvQuote
				} else {
					i = len(chunk)
				}
				continue
			case csvQuoteCR:
				if c == '\n' {
					end = true
					continue
				}
				state = csvQuoted
				if c == '"' {
					state = csvQuote
				}
				continue
			case csvQuote:
				switch c {
				case '"':
					state = csvQuoted // a doubled quote
				case '\r':
					state = csvQuoteCR
				case ',':
					state = csvFieldStart
				case '\n':
					end = true
				default:
					state = csvQuoted // a bare quote, kept
					if lineAfterFirst && i >= 2 && chunk[i-2] == ',' && rowPrefix(chunk[:i-1]) {
						cr.runOn = true
					}
				}
				continue
			case csvFieldStart:
				if c == '"' {
					state = csvQuoted
					continue
				}
				state = csvUnquoted
			}
			switch c { // csvUnquoted
			case ',':
				state = csvFieldStart
			case '\n':
				end = true
			}
		}
		if !long {
			if len(cr.buf)+len(chunk) > cr.max+len("\r\n") {
				long = true
				cr.buf = cr.buf[:0]
			} else {
				cr.buf = append(cr.buf, chunk...)
			}
		}
		switch {
		case err == bufio.ErrBufferFull || err == nil && !end:
			continue
		case err == io.EOF:
			cr.eof = true
			if n == 0 {
				return nil, false, io.EOF
			}
			cr.open = state == csvQuoted
		case err != nil:
			return nil, false, err
		}
		if long || len(trimEOL(cr.buf)) > cr.max {
			return nil, true, nil
		}
		return cr.buf, false, nil
	}
}
