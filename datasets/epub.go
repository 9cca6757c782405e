package datasets

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"

	"golang.org/x/net/html"

	"github.com/tagger-dev/tagger/datasets/header"
)

// Caps on EPUB archives from strangers. Sizes are counted as bytes are
// decompressed, never taken from the archive's own headers.
const (
	maxEPUBEntries = 10_000
	maxEPUBEntry   = 64 << 20  // one decompressed file
	maxEPUBTotal   = 256 << 20 // all decompressed files read
)

// epubLimits are the caps of one read; tests and fuzzing use smaller ones.
type epubLimits struct {
	entries      int
	entry, total int64
	// markup, when set, is the markup cap (Options.MaxMarkupBytes) that
	// entry or total were lowered to: passing a cap equal to it is input
	// too large (ErrTooLarge, naming the flag), not a zip bomb.
	markup *limit
}

// bombRatio is the compression ratio from which content over a cap is
// taken for a zip bomb: deflate tops out near 1032:1 on one repeated byte,
// while text, even very repetitive text, stays well below (prose about
// 3-5:1, one sentence repeated about 250:1).
const bombRatio = 500

// over is the error for a decompressed size over the cap n, ratio being
// the compression ratio of what passed it: ErrTooLarge naming the flag
// when n is the markup cap and the content compresses as text does,
// ErrHostile otherwise.
func (l epubLimits) over(what string, n int64, ratio float64) error {
	if ratio >= bombRatio {
		return fmt.Errorf("%w: %s decompresses to more than %d bytes, at a ratio of %.0f:1, as a zip bomb does", ErrHostile, what, n, ratio)
	}
	if l.markup != nil && n == l.markup.n {
		return fmt.Errorf("%s decompresses to more than %d bytes, the limit for %s; split it, or raise the limit with %s (%w)",
			what, n, l.markup.what, l.markup.opt, ErrTooLarge)
	}
	return fmt.Errorf("%w: %s decompresses to more than %d bytes", ErrHostile, what, n)
}

var defaultEPUBLimits = epubLimits{entries: maxEPUBEntries, entry: maxEPUBEntry, total: maxEPUBTotal}

// epubArchive reads files out of an EPUB (a zip) in memory, within the
// caps. Nothing is ever written to disk, so entry paths are only names.
type epubArchive struct {
	files map[string]*zip.File
	total int64
	// compressed is the compressed size of the entries read.
	compressed int64
	lim        epubLimits
}

func openEPUB(b []byte, lim epubLimits) (*epubArchive, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, fmt.Errorf("not a readable EPUB (zip): %w", err)
	}
	if len(zr.File) > lim.entries {
		return nil, fmt.Errorf("%w: %d files in the archive, more than %d", ErrHostile, len(zr.File), lim.entries)
	}
	a := &epubArchive{files: map[string]*zip.File{}, lim: lim}
	for _, f := range zr.File {
		a.files[path.Clean(strings.TrimPrefix(f.Name, "/"))] = f
	}
	return a, nil
}

// read returns a file's decompressed bytes, refusing a zip bomb.
func (a *epubArchive) read(name string) ([]byte, error) {
	f, ok := a.files[path.Clean(name)]
	if !ok {
		return nil, fmt.Errorf("EPUB has no %s", name)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("EPUB %s: %w", name, err)
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, a.lim.entry+1))
	if err != nil {
		return nil, fmt.Errorf("EPUB %s: %w", name, err)
	}
	comp := max(int64(f.CompressedSize64), 1)
	a.compressed += comp
	if int64(len(b)) > a.lim.entry {
		// What was read is a lower bound of the entry's ratio; the
		// header's sizes, unchecked, only tell a bomb apart from text.
		ratio := max(float64(len(b)), float64(f.UncompressedSize64)) / float64(comp)
		return nil, a.lim.over(name, a.lim.entry, ratio)
	}
	if a.total += int64(len(b)); a.total > a.lim.total {
		return nil, a.lim.over("the archive", a.lim.total, float64(a.total)/float64(a.compressed))
	}
	return b, nil
}

// opf is the part of an EPUB package document tagger reads.
type opf struct {
	Metadata struct {
		Titles      []string `xml:"title"`
		Creators    []string `xml:"creator"`
		Subjects    []string `xml:"subject"`
		Description string   `xml:"description"`
		Language    string   `xml:"language"`
	} `xml:"metadata"`
	Manifest []struct {
		ID        string `xml:"id,attr"`
		Href      string `xml:"href,attr"`
		MediaType string `xml:"media-type,attr"`
		// Properties holds "nav" for an EPUB 3 table of contents.
		Properties string `xml:"properties,attr"`
	} `xml:"manifest>item"`
	Spine []struct {
		IDRef string `xml:"idref,attr"`
	} `xml:"spine>itemref"`
}

// readEPUBStory reads an EPUB: the package document (found through
// META-INF/container.xml), its documents in spine order, and the preface of
// an AO3 download or the title page of FanFicFare output.
func readEPUBStory(b []byte, lim epubLimits) (htmlStory, error) {
	a, err := openEPUB(b, lim)
	if err != nil {
		return htmlStory{}, err
	}
	container, err := a.read("META-INF/container.xml")
	if err != nil {
		return htmlStory{}, err
	}
	var c struct {
		Rootfiles []struct {
			Path string `xml:"full-path,attr"`
		} `xml:"rootfiles>rootfile"`
	}
	if err := xml.Unmarshal(container, &c); err != nil {
		return htmlStory{}, fmt.Errorf("EPUB container.xml: %w", err)
	}
	if len(c.Rootfiles) == 0 {
		return htmlStory{}, errors.New("EPUB container.xml names no package document")
	}
	opfPath := c.Rootfiles[0].Path
	raw, err := a.read(opfPath)
	if err != nil {
		return htmlStory{}, err
	}
	var pkg opf
	if err := xml.Unmarshal(raw, &pkg); err != nil {
		return htmlStory{}, fmt.Errorf("EPUB package document %s: %w", opfPath, err)
	}
	// A spine cannot name more documents than the archive holds; a longer
	// one repeats them, to make the reader parse one document many times.
	if len(pkg.Spine) > lim.entries {
		return htmlStory{}, fmt.Errorf("%w: EPUB spine of %d items, more than %d", ErrHostile, len(pkg.Spine), lim.entries)
	}
	hrefs := map[string]string{}
	types := map[string]string{}
	nav := map[string]bool{}
	for _, it := range pkg.Manifest {
		nav[it.ID] = slices.Contains(strings.Fields(it.Properties), "nav")
		href := it.Href
		if u, err := url.PathUnescape(href); err == nil {
			href = u // a manifest link is a URL: "Chapter%20One.xhtml"
		}
		hrefs[it.ID] = path.Join(path.Dir(opfPath), href)
		types[it.ID] = strings.ToLower(strings.TrimSpace(it.MediaType))
	}
	var docs []*html.Node
	var names []string
	enc0 := "" // the first document's encoding other than UTF-8
	read := map[string]bool{}
	for _, ref := range pkg.Spine {
		name, ok := hrefs[ref.IDRef]
		if !ok || read[name] || !textMediaType(types[ref.IDRef]) || nav[ref.IDRef] {
			// Each document is read once; only (X)HTML is text; the
			// table of contents repeats the chapter titles.
			continue
		}
		read[name] = true
		body, err := a.read(name)
		if err != nil {
			return htmlStory{}, err
		}
		if looksBinary(body) {
			continue // an image or archive the manifest calls a document
		}
		// Each document is decoded as an HTML file is: one in
		// Windows-1252 read as UTF-8 was mojibake.
		if src, enc, err := decodeMarkup(body); err == nil {
			body = src
			if enc != EncodingUTF8 && enc0 == "" {
				enc0 = enc
			}
		}
		doc, err := parseHTML(body)
		if err != nil {
			return htmlStory{}, fmt.Errorf("EPUB %s: %w", name, err)
		}
		docs, names = append(docs, doc), append(names, name)
	}
	if len(docs) == 0 {
		return htmlStory{}, fmt.Errorf("EPUB %s has no readable documents in its spine", opfPath)
	}

	st := htmlStory{format: FormatEPUB, encoding: EncodingUTF8}
	if enc0 != "" {
		st.encoding = enc0
	}
	var body []string
	for i, doc := range docs {
		if preface := find(doc, byID("preface")); preface != nil && st.format == FormatEPUB {
			st.format = FormatAO3EPUB
			st.fields = ao3Fields(preface)
			preface.Parent.RemoveChild(preface)
		} else if st.format == FormatEPUB && strings.Contains(path.Base(names[i]), "title_page") {
			if fields, _, ok := fffFields(doc); ok {
				st.format, st.fields = FormatFFFEPUB, fields
				continue // the title page holds no story text
			}
		}
		if st.format != FormatEPUB {
			// AO3's and FanFicFare's notes among the chapters and after
			// them are the author's words, read as notes, not story.
			st.fields = append(st.fields, ao3Notes(doc, nil)...)
		}
		if after := find(doc, byID("afterword")); after != nil && after.Parent != nil {
			after.Parent.RemoveChild(after)
		}
		if t := strings.TrimSpace(nodeText(doc)); t != "" {
			body = append(body, t)
		}
	}
	st.body = strings.Join(body, "\n\n")
	// The package metadata fills what the preface lacks: calibre writes
	// AO3's tags as dc:subject and the summary as dc:description.
	md := pkg.Metadata
	add := func(key, v string) {
		if v = strings.TrimSpace(v); v != "" {
			st.fields = append(st.fields, header.Field{Key: key, Label: "opf", Value: v})
		}
	}
	if !hasField(st.fields, header.KeyTitle) && len(md.Titles) > 0 {
		add(header.KeyTitle, md.Titles[0])
	}
	if !hasField(st.fields, header.KeyAuthor) {
		for _, cr := range md.Creators {
			add(header.KeyAuthor, cr)
		}
	}
	if !hasField(st.fields, header.KeySummary) && md.Description != "" {
		add(header.KeySummary, htmlToText(md.Description))
	}
	if !hasField(st.fields, header.KeyLanguage) {
		add(header.KeyLanguage, md.Language)
	}
	if st.format == FormatAO3EPUB && !hasField(st.fields, keyFreeform) {
		for _, s := range md.Subjects {
			add(keyFreeform, s)
		}
	}
	return st, nil
}

func hasField(fs []header.Field, key string) bool {
	for _, f := range fs {
		if f.Key == key {
			return true
		}
	}
	return false
}

// textMediaType reports the manifest media types of documents read as
// text: XHTML and HTML, and items without a type (old EPUB 2 files).
func textMediaType(t string) bool {
	switch t {
	case "", "application/xhtml+xml", "text/html", "application/html", "text/xml", "application/xml":
		return true
	}
	return false
}

// looksBinary reports content that is not markup: a NUL byte in its first
// KiB, or the signature of a zip archive.
func looksBinary(b []byte) bool {
	head := b[:min(len(b), binaryProbe)]
	return bytes.IndexByte(head, 0) >= 0 || bytes.HasPrefix(b, []byte("PK\x03\x04"))
}
