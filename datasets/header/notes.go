package header

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"unicode/utf8"
)

// AO3's text export keeps, among a work's chapters, what its HTML download
// keeps in blocks of their own: each chapter's summary and notes, after the
// chapter's heading, its end notes, after its text, and the work's
// afterword (its end notes, the works inspired by it and the archive's
// "Please drop by the archive and comment" line):
//
//	Chapter 2: The Lighthouse
//
//	Chapter Summary
//
//	Wren goes up the lighthouse.
//
//	Chapter Notes
//
//	CW: a fall. See you next week!
//
//	See the end of the chapter for more notes
//
//	Nobody was allowed up the lighthouse. ...
//
//	Chapter End Notes
//
//	Thank you for reading!
//
//	Chapter 3: Letters
//
// They are the author's words about the story, not the story: scored as its
// text, "CW: torture" or "Next chapter: someone bleeds out" were findings,
// and their cues declared nothing. NoteFilter blanks them and keeps their
// text as notes fields, whose cues declare, as the HTML reader does.
//
// A chapter's end notes run to the next chapter heading ("Chapter 3",
// "Chapter 3: Letters") or the afterword, which runs to the end. A summary
// or notes block ends where its indentation ends, when it is indented
// (pdftotext -layout); else at the "See the end of the chapter for more
// notes" line, at a notes block after a summary, or at a chapter heading,
// if one comes within AO3's length limit for the block; else, as nothing
// marks where a chapter's notes end and its text begins, at the end of its
// first paragraph (as the work's Notes block in the header is read).

// Limits of NoteFilter.
const (
	// ao3MaxChapterSummary and ao3MaxChapterNotes are AO3's limits for a
	// chapter's summary and notes, with room for line breaks, as
	// ao3MaxSummary and ao3MaxNotes are for the work's.
	ao3MaxChapterSummary = ao3MaxSummary
	ao3MaxChapterNotes   = ao3MaxNotes
	// maxNoteText bounds the notes text a NoteFilter keeps, so that a work
	// of thousands of chapters does not grow its story without bound;
	// notes past it are still blanked.
	maxNoteText = 256 << 10
	// noteLabelBytes is as long as a line can be and still be one of the
	// lines NoteFilter looks for; a longer line is text.
	noteLabelBytes = 256
)

// Kinds of block NoteFilter tells.
const (
	noteNone = iota
	noteSummary
	noteNotes
	noteEnd
	noteAfterword
)

// noteLabels are the labels AO3's text export writes on a line of their own.
var noteLabels = map[string]int{
	"chapter summary":   noteSummary,
	"chapter notes":     noteNotes,
	"chapter end notes": noteEnd,
	"afterword":         noteAfterword,
}

// NoteFilter reads the body of a work in AO3's text layout, with the
// chapters' summaries, notes and end notes and the work's afterword
// blanked: every byte of them but line breaks is a space, so that offsets
// and line numbers stay those of the text as given, and a story read
// whole and one read in chunks (streamed) read alike. Notes returns the
// blocks' text. It holds at most a block's length limit of text besides
// one buffer's worth of a line.
type NoteFilter struct {
	src     *bufio.Reader
	out     []byte // filtered bytes, read up to r
	r       int
	err     error // the source's error, once out is drained
	eof     bool  // the source has ended
	midLine bool  // the last piece read did not end its line
	disp    int   // where the pieces of the current line go: dispEmit, ...
	// authors: the filter reads authors' notes in a free-form story
	// (NewAuthorNoteFilter), not AO3's blocks.
	authors bool
	// In an author's note: the bytes it may still take, and whether a
	// line of its text has been read (a label alone on its line, "A/N:",
	// is followed by a blank line and then its text).
	noteLeft int
	noteText bool

	state int // noteNone, or the block the filter is in
	// An open summary or notes block whose end is not yet known: its
	// label line and the lines after it, held until it is decided.
	pend      []byte
	pendLines []int // end offset in pend of each held line
	pendKind  int
	indent    int  // the label line's indentation
	indented  bool // the block's first text line is indented past it
	sawText   bool // a text line has been held after the label

	notes   []Field
	kept    int // bytes of notes text kept
	current strings.Builder
	label   string
	found   bool
}

// Where the pieces of a long line go after its first.
const (
	dispEmit = iota
	dispBlank
	dispHold
)

// NewNoteFilter returns a NoteFilter reading r, the body of a work in
// AO3's text layout.
func NewNoteFilter(r io.Reader) *NoteFilter {
	return &NoteFilter{src: bufio.NewReaderSize(r, 64<<10)}
}

// NewAuthorNoteFilter returns a NoteFilter reading r, the body of a story
// in any other layout, for the authors' notes among its paragraphs: a
// paragraph that starts with an author's-note label ("A/N:", "AN:",
// "Author's Note -", "(A/N: ...", "End notes:") is blanked and kept as a
// note, up to its blank line (the paragraph after it, when the label is
// alone on its line), at most maxAuthorNote bytes. FanFiction.net stories
// open and close chapters with them: "A/N: warning for a suicide attempt
// in this chapter" or "A/N: go read my other fic, the knife one" were
// scored as the story, and declared nothing.
func NewAuthorNoteFilter(r io.Reader) *NoteFilter {
	return &NoteFilter{src: bufio.NewReaderSize(r, 64<<10), authors: true}
}

// maxAuthorNote bounds an author's note: past it, its paragraph is read
// as story.
const maxAuthorNote = ao3MaxNotes

// Found reports whether any block was blanked so far.
func (f *NoteFilter) Found() bool { return f.found }

// Notes returns the text of the blocks read so far, one notes field each,
// labelled as AO3 labels them ("Chapter Notes", "Afterword").
func (f *NoteFilter) Notes() []Field {
	if f.pendKind == noteNone {
		f.flushNote()
	}
	return f.notes
}

// Read reads filtered text.
func (f *NoteFilter) Read(p []byte) (int, error) {
	if f.r == len(f.out) {
		// Drained: the buffer is filled again from its start, with
		// lines up to a batch's worth, so that a long story makes no
		// garbage and few calls.
		f.out, f.r = f.out[:0], 0
		for len(f.out) < noteBatch && f.err == nil {
			f.step()
		}
		if len(f.out) == 0 {
			return 0, f.err
		}
	}
	n := copy(p, f.out[f.r:])
	f.r += n
	return n, nil
}

// noteBatch is how many bytes of text Read filters at a time.
const noteBatch = 32 << 10

// step reads the next line, or the next buffer's worth of a long one,
// and files it.
func (f *NoteFilter) step() {
	seg, err := f.src.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		err = nil
	}
	if err != nil {
		f.eof = true
	}
	if len(seg) > 0 {
		starts := !f.midLine
		ends := seg[len(seg)-1] == '\n' || f.eof
		f.midLine = !ends
		// seg is the reader's buffer, good until the next read: what
		// is kept of it is copied (emit, hold).
		if starts {
			f.line(seg, ends)
		} else {
			f.piece(seg)
		}
	}
	if f.eof {
		// Reading the rest of a block again may open another.
		for f.pendKind != noteNone {
			f.resolve()
		}
		f.flushNote()
		f.err = err
	}
}

// piece files a piece of a long line after its first, as its first went.
func (f *NoteFilter) piece(seg []byte) {
	switch f.disp {
	case dispBlank:
		f.blank(seg)
	case dispHold:
		f.pend = append(f.pend, seg...)
		f.pendLines[len(f.pendLines)-1] = len(f.pend)
		f.checkLimit()
	default:
		f.emit(seg)
	}
}

// line files a line, or the first piece of a long one (not whole), which
// is never a label.
func (f *NoteFilter) line(seg []byte, whole bool) {
	if f.authors {
		f.authorLine(seg, whole)
		return
	}
	t := ""
	if whole && len(seg) <= noteLabelBytes {
		t = string(bytes.TrimSpace(seg)) // short: a label, a heading, a link
	}
	if f.pendKind != noteNone {
		f.pendLine(seg, whole, t)
		return
	}
	kind := noteLabels[strings.ToLower(t)]
	switch f.state {
	case noteAfterword:
		f.blank(seg)
		f.disp = dispBlank
		return
	case noteEnd:
		switch {
		case ao3ChapterHeading(t):
			f.state = noteNone
			f.flushNote()
			f.emit(seg)
			f.disp = dispEmit
			return
		case kind == noteAfterword, kind == noteSummary, kind == noteNotes:
			// A heading lost: what follows is read as it would be
			// after one.
			f.state = noteNone
		default:
			f.blank(seg)
			f.disp = dispBlank
			return
		}
	}
	switch kind {
	case noteSummary, noteNotes:
		f.pendKind, f.indent, f.indented, f.sawText = kind, indentOf(string(seg)), false, false
		f.label = t
		f.pend = append(f.pend[:0], seg...)
		f.pendLines = append(f.pendLines[:0], len(f.pend))
		f.disp = dispHold
	case noteEnd, noteAfterword:
		f.state = kind
		f.startNote(t)
		f.emitBlank(seg)
		f.disp = dispBlank
	default:
		f.emit(seg)
		f.disp = dispEmit
	}
}

// authorLine files a line of a free-form story (NewAuthorNoteFilter).
func (f *NoteFilter) authorLine(seg []byte, whole bool) {
	blankLine := whole && len(bytes.TrimSpace(seg)) == 0
	if f.state == noteNotes {
		switch {
		case blankLine && f.noteText, f.noteLeft <= 0:
			f.state = noteNone
			f.flushNote()
		default:
			if !blankLine {
				f.noteText = true
			}
			f.noteLeft -= len(seg)
			f.blank(seg)
			f.disp = dispBlank
			return
		}
	}
	if rest, ok := authorNoteStart(seg); ok {
		f.state = noteNotes
		f.startNote("A/N")
		f.noteLeft = maxAuthorNote - len(seg)
		f.noteText = len(bytes.TrimSpace(rest)) > 0
		f.current.Write(rest)
		f.emitBlank(seg)
		f.disp = dispBlank
		return
	}
	f.emit(seg)
	f.disp = dispEmit
}

// HasAuthorNote reports whether a line of text starts with an author's
// note label, so that NewAuthorNoteFilter would change it: a scan of line
// starts, many times cheaper than filtering a text that has none.
func HasAuthorNote(text string) bool {
	for pos := 0; pos < len(text); {
		end := strings.IndexByte(text[pos:], '\n')
		if end < 0 {
			end = len(text) - pos
		}
		if line := text[pos : pos+end]; mayStartNote(line) {
			if _, ok := authorNoteStart([]byte(line[:min(len(line), 40)])); ok {
				return true
			}
		}
		pos += end + 1
	}
	return false
}

// AuthorNoteLine reports whether a line, of which head holds the first
// bytes (40 are enough), starts with an author's note label.
func AuthorNoteLine(head []byte) bool {
	_, ok := authorNoteStart(head)
	return ok
}

// authorNoteLabels are the labels that start an author's note in a story's
// body, folded. Labels a story's own text could start a paragraph with
// ("Note:", "Notes:", "P.S.") are left out.
var authorNoteLabels = []string{
	"a/n", "a.n.", "a.n", "an", "author's note", "author's notes", "authors note", "authors notes",
	"author note", "author notes", "author’s note", "author’s notes", "end note", "end notes",
	"ending note", "ending notes", "end a/n", "ps a/n", "chapter note", "chapter notes",
}

// authorNoteStart reports whether line starts with an author's-note label
// followed by a colon or a dash, and returns what follows it. "AN" counts
// only in capitals: "An: " starts no sentence, but "an" is a word.
func authorNoteStart(line []byte) (rest []byte, ok bool) {
	head := line[:min(len(line), 40)]
	t := bytes.TrimLeft(head, " \t*_#([")
	if len(t) == 0 || !noteInitial[t[0]] {
		return nil, false
	}
	for _, l := range authorNoteLabels {
		if len(t) < len(l) || !hasPrefixFold(t, l) {
			continue
		}
		if l == "an" && string(t[:2]) != "AN" {
			continue
		}
		after := bytes.TrimLeft(t[len(l):], "*_)]")
		after = bytes.TrimLeft(after, " \t")
		switch {
		case bytes.HasPrefix(after, []byte(":")):
			after = after[1:]
		case bytes.HasPrefix(after, []byte("-")), bytes.HasPrefix(after, []byte("–")), bytes.HasPrefix(after, []byte("—")):
			_, size := utf8.DecodeRune(after)
			after = after[size:]
		default:
			continue
		}
		after = bytes.TrimLeft(after, "*_)] \t") // "**A/N:** text"
		// after is a suffix of head, which starts line.
		return line[len(head)-len(after):], true
	}
	return nil, false
}

// noteInitial holds the first letters of authorNoteLabels, both cases:
// most lines start with none of them, and are turned away at once.
var noteInitial = func() (set [256]bool) {
	for _, l := range authorNoteLabels {
		set[l[0]] = true
		set[l[0]-'a'+'A'] = true
	}
	return set
}()

// mayStartNote reports whether line could start with an author's note
// label, by its first letter after any decoration: a test that allocates
// nothing, asked of every line of a story.
func mayStartNote(line string) bool {
	for i := 0; i < len(line) && i < 40; i++ {
		switch c := line[i]; c {
		case ' ', '\t', '*', '_', '#', '(', '[':
			continue
		default:
			return noteInitial[c]
		}
	}
	return false
}

// hasPrefixFold reports whether b starts with l, a lower-case label,
// ignoring the case of ASCII letters, without allocating.
func hasPrefixFold(b []byte, l string) bool {
	if len(b) < len(l) {
		return false
	}
	for i := 0; i < len(l); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != l[i] {
			return false
		}
	}
	return true
}

// pendLine files a line after an open summary or notes block's label.
func (f *NoteFilter) pendLine(seg []byte, whole bool, t string) {
	blankLine := whole && len(bytes.TrimSpace(seg)) == 0
	if f.sawText && !blankLine && f.indented && indentOf(string(seg)) <= f.indent {
		// An indented block ends at the first line not indented past
		// its label.
		f.decide(len(f.pendLines))
		f.line(seg, whole)
		return
	}
	if !f.sawText && !blankLine {
		f.sawText = true
		f.indented = indentOf(string(seg)) > f.indent
	}
	kind := noteLabels[strings.ToLower(t)]
	switch {
	case ao3ChapterEndLink(t):
		f.hold(seg)
		f.decide(len(f.pendLines))
		return
	case kind == noteNotes && f.pendKind == noteSummary:
		f.decide(len(f.pendLines))
		f.line(seg, whole)
		return
	case ao3ChapterHeading(t) || kind != noteNone:
		f.resolve()
		f.line(seg, whole)
		return
	}
	f.hold(seg)
	f.checkLimit()
}

// hold adds a line to the open block.
func (f *NoteFilter) hold(seg []byte) {
	f.pend = append(f.pend, seg...)
	f.pendLines = append(f.pendLines, len(f.pend))
	f.disp = dispHold
}

// checkLimit decides the open block once it is longer than AO3 allows.
func (f *NoteFilter) checkLimit() {
	limit := ao3MaxChapterSummary
	if f.pendKind == noteNotes {
		limit = ao3MaxChapterNotes
	}
	if len(f.pend)-f.pendLines[0] > limit {
		f.resolve()
	}
}

// resolve decides an open block whose end was not found within its
// limit: it ends with its first paragraph (all of it, when indented), and
// the lines held after that are read again.
func (f *NoteFilter) resolve() {
	n := 1 // the label line
	text := false
	for n < len(f.pendLines) {
		ln := f.pend[f.pendLines[n-1]:f.pendLines[n]]
		if len(bytes.TrimSpace(ln)) == 0 {
			if text && !f.indented {
				break
			}
		} else {
			text = true
		}
		n++
	}
	f.decide(n)
}

// decide blanks the first n held lines as the block, and reads the rest
// again.
func (f *NoteFilter) decide(n int) {
	pend, lines := f.pend, f.pendLines
	f.pendKind = noteNone
	f.startNote(f.label)
	f.emitBlank(pend[:lines[0]])
	f.disp = dispBlank
	for k := 1; k < n; k++ {
		f.blank(pend[lines[k-1]:lines[k]])
	}
	// The note stays open: the rest of a long last line is its too.
	// The rest is read again, as lines (the last may be the first piece
	// of a long one). It is copied aside, as reading it may open another
	// block in pend.
	rest := append([]byte(nil), pend[lines[n-1]:]...)
	ends := make([]int, 0, len(lines)-n)
	for _, e := range lines[n:] {
		ends = append(ends, e-lines[n-1])
	}
	f.pend, f.pendLines = f.pend[:0], f.pendLines[:0]
	from := 0
	for _, e := range ends {
		seg := rest[from:e]
		f.line(seg, seg[len(seg)-1] == '\n' || e == len(rest) && f.eof && !f.midLine)
		from = e
	}
}

// startNote begins a notes field labelled label.
func (f *NoteFilter) startNote(label string) {
	f.flushNote()
	f.label = label
	f.found = true
}

// flushNote ends the current notes field.
func (f *NoteFilter) flushNote() {
	if v := strings.TrimSpace(f.current.String()); v != "" {
		f.notes = append(f.notes, Field{Key: KeyNotes, Label: f.label, Value: v})
	}
	f.current.Reset()
}

// blank blanks a line of a block, keeping its text as notes unless it is
// one of the lines AO3 writes in every afterword.
func (f *NoteFilter) blank(seg []byte) {
	if f.kept < maxNoteText && !ao3Boilerplate(seg) {
		k := min(len(seg), maxNoteText-f.kept)
		f.current.Write(seg[:k])
		f.kept += k
	}
	f.emitBlank(seg)
}

// emit makes a copy of seg readable.
func (f *NoteFilter) emit(seg []byte) { f.out = append(f.out, seg...) }

// emitBlank makes seg readable with every byte but line breaks a space.
func (f *NoteFilter) emitBlank(seg []byte) {
	start := len(f.out)
	f.out = append(f.out, seg...)
	for i := start; i < len(f.out); i++ {
		if c := f.out[i]; c != '\n' && c != '\r' {
			f.out[i] = ' '
		}
	}
}

// ao3Boilerplate reports the lines AO3 writes in every work's notes, which
// say nothing of the work: "End Notes", "Works inspired by this one:",
// "Please drop by the archive and comment to let the creator know if you
// enjoyed their work!" and "See the end of the chapter for more notes".
func ao3Boilerplate(seg []byte) bool {
	if len(seg) > noteLabelBytes {
		return false
	}
	t := strings.ToLower(strings.TrimSpace(string(seg)))
	return t == "end notes" || t == "works inspired by this one:" || strings.HasPrefix(t, "please drop by the archive and comment") ||
		ao3ChapterEndLink(t)
}

// ao3ChapterHeading reports a chapter heading of AO3's text export:
// "Chapter 3" or "Chapter 3: Title".
func ao3ChapterHeading(t string) bool {
	rest, ok := strings.CutPrefix(t, "Chapter ")
	if !ok {
		return false
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	return n > 0 && (n == len(rest) || rest[n] == ':')
}

// ao3ChapterEndLink reports the line "See the end of the chapter for
// (more) notes" that ends a chapter's notes when it has end notes.
func ao3ChapterEndLink(t string) bool {
	return strings.HasPrefix(strings.ToLower(t), "see the end of the chapter for")
}
