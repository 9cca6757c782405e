package datasets

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/taxonomy"
)

func TestReadStory(t *testing.T) {
	html, err := os.ReadFile(filepath.Join("testdata", "formats", "ao3-2024.html"))
	if err != nil {
		t.Fatal(err)
	}
	epub := zipDir(t, filepath.Join("testdata", "formats", "ao3-epub"))
	text := "Title: Ice\nRating: Mature\nWarnings: Graphic Depictions Of Violence\n\nThe puck flew.\n"
	tests := []struct {
		name    string
		file    string
		data    []byte
		size    int64 // -1 for unknown
		opt     Options
		format  Format
		source  string
		id      string
		title   string
		rating  string
		warns   []string
		body    string // the whole body, when set
		wantErr error
	}{
		{name: "text", file: "ice.txt", data: []byte(text), size: -1, format: FormatText, source: "ice.txt", id: "ice",
			title: "Ice", rating: "mature", warns: []string{"violence"}},
		{name: "text of known size", file: "dir/ice.md", data: []byte(text), size: int64(len(text)), format: FormatText, source: "dir/ice.md", id: "ice",
			title: "Ice", rating: "mature", warns: []string{"violence"}},
		{name: "unnamed is standard input", file: "", data: []byte(text), size: -1, format: FormatText, source: "-", id: "stdin",
			title: "Ice", rating: "mature", warns: []string{"violence"}},
		{name: "dash is standard input", file: "-", data: []byte(text), size: -1, format: FormatText, source: "-", id: "stdin",
			title: "Ice", rating: "mature", warns: []string{"violence"}},
		{name: "html", file: "work.HTML", data: html, size: int64(len(html)), format: FormatAO3HTML, source: "work.HTML", id: "work"},
		// Plain text saved inside <html><body>, no markup: its lines are
		// its structure, so the header stays a header.
		{name: "plain text in html", file: "ice.html", data: []byte("<html><head><title>x</title></head><body>\n" + text + "\nThe crowd roared.\n</body></html>\n"),
			size: -1, format: FormatHTML, source: "ice.html", id: "ice", title: "Ice", rating: "mature", warns: []string{"violence"}, body: "The puck flew.\n\nThe crowd roared."},
		{name: "epub of unknown size", file: "w.epub", data: epub, size: -1, format: FormatAO3EPUB, source: "w.epub", id: "w",
			title: "Winter Roads", rating: "teen", warns: []string{"kidnapping", "death"}},
		{name: "epub of known size", file: "w.epub", data: epub, size: int64(len(epub)), format: FormatAO3EPUB, source: "w.epub", id: "w",
			title: "Winter Roads", rating: "teen", warns: []string{"kidnapping", "death"}},
		{name: "unnamed JSONL record", file: "-", data: []byte(`{"title":"Ice","rating":"Mature","warnings":["Graphic Depictions Of Violence"],"text":"The puck flew."}` + "\n"),
			size: -1, format: FormatJSONL, source: "-:1", id: "stdin:1", title: "Ice", rating: "mature", warns: []string{"violence"}},
		{name: "unnamed JSONL records", file: "", data: []byte(`{"text":"The puck flew."}` + "\n" + `{"text":"It flew again."}` + "\n"),
			size: -1, wantErr: ErrCorpus},
		{name: "jsonl is a corpus", file: "c.jsonl", data: []byte(`{"text":"x"}`), size: -1, wantErr: ErrCorpus},
		{name: "csv is a corpus", file: "c.CSV", data: []byte("work_id,body\n"), size: -1, wantErr: ErrCorpus},
		{name: "empty text", file: "e.txt", data: nil, size: -1, wantErr: ErrEmpty},
		{name: "blank text of known size", file: "e.txt", data: []byte(" \n\t\n"), size: 4, wantErr: ErrEmpty},
		{name: "binary text", file: "b.txt", data: []byte("PK\x03\x04\x00\x00"), size: -1, wantErr: ErrBinary},
		{name: "empty html", file: "e.html", data: []byte("<html><body></body></html>"), size: -1, wantErr: ErrEmpty},
		{name: "text over the story cap", file: "big.txt", data: bytes.Repeat([]byte("word "), 100), size: -1,
			opt: Options{MaxStoryBytes: 64}, wantErr: ErrTooLarge},
		{name: "text over the file cap, told by its size", file: "big.txt", data: bytes.Repeat([]byte("word "), 100), size: 500,
			opt: Options{MaxFileBytes: 64}, wantErr: ErrTooLarge},
		{name: "epub over the markup cap", file: "w.epub", data: epub, size: -1, opt: Options{MaxMarkupBytes: 64}, wantErr: ErrTooLarge},
		{name: "not a zip", file: "w.epub", data: []byte("this is not a zip"), size: -1, wantErr: errAny},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ReadStory(context.Background(), tc.file, bytes.NewReader(tc.data), tc.size, tc.opt)
			if tc.wantErr != nil {
				if err == nil || tc.wantErr != errAny && !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if s == nil || s.Err != err {
					t.Fatalf("story %+v: want one whose Err is the error", s)
				}
				if src, _ := storyName(tc.file); s.Source != src || !strings.Contains(err.Error(), src) {
					t.Errorf("source %q, error %q: want both to name %q", s.Source, err, src)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.Format != tc.format || s.Source != tc.source || s.ID != tc.id {
				t.Errorf("format, source, id = %q, %q, %q; want %q, %q, %q", s.Format, s.Source, s.ID, tc.format, tc.source, tc.id)
			}
			if tc.title != "" && s.Title != tc.title {
				t.Errorf("title = %q, want %q", s.Title, tc.title)
			}
			if tc.rating != "" && s.DeclaredRating != tc.rating {
				t.Errorf("declared rating = %q, want %q", s.DeclaredRating, tc.rating)
			}
			if tc.warns != nil && !sameSet(s.DeclaredWarnings, tc.warns) {
				t.Errorf("declared warnings = %v, want %v", s.DeclaredWarnings, tc.warns)
			}
			if tc.body != "" && strings.TrimSpace(s.Body()) != tc.body {
				t.Errorf("body = %q, want %q", s.Body(), tc.body)
			}
			if s.Words == 0 || strings.TrimSpace(s.Body()) == "" {
				t.Errorf("words %d, body %q: want the story's text", s.Words, s.Body())
			}
		})
	}
}

// errAny stands for any error in a table.
var errAny = errors.New("any error")

// TestReadStoryAsRead checks that ReadStory reads a story as Read reads
// the same bytes from a file of the same name.
func TestReadStoryAsRead(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "formats", "*.*"))
	files = append(files, filepath.Join("..", "seeds", "003_ef651ee35373ebd4.txt"))
	n := 0
	for _, p := range files {
		if strings.HasSuffix(p, ".json") || formatOf(p) == FormatJSONL || formatOf(p) == FormatAO3ScraperCSV {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		n++
		t.Run(filepath.Base(p), func(t *testing.T) { checkAsRead(t, filepath.Base(p), data) })
	}
	t.Run("ao3-epub.epub", func(t *testing.T) {
		checkAsRead(t, "ao3-epub.epub", zipDir(t, filepath.Join("testdata", "formats", "ao3-epub")))
	})
	if n < 5 {
		t.Fatalf("only %d fixtures", n)
	}
}

// checkAsRead fails t unless ReadStory, with the size known and not,
// reads data named name as Read reads it from a file of that name.
func checkAsRead(t *testing.T, name string, data []byte) {
	t.Helper()
	opt := Options{MaxStoryBytes: 64 << 10, MaxMarkupBytes: 64 << 10, MaxFileBytes: 64 << 10}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Skip(err) // a name the file system refuses
	}
	var want *Story
	for s := range Read(context.Background(), []string{p}, opt) {
		want = s
	}
	for _, size := range []int64{int64(len(data)), -1} {
		got, err := ReadStory(context.Background(), name, bytes.NewReader(data), size, opt)
		if (err != nil) != (want.Err != nil) {
			t.Fatalf("size %d: err %v; Read's %v", size, err, want.Err)
		}
		if err != nil {
			continue
		}
		if got.Source != name || got.ID != trimExt(name) {
			t.Errorf("size %d: source %q, id %q; want %q, %q", size, got.Source, got.ID, name, trimExt(name))
		}
		g, w := *got, *want
		g.Source, g.ID, w.Source, w.ID = "", "", "", ""
		if !reflect.DeepEqual(g, w) {
			t.Errorf("size %d: ReadStory\n%+v\nRead\n%+v", size, g, w)
		}
	}
}

func TestReadRecord(t *testing.T) {
	tests := []struct {
		name    string
		file    string
		record  string
		opt     Options
		id      string
		status  taxonomy.WarningState
		rating  string
		warns   []string
		body    int // BodyLine
		wantErr error
	}{
		{name: "declared fields", record: `{"text": "He fell.", "title": "T", "rating": "Mature", "warnings": ["Graphic Depictions Of Violence"]}`,
			id: "stdin", status: "declared", rating: "mature", warns: []string{"violence"}, body: 1},
		{name: "a tag that names a warning declares it", record: `{"text": "He fell.", "tags": ["Major Character Death", "Fluff"]}`,
			id: "stdin", status: "declared", warns: []string{"death"}, body: 1},
		{name: "a rating list, as AO3 dumps write it", record: `{"text": "x y", "rating": ["Explicit"]}`,
			id: "stdin", status: "missing", rating: "explicit", body: 1},
		{name: "no fields: the text's header", record: "{\n  \"text\": \"Rating: Teen\\nWarnings: Self-Harm\\n\\nShe cut the rope.\"\n}\n",
			id: "stdin", status: "declared", rating: "teen", warns: []string{"self-harm"}, body: 4},
		{name: "its id", file: "up.json", record: `{"id": 12, "text": "x"}`, id: "12", status: "missing", body: 1},
		{name: "a byte-order mark", record: "\ufeff" + `{"text": "x", "warnings": "No Archive Warnings Apply"}`, id: "stdin", status: "none-apply", body: 1},
		{name: "empty text", record: `{"text": "  "}`, wantErr: ErrEmpty},
		{name: "no text", record: `{"title": "T"}`, wantErr: errAny},
		{name: "a list where a string goes", record: `{"text": "x", "title": ["a"]}`, wantErr: errAny},
		{name: "not JSON", record: `text`, wantErr: errAny},
		{name: "binary", record: "{\x00}", wantErr: ErrBinary},
		{name: "too long", record: `{"text": "` + strings.Repeat("x", 100) + `"}`, opt: Options{MaxLineBytes: 64}, wantErr: ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ReadRecord(context.Background(), tc.file, []byte(tc.record), tc.opt)
			if tc.wantErr != nil {
				if err == nil || tc.wantErr != errAny && !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				if s == nil || s.Err != err || s.Source == "" {
					t.Fatalf("story %+v: want one with a source whose Err is the error", s)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.ID != tc.id || s.Format != FormatJSONL || s.WarningStatus != tc.status || s.BodyLine != tc.body {
				t.Errorf("id, format, warning status, body line = %q, %q, %q, %d; want %q, jsonl, %q, %d",
					s.ID, s.Format, s.WarningStatus, s.BodyLine, tc.id, tc.status, tc.body)
			}
			if s.DeclaredRating != tc.rating {
				t.Errorf("declared rating = %q, want %q", s.DeclaredRating, tc.rating)
			}
			if !sameSet(s.DeclaredWarnings, tc.warns) {
				t.Errorf("declared warnings = %v, want %v", s.DeclaredWarnings, tc.warns)
			}
		})
	}
}

func TestReadStoryCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, name := range []string{"a.txt", "a.html", "a.epub"} {
		if s, err := ReadStory(ctx, name, strings.NewReader("Some text."), -1, Options{}); !errors.Is(err, context.Canceled) || s != nil {
			t.Errorf("%s: story %v, err %v; want none and context.Canceled", name, s, err)
		}
	}
	if s, err := ReadRecord(ctx, "", []byte(`{"text":"x"}`), Options{}); !errors.Is(err, context.Canceled) || s != nil {
		t.Errorf("record: story %v, err %v; want none and context.Canceled", s, err)
	}
	// A read blocked on its input ends when the context is done.
	pr, pw := io.Pipe()
	defer pw.Close()
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := ReadStory(ctx, "slow.txt", io.MultiReader(strings.NewReader("Title: x\n"), &stopReader{ctx: ctx, r: pr}), -1, Options{})
		done <- err
	}()
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Errorf("err %v, want context.Canceled", err)
	}
}

// stopReader reads r until ctx is done, as a network body does once its
// request is cancelled.
type stopReader struct {
	ctx context.Context
	r   io.Reader
}

func (s *stopReader) Read(p []byte) (int, error) {
	type res struct {
		n   int
		err error
	}
	ch := make(chan res, 1)
	buf := make([]byte, len(p))
	go func() { n, err := s.r.Read(buf); ch <- res{n, err} }()
	select {
	case r := <-ch:
		return copy(p, buf[:r.n]), r.err
	case <-s.ctx.Done():
		return 0, s.ctx.Err()
	}
}

// FuzzReadStory checks that ReadStory never panics, that an error names
// the story's source, and that a story reads as Read reads the same bytes
// from a file of the same name.
func FuzzReadStory(f *testing.F) {
	f.Add(uint8(0), []byte("Title: T\nRating: Mature\n\nIt rained."))
	f.Add(uint8(1), []byte("<html><body><p>Warnings: Violence</p><p>Hi</p></body></html>"))
	f.Add(uint8(2), zipDir(f, filepath.Join("testdata", "formats", "ao3-epub")))
	f.Add(uint8(3), []byte(`{"text":"x"}`))
	f.Add(uint8(0), []byte("\xff\xfeT\x00"))
	names := []string{"s.txt", "s.html", "s.epub", "s.jsonl", "-", "s.xhtml"}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := names[int(which)%len(names)]
		s, err := ReadStory(context.Background(), name, bytes.NewReader(data), -1, Options{MaxStoryBytes: 64 << 10, MaxMarkupBytes: 64 << 10})
		if s == nil {
			t.Fatalf("no story, err %v", err)
		}
		if err != nil {
			if src, _ := storyName(name); !strings.Contains(err.Error(), src) {
				t.Errorf("error %q does not name %q", err, src)
			}
			return
		}
		if name != "-" {
			checkAsRead(t, name, data)
		}
	})
}

// FuzzReadRecord checks that ReadRecord never panics and reads a record
// as Read reads the same line of a corpus.
func FuzzReadRecord(f *testing.F) {
	f.Add([]byte(`{"text": "He fell.", "rating": "Mature", "warnings": ["Graphic Depictions Of Violence"]}`))
	f.Add([]byte(`{"id": 1.5e3, "text": "Rating: Teen\n\nx", "tags": "Self-Harm"}`))
	f.Add([]byte(`{"text": 1}`))
	f.Fuzz(func(t *testing.T, record []byte) {
		s, err := ReadRecord(context.Background(), "up.json", record, Options{MaxLineBytes: 64 << 10})
		if s == nil || s.Err != err {
			t.Fatalf("story %v, err %v: want a story whose Err is the error", s, err)
		}
		if bytes.ContainsAny(record, "\r\n") || bytes.HasPrefix(record, bomUTF16LE) || bytes.HasPrefix(record, bomUTF16BE) ||
			len(bytes.TrimSpace(record)) == 0 {
			return // not one line of a UTF-8 corpus
		}
		p := filepath.Join(t.TempDir(), "c.jsonl")
		if err := os.WriteFile(p, record, 0o644); err != nil {
			t.Fatal(err)
		}
		var want *Story
		for s := range Read(context.Background(), []string{p}, Options{MaxLineBytes: 64 << 10}) {
			want = s
		}
		if (err != nil) != (want.Err != nil) {
			t.Fatalf("err %v; Read's %v", err, want.Err)
		}
		if err != nil {
			return
		}
		g, w := *s, *want
		if w.ID == "c:1" {
			w.ID = "up" // the record has no id of its own
		}
		g.Source, w.Source = "", ""
		if !reflect.DeepEqual(g, w) {
			t.Errorf("ReadRecord\n%+v\nRead\n%+v", g, w)
		}
	})
}
