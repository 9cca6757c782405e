package datasets

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tagger-dev/tagger/datasets/header"
)

// Formats of HTML and EPUB stories.
const (
	FormatHTML    Format = "html"     // an HTML story with no known preface: its text's header is parsed
	FormatAO3HTML Format = "ao3-html" // Archive of Our Own HTML download
	FormatFFFHTML Format = "fff-html" // FanFicFare HTML output
	FormatEPUB    Format = "epub"     // an EPUB with no known preface
	FormatAO3EPUB Format = "ao3-epub" // Archive of Our Own EPUB download (calibre-made)
	FormatFFFEPUB Format = "fff-epub" // FanFicFare EPUB output
)

// htmlStory is what an HTML document (or an EPUB's documents) yields: the
// declared fields and the story text. The text is the story's body only
// (chapters, without the preface and end notes), so for HTML and EPUB
// stories evidence lines count lines of this extracted text: one line per
// paragraph, paragraphs separated by a blank line.
type htmlStory struct {
	format Format
	fields []header.Field
	body   string
	// encoding is an EPUB's: that of its first document not in UTF-8,
	// else UTF-8 (an HTML page's is decodeMarkup's).
	encoding string
}

// ao3Keys maps AO3's tag labels, in all their historical spellings
// (plural since October 2023), to header keys. "Additional Tags" are
// freeform tags.
var ao3Keys = map[string]string{
	"rating": header.KeyRating, "ratings": header.KeyRating,
	"archive warning": header.KeyWarnings, "archive warnings": header.KeyWarnings,
	"category": header.KeyCategory, "categories": header.KeyCategory,
	"fandom": header.KeyFandom, "fandoms": header.KeyFandom,
	"relationship": header.KeyRelationships, "relationships": header.KeyRelationships,
	"character": header.KeyCharacters, "characters": header.KeyCharacters,
	"additional tags": keyFreeform, "additional tag": keyFreeform,
	"language": header.KeyLanguage,
}

// keyFreeform marks freeform tags (AO3's Additional Tags, FanFicFare's
// Genre): tags, which name warnings more often than the archive warnings do.
const keyFreeform = header.KeyFreeform

// fffKeys maps FanFicFare's field labels to header keys. In FanFicFare,
// Category is the fandom and Genre holds freeform tags.
var fffKeys = map[string]string{
	"category": header.KeyFandom, "genre": keyFreeform, "rating": header.KeyRating,
	"warnings": header.KeyWarnings, "warning": header.KeyWarnings,
	"characters": header.KeyCharacters, "relationships": header.KeyRelationships,
	"pairing": header.KeyRelationships, "pairings": header.KeyRelationships,
	"summary": header.KeySummary, "description": header.KeySummary, "language": header.KeyLanguage,
	"title": header.KeyTitle, "author": header.KeyAuthor, "freeform tags": keyFreeform,
	"words": header.KeyWords,
}

// readHTMLStory reads an HTML story: a saved AO3 work page, an AO3
// download, FanFicFare output, or any HTML, whose extracted text then goes
// through the header parser.
func readHTMLStory(doc *html.Node) htmlStory {
	if meta := ao3PageMeta(doc); meta != nil {
		return readAO3Page(doc, meta)
	}
	if preface := find(doc, byID("preface")); preface != nil {
		fields := ao3Fields(preface)
		body, notes := ao3Body(doc)
		return htmlStory{format: FormatAO3HTML, fields: append(fields, notes...), body: body}
	}
	if fields, rest, ok := fffFields(doc); ok {
		return htmlStory{format: FormatFFFHTML, fields: fields, body: rest}
	}
	if unstructured(doc) {
		// Plain text saved inside <html><body>: its line breaks are the
		// only structure it has (a header's fields, its paragraphs), and
		// collapsing them as a browser does would run the header into
		// the story.
		var t textBuilder
		writeNode(&t, doc, 1)
		return htmlStory{format: FormatHTML, body: t.b.String()}
	}
	return htmlStory{format: FormatHTML, body: nodeText(doc)}
}

// unstructured reports whether doc's body holds text with line breaks and
// no element that breaks lines (no paragraph, division, list or <br>).
func unstructured(doc *html.Node) bool {
	body := find(doc, byTag(atom.Body))
	if body == nil {
		return false
	}
	newline := false
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			switch c.Type {
			case html.TextNode:
				newline = newline || strings.Contains(strings.TrimSpace(c.Data), "\n")
			case html.ElementNode:
				if b, _ := blockBreaks(c); b > 0 || c.DataAtom == atom.Br {
					return false
				}
				if !walk(c) {
					return false
				}
			}
		}
		return true
	}
	return walk(body) && newline
}

// ao3Fields reads AO3's preface: the dl.tags list, the title, the by-line
// and the summary.
func ao3Fields(preface *html.Node) []header.Field {
	var fields []header.Field
	if dl := find(preface, byTagClass(atom.Dl, "tags")); dl != nil {
		var key string
		for c := dl.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode {
				continue
			}
			switch c.DataAtom {
			case atom.Dt:
				label := strings.ToLower(strings.TrimSuffix(inlineText(c), ":"))
				key = ao3Keys[strings.TrimSpace(label)]
			case atom.Dd:
				if key == "" {
					continue
				}
				fields = append(fields, tagFields(c, key)...)
				key = ""
			}
		}
	}
	meta := find(preface, byTagClass(atom.Div, "meta"))
	if meta == nil {
		meta = preface
	}
	if h1 := find(meta, byTag(atom.H1)); h1 != nil {
		fields = append(fields, header.Field{Key: header.KeyTitle, Label: "h1", Value: inlineText(h1)})
	} else if msg := find(preface, byTagClass(atom.P, "message")); msg != nil {
		if b := find(msg, byTag(atom.B)); b != nil {
			fields = append(fields, header.Field{Key: header.KeyTitle, Label: "message", Value: inlineText(b)})
		}
	}
	if by := find(meta, byTagClass(atom.Div, "byline")); by != nil {
		links := findAll(by, byTag(atom.A))
		for _, a := range links {
			fields = append(fields, header.Field{Key: header.KeyAuthor, Label: "byline", Value: inlineText(a)})
		}
		if len(links) == 0 {
			fields = append(fields, header.Field{Key: header.KeyAuthor, Label: "byline", Value: strings.TrimPrefix(inlineText(by), "by ")})
		}
	}
	// "Summary" and "Notes" are a paragraph (or heading) followed by a
	// blockquote.
	for n := meta.FirstChild; n != nil; n = n.NextSibling {
		if n.Type != html.ElementNode {
			continue
		}
		key := ""
		switch t := inlineText(n); {
		case strings.EqualFold(t, "Summary"):
			key = header.KeySummary
		case strings.EqualFold(t, "Notes"):
			key = header.KeyNotes
		default:
			continue
		}
		for q := n.NextSibling; q != nil; q = q.NextSibling {
			if q.Type == html.ElementNode {
				if q.DataAtom == atom.Blockquote {
					fields = append(fields, header.Field{Key: key, Label: inlineText(n), Value: nodeText(q)})
				}
				break
			}
		}
	}
	return fields
}

// tagFields reads the tags of an AO3 tag list's dd: each link is one tag,
// kept whole; a dd without links is one value, a written list.
func tagFields(dd *html.Node, key string) []header.Field {
	links := findAll(dd, byTag(atom.A))
	if len(links) == 0 {
		return []header.Field{{Key: key, Label: key, Value: inlineText(dd)}}
	}
	fields := make([]header.Field, 0, len(links))
	for _, a := range links {
		// A tag as the archive names it, whole ("Bartemius Crouch Jr.",
		// "Sirius Black & Harry Potter"), as a JSONL list's item is.
		fields = append(fields, header.Field{Key: key, Label: key, Value: inlineText(a), Item: true})
	}
	return fields
}

// ao3Body is the text of div#chapters, or of the body without the preface
// and the afterword, without the chapters' summaries and notes; those,
// and the afterword's end notes, are returned as notes fields (AO3Notes).
func ao3Body(doc *html.Node) (string, []header.Field) {
	notes := ao3Notes(doc, byID("afterword"))
	if ch := find(doc, byID("chapters")); ch != nil {
		notes = append(notes, ao3Notes(ch, nil)...)
		return nodeText(ch), notes
	}
	body := find(doc, byTag(atom.Body))
	if body == nil {
		body = doc
	}
	for _, id := range []string{"preface", "afterword"} {
		if n := find(body, byID(id)); n != nil && n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	notes = append(notes, ao3Notes(body, nil)...)
	return nodeText(body), notes
}

// ao3Notes removes from n (or from its first node matching within, when
// within is set) the blocks of notes AO3 and FanFicFare put among a
// work's chapters and after it: a chapter's summary and notes (div.summary,
// div.notes in the chapter's div.meta, or a <p> label and a blockquote in
// its div.meta.group), its end notes (div#endnotesN),
// the work's end notes (div#endnotes) and FanFicFare's div.fff_chapter_notes.
// They are authors' words about the story, not the story: scored as its
// text, "CW: torture" or "Next time: someone bleeds out" were findings.
// It returns each block's text as a notes field, so that its cues declare.
func ao3Notes(n *html.Node, within func(*html.Node) bool) []header.Field {
	if within != nil {
		if n = find(n, within); n == nil {
			return nil
		}
	}
	blocks := findAll(n, func(c *html.Node) bool {
		if c.Type != html.ElementNode || c.DataAtom != atom.Div {
			return false
		}
		id := attr(c, "id")
		return hasClass(c, "summary") || hasClass(c, "notes") || hasClass(c, "endnotes") || hasClass(c, "fff_chapter_notes") ||
			strings.HasPrefix(id, "endnotes") || strings.HasPrefix(id, "notes")
	})
	var fields []header.Field
	for _, b := range blocks {
		label := "notes"
		if p := find(b, func(c *html.Node) bool {
			return c.Type == html.ElementNode && (c.DataAtom == atom.P || c.DataAtom == atom.B || c.DataAtom == atom.H3)
		}); p != nil {
			label = inlineText(p)
		}
		text := nodeText(b)
		if q := find(b, byTag(atom.Blockquote)); q != nil {
			text = nodeText(q)
		}
		if t := strings.TrimSpace(text); t != "" {
			fields = append(fields, header.Field{Key: header.KeyNotes, Label: label, Value: t})
		}
		if b.Parent != nil {
			b.Parent.RemoveChild(b)
		}
	}
	// AO3's download template today writes a chapter's summary and notes
	// straight into the chapter's div.meta.group, each a <p> label then a
	// blockquote: the same notes, in another shape.
	for _, m := range findAll(n, func(c *html.Node) bool {
		return c.Type == html.ElementNode && c.DataAtom == atom.Div && hasClass(c, "meta") && hasClass(c, "group")
	}) {
		label := "notes"
		for c := m.FirstChild; c != nil; {
			next := c.NextSibling
			switch {
			case c.Type != html.ElementNode:
			case c.DataAtom == atom.P && !hasClass(c, "byline"):
				label = inlineText(c) // "Chapter Summary", "Chapter Notes"
				m.RemoveChild(c)
			case c.DataAtom == atom.Blockquote:
				if t := strings.TrimSpace(nodeText(c)); t != "" {
					fields = append(fields, header.Field{Key: header.KeyNotes, Label: label, Value: t})
				}
				m.RemoveChild(c)
			case c.DataAtom == atom.Div && hasClass(c, "endnote-link"):
				m.RemoveChild(c)
			}
			c = next
		}
	}
	return fields
}

// fffFields reads FanFicFare's title page: "<b>Label:</b> value" pairs, in
// table rows (HTML output) or separated by <br/> (EPUB title page), and a
// "Title by Author" heading. It returns the fields and the text of the
// document without them; ok is false unless at least two known labels were
// found.
func fffFields(doc *html.Node) (fields []header.Field, rest string, ok bool) {
	var remove []*html.Node
	known := 0
	for _, b := range findAll(doc, byTag(atom.B)) {
		label := strings.TrimSpace(inlineText(b))
		if !strings.HasSuffix(label, ":") {
			continue
		}
		key, isKnown := fffKeys[strings.ToLower(strings.TrimSuffix(label, ":"))]
		td := b.Parent
		inCell := td != nil && td.DataAtom == atom.Td
		if !isKnown && !inCell {
			// "<b>Ada:</b> where did you put the knife" in a chapter: a
			// line of the story, not a field (it was cut out with its
			// text, up to the next <br>). Unknown labels are the title
			// page's only in its table ("Status:", "Published:").
			continue
		}
		var value strings.Builder
		if inCell {
			// <tr><td><b>Label:</b></td><td>value</td></tr>
			for n := td.NextSibling; n != nil; n = n.NextSibling {
				if n.Type == html.ElementNode && n.DataAtom == atom.Td {
					value.WriteString(nodeText(n))
					break
				}
			}
			if tr := td.Parent; tr != nil {
				remove = append(remove, tr)
			}
		} else {
			// <b>Label:</b> value<br/>: the value runs to the next <br> or <b>.
			for n := b.NextSibling; n != nil; n = n.NextSibling {
				if n.Type == html.ElementNode && (n.DataAtom == atom.Br || n.DataAtom == atom.B) {
					break
				}
				value.WriteString(" " + nodeText(n))
				remove = append(remove, n)
			}
			remove = append(remove, b)
		}
		if isKnown {
			known++
			fields = append(fields, header.Field{Key: key, Label: strings.TrimSuffix(label, ":"), Value: strings.TrimSpace(value.String())})
		}
	}
	if known < 2 {
		return nil, "", false
	}
	for _, h := range findAll(doc, func(n *html.Node) bool {
		return n.Type == html.ElementNode && (n.DataAtom == atom.H1 || n.DataAtom == atom.H2 || n.DataAtom == atom.H3)
	}) {
		if t := inlineText(h); strings.Contains(t, " by ") {
			title, author, _ := strings.Cut(t, " by ")
			fields = append(fields,
				header.Field{Key: header.KeyTitle, Label: "heading", Value: title},
				header.Field{Key: header.KeyAuthor, Label: "heading", Value: author})
			remove = append(remove, h)
			break
		}
	}
	for _, n := range remove {
		if n.Parent != nil {
			n.Parent.RemoveChild(n)
		}
	}
	return fields, nodeText(doc), true
}

// buildDeclared turns reader fields into declared metadata with the
// default taxonomy (a reader uses header.BuildWith with its own); freeform
// tags follow the same rules as in text layouts (header.KeyFreeform).
func buildDeclared(fields []header.Field) header.Declared {
	return header.Build(fields)
}
