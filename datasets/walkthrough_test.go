package datasets

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestShortStoryWithTrailer: the details of a short story written after
// it ("---" then fields, or a last paragraph of fields) are read as a
// trailer, and the paragraphs before them are the story, however few;
// the top header used to take the paragraphs for its title and preamble
// and leave no story. A file of a title and fields alone has no story.
func TestShortStoryWithTrailer(t *testing.T) {
	const para = "She walked along the beach. He stabbed her and she bled to death on the sand."
	tests := []struct {
		name      string
		text      string
		body      string // the story's text, trimmed; "" for none
		title     string
		rating    string
		sawStatus bool // warnings none apply
	}{
		{"one long paragraph, separator", para + " The tide came in and took the rest of the evening with it.\n\n---\nRating: G\nWarnings: none\n",
			para + " The tide came in and took the rest of the evening with it.", "", "general", true},
		{"two paragraphs, separator", para + "\n\nIt was a long day.\n\n---\nRating: G\nWarnings: none\n",
			para + "\n\nIt was a long day.", "", "general", true},
		{"four paragraphs, separator", strings.Repeat(para+"\n\n", 3) + "It was a long day.\n\n* * *\nRating: Teen\nWarnings: none\n",
			strings.Repeat(para+"\n\n", 3) + "It was a long day.", "", "teen", true},
		{"two paragraphs, fields as the last paragraph", para + "\n\nIt was a long day.\n\nTitle: Sand\nRating: G\nWarnings: none\n",
			para + "\n\nIt was a long day.", "Sand", "general", true},
		{"a title and fields", "Harbour Lights\n\nRating: G\nWarnings: none\n", "", "Harbour Lights", "general", true},
		// A title line above the story is its title; a first sentence
		// is not, and a by-line under the title does not make the
		// trailer a header that leaves no story.
		{"a title line, separator", "Night Train\n\n" + para + "\n\n---\nRating: G\nWarnings: none\n",
			"Night Train\n\n" + para, "Night Train", "general", true},
		{"a chapter number, separator", "II\n\n" + para + "\n\n---\nRating: G\nWarnings: none\n",
			"II\n\n" + para, "", "general", true},
		{"a chapter heading, separator", "Chapter 1\n\n" + para + "\n\n---\nRating: G\nWarnings: none\n",
			"Chapter 1\n\n" + para, "", "general", true},
		{"a first sentence, separator", "It rained.\n\n" + para + "\n\n---\nRating: G\nWarnings: none\n",
			"It rained.\n\n" + para, "", "general", true},
		{"a title and by-line, fields as the last paragraph", "Night Train\nby someone\n\n" + para + "\n\nShe screamed.\n\nRating: G\nWarnings: none\n",
			"Night Train\nby someone\n\n" + para + "\n\nShe screamed.", "Night Train", "general", true},
		{"a header and a story", "Title: Sand\nRating: G\nWarnings: none\n\n" + para + "\n", para, "Sand", "general", true},
		// Fields above the separator are the top header's: nothing is a
		// story, and nothing it declared is lost (a review).
		{"a header split by a separator", "Title: Sand\nRating: Teen\nAuthor: Bob\n\n---\nWarnings: none\n", "", "Sand", "teen", true},
		{"labelled fields, then a separator", "Title: Sand\nAuthor: Bob\nFandom: Merlin\n\n---\nRating: G\n", "", "Sand", "general", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ReadStory(context.Background(), "s.txt", bytes.NewReader([]byte(tc.text)), int64(len(tc.text)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := strings.TrimSpace(s.Body()); got != tc.body {
				t.Errorf("body %q, want %q", got, tc.body)
			}
			if (s.Words > 0) != (tc.body != "") {
				t.Errorf("words %d for body %q", s.Words, tc.body)
			}
			if s.Title != tc.title {
				t.Errorf("title %q, want %q", s.Title, tc.title)
			}
			if s.DeclaredRating != tc.rating {
				t.Errorf("rating %q, want %q", s.DeclaredRating, tc.rating)
			}
			if got := s.WarningStatus == "none-apply"; got != tc.sawStatus {
				t.Errorf("warning status %q", s.WarningStatus)
			}
		})
	}
}

// TestFanFicFareChatLines: a chapter's "<b>Ada:</b> line" (a chat or a
// script) is story text, not a title-page field; it used to be cut out
// with its line. Unknown labels are the title page's only in its table.
func TestFanFicFareChatLines(t *testing.T) {
	page := `<html><body><h3>Salt by wavesmith</h3><table class="full">
<tr><td><b>Category:</b></td><td>Pirates</td></tr>
<tr><td><b>Rating:</b></td><td>T</td></tr>
<tr><td><b>Status:</b></td><td>Completed</td></tr>
</table><h2>Chapter 1</h2>
<p><b>Ada:</b> where did you put the knife</p>
<p><b>Bram:</b> in the drawer, I stabbed him with it</p>
</body></html>`
	s, err := ReadStory(context.Background(), "fff.html", bytes.NewReader([]byte(page)), int64(len(page)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := s.Body()
	for _, want := range []string{"where did you put the knife", "I stabbed him with it"} {
		if !strings.Contains(body, want) {
			t.Errorf("body %q lacks %q", body, want)
		}
	}
	if strings.Contains(body, "Completed") || s.DeclaredRating != "teen" {
		t.Errorf("title page: body %q, rating %q; want the table read as fields", body, s.DeclaredRating)
	}
}

// TestAO3ChapterNotes: an AO3 download's chapter notes and end notes are
// the author's words, not the story: they are read as notes (their cues
// declare), and the body holds the chapters' text alone. Scored as text,
// a chapter note's "CW: torture" and "Next time: someone bleeds out" were
// findings on a harmless story.
func TestAO3ChapterNotes(t *testing.T) {
	page := `<html><body><div id="preface"><div class="meta"><dl class="tags">
<dt>Rating:</dt><dd><a href="#">General Audiences</a></dd>
<dt>Archive Warning:</dt><dd><a href="#">No Archive Warnings Apply</a></dd></dl>
<h1>Tea</h1><p>Notes</p><blockquote class="userstuff"><p>For my sister.</p></blockquote></div></div>
<div id="chapters" class="userstuff">
<div class="meta group"><h2 class="heading">Chapter 1</h2>
<div class="notes"><p>Chapter Notes</p><blockquote class="userstuff"><p>CW: torture. Next time: someone bleeds out.</p></blockquote></div></div>
<div class="userstuff"><p>They made tea and watched the rain.</p></div>
<div class="meta" id="endnotes1"><p>Chapter End Notes</p><blockquote class="userstuff"><p>The end is near.</p></blockquote></div>
</div>
<div id="afterword"><div id="endnotes"><p>End Notes</p><blockquote class="userstuff"><p>Thanks for reading.</p></blockquote></div></div>
</body></html>`
	s, err := ReadStory(context.Background(), "work.html", bytes.NewReader([]byte(page)), int64(len(page)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	body := s.Body()
	for _, gone := range []string{"torture", "bleeds", "The end is near", "Thanks for reading", "For my sister"} {
		if strings.Contains(body, gone) {
			t.Errorf("body holds the notes' %q:\n%s", gone, body)
		}
	}
	if !strings.Contains(body, "They made tea") {
		t.Errorf("body %q lacks the chapter's text", body)
	}
	for _, note := range []string{"For my sister", "torture", "The end is near", "Thanks for reading"} {
		if !strings.Contains(s.Notes, note) {
			t.Errorf("notes %q lack %q", s.Notes, note)
		}
	}
	if !slices.Contains(s.DeclaredWarnings, "violence") {
		t.Errorf("declared warnings %v: the chapter note's CW: torture declares violence", s.DeclaredWarnings)
	}
}

// TestTableCellsAreWordsApart: table cells are read words apart; a chat
// fic told in a table read "Ronblood everywhere", and lost its terms.
func TestTableCellsAreWordsApart(t *testing.T) {
	page := `<html><body><p>The chat log:</p><table><tr><td>Ron</td><td>blood everywhere</td></tr></table></body></html>`
	s, err := ReadStory(context.Background(), "chat.html", bytes.NewReader([]byte(page)), int64(len(page)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Body(), "Ron blood everywhere") {
		t.Errorf("body %q: want the cells words apart", s.Body())
	}
}

// copyEPUB copies the ao3-epub fixture into a temporary directory, with
// edit applied to each file's path and bytes, and returns it zipped.
func copyEPUB(t *testing.T, edit func(rel string, b []byte) (string, []byte)) []byte {
	t.Helper()
	src := filepath.Join("testdata", "formats", "ao3-epub")
	dir := t.TempDir()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, b = edit(rel, b)
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, rel)), 0o755); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, rel), b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return zipDir(t, dir)
}

// TestEPUBWindows1252: an EPUB document in Windows-1252 is decoded as an
// HTML file is, by its XML declaration; it was read as UTF-8, mojibake.
func TestEPUBWindows1252(t *testing.T) {
	epub := copyEPUB(t, func(rel string, b []byte) (string, []byte) {
		if strings.HasSuffix(rel, "split_001.xhtml") {
			b = bytes.Replace(b, []byte("encoding='utf-8'"), []byte("encoding='windows-1252'"), 1)
			b = bytes.Replace(b, []byte("<h2 class=\"toc-heading\">Chapter 1</h2>"), []byte("<h2 class=\"toc-heading\">Chapter 1</h2><p>Caf\xe9 Nights</p>"), 1)
		}
		return rel, b
	})
	s, err := ReadStory(context.Background(), "w.epub", bytes.NewReader(epub), int64(len(epub)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(s.Body(), "Café Nights") || strings.ContainsRune(s.Body(), '\uFFFD') {
		t.Errorf("body: want Café decoded from Windows-1252:\n%.300s", s.Body())
	}
	if s.Encoding != "windows-1252" {
		t.Errorf("encoding %q, want windows-1252 (the first document not in UTF-8)", s.Encoding)
	}
}

// TestEPUBEscapedHref: a manifest link is a URL, so a file name with a
// space is written %20; it was looked up as written and not found.
func TestEPUBEscapedHref(t *testing.T) {
	epub := copyEPUB(t, func(rel string, b []byte) (string, []byte) {
		rel = strings.ReplaceAll(rel, "Winter_Roads_split_001", "Winter Roads split 001")
		b = bytes.ReplaceAll(b, []byte(`href="Winter_Roads_split_001.xhtml"`), []byte(`href="Winter%20Roads%20split%20001.xhtml"`))
		return rel, b
	})
	s, err := ReadStory(context.Background(), "w.epub", bytes.NewReader(epub), int64(len(epub)), Options{})
	if err != nil {
		t.Fatalf("an EPUB linking %%20: %v", err)
	}
	if s.Words == 0 || s.Title != "Winter Roads" {
		t.Errorf("words %d, title %q", s.Words, s.Title)
	}
}

// TestJSONLSingularKeys: a corpus keyed "warning", "relationship",
// "character" or "categories" is read as its plurals are ("fandom" and
// "author" were already); a corpus keyed "warning" read as declaring
// nothing, with no word of it.
func TestJSONLSingularKeys(t *testing.T) {
	rec := []byte(`{"id":"a","text":"They walked home.","rating":"Teen And Up Audiences","warning":"Graphic Depictions Of Violence","relationship":"A/B","character":"Ada","categories":["F/F"]}`)
	s, err := ReadRecord(context.Background(), "c.jsonl", rec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.DeclaredWarnings, []string{"violence"}) || !slices.Equal(s.Relationships, []string{"A/B"}) || !slices.Equal(s.Characters, []string{"Ada"}) {
		t.Errorf("declared %v, relationships %v, characters %v", s.DeclaredWarnings, s.Relationships, s.Characters)
	}
}

// TestGenericEPUBMetadata: an EPUB that is neither AO3's nor FanFicFare's
// takes its title, authors and language from its package metadata when
// its text says none; they were dropped (authors []).
func TestGenericEPUBMetadata(t *testing.T) {
	epub := copyEPUB(t, func(rel string, b []byte) (string, []byte) {
		if strings.HasSuffix(rel, "split_000.xhtml") {
			b = bytes.Replace(b, []byte(`<div id="preface"`), []byte(`<div id="front"`), 1)
		}
		return rel, b
	})
	s, err := ReadStory(context.Background(), "w.epub", bytes.NewReader(epub), int64(len(epub)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != FormatEPUB {
		t.Fatalf("format %q, want a generic EPUB", s.Format)
	}
	// The front matter's text says its language ("English"), not its
	// author: the package metadata fills the author.
	if !slices.Equal(s.Authors, []string{"snowmelt"}) || s.Title != "Winter Roads" {
		t.Errorf("authors %v, title %q: want the package metadata's", s.Authors, s.Title)
	}
}

// TestShortStoryEndingInAField: a short story whose last line reads like a
// field ("A/N: thanks for reading!", "Rating: M") used to be read as a
// title and preamble above a header, leaving no story (NOT CHECKED) or a
// few words of it (an OK verdict on a story never read). The story is from
// its first line; a title line above it stays the title.
func TestShortStoryEndingInAField(t *testing.T) {
	const story = "He cut his wrists with the razor until the blood ran, and he wanted to die."
	tests := []struct {
		name, text, title string
		words             int
	}{
		{"an author's note", story + "\n\nA/N: thanks for reading!\n", "", 16},
		// The line stays declared, and is read with the story: it may
		// be the story's own ("Status: gone.").
		{"a rating", story + "\n\nRating: M\n", "", 18},
		{"two field-like lines", story + "\n\nRon found him in the morning and said nothing.\n\nStatus: gone.\nReason: you know why.\n", "", 31},
		{"a title line", "Razor\n\n" + story + "\n\nA/N: thanks for reading!\n", "Razor", 16},
		// An introduction above a header, and a story after it: the
		// story is what follows the header, as before.
		{"an introduction, a header, a drabble", "Written for the prompt week, with many thanks to my beta who read it twice and fixed every comma in it, and to all of you.\n\nRating: T\nWarnings: none\n\n" + story + "\n", "", 16},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ReadStory(context.Background(), "s.txt", strings.NewReader(tc.text), int64(len(tc.text)), Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(strings.TrimSpace(s.Body()), strings.TrimSuffix(story, ".")) {
				t.Errorf("body %q: want the story", s.Body())
			}
			if tc.name == "a rating" && s.DeclaredRating != "mature" {
				t.Errorf("declared rating %q, want mature", s.DeclaredRating)
			}
			if s.Words != tc.words || s.Title != tc.title {
				t.Errorf("words %d, title %q; want %d, %q", s.Words, s.Title, tc.words, tc.title)
			}
		})
	}
}

// TestAO3DownloadChapterNotes: AO3's download template writes a chapter's
// summary and notes into the chapter's div.meta.group as a <p> label and a
// blockquote; they are notes, not story (they were scored as its text,
// and a chapter's CW was a finding of its own).
func TestAO3DownloadChapterNotes(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>Tide</title></head><body>
<div id="preface"><div class="meta"><dl class="tags">
<dt>Rating:</dt><dd><a href="#">Mature</a></dd>
<dt>Archive Warning:</dt><dd><a href="#">No Archive Warnings Apply</a></dd>
</dl><h1>Tide</h1></div></div>
<div id="chapters" class="userstuff">
<div class="meta group"><h2 class="heading">Chapter 1</h2>
<p>Chapter Summary</p><blockquote class="userstuff"><p>The sea comes in.</p></blockquote>
<p>Chapter Notes</p><blockquote class="userstuff"><p>CW: a suicide attempt in this chapter.</p></blockquote>
<div class="endnote-link">See the end of the chapter for more notes</div>
</div>
<div class="userstuff"><p>The tide came in slowly over the flat grey sand.</p></div>
</div>
<div id="afterword"></div></body></html>`
	s, err := ReadStory(context.Background(), "tide.html", strings.NewReader(page), int64(len(page)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Format != FormatAO3HTML {
		t.Fatalf("format %q", s.Format)
	}
	body := s.Body()
	for _, not := range []string{"CW:", "Chapter Notes", "The sea comes in", "See the end"} {
		if strings.Contains(body, not) {
			t.Errorf("body %q holds %q", body, not)
		}
	}
	if !strings.Contains(body, "The tide came in") || !strings.Contains(s.Notes, "CW: a suicide attempt") || !strings.Contains(s.Notes, "The sea comes in") {
		t.Errorf("body %q, notes %q", body, s.Notes)
	}
	if !slices.Contains(s.DeclaredWarnings, "suicide") {
		t.Errorf("declared %v: the chapter's CW declares suicide", s.DeclaredWarnings)
	}
}

// TestAO3TagsWhole: a tag of an AO3 page or download is the archive's,
// whole: "Bartemius Crouch Jr." kept its name without the dot, and a
// freeform tag with a semicolon was split, unlike the same work in JSONL.
func TestAO3TagsWhole(t *testing.T) {
	page := `<!DOCTYPE html><html><head><title>Tide</title></head><body>
<div id="preface"><div class="meta"><dl class="tags">
<dt>Rating:</dt><dd><a href="#">Teen And Up Audiences</a></dd>
<dt>Archive Warning:</dt><dd><a href="#">No Archive Warnings Apply</a></dd>
<dt>Characters:</dt><dd><a href="#">Bartemius Crouch Jr.</a>, <a href="#">Regulus Black</a></dd>
<dt>Additional Tags:</dt><dd><a href="#">I needed this; AO3 didn't have it</a></dd>
</dl><h1>Tide</h1></div></div>
<div id="chapters" class="userstuff"><p>The tide came in slowly over the flat grey sand.</p></div>
</body></html>`
	s, err := ReadStory(context.Background(), "tide.html", strings.NewReader(page), int64(len(page)), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"Bartemius Crouch Jr.", "Regulus Black"}; !slices.Equal(s.Characters, want) {
		t.Errorf("characters %q, want %q", s.Characters, want)
	}
	if want := []string{"I needed this; AO3 didn't have it"}; !slices.Equal(s.Tags, want) {
		t.Errorf("tags %q, want %q", s.Tags, want)
	}
}
