package header

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/taxonomy"
)

// The FanFicFare layout (LayoutFanFicFare) is what FanFicFare's txt writer
// produces with its default settings (wrap_width 78, windows_eol):
//
//	Title of Story
//
//	by Some Author
//
//
//	Category: Harry Potter - J. K. Rowling
//	Genre: Angst, Hurt/Comfort, Major Character Death
//	...
//	Publisher: archiveofourown.org
//	Story URL: https://archiveofourown.org/works/1
//	Summary: A long summary that FanFicFare wraps at seventy-eight columns so
//	that it continues on the next line without any indentation at all.
//
//
//
//	TABLE OF CONTENTS      (works of several chapters)
//
//	1. The Start
//
//	2. The End
//
//
//
//	        1. The Start
//
//	Story text ...
//
//	End file.
//
// Labels are FanFicFare's own: Category is the fandom, Genre holds the
// freeform tags (and, from AO3, the pairing categories), Extra Tags are
// the downloader's configured tags (not the author's) and are ignored. The
// title page is wrapped by Python's textwrap, which breaks a long value at
// spaces and after the hyphen inside a word, with no indentation: a line
// continues the field above it unless it starts with a FanFicFare label,
// or looks like "Label: value" after a line too short to have been wrapped.
// A summary of several paragraphs keeps its single blank lines; the title
// page ends at two or more.
//
// The body starts at the first line after the title page, the first
// chapter's heading, skipping the table of contents of a work of several
// chapters. The closing "End file." line stays in the body: a body is all
// of the text after its start, and two words change no finding.

// fffLabels maps the folded labels of FanFicFare's title page to their keys.
var fffLabels = map[string]string{
	"title": KeyTitle, "author": KeyAuthor,
	"category": KeyFandom, "fandoms": KeyFandom,
	"genre": KeyFreeform, "freeform tags": KeyFreeform,
	"ao3 categories": KeyCategory,
	"language":       KeyLanguage,
	"characters":     KeyCharacters,
	"relationships":  KeyRelationships, "pairing": KeyRelationships, "pairings": KeyRelationships, "ships": KeyRelationships,
	"rating":   KeyRating,
	"warnings": KeyWarnings,
	"summary":  KeySummary,
	"words":    KeyWords,
	"status":   KeyOther, "published": KeyOther, "updated": KeyOther, "packaged": KeyOther,
	"chapters": KeyOther, "publisher": KeyOther, "story url": KeyOther, "author url": KeyOther,
	"series": KeyOther, "series url": KeyOther, "extra tags": KeyOther, "story id": KeyOther,
	"author id": KeyOther, "site abbrev": KeyOther, "file format": KeyOther, "file extension": KeyOther,
	"downloader version": KeyOther, "comments": KeyOther, "kudos": KeyOther, "hits": KeyOther,
	"bookmarks": KeyOther, "collections": KeyOther, "chapters/total chapters": KeyOther,
	"total chapters": KeyOther, "reviews": KeyOther, "favorites": KeyOther, "follows": KeyOther,
}

// fffMarkers are the labels that only a downloader writes; two of them, or
// one and the closing "End file.", identify the layout.
var fffMarkers = map[string]bool{
	"packaged": true, "publisher": true, "story url": true, "author url": true,
	"downloader version": true, "site abbrev": true,
}

const (
	// fffWrapped is the length from which a title-page line may have been
	// wrapped: textwrap fills lines up to 78 columns.
	fffWrapped = 60
	// fffEndFile is the last line of FanFicFare's txt output.
	fffEndFile = "End file."
	// fffTOC heads FanFicFare's table of contents.
	fffTOC = "TABLE OF CONTENTS"
	// fffMaxTOCScan bounds the search for the first chapter after a table
	// of contents longer than the scanned lines.
	fffMaxTOCScan = 4 << 20
)

// fffField is a field of the title page being read.
type fffField struct {
	Field
	parts []string
}

// parseFanFicFare reads text in the FanFicFare layout; ok is false when
// text is not in it.
func parseFanFicFare(tx *taxonomy.Taxonomy, text string, lines []line) (Result, bool) {
	first, preamble := -1, 0
	for k, ln := range lines {
		t := strings.TrimSpace(ln.text)
		if t == "" {
			continue
		}
		if _, _, _, ok := fffLabel(t); ok {
			first = k
			break
		}
		if preamble++; preamble > maxPreamble {
			break
		}
	}
	if first < 0 {
		return Result{}, false
	}
	page, end := fffTitlePage(lines, first)
	markers := 0
	for _, f := range page {
		if fffMarkers[taxonomy.Fold(f.Label)] {
			markers++
		}
	}
	if markers < 2 && (markers < 1 || !strings.HasSuffix(strings.TrimRight(text, " \t\r\n"), fffEndFile)) {
		return Result{}, false
	}

	var fields []Field
	// Title and by-line above the title page.
	var title []string
	titleLine, titleDone := 0, false
	for k := 0; k < first; k++ {
		t := strings.TrimSpace(lines[k].text)
		if t == "" {
			titleDone = len(title) > 0 // a title wraps over lines that follow each other
			continue
		}
		if author, ok := byline(t); ok {
			fields = append(fields, Field{Key: KeyAuthor, Label: "by", Value: author, Line: k + 1})
			break
		}
		if titleDone {
			continue
		}
		if len(title) == 0 {
			titleLine = k + 1
		}
		title = append(title, t)
	}
	if len(title) > 0 {
		fields = append([]Field{{Key: KeyTitle, Value: joinWrapped(title), Line: titleLine}}, fields...)
	}
	for _, f := range page {
		f.Value = joinWrapped(f.parts)
		fields = append(fields, f.Field)
	}

	k := nextNonBlank(lines, end)
	r := result(tx, fields, lines, k, LayoutFanFicFare)
	if k < len(lines) && strings.TrimSpace(lines[k].text) == fffTOC {
		if off, ln, ok := fffAfterTOC(text, lines[k].next, k+2); ok {
			r.BodyByte, r.BodyLine = off, ln
		}
	}
	return r, true
}

// fffLabel reads "Label: value" with a FanFicFare label.
func fffLabel(t string) (label, key, value string, ok bool) {
	c := strings.IndexByte(headOf(t, maxLabelBytes+1), ':')
	if c <= 0 || c > maxLabelBytes {
		return "", "", "", false
	}
	label = t[:c]
	key, ok = fffLabels[taxonomy.Fold(label)]
	if !ok || strings.TrimSpace(label) != label {
		return "", "", "", false
	}
	return label, key, strings.TrimSpace(t[c+1:]), true
}

// fffTitlePage reads the title page that starts at lines[first]; end is
// the index of the first line after it.
func fffTitlePage(lines []line, first int) (fields []fffField, end int) {
	k := first
	for ; k < len(lines); k++ {
		raw := lines[k].text
		t := strings.TrimSpace(raw)
		if t == "" {
			// A summary of several paragraphs: one blank line, then text.
			if n := len(fields); n > 0 && fields[n-1].Key == KeySummary && k+1 < len(lines) && fffParagraph(lines[k+1].text) {
				fields[n-1].parts = append(fields[n-1].parts, "\n")
				continue
			}
			break
		}
		if label, key, value, ok := fffLabel(t); ok {
			fields = append(fields, fffField{Field: Field{Key: key, Label: label, Line: k + 1}, parts: []string{value}})
			continue
		}
		if len(fields) == 0 {
			break
		}
		prev := strings.TrimSpace(lines[k-1].text)
		if label, ok := labelLike(t); ok && prev != "" && utf8.RuneCountInString(prev) < fffWrapped {
			// A field FanFicFare knows and tagger does not ("Reviews: 12").
			fields = append(fields, fffField{Field: Field{Key: KeyOther, Label: label, Line: k + 1},
				parts: []string{strings.TrimSpace(t[len(label)+1:])}})
			continue
		}
		cur := &fields[len(fields)-1]
		cur.parts = append(cur.parts, t)
	}
	// Paragraph breaks in a summary: joinWrapped skips the "\n" markers,
	// so put them back as line breaks.
	for i := range fields {
		fields[i].parts = splitParagraphMarks(fields[i].parts)
	}
	return fields, k
}

// fffParagraph reports whether s may be a further paragraph of a summary:
// text, not a field, a heading, the table of contents or an indented
// chapter title.
func fffParagraph(s string) bool {
	t := strings.TrimSpace(s)
	if t == "" || t == fffTOC || indentOf(s) > 0 || isHeading(t) {
		return false
	}
	_, _, _, field := fffLabel(t)
	return !field
}

// splitParagraphMarks turns the parts of a value, with "\n" parts marking
// paragraph breaks, into parts whose paragraphs are joined by line breaks.
func splitParagraphMarks(parts []string) []string {
	var paras [][]string
	cur := []string{}
	for _, p := range parts {
		if p == "\n" {
			paras = append(paras, cur)
			cur = []string{}
			continue
		}
		cur = append(cur, p)
	}
	if len(paras) == 0 {
		return parts
	}
	paras = append(paras, cur)
	return []string{joinParagraphs(paras)}
}

// labelLike reports a line that starts like "Some Label: value": a colon
// after one to four capitalised words.
func labelLike(t string) (string, bool) {
	c := strings.IndexByte(headOf(t, 31), ':')
	if c <= 0 || c > 30 {
		return "", false
	}
	label := t[:c]
	words := strings.Fields(label)
	if len(words) == 0 || len(words) > 4 || strings.TrimSpace(label) != label {
		return "", false
	}
	for _, w := range words {
		if r, _ := utf8.DecodeRuneInString(w); !unicode.IsUpper(r) {
			return "", false
		}
	}
	return label, true
}

// fffAfterTOC finds the first chapter after FanFicFare's table of contents,
// which starts at byte pos on line lineNo: the first entry of the table
// names it, and the chapter's own heading is the next line with that text
// that is indented or follows two blank lines or more. It reads past the
// scanned lines, as a long table of contents may be longer than them.
func fffAfterTOC(text string, pos, lineNo int) (off, ln int, ok bool) {
	limit := min(len(text), pos+fffMaxTOCScan)
	entry := ""
	blanks := 0
	for pos < limit {
		end, next := lineEnd(text, pos)
		raw := text[pos:end]
		t := strings.TrimSpace(raw)
		switch {
		case t == "":
			blanks++
		case entry == "":
			entry, blanks = t, 0
		case t == entry && (indentOf(raw) > 0 || blanks >= 2):
			return pos, lineNo, true
		default:
			blanks = 0
		}
		pos, lineNo = next, lineNo+1
	}
	return 0, 0, false
}
