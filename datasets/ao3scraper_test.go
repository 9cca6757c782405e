package datasets

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/datasets/header"
	"github.com/tagger-dev/tagger/taxonomy"
)

// scraperHeader is the header row AO3Scraper's ao3_get_fanfics.py writes
// (since 2020; earlier versions put body before all_kudos, or had no
// author column).
const scraperHeader = "work_id,title,author,rating,category,fandom,relationship,character,additional tags," +
	"language,published,status,status date,words,chapters,comments,kudos,bookmarks,hits,all_kudos,all_bookmarks,body"

// scraperGolden is one entry of testdata/formats/ao3scraper.meta.json: a
// story as `tagger meta` prints it with the first characters of its body,
// or the error of a row that could not be read.
type scraperGolden struct {
	*Story
	BodyStart string `json:"body_start"`
}

type scraperGoldenErr struct {
	ID     string `json:"id"`
	Source string `json:"source"`
	Error  string `json:"error"`
}

// TestAO3ScraperGolden pins the stories read from the AO3Scraper fixture
// in testdata/formats/ao3scraper.meta.json (update with -update, then
// review), and states the key facts of each outside the golden file.
func TestAO3ScraperGolden(t *testing.T) {
	type fact struct {
		rating, title     string
		status            taxonomy.WarningState
		warnings, authors []string
		body              string // a prefix
		err               string // for a row that cannot be read
	}
	facts := []fact{
		{rating: "mature", status: "declared", title: "The Lighthouse Keeper's Ledger", warnings: []string{"self-harm"},
			authors: []string{"saltwick"}, body: "The ledger had one column for weather, one for ships,"},
		{rating: "teen", status: "missing", title: "Parsnips, Probably",
			authors: []string{"quillfern", "fennel O'Dare (dunmore)"}, body: "Spring, day one: the parsnips went in crooked.\n\nShane said, \"They'll"},
		{rating: "not-rated", status: "missing", title: "Nuit blanche", body: "Élodie compta les étoiles — toutes —"},
		{rating: "explicit", status: "declared", title: "What the River Took", warnings: []string{"death", "suicide"},
			authors: []string{"brackwater"}, body: "The river kept what it was given."},
		{err: `duplicate work_id "90000001", already read at row 2`},
		{err: "the body column is empty"},
	}
	p := filepath.Join("testdata", "formats", "ao3scraper.csv")
	var entries []any
	i := 0
	for s := range Read(context.Background(), []string{p}, Options{}) {
		if i >= len(facts) {
			t.Fatalf("unexpected story %s (%s)", s.ID, s.Source)
		}
		f := facts[i]
		i++
		if want := fmt.Sprintf("%s:%d", p, i+1); s.Source != want || s.Format != FormatAO3ScraperCSV {
			t.Errorf("story %d from %s (%s), want %s (%s)", i, s.Source, s.Format, want, FormatAO3ScraperCSV)
		}
		if f.err != "" {
			checkErr(t, s, nil, f.err)
			if s.Err != nil {
				entries = append(entries, scraperGoldenErr{s.ID, filepath.Base(s.Source), strings.ReplaceAll(s.Err.Error(), p, filepath.Base(p))})
			}
			continue
		}
		if s.Err != nil {
			t.Fatalf("%s: %v", s.Source, s.Err)
		}
		if s.DeclaredRating != f.rating || s.WarningStatus != f.status || s.Title != f.title ||
			!slices.Equal(s.DeclaredWarnings, f.warnings) && len(s.DeclaredWarnings)+len(f.warnings) > 0 ||
			!slices.Equal(s.Authors, f.authors) && len(s.Authors)+len(f.authors) > 0 {
			t.Errorf("%s: rating %q status %q title %q warnings %q authors %q; want %+v", s.Source,
				s.DeclaredRating, s.WarningStatus, s.Title, s.DeclaredWarnings, s.Authors, f)
		}
		if !strings.HasPrefix(s.Body(), f.body) {
			t.Errorf("%s: body starts %.60q, want %q", s.Source, s.Body(), f.body)
		}
		if len(s.UnmappedWarnings) > 0 {
			t.Errorf("%s: unmapped warnings %q: freeform tags must not land there", s.Source, s.UnmappedWarnings)
		}
		s.Source = filepath.Base(s.Source)
		entries = append(entries, scraperGolden{Story: s, BodyStart: prefixRunes(s.Body(), 60)})
	}
	if i != len(facts) {
		t.Fatalf("read %d stories, want %d", i, len(facts))
	}
	got, err := json.MarshalIndent(entries, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	golden := filepath.Join("testdata", "formats", "ao3scraper.meta.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (go test ./datasets -run AO3ScraperGolden -update, then review)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("metadata differs from %s:\n got: %s\nwant: %s", golden, got, want)
	}
}

// scraperWant is what one story read from a CSV must be.
type scraperWant struct {
	row     int    // the row's number in the file, from 1 (the header row); 0: the file itself
	id      string // "" is the row's fallback ID, corpus:row
	text    string
	enc     string // "" is utf-8
	fields  []header.Field
	errIs   error
	errText string
}

func TestReadAO3ScraperCSV(t *testing.T) {
	f := func(key, label, value string) header.Field { return header.Field{Key: key, Label: label, Value: value} }
	long := strings.Repeat("x", 60)
	tests := []struct {
		name  string
		csv   string
		utf16 bool // write the file as UTF-16LE with a byte-order mark
		opt   Options
		want  []scraperWant
	}{
		{
			name: "AO3Scraper row: lists, tags, quoted commas and line breaks in the body",
			csv: scraperHeader + "\r\n" +
				`7,"Salt, Smoke","['ash', ""o'dell (od)""]",Mature,"F/M, Gen",Original Work,A/B,"A, B","Self-Harm, Fluff",English,` +
				`2020-01-01,Completed,2020-01-01,9,1/1,0,1,0,5,"['k1', 'k2']",[],"First, line.` + "\r\n\r\n" + `He said ""no,"" twice."` + "\r\n",
			want: []scraperWant{{row: 2, id: "7", text: "First, line.\n\nHe said \"no,\" twice.", fields: []header.Field{
				f(header.KeyTitle, "title", "Salt, Smoke"),
				f(header.KeyAuthor, "author", "ash"),
				f(header.KeyAuthor, "author", "o'dell (od)"),
				f(header.KeyRating, "rating", "Mature"),
				f(header.KeyCategory, "category", "F/M, Gen"),
				f(header.KeyFandom, "fandom", "Original Work"),
				f(header.KeyRelationships, "relationship", "A/B"),
				f(header.KeyCharacters, "character", "A, B"),
				f(header.KeyFreeform, "additional tags", "Self-Harm, Fluff"),
				f(header.KeyLanguage, "language", "English"),
			}}},
		},
		{
			name: "columns in any order, other names, extra columns",
			csv: "Body,extra,Work ID,Title,Fandoms,Archive_Warnings,summary,characters\n" +
				"Text here.,x,w1,T,\"F1, F2\",\"Major Character Death, Graphic Depictions Of Violence\",S.,\"[u'A', 'caf\\xe9']\"\n",
			want: []scraperWant{{row: 2, id: "w1", text: "Text here.", fields: []header.Field{
				f(header.KeyTitle, "Title", "T"),
				f(header.KeyFandom, "Fandoms", "F1, F2"),
				f(header.KeyWarnings, "Archive_Warnings", "Major Character Death, Graphic Depictions Of Violence"),
				f(header.KeySummary, "summary", "S."),
				f(header.KeyCharacters, "characters", "A"),
				f(header.KeyCharacters, "characters", "café"),
			}}},
		},
		{
			name: "blank, null and non-list cells",
			csv: "work_id,author,language,additional tags,rating,body\n" +
				"1,[],null,[Insert Tag],,Body one.\n" +
				"2,\"['unterminated]\",  ,\"[]\",[],Body two.\n",
			want: []scraperWant{
				{row: 2, id: "1", text: "Body one.", fields: []header.Field{f(header.KeyFreeform, "additional tags", "[Insert Tag]")}},
				{row: 3, id: "2", text: "Body two.", fields: []header.Field{
					f(header.KeyAuthor, "author", "['unterminated]"),
					f(header.KeyRating, "rating", "[]"),
				}},
			},
		},
		{
			name: "bare quotes are kept",
			csv:  "work_id,body\n1,She said \"hi\" once\n2,\"a \"quoted\" word\"\n",
			want: []scraperWant{
				{row: 2, id: "1", text: `She said "hi" once`},
				{row: 3, id: "2", text: `a "quoted" word`},
			},
		},
		{
			name: "duplicate work_ids",
			csv:  "work_id,body\n5,first\n6,other\n5,second\n 5 ,third\n",
			want: []scraperWant{
				{row: 2, id: "5", text: "first"},
				{row: 3, id: "6", text: "other"},
				{row: 4, id: "", errText: `duplicate work_id "5", already read at row 2; this row is not read: remove one of the two rows`},
				{row: 5, id: "", errText: `duplicate work_id "5", already read at row 2`},
			},
		},
		{
			name: "rows without work_id, damaged rows, empty bodies",
			csv:  "work_id,title,body\n,T,no id\n1,T\n2,T,b,extra\n3,T, \n",
			want: []scraperWant{
				{row: 2, id: "", text: "no id", fields: []header.Field{f(header.KeyTitle, "title", "T")}},
				{row: 3, id: "", errText: "ao3scraper-csv row: 2 fields where the header row has 3; a quote left open or a cut-off write damaged the row: fix or remove it"},
				{row: 4, id: "", errText: "4 fields where the header row has 3"},
				{row: 5, id: "3", errIs: ErrEmpty, errText: "the body column is empty"},
			},
		},
		{
			name: "blank lines, crlf, a repeated header row, no final line break",
			csv:  "\r\nwork_id,body\r\n\r\na,one\r\n\nwork_id,body\nb,\"two\nlines\"",
			want: []scraperWant{
				{row: 2, id: "a", text: "one"},
				{row: 4, id: "b", text: "two\nlines"},
			},
		},
		{
			name: "over-long row",
			csv:  "work_id,body\na,short\nb,\"" + long + "\n" + long + "\"\nc,after\n",
			opt:  Options{MaxLineBytes: 40},
			want: []scraperWant{
				{row: 2, id: "a", text: "short"},
				{row: 3, id: "", errText: "ao3scraper-csv row: longer than 40 bytes; split the work, or raise the line limit"},
				{row: 4, id: "c", text: "after"},
			},
		},
		{
			name: "missing body",
			csv:  "work_id,title,author\n1,T,A\n",
			want: []scraperWant{{row: 0, errText: "not an AO3Scraper CSV: the header row has no body column; " +
				"a metadata-only CSV (AO3Scraper's extract_metadata.py) holds no story text: use the full CSV; " +
				"tagger reads .csv files as AO3Scraper's ao3_get_fanfics.py writes them: a header row naming work_id and body"}},
		},
		{
			name: "missing both",
			csv:  "id,text\n1,x\n",
			want: []scraperWant{{row: 0, errText: "the header row has no work_id or body column; tagger reads .csv files"}},
		},
		{
			name: "semicolons",
			csv:  "work_id;title;body\n1;T;x\n",
			want: []scraperWant{{row: 0, errText: "the file looks separated by semicolons or tabs: save it with commas"}},
		},
		{
			name: "header only",
			csv:  scraperHeader + "\r\n",
			want: []scraperWant{{row: 0, errIs: ErrEmpty, errText: "the file holds a header row but no works"}},
		},
		{
			name: "empty file",
			csv:  "\n\r\n",
			want: []scraperWant{{row: 0, errIs: ErrEmpty, errText: "the file holds no rows"}},
		},
		{
			name: "utf-8 byte-order mark",
			csv:  "\uFEFFwork_id,body\n1,caf\u00e9\n",
			want: []scraperWant{{row: 2, id: "1", enc: "utf-8-bom", text: "café"}},
		},
		{
			name: "windows-1252 row",
			csv:  "work_id,title,body\n1,Caf\xe9,\x93ok\x94\n2,T,plain\n",
			want: []scraperWant{
				{row: 2, id: "1", enc: "windows-1252", text: "“ok”", fields: []header.Field{f(header.KeyTitle, "title", "Café")}},
				{row: 3, id: "2", text: "plain", fields: []header.Field{f(header.KeyTitle, "title", "T")}},
			},
		},
		{
			name:  "utf-16le",
			csv:   "work_id,body\r\n1,\"on€\r\n😀\"\r\n",
			utf16: true,
			want:  []scraperWant{{row: 2, id: "1", enc: "utf-16le", text: "on€\n😀"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "corpus.csv")
			data := []byte(tt.csv)
			if tt.utf16 {
				data = encodeUTF16(tt.csv, binary.LittleEndian)
			}
			writeFile(t, p, data)
			got := collect(t, []string{p}, tt.opt)
			checkScraper(t, got, p, tt.want)
		})
	}
}

// checkScraper checks the stories read from the CSV at source.
func checkScraper(t *testing.T, got []*Story, source string, want []scraperWant) {
	t.Helper()
	if len(got) != len(want) {
		for _, s := range got {
			t.Logf("got %s (%s) err=%v", s.Source, s.ID, s.Err)
		}
		t.Fatalf("read %d stories, want %d", len(got), len(want))
	}
	for i, w := range want {
		s := got[i]
		src, id := source, "corpus"
		if w.row > 0 {
			src, id = fmt.Sprintf("%s:%d", source, w.row), cmpOr(w.id, fmt.Sprintf("corpus:%d", w.row))
		}
		if s.Source != src || s.ID != id || s.Format != FormatAO3ScraperCSV {
			t.Errorf("story %d = %s (ID %q, format %s), want %s (ID %q)", i, s.Source, s.ID, s.Format, src, id)
			continue
		}
		if !checkRecord(t, s, w.errIs, w.errText, w.text, w.enc) {
			continue
		}
		if len(s.SHA256) != 64 {
			t.Errorf("%s: SHA256 %q", s.Source, s.SHA256)
		}
		checkBuilt(t, s, w.fields)
	}
}

// The digest of a row is that of its bytes as read, without the final
// line break, as for a JSONL record.
func TestAO3ScraperDigest(t *testing.T) {
	row := "1,\"two\r\nlines\""
	p := filepath.Join(t.TempDir(), "d.csv")
	writeFile(t, p, []byte("work_id,body\r\n"+row+"\r\n"))
	got := collect(t, []string{p}, Options{})
	if len(got) != 1 || got[0].Err != nil || got[0].SHA256 != sha([]byte(row)) {
		t.Fatalf("got %+v, want one story with the digest of %q", got, row)
	}
}

// A body of many MiB, with quotes, commas and line breaks, and a row
// spanning many read buffers, is read whole with the default limits.
func TestAO3ScraperHugeBody(t *testing.T) {
	para := `She said, "the tide," and then nothing; the lamp turned.` + "\r\n\r\n"
	body := strings.Repeat(para, 8<<20/len(para)+1)
	quoted := `"` + strings.ReplaceAll(body, `"`, `""`) + `"`
	data := "work_id,title,body\r\n1,Big," + quoted + "\r\n2,Small,\"after, it\"\r\n"
	p := filepath.Join(t.TempDir(), "huge.csv")
	writeFile(t, p, []byte(data))
	got := collect(t, []string{p}, Options{})
	if len(got) != 2 || got[0].Err != nil || got[1].Err != nil {
		t.Fatalf("got %d stories: %v", len(got), got)
	}
	want := strings.ReplaceAll(body, "\r\n", "\n") // encoding/csv reads a quoted CRLF as LF
	if got[0].Text != want || got[0].Title != "Big" || got[0].Words != CountWords(want) {
		t.Errorf("huge body: %d bytes, title %q, %d words; want %d bytes", len(got[0].Text), got[0].Title, got[0].Words, len(want))
	}
	if got[1].Text != "after, it" || got[1].Source != p+":3" {
		t.Errorf("row after the huge one: %s %q", got[1].Source, got[1].Text)
	}
}

// Skip is asked for work_ids; a skipped work still counts for duplicates.
func TestAO3ScraperSkip(t *testing.T) {
	p := filepath.Join(t.TempDir(), "s.csv")
	writeFile(t, p, []byte("work_id,body\n1,a\n2,b\n1,c\n"))
	var asked []string
	got := collect(t, []string{p}, Options{Skip: func(_, id string) bool {
		asked = append(asked, id)
		return id == "1"
	}})
	if len(got) != 2 || got[0].ID != "2" || got[1].ID != "s:4" || got[1].Err == nil {
		t.Fatalf("got %v, want work 2 and the duplicate of 1", got)
	}
	if !slices.Equal(asked, []string{"1", "2", "s:4"}) {
		t.Errorf("Skip asked for %q", asked)
	}
}

func TestPyList(t *testing.T) {
	tests := []struct {
		cell string
		want []string // nil: not a list
	}{
		{`[]`, []string{}},
		{` ['a'] `, []string{"a"}},
		{`['a', 'b c']`, []string{"a", "b c"}},
		{`["o'dell", 'x']`, []string{"o'dell", "x"}},
		{`['it\'s', "say \"hi\""]`, []string{"it's", `say "hi"`}},
		{`[u'caf\xe9', U'\u2014', '\U0001F600', 'tab\there']`, []string{"café", "—", "😀", "tab\there"}},
		{`['back\\slash']`, []string{`back\slash`}},
		{`['a',]`, []string{"a"}},
		{`['a' 'b']`, nil},
		{`[a]`, nil},
		{`['a'`, nil},
		{`['a]`, nil},
		{`[,]`, nil},
		{`['\ud800']`, nil},
		{`['\q']`, nil},
		{`a, b`, nil},
		{`[`, nil},
	}
	for _, tt := range tests {
		got, ok := pyList(tt.cell)
		if ok != (tt.want != nil) || !reflect.DeepEqual(got, tt.want) && tt.want != nil {
			t.Errorf("pyList(%q) = %q, %v; want %q", tt.cell, got, ok, tt.want)
		}
	}
}

// bufioReader reads data through the smallest buffer bufio allows, so
// that rows span many reads.
func bufioReader(data []byte) *bufio.Reader {
	return bufio.NewReaderSize(bytes.NewReader(data), 16)
}

// scraperRecords reads data with encoding/csv as tagger configures it,
// for comparison with csvRows.
func scraperRecords(data []byte) ([][]string, error) {
	cr := csv.NewReader(bytes.NewReader(data))
	cr.LazyQuotes = true
	cr.FieldsPerRecord = -1
	return cr.ReadAll()
}

// FuzzAO3ScraperCSV checks that rows are cut where encoding/csv cuts
// them, and that any file yields well-formed stories: unique IDs, errors
// that name their row, valid UTF-8 text.
func FuzzAO3ScraperCSV(f *testing.F) {
	for _, s := range []string{
		scraperHeader + "\r\n1,T,['a'],Mature,,F,,,Self-Harm,English,,,,,,,,,,[],[],\"body, \"\"q\"\"\r\nmore\"\r\n",
		"work_id,body\n1,a\n1,b\n,c\n2\n3,\"x\n",
		"work_id,body\r\n\r\n\"1\",\"a\"b\"\r\n2,\"\"\r\n3,\"x\"\r",
		"\uFEFFbody,work_id\n\"x\r\ny\",9\n\r",
		"\xFF\xFE" + string(encodeUTF16("work_id,body\n1,x\n", binary.LittleEndian)[2:]),
		"work_id,body\n1,caf\xe9\n",
		"work_id;body\n",
		"a,b\n\"\"\"\n",
		"work_id,body\n1,\"" + strings.Repeat("long ", 10) + "\"\"\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// csvRows cuts rows where encoding/csv does, and each row parses
		// to the record encoding/csv reads from the whole file.
		if utf8.Valid(data) && !bytes.HasPrefix(data, bomUTF8) {
			want, err := scraperRecords(data)
			if err != nil {
				t.Fatalf("encoding/csv: %v", err)
			}
			rows := &csvRows{br: bufioReader(data), max: len(data) + 1}
			var got [][]string
			for {
				raw, long, err := rows.next()
				if err != nil {
					break
				}
				if long {
					t.Fatalf("row %d: long with no limit", rows.n)
				}
				cells, _, err := csvFields(raw, EncodingUTF8)
				if err != nil {
					t.Fatalf("row %d %q: %v", rows.n, raw, err)
				}
				got = append(got, cells)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("rows %q\nencoding/csv %q", got, want)
			}
		}

		for _, maxLine := range []int{0, 16} {
			var got []*Story
			r := newReader(context.Background(), Options{MaxLineBytes: maxLine}, func(s *Story) bool {
				got = append(got, s)
				return true
			})
			if !r.readAO3ScraperCSV(bytes.NewReader(data), "fuzz.csv", "fuzz") {
				t.Fatal("readAO3ScraperCSV stopped while the consumer wanted more")
			}
			if len(got) == 0 {
				t.Fatal("no story: every file yields at least one")
			}
			// IDs are unique: work_ids, and the fallback IDs (fuzz:row) of
			// rows without one, each among themselves; a work_id written
			// like a fallback ID could meet one, which no real file does.
			ids := map[string]bool{}
			for _, s := range got {
				if s.Source != "fuzz.csv" && !strings.HasPrefix(s.Source, "fuzz.csv:") {
					t.Fatalf("story from %s", s.Source)
				}
				key := s.ID
				if s.ID == "fuzz" || s.ID == "fuzz:"+strings.TrimPrefix(s.Source, "fuzz.csv:") {
					key = "\x00" + s.ID // a fallback ID
				}
				if s.ID == "" || !utf8.ValidString(s.ID) || ids[key] {
					t.Fatalf("%s: bad or repeated ID %q", s.Source, s.ID)
				}
				ids[key] = true
				if s.Err != nil {
					if msg := s.Err.Error(); !strings.HasPrefix(msg, s.Source+": ") && !strings.HasPrefix(msg, "read "+s.Source) {
						t.Fatalf("%s: error %q does not start with the source", s.Source, msg)
					}
					if s.Source == "fuzz.csv" && len(got) != 1 {
						t.Fatalf("file error %v among %d stories", s.Err, len(got))
					}
					continue
				}
				if !utf8.ValidString(s.Text) || isSpace(s.Text) {
					t.Fatalf("%s: bad text %q", s.Source, s.Text)
				}
				if s.BodyByte != 0 || s.BodyLine != 1 || len(s.SHA256) != 64 || s.Words != CountWords(s.Text) {
					t.Fatalf("%s: body at line %d byte %d, digest %q, %d words", s.Source, s.BodyLine, s.BodyByte, s.SHA256, s.Words)
				}
				for _, v := range append(slices.Clone(s.Authors), s.Tags...) {
					if !utf8.ValidString(v) {
						t.Fatalf("%s: invalid UTF-8 in %q", s.Source, v)
					}
				}
			}
		}
	})
}

// TestAO3ScraperUnclosedQuote: a quote left open to the end of the file
// takes in the rows after it; the row is an error that says so, not a
// story made of the rows that follow.
func TestAO3ScraperUnclosedQuote(t *testing.T) {
	p := filepath.Join(t.TempDir(), "open.csv")
	writeFile(t, p, []byte("work_id,body\n1,\"unterminated story starts here\n2,ok body of the second work\n3,third\n"))
	got := collect(t, []string{p}, Options{})
	if len(got) != 1 || got[0].Err == nil || !strings.Contains(got[0].Err.Error(), "never closed") {
		t.Fatalf("got %d stories: %v; want one error naming the open quote", len(got), got)
	}
	// A quoted body with line breaks, closed at the end, is a story.
	writeFile(t, p, []byte("work_id,body\n1,\"line one\nline two\"\n"))
	if got := collect(t, []string{p}, Options{}); len(got) != 1 || got[0].Err != nil || got[0].Text != "line one\nline two" {
		t.Errorf("closed quote: %v", got)
	}
	// A quote left open that closes in a later row: the row is an error,
	// not a story holding the next row (which was lost, with its rating).
	writeFile(t, p, []byte("work_id,rating,body\n1,Mature,\"First, fine.\"\n2,Teen,\"Second left open\n3,Explicit,\"Third story.\"\n4,General,\"Fourth.\"\n"))
	got = collect(t, []string{p}, Options{})
	if len(got) != 3 || got[0].Err != nil || got[1].Err == nil || !strings.Contains(got[1].Err.Error(), "runs on") || got[2].Err != nil || got[2].Text != "Fourth." {
		t.Fatalf("got %v; want the first and last rows, and an error for the second", got)
	}
	// Bare quotes in dialogue, at a line's start or after a comma in prose,
	// are text, as lazy quotes always were.
	writeFile(t, p, []byte("work_id,body\n1,\"First line.\n\"Hi,\" she said.\nand she said,\"no\" twice.\"\n2,\"Second.\"\n"))
	if got := collect(t, []string{p}, Options{}); len(got) != 2 || got[0].Err != nil || got[1].Err != nil || !strings.Contains(got[0].Text, "she said") {
		t.Errorf("dialogue with bare quotes: %v", got)
	}
	// Quotes doubled inside a quoted field, on a later line too, are text.
	writeFile(t, p, []byte("work_id,body\n1,\"She said,\nand he said,\"\"no\"\".\"\n"))
	if got := collect(t, []string{p}, Options{}); len(got) != 1 || got[0].Err != nil || got[0].Text != "She said,\nand he said,\"no\"." {
		t.Errorf("doubled quotes: %v", got)
	}
}
