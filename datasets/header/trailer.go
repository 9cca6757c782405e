package header

import (
	"strings"

	"github.com/tagger-dev/tagger/taxonomy"
)

// maxTrailer bounds the end of a text searched for a header written after
// the story.
const maxTrailer = 4 << 10

// ParseTrailer reads a header written at the end of body (a story's text
// after its top header, if any), after a separator line ("---", "***",
// "* * *", "~~~", "oOo") or, without one, as the last paragraph: some
// authors and archives put the story's details after it. The lines after
// the separator must all be header fields (two or more for a paragraph
// without a separator), and declare a rating or warnings. It returns what they declare
// (Result.Fields, Result.Declared) and the offset in body where the
// separator line starts, where the story ends; ok is false when body ends
// with no such header.
func ParseTrailer(tx *taxonomy.Taxonomy, body string) (res Result, end int, ok bool) {
	if tx == nil {
		tx = taxonomy.Default()
	}
	from := max(0, len(body)-maxTrailer)
	tail := body[from:]
	// The last separator line of the tail.
	sep := -1
	for off := 0; off < len(tail); {
		nl := strings.IndexByte(tail[off:], '\n')
		next := len(tail)
		if nl >= 0 {
			next = off + nl + 1
		}
		if isSeparator(strings.TrimSpace(tail[off:next])) && (off > 0 || from == 0) {
			sep = off
		}
		off = next
	}
	minFields := 1
	if sep < 0 {
		// No separator: the last paragraph, if it is two fields or more.
		para := lastBlankLine(strings.TrimRight(tail, " \t\r\n"))
		if para < 0 || para == 0 && from > 0 {
			return Result{}, 0, false
		}
		sep, minFields = para, 2
	}
	start := sep + strings.IndexByte(tail[sep:], '\n') + 1
	if start <= sep || strings.TrimSpace(tail[start:]) == "" {
		return Result{}, 0, false
	}
	block := tail[start:]
	if !headerStart(tx, block) {
		return Result{}, 0, false // the quick look that spares most stories a parse
	}
	r := parseLinesWith(tx, block)
	if strings.TrimSpace(block[r.BodyByte:]) != "" {
		return Result{}, 0, false // story text after the fields: not a trailer
	}
	// Every line a field of its own (a line of prose after a label is a
	// story's line that happens to start like one), and a rating or
	// warnings read from them.
	lines := 0
	for _, l := range strings.Split(block, "\n") {
		if strings.TrimSpace(l) != "" {
			lines++
		}
	}
	d := r.Declared
	if len(r.Fields) < max(lines, minFields) || d.DeclaredRating == "" && d.WarningStatus == taxonomy.StateMissing {
		return Result{}, 0, false
	}
	return r, from + sep, true
}

// lastBlankLine returns the offset of the start of the last blank line of
// t (spaces and a carriage return count as blank), or -1. It reads t from
// the end, so it costs the length of t's last paragraph.
func lastBlankLine(t string) int {
	end := len(t)
	for end > 0 {
		nl := strings.LastIndexByte(t[:end], '\n')
		if nl < 0 {
			return -1
		}
		// The line t[nl+1:end] ends at end; the one before it ends at nl.
		start := strings.LastIndexByte(t[:nl], '\n') + 1
		if strings.TrimSpace(t[start:nl]) == "" {
			return start
		}
		end = nl
	}
	return -1
}
