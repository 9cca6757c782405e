// Package header parses the free-form headers that authors put above their
// stories ("Rating: NC-17", "Warnings: major character death") into
// normalised declared metadata, and finds where the story body begins.
//
// A header is a run of "Label: value" fields near the top of a text, in any
// case and many spellings, possibly preceded by a title, a by-line or
// author's notes, possibly with several fields on one line, continuation
// lines, and notes between fields. The body starts at the first line after
// the last field that is not blank or a separator; a chapter heading after
// the header ("15. Unexpected.", "Chapter 1") belongs to the body.
//
// Two machine-written layouts are recognised and read by rules of their
// own (see Layout): the works that the Archive of Our Own (AO3) exports as
// text, and the TXT files of the FanFicFare downloader. Everything else is
// read as a free-form header.
package header

import (
	"bytes"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/taxonomy"
)

// Field keys: the canonical name of a header field, whatever spelling the
// author used for its label.
const (
	KeyTitle         = "title"
	KeyAuthor        = "author"
	KeyRating        = "rating"
	KeyWarnings      = "warnings"
	KeyRelationships = "relationships"
	KeyCategory      = "category"
	KeyFandom        = "fandom"
	KeyCharacters    = "characters"
	KeySummary       = "summary"
	KeyDisclaimer    = "disclaimer"
	KeySpoilers      = "spoilers"
	KeyArchive       = "archive"
	KeyFeedback      = "feedback"
	KeyNotes         = "notes"
	KeyTags          = "tags"
	KeyWords         = "words"
	KeyLanguage      = "language"
	KeyOther         = "other" // recognised header field whose value tagger does not use

	// Archive statistics, as AO3 work pages give them.
	KeyPublished = "published" // date first posted
	KeyUpdated   = "updated"   // date of the last chapter ("Updated:" or "Completed:")
	KeyChapters  = "chapters"  // chapters posted and planned: "3/10", "1/?"

	// KeyFreeform holds freeform tags (AO3's Additional Tags, FanFicFare's
	// Genre): they are kept in Tags, and those that name a warning also
	// declare it (see Build).
	KeyFreeform = "freeform"
)

// Field is one header field as found in a story.
type Field struct {
	Key   string `json:"key"`   // one of the Key constants
	Label string `json:"label"` // the label as written ("Warning(s)")
	// Value is the field's value; continuation lines are joined with "\n"
	// so that list-shaped values (one warning a line) keep their shape,
	// except in the AO3 and FanFicFare layouts, whose continuation lines
	// are a long value wrapped, and are joined with a space (with nothing
	// after a word broken at a hyphen: "Self-" + "Harm").
	Value string `json:"value"`
	Line  int    `json:"line"` // 1-based line where the field starts; 0 when not from a text
	// Item marks a value that is one item of a list as a structured
	// format gives it (an element of a JSONL list): Build keeps it whole,
	// where a written list ("Tags: angst; fluff") is split at commas and
	// semicolons and trimmed of decoration.
	Item bool `json:"item,omitempty"`
}

// Result is a parsed header: the declared metadata, the fields it came from
// and where the body starts.
type Result struct {
	Declared Declared
	Fields   []Field
	// BodyLine is the 1-based line on which the body starts.
	BodyLine int
	// BodyByte is the byte offset in the parsed text at which the body starts.
	BodyByte int
	// Layout is the layout the header was read as: LayoutAO3,
	// LayoutFanFicFare or LayoutFreeForm.
	Layout Layout
}

// Layout is a header layout Parse recognises.
type Layout string

// Header layouts Parse recognises.
const (
	// LayoutFreeForm is any header an author wrote by hand, and the
	// layout of a text without a header.
	LayoutFreeForm Layout = "free-form"
	// LayoutAO3 is a work exported by the Archive of Our Own as text, or
	// its PDF export run through pdftotext: a "Posted originally on the
	// Archive of Our Own" line, "Label:" lines each followed by its value
	// on lines of their own, the title and by-line, Summary and Notes
	// blocks, then the chapters. Category is the pairing category (a tag)
	// and Additional Tags are freeform tags (KeyFreeform). The body starts
	// at "Chapter 1" or after the Summary and Notes blocks.
	LayoutAO3 Layout = "ao3"
	// LayoutFanFicFare is a TXT file written by FanFicFare: title, by-line,
	// "Label: value" lines wrapped at 78 columns without indentation,
	// an optional table of contents, chapters, and a final "End file."
	// line, which stays in the body. Category is the fandom and Genre
	// holds freeform tags. The body starts at the first chapter.
	LayoutFanFicFare Layout = "fanficfare"
)

// Limits of the header search. A header lies at the top of a story; looking
// further only finds story text that happens to contain a colon.
const (
	maxScanLines = 400
	maxScanBytes = 64 << 10
	// MaxHeaderLine is where a header ends at the latest: a line that
	// runs to this byte or past it is story (a whole story on one line
	// after "Author's note:"), and so is all after it. A streamed story's
	// first MaxHeaderLine bytes are all a header is looked for in, so a
	// story reads the same whatever its size.
	MaxHeaderLine = 1 << 20
	maxPreamble   = 12 // non-blank lines allowed before the first field
	// maxPreambleWords bounds the words before the first field: a title, a
	// by-line, a dedication. A paragraph of prose before a "Notes:" or
	// "Disclaimer:" line means the line is in the story (AO3's end notes
	// after a chapter's text), not in a header above it.
	maxPreambleWords = 60
	maxGap           = 3  // unlabelled lines allowed between two fields
	maxGapAfterNote  = 12 // ... after a notes field, whose text runs on
	maxLabelBytes    = 48
	maxLabelWords    = 5
)

type lineKind int

const (
	kindProse lineKind = iota
	kindBlank
	kindField
	kindSeparator
	kindHeading
)

type line struct {
	text        string // without its line break
	start, next int    // byte offsets: start of line, start of the next line
	kind        lineKind
	fields      []Field // for kindField: the first field and any inline ones
}

// Parse reads the header at the top of text, if any, in the layout it
// recognises (Result.Layout). A text without a recognisable header yields
// a Result whose body is the whole text and whose warning status is
// missing.
//
// Parse reads against the default taxonomy; ParseWith takes another.
func Parse(text string) Result { return ParseWith(nil, text) }

// ParseWith is Parse with the taxonomy tx, which tells ratings and warning
// terms in header lines and names the labels of Result.Declared (see
// BuildWith): a model's own, for its labels. nil is taxonomy.Default().
func ParseWith(tx *taxonomy.Taxonomy, text string) Result {
	if tx == nil {
		tx = taxonomy.Default()
	}
	if !headerStart(tx, text) {
		// Most stories of a corpus have no header: telling so from their
		// first lines keeps header parsing a small share of a batch run.
		return Result{Declared: BuildWith(tx, nil), BodyLine: 1, Layout: LayoutFreeForm}
	}
	return parseLinesWith(tx, text)
}

// parseLines is parseLinesWith the default taxonomy.
func parseLines(text string) Result { return parseLinesWith(taxonomy.Default(), text) }

// parseLinesWith is ParseWith without the quick look for a header's start.
func parseLinesWith(tx *taxonomy.Taxonomy, text string) Result {
	buf := linesPool.Get().(*[]line)
	lines := scanLines(tx, (*buf)[:0], text)
	r, ok := parseAO3(tx, text, lines)
	if !ok {
		r, ok = parseFanFicFare(tx, text, lines)
	}
	if !ok {
		r = parseFreeForm(tx, text, lines)
	}
	// No Result refers to lines (fields are copied out of them). Cleared,
	// the pooled lines keep neither the text nor their fields alive.
	clear(lines)
	*buf = lines[:0]
	linesPool.Put(buf)
	return r
}

// linesPool holds the line slices of scanLines, which reach maxScanLines
// lines for most stories: reused, header parsing allocates little more
// than the fields it finds.
var linesPool = sync.Pool{New: func() any { return new([]line) }}

// parseFreeForm reads a header written by hand.
func parseFreeForm(tx *taxonomy.Taxonomy, text string, lines []line) Result {
	first, preamble, words := -1, 0, 0
	for i, ln := range lines {
		if ln.kind == kindBlank {
			continue
		}
		if ln.kind == kindField {
			first = i
			break
		}
		if preamble++; preamble > maxPreamble {
			break
		}
		if words += len(strings.Fields(ln.text)); words > maxPreambleWords {
			break
		}
	}
	if first < 0 {
		return Result{Declared: BuildWith(tx, nil), BodyLine: 1, Layout: LayoutFreeForm}
	}

	var fields []Field
	// Title and by-line before the first field.
	for i, ln := range lines[:first] {
		t := strings.TrimSpace(ln.text)
		if t == "" {
			continue
		}
		if author, ok := byline(t); ok {
			fields = append(fields, Field{Key: KeyAuthor, Label: "by", Value: author, Line: i + 1})
			continue
		}
		if !hasKey(fields, KeyTitle) && utf8.RuneCountInString(t) <= 100 && ln.kind != kindSeparator {
			fields = append(fields, Field{Key: KeyTitle, Label: "", Value: strings.Trim(t, "*_#=~ "), Line: i + 1})
		}
	}
	// A title line guessed from the preamble gives way to a Title field.
	guessedTitle := len(fields) > 0 && fields[len(fields)-1].Key == KeyTitle && fields[len(fields)-1].Label == ""

	last := first // index of the last header line
	cut := -1     // last before the header read on over prose to a field
	for i := first; i >= 0 && i < len(lines); {
		block := append([]Field(nil), lines[i].fields...)
		cur := &block[len(block)-1]
		j := i + 1
		var cont []string
		if cur.Value == "" && (cur.Key == KeySummary || isNotesKey(cur.Key)) &&
			j+1 < len(lines) && lines[j].kind == kindBlank && lines[j+1].kind == kindProse {
			j++ // "Summary:" then a blank line, then the summary
		} else if cur.Value == "" && cur.Key == KeyWarnings && j+1 < len(lines) && lines[j].kind == kindBlank &&
			lines[j+1].kind == kindProse && namesWarning(tx, lines[j+1].text) {
			j++ // "Warnings:" then a blank line, then the warnings, not the story
		}
		prev := lines[i].text
		for j < len(lines) && lines[j].kind == kindProse && continues(prev, lines[j].text, cur.Value == "" && len(cont) == 0) {
			cont = append(cont, strings.TrimLeft(strings.TrimSpace(lines[j].text), "-*•· "))
			prev = lines[j].text
			j++
		}
		if len(cont) > 0 {
			v := strings.Join(cont, "\n")
			if cur.Value != "" {
				v = cur.Value + "\n" + v
			}
			cur.Value = v
		}
		for k := range block {
			block[k].Line = i + 1
		}
		fields = append(fields, block...)
		last = j - 1

		gap := maxGap
		if isNotesKey(cur.Key) {
			gap = maxGapAfterNote
		}
		next := nextField(lines, j, gap)
		if next >= 0 && slices.ContainsFunc(lines[j:next], func(l line) bool { return l.kind == kindProse }) {
			cut = last // the header so far, before it reads on over prose
		}
		i = next
	}
	if guessedTitle && countKey(fields, KeyTitle) > 1 {
		fields = dropGuessedTitle(fields)
	}
	if proseWarning(tx, fields) {
		// "Warning: the sign on the pier said the water was dangerous."
		// in the story's second line: prose, not a header.
		return Result{Declared: BuildWith(tx, nil), BodyLine: 1, Layout: LayoutFreeForm}
	}

	body, bodyLine := bodyAfter(lines, last)
	if cut >= 0 && strings.TrimSpace(text[body:]) == "" {
		// Read on over prose to a field, the header left no story: the
		// prose was the story, and the field a closing note ("A/N:
		// Please review!" after a drabble). The story starts after the
		// header as it stood before; the fields after stay declared.
		body, bodyLine = bodyAfter(lines, cut)
	}
	return Result{
		Declared: BuildWith(tx, fields),
		Fields:   fields,
		BodyLine: bodyLine + 1,
		BodyByte: body,
		Layout:   LayoutFreeForm,
	}
}

// proseWarning reports whether fields are a guessed title that ends as a
// sentence does (the story's first line) and one warnings field whose
// value is a sentence of prose that says nothing of warnings: six words or
// more, ending as a sentence ends, with no label, state, ruled-out label
// or tag in it.
func proseWarning(tx *taxonomy.Taxonomy, fields []Field) bool {
	var w *Field
	sentence := false // the guessed title ends as a sentence does
	for i := range fields {
		f := &fields[i]
		switch {
		case f.Key == KeyTitle && f.Label == "":
			t := strings.TrimSpace(f.Value)
			sentence = t != "" && strings.ContainsAny(t[len(t)-1:], ".!?")
		case f.Key == KeyAuthor && f.Label == "by":
		case w != nil || f.Key != KeyWarnings:
			return false
		default:
			w = f
		}
	}
	if w == nil || !sentence {
		return false // "Quiet Hours" then "Warning: this one is dark." is a header
	}
	v := strings.TrimSpace(w.Value)
	if len(strings.Fields(v)) < 6 || !strings.ContainsAny(v[len(v)-1:], ".!?") {
		return false
	}
	d := BuildWith(tx, []Field{*w})
	return len(d.DeclaredWarnings) == 0 && len(d.NegatedWarnings) == 0 && len(d.Tags) == 0 &&
		d.WarningStatus != taxonomy.StateNoneApply && d.WarningStatus != taxonomy.StateChoseNotToWarn
}

// bodyAfter returns where the body starts after a header whose last line
// is lines[last]: the byte offset and the 0-based line.
func bodyAfter(lines []line, last int) (body, bodyLine int) {
	if last+1 < len(lines) {
		body, bodyLine = lines[last].next, last+1
		for k := last + 1; k < len(lines); k++ {
			if lines[k].kind != kindBlank && lines[k].kind != kindSeparator {
				return lines[k].start, k
			}
		}
		return body, bodyLine
	}
	body, bodyLine = lines[last].next, last+1
	if ln := lines[last]; ln.next == ln.start+len(ln.text) {
		bodyLine = last // no line break after the header: the empty body is on its last line
	}
	return body, bodyLine
}

// nextField finds the next field after a field block that ends before
// lines[from], or -1 when the header is over: too much unlabelled text, a
// chapter heading, or text after a separator.
func nextField(lines []line, from, gap int) int {
	prose, afterSeparator := 0, false
	for k := from; k < len(lines); k++ {
		switch lines[k].kind {
		case kindBlank:
		case kindField:
			return k
		case kindHeading:
			return -1
		case kindSeparator:
			afterSeparator = true
		default:
			if afterSeparator {
				return -1
			}
			if prose++; prose > gap {
				return -1
			}
		}
	}
	return -1
}

// continues reports whether cur continues the value of a field whose last
// line was prev: the value so far is empty, or cur is indented or a bullet
// or an aside in parentheses ("(for violence)" under a rating), or prev
// looks hard-wrapped (a line of 60 to 100 characters).
func continues(prev, cur string, empty bool) bool {
	if empty {
		return true
	}
	if r, _ := utf8.DecodeRuneInString(cur); r == ' ' || r == '\t' || r == '-' || r == '*' || r == '•' || r == '·' {
		return true
	}
	if t := strings.TrimSpace(cur); strings.HasPrefix(t, "(") && strings.HasSuffix(t, ")") {
		return true // an aside on the field above: "Rating: R" then "(for violence)"
	}
	n := utf8.RuneCountInString(strings.TrimRight(prev, " \t"))
	return n >= 60 && n <= 100
}

// headerLook is how many non-blank lines at the top of a story may hold
// the start of a header: every layout's first line (a field, an AO3 label
// or "Posted originally" line, a FanFicFare label) comes within
// maxPreamble+1 of them; a few more are looked at for safety.
const headerLook = maxPreamble + 4

// headerStart reports whether one of the first non-blank lines of text
// could start a header in any layout. When it reports false, every parser
// finds no header, so the story is all body.
func headerStart(tx *taxonomy.Taxonomy, text string) bool {
	seen := 0
	for pos, kept := 0, 0; pos < len(text) && kept < maxScanBytes && seen < headerLook; {
		end, next := lineEnd(text, pos)
		t := strings.TrimSpace(text[pos:end])
		pos, kept = next, kept+min(end-pos, maxLineText)+1
		if t == "" {
			continue
		}
		seen++
		if !isSeparator(t) && len(parseFieldLine(tx, t)) > 0 { // classifyLine's kindField
			return true
		}
		if _, _, _, ok := ao3Label(t); ok {
			return true
		}
		if _, _, _, ok := fffLabel(t); ok {
			return true
		}
		// AO3's "Posted originally on the Archive of Our Own" line, which
		// ao3Posted folds; its first word, after any decoration, is enough.
		if w := strings.TrimLeftFunc(t, func(r rune) bool { return !unicode.IsLetter(r) }); len(w) >= 6 && strings.EqualFold(w[:6], "posted") {
			return true
		}
	}
	return false
}

// scanLines splits the top of text into classified lines, appended to
// lines. \r\n, \r and \n all end a line, so offsets stay those of the
// text as given.
func scanLines(tx *taxonomy.Taxonomy, lines []line, text string) []line {
	for pos, kept := 0, 0; pos < len(text) && len(lines) < maxScanLines && kept < maxScanBytes; {
		end, next := lineEnd(text, pos)
		if end >= MaxHeaderLine {
			break // see MaxHeaderLine
		}
		ln := line{text: text[pos:end], start: pos, next: next}
		classifyLine(tx, &ln)
		lines = append(lines, ln)
		pos, kept = next, kept+min(end-pos, maxLineText)+1
	}
	return lines
}

// maxLineText is as much of one line as counts against the window of
// maxScanBytes: a longer line (a title of half a megabyte, a line of
// 100,000 tags) is read whole, as the work on a line is linear in its length, but does not
// push the fields after it out of the window.
const maxLineText = 8 << 10

func classifyLine(tx *taxonomy.Taxonomy, ln *line) {
	t := strings.TrimSpace(ln.text)
	switch {
	case t == "":
		ln.kind = kindBlank
	case isSeparator(t):
		ln.kind = kindSeparator
	default:
		if fs := parseFieldLine(tx, t); len(fs) > 0 {
			ln.kind, ln.fields = kindField, fs
		} else if isHeading(t) {
			ln.kind = kindHeading
		}
	}
}

// parseFieldLine reads "Label: value" at the start of a trimmed line, and
// any further "Label: value" fields run inline after it.
func parseFieldLine(tx *taxonomy.Taxonomy, t string) []Field {
	full := t
	t = strings.TrimLeftFunc(t, func(r rune) bool {
		return strings.ContainsRune("*_#>[•·-~!(= \t", r) || isDecor(r) // "🔞 Rating: E"
	})
	// Fields each in brackets, "[Rating: M] [Warnings: none]": cells.
	if u := strings.TrimSpace(full); strings.HasPrefix(u, "[") && strings.HasSuffix(u, "]") {
		if cells := bracketCells(u); cells != "" {
			if fs := barFields(tx, cells); fs != nil {
				return fs
			}
		}
	}
	// A line in brackets, "[Rated: T | Pairing: A/B]": its closing bracket
	// is not the last value's.
	opened := full[:len(full)-len(t)]
	for _, p := range [...][2]string{{"[", "]"}, {"(", ")"}} {
		if strings.Contains(opened, p[0]) {
			if u := strings.TrimRight(t, " \t"); strings.HasSuffix(u, p[1]) && !strings.Contains(u, p[0]) {
				t = strings.TrimSuffix(u, p[1])
			}
		}
	}
	if fs := barFields(tx, t); fs != nil {
		return fs
	}
	key, label, rest, ok := fieldStartWith(tx, t)
	if !ok {
		return nil
	}
	fields := []Field{{Key: key, Label: label}}
	for {
		cur := &fields[len(fields)-1]
		at, l, k, after := nextInline(rest)
		if at < 0 {
			cur.Value = cleanValue(rest)
			return fields
		}
		cur.Value = cleanValue(rest[:at])
		fields = append(fields, Field{Key: k, Label: l})
		rest = after
	}
}

// bracketCells rewrites a line of bracketed cells, "[Rating: M] [Warnings:
// none]", as cells between bars, "Rating: M | Warnings: none"; "" for a
// line that is not two bracketed cells or more.
func bracketCells(u string) string {
	inner := u[1 : len(u)-1]
	n := 0
	var b strings.Builder
	for {
		i := strings.Index(inner, "]")
		if i < 0 {
			break
		}
		j := strings.Index(inner[i+1:], "[")
		if j < 0 || strings.TrimSpace(inner[i+1:i+1+j]) != "" {
			return "" // a bracket closed with more than space before the next
		}
		b.WriteString(inner[:i])
		b.WriteString(" | ")
		inner = inner[i+1+j+1:]
		n++
	}
	if n == 0 || strings.ContainsAny(inner, "[]") {
		return ""
	}
	b.WriteString(inner)
	return b.String()
}

// barFields reads a line of cells between bars that holds a field after
// its first cell ("Naruto | Rated: K+ | English | Words: 1,234", "pairing:
// none | fandom: genshin impact | rating: teen", "Rated T | Warnings:
// none"): each cell that is a field is one, whatever the case of its
// label, and a cell that is not goes on the value of the field before it
// ("Summary: He ran | She hid"), or is left out before the first. It
// returns nil for any other line, which the other readings take.
func barFields(tx *taxonomy.Taxonomy, t string) []Field {
	if strings.IndexByte(t, '|') < 0 || len(t) > maxCellsLine {
		return nil
	}
	var fields []Field
	later := false // a field after the first cell
	for i, c := range strings.Split(t, "|") {
		c = strings.TrimSpace(c)
		if c == "" {
			continue
		}
		if key, label, rest, ok := fieldStartWith(tx, c); ok && key != KeyCells && key != KeyUnlabelled {
			fields = append(fields, Field{Key: key, Label: label, Value: cleanValue(rest)})
			later = later || i > 0
			continue
		}
		if label, _, ok := splitLabel(c); ok && len(strings.Fields(label)) <= 2 && strings.IndexByte(c, ':') == len(label) &&
			len(fields) > 0 && singleValued(fields[len(fields)-1].Key) {
			// A field tagger does not know ("wc: 2k", "au: modern")
			// after a rating or a title: its own cell, not more of that
			// value. After warnings or tags it is more of them
			// ("Warnings: blood | mentioned: self-harm").
			continue
		}
		if n := len(fields); n > 0 {
			fields[n-1].Value += " | " + c
		}
	}
	if !later {
		return nil
	}
	return fields
}

// singleValued reports whether a field of key holds one value (a rating,
// a title, a count), not a list or prose a cell could go on.
func singleValued(key string) bool {
	switch key {
	case KeyWarnings, KeyNotesWarnings, KeySummary, KeyFreeform, KeyCategory, KeyKeywords, KeyCells, KeyUnlabelled:
		return false
	}
	return !isNotesKey(key)
}

// labelSeps are the separators other than a colon that may end a label,
// with spaces round them, as a label can hold a dash.
var labelSeps = []string{" - ", " – ", " — ", " = ", " ~ ", " >> "}

// labelSepsIn is len(labelSeps) when head may hold one of them, and 0
// when it cannot: no space followed by the first byte of a separator's
// mark. Prose rarely can, and this is asked of every line near the top
// of a story.
func labelSepsIn(head string) int {
	for i := 0; i+1 < len(head); i++ {
		if head[i] != ' ' {
			continue
		}
		switch head[i+1] {
		case '-', '=', '~', '>', 0xE2: // 0xE2 starts "–" and "—"
			return len(labelSeps)
		}
	}
	return 0
}

// dotLeader finds the first dot leader in head: a run of four dots or
// more, or of two ellipses or more (three dots, or one ellipsis, are
// prose's: "Summary... that was what he needed"), with the spaces round
// it. It returns where the run starts (spaces included) and its length,
// or -1.
func dotLeader(head string) (int, int) {
	i := strings.Index(head, "....")
	if j := strings.Index(head, "……"); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i < 0 || i > maxLabelBytes {
		return -1, 0
	}
	start := i
	for start > 0 && head[start-1] == ' ' {
		start--
	}
	end := i
	for end < len(head) {
		switch {
		case head[end] == '.' || head[end] == ' ':
			end++
		case strings.HasPrefix(head[end:], "…"):
			end += len("…")
		default:
			return start, end - start
		}
	}
	return start, end - start
}

// splitLabel splits "Label: value" (also "**Label:** value", "Label ::
// value", "⚠️ Warnings ⚠️: value", and "Label - value", "Label ~ value",
// "Label >> value", "Label ...... value" with a known label) into its
// label and the rest.
func splitLabel(t string) (label, rest string, ok bool) {
	// Only a colon within a label's length counts: look no further, as
	// most lines asked are paragraphs of prose.
	if c := strings.IndexByte(t[:min(len(t), maxLabelBytes+1)], ':'); c > 0 {
		label = trimDecor(t[:c], "*_]")
		rest = t[c+1:]
		if strings.HasPrefix(rest, ":") && !strings.HasPrefix(rest, ":)") {
			rest = rest[1:] // "Rating :: PG-13"
		}
	} else {
		// "Rating - R", "Rating ~ R": the first separator within a label's length.
		c, sep := -1, ""
		head := t[:min(len(t), maxLabelBytes+4)]
		for _, d := range labelSeps[:labelSepsIn(head)] {
			if i := strings.Index(head, d); i > 0 && i <= maxLabelBytes && (c < 0 || i < c) {
				c, sep = i, d
			}
		}
		if c < 0 {
			// Dot leaders, as in a table of contents: "Rating ...... M",
			// "Warnings…graphic violence".
			if i, n := dotLeader(head); i > 0 {
				c, sep = i, head[i:i+n]
			}
		}
		if c > 0 {
			label, rest = trimDecor(t[:c], "*_]"), t[c+len(sep):]
			if _, ok := lookupLabel(label); !ok || weakLabels[fold(label)] {
				return "", "", false
			}
		}
	}
	if label == "" || len(strings.Fields(label)) > maxLabelWords {
		return "", "", false
	}
	if r, _ := utf8.DecodeRuneInString(label); r == '"' || r == '\'' || r == '“' || r == '‘' {
		return "", "", false
	}
	return label, rest, true
}

// nextInline finds the next "Label:" inside a field value: a known, not
// weak, label that starts with a capital letter after a space.
func nextInline(v string) (at int, label, key, after string) {
	for off := 0; off < len(v); {
		c := strings.IndexByte(v[off:], ':')
		if c < 0 {
			return -1, "", "", ""
		}
		c += off
		off = c + 1
		// Try the last 1..4 words before the colon, longest first. Only
		// they can be a label: a bounded window of text before the colon
		// keeps a value of many colons linear.
		head := strings.TrimRight(v[:c], "*_ ")
		from := 0
		if len(head) > 4*maxLabelBytes {
			from = len(head) - 4*maxLabelBytes
			sp := strings.IndexAny(head[from:], " \t\r\n")
			if sp < 0 {
				continue // one long word: no label
			}
			from += sp
		}
		words := strings.Fields(head[from:])
		for n := min(4, len(words)); n >= 1; n-- {
			cand := strings.Join(words[len(words)-n:], " ")
			cand = strings.TrimLeft(cand, "*_(")
			r, _ := utf8.DecodeRuneInString(cand)
			if !unicode.IsUpper(r) {
				continue
			}
			k, ok := lookupLabel(cand)
			if !ok || weakLabels[fold(cand)] {
				continue
			}
			start := from + wordStart(head[from:], len(words)-n)
			if start <= 0 {
				continue // a label at the very start is the line's own label
			}
			return start, cand, k, v[c+1:]
		}
	}
	return -1, "", "", ""
}

// wordStart returns the byte offset of the i-th whitespace-separated word of s.
func wordStart(s string, i int) int {
	n := -1
	inWord := false
	for pos, r := range s {
		if unicode.IsSpace(r) {
			inWord = false
			continue
		}
		if !inWord {
			inWord = true
			n++
			if n == i {
				return pos
			}
		}
	}
	return -1
}

func cleanValue(v string) string {
	return trimDecor(strings.TrimLeft(strings.TrimSpace(v), "*_"), "")
}

// isSeparator reports lines such as "~~~~", "* * *", "-----", "oOo", "xXx".
func isSeparator(t string) bool {
	// The runes first: a line of prose fails at its first letter, before
	// its length is counted.
	symbols, letters := 0, 0
	for _, r := range t {
		switch {
		case unicode.IsSpace(r), r == '\uFE0F' || r == '\uFE0E' || r == '\u200D':
		case r == 'o' || r == 'O' || r == '0' || r == 'x' || r == 'X':
			letters++
		case unicode.IsPunct(r) || unicode.IsSymbol(r):
			symbols++
		default:
			return false
		}
	}
	if longerThan(t, 60) {
		return false
	}
	return symbols >= 3 || symbols+letters >= 3 && letters > 0 && symbols > 0 || letters >= 3 && strings.ContainsAny(t, "oO") && strings.ContainsAny(t, "0xX")
}

// isHeading reports chapter and part headings: "Chapter 1", "15.
// Unexpected.", "Part Two", "Prologue", "IV.". It reads the first word of
// the line lowered into a buffer on the stack, as it is asked of every
// short line of prose near the top of a story.
func isHeading(t string) bool {
	if longerThan(t, 80) {
		return false
	}
	s := strings.Trim(t, "*_#=~-–— ")
	first, n := firstWord(s)
	if n == 0 {
		return false
	}
	if len(first) > 64 {
		return isHeadingFields(s)
	}
	// The words of strings.ToLower(s) are those of s, each lowered: the
	// mapping is rune by rune and never makes or unmakes a space.
	var buf [64]byte
	w := appendLower(buf[:0], first)
	switch string(bytes.TrimRight(w, ".:")) {
	case "chapter", "part", "prologue", "epilogue", "interlude", "book", "act", "ch", "chap":
		return true
	}
	// "15. Unexpected." or "IV." — a number and a short title.
	if c := w[len(w)-1]; c == '.' || c == ')' || c == ':' {
		num := bytes.TrimRight(w, ".):")
		if len(num) > 0 && wordsAtMost(s, 8) && (allDigits(string(num)) && len(num) <= 3 || isRoman(string(num))) {
			return true
		}
	}
	return false
}

// isHeadingFields is isHeading as strings.Fields and strings.ToLower
// tell it, for a first word too long for isHeading's buffer.
func isHeadingFields(s string) bool {
	f := strings.Fields(strings.ToLower(s))
	if len(f) == 0 {
		return false
	}
	switch strings.TrimRight(f[0], ".:") {
	case "chapter", "part", "prologue", "epilogue", "interlude", "book", "act", "ch", "chap":
		return true
	}
	w := f[0]
	if strings.HasSuffix(w, ".") || strings.HasSuffix(w, ")") || strings.HasSuffix(w, ":") {
		num := strings.TrimRight(w, ".):")
		if num != "" && len(f) <= 8 && (allDigits(num) && len(num) <= 3 || isRoman(num)) {
			return true
		}
	}
	return false
}

// firstWord returns the first word of s as strings.Fields splits it (on
// unicode.IsSpace; an invalid byte is not a space), and 1 when there is
// one, else 0.
func firstWord(s string) (string, int) {
	start := -1
	for i, r := range s {
		if unicode.IsSpace(r) {
			if start >= 0 {
				return s[start:i], 1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start < 0 {
		return "", 0
	}
	return s[start:], 1
}

// wordsAtMost reports whether s has at most n words as strings.Fields
// counts them.
func wordsAtMost(s string, n int) bool {
	words, in := 0, false
	for _, r := range s {
		if unicode.IsSpace(r) {
			in = false
		} else if !in {
			if in, words = true, words+1; words > n {
				return false
			}
		}
	}
	return true
}

// appendLower appends s lowered as strings.ToLower lowers it: rune by rune,
// an invalid byte becoming U+FFFD.
func appendLower(dst []byte, s string) []byte {
	for _, r := range s {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			dst = append(dst, byte(r))
			continue
		}
		dst = utf8.AppendRune(dst, unicode.ToLower(r))
	}
	return dst
}

// longerThan reports whether s has more than n runes, reading no more
// of s than it must: lines of prose run long.
func longerThan(s string, n int) bool {
	if len(s) <= n {
		return false
	}
	if len(s) > utf8.UTFMax*n {
		return true
	}
	return utf8.RuneCountInString(s) > n
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

func isRoman(s string) bool {
	for _, r := range s {
		if !strings.ContainsRune("ivxlc", r) {
			return false
		}
	}
	return s != "" && len(s) <= 6
}

// byline reads "by Name" or "written by Name" on a short line.
func byline(t string) (string, bool) {
	if utf8.RuneCountInString(t) > 80 {
		return "", false
	}
	l := strings.ToLower(t)
	for _, p := range []string{"written by ", "by "} {
		if strings.HasPrefix(l, p) {
			name := strings.TrimSpace(t[len(p):])
			if name != "" {
				return name, true
			}
		}
	}
	return "", false
}

func hasKey(fs []Field, key string) bool { return countKey(fs, key) > 0 }

func countKey(fs []Field, key string) int {
	n := 0
	for _, f := range fs {
		if f.Key == key {
			n++
		}
	}
	return n
}

func dropGuessedTitle(fs []Field) []Field {
	out := fs[:0]
	for _, f := range fs {
		if f.Key == KeyTitle && f.Label == "" {
			continue
		}
		out = append(out, f)
	}
	return out
}
