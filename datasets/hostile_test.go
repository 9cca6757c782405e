//go:build unix

package datasets

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// cancelBound is how long Read may take to return once its context is
// cancelled: generous, as a test of promptness, not of speed.
const cancelBound = 3 * time.Second

// readUntilCancel runs Read over inputs, cancels its context after a
// moment, and fails if Read has not returned within cancelBound.
func readUntilCancel(t *testing.T, inputs []string, opt Options) []*Story {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan []*Story, 1)
	go func() {
		var out []*Story
		for s := range Read(ctx, inputs, opt) {
			out = append(out, s)
		}
		done <- out
	}()
	time.Sleep(200 * time.Millisecond)
	cancel()
	select {
	case out := <-done:
		return out
	case <-time.After(cancelBound):
		t.Fatalf("Read(%q) still blocked %v after its context was cancelled", inputs, cancelBound)
		return nil
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
}

// Every blocking read gives way to cancellation.
func TestReadCancelsBlockedInputs(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) ([]string, Options)
	}{
		{"jsonl symlink to /dev/zero", func(t *testing.T, dir string) ([]string, Options) {
			p := filepath.Join(dir, "zero.jsonl")
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Fatal(err)
			}
			return []string{p}, Options{}
		}},
		{"csv symlink to /dev/zero", func(t *testing.T, dir string) ([]string, Options) {
			p := filepath.Join(dir, "zero.csv")
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Fatal(err)
			}
			return []string{p}, Options{}
		}},
		{"fifo without a writer", func(t *testing.T, dir string) ([]string, Options) {
			p := filepath.Join(dir, "pipe.txt")
			mkfifo(t, p)
			return []string{p}, Options{}
		}},
		{"fifo whose writer never closes", func(t *testing.T, dir string) ([]string, Options) {
			p := filepath.Join(dir, "pipe.jsonl")
			mkfifo(t, p)
			// O_RDWR opens a FIFO without waiting for a reader (Linux), and
			// keeps a writer on it.
			w, err := os.OpenFile(p, os.O_RDWR, 0)
			if err != nil {
				t.Skipf("open fifo: %v", err)
			}
			t.Cleanup(func() { w.Close() })
			w.WriteString(`{"id":"1","text":"One."}` + "\n" + `{"id":"2","te`)
			return []string{p}, Options{}
		}},
		{"stdin that never closes (io.Reader)", func(t *testing.T, dir string) ([]string, Options) {
			pr, pw := io.Pipe()
			t.Cleanup(func() { pw.Close() })
			go pw.Write([]byte("Title: x\n\nText"))
			return []string{"-"}, Options{Stdin: pr}
		}},
		{"stdin that never closes (*os.File pipe)", func(t *testing.T, dir string) ([]string, Options) {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { pw.Close(); pr.Close() })
			pw.WriteString(`{"id":"1","text":"One."}` + "\n")
			return []string{"-"}, Options{Stdin: pr}
		}},
		{"stdin from /dev/zero as jsonl-looking text", func(t *testing.T, dir string) ([]string, Options) {
			// Endless spaces: neither binary nor ever a line.
			return []string{"-"}, Options{Stdin: endless(' ')}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			inputs, opt := tc.setup(t, t.TempDir())
			readUntilCancel(t, inputs, opt)
		})
	}
}

// endless is an input of one byte repeated for ever.
type endless byte

func (e endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(e)
	}
	return len(p), nil
}

// A file found under a directory that is, once opened, not a regular file
// (swapped for a FIFO after the listing) is refused, without blocking.
func TestReadFileSwappedForFIFO(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "story.txt")
	mkfifo(t, p)
	var got []*Story
	done := make(chan bool, 1)
	go func() {
		r := newReader(context.Background(), Options{}, func(s *Story) bool { got = append(got, s); return true })
		done <- r.openFile(p, "story") // as walk calls it for a regular file
	}()
	select {
	case <-done:
	case <-time.After(cancelBound):
		t.Fatal("opening a FIFO found under a directory blocked")
	}
	if len(got) != 1 {
		t.Fatalf("got %d stories, want 1", len(got))
	}
	checkErr(t, got[0], nil, "not a regular file")
}

// Input of unknown size is read up to Options.MaxStoryBytes; binary input
// fails at its first NUL byte.
func TestReadUnknownSizeBounded(t *testing.T) {
	const cap = 1 << 20
	tests := []struct {
		name     string
		input    func(t *testing.T, dir string) (string, io.Reader)
		sentinel error
		text     string
		maxRead  int64 // most bytes the read may consume; 0: not counted
	}{
		{"/dev/zero as a text file", func(t *testing.T, dir string) (string, io.Reader) {
			p := filepath.Join(dir, "zero.txt")
			os.Symlink("/dev/zero", p)
			return p, nil
		}, ErrBinary, "NUL byte at offset 0", 0},
		{"/dev/urandom as a text file", func(t *testing.T, dir string) (string, io.Reader) {
			p := filepath.Join(dir, "random.txt")
			os.Symlink("/dev/urandom", p)
			return p, nil
		}, ErrBinary, "NUL byte", 0},
		{"stdin of NUL bytes", func(t *testing.T, dir string) (string, io.Reader) {
			return "-", endless(0)
		}, ErrBinary, "NUL byte at offset 0", 128 << 10},
		{"stdin of endless text", func(t *testing.T, dir string) (string, io.Reader) {
			return "-", endless('a')
		}, ErrTooLarge, "--max-story-bytes", cap + 8<<20},
		{"a pipe of endless text", func(t *testing.T, dir string) (string, io.Reader) {
			p := filepath.Join(dir, "pipe.txt")
			mkfifo(t, p)
			go func() {
				w, err := os.OpenFile(p, os.O_WRONLY, 0)
				if err != nil {
					return
				}
				defer w.Close()
				io.Copy(w, io.LimitReader(endless('b'), 64<<20))
			}()
			return p, nil
		}, ErrTooLarge, "--max-story-bytes", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in, stdin := tc.input(t, t.TempDir())
			var counted *countingReader
			opt := Options{MaxStoryBytes: cap}
			if stdin != nil {
				counted = &countingReader{r: stdin}
				opt.Stdin = counted
			}
			got := collect(t, []string{in}, opt)
			if len(got) != 1 {
				t.Fatalf("got %d stories, want 1", len(got))
			}
			checkErr(t, got[0], tc.sentinel, tc.text)
			if counted != nil && tc.maxRead > 0 && int64(counted.n) > tc.maxRead {
				t.Errorf("read %d bytes of standard input, want at most %d", counted.n, tc.maxRead)
			}
		})
	}
}

// HTML and EPUB files are checked against Options.MaxMarkupBytes before
// they are read.
func TestReadMarkupCaps(t *testing.T) {
	dir := t.TempDir()
	sparse := filepath.Join(dir, "sparse.html")
	f, err := os.Create(sparse)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(2 << 30); err != nil {
		t.Skipf("sparse file: %v", err)
	}
	f.Close()
	small := filepath.Join(dir, "small.html")
	writeFile(t, small, []byte("<html><body><p>"+strings.Repeat("word ", 1000)+"</p></body></html>"))
	bigEPUB := filepath.Join(dir, "big.epub")
	writeFile(t, bigEPUB, epubOf(t, []string{"c1"}, map[string]string{"c1": "<html><body><p>" + strings.Repeat("word ", 100000) + "</p></body></html>"}, nil))
	tests := []struct {
		name string
		in   string
		opt  Options
		text string // "" = no error
	}{
		{"2 GiB sparse HTML, default cap", sparse, Options{}, "file is 2147483648 bytes, over the 25165824-byte limit"},
		{"HTML under the cap", small, Options{MaxMarkupBytes: 1 << 20}, ""},
		{"HTML over the cap", small, Options{MaxMarkupBytes: 1000}, "--max-markup-bytes"},
		{"EPUB decompressing over the cap", bigEPUB, Options{MaxMarkupBytes: 100_000}, "decompresses to more than 100000 bytes"},
		// The cap that bites is the flag's: say so (it used to be refused
		// "for safety", as a zip bomb).
		{"EPUB over the cap names the flag", longEPUB(t, dir), Options{MaxMarkupBytes: 1_000_000}, "raise the limit with --max-markup-bytes"},
		{"EPUB of long chapters, default cap", filepath.Join(dir, "long.epub"), Options{}, "decompresses to more than 25165824 bytes, the limit for an HTML or EPUB story; split it, or raise the limit with --max-markup-bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := collect(t, []string{tc.in}, tc.opt)
			if len(got) != 1 {
				t.Fatalf("got %d stories, want 1", len(got))
			}
			if tc.text == "" {
				if got[0].Err != nil {
					t.Fatalf("%s: %v", tc.in, got[0].Err)
				}
				return
			}
			checkErr(t, got[0], nil, tc.text)
			if strings.Contains(tc.text, "--max-markup-bytes") && (!errors.Is(got[0].Err, ErrTooLarge) || errors.Is(got[0].Err, ErrHostile)) {
				t.Errorf("%v: want ErrTooLarge, not ErrHostile", got[0].Err)
			}
		})
	}
}

// longEPUB writes an EPUB file of about 150 KB whose six chapters
// decompress to 30 MB: a long work, not a zip bomb.
func longEPUB(t *testing.T, dir string) string {
	para := "<p>" + strings.Repeat("She walked through the quiet town and thought of home. ", 20) + "</p>\n"
	docs := map[string]string{}
	var spine []string
	for i := range 6 {
		id := "c" + string(rune('a'+i))
		docs[id] = "<html><body>" + strings.Repeat(para, 5<<20/len(para)) + "</body></html>"
		spine = append(spine, id)
	}
	p := filepath.Join(dir, "long.epub")
	writeFile(t, p, epubOf(t, spine, docs, nil))
	return p
}

// A genuine zip bomb is still refused for safety, whatever the markup cap.
func TestEPUBBombStillHostile(t *testing.T) {
	b := epubOf(t, []string{"c1"}, map[string]string{"c1": "<html><body><p>" + strings.Repeat("word ", 100000) + "</p></body></html>"}, nil)
	lim := defaultEPUBLimits
	lim.entries = 3
	ml := limit{1 << 30, "an HTML or EPUB story", "--max-markup-bytes"}
	lim.markup = &ml
	if _, err := readEPUBStory(b, lim); !errors.Is(err, ErrHostile) {
		t.Errorf("too many entries: %v, want ErrHostile", err)
	}
	lim = defaultEPUBLimits
	lim.entry = 1000
	lim.markup = &ml
	if _, err := readEPUBStory(b, lim); !errors.Is(err, ErrHostile) || errors.Is(err, ErrTooLarge) {
		t.Errorf("entry over a cap that is not the flag's: %v, want ErrHostile", err)
	}
}

// A FIFO given as an input whose writer opened it before Read started
// (the shell's "printf ... > fifo &" then "tagger meta fifo") is read
// whole: opening it without blocking and closing it again used to drop
// what the writer had written, then wait for a writer that had gone.
func TestReadFIFOWriterFirst(t *testing.T) {
	const text = "Title: x\n\nhello from the pipe\n"
	for i := range 30 {
		for _, name := range []string{"pipe.txt", "pipe.jsonl"} {
			p := filepath.Join(t.TempDir(), name)
			mkfifo(t, p)
			content := text
			if strings.HasSuffix(name, ".jsonl") {
				content = `{"id":"1","text":"hello from the pipe"}` + "\n"
			}
			// Another process, as in the shell: it waits in open(2) for a
			// reader, writes, and exits.
			wf := filepath.Join(filepath.Dir(p), "content")
			writeFile(t, wf, []byte(content))
			writer := exec.Command("sh", "-c", `cat "$1" > "$2"`, "sh", wf, p)
			if err := writer.Start(); err != nil {
				t.Skip(err)
			}
			wrote := make(chan error, 1)
			go func() { wrote <- writer.Wait() }()
			time.Sleep(20 * time.Millisecond) // the writer waits in open(2)
			ctx, cancel := context.WithTimeout(context.Background(), cancelBound)
			var got []*Story
			for s := range Read(ctx, []string{p}, Options{}) {
				got = append(got, s)
			}
			timedOut := ctx.Err() != nil
			cancel()
			if timedOut {
				// Release the writer, if it still waits, before failing.
				if r, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
					r.Close()
				}
				t.Fatalf("iteration %d, %s: Read blocked %v", i, name, cancelBound)
			}
			if err := <-wrote; err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Err != nil || !strings.Contains(got[0].Text, "hello from the pipe") {
				var err error
				if len(got) > 0 {
					err = got[0].Err
				}
				t.Fatalf("iteration %d, %s: %d stories (%v), want the writer's story", i, name, len(got), err)
			}
		}
	}
}

// openFIFO, cancelled before its goroutine reaches open(2), leaves no
// goroutine blocked there.
func TestOpenFIFOCancelledLeavesNoGoroutine(t *testing.T) {
	dir := t.TempDir()
	before := runtime.NumGoroutine()
	for i := range 20 {
		p := filepath.Join(dir, fmt.Sprintf("pipe%d.txt", i))
		mkfifo(t, p)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		r := newReader(ctx, Options{}, func(*Story) bool { return true })
		if f, err := r.openFIFO(p); err == nil {
			f.Close()
			t.Fatal("openFIFO succeeded with its context done")
		}
	}
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines left, %d before", n, before)
	}
}

// Standard input redirected from a regular file has a known size: it is
// read as a named file is, within MaxFileBytes, not MaxStoryBytes (tagger
// run - < big.txt used to fail above 64 MiB).
func TestReadStdinRegularFile(t *testing.T) {
	body := strings.Repeat("She walked through the quiet town. ", 3000) // ~100 KB
	tests := []struct {
		name    string
		content string
		skip    int64 // bytes of stdin already consumed
		opt     Options
		err     string // "" = read whole
		words   string // a text the story must hold
	}{
		{"text over the story cap", "Title: Big\n\n" + body, 0, Options{MaxStoryBytes: 1 << 10}, "", "quiet town"},
		{"corpus", `{"id":"1","text":"` + body + `"}` + "\n", 0, Options{MaxStoryBytes: 1 << 10}, "", "quiet town"},
		{"offset already read", "XXXXTitle: Big\n\n" + body, 4, Options{MaxStoryBytes: 1 << 10}, "", "quiet town"},
		{"over the file cap", "Title: Big\n\n" + body, 0, Options{MaxFileBytes: 1 << 10}, "raise the limit with --max-file-bytes", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "in")
			writeFile(t, p, []byte(tc.content))
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.Seek(tc.skip, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			opt := tc.opt
			opt.Stdin = f
			got := collect(t, []string{"-"}, opt)
			if len(got) != 1 {
				t.Fatalf("got %d stories, want 1", len(got))
			}
			if tc.err != "" {
				checkErr(t, got[0], ErrTooLarge, tc.err)
				return
			}
			if got[0].Err != nil {
				t.Fatal(got[0].Err)
			}
			if !strings.Contains(got[0].Text, tc.words) || len(got[0].Text) < len(body) {
				t.Errorf("text of %d bytes, want all %d", len(got[0].Text), len(body))
			}
		})
	}
}

// The limit on a text file names the flag that raises it.
func TestReadFileLimitNamesFlag(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a.txt")
	writeFile(t, p, []byte("Title: x\n\n"+strings.Repeat("word ", 1000)))
	got := collect(t, []string{p}, Options{MaxFileBytes: 100})
	if len(got) != 1 {
		t.Fatalf("got %d stories", len(got))
	}
	checkErr(t, got[0], ErrTooLarge, "raise the limit with --max-file-bytes")
}

// epubOf builds an EPUB whose spine lists spine (manifest ids); docs maps
// ids to XHTML, types ids to media types (default XHTML).
func epubOf(t testing.TB, spine []string, docs map[string]string, types map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	add := func(name, data string) {
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(data))
	}
	add("mimetype", "application/epub+zip")
	add("META-INF/container.xml", `<?xml version="1.0"?><container><rootfiles><rootfile full-path="content.opf"/></rootfiles></container>`)
	var man, sp strings.Builder
	for id, data := range docs {
		mt := "application/xhtml+xml"
		if types[id] != "" {
			mt = types[id]
		}
		man.WriteString(`<item id="` + id + `" href="` + id + `.xhtml" media-type="` + mt + `"/>`)
		add(id+".xhtml", data)
	}
	for _, id := range spine {
		sp.WriteString(`<itemref idref="` + id + `"/>`)
	}
	add("content.opf", `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf"><metadata><title>T</title></metadata><manifest>`+
		man.String()+`</manifest><spine>`+sp.String()+`</spine></package>`)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// An EPUB spine is read once per document, is capped in length, and only
// its text documents are read as text.
func TestEPUBSpine(t *testing.T) {
	zipped := epubOf(t, []string{"x"}, map[string]string{"x": "<html><body><p>inner</p></body></html>"}, nil)
	repeat := func(id string, n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = id
		}
		return out
	}
	doc := "<html><body><p>Once upon a time.</p></body></html>"
	tests := []struct {
		name  string
		epub  []byte
		err   string // "" = no error
		count int    // times "Once upon a time." is in the text
		not   string // text that must not be in the body
	}{
		{"spine repeating one item", epubOf(t, repeat("c1", 500), map[string]string{"c1": doc}, nil), "", 1, ""},
		{"spine longer than the archive can hold", epubOf(t, repeat("c1", maxEPUBEntries+1), map[string]string{"c1": doc}, nil), "EPUB spine of 10001 items", 0, ""},
		{"zip listed as a zip", epubOf(t, []string{"c1", "z"}, map[string]string{"c1": doc, "z": string(zipped)}, map[string]string{"z": "application/zip"}), "", 1, "PK"},
		{"zip listed as XHTML", epubOf(t, []string{"c1", "z"}, map[string]string{"c1": doc, "z": string(zipped)}, nil), "", 1, "PK"},
		// An EPUB 3 table of contents in the spine repeats the chapter
		// titles: it is not read.
		{"table of contents in the spine", epubOf(t, []string{"nav", "c1"},
			map[string]string{"nav": "<html><body><nav><ol><li>Chapter One: The Tide</li></ol></nav></body></html>", "c1": doc},
			map[string]string{"nav": `application/xhtml+xml" properties="nav`}), "", 1, "The Tide"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "s.epub")
			writeFile(t, p, tc.epub)
			got := collect(t, []string{p}, Options{})
			if len(got) != 1 {
				t.Fatalf("got %d stories, want 1", len(got))
			}
			s := got[0]
			if tc.err != "" {
				checkErr(t, s, ErrHostile, tc.err)
				return
			}
			if s.Err != nil {
				t.Fatal(s.Err)
			}
			if n := strings.Count(s.Text, "Once upon a time."); n != tc.count {
				t.Errorf("text holds the document %d times, want %d: %.200q", n, tc.count, s.Text)
			}
			if tc.not != "" && strings.Contains(s.Text, tc.not) {
				t.Errorf("text holds %q: %.200q", tc.not, s.Text)
			}
		})
	}
}

// A streamed story is checked throughout, not only in its first MiB.
func TestStreamedChecksThroughout(t *testing.T) {
	body := strings.Repeat("Rain fell on the roof — nobody spoke. ", 80000) // 3 MiB, UTF-8
	tests := []struct {
		name     string
		data     string
		sentinel error
		err      string
		enc      string
	}{
		{"NUL byte after 2 MiB", body[:2<<20] + "\x00" + body[2<<20:], ErrBinary, "NUL byte at offset 2097152", ""},
		{"invalid byte after 2 MiB", body[:2<<20-1] + "\xff" + body[2<<20-1:], nil, "", EncodingUTF8Lossy},
		{"NUL in UTF-16 after 2 MiB", string(utf16LE(body[:1<<20])) + "\x00\x00" + string(utf16LE(body[:1<<20])[2:]), ErrBinary, "NUL byte", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "big.txt")
			writeFile(t, p, []byte(tc.data))
			got := collect(t, []string{p}, Options{StreamAbove: 1 << 20})
			if len(got) != 1 {
				t.Fatalf("got %d stories, want 1", len(got))
			}
			s := got[0]
			if tc.err != "" {
				checkErr(t, s, tc.sentinel, tc.err)
				return
			}
			if s.Err != nil {
				t.Fatal(s.Err)
			}
			if s.Encoding != tc.enc {
				t.Errorf("encoding %q, want %q", s.Encoding, tc.enc)
			}
			rc, err := s.OpenBody()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), "—") || !strings.Contains(string(b), "\uFFFD") || strings.Contains(string(b), "â€") {
				t.Errorf("body not decoded as damaged UTF-8")
			}
		})
	}
}

// A streamed file changed after it was read fails when its body is read.
func TestStreamedFileChanged(t *testing.T) {
	body := strings.Repeat("The rain fell on the roof, and nobody spoke.\n", 50000)
	tests := []struct {
		name   string
		change func(t *testing.T, p string)
		atOpen bool // the change is seen when the body is opened
	}{
		{"appended", func(t *testing.T, p string) {
			f, _ := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
			f.WriteString("More text.\n")
			f.Close()
		}, true},
		{"rewritten in place, same size and time", func(t *testing.T, p string) {
			fi, _ := os.Stat(p)
			f, _ := os.OpenFile(p, os.O_WRONLY, 0)
			f.WriteAt([]byte("THE"), int64(len(body)-100))
			f.Close()
			os.Chtimes(p, fi.ModTime(), fi.ModTime())
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "big.txt")
			writeFile(t, p, []byte(body))
			got := collect(t, []string{p}, Options{StreamAbove: 1 << 20})
			if len(got) != 1 || got[0].Err != nil || !got[0].Streamed() {
				t.Fatalf("got %v", got)
			}
			tc.change(t, p)
			rc, err := got[0].OpenBody()
			if err == nil {
				_, err = io.ReadAll(rc)
				rc.Close()
			} else if !tc.atOpen {
				t.Errorf("OpenBody failed early: %v", err)
			}
			if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), p) {
				t.Errorf("reading the changed file: %v, want an error wrapping ErrChanged naming %s", err, p)
			}
		})
	}
}

// A JSONL line over the limit says which flag raises it, and a long line
// under it is read intact.
func TestJSONLLongLines(t *testing.T) {
	long := strings.Repeat("word ", 1<<20) // 5 MiB
	data := `{"id":"a","text":"` + long + `"}` + "\n" + `{"id":"b","text":"short"}` + "\n"
	p := filepath.Join(t.TempDir(), "c.jsonl")
	writeFile(t, p, []byte(data))
	tests := []struct {
		name    string
		maxLine int
		err     string
	}{
		{"over the limit", 1 << 20, "--max-line-bytes"},
		{"under the limit", 8 << 20, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := collect(t, []string{p}, Options{MaxLineBytes: tc.maxLine})
			if len(got) != 2 {
				t.Fatalf("got %d stories, want 2", len(got))
			}
			if tc.err != "" {
				checkErr(t, got[0], ErrTooLarge, tc.err)
			} else if got[0].Err != nil || got[0].Text != long || got[0].SHA256 != sha([]byte(data[:len(data)-len(`{"id":"b","text":"short"}`+"\n")-1])) {
				t.Errorf("long line misread: %v", got[0].Err)
			}
			if got[1].Err != nil || got[1].Text != "short" {
				t.Errorf("line after the long one: %v %q", got[1].Err, got[1].Text)
			}
		})
	}
}

// A FIFO found under a directory is a per-story error that says what it
// is, in words.
func TestReadFIFOInDirectoryNamed(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "a.txt"), []byte("A story.\n"))
	mkfifo(t, filepath.Join(dir, "b.txt"))
	for _, readers := range []int{1, 4} {
		got := collect(t, []string{dir}, Options{Readers: readers})
		if len(got) != 2 || got[0].Err != nil {
			t.Fatalf("readers %d: %d stories, first err %v; want the story and the FIFO's error", readers, len(got), got[0].Err)
		}
		checkErr(t, got[1], nil, "not a regular file (a named pipe (FIFO)); only regular files are read under a directory")
	}
}

func TestFileKind(t *testing.T) {
	for _, tt := range []struct {
		mode fs.FileMode
		want string
	}{
		{fs.ModeNamedPipe | 0o644, "a named pipe (FIFO)"},
		{fs.ModeSocket, "a socket"},
		{fs.ModeDevice | fs.ModeCharDevice, "a character device"},
		{fs.ModeDevice, "a device"},
		{fs.ModeDir | 0o755, "a directory"},
		{fs.ModeSymlink, "a symbolic link"},
		{fs.ModeIrregular, "a file of unknown type"},
	} {
		if got := fileKind(tt.mode); got != tt.want {
			t.Errorf("fileKind(%v) = %q, want %q", tt.mode, got, tt.want)
		}
	}
}
