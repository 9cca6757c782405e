package datasets

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The saved work pages' text is the chapters' text, chapter titles as
// lines, and nothing of the site, the notes or the comments.
func TestAO3PageBody(t *testing.T) {
	tests := []struct {
		file string
		body string
	}{
		{"ao3-page.html", "The weir was loud in March, louder than the wind.\n\nMarit carried the lantern down to the footbridge at dusk, " +
			"the way her mother had, and her mother's mother. Osk followed with the matches.\n\n\"Nobody drowns this year,\" Osk said.\n\n" +
			"\"Nobody drowned last year either,\" Marit said, \"until they did.\"\n\nThey lit the lanterns one by one."},
		{"ao3-page-entire.html", "Chapter 1: The Ferry\n\nInes reached the ferry an hour before dawn.\n\nBea was already there, counting salt sacks.\n\n" +
			"Chapter 2: Snowline\n\nThe road climbed until the pines gave out.\n\nInes breathed in fours, as Bea had shown her.\n\n" +
			"Chapter 3: The Pass\n\nAt the pass the wind stopped.\n\nBea laughed, and the sound carried all the way down."},
		{"ao3-page-chapter.html", "Chapter 2: Snowline\n\nThe road climbed until the pines gave out.\n\nInes breathed in fours, as Bea had shown her."},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			n := 0
			for s := range Read(context.Background(), []string{filepath.Join("testdata", "formats", tt.file)}, Options{}) {
				n++
				if s.Err != nil {
					t.Fatal(s.Err)
				}
				if s.Format != FormatAO3Page {
					t.Errorf("format %s, want %s", s.Format, FormatAO3Page)
				}
				if got := s.Body(); got != tt.body {
					t.Errorf("body\n%q\nwant\n%q", got, tt.body)
				}
			}
			if n != 1 {
				t.Fatalf("%d stories, want 1", n)
			}
		})
	}
}

// AO3's notices saved in place of a work are errors that say what to do,
// not empty or harmless stories.
func TestAO3Notices(t *testing.T) {
	dir := t.TempDir()
	pages := map[string]string{
		"adult": `<html><body><div id="main" class="works-show region"><p class="caution">This work could have adult content. ` +
			`If you continue, you have agreed that you are willing to see such content.</p><ul class="actions"><li><a href="/works/1?view_adult=true">Yes, Continue</a></li></ul></div></body></html>`,
		"restricted": `<html><body><div id="main"><p class="notice">This work is only available to registered users of the Archive.</p></div></body></html>`,
		"plain":      `<html><body><p class="message">A message about adult content in a story that is just a story.</p><p>It rained all day.</p></body></html>`,
	}
	for name, page := range pages {
		if err := os.WriteFile(filepath.Join(dir, name+".html"), []byte(page), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := map[string]string{"adult": "view_adult=true", "restricted": "log in"}
	for s := range Read(context.Background(), []string{dir}, Options{}) {
		hint, isNotice := want[s.ID]
		switch {
		case isNotice && (s.Err == nil || !errors.Is(s.Err, ErrNotAWork) || !strings.Contains(s.Err.Error(), hint)):
			t.Errorf("%s: error %v, want ErrNotAWork saying %q", s.ID, s.Err, hint)
		case !isNotice && s.Err != nil:
			t.Errorf("%s: %v", s.ID, s.Err)
		}
	}
}
