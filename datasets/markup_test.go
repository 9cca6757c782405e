package datasets

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/taxonomy"
)

// zipDir builds an EPUB from a fixture directory: mimetype first and
// stored, as the format asks, then every other file in name order.
func zipDir(t testing.TB, dir string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateHeader(&zip.FileHeader{Name: "mimetype", Method: zip.Store})
	w.Write([]byte("application/epub+zip"))
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() == "mimetype" {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		w, err := zw.Create(filepath.ToSlash(rel))
		if err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// markupFixtures writes the HTML fixtures and the EPUBs built from the
// fixture trees into a temporary directory and returns it.
func markupFixtures(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	htmls, _ := filepath.Glob("testdata/formats/*.html")
	for _, p := range htmls {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(p)), b, 0o644)
	}
	for _, name := range []string{"ao3-epub", "fff-epub"} {
		os.WriteFile(filepath.Join(dir, name+".epub"), zipDir(t, filepath.Join("testdata", "formats", name)), 0o644)
	}
	return dir
}

// TestMarkupFormatsGolden pins the declared metadata of the HTML and EPUB
// fixtures in testdata/formats/<name>.meta.json (update with -update, then
// review), and states the key facts outside the golden files.
func TestMarkupFormatsGolden(t *testing.T) {
	dir := markupFixtures(t)
	type fact struct {
		format   Format
		rating   string
		status   taxonomy.WarningState
		warnings []string
		fandoms  []string
		authors  []string
		body     string
	}
	facts := map[string]fact{
		"ao3-2019": {FormatAO3HTML, "mature", "chose-not-to-warn", []string{"suicide"}, []string{"Original Work"}, []string{"keeperofthelamp"}, "The storm came in"},
		"ao3-2024": {FormatAO3HTML, "explicit", "declared", []string{"violence", "child-abuse", "self-harm", "blood-gore"},
			[]string{"The Iron Crown Saga", "Original Work"}, []string{"ferrous_wheel", "cinder_co"}, "Chapter 1: The Forge"},
		// Saved work pages: warnings named in the notes and summary count;
		// the creator's choice not to warn stands beside named warnings.
		"ao3-page": {FormatAO3Page, "mature", "chose-not-to-warn", []string{"death", "self-harm", "suicide", "other-mental-health"},
			[]string{"Original Work"}, []string{"tidewright"}, "The weir was loud"},
		"ao3-page-entire": {FormatAO3Page, "teen", "declared", []string{"self-harm", "mental-illness"},
			[]string{"Original Work"}, []string{"marrowlark", "quill (quillon)"}, "Chapter 1: The Ferry"},
		"ao3-page-chapter": {FormatAO3Page, "teen", "declared", []string{"self-harm"},
			[]string{"Original Work"}, []string{"marrowlark", "quill (quillon)"}, "Chapter 2: Snowline"},
		"fff":      {FormatFFFHTML, "teen", "declared", []string{"death"}, []string{"Pirates of the Caribbean"}, []string{"wavesmith"}, "Chapter 1"},
		"ao3-epub": {FormatAO3EPUB, "teen", "declared", []string{"kidnapping", "death"}, []string{"Original Work"}, []string{"snowmelt"}, "Chapter 1"},
		"fff-epub": {FormatFFFEPUB, "teen", "declared", []string{"abuse"}, []string{"Avatar: The Last Airbender"}, []string{"inkwell"}, "Chapter 1"},
	}
	n := 0
	for s := range Read(context.Background(), []string{dir}, Options{}) {
		n++
		if s.Err != nil {
			t.Fatalf("%s: %v", s.Source, s.Err)
		}
		f, ok := facts[s.ID]
		if !ok {
			t.Fatalf("unexpected story %s", s.ID)
		}
		if s.Format != f.format || s.DeclaredRating != f.rating || s.WarningStatus != f.status ||
			!sameSet(s.DeclaredWarnings, f.warnings) || !slices.Equal(s.Fandoms, f.fandoms) || !slices.Equal(s.Authors, f.authors) {
			t.Errorf("%s: format %s rating %q status %q warnings %v fandoms %v authors %v; want %+v", s.ID, s.Format,
				s.DeclaredRating, s.WarningStatus, s.DeclaredWarnings, s.Fandoms, s.Authors, f)
		}
		if !strings.HasPrefix(s.Body(), f.body) {
			t.Errorf("%s: body starts %.40q, want %q", s.ID, s.Body(), f.body)
		}
		for _, junk := range []string{"End Notes", "Posted originally", "Please drop by", "Rating:",
			"Kudos", "Published:", "Comments", "Chapter Text", "Work Text", "Thank you", "Next week", "TW:", "This killed me", "Entire Work"} {
			if strings.Contains(s.Body(), junk) {
				t.Errorf("%s: body holds preface or afterword text %q", s.ID, junk)
			}
		}
		s.Source = filepath.Base(s.Source)
		got, _ := json.MarshalIndent(s, "", "  ")
		got = append(got, '\n')
		golden := filepath.Join("testdata", "formats", s.ID+".meta.json")
		if *update {
			os.WriteFile(golden, got, 0o644)
			continue
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatalf("%v (go test ./datasets -run MarkupFormatsGolden -update, then review)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: metadata differs from %s:\n%s", s.ID, golden, got)
		}
	}
	if n != len(facts) {
		t.Errorf("read %d stories, want %d", n, len(facts))
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// Hostile EPUB and HTML become per-story errors, never crashes or disk
// writes.
func TestHostileMarkup(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) { os.WriteFile(filepath.Join(dir, name), b, 0o644) }

	// A zip bomb: a small archive whose one entry inflates past the cap.
	var bomb bytes.Buffer
	zw := zip.NewWriter(&bomb)
	w, _ := zw.Create("META-INF/container.xml")
	w.Write(bytes.Repeat([]byte{' '}, maxEPUBEntry+1024))
	zw.Close()
	write("bomb.epub", bomb.Bytes())

	// Too many entries.
	var many bytes.Buffer
	zw = zip.NewWriter(&many)
	for i := range maxEPUBEntries + 1 {
		zw.CreateHeader(&zip.FileHeader{Name: "f" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + "/" + itoa(i), Method: zip.Store})
	}
	zw.Close()
	write("many.epub", many.Bytes())

	// A path-traversal entry name is only a name: nothing is extracted.
	var trav bytes.Buffer
	zw = zip.NewWriter(&trav)
	w, _ = zw.Create("../../../../tmp/evil.xhtml")
	w.Write([]byte("<p>x</p>"))
	zw.Close()
	write("traversal.epub", trav.Bytes())

	write("notzip.epub", []byte("this is not a zip"))
	write("deep.html", []byte(strings.Repeat("<div>", maxHTMLDepth+10)+"text"))
	write("empty.html", []byte("<html><body><script>alert(1)</script></body></html>"))

	want := map[string]error{"bomb": ErrHostile, "many": ErrHostile, "deep": ErrHostile, "empty": ErrEmpty}
	n := 0
	for s := range Read(context.Background(), []string{dir}, Options{}) {
		n++
		if s.Err == nil {
			t.Errorf("%s: read without error", s.ID)
			continue
		}
		if w, ok := want[s.ID]; ok && !errors.Is(s.Err, w) {
			t.Errorf("%s: error %v, want %v", s.ID, s.Err, w)
		}
		if !strings.Contains(s.Err.Error(), s.Source) {
			t.Errorf("%s: error %q does not name the file", s.ID, s.Err)
		}
	}
	if n != 6 {
		t.Errorf("%d stories from 6 files", n)
	}
	if _, err := os.Stat("/tmp/evil.xhtml"); err == nil {
		t.Error("an archive entry was written to disk")
	}
}

func itoa(i int) string {
	return strings.TrimLeft(strings.Repeat("0", 5)+string(rune('0'+i/10000%10))+string(rune('0'+i/1000%10))+string(rune('0'+i/100%10))+string(rune('0'+i/10%10))+string(rune('0'+i%10)), "")
}

func FuzzReadHTML(f *testing.F) {
	for _, p := range []string{"testdata/formats/ao3-2019.html", "testdata/formats/fff.html",
		"testdata/formats/ao3-page.html", "testdata/formats/ao3-page-entire.html"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("<div id=preface><dl class=tags><dt>Rating:<dd>x</dl></div>"))
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := parseHTML(b)
		if err != nil {
			return
		}
		st := readHTMLStory(doc)
		buildDeclared(st.fields)
	})
}

func FuzzReadEPUB(f *testing.F) {
	f.Add(zipDir(f, "testdata/formats/ao3-epub"))
	f.Add(zipDir(f, "testdata/formats/fff-epub"))
	f.Add([]byte("PK\x03\x04"))
	// Small caps keep each run fast; the caps themselves are tested above.
	lim := epubLimits{entries: 100, entry: 1 << 20, total: 4 << 20}
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := readEPUBStory(b, lim)
		if err == nil {
			buildDeclared(st.fields)
		}
	})
}

// TestParseHTMLDepthAsParsed: nesting is judged as x/net/html builds the
// tree, not by counting start tags: 600 paragraphs left open close each
// other and make a shallow tree, which is read; 600 open divs nest and are
// refused as hostile.
func TestParseHTMLDepthAsParsed(t *testing.T) {
	if _, err := parseHTML([]byte(strings.Repeat("<p>A paragraph left open.", maxHTMLDepth+88))); err != nil {
		t.Errorf("open paragraphs: %v; want them read", err)
	}
	_, err := parseHTML([]byte(strings.Repeat("<div>", maxHTMLDepth+88) + "text"))
	if !errors.Is(err, ErrHostile) || !strings.Contains(err.Error(), "nested deeper than 512") {
		t.Errorf("nested divs: %v; want ErrHostile saying how deep", err)
	}
}
