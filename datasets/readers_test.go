package datasets

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// readersTree writes a directory of every kind of input Read meets under a
// walk: text stories of many sizes and encodings, HTML, a JSONL and a CSV
// corpus, failures (empty, binary, a broken link), nested directories. It
// returns the directory.
func readersTree(t *testing.T) string {
	t.Helper()
	root := t.TempDir()
	for i := range 60 {
		// Sizes from a line to ~200 KB, so that readers finish out of order.
		body := strings.Repeat(fmt.Sprintf("Line %d of the story, with some words.\n", i), 1+(i*37%11)*(i%5)*90)
		writeFile(t, filepath.Join(root, fmt.Sprintf("s%02d.txt", i)), []byte("Title: Story "+fmt.Sprint(i)+"\nRating: Teen And Up Audiences\n\n"+body))
	}
	writeFile(t, filepath.Join(root, "s10-latin1.txt"), []byte("Title: Caf\xe9\n\n\x93Quoted\x94 body.\n"))
	writeFile(t, filepath.Join(root, "s20-utf16.txt"), encodeUTF16("Title: Wide\n\nBody of the wide story.\n", binary.LittleEndian))
	writeFile(t, filepath.Join(root, "s30-empty.txt"), []byte(" \n\n"))
	writeFile(t, filepath.Join(root, "s31-binary.dat"), []byte("\x7fELF\x02\x01\x01\x00\x00\x00"))
	writeFile(t, filepath.Join(root, "s40.html"), []byte("<html><body><h2>A Title</h2><p>Rating: Mature</p><p>The body of a page.</p></body></html>"))
	writeFile(t, filepath.Join(root, "s50.jsonl"), []byte("{\"id\":\"r1\",\"text\":\"First record.\"}\nnot json\n{\"id\":\"r3\",\"text\":\"Third record.\",\"rating\":\"Explicit\"}\n"))
	// A corpus whose records are decoded several at a time: sizes from a
	// line to ~200 KB, so that they finish out of order, one record over
	// ParallelFileBytes (decoded by the walker, between the others), bad
	// lines and blank ones. A record's id ends as its line number does.
	var corpus strings.Builder
	for n := 1; n <= 40; n++ {
		switch {
		case n%13 == 0:
			corpus.WriteString("{\"id\": broken\n")
		case n%11 == 0:
			corpus.WriteString("  \n")
		case n == 20:
			fmt.Fprintf(&corpus, "{\"id\":\"r%d\",\"text\":%q}\n", n, strings.Repeat("A large record.\n", ParallelFileBytes/16+10))
		default:
			fmt.Fprintf(&corpus, "{\"id\":\"r%d\",\"rating\":\"Mature\",\"tags\":[\"Angst\"],\"text\":%q}\n", n,
				strings.Repeat(fmt.Sprintf("Record %d says \"hello\"\tagain.\n", n), 1+(n*37%11)*(n%5)*400))
		}
	}
	writeFile(t, filepath.Join(root, "s52.jsonl"), []byte(corpus.String()))
	// The same for an AO3Scraper CSV, with what is settled in row order:
	// a work_id seen before, the header row repeated. Work ids end as
	// their row numbers do.
	var rows strings.Builder
	rows.WriteString("work_id,rating,additional tags,body\n")
	for n := 2; n <= 40; n++ {
		switch {
		case n == 15:
			rows.WriteString("work_id,rating,additional tags,body\n")
		case n == 12 || n == 26 || n == 34:
			fmt.Fprintf(&rows, "%d,Mature,\"['Angst']\",\"A work read twice.\"\n", 1000+n%10) // row 2's, 6's, 4's work
		case n == 20:
			fmt.Fprintf(&rows, "%d,Explicit,[],\"%s\"\n", 1000+n, strings.Repeat("A large work.\n", ParallelFileBytes/14+10))
		default:
			fmt.Fprintf(&rows, "%d,Teen And Up Audiences,\"['Angst', 'Major Character Death']\",\"%s\"\n", 1000+n,
				strings.Repeat(fmt.Sprintf("Work %d says \"\"hello\"\" again.\n", n), 1+(n*37%11)*(n%5)*400))
		}
	}
	writeFile(t, filepath.Join(root, "s53.csv"), []byte(rows.String()))
	writeFile(t, filepath.Join(root, "s51.csv"), []byte("work_id,title,body\n7,Seven,\"The seventh body.\"\n8,Eight,\"The eighth body.\"\n"))
	// Over ParallelFileBytes: read by the walker, between small files.
	writeFile(t, filepath.Join(root, "s45-large.txt"), []byte("Title: Large\n\n"+strings.Repeat("A long line of a long story, read whole.\n", ParallelFileBytes/40+100)))
	writeFile(t, filepath.Join(root, "sub/a.txt"), []byte("Nested story.\n"))
	writeFile(t, filepath.Join(root, "sub/deeper/b.txt"), []byte("Deep story.\n"))
	if err := os.Symlink(filepath.Join(root, "missing.txt"), filepath.Join(root, "s55-broken.txt")); err != nil {
		t.Fatal(err)
	}
	return root
}

// storyKey is everything Read yields of a story that a consumer could see.
func storyKey(s *Story) string {
	errText := ""
	if s.Err != nil {
		errText = s.Err.Error()
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s|%d|%d|%d|%+v|%q|%s", s.Source, s.ID, s.Format, s.SHA256, s.Encoding,
		len(s.Text), s.BodyLine, s.BodyByte, s.Declared, s.Text, errText)
}

// TestReadersSameStories: with several readers, Read yields exactly the
// stories, in exactly the order, that it yields reading one file at a
// time, for a walked tree, files named as inputs, and standard input
// between them.
func TestReadersSameStories(t *testing.T) {
	root := readersTree(t)
	inputs := []string{root, filepath.Join(root, "s03.txt"), "-", filepath.Join(root, "s50.jsonl"), filepath.Join(root, "sub")}
	stdin := "{\"id\":\"in1\",\"text\":\"From standard input.\"}\n"
	read := func(readers int) []string {
		var keys []string
		for s := range Read(t.Context(), inputs, Options{Readers: readers, Stdin: strings.NewReader(stdin)}) {
			keys = append(keys, storyKey(s))
		}
		return keys
	}
	want := read(1)
	if len(want) < 70 {
		t.Fatalf("one reader yielded %d stories; the tree has more", len(want))
	}
	for _, readers := range []int{2, 3, 8} {
		for round := range 3 {
			got := read(readers)
			if len(got) != len(want) {
				t.Fatalf("%d readers, round %d: %d stories, want %d", readers, round, len(got), len(want))
			}
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%d readers, round %d: story %d\n got %.200s\nwant %.200s", readers, round, i, got[i], want[i])
				}
			}
		}
	}
}

// TestReadersSkip: Skip is asked once per story, in input order, never
// from two goroutines at once; a story it skips is not yielded, and
// stories are yielded in order around it.
func TestReadersSkip(t *testing.T) {
	root := readersTree(t)
	run := func(readers int) (asked, yielded []string) {
		var inside atomic.Int32
		skip := func(source, id string) bool {
			if inside.Add(1) != 1 {
				t.Error("Skip called concurrently")
			}
			defer inside.Add(-1)
			time.Sleep(50 * time.Microsecond) // widen any window for a second caller
			asked = append(asked, source)
			// s07, s17, ... s57, the CSV's work 7 and the broken link
			// (a failure before its file is read is asked of too).
			return strings.HasSuffix(id, "7") || strings.HasSuffix(id, "-broken")
		}
		for s := range Read(t.Context(), []string{root}, Options{Readers: readers, Skip: skip}) {
			yielded = append(yielded, s.Source)
		}
		return asked, yielded
	}
	wantAsked, wantYielded := run(1)
	if len(wantYielded) >= len(wantAsked) {
		t.Fatalf("one reader: %d asked, %d yielded; the test expects some skipped", len(wantAsked), len(wantYielded))
	}
	// Every story yielded was asked of, in order, and only those.
	k := 0
	for _, a := range wantAsked {
		base := strings.TrimSuffix(filepath.Base(a), ".txt")
		if strings.HasSuffix(base, "7") || strings.HasSuffix(base, "-broken") || strings.HasSuffix(a, "s51.csv:2") {
			continue
		}
		if k >= len(wantYielded) || wantYielded[k] != a {
			t.Fatalf("one reader: asked %s and let it through, but yielded %v next", a, wantYielded[k:min(k+1, len(wantYielded))])
		}
		k++
	}
	if k != len(wantYielded) {
		t.Errorf("one reader yielded %d stories Skip was not asked of: %v", len(wantYielded)-k, wantYielded[k:])
	}
	gotAsked, gotYielded := run(4)
	if strings.Join(gotAsked, "\n") != strings.Join(wantAsked, "\n") {
		t.Errorf("four readers asked Skip\n%v\nwant\n%v", gotAsked, wantAsked)
	}
	if strings.Join(gotYielded, "\n") != strings.Join(wantYielded, "\n") {
		t.Errorf("four readers yielded\n%v\nwant\n%v", gotYielded, wantYielded)
	}
}

// TestReadersStop: a consumer that stops early, or a cancelled context,
// ends Read with no goroutine of its left behind and without reading the
// rest of the tree.
func TestReadersStop(t *testing.T) {
	root := readersTree(t)
	base := runtime.NumGoroutine()
	for _, tt := range []struct {
		name   string
		cancel bool
	}{{"break", false}, {"cancel", true}} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			var mu sync.Mutex
			asked := 0
			skip := func(string, string) bool { mu.Lock(); asked++; mu.Unlock(); return false }
			n := 0
			for range Read(ctx, []string{root}, Options{Readers: 4, Skip: skip}) {
				n++
				if n == 3 {
					if !tt.cancel {
						break
					}
					cancel()
				}
			}
			if n != 3 {
				t.Errorf("yielded %d stories after stopping at 3", n)
			}
			mu.Lock()
			if asked > 3+4+2 {
				t.Errorf("Skip asked of %d stories: reading went on after the consumer stopped", asked)
			}
			mu.Unlock()
		})
	}
	// Read waits for its goroutines before returning. The subtests'
	// own goroutines may still be on their way out when t.Run returns,
	// so the count may take a moment to settle; a goroutine of Read's
	// never would, and the dump names it.
	g := runtime.NumGoroutine()
	for wait := time.Millisecond; g > base && wait < time.Second; wait *= 2 {
		time.Sleep(wait)
		g = runtime.NumGoroutine()
	}
	if g > base {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Read returned, %d before:\n%s", g, base, buf[:runtime.Stack(buf, true)])
	}
}

// TestReadersAhead: while the consumer holds a story, at most Readers+2
// stories are read (asked of) ahead of it, for story files and for the
// stories the walker reads itself (a corpus, failures).
func TestReadersAhead(t *testing.T) {
	root := t.TempDir()
	for i := range 20 {
		writeFile(t, filepath.Join(root, fmt.Sprintf("a%02d.txt", i)), []byte("A story.\n"))
	}
	var corpus strings.Builder
	for i := range 20 {
		fmt.Fprintf(&corpus, "{\"id\":\"r%d\",\"text\":\"A record.\"}\n", i)
	}
	writeFile(t, filepath.Join(root, "b.jsonl"), []byte(corpus.String()))
	for i := range 20 {
		if err := os.Symlink(filepath.Join(root, "missing"), filepath.Join(root, fmt.Sprintf("c%02d.txt", i))); err != nil {
			t.Fatal(err)
		}
	}
	for _, readers := range []int{2, 4} {
		var asked atomic.Int32
		skip := func(string, string) bool { asked.Add(1); return false }
		n := 0
		for s := range Read(t.Context(), []string{root}, Options{Readers: readers, Skip: skip}) {
			n++
			// Hold a story of each kind: a file, a record, a failure.
			if s.Source == filepath.Join(root, "a05.txt") || strings.HasSuffix(s.Source, "b.jsonl:5") || strings.HasSuffix(s.Source, "c05.txt") {
				time.Sleep(100 * time.Millisecond)
				if a := int(asked.Load()); a > n+readers+2 {
					t.Errorf("%d readers: %d stories asked of while the consumer held its %dth (%s); want at most %d ahead", readers, a, n, s.Source, readers+2)
				}
			}
		}
		if n != 60 {
			t.Errorf("%d readers: %d stories, want 60", readers, n)
		}
	}
}

// failingReader yields data, then err instead of io.EOF.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestReadersCorpusReadError: a corpus whose reading fails part way
// yields every record before the failure, in order, and then the failure,
// with several readers as with one (records still being parsed when the
// read fails are not lost).
func TestReadersCorpusReadError(t *testing.T) {
	var csvRows, jsonl strings.Builder
	csvRows.WriteString("work_id,body\n")
	for n := 1; n <= 12; n++ {
		fmt.Fprintf(&csvRows, "%d,\"%s\"\n", n, strings.Repeat("Words of a work. ", 50*n))
		fmt.Fprintf(&jsonl, "{\"id\":\"r%d\",\"text\":%q}\n", n, strings.Repeat("Words of a record. ", 50*n))
	}
	for name, data := range map[string]string{"csv": csvRows.String(), "jsonl": jsonl.String()} {
		read := func(readers int) []string {
			var got []string
			in := &failingReader{data: []byte(data), err: errors.New("the disk went away")}
			for s := range Read(t.Context(), []string{"-"}, Options{Readers: readers, Stdin: in}) {
				k := s.Source
				if s.Err != nil {
					k += " error"
				}
				got = append(got, k)
			}
			return got
		}
		want := read(1)
		if len(want) != 13 || !strings.HasSuffix(want[12], "error") {
			t.Fatalf("%s, one reader: %v; want 12 records and the failure", name, want)
		}
		for _, readers := range []int{2, 4} {
			if got := read(readers); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("%s, %d readers: %v\nwant %v", name, readers, got, want)
			}
		}
	}
}
