package tokenize

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gopkg.in/neurosnap/sentences.v1"
	"gopkg.in/neurosnap/sentences.v1/data"
)

// libraryEnglish returns the English Punkt data the sentences package
// ships, and its own reading of it.
func libraryEnglish(tb testing.TB) ([]byte, *sentences.Storage) {
	tb.Helper()
	b, err := data.Asset("data/english.json")
	if err != nil {
		tb.Fatal(err)
	}
	st, err := sentences.LoadTraining(b)
	if err != nil {
		tb.Fatal(err)
	}
	return b, st
}

// TestPunktEnglishAsLibrary: the fast reader gives exactly the training
// data the library's own decoder does, and takes the fast path.
func TestPunktEnglishAsLibrary(t *testing.T) {
	b, want := libraryEnglish(t)
	d, ok := parsePunkt(string(b))
	if !ok {
		t.Fatal("parsePunkt refused the library's English data: every Segmenter would take the slow path")
	}
	if got := d.storage(); !reflect.DeepEqual(got, want) {
		t.Errorf("parsePunkt differs from sentences.LoadTraining: %d/%d/%d/%d entries against %d/%d/%d/%d",
			len(got.AbbrevTypes), len(got.Collocations), len(got.SentStarters), len(got.OrthoContext),
			len(want.AbbrevTypes), len(want.Collocations), len(want.SentStarters), len(want.OrthoContext))
	}
	if len(want.OrthoContext) < 10000 {
		t.Errorf("the English data has %d orthographic contexts; expected tens of thousands", len(want.OrthoContext))
	}
}

// TestPunktDataCurrent fails when punkt_english.json is not the data the
// sentences package ships (after updating the package), or not written
// with its orthographic contexts sorted, which NewSegmenter would then
// sort at every start: run go generate in classify/tokenize.
func TestPunktDataCurrent(t *testing.T) {
	_, want := libraryEnglish(t)
	d, err := punktEnglish()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(d.storage(), want) {
		t.Error("punkt_english.json differs from the sentences package's English data: run go generate in classify/tokenize")
	}
	if _, ok := parsePunkt(punktEnglishJSON); !ok {
		t.Error("parsePunkt refuses the embedded data: every Segmenter would take the library's slow path (run go generate in classify/tokenize)")
	}
	i := strings.Index(punktEnglishJSON, `"OrthoContext":{`)
	if i < 0 {
		t.Fatal("punkt_english.json has no OrthoContext")
	}
	var keys []string
	for _, kv := range strings.Split(punktEnglishJSON[i+len(`"OrthoContext":{`):strings.Index(punktEnglishJSON[i:], "}")+i], ",") {
		k, _, _ := strings.Cut(kv, ":")
		keys = append(keys, strings.Trim(k, `"`))
	}
	if len(keys) < 10000 || !slices.IsSorted(keys) {
		t.Errorf("punkt_english.json: %d orthographic contexts, sorted %v; want tens of thousands, sorted: run go generate in classify/tokenize", len(keys), slices.IsSorted(keys))
	}
}

func TestParsePunkt(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		ok       bool
	}{
		{"all four", `{"AbbrevTypes":{"dr":1},"Collocations":{"a,b":1},"SentStarters":{"but":1},"OrthoContext":{"x":32,"y":-4}}`, true},
		{"unsorted, a key twice", `{"OrthoContext":{"y":1,"x":2,"y":3,"a":4}}`, true},
		{"white space", " {\n \"OrthoContext\" : { \"x\" : 0 } }\n", true},
		{"empty", `{}`, true},
		{"escape", `{"OrthoContext":{"caf\u00e9":1}}`, false},
		{"unknown member", `{"Other":{"x":1}}`, false},
		{"fraction", `{"OrthoContext":{"x":1.5}}`, false},
		{"exponent", `{"OrthoContext":{"x":1e3}}`, false},
		{"leading zero", `{"OrthoContext":{"x":01}}`, false},
		{"huge", `{"OrthoContext":{"x":12345678901}}`, false},
		{"trailing", `{"OrthoContext":{}} x`, false},
		{"missing comma", `{"OrthoContext":{"x":1 "y":2}}`, false},
		{"member twice", `{"OrthoContext":{},"OrthoContext":{}}`, false},
		{"truncated", `{"OrthoContext":{"x":1`, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := parsePunkt(tt.in)
			if ok != tt.ok {
				t.Fatalf("parsePunkt(%q) ok = %v, want %v", tt.in, ok, tt.ok)
			}
			if ok {
				checkPunktAgrees(t, tt.in, got.storage())
			}
		})
	}
}

// checkPunktAgrees fails when encoding/json reads js otherwise than
// parsePunkt read it (got).
func checkPunktAgrees(t *testing.T, js string, got *sentences.Storage) {
	t.Helper()
	want := sentences.Storage{AbbrevTypes: sentences.SetString{}, Collocations: sentences.SetString{},
		SentStarters: sentences.SetString{}, OrthoContext: sentences.SetString{}}
	if err := json.Unmarshal([]byte(js), &want); err != nil {
		t.Fatalf("parsePunkt accepted %q, which encoding/json refuses: %v", js, err)
	}
	if !reflect.DeepEqual(*got, want) {
		t.Fatalf("parsePunkt(%q) = %+v, encoding/json %+v", js, *got, want)
	}
}

// FuzzParsePunkt: parsePunkt never panics, and what it accepts it reads as
// encoding/json does.
func FuzzParsePunkt(f *testing.F) {
	f.Add(`{"AbbrevTypes":{"dr":1},"OrthoContext":{"x":32,"y":-4}}`)
	f.Add(`{"OrthoContext":{"x":1.5}}`)
	f.Add(`{}`)
	f.Fuzz(func(t *testing.T, js string) {
		if got, ok := parsePunkt(js); ok {
			checkPunktAgrees(t, js, got.storage())
		}
	})
}
