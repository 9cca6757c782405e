package datasets

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"

	"github.com/tagger-dev/tagger/datasets/header"
)

// FormatAO3Page is a saved Archive of Our Own work page: what a browser's
// "Save page as" or a scraper gets from archiveofourown.org/works/ID, with
// the site's navigation, the tag list (dl.work.meta), the preface, the
// chapters, the afterword and the comments.
const FormatAO3Page = "ao3-page"

// ao3PageKeys maps the classes of dl.work.meta's dd elements to header
// keys. The classes are the archive's own names for its tag types and stay
// put when the visible labels change ("Archive Warning:" became "Archive
// Warnings:" in 2023) or are translated.
var ao3PageKeys = map[string]string{
	"rating": header.KeyRating, "warning": header.KeyWarnings, "category": header.KeyCategory,
	"fandom": header.KeyFandom, "relationship": header.KeyRelationships, "character": header.KeyCharacters,
	"freeform": header.KeyFreeform, "language": header.KeyLanguage,
}

// ao3PageStats maps the classes of the stats list (dl.stats) to header
// keys. "status" is the date of the last update, labelled "Updated:" or,
// for a finished work, "Completed:".
var ao3PageStats = map[string]string{
	"published": header.KeyPublished, "status": header.KeyUpdated,
	"words": header.KeyWords, "chapters": header.KeyChapters,
}

// ao3PageMeta finds an AO3 work page's tag list, dl.work.meta, the mark of
// the page layout; it is nil for any other document.
func ao3PageMeta(doc *html.Node) *html.Node {
	return find(doc, func(n *html.Node) bool {
		return n.Type == html.ElementNode && n.DataAtom == atom.Dl && hasClass(n, "work") && hasClass(n, "meta")
	})
}

// readAO3Page reads a saved AO3 work page. Fields come from dl.work.meta
// (tags, language, stats) and from the work's preface (title, by-line,
// summary, notes); chapter notes and end notes are read as notes, so a
// warning written there ("TW: self-harm") still declares. The body is the
// chapters' text only, a chapter's title as a line before its text: never
// the site's navigation, the notes or the comments, whose words are not the
// story's.
func readAO3Page(doc, meta *html.Node) htmlStory {
	fields := ao3PageFields(meta)
	// The work's own preface: in div#workskin, the preface before the
	// chapters; with no work skin (older saves), the document.
	skin := find(doc, byID("workskin"))
	if skin == nil {
		skin = doc
	}
	if pre := find(skin, byTagClass(atom.Div, "preface")); pre != nil && !hasClass(pre, "chapter") && !hasClass(pre, "afterword") {
		if h := find(pre, byTagClass(atom.H2, "title")); h != nil {
			fields = append(fields, header.Field{Key: header.KeyTitle, Label: "title", Value: inlineText(h)})
		}
		if by := find(pre, byTagClass(atom.H3, "byline")); by != nil {
			links := findAll(by, byTag(atom.A))
			for _, a := range links {
				fields = append(fields, header.Field{Key: header.KeyAuthor, Label: "byline", Value: inlineText(a)})
			}
			if len(links) == 0 { // "Anonymous"
				fields = append(fields, header.Field{Key: header.KeyAuthor, Label: "byline", Value: inlineText(by)})
			}
		}
		fields = append(fields, ao3Modules(pre)...)
	}
	chapters := find(skin, byID("chapters"))
	if chapters == nil {
		return htmlStory{format: FormatAO3Page, fields: fields}
	}
	var body textBuilder
	// AO3's chapters are the children of div#chapters; a div.chapter deeper
	// down is the author's own markup inside the text.
	var parts []*html.Node
	for c := chapters.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && c.DataAtom == atom.Div && hasClass(c, "chapter") && !hasClass(c, "preface") {
			parts = append(parts, c)
		}
	}
	if len(parts) == 0 {
		// A work of one chapter: div#chapters holds the text itself.
		ao3ChapterText(&body, chapters)
	}
	for _, ch := range parts {
		for c := ch.FirstChild; c != nil; c = c.NextSibling {
			if c.Type != html.ElementNode || c.DataAtom != atom.Div {
				continue
			}
			switch {
			case hasClass(c, "preface"):
				// The chapter's title, then its summary and notes.
				if h := find(c, byTagClass(atom.H3, "title")); h != nil {
					body.lineBreaks(2)
					body.text([]byte(inlineText(h)), false)
					body.lineBreaks(2)
				}
				fields = append(fields, ao3Modules(c)...)
			case hasClass(c, "userstuff"):
				ao3ChapterText(&body, c)
			case hasClass(c, "notes"): // a chapter's end notes
				fields = append(fields, ao3Module(c, header.KeyNotes)...)
			}
		}
	}
	if after := find(skin, byTagClass(atom.Div, "afterword")); after != nil {
		fields = append(fields, ao3Modules(after)...)
	}
	return htmlStory{format: FormatAO3Page, fields: fields, body: body.b.String()}
}

// ao3PageFields reads dl.work.meta: each dd's class names its tag type,
// each link in it is one tag, and the stats list gives the dates, words and
// chapters. Series, collections and the counts of kudos, hits and comments
// say nothing about the story's content and are left out.
func ao3PageFields(meta *html.Node) []header.Field {
	var fields []header.Field
	for c := meta.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode || c.DataAtom != atom.Dd {
			continue
		}
		if hasClass(c, "stats") {
			var dds []*html.Node
			for k := c.FirstChild; k != nil; k = k.NextSibling {
				dds = append(dds, findAll(k, byTag(atom.Dd))...)
			}
			for _, dd := range dds {
				for _, class := range strings.Fields(attr(dd, "class")) {
					if key, ok := ao3PageStats[class]; ok {
						fields = append(fields, header.Field{Key: key, Label: class, Value: inlineText(dd)})
						break
					}
				}
			}
			continue
		}
		key := ""
		for _, class := range strings.Fields(attr(c, "class")) {
			if k, ok := ao3PageKeys[class]; ok {
				key = k
				break
			}
		}
		if key == "" {
			continue
		}
		fields = append(fields, tagFields(c, key)...)
	}
	return fields
}

// ao3Modules reads the summary and notes modules of a preface or
// afterword: div.summary and div.notes, each text in a blockquote.
func ao3Modules(n *html.Node) []header.Field {
	var fields []header.Field
	for _, m := range findAll(n, func(n *html.Node) bool {
		return n.Type == html.ElementNode && n.DataAtom == atom.Div && (hasClass(n, "summary") || hasClass(n, "notes"))
	}) {
		key := header.KeyNotes
		if hasClass(m, "summary") {
			key = header.KeySummary
		}
		fields = append(fields, ao3Module(m, key)...)
	}
	return fields
}

// ao3Module is the text of a module's blockquotes, as one field.
func ao3Module(m *html.Node, key string) []header.Field {
	var parts []string
	for _, q := range findAll(m, byTag(atom.Blockquote)) {
		if t := nodeText(q); t != "" {
			parts = append(parts, t)
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return []header.Field{{Key: key, Label: key, Value: strings.Join(parts, "\n\n")}}
}

// ao3ChapterText writes a chapter's text: the userstuff divisions among n's
// children, or n's children themselves, without the archive's hidden
// landmark headings ("Chapter Text", "Work Text:") that screen readers
// announce. Whatever is inside the text is the author's and is kept.
func ao3ChapterText(t *textBuilder, n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type != html.ElementNode {
			writeNode(t, c, 0)
			continue
		}
		switch {
		case hasClass(c, "landmark"):
		case c.DataAtom == atom.Div && hasClass(c, "userstuff"):
			t.lineBreaks(2)
			ao3ChapterText(t, c)
			t.lineBreaks(2)
		default:
			writeNode(t, c, 0)
		}
	}
}

// ErrNotAWork marks a saved page that holds no work: AO3's adult-content
// notice or its log-in notice for works restricted to registered users,
// saved in place of the work.
var ErrNotAWork = errors.New("the page holds no work")

// ao3Notice reports a saved AO3 notice page in place of a work, with what
// to do: read as any HTML, its few lines of site text would pass for an
// empty or harmless story.
func ao3Notice(doc *html.Node) error {
	if ao3PageMeta(doc) != nil {
		return nil
	}
	for _, p := range findAll(doc, byTag(atom.P)) {
		if !hasClass(p, "caution") && !hasClass(p, "notice") && !hasClass(p, "message") {
			continue
		}
		t := strings.ToLower(inlineText(p))
		switch {
		case strings.Contains(t, "this work could have adult content"), strings.Contains(t, "this work potentially has adult content"):
			return fmt.Errorf("%w: it is AO3's adult-content notice; open the work with ?view_adult=true (or click Proceed) and save that page", ErrNotAWork)
		case strings.Contains(t, "only available to registered users"):
			return fmt.Errorf("%w: it is AO3's log-in notice for a restricted work; log in, open the work and save that page", ErrNotAWork)
		}
	}
	return nil
}
