package datasets

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/datasets/header"
)

func collect(t *testing.T, inputs []string, opt Options) []*Story {
	t.Helper()
	var out []*Story
	for s := range Read(t.Context(), inputs, opt) {
		out = append(out, s)
	}
	return out
}

func writeFile(t *testing.T, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func sha(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// checkParsed checks that a story read without error is wired to the
// header parser: its declared metadata and body are what header.Parse says
// of its text, and its words are those of its body.
func checkParsed(t *testing.T, s *Story) {
	t.Helper()
	res := header.Parse(s.Text)
	if !reflect.DeepEqual(s.Declared, res.Declared) {
		t.Errorf("%s: Declared = %+v, want header.Parse's %+v", s.Source, s.Declared, res.Declared)
	}
	if s.BodyLine != res.BodyLine || s.BodyByte != res.BodyByte {
		t.Errorf("%s: body at line %d byte %d, want header.Parse's line %d byte %d", s.Source, s.BodyLine, s.BodyByte, res.BodyLine, res.BodyByte)
	}
	if want := CountWords(s.Body()); s.Words != want {
		t.Errorf("%s: Words = %d, want %d", s.Source, s.Words, want)
	}
}

// checkBuilt checks that a story read without error carries the metadata
// header.Build makes of fields, and that its text is all body.
func checkBuilt(t *testing.T, s *Story, fields []header.Field) {
	t.Helper()
	if want := header.Build(fields); !reflect.DeepEqual(s.Declared, want) {
		t.Errorf("%s: Declared = %+v, want header.Build's %+v", s.Source, s.Declared, want)
	}
	if s.BodyLine != 1 || s.BodyByte != 0 {
		t.Errorf("%s: body at line %d byte %d, want line 1 byte 0", s.Source, s.BodyLine, s.BodyByte)
	}
	if want := CountWords(s.Text); s.Words != want {
		t.Errorf("%s: Words = %d, want %d", s.Source, s.Words, want)
	}
}

// checkErr checks that s failed with an error naming its source, wrapping
// sentinel (when not nil) and containing text.
func checkErr(t *testing.T, s *Story, sentinel error, text string) {
	t.Helper()
	if s.Err == nil {
		t.Errorf("%s: no error, want one containing %q", s.Source, text)
		return
	}
	msg := s.Err.Error()
	if !strings.Contains(msg, s.Source) {
		t.Errorf("%s: error %q does not name the source", s.Source, msg)
	}
	if sentinel != nil && !errors.Is(s.Err, sentinel) {
		t.Errorf("%s: error %q does not wrap %v", s.Source, msg, sentinel)
	}
	if !strings.Contains(msg, text) {
		t.Errorf("%s: error %q does not contain %q", s.Source, msg, text)
	}
}

func TestReadDirectory(t *testing.T) {
	root := t.TempDir()
	files := map[string][]byte{
		"a.txt":                 []byte("Title: A\nRating: PG\n\nOnce upon a time.\n"),
		"b-utf16.txt":           encodeUTF16("Title: Wide\n\nBody of the wide story.\n", binary.LittleEndian),
		"c-cp1252.txt":          []byte("Title: Caf\xe9\n\n\x93Quoted\x94 body.\n"),
		"d-crlf.txt":            []byte("Title: D\r\n\r\nLine one.\r\nLine two.\r\n"),
		"e-empty.txt":           []byte(" \r\n\n"),
		"f-binary.dat":          []byte("\x7fELF\x02\x01\x01\x00\x00\x00"),
		"g-unreadable.txt":      []byte("A secret story.\n"),
		"h-corpus.jsonl":        []byte("{\"id\":\"r1\",\"text\":\"First record.\"}\n{\"id\":\"r2\",\"text\":\n{\"id\":\"r3\",\"text\":\"Third record.\"}\n"),
		".hidden.txt":           []byte("skipped\n"),
		".git/config":           []byte("skipped\n"),
		"sub/i-nested.txt":      []byte("Nested story.\n"),
		"sub/deeper/j.story.md": []byte("Deep story.\n"),
		"sub/.cache/k.txt":      []byte("skipped\n"),
		"z.txt":                 []byte("Last story.\n"),
	}
	for name, data := range files {
		writeFile(t, filepath.Join(root, filepath.FromSlash(name)), data)
	}
	unreadable := filepath.Join(root, "g-unreadable.txt")
	if err := os.Chmod(unreadable, 0); err != nil {
		t.Fatal(err)
	}
	// Root reads the file anyway; then it is a good story.
	_, err := os.ReadFile(unreadable)
	canRead := err == nil
	if canRead {
		t.Log("running with permission to read a mode-000 file: expecting it to be read")
	}

	type want struct {
		rel     string // source relative to root, slash-separated
		id      string
		enc     string
		text    string // decoded text of a good story
		raw     string // bytes the digest covers, when not the whole file
		err     error  // sentinel an error must wrap
		errText string // text of an expected error; "" for a good story
	}
	wants := []want{
		{rel: "a.txt", id: "a", enc: "utf-8", text: string(files["a.txt"])},
		{rel: "b-utf16.txt", id: "b-utf16", enc: "utf-16le", text: "Title: Wide\n\nBody of the wide story.\n"},
		{rel: "c-cp1252.txt", id: "c-cp1252", enc: "windows-1252", text: "Title: Café\n\n“Quoted” body.\n"},
		{rel: "d-crlf.txt", id: "d-crlf", enc: "utf-8", text: string(files["d-crlf.txt"])},
		{rel: "e-empty.txt", id: "e-empty", err: ErrEmpty, errText: "empty"},
		{rel: "f-binary.dat", id: "f-binary", err: ErrBinary, errText: "NUL byte at offset 7"},
		{rel: "g-unreadable.txt", id: "g-unreadable", err: fs.ErrPermission, errText: "permission denied; check the file's permissions"},
		{rel: "h-corpus.jsonl:1", id: "r1", enc: "utf-8", text: "First record.", raw: `{"id":"r1","text":"First record."}`},
		{rel: "h-corpus.jsonl:2", id: "h-corpus:2", errText: "jsonl record: invalid JSON"},
		{rel: "h-corpus.jsonl:3", id: "r3", enc: "utf-8", text: "Third record.", raw: `{"id":"r3","text":"Third record."}`},
		{rel: "sub/deeper/j.story.md", id: "sub/deeper/j.story", enc: "utf-8", text: "Deep story.\n"},
		{rel: "sub/i-nested.txt", id: "sub/i-nested", enc: "utf-8", text: "Nested story.\n"},
		{rel: "z.txt", id: "z", enc: "utf-8", text: "Last story.\n"},
	}
	if canRead {
		wants[6] = want{rel: "g-unreadable.txt", id: "g-unreadable", enc: "utf-8", text: "A secret story.\n"}
	}

	got := collect(t, []string{root}, Options{})
	if len(got) != len(wants) {
		for _, s := range got {
			t.Logf("got %s (%s) err=%v", s.Source, s.ID, s.Err)
		}
		t.Fatalf("Read yielded %d stories, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		s := got[i]
		file, line, isRecord := strings.Cut(w.rel, ":")
		source := filepath.Join(root, filepath.FromSlash(file))
		format := FormatText
		if isRecord {
			source += ":" + line
			format = FormatJSONL
		}
		if s.Source != source || s.ID != w.id || s.Format != format {
			t.Errorf("story %d = %s (ID %q, format %s), want %s (ID %q, format %s)", i, s.Source, s.ID, s.Format, source, w.id, format)
			continue
		}
		if w.errText != "" {
			checkErr(t, s, w.err, w.errText)
			continue
		}
		if s.Err != nil {
			t.Errorf("%s: %v", s.Source, s.Err)
			continue
		}
		if s.Text != w.text || s.Encoding != w.enc {
			t.Errorf("%s: text %q (%s), want %q (%s)", s.Source, s.Text, s.Encoding, w.text, w.enc)
		}
		raw := w.raw
		if !isRecord {
			raw = string(files[file])
		}
		if s.SHA256 != sha([]byte(raw)) {
			t.Errorf("%s: SHA256 %s, want the digest of %q", s.Source, s.SHA256, raw)
		}
		checkParsed(t, s)
	}
}

func TestReadInputs(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"x/story.txt":       "A story.\n",
		"x/.hidden.txt":     "Hidden, but named.\n",
		"x/.profile":        "Dot file without extension.\n",
		"x/b.txt":           "B.\n",
		"x/a.txt":           "A.\n",
		"x/corpus.jsonl":    "{\"text\":\"One.\"}\n",
		"x/UPPER.NDJSON":    "{\"id\":7,\"text\":\"Seven.\"}\n",
		"x/big.txt":         strings.Repeat("word ", 10),
		"tree/a.txt":        "Tree A.\n",
		"tree/sub/b.txt":    "Tree B.\n",
		"tree/sub/c.jsonl":  "{\"text\":\"Tree C.\"}\n",
		"tree2/only.txt":    "Only.\n",
		"tree2/.dot/no.txt": "skipped\n",
	} {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(name)), []byte(text))
	}
	p := func(name string) string { return filepath.Join(dir, filepath.FromSlash(name)) }
	type want struct{ source, id, errText string }
	tests := []struct {
		name   string
		inputs []string
		opt    Options
		want   []want
	}{
		{name: "file", inputs: []string{p("x/story.txt")}, want: []want{{p("x/story.txt"), "story", ""}}},
		{name: "dot-file named", inputs: []string{p("x/.hidden.txt")}, want: []want{{p("x/.hidden.txt"), ".hidden", ""}}},
		{name: "dot-file without extension", inputs: []string{p("x/.profile")}, want: []want{{p("x/.profile"), ".profile", ""}}},
		{name: "order of inputs kept", inputs: []string{p("x/b.txt"), p("x/a.txt")}, want: []want{{p("x/b.txt"), "b", ""}, {p("x/a.txt"), "a", ""}}},
		{
			name:   "missing",
			inputs: []string{p("x/missing.txt"), p("x/a.txt")},
			want: []want{
				{p("x/missing.txt"), "missing", "open " + p("x/missing.txt") + ": no such file or directory; check the path"},
				{p("x/a.txt"), "a", ""},
			},
		},
		{name: "jsonl record without id", inputs: []string{p("x/corpus.jsonl")}, want: []want{{p("x/corpus.jsonl") + ":1", "corpus:1", ""}}},
		{name: "ndjson in capitals", inputs: []string{p("x/UPPER.NDJSON")}, want: []want{{p("x/UPPER.NDJSON") + ":1", "7", ""}}},
		{
			name:   "directory with trailing slash",
			inputs: []string{p("tree") + string(filepath.Separator)},
			want: []want{
				{p("tree/a.txt"), "a", ""},
				{p("tree/sub/b.txt"), "sub/b", ""},
				{p("tree/sub/c.jsonl") + ":1", "sub/c:1", ""},
			},
		},
		{
			name:   "directories and a file",
			inputs: []string{p("tree2"), p("x/a.txt"), p("tree/sub")},
			want: []want{
				{p("tree2/only.txt"), "only", ""},
				{p("x/a.txt"), "a", ""},
				{p("tree/sub/b.txt"), "b", ""},
				{p("tree/sub/c.jsonl") + ":1", "c:1", ""},
			},
		},
		{
			name:   "file over the size limit",
			inputs: []string{p("x/big.txt"), p("x/a.txt")},
			opt:    Options{MaxFileBytes: 49},
			want: []want{
				{p("x/big.txt"), "big", "file is 50 bytes, over the 49-byte limit for a text story"},
				{p("x/a.txt"), "a", ""},
			},
		},
		{name: "file at the size limit", inputs: []string{p("x/big.txt")}, opt: Options{MaxFileBytes: 50}, want: []want{{p("x/big.txt"), "big", ""}}},
		{name: "no inputs", inputs: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := collect(t, tt.inputs, tt.opt)
			if len(got) != len(tt.want) {
				t.Fatalf("Read yielded %d stories, want %d", len(got), len(tt.want))
			}
			for i, w := range tt.want {
				s := got[i]
				if s.Source != w.source || s.ID != w.id {
					t.Errorf("story %d = %s (ID %q), want %s (ID %q)", i, s.Source, s.ID, w.source, w.id)
				}
				if w.errText != "" {
					checkErr(t, s, nil, w.errText)
				} else if s.Err != nil {
					t.Errorf("%s: %v", s.Source, s.Err)
				}
			}
		})
	}
}

func TestReadMissingIsNotExist(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope")
	got := collect(t, []string{missing}, Options{})
	if len(got) != 1 || !errors.Is(got[0].Err, fs.ErrNotExist) {
		t.Fatalf("Read(%q) = %v, want one story whose error wraps fs.ErrNotExist", missing, got)
	}
}

func TestReadUnreadableDirectory(t *testing.T) {
	root := t.TempDir()
	locked := filepath.Join(root, "locked")
	writeFile(t, filepath.Join(locked, "l.txt"), []byte("Locked away.\n"))
	writeFile(t, filepath.Join(root, "m.txt"), []byte("M.\n"))
	if err := os.Chmod(locked, 0); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(locked, 0o755) })
	got := collect(t, []string{root}, Options{})
	if _, err := os.ReadDir(locked); err == nil {
		// Root lists the directory anyway.
		if len(got) != 2 || got[0].ID != "locked/l" || got[1].ID != "m" {
			t.Fatalf("Read yielded %v, want locked/l and m", got)
		}
		return
	}
	if len(got) != 2 || got[0].ID != "locked" || got[1].ID != "m" || got[1].Err != nil {
		t.Fatalf("Read yielded %v, want an error for locked, then m", got)
	}
	checkErr(t, got[0], fs.ErrPermission, "check the directory's permissions")
}

func TestReadSymlinks(t *testing.T) {
	root := t.TempDir()
	target := t.TempDir()
	writeFile(t, filepath.Join(target, "t.txt"), []byte("Linked story.\n"))
	writeFile(t, filepath.Join(root, "a.txt"), []byte("A.\n"))
	for name, to := range map[string]string{
		"b-file.txt": filepath.Join(target, "t.txt"),
		"c-dir":      target,
		"d-broken":   filepath.Join(target, "missing"),
	} {
		if err := os.Symlink(to, filepath.Join(root, name)); err != nil {
			t.Skipf("cannot make symbolic links: %v", err)
		}
	}
	got := collect(t, []string{root}, Options{})
	wants := []struct{ id, errText string }{
		{"a", ""},
		{"b-file", ""},
		{"c-dir", "symbolic link to a directory, not followed"},
		{"d-broken", "the symbolic link is broken"},
	}
	if len(got) != len(wants) {
		t.Fatalf("Read yielded %d stories, want %d", len(got), len(wants))
	}
	for i, w := range wants {
		if got[i].ID != w.id {
			t.Errorf("story %d has ID %q, want %q", i, got[i].ID, w.id)
		}
		if w.errText != "" {
			checkErr(t, got[i], nil, w.errText)
		} else if got[i].Err != nil {
			t.Errorf("%s: %v", got[i].Source, got[i].Err)
		}
	}
	if got[1].Text != "Linked story.\n" {
		t.Errorf("linked story text = %q", got[1].Text)
	}
}

// jsonlWant is a story expected from a corpus.
type jsonlWant struct {
	line    int // 0 for a story about the whole corpus
	id      string
	format  Format // FormatJSONL when empty
	enc     string // utf-8 when empty
	text    string
	errIs   error
	errText string
	// declared: the record declares fields (checked against header.Build),
	// else its text is parsed (checked against header.Parse).
	declared bool
	fields   []header.Field
}

func TestReadJSONL(t *testing.T) {
	long := `{"id":"long","text":"` + strings.Repeat("x", 40) + `"}`
	tests := []struct {
		name   string
		corpus string
		utf16  bool // write the corpus as UTF-16LE with a byte-order mark
		opt    Options
		want   []jsonlWant
	}{
		{
			name: "generic with declared fields",
			corpus: `{"id":"w1","text":"Body only.\n","title":"T","author":"Solo","authors":["A"," B ",""],` +
				`"rating":"Mature","warnings":"Major Character Death","tags":["fluff","angst"],"fandom":null,` +
				`"fandoms":["F1","F2"],"relationships":"A/B","characters":["A","B"],"summary":"S.","language":"English","extra":1}` + "\n",
			want: []jsonlWant{{line: 1, id: "w1", text: "Body only.\n", declared: true, fields: []header.Field{
				{Key: header.KeyTitle, Label: "title", Value: "T"},
				{Key: header.KeyAuthor, Label: "author", Value: "Solo"},
				{Key: header.KeyAuthor, Label: "authors", Value: "A", Item: true},
				{Key: header.KeyAuthor, Label: "authors", Value: "B", Item: true},
				{Key: header.KeyRating, Label: "rating", Value: "Mature"},
				{Key: header.KeyWarnings, Label: "warnings", Value: "Major Character Death"},
				{Key: header.KeyFreeform, Label: "tags", Value: "fluff", Item: true},
				{Key: header.KeyFreeform, Label: "tags", Value: "angst", Item: true},
				{Key: header.KeyFandom, Label: "fandoms", Value: "F1", Item: true},
				{Key: header.KeyFandom, Label: "fandoms", Value: "F2", Item: true},
				{Key: header.KeyRelationships, Label: "relationships", Value: "A/B"},
				{Key: header.KeyCharacters, Label: "characters", Value: "A", Item: true},
				{Key: header.KeyCharacters, Label: "characters", Value: "B", Item: true},
				{Key: header.KeySummary, Label: "summary", Value: "S."},
				{Key: header.KeyLanguage, Label: "language", Value: "English"},
			}}},
		},
		{
			name:   "generic without declared fields",
			corpus: `{"id":"w2","text":"Title: X\nRating: PG\n\nThe body.\n"}` + "\n",
			want:   []jsonlWant{{line: 1, id: "w2", text: "Title: X\nRating: PG\n\nThe body.\n"}},
		},
		{
			name:   "blank declared values leave the text to be parsed",
			corpus: `{"id":"w3","text":"Rating: PG\n\nBody.","tags":[],"title":" ","warnings":[null]}` + "\n",
			want:   []jsonlWant{{line: 1, id: "w3", text: "Rating: PG\n\nBody."}},
		},
		{
			name: "pan 2023",
			corpus: `{"work_id":123,"labels":["violence","death"],"text":"<h2>Chapter 1</h2>\n<p>First &amp; one, ` +
				`&ldquo;quoted&rdquo;.</p>\n<p>Second&nbsp;para<br/>next   line</p><script>var x = \"<p>hidden</p>\";</script>` +
				`<style>p { color: red }</style><div>A div</div><ul><li>one</li><li>two</li></ul>"}` + "\n",
			want: []jsonlWant{{line: 1, id: "123", format: FormatPAN2023, declared: true,
				text: "Chapter 1\n\nFirst & one, “quoted”.\n\nSecond para\nnext line\n\nA div\n\none\ntwo",
				fields: []header.Field{
					{Key: header.KeyWarnings, Label: "labels", Value: "violence", Item: true},
					{Key: header.KeyWarnings, Label: "labels", Value: "death", Item: true},
				}}},
		},
		{
			name:   "pan 2023 without labels",
			corpus: `{"work_id":"w9","text":"<p>Plain.</p>"}` + "\n",
			want:   []jsonlWant{{line: 1, id: "w9", format: FormatPAN2023, declared: true, text: "Plain."}},
		},
		{
			name:   "id wins over work_id",
			corpus: `{"id":"g","work_id":5,"text":"<p>Not HTML to us.</p>"}` + "\n",
			want:   []jsonlWant{{line: 1, id: "g", text: "<p>Not HTML to us.</p>"}},
		},
		{
			name: "numeric ids",
			corpus: `{"id":42,"text":"a"}` + "\n" + `{"id":1.5e3,"text":"b"}` + "\n" + `{"id":-7,"text":"c"}` + "\n" +
				`{"id":12345678901234567890,"text":"d"}` + "\n" + `{"id":2.50,"text":"e"}` + "\n" + `{"id":"","text":"f"}` + "\n" +
				`{"id":1E-2,"text":"g"}` + "\n",
			want: []jsonlWant{
				{line: 1, id: "42", text: "a"},
				{line: 2, id: "1500", text: "b"},
				{line: 3, id: "-7", text: "c"},
				{line: 4, id: "12345678901234567890", text: "d"},
				{line: 5, id: "2.50", text: "e"},
				{line: 6, id: "corpus:6", text: "f"},
				{line: 7, id: "0.01", text: "g"},
			},
		},
		{
			name:   "over-long line",
			corpus: `{"id":"a","text":"short"}` + "\n" + long + "\n" + strings.Repeat(" ", 50) + "\n" + `{"id":"c","text":"after"}` + "\n",
			opt:    Options{MaxLineBytes: 40},
			want: []jsonlWant{
				{line: 1, id: "a", text: "short"},
				{line: 2, id: "corpus:2", errText: "line longer than 40 bytes"},
				{line: 4, id: "c", text: "after"},
			},
		},
		{
			name:   "line at the limit",
			corpus: long + "\r\n" + long,
			opt:    Options{MaxLineBytes: len(long)},
			want: []jsonlWant{
				{line: 1, id: "long", text: strings.Repeat("x", 40)},
				{line: 2, id: "long", text: strings.Repeat("x", 40)},
			},
		},
		{
			name:   "blank lines and crlf",
			corpus: "\n  \r\n" + `{"id":"a","text":"one"}` + "\r\n\t\r\n" + `{"id":"b","text":"two"}`,
			want:   []jsonlWant{{line: 3, id: "a", text: "one"}, {line: 5, id: "b", text: "two"}},
		},
		{
			name: "bad records",
			corpus: `{"id":"x",` + "\n" +
				`{"id":"m"}` + "\n" +
				`{"id":"n","text":3}` + "\n" +
				`{"id":"e","text":" \n "}` + "\n" +
				`[1,2]` + "\n" +
				`{"id":true,"text":"x"}` + "\n" +
				`{"id":"t","text":"x","tags":[1]}` + "\n" +
				`{"id":"u","text":"x","title":["a"]}` + "\n" +
				`{"work_id":"p","text":"<p>&nbsp;</p><script>x()</script>"}` + "\n" +
				`{"id":"ok","text":"fine"} trailing` + "\n" +
				`{"id":"v","text":"x","characters":{"a":1}}` + "\n",
			want: []jsonlWant{
				{line: 1, id: "corpus:1", errText: "jsonl record: invalid JSON"},
				{line: 2, id: "m", errText: `jsonl record: missing "text" field; each line must be {"id": ..., "text": ...}`},
				{line: 3, id: "n", errText: `"text" must be a string`},
				{line: 4, id: "e", errIs: ErrEmpty, errText: `"text" is empty`},
				{line: 5, id: "corpus:5", errText: "not a JSON object"},
				{line: 6, id: "corpus:6", errText: `"id" must be a string or a number`},
				{line: 7, id: "t", errText: `"tags" must be a string or a list of strings`},
				{line: 8, id: "u", errText: `"title" must be a string`},
				{line: 9, id: "p", format: FormatPAN2023, errIs: ErrEmpty, errText: "once its HTML is removed"},
				{line: 10, id: "corpus:10", errText: "invalid JSON"},
				{line: 11, id: "v", errText: `"characters" must be a string or a list of strings`},
			},
		},
		{
			name:   "utf-8 byte-order mark",
			corpus: "\uFEFF" + `{"id":"a","text":"one"}` + "\n" + `{"id":"b","text":"two"}` + "\n",
			want: []jsonlWant{
				{line: 1, id: "a", enc: "utf-8-bom", text: "one"},
				{line: 2, id: "b", enc: "utf-8-bom", text: "two"},
			},
		},
		{
			name:   "utf-16le",
			corpus: `{"id":"a","text":"on€"}` + "\r\n\r\n" + `{"id":"b","text":"two 😀"}` + "\r\n",
			utf16:  true,
			want: []jsonlWant{
				{line: 1, id: "a", enc: "utf-16le", text: "on€"},
				{line: 3, id: "b", enc: "utf-16le", text: "two 😀"},
			},
		},
		{
			name:   "windows-1252 line",
			corpus: "{\"id\":\"c\",\"text\":\"caf\xe9 \x93ok\x94\"}\n" + `{"id":"d","text":"plain"}` + "\n",
			want: []jsonlWant{
				{line: 1, id: "c", enc: "windows-1252", text: "café “ok”"},
				{line: 2, id: "d", text: "plain"},
			},
		},
		{
			name:   "empty corpus",
			corpus: "\n \r\n\t",
			want:   []jsonlWant{{line: 0, id: "corpus", errIs: ErrEmpty, errText: "holds no records"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "corpus.jsonl")
			data := []byte(tt.corpus)
			if tt.utf16 {
				data = encodeUTF16(tt.corpus, binary.LittleEndian)
			}
			writeFile(t, p, data)
			got := collect(t, []string{p}, tt.opt)
			checkJSONL(t, got, p, strings.TrimPrefix(tt.corpus, "\uFEFF"), tt.want)
		})
	}
}

// checkJSONL checks the stories read from the corpus at source, whose text
// as UTF-8 without a byte-order mark is corpus.
// checkRecord checks a corpus record's story: the error it must fail with
// (errText not empty), or its text and encoding (enc "" is utf-8). It
// reports whether the caller should go on checking the story.
func checkRecord(t *testing.T, s *Story, errIs error, errText, text, enc string) bool {
	t.Helper()
	if errText != "" {
		checkErr(t, s, errIs, errText)
		return false
	}
	if s.Err != nil {
		t.Errorf("%s: %v", s.Source, s.Err)
		return false
	}
	if enc = cmpOr(enc, "utf-8"); s.Text != text || s.Encoding != enc {
		t.Errorf("%s: text %q (%s), want %q (%s)", s.Source, s.Text, s.Encoding, text, enc)
	}
	return true
}

func checkJSONL(t *testing.T, got []*Story, source, corpus string, want []jsonlWant) {
	t.Helper()
	lines := strings.Split(corpus, "\n")
	if len(got) != len(want) {
		for _, s := range got {
			t.Logf("got %s (%s) err=%v", s.Source, s.ID, s.Err)
		}
		t.Fatalf("read %d stories, want %d", len(got), len(want))
	}
	for i, w := range want {
		s := got[i]
		src := source
		if w.line > 0 {
			src = fmt.Sprintf("%s:%d", source, w.line)
		}
		format := cmpOr(w.format, FormatJSONL)
		if s.Source != src || s.ID != w.id || s.Format != format {
			t.Errorf("story %d = %s (ID %q, format %s), want %s (ID %q, format %s)", i, s.Source, s.ID, s.Format, src, w.id, format)
			continue
		}
		if !checkRecord(t, s, w.errIs, w.errText, w.text, w.enc) {
			continue
		}
		// The digest is of the line as read, before any Windows-1252
		// decoding, and without its terminator.
		line := strings.TrimSuffix(lines[w.line-1], "\r")
		if s.SHA256 != sha([]byte(line)) {
			t.Errorf("%s: SHA256 %s, want the digest of %q", s.Source, s.SHA256, line)
		}
		if w.declared {
			checkBuilt(t, s, w.fields)
			rec, err := decodeRecord([]byte(line))
			if err != nil || !rec.declared || !reflect.DeepEqual(rec.fields, w.fields) {
				t.Errorf("%s: fields for header.Build = %+v (declared %v, err %v), want %+v", s.Source, rec.fields, rec.declared, err, w.fields)
			}
		} else {
			checkParsed(t, s)
		}
	}
}

func cmpOr[S ~string](s, def S) S {
	if s == "" {
		return def
	}
	return s
}

func TestReadStdin(t *testing.T) {
	tests := []struct {
		name  string
		stdin string
		opt   Options
		want  []jsonlWant // line 0: the text story "-"
	}{
		{name: "text", stdin: "Title: S\n\nStory from a pipe.\n", want: []jsonlWant{{id: "stdin", format: FormatText, text: "Title: S\n\nStory from a pipe.\n"}}},
		{name: "text starting with a brace", stdin: "{Title} not JSON\nbody\n", want: []jsonlWant{{id: "stdin", format: FormatText, text: "{Title} not JSON\nbody\n"}}},
		{name: "json line that is not an object", stdin: "[1]\n", want: []jsonlWant{{id: "stdin", format: FormatText, text: "[1]\n"}}},
		{name: "brace line that is not json", stdin: "{\"id\": 1,\n\"text\": \"x\"}\n", want: []jsonlWant{{id: "stdin", format: FormatText, text: "{\"id\": 1,\n\"text\": \"x\"}\n"}}},
		{name: "cp1252 text", stdin: "\x93Hi\x94\n", want: []jsonlWant{{id: "stdin", format: FormatText, enc: "windows-1252", text: "“Hi”\n"}}},
		{name: "empty", stdin: "", want: []jsonlWant{{id: "stdin", format: FormatText, errIs: ErrEmpty, errText: "empty"}}},
		{name: "blank", stdin: "\n  \n", want: []jsonlWant{{id: "stdin", format: FormatText, errIs: ErrEmpty, errText: "empty"}}},
		{
			name:  "jsonl",
			stdin: `{"id":"a","text":"one"}` + "\n" + `{"text":"two"}` + "\n" + `{"id":`,
			want: []jsonlWant{
				{line: 1, id: "a", text: "one"},
				{line: 2, id: "stdin:2", text: "two"},
				{line: 3, id: "stdin:3", errText: "invalid JSON"},
			},
		},
		{
			name:  "jsonl after a byte-order mark and blank lines",
			stdin: "\uFEFF\n \n  " + `{"id":"a","text":"one"}`,
			want:  []jsonlWant{{line: 3, id: "a", enc: "utf-8-bom", text: "one"}},
		},
		{
			name:  "jsonl with an over-long first line",
			stdin: `{"id":"a","text":"` + strings.Repeat("y", 30) + `"}` + "\n" + `{"id":"b","text":"ok"}`,
			opt:   Options{MaxLineBytes: 25},
			want: []jsonlWant{
				{line: 1, id: "stdin:1", errText: "line longer than 25 bytes"},
				{line: 2, id: "b", text: "ok"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opt := tt.opt
			opt.Stdin = strings.NewReader(tt.stdin)
			got := collect(t, []string{"-"}, opt)
			if len(tt.want) == 1 && tt.want[0].format == FormatText {
				w := tt.want[0]
				if len(got) != 1 {
					t.Fatalf("read %d stories, want 1", len(got))
				}
				s := got[0]
				if s.Source != "-" || s.ID != "stdin" || s.Format != FormatText {
					t.Errorf("story = %s (ID %q, format %s), want - (ID stdin, format text)", s.Source, s.ID, s.Format)
				}
				if w.errText != "" {
					checkErr(t, s, w.errIs, w.errText)
					return
				}
				if s.Err != nil {
					t.Fatal(s.Err)
				}
				if enc := cmpOr(w.enc, "utf-8"); s.Text != w.text || s.Encoding != enc || s.SHA256 != sha([]byte(tt.stdin)) {
					t.Errorf("story text %q (%s, %s), want %q (%s, digest of stdin)", s.Text, s.Encoding, s.SHA256, w.text, enc)
				}
				checkParsed(t, s)
				return
			}
			checkJSONL(t, got, "-", strings.TrimPrefix(tt.stdin, "\uFEFF"), tt.want)
		})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestReadStops(t *testing.T) {
	var corpus strings.Builder
	for i := range 10000 {
		fmt.Fprintf(&corpus, "{\"id\":%d,\"text\":\"Story number %d.\"}\n", i, i)
	}
	dir := t.TempDir()
	var files []string
	for i := range 5 {
		p := filepath.Join(dir, fmt.Sprintf("%d.txt", i))
		writeFile(t, p, []byte("A story.\n"))
		files = append(files, p)
	}
	tests := []struct {
		name   string
		inputs []string
		// stop ends iteration after the first story: break, or cancel and
		// go on ranging.
		brk       bool
		preCancel bool
		want      int
	}{
		{name: "break in stdin corpus", inputs: []string{"-"}, brk: true, want: 1},
		{name: "cancel in stdin corpus", inputs: []string{"-"}, want: 1},
		{name: "cancel before reading", inputs: []string{"-"}, preCancel: true, want: 0},
		{name: "break in files", inputs: append([]string{"-"}, files...), brk: true, want: 1},
		{name: "cancel in files", inputs: append(append([]string{}, files...), "-"), want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			if tt.preCancel {
				cancel()
			}
			stdin := &countingReader{r: strings.NewReader(corpus.String())}
			n := 0
			for range Read(ctx, tt.inputs, Options{Stdin: stdin}) {
				n++
				if tt.brk {
					break
				}
				cancel()
			}
			if n != tt.want {
				t.Errorf("got %d stories, want %d", n, tt.want)
			}
			if stdin.n >= corpus.Len() {
				t.Errorf("read all %d bytes of stdin after stopping", stdin.n)
			}
		})
	}
}

func TestDecodeRecordIDs(t *testing.T) {
	tests := []struct{ lit, want string }{
		{"0", "0"},
		{"42", "42"},
		{"-3.25", "-3.25"},
		{"1e3", "1000"},
		{"1.5E+3", "1500"},
		{"1.25e1", "12.5"},
		{"-1.5e-3", "-0.0015"},
		{"0.000e5", "0"},
		{"-0e0", "0"},
		{"123e-1", "12.3"},
		{"1e101", "1e101"},
	}
	for _, tt := range tests {
		rec, err := decodeRecord([]byte(`{"id":` + tt.lit + `,"text":"x"}`))
		if err != nil || rec.id != tt.want {
			t.Errorf("id %s = %q (err %v), want %q", tt.lit, rec.id, err, tt.want)
		}
	}
}

func TestHTMLToText(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"<p>One</p><p>Two</p>", "One\n\nTwo"},
		{"<p>a</p>\n\n\n<p>b</p>", "a\n\nb"},
		{"a<br>b<br/><br>c<br><br><br>d", "a\nb\n\nc\n\nd"},
		{"  lots   of\n\tspace  ", "lots of space"},
		{"<b>bold</b> and <i>it</i>al", "bold and ital"},
		{"&lt;tag&gt; &amp;&amp; &#8217; &#x2014; &eacute; &nbsp;x", "<tag> && ’ — é x"},
		{"<script>alert('<p>')</script><style>p{}</style>kept", "kept"},
		{"<script/>after", "after"},
		{"<div>x</div><div>y</div>", "x\ny"},
		{"<ol><li>1</li><li>2</li></ol>after", "1\n2\n\nafter"},
		{"<blockquote>q</blockquote>t", "q\n\nt"},
		{"<h1>H</h1>t", "H\n\nt"},
		{"<pre>a  b\n  c</pre>d", "a  b\n  c\n\nd"},
		{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"<!-- comment -->x<!DOCTYPE html>", "x"},
		{"<p>&nbsp;</p><p>&nbsp;</p><p>x</p>", "x"},
		{"unclosed <p>para", "unclosed\n\npara"},
		{"", ""},
	}
	for _, tt := range tests {
		got := htmlToText(tt.in)
		if got != tt.want {
			t.Errorf("htmlToText(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !utf8.ValidString(got) {
			t.Errorf("htmlToText(%q) is not valid UTF-8", tt.in)
		}
	}
}

// corpusLines returns the lines of a corpus as the reader sees them: after
// its byte-order mark, decoded from UTF-16 when the mark says so.
func corpusLines(data []byte) [][]byte {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		data = data[3:]
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		data = []byte(decodeUTF16Ref(data))
	}
	lines := bytes.Split(data, []byte("\n"))
	if len(lines[len(lines)-1]) == 0 {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// decodeUTF16Ref decodes UTF-16 after its byte-order mark, independently of
// golang.org/x/text: unpaired surrogates and an odd last byte become U+FFFD.
func decodeUTF16Ref(b []byte) string {
	var order binary.ByteOrder = binary.LittleEndian
	if b[0] == 0xFE {
		order = binary.BigEndian
	}
	b = b[2:]
	units := make([]uint16, 0, len(b)/2)
	for ; len(b) >= 2; b = b[2:] {
		units = append(units, order.Uint16(b))
	}
	s := string(utf16Decode(units))
	if len(b) == 1 {
		s += "\uFFFD"
	}
	return s
}

func utf16Decode(units []uint16) []rune {
	var rs []rune
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case u >= 0xD800 && u < 0xDC00 && i+1 < len(units) && units[i+1] >= 0xDC00 && units[i+1] < 0xE000:
			rs = append(rs, (rune(u)-0xD800)<<10|(rune(units[i+1])-0xDC00)+0x10000)
			i++
		case u >= 0xD800 && u < 0xE000:
			rs = append(rs, utf8.RuneError)
		default:
			rs = append(rs, rune(u))
		}
	}
	return rs
}

func FuzzReadJSONL(f *testing.F) {
	for _, s := range []string{
		`{"id":"a","text":"Title: T\n\nBody."}` + "\n",
		`{"id":1e3,"text":"x","tags":["a",null],"rating":"M"}`,
		`{"work_id":5,"text":"<p>a&amp;b</p><br>c","labels":["violence"]}` + "\n\n" + `{"id":`,
		"\n \r\n\t\n",
		"\xEF\xBB\xBF{\"text\":\"bom\"}\r\n",
		"\xFF\xFE{\x00}\x00\n\x00",
		"{\"text\":\"caf\xe9\"}\n[1]\nnull\n",
		`{"id":"x","text":"` + strings.Repeat("long ", 20) + `"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var want []int // line numbers of the non-blank lines
		for i, line := range corpusLines(data) {
			if len(bytes.Trim(line, " \t\r")) > 0 {
				want = append(want, i+1)
			}
		}
		for _, maxLine := range []int{0, 16} {
			var got []*Story
			r := newReader(context.Background(), Options{MaxLineBytes: maxLine}, func(s *Story) bool {
				got = append(got, s)
				return true
			})
			if !r.readJSONL(bytes.NewReader(data), "fuzz.jsonl", "fuzz") {
				t.Fatal("readJSONL stopped while the consumer wanted more")
			}
			if len(want) == 0 {
				if len(got) != 1 || !errors.Is(got[0].Err, ErrEmpty) || got[0].Source != "fuzz.jsonl" {
					t.Fatalf("max %d: corpus without records gave %d stories, want one failing with ErrEmpty", maxLine, len(got))
				}
				continue
			}
			if len(got) != len(want) {
				t.Fatalf("max %d: %d stories from %d non-blank lines %v", maxLine, len(got), len(want), want)
			}
			for i, s := range got {
				if src := fmt.Sprintf("fuzz.jsonl:%d", want[i]); s.Source != src {
					t.Fatalf("max %d: story %d from %s, want %s", maxLine, i, s.Source, src)
				}
				if s.ID == "" || !utf8.ValidString(s.ID) {
					t.Fatalf("%s: bad ID %q", s.Source, s.ID)
				}
				if s.Err != nil {
					if !strings.HasPrefix(s.Err.Error(), s.Source+": ") {
						t.Fatalf("%s: error %q does not start with the source", s.Source, s.Err)
					}
					continue
				}
				if !utf8.ValidString(s.Text) || isSpace(s.Text) {
					t.Fatalf("%s: bad text %q", s.Source, s.Text)
				}
				if s.BodyByte < 0 || s.BodyByte > len(s.Text) || s.BodyLine < 1 {
					t.Fatalf("%s: body at line %d byte %d of %d", s.Source, s.BodyLine, s.BodyByte, len(s.Text))
				}
				if len(s.SHA256) != 64 {
					t.Fatalf("%s: SHA256 %q", s.Source, s.SHA256)
				}
			}
		}
	})
}
