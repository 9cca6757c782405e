package datasets

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// htmlToText converts an HTML story (a PAN 2023 work) to plain text: block
// elements start new lines, paragraphs are separated by a blank line,
// entities are decoded, runs of white space collapse to one space outside
// <pre>, and the contents of <script> and <style> are dropped.
func htmlToText(s string) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var t textBuilder
	var skip atom.Atom // the raw-text element whose contents are being dropped
	pre := 0           // depth of <pre> elements
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			// Reading a string, the only error is io.EOF.
			return t.b.String()
		case html.TextToken:
			if skip == 0 {
				t.text(z.Text(), pre > 0)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, _ := z.TagName()
			a := atom.Lookup(name)
			if skip != 0 {
				if tt == html.EndTagToken && a == skip {
					skip = 0
				}
				continue
			}
			switch a {
			case atom.Script, atom.Style:
				// A self-closing tag has no contents for the tokenizer to
				// read as raw text.
				if tt == html.StartTagToken {
					skip = a
				}
			case atom.Br:
				t.hardBreak()
			case atom.Pre:
				if tt == html.StartTagToken {
					pre++
				} else if tt == html.EndTagToken && pre > 0 {
					pre--
				}
				t.lineBreaks(2)
			case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6,
				atom.Blockquote, atom.Ul, atom.Ol, atom.Dl, atom.Table, atom.Hr,
				atom.Section, atom.Article, atom.Header, atom.Footer, atom.Aside,
				atom.Figure, atom.Address, atom.Center, atom.Details, atom.Main,
				atom.Fieldset, atom.Form:
				t.lineBreaks(2)
			case atom.Div, atom.Li, atom.Tr, atom.Dt, atom.Dd, atom.Caption,
				atom.Figcaption, atom.Summary, atom.Option:
				t.lineBreaks(1)
			case atom.Td, atom.Th:
				t.space = true
			}
		}
	}
}

// textBuilder writes plain text, holding back white space and line breaks
// until the next visible character so that none lead or trail.
type textBuilder struct {
	b      strings.Builder
	breaks int  // line breaks due before the next character, at most 2
	space  bool // a space is due before the next character
}

// lineBreaks asks for at least n line breaks before the next character;
// 2 leaves a blank line.
func (t *textBuilder) lineBreaks(n int) {
	t.breaks = max(t.breaks, n)
}

// hardBreak adds a line break, as <br> does; blank lines never exceed one.
func (t *textBuilder) hardBreak() {
	t.breaks = min(t.breaks+1, 2)
}

func (t *textBuilder) text(s []byte, pre bool) {
	for len(s) > 0 {
		r, size := utf8.DecodeRune(s)
		s = s[size:]
		switch {
		case pre && r == '\n':
			t.hardBreak()
		case !pre && isHTMLSpace(r):
			t.space = true
		default:
			t.put(r)
		}
	}
}

func (t *textBuilder) put(r rune) {
	if t.b.Len() > 0 {
		if t.breaks > 0 {
			t.b.WriteString("\n\n"[:t.breaks])
		} else if t.space {
			t.b.WriteByte(' ')
		}
	}
	t.breaks, t.space = 0, false
	t.b.WriteRune(r)
}

// isHTMLSpace reports HTML's collapsible white space, and the no-break
// space, which AO3 uses to fill empty paragraphs.
func isHTMLSpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\f', '\r', '\u00A0':
		return true
	}
	return false
}
