package pipeline

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/tagger-dev/tagger/models"
)

func ptr[T any](v T) *T { return &v }

// sampleRows covers every field: nil and non-nil optionals, nil, empty and
// non-empty lists, lists of structs, unicode and characters that JSON could
// escape.
func sampleRows() []Row {
	return []Row{
		{
			ID: "ao3/123", Source: "corpus/a.html", Format: "ao3-html",
			SHA256: ptr("9f86d081884c7d65"), Title: ptr("Über <Alles> & «ça» 🐉"),
			Authors: []string{"Ana", "李"}, Fandoms: []string{"Pokémon"},
			Relationships: []string{"A/B"}, Characters: []string{"A", "B"}, Tags: []string{"AU", "slash"},
			Summary: ptr("line one\nline \"two\"\t"), Language: ptr("en"), Words: ptr(int64(12345)),
			Encoding: ptr("windows-1252"), BodyLine: ptr(int32(14)), BodyByte: ptr(int64(812)),
			DeclaredRating: ptr("teen"), DeclaredRatingRaw: ptr("PG-13"), RatingSystem: ptr("mpaa"),
			WarningStatus:       ptr("declared"),
			DeclaredWarnings:    []string{"death"},
			DeclaredWarningsRaw: []string{"Major Character Death"},
			UnmappedWarnings:    []string{"spiders"},
			NegatedWarnings:     []string{"no rape"},
			PredictedRating:     ptr("mature"), RatingUnderdeclared: ptr(true), RatingConfidence: ptr(0.75),
			RatingEvidence: []Evidence{
				{Label: "violence", Score: 0.6, LineStart: 10, LineEnd: 12, ByteStart: 400, ByteEnd: 612, Snippet: "he struck — «ouch» 💥"},
			},
			Labels: []LabelScore{
				{Label: "violence", Group: "aggression", Score: 0.93, Threshold: 0.5, Detected: true, Source: "both", Passages: 3},
				{Label: "death", Group: "aggression", Score: 0.5, Threshold: 0.375, Detected: true, Source: "model", Passages: 1},
				{Label: "sexism", Group: "discrimination", Score: 0, Threshold: 0.625, Detected: false, Source: "lexicon"},
			},
			DetectedWarnings:   []string{"violence", "death"},
			UndeclaredWarnings: []string{"violence"},
			Evidence: []Evidence{
				{Label: "violence", Score: 0.93, LineStart: 10, LineEnd: 12, ByteStart: 400, ByteEnd: 612, Snippet: "he struck — «ouch» 💥"},
				{Label: "death", Score: 0.5, LineStart: 40, LineEnd: 40, ByteStart: 2000, ByteEnd: 2100, Snippet: "she died"},
			},
			Model: "tagger-nb@1.0.0",
		},
		{
			// Every optional nil, every list nil.
			ID: "plain.txt", Source: "plain.txt", Format: "text", Model: "tagger-nb@1.0.0",
		},
		{
			// Empty (non-nil) lists, false and zero values that are not null.
			ID: "empty-lists", Source: "x.jsonl", Format: "jsonl",
			Authors: []string{}, Fandoms: []string{}, Relationships: []string{}, Characters: []string{}, Tags: []string{},
			Words: ptr(int64(0)), Summary: ptr(""), RatingUnderdeclared: ptr(false), RatingConfidence: ptr(0.0), WarningStatus: ptr("missing"),
			Encoding: ptr("utf-8"), BodyLine: ptr(int32(1)), BodyByte: ptr(int64(0)),
			DeclaredWarnings: []string{}, DeclaredWarningsRaw: []string{}, UnmappedWarnings: []string{}, NegatedWarnings: []string{},
			Labels: []LabelScore{}, DetectedWarnings: []string{}, UndeclaredWarnings: []string{}, Evidence: []Evidence{},
			RatingEvidence: []Evidence{},
			Model:          "tagger-nb@1.0.0",
		},
		{
			ID: "broken.epub", Source: "broken.epub", Format: "epub",
			Labels: []LabelScore{{Label: "violence", Group: "aggression"}},
			Error:  ptr("decode broken.epub: zip: not a valid zip file"),
			Model:  "tagger-nb@1.0.0",
		},
	}
}

// normalized returns rows as they read back: nil lists become empty.
func normalized(rows []Row) []Row {
	out := slices.Clone(rows)
	lists := sliceFields(reflect.TypeFor[Row]())
	for i := range out {
		emptyNilLists(&out[i], lists)
	}
	return out
}

// writeRows writes rows through a new sink at path and closes it.
func writeRows(t testing.TB, path string, opt SinkOptions, rows []Row) {
	t.Helper()
	s, err := NewSink(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write(rows); err != nil {
		s.Abort()
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestNewSinkRejects(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		path string
		opt  SinkOptions
		want string // in the error
	}{
		{"unknown extension", filepath.Join(dir, "out.csv"), SinkOptions{}, ".parquet, .jsonl or .ndjson"},
		{"no extension", filepath.Join(dir, "out"), SinkOptions{}, ".parquet, .jsonl or .ndjson"},
		{"stdout without writer", "-", SinkOptions{}, "SinkOptions.Stdout"},
		{"resume into stdout", "-", SinkOptions{Append: true, Stdout: &bytes.Buffer{}}, "cannot resume"},
		{"negative row group", filepath.Join(dir, "out.parquet"), SinkOptions{RowsPerRowGroup: -1}, "positive number"},
		{"missing directory", filepath.Join(dir, "nope", "out.parquet"), SinkOptions{}, "directory exists"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSink(tt.path, tt.opt)
			if err == nil {
				s.Abort()
				t.Fatalf("NewSink(%q) succeeded, want an error containing %q", tt.path, tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewSink(%q) error = %q, want it to contain %q", tt.path, err, tt.want)
			}
		})
	}
}

func TestSinkRoundTrip(t *testing.T) {
	for _, name := range []string{"labels.parquet", "labels.jsonl", "labels.ndjson", "LABELS.PARQUET"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			rows := sampleRows()
			writeRows(t, path, SinkOptions{RowsPerRowGroup: 2}, rows)
			got, err := ReadRows(path)
			if err != nil {
				t.Fatal(err)
			}
			if want := normalized(rows); !reflect.DeepEqual(got, want) {
				t.Errorf("read back\n%+v\nwant\n%+v", got, want)
			}
		})
	}
}

// TestParquetReadBack reads the file with parquet-go's own reader, not
// ReadRows, and checks the column types analysts see.
func TestParquetReadBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "labels.parquet")
	rows := sampleRows()
	writeRows(t, path, SinkOptions{}, rows)

	got, err := parquet.ReadFile[Row](path)
	if err != nil {
		t.Fatal(err)
	}
	if want := normalized(rows); !reflect.DeepEqual(got, want) {
		t.Errorf("parquet.ReadFile\n%+v\nwant\n%+v", got, want)
	}

	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pf, err := openParquet(f)
	if err != nil {
		t.Fatal(err)
	}
	columns := []struct {
		path     []string
		optional bool
		repeated bool // a LIST element
		kind     parquet.Kind
	}{
		{[]string{"id"}, false, false, parquet.ByteArray},
		{[]string{"title"}, true, false, parquet.ByteArray},
		{[]string{"words"}, true, false, parquet.Int64},
		{[]string{"encoding"}, true, false, parquet.ByteArray},
		{[]string{"body_line"}, true, false, parquet.Int32},
		{[]string{"body_byte"}, true, false, parquet.Int64},
		{[]string{"declared_rating"}, true, false, parquet.ByteArray},
		{[]string{"rating_underdeclared"}, true, false, parquet.Boolean},
		{[]string{"error"}, true, false, parquet.ByteArray},
		{[]string{"authors", "list", "element"}, false, true, parquet.ByteArray},
		{[]string{"undeclared_warnings", "list", "element"}, false, true, parquet.ByteArray},
		{[]string{"labels", "list", "element", "label"}, false, true, parquet.ByteArray},
		{[]string{"labels", "list", "element", "score"}, false, true, parquet.Double},
		{[]string{"labels", "list", "element", "threshold"}, false, true, parquet.Double},
		{[]string{"labels", "list", "element", "detected"}, false, true, parquet.Boolean},
		{[]string{"labels", "list", "element", "passages"}, false, true, parquet.Int32},
		{[]string{"evidence", "list", "element", "byte_end"}, false, true, parquet.Int64},
		{[]string{"evidence", "list", "element", "snippet"}, false, true, parquet.ByteArray},
	}
	for _, c := range columns {
		leaf, ok := pf.Schema().Lookup(c.path...)
		if !ok {
			t.Errorf("column %s missing", strings.Join(c.path, "."))
			continue
		}
		if got := leaf.Node.Type().Kind(); got != c.kind {
			t.Errorf("column %s: kind %v, want %v", strings.Join(c.path, "."), got, c.kind)
		}
		if got := leaf.MaxRepetitionLevel > 0; got != c.repeated {
			t.Errorf("column %s: repeated = %v, want %v", strings.Join(c.path, "."), got, c.repeated)
		}
		wantDef := 0
		if c.optional {
			wantDef = 1
		}
		if c.repeated {
			wantDef = 1 // the repeated "list" group; the lists themselves are required
		}
		if leaf.MaxDefinitionLevel != wantDef {
			t.Errorf("column %s: max definition level %d, want %d", strings.Join(c.path, "."), leaf.MaxDefinitionLevel, wantDef)
		}
	}
	for _, list := range []string{"authors", "labels", "evidence", "declared_warnings"} {
		field := pf.Schema().Fields()
		i := slices.IndexFunc(field, func(f parquet.Field) bool { return f.Name() == list })
		if i < 0 {
			t.Errorf("no field %s", list)
			continue
		}
		lt := field[i].Type().LogicalType()
		if lt == nil {
			t.Errorf("field %s: no logical type, want LIST", list)
		} else if _, ok := lt.Value.(*format.ListType); !ok {
			t.Errorf("field %s: logical type %v, want LIST", list, lt)
		}
	}
	for _, rg := range pf.Metadata().RowGroups {
		for _, cc := range rg.Columns {
			if cc.MetaData.Codec.String() != "ZSTD" {
				t.Errorf("column %v: codec %v, want ZSTD", cc.MetaData.PathInSchema, cc.MetaData.Codec)
			}
		}
	}
}

// TestJSONLConventions checks the exact text of a line: field names are the
// JSON tags, nil pointers are null, nil and empty lists are [], and
// characters are not HTML-escaped.
func TestJSONLConventions(t *testing.T) {
	var out bytes.Buffer
	s, err := NewSink("-", SinkOptions{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	rows := sampleRows()
	if err := s.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	lines := strings.SplitAfter(out.String(), "\n")
	if last := lines[len(lines)-1]; last != "" {
		t.Fatalf("output does not end with a newline: %q", last)
	}
	lines = lines[:len(lines)-1]
	if len(lines) != len(rows) {
		t.Fatalf("%d lines, want %d", len(lines), len(rows))
	}

	rt := reflect.TypeFor[Row]()
	var nilRow map[string]json.RawMessage // the all-nil row, sampleRows()[1]
	if err := json.Unmarshal([]byte(lines[1]), &nilRow); err != nil {
		t.Fatal(err)
	}
	if len(nilRow) != rt.NumField() {
		t.Errorf("line has %d fields, Row has %d", len(nilRow), rt.NumField())
	}
	for i := range rt.NumField() {
		f := rt.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		raw, ok := nilRow[name]
		if !ok {
			t.Errorf("field %s: no %q in %s", f.Name, name, lines[1])
			continue
		}
		want := ""
		switch f.Type.Kind() {
		case reflect.Slice:
			want = "[]"
		case reflect.Pointer:
			want = "null"
		}
		if want != "" && string(raw) != want {
			t.Errorf("field %q of an all-nil row = %s, want %s", name, raw, want)
		}
	}

	for _, want := range []string{
		`"title":"Über <Alles> & «ça» 🐉"`,
		`"summary":"line one\nline \"two\"\t"`,
		`"labels":[{"label":"violence","group":"aggression","score":0.93,"threshold":0.5,"detected":true,"source":"both","passages":3},`,
		`"evidence":[{"label":"violence","score":0.93,"line_start":10,"line_end":12,"byte_start":400,"byte_end":612,"snippet":"he struck — «ouch» 💥"},`,
		`"words":12345,"encoding":"windows-1252","body_line":14,"body_byte":812,`,
		`"rating_underdeclared":true`,
		`"error":null`,
	} {
		if !strings.Contains(lines[0], want) {
			t.Errorf("line 1 lacks %s:\n%s", want, lines[0])
		}
	}
	for _, want := range []string{`"words":0`, `"summary":""`, `"rating_underdeclared":false`, `"labels":[]`, `"encoding":"utf-8","body_line":1,"body_byte":0,`} {
		if !strings.Contains(lines[2], want) {
			t.Errorf("line 3 lacks %s:\n%s", want, lines[2])
		}
	}
	if !strings.Contains(lines[3], `"error":"decode broken.epub: zip: not a valid zip file"`) {
		t.Errorf("line 4 lacks its error:\n%s", lines[3])
	}
}

// tempFiles lists the sink temporary files in dir.
func tempFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") && !strings.HasSuffix(e.Name(), MetaSuffix) {
			names = append(names, e.Name())
		}
	}
	return names
}

func TestSinkTempRename(t *testing.T) {
	rows := sampleRows()
	for _, name := range []string{"labels.parquet", "labels.jsonl"} {
		for _, existing := range []bool{false, true} {
			for _, abort := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/existing=%v/abort=%v", name, existing, abort), func(t *testing.T) {
					dir := t.TempDir()
					path := filepath.Join(dir, name)
					old := []byte("old content\n")
					if existing {
						if err := os.WriteFile(path, old, 0o644); err != nil {
							t.Fatal(err)
						}
					}
					// checkTarget checks that path holds what it held
					// before the sink.
					checkTarget := func(when string) {
						t.Helper()
						b, err := os.ReadFile(path)
						switch {
						case existing && err != nil:
							t.Errorf("%s: old target gone: %v", when, err)
						case existing && !bytes.Equal(b, old):
							t.Errorf("%s: target changed to %d bytes", when, len(b))
						case !existing && !errors.Is(err, fs.ErrNotExist):
							t.Errorf("%s: target exists (err %v)", when, err)
						}
					}

					s, err := NewSink(path, SinkOptions{RowsPerRowGroup: 1})
					if err != nil {
						t.Fatal(err)
					}
					if err := s.Write(rows); err != nil {
						t.Fatal(err)
					}
					checkTarget("before Close")
					tmp := tempFiles(t, dir)
					if len(tmp) != 1 || !strings.HasPrefix(tmp[0], "."+name+".tmp-") {
						t.Fatalf("temporary files in the target's directory = %q, want one .%s.tmp-*", tmp, name)
					}
					if abort {
						if err := s.Abort(); err != nil {
							t.Fatal(err)
						}
						checkTarget("after Abort")
					} else {
						if err := s.Close(); err != nil {
							t.Fatal(err)
						}
						got, err := ReadRows(path)
						if err != nil {
							t.Fatal(err)
						}
						if len(got) != len(rows) {
							t.Errorf("after Close: %d rows, want %d", len(got), len(rows))
						}
						if err := s.Abort(); err != nil {
							t.Errorf("Abort after Close: %v, want nil", err)
						}
						if _, err := os.Stat(path); err != nil {
							t.Errorf("Abort after Close removed the output: %v", err)
						}
					}
					if tmp := tempFiles(t, dir); len(tmp) != 0 {
						t.Errorf("temporary files left: %q", tmp)
					}
					if err := s.Write(rows); err == nil {
						t.Error("Write after Close/Abort succeeded")
					}
					if err := s.Close(); err == nil {
						t.Error("Close after Close/Abort succeeded")
					}
				})
			}
		}
	}
}

func TestSinkEmptyOutput(t *testing.T) {
	for _, name := range []string{"labels.parquet", "labels.jsonl"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			writeRows(t, path, SinkOptions{}, nil)
			got, err := ReadRows(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 0 {
				t.Errorf("%d rows, want 0", len(got))
			}
			done, err := ReadDone(path)
			if err != nil {
				t.Fatal(err)
			}
			if done.Len() != 0 {
				t.Errorf("ReadDone: %d ids, want 0", done.Len())
			}
		})
	}
}

// smallRow is a cheap row for tests that need many.
func smallRow(i int) Row {
	return Row{
		ID: fmt.Sprintf("story-%06d", i), Source: "gen", Format: "text", Model: "m@1",
		Labels: []LabelScore{{Label: "violence", Group: "aggression", Score: float64(i%100) / 100}},
		Words:  ptr(int64(i)),
	}
}

func TestParquetRowGroups(t *testing.T) {
	const n = 50_000
	tests := []struct {
		perGroup   int
		wantGroups int
	}{
		{0, 5}, // DefaultRowsPerRowGroup
		{8_000, 7},
		{n, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.perGroup), func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "labels.parquet")
			s, err := NewSink(path, SinkOptions{RowsPerRowGroup: tt.perGroup})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Abort()
			batch := make([]Row, 0, 777) // batches that straddle row groups
			var sizeMidway int64
			for i := range n {
				batch = append(batch, smallRow(i))
				if len(batch) == cap(batch) || i == n-1 {
					if err := s.Write(batch); err != nil {
						t.Fatal(err)
					}
					batch = batch[:0]
				}
				if i == n-n/4 {
					sizeMidway = s.(*parquetSink).tmp.size(t)
				}
			}
			// Full row groups are on disk before Close: the writer does not
			// hold the whole file in memory.
			if tt.wantGroups > 1 && sizeMidway < 10_000 {
				t.Errorf("temporary file has %d bytes after %d rows: row groups are not written as they fill", sizeMidway, n-n/4)
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			pf, err := openParquet(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(pf.RowGroups()); got != tt.wantGroups {
				t.Errorf("%d row groups, want %d", got, tt.wantGroups)
			}
			limit := int64(cmp.Or(tt.perGroup, DefaultRowsPerRowGroup))
			for i, rg := range pf.RowGroups() {
				if rg.NumRows() > limit {
					t.Errorf("row group %d has %d rows, over %d", i, rg.NumRows(), limit)
				}
			}
			if pf.NumRows() != n {
				t.Errorf("%d rows, want %d", pf.NumRows(), n)
			}
			done, err := ReadDone(path)
			if err != nil {
				t.Fatal(err)
			}
			if done.Len() != n || !done.Has("story-000000") || !done.Has(fmt.Sprintf("story-%06d", n-1)) {
				t.Errorf("ReadDone: %d ids, want %d including the first and last", done.Len(), n)
			}
		})
	}
}

func (tf *tempFile) size(t *testing.T) int64 {
	t.Helper()
	st, err := os.Stat(tf.Name())
	if err != nil {
		t.Fatal(err)
	}
	return st.Size()
}

func TestParquetMetadata(t *testing.T) {
	created := time.Date(2026, 3, 4, 5, 6, 7, 0, time.FixedZone("CET", 3600))
	tests := []struct {
		name   string
		opt    SinkOptions
		want   map[string]string
		absent []string
	}{
		{
			name: "typed fields",
			opt:  SinkOptions{Version: "v0.3.1", Model: "tagger-nb@1.0.0", Created: created},
			want: map[string]string{MetaVersion: "v0.3.1", MetaModel: "tagger-nb@1.0.0", MetaCreated: "2026-03-04T04:06:07Z"},
		},
		{
			name: "extra metadata, typed fields win",
			opt: SinkOptions{Version: "v1", Metadata: map[string]string{
				MetaVersion: "overridden", MetaModel: "m@2", "tagger.sensitivity": "high",
			}},
			want:   map[string]string{MetaVersion: "v1", MetaModel: "m@2", "tagger.sensitivity": "high"},
			absent: []string{MetaCreated},
		},
		{
			name:   "nothing set",
			absent: []string{MetaVersion, MetaModel, MetaCreated},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "labels.parquet")
			writeRows(t, path, tt.opt, sampleRows())
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			pf, err := openParquet(f)
			if err != nil {
				t.Fatal(err)
			}
			for k, v := range tt.want {
				if got, ok := pf.Lookup(k); !ok || got != v {
					t.Errorf("metadata %s = %q (present %v), want %q", k, got, ok, v)
				}
			}
			for _, k := range tt.absent {
				if got, ok := pf.Lookup(k); ok {
					t.Errorf("metadata %s = %q, want it absent", k, got)
				}
			}
		})
	}
}

func TestReadDone(t *testing.T) {
	dir := t.TempDir()
	pq := filepath.Join(dir, "done.parquet")
	writeRows(t, pq, SinkOptions{RowsPerRowGroup: 3}, []Row{smallRow(1), smallRow(2), smallRow(3), smallRow(4)})
	complete := `{"id":"a","x":1}` + "\n" + `{"id":"b"}` + "\r\n" + "\n" + `{"id":"c","labels":[]}` + "\n"
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	long := `{"id":"long","summary":"` + strings.Repeat("é", 400_000) + `"}` + "\n"
	tests := []struct {
		name    string
		path    string
		want    []string
		wantErr string
	}{
		{"parquet", pq, []string{"story-000001", "story-000002", "story-000003", "story-000004"}, ""},
		{"jsonl", write("a.jsonl", complete), []string{"a", "b", "c"}, ""},
		{"jsonl truncated last line", write("b.jsonl", complete+`{"id":"d","labels":[{"la`), []string{"a", "b", "c"}, ""},
		{"jsonl complete object without newline", write("c.ndjson", complete+`{"id":"d"}`), []string{"a", "b", "c"}, ""},
		{"jsonl line longer than the buffer", write("d.jsonl", complete+long+`{"id":"e"}`+"\n"), []string{"a", "b", "c", "long", "e"}, ""},
		{"duplicate ids", write("e.jsonl", complete+complete), []string{"a", "b", "c"}, ""},
		{"missing file", filepath.Join(dir, "none.parquet"), nil, ""},
		{"damaged middle line", write("f.jsonl", `{"id":"a"}`+"\n"+`{"id":`+"\n"+`{"id":"c"}`+"\n"), nil, "f.jsonl:2:"},
		{"line without id", write("g.jsonl", `{"id":"a"}`+"\n"+`{"title":"x"}`+"\n"), nil, `g.jsonl:2: no string "id"`},
		{"numeric id", write("h.jsonl", `{"id":7}`+"\n"), nil, "h.jsonl:1:"},
		{"not parquet", write("i.parquet", "PAR1 nonsense"), nil, "not a readable Parquet file"},
		{"parquet without id", writeParquet(t, dir, "j.parquet", []struct {
			Name string `parquet:"name"`
		}{{"x"}}), nil, `no string column "id"`},
		{"unknown format", write("k.csv", "id\na\n"), nil, ".parquet, .jsonl or .ndjson"},
		{"standard output", "-", nil, "cannot resume from standard output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadDone(tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ReadDone error = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.Len() != len(tt.want) {
				t.Errorf("%d ids, want %d (%q)", got.Len(), len(tt.want), tt.want)
			}
			for _, id := range tt.want {
				if !got.Has(id) {
					t.Errorf("id %q missing", id)
				}
			}
			for _, id := range []string{"d", "zzz", ""} {
				if got.Has(id) {
					t.Errorf("id %q reported done", id)
				}
			}
		})
	}
}

func writeParquet[T any](t *testing.T, dir, name string, rows []T) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := parquet.WriteFile(path, rows); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestIDSetNil(t *testing.T) {
	var s *IDSet
	if s.Has("a") || s.Len() != 0 {
		t.Errorf("nil IDSet: Has = %v, Len = %d; want an empty set", s.Has("a"), s.Len())
	}
}

func TestSinkResume(t *testing.T) {
	var rows []Row
	for i := range 10 {
		rows = append(rows, smallRow(i))
	}
	rows[2] = sampleRows()[0]
	for _, name := range []string{"labels.parquet", "labels.jsonl"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, name)
			meta := SinkOptions{Version: "v1", Created: time.Unix(1e9, 0), RowsPerRowGroup: 2}
			writeRows(t, path, meta, rows[:5])

			// A resumed run: skip what is done, append the rest, twice.
			for _, part := range [][]Row{rows[:8], rows} {
				done, err := ReadDone(path)
				if err != nil {
					t.Fatal(err)
				}
				var todo []Row
				for _, r := range part {
					if !done.Has(r.ID) {
						todo = append(todo, r)
					}
				}
				opt := meta
				opt.Append, opt.Version, opt.Created = true, "v2", time.Time{}
				s, err := NewSink(path, opt)
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Write(todo); err != nil {
					t.Fatal(err)
				}
				if got, err := ReadDone(path); err != nil || got.Len() != done.Len() {
					t.Errorf("before Close the target has %d rows (err %v), want the old %d", got.Len(), err, done.Len())
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				got, err := ReadRows(path)
				if err != nil {
					t.Fatal(err)
				}
				if want := normalized(part); !reflect.DeepEqual(got, want) {
					t.Errorf("after resume: ids %v, want %v", ids(got), ids(want))
				}
			}
			if strings.HasSuffix(name, ".parquet") {
				f, err := os.Open(path)
				if err != nil {
					t.Fatal(err)
				}
				defer f.Close()
				pf, err := openParquet(f)
				if err != nil {
					t.Fatal(err)
				}
				if v, _ := pf.Lookup(MetaVersion); v != "v2" {
					t.Errorf("%s = %q after resume, want the new v2", MetaVersion, v)
				}
				if v, _ := pf.Lookup(MetaCreated); v != "2001-09-09T01:46:40Z" {
					t.Errorf("%s = %q after resume, want the kept value", MetaCreated, v)
				}
			}
			if tmp := tempFiles(t, dir); len(tmp) != 0 {
				t.Errorf("temporary files left: %q", tmp)
			}
		})
	}
}

func ids(rows []Row) []string {
	var out []string
	for _, r := range rows {
		out = append(out, r.ID)
	}
	return out
}

func TestJSONLResumeDropsTruncatedLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "labels.jsonl")
	writeRows(t, path, SinkOptions{}, []Row{smallRow(0), smallRow(1)})
	// A crash (or a killed `tagger run -o -`) cut the third line short.
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(`{"id":"story-000002","source":"ge`); err != nil {
		t.Fatal(err)
	}
	f.Close()

	done, err := ReadDone(path)
	if err != nil {
		t.Fatal(err)
	}
	if done.Len() != 2 || done.Has("story-000002") {
		t.Fatalf("ReadDone: %d ids, story-000002 done = %v; want 2 and false", done.Len(), done.Has("story-000002"))
	}
	s, err := NewSink(path, SinkOptions{Append: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write([]Row{smallRow(2), smallRow(3)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := ReadRows(path)
	if err != nil {
		t.Fatal(err)
	}
	want := normalized([]Row{smallRow(0), smallRow(1), smallRow(2), smallRow(3)})
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after resume: ids %v, want %v", ids(got), ids(want))
	}
}

func TestResumeRejects(t *testing.T) {
	dir := t.TempDir()
	other := writeParquet(t, dir, "other.parquet", []struct {
		ID string `parquet:"id"`
	}{{"a"}})
	garbage := filepath.Join(dir, "garbage.parquet")
	if err := os.WriteFile(garbage, []byte("not parquet at all"), 0o644); err != nil {
		t.Fatal(err)
	}
	previous := filepath.Join(dir, "previous.parquet")
	writePreviousSchema(t, previous)
	// JSONL rows tell their schema only by their sidecar's MetaSchema: an
	// older tagger's has none.
	jsonl := func(name, sidecar string) string {
		path := filepath.Join(dir, name)
		line, err := json.Marshal(smallRow(0))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(line, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path+MetaSuffix, []byte(sidecar), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	tests := []struct {
		name, path string
		want       []string
	}{
		{"other schema", other, []string{"differ from this tagger's output schema", "write to a new output"}},
		{"previous schema", previous, []string{"differ from this tagger's output schema", "write to a new output"}},
		{"not parquet", garbage, []string{"not a readable Parquet file"}},
		{"jsonl of an older tagger", jsonl("old.jsonl", `{"tagger.version": "v0.9.0"}`),
			[]string{"an older tagger's row schema", "this tagger writes row schema " + OutputSchema, "write to a new output"}},
		{"jsonl of another schema", jsonl("other.jsonl", `{"tagger.schema": "1"}`),
			[]string{"row schema 1", "write to a new output"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSink(tt.path, SinkOptions{Append: true})
			if err == nil {
				s.Abort()
				t.Fatalf("NewSink succeeded, want an error containing %q", tt.want)
			}
			for _, want := range tt.want {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error = %q, want it to contain %q", err, want)
				}
			}
			if tmp := tempFiles(t, dir); len(tmp) != 0 {
				t.Errorf("temporary files left: %q", tmp)
			}
		})
	}
}

// writePreviousSchema writes a Parquet file of one row in the columns of
// row schema 1: Row without labels.threshold, encoding, body_line and
// body_byte.
func writePreviousSchema(t *testing.T, path string) {
	t.Helper()
	drop := map[string]bool{"Threshold": true, "Encoding": true, "BodyLine": true, "BodyByte": true}
	var without func(reflect.Type) reflect.Type
	without = func(rt reflect.Type) reflect.Type {
		var fields []reflect.StructField
		for i := range rt.NumField() {
			f := rt.Field(i)
			if drop[f.Name] {
				continue
			}
			if f.Type.Kind() == reflect.Slice && f.Type.Elem().Kind() == reflect.Struct {
				f.Type = reflect.SliceOf(without(f.Type.Elem()))
			}
			f.Index, f.Offset = nil, 0
			fields = append(fields, f)
		}
		return reflect.StructOf(fields)
	}
	row := reflect.New(without(reflect.TypeFor[Row]()))
	b, err := json.Marshal(smallRow(0))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, row.Interface()); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := parquet.NewWriter(f, parquet.SchemaOf(row.Elem().Interface()))
	if err := w.Write(row.Interface()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

// Row's columns are those of OutputSchema: changing them must raise
// OutputSchema, so that --resume refuses outputs of the old columns.
func TestOutputSchemaPinned(t *testing.T) {
	const version, hash = "3", "f71e4e68b8c55b95d51479e23ae15473f56854786c8e8d197e9abb3e60864381"
	sum := sha256.Sum256([]byte(parquet.SchemaOf(Row{}).String()))
	if got := hex.EncodeToString(sum[:]); got != hash || OutputSchema != version {
		t.Errorf("Row's Parquet schema hashes to %s at OutputSchema %s; pinned: %s at %s. If Row's columns changed, raise OutputSchema and pin both here",
			got, OutputSchema, hash, version)
	}
	// Both formats record it, and a resume of the same schema goes on.
	for _, name := range []string{"l.parquet", "l.jsonl"} {
		path := filepath.Join(t.TempDir(), name)
		writeRows(t, path, SinkOptions{}, []Row{smallRow(0)})
		writeRows(t, path, SinkOptions{Append: true}, []Row{smallRow(1)})
		var kv map[string]string
		if name == "l.jsonl" {
			var err error
			if kv, err = readSidecar(path + MetaSuffix); err != nil {
				t.Fatal(err)
			}
		} else {
			f, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			pf, err := openParquet(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			kv = map[string]string{}
			for _, e := range pf.Metadata().KeyValueMetadata {
				kv[e.Key] = e.Value
			}
		}
		if kv[MetaSchema] != OutputSchema {
			t.Errorf("%s: %s = %q, want %q", name, MetaSchema, kv[MetaSchema], OutputSchema)
		}
		if rows, err := ReadRows(path); err != nil || len(rows) != 2 {
			t.Errorf("%s: %d rows after resume, want 2 (%v)", name, len(rows), err)
		}
	}
}

func TestResumeMissingOutputStartsEmpty(t *testing.T) {
	for _, name := range []string{"labels.parquet", "labels.jsonl"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			writeRows(t, path, SinkOptions{Append: true}, []Row{smallRow(0)})
			got, err := ReadRows(path)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, normalized([]Row{smallRow(0)})) {
				t.Errorf("got ids %v, want [story-000000]", ids(got))
			}
		})
	}
}

func TestStdoutAbortEndsOnCompleteLine(t *testing.T) {
	var out bytes.Buffer
	s, err := NewSink("-", SinkOptions{Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Write([]Row{smallRow(0), smallRow(1)}); err != nil {
		t.Fatal(err)
	}
	if err := s.Abort(); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(out.String(), "\n"); n != 2 || !strings.HasSuffix(out.String(), "\n") {
		t.Errorf("after Abort standard output has %d lines (%q), want 2 complete lines", n, out.String())
	}
}

// benchRows returns n realistic rows: all 36 labels, three evidence
// passages, a summary and tags, with varied text so that compression is not
// flattered.
func benchRows(n int) []Row {
	groups := map[string][]string{
		"discrimination": {"homophobia", "transphobia", "classism", "sexism", "racism", "religious-discrimination", "ableism", "body-shaming", "other-discrimination"},
		"aggression":     {"violence", "kidnapping", "death", "collective-violence", "other-aggression"},
		"abuse":          {"abuse", "sexual-abuse", "child-abuse", "animal-abuse", "abusive-language", "other-abuse"},
		"pregnancy":      {"miscarriage", "abortion", "childbirth", "other-pregnancy"},
		"medical":        {"blood-gore", "procedures", "other-medical"},
		"mental-health":  {"dysmorphia", "self-harm", "suicide", "mental-illness", "addiction", "other-mental-health"},
		"sexual-content": {"pornography", "incest", "other-sexual"},
	}
	words := strings.Fields("the a he she they night blood door ran quiet storm kiss war sword letter " +
		"river fell broke whispered laughed cold warm hand eyes window city ship dragon promise never always")
	rng := rand.New(rand.NewPCG(1, 2))
	text := func(nw int) string {
		var b strings.Builder
		for i := range nw {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(words[rng.IntN(len(words))])
		}
		return b.String()
	}
	sources := []string{"model", "lexicon", "both"}
	rows := make([]Row, n)
	for i := range rows {
		r := Row{
			ID: fmt.Sprintf("works/%08d.html", rng.IntN(1e8)), Source: fmt.Sprintf("corpus/%04d/%08d.html", i/1000, i), Format: "ao3-html",
			SHA256: ptr(fmt.Sprintf("%016x%016x%016x%016x", rng.Uint64(), rng.Uint64(), rng.Uint64(), rng.Uint64())),
			Title:  ptr(text(5)), Authors: []string{text(1)}, Fandoms: []string{text(2)},
			Relationships: []string{text(1) + "/" + text(1)}, Characters: []string{text(1), text(1), text(1)},
			Tags:    []string{text(2), text(1), text(3), text(2), "Alternate Universe", "Angst"},
			Summary: ptr(text(100)), Language: ptr("en"), Words: ptr(int64(rng.IntN(200_000))),
			Encoding: ptr("utf-8"), BodyLine: ptr(int32(18)), BodyByte: ptr(int64(905)),
			DeclaredRating: ptr("teen"), DeclaredRatingRaw: ptr("Teen And Up Audiences"), RatingSystem: ptr("ao3"),
			WarningStatus: ptr("declared"), DeclaredWarnings: []string{"violence"}, DeclaredWarningsRaw: []string{"Graphic Depictions Of Violence"},
			UnmappedWarnings: []string{}, NegatedWarnings: []string{},
			PredictedRating: ptr("mature"), RatingUnderdeclared: ptr(true),
			DetectedWarnings: []string{"violence", "death"}, UndeclaredWarnings: []string{"death"},
			Model: "tagger-nb@1.0.0",
		}
		for _, g := range slices.Sorted(maps.Keys(groups)) {
			for _, l := range groups[g] {
				score := rng.Float64()
				r.Labels = append(r.Labels, LabelScore{Label: l, Group: g, Score: score, Threshold: 0.8, Detected: score > 0.8, Source: sources[rng.IntN(3)], Passages: int32(rng.IntN(5))})
			}
		}
		for j := range 3 {
			start := int64(rng.IntN(500_000))
			r.Evidence = append(r.Evidence, Evidence{
				Label: r.Labels[rng.IntN(len(r.Labels))].Label, Score: rng.Float64(),
				LineStart: int32(start / 80), LineEnd: int32(start/80 + 3), ByteStart: start, ByteEnd: start + 300,
				Snippet: text(40 + j*5),
			})
		}
		rows[i] = r
	}
	return rows
}

// benchmarkSink writes batches of realistic rows through a sink; MB/s counts
// the rows' JSONL size (the same for both formats), rows/s the rows.
func benchmarkSink(b *testing.B, name string) {
	const batch = 256
	rows := benchRows(32 * batch)
	var jsonSize int64
	for _, r := range rows[:batch] {
		j, err := json.Marshal(r)
		if err != nil {
			b.Fatal(err)
		}
		jsonSize += int64(len(j)) + 1
	}
	path := filepath.Join(b.TempDir(), name)
	s, err := NewSink(path, SinkOptions{Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Abort()
	b.SetBytes(jsonSize)
	b.ReportAllocs()
	written := 0
	for b.Loop() {
		off := written % len(rows)
		if err := s.Write(rows[off : off+batch]); err != nil {
			b.Fatal(err)
		}
		written += batch
	}
	if err := s.Close(); err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(written)/b.Elapsed().Seconds(), "rows/s")
	if st, err := os.Stat(path); err == nil {
		b.ReportMetric(float64(st.Size())/float64(written), "file-B/row")
	}
}

func BenchmarkParquetSink(b *testing.B) { benchmarkSink(b, "labels.parquet") }

func BenchmarkJSONLSink(b *testing.B) { benchmarkSink(b, "labels.jsonl") }

// setStrings sets every string reachable from v (fields, pointers, slice
// elements, nested structs) to s, allocating nil pointers and giving nil
// slices one element, and returns how many it set.
func setStrings(v reflect.Value, s string) int {
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
		return 1
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
		}
		return setStrings(v.Elem(), s)
	case reflect.Slice:
		if v.Len() == 0 {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		}
		n := 0
		for i := range v.Len() {
			n += setStrings(v.Index(i), s)
		}
		return n
	case reflect.Struct:
		n := 0
		for i := range v.NumField() {
			n += setStrings(v.Field(i), s)
		}
		return n
	}
	return 0
}

// badStrings returns the paths of strings reachable from v that are not
// want.
func badStrings(v reflect.Value, path, want string) []string {
	switch v.Kind() {
	case reflect.String:
		if v.String() != want {
			return []string{fmt.Sprintf("%s = %q", path, v.String())}
		}
	case reflect.Pointer:
		if v.IsNil() {
			return []string{path + " is nil"}
		}
		return badStrings(v.Elem(), path, want)
	case reflect.Slice:
		var bad []string
		for i := range v.Len() {
			bad = append(bad, badStrings(v.Index(i), fmt.Sprintf("%s[%d]", path, i), want)...)
		}
		return bad
	case reflect.Struct:
		var bad []string
		for i := range v.NumField() {
			bad = append(bad, badStrings(v.Field(i), path+"."+v.Type().Field(i).Name, want)...)
		}
		return bad
	}
	return nil
}

// TestSinkFixesUTF8 puts invalid UTF-8 in every string of a Row, including
// fields added after this test was written, and checks that both formats
// write U+FFFD in its place and leave the caller's row alone.
func TestSinkFixesUTF8(t *testing.T) {
	const bad, fixed = "a\xc3b\xe2\x80", "a\uFFFDb\uFFFD\uFFFD"
	var r Row
	if n := setStrings(reflect.ValueOf(&r).Elem(), bad); n < 30 {
		t.Fatalf("set only %d strings", n)
	}
	for _, name := range []string{"labels.parquet", "labels.jsonl"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), name)
			rows := []Row{smallRow(0), r, smallRow(1)}
			writeRows(t, path, SinkOptions{}, rows)
			got, err := ReadRows(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 {
				t.Fatalf("%d rows, want 3", len(got))
			}
			for _, b := range badStrings(reflect.ValueOf(got[1]), "Row", fixed) {
				t.Errorf("read back %s, want %q", b, fixed)
			}
			if want := normalized([]Row{smallRow(0), smallRow(1)}); !reflect.DeepEqual([]Row{got[0], got[2]}, want) {
				t.Errorf("valid rows changed: %+v", []Row{got[0], got[2]})
			}
			for _, b := range badStrings(reflect.ValueOf(rows[1]), "Row", bad) {
				t.Errorf("caller's row modified: %s", b)
			}
		})
	}
}

// TestSinkWriteFailure checks that after a failed Write the sink refuses
// more rows and Close fails without producing the target: an output must
// never silently lack rows.
func TestSinkWriteFailure(t *testing.T) {
	nan := smallRow(1)
	nan.Labels[0].Score = math.NaN() // JSON cannot hold it
	tests := []struct {
		name    string
		file    string
		breakIt func(Sink) // makes the next Write fail
		rows    []Row
		want    string
	}{
		{"jsonl unencodable row", "labels.jsonl", func(Sink) {}, []Row{smallRow(0), nan}, "unsupported value: NaN"},
		{"parquet file gone bad", "labels.parquet", func(s Sink) { s.(*parquetSink).tmp.File.Close() }, benchRows(100), "file already closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, tt.file)
			s, err := NewSink(path, SinkOptions{RowsPerRowGroup: 1})
			if err != nil {
				t.Fatal(err)
			}
			tt.breakIt(s)
			err = s.Write(tt.rows)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Write error = %v, want one containing %q", err, tt.want)
			}
			if err := s.Write([]Row{smallRow(2)}); err == nil {
				t.Error("Write after a failed Write succeeded")
			}
			if err := s.Close(); err == nil || !strings.Contains(err.Error(), "not written") {
				t.Errorf("Close after a failed Write = %v, want a \"not written\" error", err)
			}
			if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("target exists after a failed run (err %v)", err)
			}
			if tmp := tempFiles(t, dir); len(tmp) != 0 {
				t.Errorf("temporary files left: %q", tmp)
			}
		})
	}
}

func TestIDSet(t *testing.T) {
	tests := []struct {
		name string
		ids  []string
		in   []string
		out  []string
	}{
		{"empty", nil, nil, []string{"", "a"}},
		{"some", []string{"b", "a", "c"}, []string{"a", "b", "c"}, []string{"", "d", "A", "a "}},
		{"duplicates", []string{"a", "a", "é", "é"}, []string{"a", "é"}, []string{"e"}},
		{"empty id", []string{""}, []string{""}, []string{" "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewIDSet(tt.ids...)
			if s.Len() != len(tt.in) {
				t.Errorf("Len = %d, want %d", s.Len(), len(tt.in))
			}
			for _, id := range tt.in {
				if !s.Has(id) {
					t.Errorf("Has(%q) = false", id)
				}
			}
			for _, id := range tt.out {
				if s.Has(id) {
					t.Errorf("Has(%q) = true", id)
				}
			}
		})
	}
}

// TestCheckReplace: a run replaces what is missing or empty, and an output
// of tagger's from the same inputs and shard (the same job again); an
// output of other inputs, or one that does not record them, only with
// --force; anyone else's file under the output's name never.
func TestCheckReplace(t *testing.T) {
	dir := t.TempDir()
	seeds := RunMeta{Inputs: InputsMeta(dir, []string{"seeds"})}
	other := RunMeta{Inputs: InputsMeta(dir, []string{"corpus.jsonl"})}
	shard1 := RunMeta{Inputs: seeds.Inputs, Shard: "1/2"}
	// written writes the seeds' rows to name, recording meta.
	written := func(name string, meta RunMeta) string {
		t.Helper()
		p := filepath.Join(dir, name)
		m, err := models.Default()
		if err != nil {
			t.Fatal(err)
		}
		sink, err := NewSink(p, SinkOptions{Inputs: meta.Inputs, Shard: meta.Shard})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Run(context.Background(), context.Background(), []string{"../seeds"}, sink, Config{Model: m}, nil); err != nil {
			t.Fatal(err)
		}
		if err := sink.Close(); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ours := written("ours.parquet", seeds)
	oursJSONL := written("ours.jsonl", seeds)
	oursShard := written("shard.parquet", shard1)
	write := func(name string, data []byte) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// JSONL as written to standard output, or exported: rows, no sidecar.
	b, err := os.ReadFile(oursJSONL)
	if err != nil {
		t.Fatal(err)
	}
	piped := write("piped.jsonl", b)
	for _, tc := range []struct {
		path           string
		want           RunMeta
		replace, force bool // replaced without --force; with it
	}{
		{filepath.Join(dir, "missing.parquet"), seeds, true, true},
		{write("empty.parquet", nil), seeds, true, true},
		{ours, seeds, true, true},
		{ours, other, false, true},
		{oursJSONL, seeds, true, true},
		{oursJSONL, other, false, true},
		{oursShard, shard1, true, true},
		{oursShard, seeds, false, true},
		{piped, seeds, false, true},
		{withSidecar(t, write("sidecar.jsonl", []byte("not a row, but the sidecar says ours\n"))), seeds, false, true},
		{write("notes.parquet", []byte("my notes")), seeds, false, false},
		{foreignParquet(t, filepath.Join(dir, "foreign.parquet")), seeds, false, false},
		{write("predictions.jsonl", []byte(`{"id": "42", "model": "gpt-4", "labels": ["violence"], "text": "..."}`+"\n")), seeds, false, false},
		{write("notes.jsonl", []byte("my notes\n")), seeds, false, false},
		{write("other.jsonl", []byte(`{"id": "1", "text": "a corpus record, not a row"}`+"\n")), seeds, false, false},
	} {
		for _, force := range []bool{false, true} {
			err := CheckReplace(tc.path, tc.want, force)
			if want := map[bool]bool{false: tc.replace, true: tc.force}[force]; (err == nil) != want {
				t.Errorf("%s (inputs %s, shard %q, force %v): %v, want replace %v", filepath.Base(tc.path), tc.want.Inputs, tc.want.Shard, force, err, want)
			}
			if err != nil && !strings.Contains(err.Error(), "choose another -o path") {
				t.Errorf("%s: the error does not say what to do: %v", filepath.Base(tc.path), err)
			}
			if err != nil && tc.force && !strings.Contains(err.Error(), "--force") {
				t.Errorf("%s: the error does not name --force: %v", filepath.Base(tc.path), err)
			}
		}
	}
}

// foreignParquet writes a valid Parquet file with no tagger metadata.
func foreignParquet(t *testing.T, path string) string {
	t.Helper()
	type rec struct {
		ID    string  `parquet:"id"`
		Score float64 `parquet:"score"`
	}
	if err := parquet.WriteFile(path, []rec{{"a", 1}, {"b", 2}}); err != nil {
		t.Fatal(err)
	}
	return path
}

// withSidecar gives the JSONL file at path an output's sidecar.
func withSidecar(t *testing.T, path string) string {
	t.Helper()
	if err := os.WriteFile(path+MetaSuffix, []byte(`{"tagger.version": "x"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestMarkStopped: an output closed after MarkStopped records MetaStopped;
// a resumed run (Append) that completes it drops the mark.
func TestMarkStopped(t *testing.T) {
	for _, ext := range []string{"parquet", "jsonl"} {
		t.Run(ext, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "out."+ext)
			write := func(append bool, stopped string) map[string]string {
				t.Helper()
				s, err := NewSink(path, SinkOptions{Append: append, Version: "v"})
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Write(sampleRows()[:1]); err != nil {
					t.Fatal(err)
				}
				if stopped != "" {
					MarkStopped(s, stopped)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
				kv, err := ReadOutputMeta(path)
				if err != nil {
					t.Fatal(err)
				}
				return kv
			}
			if kv := write(false, "stopped after 1 story"); kv[MetaStopped] != "stopped after 1 story" || kv[MetaVersion] != "v" {
				t.Errorf("stopped run: metadata %v, want %s and the rest", kv, MetaStopped)
			}
			if kv := write(true, ""); kv[MetaStopped] != "" || kv[MetaVersion] != "v" {
				t.Errorf("completed by a resumed run: metadata %v, want no %s", kv, MetaStopped)
			}
			if rows, err := ReadRows(path); err != nil || len(rows) != 2 {
				t.Errorf("%d rows, %v; want both runs' rows", len(rows), err)
			}
		})
	}
}
