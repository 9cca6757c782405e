package tokenize

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/neurosnap/sentences.v1"
	"gopkg.in/neurosnap/sentences.v1/data"
)

// TestPunktEnglishAsLibrary: the fast reader gives exactly the training
// data the library's own decoder does, and takes the fast path.
func TestPunktEnglishAsLibrary(t *testing.T) {
	b, err := data.Asset("data/english.json")
	if err != nil {
		t.Fatal(err)
	}
	want, err := sentences.LoadTraining(b)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := parsePunkt(string(b))
	if !ok {
		t.Fatal("parsePunkt refused the library's English data: every Segmenter would take the slow path")
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("parsePunkt differs from sentences.LoadTraining: %d/%d/%d/%d entries against %d/%d/%d/%d",
			len(got.AbbrevTypes), len(got.Collocations), len(got.SentStarters), len(got.OrthoContext),
			len(want.AbbrevTypes), len(want.Collocations), len(want.SentStarters), len(want.OrthoContext))
	}
	if len(want.OrthoContext) < 10000 {
		t.Errorf("the English data has %d orthographic contexts; expected tens of thousands", len(want.OrthoContext))
	}
}

// TestPunktDataCurrent fails when punkt_english.json is not the data the
// sentences package ships (after updating the package): run go generate
// in classify/tokenize. The file is the package's JSON compacted.
func TestPunktDataCurrent(t *testing.T) {
	b, err := data.Asset("data/english.json")
	if err != nil {
		t.Fatal(err)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, b); err != nil {
		t.Fatal(err)
	}
	if strings.TrimSuffix(punktEnglishJSON, "\n") != compact.String() {
		t.Fatal("punkt_english.json differs from the sentences package's English data: run go generate in classify/tokenize")
	}
	want, err := sentences.LoadTraining(b)
	if err != nil {
		t.Fatal(err)
	}
	got, err := punktEnglish()
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Error("punktEnglish differs from the library's reading of the package's data")
	}
	if _, ok := parsePunkt(punktEnglishJSON); !ok {
		t.Error("parsePunkt refuses the embedded data: every Segmenter would take the library's slow path")
	}
}

func TestParsePunkt(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		ok       bool
	}{
		{"all four", `{"AbbrevTypes":{"dr":1},"Collocations":{"a,b":1},"SentStarters":{"but":1},"OrthoContext":{"x":32,"y":-4}}`, true},
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
				checkPunktAgrees(t, tt.in, got)
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
			checkPunktAgrees(t, js, got)
		}
	})
}
