package datasets

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Limits on HTML from strangers. Parsing is linear in the input, so the
// size cap (Options.MaxFileBytes, and the EPUB caps) bounds its time; these
// bound the tree.
const (
	maxHTMLDepth  = 512
	maxHTMLTokens = 20_000_000
)

// ErrHostile marks input refused for safety: too deep, too many parts, or
// decompressing past the caps (a zip bomb).
var ErrHostile = errors.New("input refused for safety")

// parseHTML parses an HTML document after checking its nesting and size
// against the limits. It never fetches anything the document refers to.
func parseHTML(b []byte) (*html.Node, error) {
	// x/net/html rejects a document nested deeper than 512 elements
	// itself, so the bounds need a pass of their own only where the
	// parse cannot be trusted with them: input that could hold more
	// tokens than the cap (a token is at least a byte), and a parse that
	// failed, to say why. Tokenizing every page twice was a third of the
	// CPU of reading saved AO3 pages.
	if len(b) > maxHTMLTokens {
		if err := checkHTMLBounds(b); err != nil {
			return nil, err
		}
	}
	doc, err := html.Parse(bytes.NewReader(b))
	if err != nil {
		if berr := checkHTMLBounds(b); berr != nil {
			return nil, berr
		}
		return nil, fmt.Errorf("parse HTML: %w", err)
	}
	return doc, nil
}

// checkHTMLBounds tokenizes b and fails with ErrHostile when it holds
// more than maxHTMLTokens tokens or nests start tags deeper than
// maxHTMLDepth.
func checkHTMLBounds(b []byte) error {
	z := html.NewTokenizer(bytes.NewReader(b))
	depth, tokens := 0, 0
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return nil
		}
		if tokens++; tokens > maxHTMLTokens {
			return fmt.Errorf("%w: more than %d HTML tokens", ErrHostile, maxHTMLTokens)
		}
		switch tt {
		case html.StartTagToken:
			name, _ := z.TagName()
			if !voidElement(atom.Lookup(name)) {
				if depth++; depth > maxHTMLDepth {
					return fmt.Errorf("%w: HTML nested deeper than %d elements", ErrHostile, maxHTMLDepth)
				}
			}
		case html.EndTagToken:
			if depth > 0 {
				depth--
			}
		}
	}
}

func voidElement(a atom.Atom) bool {
	switch a {
	case atom.Area, atom.Base, atom.Br, atom.Col, atom.Embed, atom.Hr, atom.Img, atom.Input,
		atom.Link, atom.Meta, atom.Source, atom.Track, atom.Wbr:
		return true
	}
	return false
}

// nodeText renders a subtree as plain text with the rules of htmlToText:
// block elements start lines, paragraphs are separated by a blank line.
func nodeText(n *html.Node) string {
	var t textBuilder
	writeNode(&t, n, 0)
	return t.b.String()
}

func writeNode(t *textBuilder, n *html.Node, pre int) {
	switch n.Type {
	case html.TextNode:
		t.text([]byte(n.Data), pre > 0)
		return
	case html.ElementNode:
		switch n.DataAtom {
		case atom.Script, atom.Style, atom.Head:
			return
		case atom.Br:
			t.hardBreak()
			return
		case atom.Pre:
			pre++
		}
	}
	before, after := blockBreaks(n)
	t.lineBreaks(before)
	// Table cells are words apart ("<td>Ron</td><td>blood</td>" was
	// "Ronblood"), as htmlToText has them.
	cell := n.Type == html.ElementNode && (n.DataAtom == atom.Td || n.DataAtom == atom.Th)
	if cell {
		t.space = true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		writeNode(t, c, pre)
	}
	if cell {
		t.space = true
	}
	t.lineBreaks(after)
}

// blockBreaks returns the line breaks an element asks for before and after
// its contents.
func blockBreaks(n *html.Node) (int, int) {
	if n.Type != html.ElementNode {
		return 0, 0
	}
	switch n.DataAtom {
	case atom.P, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote, atom.Ul, atom.Ol,
		atom.Dl, atom.Table, atom.Hr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Aside,
		atom.Figure, atom.Address, atom.Center, atom.Details, atom.Main, atom.Pre:
		return 2, 2
	case atom.Div, atom.Li, atom.Tr, atom.Dt, atom.Dd, atom.Caption, atom.Figcaption, atom.Summary:
		return 1, 1
	}
	return 0, 0
}

// Tree helpers.

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	for _, c := range strings.Fields(attr(n, "class")) {
		if c == class {
			return true
		}
	}
	return false
}

// find returns the first node in document order for which match is true.
func find(n *html.Node, match func(*html.Node) bool) *html.Node {
	if match(n) {
		return n
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if f := find(c, match); f != nil {
			return f
		}
	}
	return nil
}

// findAll returns every matching node in document order, not descending
// into matches.
func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	if match(n) {
		return []*html.Node{n}
	}
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		out = append(out, findAll(c, match)...)
	}
	return out
}

func byID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && attr(n, "id") == id }
}

func byTag(a atom.Atom) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.DataAtom == a }
}

func byTagClass(a atom.Atom, class string) func(*html.Node) bool {
	return func(n *html.Node) bool { return n.Type == html.ElementNode && n.DataAtom == a && hasClass(n, class) }
}

// inlineText is a node's text on one line.
func inlineText(n *html.Node) string {
	return strings.Join(strings.Fields(nodeText(n)), " ")
}
