package datasets

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/tagger-dev/tagger/datasets/header"
	"github.com/tagger-dev/tagger/taxonomy"
)

// Default limits of Options. A corpus line is held whole while its record
// is decoded, at about three times its size, so its cap matches a story's
// (the longest AO3 works run to about 30 MB of text) and keeps one input
// under 300 MB of memory.
const (
	DefaultMaxFileBytes = 2 << 30
	DefaultMaxLineBytes = 64 << 20
)

// Options tune reading; the zero value is usable.
type Options struct {
	MaxFileBytes int64     // a text file larger than this is a per-story error; 0 = default 2 GiB
	MaxLineBytes int       // a JSONL line or CSV row longer than this is a per-story error; 0 = DefaultMaxLineBytes (64 MiB)
	Stdin        io.Reader // used for the input "-"; nil = os.Stdin
	// StreamAbove, when positive, is the size above which a text file is
	// not read into memory: its Story is Streamed, and its body is read
	// from the file through OpenBody. Batch runs set it to bound memory.
	StreamAbove int64
	// NoWordCount leaves Story.Words at 0: a caller that tokenizes the
	// body anyway (tagger run) counts words there instead.
	NoWordCount bool
	// MaxStoryBytes caps a text story whose size cannot be known before
	// reading it: a pipe, a device, standard input. Such input is read
	// whole, so the cap bounds memory; passing it is a per-story error
	// wrapping ErrTooLarge. 0 = DefaultMaxStoryBytes (64 MiB).
	MaxStoryBytes int64
	// MaxMarkupBytes caps an HTML or EPUB story: the file (checked before
	// anything is read when its size is known) and the documents an EPUB
	// decompresses to. Parsing markup builds a tree several times the
	// input's size; passing the cap is a per-story error wrapping
	// ErrTooLarge. 0 = DefaultMaxMarkupBytes (24 MiB).
	MaxMarkupBytes int64
	// Skip, when set, is asked once of every story, in input order, with
	// its source (a path, or path:line for a corpus record; the
	// Story.Source it has) and ID, before the story is yielded; true skips
	// it (resumed and sharded runs). It is asked before a story file is
	// read (once the file is open; before it is opened with Readers above
	// 1), of a corpus record once its line is parsed, and of a story that
	// fails before it could be read (a file that cannot be opened, a
	// corpus without records) before it is yielded.
	Skip func(source, id string) bool
	// Select, when set, chooses the files read under a directory input:
	// it is asked for each file the walk finds, with its slash-separated
	// path relative to the input directory, and false skips the file
	// unread and unreported. Files named as inputs are always read. A
	// symbolic link to a directory is never followed (links can make
	// cycles): Select is asked about it with rel ending in "/", and false
	// leaves it out; without Select, or when it says true, it is reported
	// as a story that failed. See Selector.
	Select func(rel string) bool
	// Taxonomy is what stories' headers and declared fields are read
	// against (see header.ParseWith and header.BuildWith): the warning
	// labels, ratings and terms of the model that labels the stories. nil
	// = taxonomy.Default().
	Taxonomy *taxonomy.Taxonomy
	// Buffers, when set, gives the buffers text files are read into, and
	// takes them back when the caller recycles a story (see BufferPool).
	// nil: every story's text is an allocation of its own.
	Buffers *BufferPool
	// Readers, when above 1, is how many small story files (text, HTML,
	// EPUB of at most ParallelFileBytes) are read at once, each opened,
	// read, decoded and its header parsed by one of Readers goroutines: on
	// a corpus of many small files reading is otherwise one core's work
	// that the scoring waits on. Larger files, corpora and standard input
	// are read as before, one at a time, but the records of a corpus
	// (JSONL lines and CSV rows of at most ParallelFileBytes) are decoded
	// by the same goroutines, Readers at a time. Stories are yielded exactly as with one
	// reader, in the same order; at most Readers+2 of them are held ahead
	// of the consumer, all but one of them small files, besides at most
	// Readers small records being decoded. Skip is then called from a
	// goroutine of Read's own (in input order, never concurrently).
	Readers int
}

// Read yields every story of inputs in a deterministic order. Inputs are files,
// directories (walked recursively, lexical order, dot-files and dot-dirs skipped)
// and "-" for standard input. Every input file yields at least one Story; a file
// or record that cannot be read yields a Story with Err set (Source and ID filled)
// and reading goes on. Read stops early when ctx is cancelled or the consumer stops.
//
// Files named *.jsonl or *.ndjson are corpora of one JSON object per line, each
// non-blank line a story. Files named *.csv are corpora written by AO3Scraper,
// one story per row after a header row that names at least work_id and body;
// a CSV without those columns yields one Story saying what is missing.
// Other files hold one text story each. Standard input
// is a corpus when its first line is a JSON object, else a text story. The
// SHA256 of a record is that of its line without the line terminator (as UTF-8
// for a UTF-16 corpus); a corpus without records yields one Story failing with
// ErrEmpty.
//
// A cancelled ctx ends the sequence without a Story saying so; callers that
// need to know check ctx.Err() afterwards. Cancellation interrupts a read
// blocked on a pipe or standard input, and an endless input (/dev/zero):
// Read returns promptly. Files are opened without blocking, and a file
// found under a directory that turns out, once open, not to be a regular
// file (replaced by a named pipe after the listing) is a per-story error.
// Input of unknown size is read up to Options.MaxStoryBytes, markup up to
// Options.MaxMarkupBytes (see ErrTooLarge).
func Read(ctx context.Context, inputs []string, opt Options) iter.Seq[*Story] {
	if opt.Readers > 1 {
		return readParallel(ctx, inputs, opt)
	}
	return func(yield func(*Story) bool) {
		r := newReader(ctx, opt, yield)
		for _, in := range inputs {
			if !r.input(in) {
				return
			}
		}
	}
}

// reader is one run of Read. Its methods return false when reading must
// stop: the context is done or the consumer wants no more.
type reader struct {
	ctx     context.Context
	yield   func(*Story) bool
	maxFile int64
	maxLine int
	stdin   io.Reader
	// streamAbove and skip: see Options.
	streamAbove int64
	skip        func(source, id string) bool
	sel         func(rel string) bool
	noWords     bool
	// maxStory and maxMarkup: see Options.MaxStoryBytes, MaxMarkupBytes.
	maxStory, maxMarkup int64
	tx                  *taxonomy.Taxonomy // Options.Taxonomy, never nil
	bufs                *BufferPool        // Options.Buffers
	// fan, when set, reads story files on goroutines of their own
	// (Options.Readers).
	fan *fanout
}

func newReader(ctx context.Context, opt Options, yield func(*Story) bool) *reader {
	r := &reader{ctx: ctx, yield: yield, maxFile: opt.MaxFileBytes, maxLine: opt.MaxLineBytes, stdin: opt.Stdin,
		streamAbove: opt.StreamAbove, skip: opt.Skip, sel: opt.Select, noWords: opt.NoWordCount, tx: opt.Taxonomy,
		bufs: opt.Buffers}
	if r.tx == nil {
		r.tx = taxonomy.Default()
	}
	if r.maxFile <= 0 {
		r.maxFile = DefaultMaxFileBytes
	}
	if r.maxLine <= 0 {
		r.maxLine = DefaultMaxLineBytes
	}
	if r.maxStory = opt.MaxStoryBytes; r.maxStory <= 0 {
		r.maxStory = DefaultMaxStoryBytes
	}
	if r.maxMarkup = opt.MaxMarkupBytes; r.maxMarkup <= 0 {
		r.maxMarkup = DefaultMaxMarkupBytes
	}
	if r.stdin == nil {
		r.stdin = os.Stdin
	}
	return r
}

func (r *reader) live() bool { return r.ctx.Err() == nil }

func (r *reader) emit(s *Story) bool {
	return r.live() && r.yield(s)
}

// offer yields s unless Skip skips it; false when reading must stop.
func (r *reader) offer(s *Story) bool {
	if r.skip != nil && r.skip(s.Source, s.ID) {
		return r.live()
	}
	return r.emit(s)
}

// fail yields a story that failed before Skip was asked of it, unless
// Skip skips it.
func (r *reader) fail(source, id string, format Format, err error) bool {
	if r.skip != nil && r.skip(source, id) {
		return r.live()
	}
	return r.emit(&Story{ID: id, Source: source, Format: format, Err: err})
}

func (r *reader) input(in string) bool {
	if !r.live() {
		return false
	}
	if in == "-" {
		return r.readStdin()
	}
	id := trimExt(filepath.Base(in))
	// A named pipe is told by os.Stat, without opening it: opening it
	// without blocking and closing it again would drop what a writer
	// waiting in open(2) wrote meanwhile (a pipe with neither end open
	// loses its buffer), and leave the next open waiting for a writer that
	// has gone.
	if st, err := os.Stat(in); err == nil && st.Mode()&fs.ModeNamedPipe != 0 {
		f, err := r.openFIFO(in)
		if err != nil {
			return r.fail(in, id, formatOf(in), err)
		}
		fi, err := f.Stat()
		if err != nil {
			f.Close()
			return r.fail(in, id, formatOf(in), err)
		}
		return r.readFile(f, fi, in, id)
	}
	f, fi, err := openInput(in)
	if err != nil {
		return r.fail(in, id, formatOf(in), err)
	}
	if fi.Mode()&fs.ModeNamedPipe != 0 {
		// Replaced by a named pipe between Stat and open: reading it now
		// would take a writer that comes later for an empty input.
		f.Close()
		return r.fail(in, id, formatOf(in), fmt.Errorf("%s: became a named pipe while being opened; give it again", in))
	}
	if fi.IsDir() {
		f.Close()
		return r.walk(in, "")
	}
	if r.fan != nil && fi.Mode().IsRegular() && parallelFile(formatOf(in), fi.Size()) {
		return r.fan.dispatch(r, f, fi, in, id)
	}
	// A named pipe or device given by name is read like a file: that is how
	// process substitution and /dev/stdin reach us.
	return r.readFile(f, fi, in, id)
}

// walk reads the directory root/rel, rel being slash-separated.
func (r *reader) walk(root, rel string) bool {
	dir := filepath.Join(root, filepath.FromSlash(rel))
	entries, err := os.ReadDir(dir)
	if err != nil {
		// os.ReadDir returns the entries it read before failing; report
		// the failure, then read those.
		id := rel
		if id == "" {
			id = filepath.Base(root)
		}
		if !r.fail(dir, id, FormatText, dirError(err)) {
			return false
		}
	}
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") {
			continue
		}
		p := filepath.Join(dir, name)
		relp := path.Join(rel, name)
		id := trimExt(relp)
		mode := e.Type()
		var fi fs.FileInfo
		var err error
		if mode&fs.ModeSymlink != 0 {
			fi, err = os.Stat(p)
		}
		linkToDir := err == nil && fi != nil && fi.IsDir()
		if linkToDir && r.sel != nil && !r.sel(relp+"/") {
			continue // left out, as the selection says (Selector reports it)
		}
		if !mode.IsDir() && !linkToDir && r.sel != nil && !r.sel(relp) {
			// Chosen out by name: not read, and not an error whatever it is
			// (a broken link, a pipe).
			continue
		}
		if mode&fs.ModeSymlink != 0 {
			switch {
			case err != nil:
				if !r.fail(p, id, formatOf(p), fmt.Errorf("%w; the symbolic link is broken", err)) {
					return false
				}
				continue
			case fi.IsDir():
				// Following links to directories risks cycles.
				if !r.fail(p, id, formatOf(p), fmt.Errorf("%s: symbolic link to a directory, not followed; give it as an input of its own to read it", p)) {
					return false
				}
				continue
			}
			mode = fi.Mode().Type()
		}
		var ok bool
		switch {
		case mode.IsDir():
			ok = r.walk(root, relp)
		case mode.IsRegular() && r.fan != nil && parallelFile(formatOf(p), entrySize(e, fi)):
			ok = r.fan.dispatch(r, nil, nil, p, id)
		case mode.IsRegular():
			ok = r.openFile(p, id)
		default:
			// Reading a named pipe or a device found in a tree could block
			// forever.
			ok = r.fail(p, id, formatOf(p), fmt.Errorf("%s: not a regular file (%s); only regular files are read under a directory", p, fileKind(mode)))
		}
		if !ok {
			return false
		}
	}
	return true
}

func (r *reader) openFile(p, id string) bool {
	if !r.live() {
		return false
	}
	// The file may have been replaced since the directory was listed: a
	// named pipe would block open(2) and then every read, so the file is
	// opened without blocking and checked once open.
	f, fi, err := openInput(p)
	if err != nil {
		return r.fail(p, id, formatOf(p), err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return r.fail(p, id, formatOf(p), fmt.Errorf("%s: not a regular file (%s) once opened: it was replaced while the directory was read; only regular files are read under a directory", p, fileKind(fi.Mode())))
	}
	return r.readFile(f, fi, p, id)
}

// readFile reads the story or corpus in f and closes it.
func (r *reader) readFile(f *os.File, fi fs.FileInfo, p, id string) bool {
	defer f.Close()
	in, stop := r.guard(f, fi)
	defer stop()
	switch formatOf(p) {
	case FormatJSONL:
		return r.readJSONL(in, p, id)
	case FormatAO3ScraperCSV:
		return r.readAO3ScraperCSV(in, p, id)
	case FormatHTML, FormatEPUB:
		if r.skip != nil && r.skip(p, id) {
			return r.live()
		}
		size := int64(-1)
		if fi.Mode().IsRegular() {
			size = fi.Size()
		}
		return r.readMarkup(in, size, p, id, formatOf(p))
	}
	size := int64(-1)
	if fi.Mode().IsRegular() {
		size = fi.Size()
	}
	if r.skip != nil && r.skip(p, id) {
		return r.live()
	}
	if r.streamAbove > 0 && size > r.streamAbove && size <= r.maxFile {
		return r.streamText(f, in, fi, p, id)
	}
	return r.readText(in, size, p, id)
}

// readText reads a text story of size bytes (-1 when unknown) from in.
func (r *reader) readText(in io.Reader, size int64, source, id string) bool {
	s := &Story{ID: id, Source: source, Format: FormatText}
	lim := r.fileLimit()
	if size < 0 {
		lim = r.storyLimit()
	}
	// A file of known size is read into a pooled buffer when the caller
	// recycles them (Options.Buffers).
	var pooled []byte
	var box *[]byte
	if r.bufs != nil && size >= 0 && size < lim.n {
		pooled, box = r.bufs.get(int(size) + 1)
	}
	raw, err := readAll(in, size, lim, pooled)
	if err != nil {
		r.bufs.put(box, pooled)
		s.Err = fmt.Errorf("read %s: %w", source, err)
		return r.emit(s)
	}
	sum := sha256.Sum256(raw)
	s.SHA256 = hex.EncodeToString(sum[:])
	// raw is readAll's own buffer (or the pool's, for this story alone)
	// and is not used again: decoding it makes the story's text of it
	// without a copy.
	text, enc, err := decode(raw, true)
	switch {
	case box == nil:
	case err == nil && aliases(raw, text):
		*box = raw
		s.buf, s.pool = box, r.bufs // the text is the buffer: it goes back with the story
	default:
		r.bufs.put(box, raw) // decoded to a copy, or failed: back now
	}
	if err != nil {
		s.Err = fmt.Errorf("read %s: %w", source, err)
		return r.emit(s)
	}
	s.Text, s.Encoding = text, enc
	res := header.ParseWith(r.tx, text)
	s.Declared = res.Declared
	s.BodyLine, s.BodyByte = res.BodyLine, res.BodyByte
	// The fields the story's declarations are built from, and the top
	// header's, when the fields are a trailer's: notes in the body add to
	// them (bodyNotes).
	fields, top := res.Fields, (*header.Declared)(nil)
	if d := res.Declared; d.DeclaredRating == "" && d.WarningStatus == taxonomy.StateMissing {
		// Nothing declared at the top: the details may follow the story.
		// The story then ends where they start, so that the author's own
		// warnings are not read as the story's content.
		if tr, end, ok := header.ParseTrailer(r.tx, s.Body()); ok {
			if d.Title == "" {
				d.Title = titleLine(s.Body()[:end])
			}
			s.Declared = withTop(tr.Declared, d)
			s.Text = text[:s.BodyByte+end]
			fields, top = tr.Fields, &d
		}
	} else if strings.TrimSpace(s.Body()) == "" {
		// Fields that run to the end of the text, after a few paragraphs
		// the top header took for its title and preamble: a short story
		// with its details after it. Read as a trailer, the story is the
		// paragraphs, when they are more than a title and the top header
		// read no field of its own before them ("Title: Sand", "Rating:
		// Mature", then "---" and "Warnings: none" is a header, all of it).
		if tr, end, ok := header.ParseTrailer(r.tx, text); ok && moreThanTitle(text[:end]) && !fieldsBefore(res.Fields, text[:end]) {
			// The title and by-line the top header guessed stay, when
			// the first line reads as a title, not as the story's
			// first sentence.
			top := header.Declared{Authors: res.Declared.Authors}
			if t := titleLine(text[:end]); t != "" && t == res.Declared.Title {
				top.Title = t
			}
			s.Declared = withTop(tr.Declared, top)
			s.BodyLine, s.BodyByte = 1, 0
			s.Text = text[:end]
			fields = tr.Fields
		}
	}
	if res.Layout == header.LayoutFreeForm && top == nil {
		if start, line, titled, ok := storyInPreamble(text, s.BodyByte, res.Fields); ok {
			// A short story that ends in a line like a field ("A/N:
			// thanks for reading!", "Rating: M") was read as a title and
			// preamble above a header, leaving less story after the
			// header than before it: the story is from its first line.
			// The fields stay declared.
			s.BodyByte, s.BodyLine = start, line
			if !titled {
				s.Declared.Title = ""
			}
		}
	}
	r.bodyNotes(s, res.Layout, fields, top)
	if !r.noWords {
		s.Words = CountWords(s.Body())
	}
	return r.emit(s)
}

// bodyNotes blanks the notes in s's body (see noteFilter) and reads them
// as notes fields after fields, the header's (and top, the top header's
// Declared when fields are a trailer's): their cues declare, as those of
// the same notes in AO3's HTML do.
func (r *reader) bodyNotes(s *Story, layout header.Layout, fields []header.Field, top *header.Declared) {
	if layout != header.LayoutAO3 && !header.HasAuthorNote(s.Body()) {
		return // most stories: no filtering, no copy
	}
	nf := noteFilter(layout, strings.NewReader(s.Body()))
	body, err := io.ReadAll(nf)
	if err != nil || !nf.Found() {
		return // a strings.Reader does not fail
	}
	s.Text = s.Text[:s.BodyByte] + string(body)
	s.Declared = declareNotes(r.tx, layout, s.Declared, fields, top, nf.Notes())
}

// declareNotes returns d, the story's declarations, with the notes found
// in its body. AO3's chapter and end notes declare with their cues, as in
// AO3's HTML (fields and top rebuild d with them); an author's note among
// a free-form story's paragraphs is only kept as a note: "A/N: warning,
// my other fic has a suicide attempt" speaks of another story as often as
// of this one, and declarations are the header's.
func declareNotes(tx *taxonomy.Taxonomy, layout header.Layout, d header.Declared, fields []header.Field, top *header.Declared, notes []header.Field) header.Declared {
	if layout == header.LayoutAO3 {
		d = header.BuildWith(tx, withNotes(fields, notes))
		if top != nil {
			d = withTop(d, *top)
		}
		return d
	}
	for _, n := range withNotes(fields, notes)[len(fields):] {
		if d.Notes != "" {
			d.Notes += "\n\n"
		}
		d.Notes += strings.Join(strings.Fields(n.Value), " ")
	}
	return d
}

// withNotes returns fields and then the notes that are not among them: the
// header reads a closing author's note at the end of a story as a field
// too.
func withNotes(fields, notes []header.Field) []header.Field {
	out := slices.Clip(fields)
	for _, n := range notes {
		if !slices.ContainsFunc(fields, func(f header.Field) bool { return f.Key == n.Key && f.Value == n.Value }) {
			out = append(out, n)
		}
	}
	return out
}

// noteFilter returns the filter of the notes a body in layout holds among
// its text: AO3's chapter and end notes in its text export, authors'
// notes ("A/N: ...") in any other.
func noteFilter(layout header.Layout, r io.Reader) *header.NoteFilter {
	if layout == header.LayoutAO3 {
		return header.NewNoteFilter(r)
	}
	return header.NewAuthorNoteFilter(r)
}

// readStdin reads standard input, as a corpus when its first line is a
// JSON object and as a text story otherwise.
func (r *reader) readStdin() bool {
	const source, id = "-", "stdin"
	// Standard input redirected from a regular file (tagger run - < f)
	// has a known size: it is read as a named file is, within
	// MaxFileBytes, rather than as input of unknown size.
	size := int64(-1)
	var in0 io.Reader
	if f, ok := r.stdin.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := f.Seek(0, io.SeekCurrent); err == nil && off <= fi.Size() {
				size = fi.Size() - off
				in0 = &ctxReader{ctx: r.ctx, r: f}
			}
		}
	}
	if in0 == nil {
		// Standard input cannot be interrupted (it is not ours to put
		// under the poller): it is read in another goroutine, abandoned
		// when ctx is done.
		in0 = newAsyncReader(r.ctx, r.stdin)
	}
	br := bufio.NewReaderSize(in0, 64<<10)
	prefix, jsonl, err := sniffJSONL(br, r.maxLine)
	if err != nil {
		return r.fail(source, id, FormatText, fmt.Errorf("read %s: %w", source, err))
	}
	// What comes next, for the other formats that have no name to tell
	// them by: the first line of an AO3Scraper CSV, an HTML page's start.
	next, _ := br.Peek(4 << 10) // less at the end of the input
	in := io.MultiReader(bytes.NewReader(prefix), br)
	switch head := append(slices.Clip(prefix), next...); {
	case jsonl:
		return r.readJSONL(in, source, id)
	case isScraperHeader(head):
		return r.readAO3ScraperCSV(in, source, id)
	case htmlStart(head):
		return r.readMarkup(in, size, source, id, FormatHTML)
	}
	// size ≥ 0 reads within MaxFileBytes (readText), checked first.
	return r.readText(in, size, source, id)
}

// isScraperHeader reports whether head starts with an AO3Scraper CSV's
// header row: cells that name a work_id and a body column.
func isScraperHeader(head []byte) bool {
	line, _, _ := bytes.Cut(bytes.TrimPrefix(head, bomUTF8), []byte("\n"))
	if !bytes.Contains(line, []byte(",")) {
		return false
	}
	cells, _, err := csvFields(line, EncodingUTF8)
	if err != nil {
		return false
	}
	_, err = newScraperLayout(cells)
	return err == nil
}

// htmlStart reports whether head starts, after white space and an XML
// declaration (XHTML, as FanFicFare writes it), with an HTML document's
// doctype, or its html tag with a closing tag after it (a line of prose
// may open with "<html>").
func htmlStart(head []byte) bool {
	t := bytes.TrimLeft(bytes.TrimPrefix(head, bomUTF8), " \t\r\n")
	if bytes.HasPrefix(t, []byte("<?xml")) {
		if end := bytes.Index(t, []byte("?>")); end > 0 {
			t = bytes.TrimLeft(t[end+2:], " \t\r\n")
		}
	}
	hasPrefixFold := func(p string) bool { return len(t) >= len(p) && bytes.EqualFold(t[:len(p)], []byte(p)) }
	return hasPrefixFold("<!doctype html") || hasPrefixFold("<html") && bytes.Contains(t, []byte("</"))
}

// sniffJSONL reads from br until it can tell whether the input is a JSONL
// corpus: its first non-space byte is '{' and its first line is a JSON
// object. It returns the bytes it consumed. A first line longer than
// maxLine is taken for a corpus record, as no text story starts that way.
func sniffJSONL(br *bufio.Reader, maxLine int) (prefix []byte, jsonl bool, err error) {
	if b, _ := br.Peek(len(bomUTF8)); bytes.Equal(b, bomUTF8) {
		prefix = append(prefix, bomUTF8...)
		br.Discard(len(bomUTF8))
	}
	for {
		c, err := br.ReadByte()
		if err == io.EOF {
			return prefix, false, nil
		}
		if err != nil {
			return prefix, false, err
		}
		prefix = append(prefix, c)
		if c == '{' {
			break
		}
		if !isBlankByte(c) && c != '\n' || len(prefix) > maxLine {
			return prefix, false, nil
		}
	}
	start := len(prefix) - 1
	prefix, long, eof, err := appendLine(br, prefix, start, maxLine)
	switch {
	case long:
		return prefix, true, nil
	case err != nil:
		return prefix, false, err
	case json.Valid(trimEOL(prefix[start:])):
		return prefix, true, nil
	case eof:
		return prefix, false, nil
	}
	// A first record that is broken ("{bad json") is the corpus's first
	// error, not a sign of prose, when the next line is a record.
	return sniffNext(br, prefix, maxLine)
}

// sniffNext reads the next non-blank line of br onto prefix, and reports
// whether it is a JSON object.
func sniffNext(br *bufio.Reader, prefix []byte, maxLine int) ([]byte, bool, error) {
	for {
		start := len(prefix)
		var long, eof bool
		var err error
		prefix, long, eof, err = appendLine(br, prefix, start, maxLine)
		if long || err != nil {
			return prefix, false, err
		}
		line := bytes.TrimSpace(prefix[start:])
		if len(line) == 0 && !eof {
			continue // a blank line: the next one
		}
		return prefix, len(line) > 0 && line[0] == '{' && json.Valid(line), nil
	}
}

// appendLine reads br up to its next line break, or its end (eof), onto
// prefix, whose line started at start; long reports that the line is
// longer than maxLine, and stops reading it there.
func appendLine(br *bufio.Reader, prefix []byte, start, maxLine int) (_ []byte, long, eof bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		prefix = append(prefix, chunk...)
		switch {
		case len(prefix)-start > maxLine+2:
			return prefix, true, false, nil
		case err == bufio.ErrBufferFull:
			continue
		case err == io.EOF:
			return prefix, false, true, nil
		}
		return prefix, false, false, err
	}
}

// readJSONL reads a corpus from in, one story per non-blank line. A corpus
// may start with a byte-order mark; UTF-16 corpora are decoded on the fly.
func (r *reader) readJSONL(in io.Reader, source, fileID string) bool {
	br := bufio.NewReaderSize(in, 64<<10)
	if err := probeBinary(br); err != nil {
		return r.fail(source, fileID, FormatJSONL, fmt.Errorf("read %s: %w; a corpus holds text, one JSON object per line", source, err))
	}
	enc, lines := jsonlLines(br)
	lr := &lineReader{br: lines, max: r.maxLine}
	par := newRecordParser(r, func(p parsedRecord) bool { return r.offer(p.story) })
	records := 0
	for {
		if !r.live() {
			return false
		}
		line, long, blank, err := lr.next()
		if err == io.EOF {
			break
		}
		src := fmt.Sprintf("%s:%d", source, lr.n)
		id := fmt.Sprintf("%s:%d", fileID, lr.n)
		if err != nil {
			return par.drain() && r.fail(src, id, FormatJSONL, fmt.Errorf("read %s: %w", src, err))
		}
		if blank {
			continue
		}
		records++
		var ok bool
		if long {
			ok = par.ready(parsedRecord{story: &Story{ID: id, Source: src, Format: FormatJSONL,
				Err: fmt.Errorf("%s: jsonl record: line longer than %d bytes; split the record, or raise the line limit with %s (%w)",
					src, r.maxLine, lineLimitHint, ErrTooLarge)}})
		} else {
			tx, words := r.tx, !r.noWords
			ok = par.add(line, func(line []byte) parsedRecord {
				return parsedRecord{story: parseRecord(tx, line, enc, src, id, words)}
			})
		}
		if !ok {
			return false
		}
	}
	if !par.drain() {
		return false
	}
	if records == 0 {
		return r.fail(source, fileID, FormatJSONL,
			fmt.Errorf("read %s: %w: the corpus holds no records; put one JSON object per line", source, ErrEmpty))
	}
	return true
}

// jsonlLines strips a byte-order mark from the corpus in br and returns its
// encoding and a reader of its text as UTF-8.
func jsonlLines(br *bufio.Reader) (encoding string, lines *bufio.Reader) {
	b, _ := br.Peek(len(bomUTF8))
	switch {
	case bytes.HasPrefix(b, bomUTF8):
		br.Discard(len(bomUTF8))
		return EncodingUTF8BOM, br
	case bytes.HasPrefix(b, bomUTF16LE):
		br.Discard(len(bomUTF16LE))
		return EncodingUTF16LE, bufio.NewReaderSize(utf16Reader(br, true), 64<<10)
	case bytes.HasPrefix(b, bomUTF16BE):
		br.Discard(len(bomUTF16BE))
		return EncodingUTF16BE, bufio.NewReaderSize(utf16Reader(br, false), 64<<10)
	}
	return EncodingUTF8, br
}

// lineReader reads lines of at most max bytes, not counting the line
// terminator, "\n" or "\r\n". Longer lines are skipped, not kept.
type lineReader struct {
	br  *bufio.Reader
	max int
	buf lineBuf
	n   int  // number of the line last read, from 1
	eof bool // the input is exhausted; reading a terminal again would block
}

// next returns the next line without its terminator. long reports that the
// line was longer than max and line is nil; blank that the line holds only
// spaces, tabs and carriage returns. At the end of input err is io.EOF.
// line is valid until the next call.
func (lr *lineReader) next() (line []byte, long, blank bool, err error) {
	if lr.eof {
		return nil, false, false, io.EOF
	}
	lr.buf.reset()
	n := 0
	blank = true
	for {
		chunk, err := lr.br.ReadSlice('\n')
		n += len(chunk)
		if blank {
			for _, c := range chunk {
				if !isBlankByte(c) && c != '\n' {
					blank = false
					break
				}
			}
		}
		if !long {
			if lr.buf.n+len(chunk) > lr.max+len("\r\n") {
				long = true
				lr.buf.reset()
			} else {
				lr.buf.add(chunk)
			}
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err == io.EOF {
			lr.eof = true
			if n == 0 {
				return nil, false, false, io.EOF
			}
		} else if err != nil {
			lr.n++
			return nil, false, false, err
		}
		lr.n++
		line = trimEOL(lr.buf.bytes())
		if long || len(line) > lr.max {
			return nil, true, blank, nil
		}
		return line, false, blank, nil
	}
}

// isBlankByte reports the bytes a blank line may hold besides its "\n":
// JSON white space.
func isBlankByte(c byte) bool {
	return c == ' ' || c == '\t' || c == '\r'
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}

// formatOf tells the format of a file from its name.
func formatOf(p string) Format {
	switch strings.ToLower(filepath.Ext(p)) {
	case ".jsonl", ".ndjson":
		return FormatJSONL
	case ".csv":
		return FormatAO3ScraperCSV
	case ".html", ".htm", ".xhtml":
		return FormatHTML
	case ".epub":
		return FormatEPUB
	}
	return FormatText
}

// readMarkup reads an HTML or EPUB story: an AO3 download, FanFicFare
// output, or any other HTML or EPUB, whose extracted text then goes through
// the header parser. Hostile input (deep nesting, zip bombs) is a per-story
// error wrapping ErrHostile.
func (r *reader) readMarkup(in io.Reader, size int64, source, id string, format Format) bool {
	s := &Story{ID: id, Source: source, Format: format}
	fail := func(err error) bool {
		s.Err = fmt.Errorf("read %s: %w", source, err)
		return r.emit(s)
	}
	// Checked against the file's size before anything is read: parsing
	// builds a tree several times the input's size.
	raw, err := readAll(in, size, r.markupLimit(), nil)
	if err != nil {
		return fail(err)
	}
	sum := sha256.Sum256(raw)
	s.SHA256 = hex.EncodeToString(sum[:])
	var st htmlStory
	if format == FormatEPUB {
		// The documents are parsed and held together, so what they
		// decompress to costs what an HTML page of that size does: the
		// markup cap bounds their total, as it bounds a page.
		lim := defaultEPUBLimits
		lim.entry, lim.total = min(lim.entry, r.maxMarkup), min(lim.total, r.maxMarkup)
		ml := r.markupLimit()
		lim.markup = &ml
		if st, err = readEPUBStory(raw, lim); err == nil {
			s.Encoding = st.encoding
		}
	} else {
		var src []byte
		if src, s.Encoding, err = decodeMarkup(raw); err == nil {
			raw = nil
			var doc *html.Node
			if doc, err = parseHTML(src); err == nil {
				if err = ao3Notice(doc); err == nil {
					st = readHTMLStory(doc)
				}
			}
		}
	}
	if err != nil {
		return fail(err)
	}
	s.Format = st.format
	s.Text = st.body
	if st.format == FormatHTML || st.format == FormatEPUB {
		// No known preface: the text may carry its own header. An EPUB's
		// package metadata (dc:creator, dc:language, ...) fills what that
		// header does not say; it was dropped.
		res := header.ParseWith(r.tx, st.body)
		s.Declared, s.BodyLine, s.BodyByte = res.Declared, res.BodyLine, res.BodyByte
		if start, line, titled, ok := storyInPreamble(st.body, s.BodyByte, res.Fields); ok && res.Layout == header.LayoutFreeForm {
			// A short story ending in a field-like line, as in a text
			// file (see readText).
			s.BodyByte, s.BodyLine = start, line
			if !titled {
				s.Declared.Title = ""
			}
		}
		if len(st.fields) > 0 {
			var extra []header.Field
			for _, f := range st.fields {
				if !slices.ContainsFunc(res.Fields, func(g header.Field) bool { return g.Key == f.Key }) {
					extra = append(extra, f)
				}
			}
			s.Declared = header.BuildWith(r.tx, append(slices.Clone(res.Fields), extra...))
		}
	} else {
		s.Declared, s.BodyLine, s.BodyByte = header.BuildWith(r.tx, st.fields), 1, 0
	}
	if strings.TrimSpace(s.Body()) == "" {
		return fail(fmt.Errorf("%w: no story text found in the %s", ErrEmpty, format))
	}
	if !r.noWords {
		s.Words = CountWords(s.Body())
	}
	return r.emit(s)
}

// trimExt removes the extension from the last element of a slash-separated
// path, unless nothing would be left (".profile").
func trimExt(p string) string {
	base := path.Base(p)
	if ext := path.Ext(base); ext != base {
		return strings.TrimSuffix(p, ext)
	}
	return p
}

// openError adds what to do to an error opening an input.
func openError(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w; check the path", err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w; check the file's permissions", err)
	}
	return err
}

func dirError(err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("%w; check the directory's permissions", err)
	}
	return err
}

// fieldsBefore reports whether a field of fields, other than a title the
// parser guessed from a first line without a label, starts in head (a
// prefix of the text they were read from).
func fieldsBefore(fields []header.Field, head string) bool {
	lines := strings.Count(head, "\n") + 1 // the line head ends on
	for _, f := range fields {
		// A title line and a by-line ("by someone") are guesses from the
		// top lines, not fields the author wrote.
		guess := f.Key == header.KeyTitle && f.Label == "" || f.Key == header.KeyAuthor && f.Label == "by"
		if f.Line > 0 && f.Line < lines && !guess {
			return true
		}
	}
	return false
}

// moreThanTitle reports whether s, the text before a trailer, is more
// than a title: two lines of text or more (separator lines aside), or one
// longer than a title line (100 characters).
func moreThanTitle(s string) bool {
	lines := 0
	for ln := range strings.Lines(s) {
		t := strings.TrimSpace(ln)
		if t == "" || strings.Trim(t, "-*~=_#. ") == "" {
			continue
		}
		if lines++; lines >= 2 || utf8.RuneCountInString(t) > 100 {
			return true
		}
	}
	return false
}

// preambleBody bounds the story left after a header for storyInPreamble
// to look at the lines above it: the preamble it weighs against is at most
// 60 words.
const preambleBody = 4 << 10

// maxAfterHeader is the most words storyInPreamble allows after the
// header it reads as the story's trailer.
const maxAfterHeader = 5

// storyInPreamble reports where a story starts (byte offset, 1-based
// line) when a free-form header's first field came after lines of prose
// and next to nothing follows the header (bodyByte; at most
// maxAfterHeader words, and fewer than the lines above hold): those lines
// were the story, and the fields followed it. A first line that
// reads as a title (titleLine) and by-lines stay out of the story; titled
// says whether the first line was kept as the title. fields are the
// header's, whose guessed title and by-line (Line set, no label, or the
// label "by") are not fields the author wrote.
func storyInPreamble(text string, bodyByte int, fields []header.Field) (start, line int, titled, ok bool) {
	if len(text)-bodyByte > preambleBody {
		return 0, 0, false, false
	}
	first, titleAt := 0, 0
	for _, f := range fields {
		switch {
		case f.Line <= 0:
		case f.Key == header.KeyTitle && f.Label == "":
			titleAt = f.Line
		case f.Key == header.KeyAuthor && f.Label == "by":
		case first == 0 || f.Line < first:
			first = f.Line
		}
	}
	if first <= 1 {
		return 0, 0, false, false
	}
	titled = titleAt > 0 && titleLine(text) != ""
	words, n, off := 0, 0, 0
	start, line = -1, 0
	for ln := range strings.Lines(text) {
		n++
		if n >= first {
			break
		}
		t := strings.TrimSpace(ln)
		switch {
		case t == "" || n == titleAt && titled:
		case start < 0 && (hasPrefixFold(t, "by ") || hasPrefixFold(t, "by:")):
		default:
			if start < 0 {
				start, line = off, n
			}
			words += len(strings.Fields(t))
		}
		off += len(ln)
	}
	// Next to nothing after the header (an author's note, a rating): with
	// a real story after it, the lines above were an introduction.
	if after := len(strings.Fields(text[min(bodyByte, len(text)):])); start < 0 || after > maxAfterHeader || words <= after {
		return 0, 0, false, false
	}
	return start, line, titled, true
}

// titleLine returns the first line of a story whose details follow it,
// when it reads as a title: short (100 characters at most), followed by a
// blank line or a by-line, and not ending as a sentence or a line of dialogue does
// ("Night Train", not "It rained." or "Run!"). Else "".
func titleLine(story string) string {
	story = strings.TrimLeft(story, " \t\r\n")
	first, rest, ok := strings.Cut(story, "\n")
	if !ok {
		return ""
	}
	t := strings.TrimSpace(first)
	if next, _, _ := strings.Cut(rest, "\n"); strings.TrimSpace(next) != "" && !hasPrefixFold(strings.TrimSpace(next), "by ") {
		return ""
	}
	if t == "" || utf8.RuneCountInString(t) > 100 || strings.ContainsAny(t[len(t)-1:], ".!?,;:\"'") ||
		strings.HasSuffix(t, "”") || strings.HasSuffix(t, "’") || strings.HasSuffix(t, "…") || strings.Trim(t, "-*~=_#. ") == "" {
		return ""
	}
	for _, p := range []string{"chapter", "part ", "prologue", "epilogue"} {
		if hasPrefixFold(t, p) {
			return "" // a chapter's heading, not the story's title
		}
	}
	if strings.Trim(t, "0123456789") == "" || len(t) <= 6 && strings.Trim(strings.ToUpper(t), "IVXLC") == "" ||
		slices.Contains(numberWords, strings.ToLower(t)) {
		return "" // a chapter's number: "1", "II", "One"
	}
	return strings.Trim(t, "*_#=~ ")
}

// numberWords are chapter numbers written out.
var numberWords = []string{"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
	"eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty"}

// hasPrefixFold reports whether s starts with prefix, ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// withTop fills the fields a header after the story (trailer) leaves empty
// from what a header at the top gave (a title line, say).
func withTop(trailer, top header.Declared) header.Declared {
	if trailer.Title == "" {
		trailer.Title = top.Title
	}
	if len(trailer.Authors) == 0 {
		trailer.Authors = top.Authors
	}
	if len(trailer.Fandoms) == 0 {
		trailer.Fandoms = top.Fandoms
	}
	if trailer.Summary == "" {
		trailer.Summary = top.Summary
	}
	return trailer
}

// fileKind names the kind of file that mode's type bits say, for errors
// about files that are not regular: words, where FileMode's String gives
// "p---------" for a named pipe.
func fileKind(mode fs.FileMode) string {
	switch t := mode.Type(); {
	case t&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case t&fs.ModeSocket != 0:
		return "a socket"
	case t&fs.ModeCharDevice != 0:
		return "a character device"
	case t&fs.ModeDevice != 0:
		return "a device"
	case t&fs.ModeDir != 0:
		return "a directory"
	case t&fs.ModeSymlink != 0:
		return "a symbolic link"
	case t&fs.ModeIrregular != 0:
		return "a file of unknown type"
	default:
		return "type " + t.String()
	}
}
