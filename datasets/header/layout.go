package header

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/taxonomy"
)

// lineEnd finds the line that starts at pos: end is where its text ends
// and next where the next line starts. \r\n, \r and \n each end a line.
func lineEnd(text string, pos int) (end, next int) {
	// Two vectorised byte searches: IndexAny looks at one byte at a time,
	// and a story's paragraphs are long lines.
	rest := text[pos:]
	i := strings.IndexByte(rest, '\n')
	scope := rest
	if i >= 0 {
		scope = rest[:i]
	}
	if j := strings.IndexByte(scope, '\r'); j >= 0 {
		i = j
	}
	if i < 0 {
		return len(text), len(text)
	}
	end = pos + i
	next = end + 1
	if text[end] == '\r' && next < len(text) && text[next] == '\n' {
		next++
	}
	return end, next
}

// indentOf is the number of spaces and tabs that start s, after any form
// feeds (pdftotext starts each page with one).
func indentOf(s string) int {
	s = strings.TrimLeft(s, "\f")
	return len(s) - len(strings.TrimLeft(s, " \t"))
}

// isBlank reports a line with nothing but white space.
func isBlank(s string) bool { return strings.TrimSpace(s) == "" }

// nextNonBlank returns the index of the first line at or after k that is
// not blank, or len(lines).
func nextNonBlank(lines []line, k int) int {
	for k < len(lines) && isBlank(lines[k].text) {
		k++
	}
	return k
}

// bodyAt returns where the body starts when it starts on lines[k]: its
// byte offset and 1-based line. With k past the scanned lines, the body
// starts after the last of them.
func bodyAt(lines []line, k int) (byteOff, lineNo int) {
	if k < len(lines) {
		return lines[k].start, k + 1
	}
	if len(lines) == 0 {
		return 0, 1
	}
	last := lines[len(lines)-1]
	if last.next == last.start+len(last.text) {
		// No line break after the last line: the empty body is on it.
		return last.next, len(lines)
	}
	return last.next, len(lines) + 1
}

// joinWrapped joins the lines of one wrapped value with spaces, except
// after a word broken at its hyphen ("Self-" + "Harm" → "Self-Harm") or
// after a slash ("Geralt/" + "Jaskier"), where text wrappers and PDF
// layout break words.
func joinWrapped(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		p = strings.TrimSpace(p)
		if p == "" {
			continue
		}
		if b.Len() > 0 && !brokenAtHyphen(b.String()) && !strings.HasSuffix(b.String(), "/") {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

// brokenAtHyphen reports whether s ends with a hyphen that ends a word
// ("Self-"), not a dash standing alone ("Universe -").
func brokenAtHyphen(s string) bool {
	if !strings.HasSuffix(s, "-") {
		return false
	}
	r, _ := utf8.DecodeLastRuneInString(s[:len(s)-1])
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

// joinParagraphs joins paragraphs, each a list of wrapped lines, with a
// line break between paragraphs.
func joinParagraphs(paras [][]string) string {
	var out []string
	for _, p := range paras {
		if s := joinWrapped(p); s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, "\n")
}

// paragraphs splits lines[from:to] into paragraphs at blank lines.
func paragraphs(lines []line, from, to int) [][]string {
	var out [][]string
	var cur []string
	for k := from; k < to && k < len(lines); k++ {
		t := strings.TrimSpace(lines[k].text)
		if t == "" {
			if len(cur) > 0 {
				out = append(out, cur)
				cur = nil
			}
			continue
		}
		cur = append(cur, t)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// result assembles the Result of a layout parser.
func result(tx *taxonomy.Taxonomy, fields []Field, lines []line, bodyLine int, layout Layout) Result {
	off, ln := bodyAt(lines, bodyLine)
	return Result{Declared: BuildWith(tx, fields), Fields: fields, BodyLine: ln, BodyByte: off, Layout: layout}
}

// headOf returns at most the first n bytes of s, for look-ups that need no
// more of a line, however long it is.
func headOf(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
