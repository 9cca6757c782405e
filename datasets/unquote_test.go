package datasets

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	sjson "github.com/segmentio/encoding/json"
)

// unquoteCases are JSON string literals, valid and not, that unquoteJSON
// must read as json.Unmarshal does (or leave to it).
var unquoteCases = []string{
	`""`, `"plain"`, `"caf\u00e9 and café"`, `"line\nbreak\r\n\ttab"`, `"\"quoted\" \\ \/ \b\f"`,
	`"\ud83d\ude00 a pair"`, `"\ud83d alone"`, `"\ude00 low alone"`, `"\ud83d\u0041 high then A"`,
	`"\ud83d\ud83d\ude00 two highs"`, `"ends with escape\n"`, `"\u0000 nul"`, `"\uD83D\uDE00 upper"`,
	"\"invalid \xff byte\"", "\"encoded surrogate \xed\xa0\x80\"", `"bad \x escape"`, `"short \u12"`,
	`"trailing \"`, `"“curly” – dash"`,
}

// TestUnquoteJSON: a record's text is decoded as json.Unmarshal decodes
// it, escapes, surrogate pairs and lone halves included.
func TestUnquoteJSON(t *testing.T) {
	for _, in := range unquoteCases {
		checkUnquote(t, []byte(in))
	}
}

// FuzzUnquoteJSON: for every string literal encoding/json accepts,
// unquoteJSON gives what json.Unmarshal gives, or leaves it to it.
func FuzzUnquoteJSON(f *testing.F) {
	for _, in := range unquoteCases {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkUnquote(t, b)
	})
}

func checkUnquote(t *testing.T, b []byte) {
	t.Helper()
	// The decoder hands UnmarshalJSON the literal without the spaces
	// around it.
	b = bytes.TrimSpace(b)
	var want string
	if err := json.Unmarshal(b, &want); err != nil || len(b) == 0 || b[0] != '"' {
		return // not a string literal: never handed to unquoteJSON
	}
	got, ok := unquoteJSON(b)
	if !ok {
		// Left to json.Unmarshal: only for invalid UTF-8.
		if b := b[1 : len(b)-1]; jsonValidUTF8(b) {
			t.Errorf("unquoteJSON(%q) gave up on valid UTF-8", b)
		}
		return
	}
	if got != want {
		t.Errorf("unquoteJSON(%q) = %q, json.Unmarshal = %q", b, got, want)
	}
	var tx jsonText
	if err := tx.UnmarshalJSON(b); err != nil || tx.s != want {
		t.Errorf("jsonText.UnmarshalJSON(%q) = %q, %v; want %q", b, tx.s, err, want)
	}
}

func jsonValidUTF8(b []byte) bool { return utf8.Valid(b) }

// FuzzRecordDecoders: segmentio's decoder, which reads corpus records,
// accepts exactly the lines encoding/json accepts and decodes them to the
// same record.
func FuzzRecordDecoders(f *testing.F) {
	for _, in := range []string{
		`{"id":1,"text":"x"}`, `{"id":"a","text":"l\nx","tags":["a","b"],"rating":"Mature","warnings":null}`,
		`{"work_id":3,"text":"<p>x</p>","labels":["a"]}`, `{"text":"t","tags":["a\u00e9",null,1.5e3,{"k":[true]},"\ud800"]}`, `{"ID":"A","Text":"hi"}`, `{"id":1,"text":"a","text":"b"}`,
		"{\"id\":1,\"text\":\"a\xffb\"}", `{"id":01,"text":"a"}`, `{"id":1,"text":"a",}`, `{"text":"\ud83d\ude00"}`,
	} {
		f.Add([]byte(in))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var std, seg jsonRecord
		errStd, errSeg := json.Unmarshal(b, &std), sjson.Unmarshal(b, &seg)
		if (errStd == nil) != (errSeg == nil) {
			t.Fatalf("%q: encoding/json says %v, segmentio %v", b, errStd, errSeg)
		}
		if errStd == nil && !reflect.DeepEqual(std, seg) {
			t.Fatalf("%q: encoding/json decodes %+v, segmentio %+v", b, std, seg)
		}
		// A list field's items, as appendFields decodes them.
		for _, raw := range []json.RawMessage{std.Tags, std.Warnings, std.Labels, std.Fandoms, std.Rating} {
			if !present(raw) {
				continue
			}
			var a, c []any
			ea, ec := json.Unmarshal(raw, &a), sjson.Unmarshal(raw, &c)
			if (ea == nil) != (ec == nil) || !reflect.DeepEqual(a, c) {
				t.Fatalf("%q: encoding/json decodes %v (%v), segmentio %v (%v)", raw, a, ea, c, ec)
			}
		}
	})
}

// TestRecordDeepNesting: a record nested deeper than encoding/json's
// limit is a record error, as encoding/json makes it, not a crash: a few
// megabytes of brackets overflowed the stack of segmentio's recursive
// decoder and killed the process. Just under the limit it is read.
func TestRecordDeepNesting(t *testing.T) {
	deep := func(n int) string {
		return `{"text":"a story","x":` + strings.Repeat("[", n) + strings.Repeat("]", n) + "}"
	}
	for _, tc := range []struct {
		name string
		line string
		ok   bool
	}{
		{"2 million deep", deep(1 << 21), false},
		{"10,001 deep", deep(10001), false},
		{"in the tags", `{"text":"a","tags":` + strings.Repeat("[", 10001) + strings.Repeat("]", 10001) + "}", false},
		{"9,000 deep", deep(9000), true},
	} {
		_, err := decodeRecord([]byte(tc.line))
		if (err == nil) != tc.ok {
			t.Errorf("%s: err %v, want ok %v", tc.name, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "exceeded max depth") {
			t.Errorf("%s: %v; want encoding/json's word for it", tc.name, err)
		}
	}
}
