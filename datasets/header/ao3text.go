package header

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/taxonomy"
)

// The AO3 text layout (LayoutAO3) is what the Archive of Our Own's
// download preface becomes as plain text — its own text export, or its PDF
// export run through pdftotext:
//
//	Title Of The Work
//	Posted originally on the Archive of Our Own at http://archiveofourown.org/works/123456.
//
//	Rating:
//	    Explicit
//	Archive Warning:
//	    Graphic Depictions Of Violence, Major Character Death
//	...
//	Additional Tags:
//	    Angst, Hurt/Comfort, Self-Harm, Canon Divergence, Eventual Happy
//	    Ending
//	Stats:
//	    Published: 2019-05-01 Completed: 2019-06-02 Words: 45,210 Chapters: 12/12
//
//	Title Of The Work
//	by author_name
//
//	Summary
//
//	A summary paragraph.
//
//	Notes
//
//	Author's notes.
//
//	Chapter 1: The Start
//
// The "Posted originally" line comes first or after the title, and may wrap.
// Labels are singular or plural (AO3 writes "Archive Warnings:" for several
// warnings, and plural labels only since 2023), each followed by its value on
// lines of its own, indented or not, or on the label's line. A value wraps
// over several lines, even in the middle of a tag: the lines are joined with
// a space. In this layout, Category is the pairing category (M/M, F/F, Gen)
// and goes to tags, and Additional Tags are freeform tags (KeyFreeform).
//
// The title, the by-line, the Summary and Notes blocks (with the "See the
// end of the work for more notes" line) belong to the header. The body
// starts at AO3's first chapter heading ("Chapter 1" or "Chapter 1: Title")
// of a work of several chapters, else after the last block. A block ends
// where its indentation ends, when it is indented (pdftotext -layout);
// else at the next line AO3 writes after it ("Notes", "See the end of the
// work…", "Chapter 1") if that comes within AO3's length limit for the
// block; else, as nothing marks where the notes of a one-chapter work end
// and its story begins, at the end of its first paragraph. The chapters'
// own summaries and notes, their end notes and the afterword are in the
// body, where NoteFilter blanks them.

// ao3Labels maps the folded labels of the AO3 layout to their keys.
var ao3Labels = map[string]string{
	"rating": KeyRating, "ratings": KeyRating,
	"archive warning": KeyWarnings, "archive warnings": KeyWarnings,
	"warning": KeyWarnings, "warnings": KeyWarnings, // before AO3 renamed the tag type
	"category": KeyCategory, "categories": KeyCategory,
	"fandom": KeyFandom, "fandoms": KeyFandom,
	"relationship": KeyRelationships, "relationships": KeyRelationships,
	"character": KeyCharacters, "characters": KeyCharacters,
	"additional tags": KeyFreeform, "additional tag": KeyFreeform,
	"language":    KeyLanguage,
	"series":      KeyOther,
	"collections": KeyOther, "collection": KeyOther,
	"stats": KeyOther,
}

// Length limits of AO3's summary and notes, with room for the line breaks
// and indentation of a text export: a flat block whose end marker lies
// further than this from its start does not end there.
const (
	ao3MaxSummary = 1250 + 750
	ao3MaxNotes   = 5000 + 1000
	// ao3MaxTitleLines is how many lines a wrapped title may take.
	ao3MaxTitleLines = 3
	// ao3MaxPostedLine is how much of a line is read for the "Posted
	// originally" line.
	ao3MaxPostedLine = 256
	// ao3MinOwnLineFields is how many "Label:" lines, each with its value
	// on lines of its own, identify the layout without the "Posted
	// originally" line.
	ao3MinOwnLineFields = 3
)

// ao3Field is a field of the label block being read.
type ao3Field struct {
	Field
	parts    []string
	indent   int  // indentation of the label line
	indented bool // the value lines are indented under the label
	ownLine  bool // the value starts on a line of its own
}

// parseAO3 reads text in the AO3 layout; ok is false when text is not in it.
func parseAO3(tx *taxonomy.Taxonomy, text string, lines []line) (Result, bool) {
	posted, postedEnd := ao3Posted(lines)
	first := -1
	from, budget := 0, maxPreamble
	if posted >= 0 {
		from, budget = postedEnd, 4
	}
	for k := from; k < len(lines) && budget >= 0; k++ {
		t := strings.TrimSpace(lines[k].text)
		if t == "" {
			continue
		}
		if _, _, _, ok := ao3Label(t); ok {
			first = k
			break
		}
		budget--
	}
	if first < 0 {
		return Result{}, false
	}
	block, end := ao3Block(lines, first)
	ownLine, core := 0, false
	for _, f := range block {
		if f.ownLine {
			ownLine++
			core = core || f.Key == KeyRating || f.Key == KeyWarnings
		}
	}
	if posted < 0 && (ownLine < ao3MinOwnLineFields || !core) {
		return Result{}, false
	}

	var fields []Field
	if title, at := ao3Title(lines, first, posted, postedEnd); at >= 0 {
		fields = append(fields, Field{Key: KeyTitle, Value: title, Line: at + 1})
	}
	for _, f := range block {
		f.Value = joinWrapped(f.parts)
		fields = append(fields, f.Field)
	}

	// The title again, then the by-line.
	k := nextNonBlank(lines, end)
	for n := 0; n < ao3MaxTitleLines && k+n < len(lines) && !isBlank(lines[k+n].text); n++ {
		if author, ok := byline(strings.TrimSpace(lines[k+n].text)); ok {
			if n > 0 {
				fields = append(fields, Field{Key: KeyTitle, Value: joinWrapped(lineTexts(lines, k, k+n)), Line: k + 1})
			}
			fields = append(fields, Field{Key: KeyAuthor, Label: "by", Value: author, Line: k + n + 1})
			k = nextNonBlank(lines, k+n+1)
			break
		}
	}

	// Summary and Notes blocks, up to the body.
	for k < len(lines) {
		t := strings.TrimSpace(lines[k].text)
		if ao3ChapterOne(t) {
			break
		}
		if key, ok := ao3BlockLabel(t); ok {
			paras, next := ao3TextBlock(lines, k, key)
			fields = append(fields, Field{Key: key, Label: strings.TrimRight(t, ":"), Value: joinParagraphs(paras), Line: k + 1})
			k = nextNonBlank(lines, next)
			continue
		}
		if !ao3PrefaceLine(t) {
			break
		}
		k = nextNonBlank(lines, k+1)
	}
	if dropRepeatedTitle(fields) {
		fields = dropSecondTitle(fields)
	}
	return result(tx, fields, lines, k, LayoutAO3), true
}

// ao3Posted finds the "Posted originally on the Archive of Our Own at URL."
// line among the first lines, and the line after it (after its wrapped
// rest, if the URL went to the next line).
func ao3Posted(lines []line) (at, end int) {
	for k, seen := 0, 0; k < len(lines) && seen <= maxPreamble; k++ {
		t := strings.TrimSpace(lines[k].text)
		if t == "" {
			continue
		}
		seen++
		if !startsWithP(t) {
			continue // cannot fold to "posted ..."
		}
		f := taxonomy.Fold(headOf(t, ao3MaxPostedLine))
		if !strings.HasPrefix(f, "posted originally on the") {
			continue
		}
		end = k + 1
		if !strings.HasSuffix(t, ".") && end < len(lines) && !isBlank(lines[end].text) {
			f += " " + taxonomy.Fold(headOf(lines[end].text, ao3MaxPostedLine))
			end++
		}
		if strings.Contains(f, "archive of our own") {
			return k, end
		}
	}
	return -1, -1
}

// startsWithP reports whether the first letter or digit of t is a P or
// a p: taxonomy.Fold keeps every letter and digit, in order, so a line
// whose fold starts with "posted" must start so. It spares folding (and
// allocating for) every other line.
func startsWithP(t string) bool {
	for _, r := range t {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r) == 'p'
		}
	}
	return false
}

// ao3Title reads the title above the label block that starts at
// lines[first]: the first run of lines other than "Preface" and the
// "Posted originally" line (lines[posted:postedEnd]). at is the index of
// its first line, or -1 when there is none.
func ao3Title(lines []line, first, posted, postedEnd int) (title string, at int) {
	var run []string
	at = -1
	for k := 0; k < first; k++ {
		if posted >= 0 && k >= posted && k < postedEnd {
			continue
		}
		t := strings.TrimSpace(lines[k].text)
		if t == "" || strings.EqualFold(t, "Preface") {
			if len(run) > 0 {
				break
			}
			continue
		}
		if len(run) == 0 {
			at = k
		}
		if len(run) < ao3MaxTitleLines {
			run = append(run, t)
		}
	}
	return joinWrapped(run), at
}

// ao3Label reads "Label:" or "Label: value" with a label of the AO3 layout.
func ao3Label(t string) (label, key, value string, ok bool) {
	c := strings.IndexByte(headOf(t, maxLabelBytes+1), ':')
	if c <= 0 || c > maxLabelBytes {
		return "", "", "", false
	}
	label = strings.TrimSpace(t[:c])
	key, ok = ao3Labels[taxonomy.Fold(label)]
	if !ok {
		return "", "", "", false
	}
	return label, key, strings.TrimSpace(t[c+1:]), true
}

// ao3Block reads the label block that starts at lines[first]; end is the
// index of the first line after it.
func ao3Block(lines []line, first int) (fields []ao3Field, end int) {
	var cur *ao3Field
	flush := func() {
		if cur != nil {
			fields = append(fields, *cur)
			cur = nil
		}
	}
	k := first
	for k < len(lines) {
		raw := lines[k].text
		t := strings.TrimSpace(raw)
		if t == "" {
			// Blank lines may part two fields, or a label from its value.
			n := nextNonBlank(lines, k)
			if n < len(lines) {
				if _, _, _, ok := ao3Label(strings.TrimSpace(lines[n].text)); ok || cur != nil && len(cur.parts) == 0 && n-k <= 2 {
					k = n
					continue
				}
			}
			break
		}
		if label, key, value, ok := ao3Label(t); ok {
			flush()
			cur = &ao3Field{Field: Field{Key: key, Label: label, Line: k + 1}, indent: indentOf(raw)}
			if value != "" {
				cur.parts = []string{value}
			}
			k++
			continue
		}
		if cur == nil {
			break
		}
		indented := indentOf(raw) > cur.indent
		switch {
		case len(cur.parts) == 0:
			cur.ownLine, cur.indented = true, indented
		case cur.indented || !cur.ownLine && indented:
			if !indented {
				flush()
				return fields, k
			}
		case !ao3FlatContinues(cur, lines[k-1].text, t):
			flush()
			return fields, k
		}
		cur.parts = append(cur.parts, t)
		k++
	}
	flush()
	return fields, k
}

// ao3FlatContinues reports whether t, not indented, continues the value of
// cur whose last line was prev: the wrapped rest of Stats, or of a value
// whose last line ends with a comma or a hyphen or is long enough to have
// been wrapped.
func ao3FlatContinues(cur *ao3Field, prev, t string) bool {
	if taxonomy.Fold(cur.Label) == "stats" {
		for _, s := range []string{"Published:", "Updated:", "Completed:", "Words:", "Chapters:"} {
			if strings.Contains(t, s) {
				return true
			}
		}
		r, _ := utf8.DecodeRuneInString(t)
		return unicode.IsDigit(r)
	}
	prev = strings.TrimSpace(prev)
	return strings.HasSuffix(prev, ",") || strings.HasSuffix(prev, "-") || utf8.RuneCountInString(prev) >= 60
}

// ao3BlockLabel reads the "Summary" and "Notes" lines of the preface.
func ao3BlockLabel(t string) (key string, ok bool) {
	switch strings.ToLower(strings.TrimRight(t, ": ")) {
	case "summary":
		return KeySummary, true
	case "notes":
		return KeyNotes, true
	}
	return "", false
}

// ao3ChapterOne reports AO3's heading of a work's first chapter: "Chapter
// 1" or "Chapter 1: Title".
func ao3ChapterOne(t string) bool {
	l := strings.ToLower(t)
	return l == "chapter 1" || strings.HasPrefix(l, "chapter 1:")
}

// ao3PrefaceLine reports the other lines the preface may hold after its
// notes: the link to the end notes, and the links to translations
// ("Translation into Español available: …"). Links to works this one was
// inspired by are left out: "Inspired by …" also starts stories.
func ao3PrefaceLine(t string) bool {
	return ao3EndNotesLink(t) || strings.HasPrefix(strings.ToLower(t), "translation into ")
}

// ao3EndNotesLink reports the line "See the end of the work for (more)
// notes" that ends the notes of a work with end notes.
func ao3EndNotesLink(t string) bool {
	return strings.HasPrefix(strings.ToLower(t), "see the end of the work for")
}

// ao3TextBlock reads the Summary or Notes block whose label is on
// lines[at]: its paragraphs, and the index of the line after it.
func ao3TextBlock(lines []line, at int, key string) (paras [][]string, next int) {
	c := nextNonBlank(lines, at+1)
	if c >= len(lines) {
		return nil, c
	}
	if base := indentOf(lines[at].text); indentOf(lines[c].text) > base {
		last := c
		for k := c; k < len(lines); k++ {
			if isBlank(lines[k].text) {
				continue
			}
			if indentOf(lines[k].text) <= base {
				break
			}
			last = k
		}
		return paragraphs(lines, c, last+1), last + 1
	}
	limit := ao3MaxSummary
	if key == KeyNotes {
		limit = ao3MaxNotes
	}
	for k := c; k < len(lines) && lines[k].start-lines[c].start <= limit; k++ {
		t := strings.TrimSpace(lines[k].text)
		if ao3ChapterOne(t) || ao3EndNotesLink(t) {
			return paragraphs(lines, c, k), k
		}
		if other, ok := ao3BlockLabel(t); ok && other != key {
			return paragraphs(lines, c, k), k
		}
	}
	k := c
	for k < len(lines) && !isBlank(lines[k].text) {
		k++
	}
	return paragraphs(lines, c, k), k
}

// lineTexts returns the trimmed texts of lines[from:to].
func lineTexts(lines []line, from, to int) []string {
	var out []string
	for k := from; k < to; k++ {
		out = append(out, strings.TrimSpace(lines[k].text))
	}
	return out
}

// dropRepeatedTitle reports whether fields hold two titles, the second a
// repeat of the first: the AO3 preface writes the title twice.
func dropRepeatedTitle(fields []Field) bool {
	var titles []string
	for _, f := range fields {
		if f.Key == KeyTitle {
			titles = append(titles, f.Value)
		}
	}
	return len(titles) == 2 && oneLine(titles[0]) == oneLine(titles[1])
}

// dropSecondTitle removes the second title field.
func dropSecondTitle(fields []Field) []Field {
	out := fields[:0]
	seen := false
	for _, f := range fields {
		if f.Key == KeyTitle {
			if seen {
				continue
			}
			seen = true
		}
		out = append(out, f)
	}
	return out
}
