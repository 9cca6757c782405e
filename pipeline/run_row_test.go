package pipeline

import (
	"errors"
	"reflect"
	"slices"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/taxonomy"
)

// A work whose creator chose not to warn has no undeclared warnings: what
// tagger detects there is not warned, by choice.
func TestNewRowUndeclared(t *testing.T) {
	tests := []struct {
		status taxonomy.WarningState
		want   []string
	}{
		{"declared", []string{"violence"}},
		{"none-apply", []string{"violence"}},
		{"missing", []string{"violence"}},
		{"chose-not-to-warn", []string{}},
	}
	for _, tc := range tests {
		s := &datasets.Story{ID: "w", Source: "w.txt", Format: datasets.FormatText}
		s.WarningStatus, s.DeclaredWarnings = tc.status, []string{"death"}
		res := &classify.Result{Detected: []string{"violence", "death"}}
		r := NewRow(s, res, nil, nil)
		if !slices.Equal(r.UndeclaredWarnings, tc.want) {
			t.Errorf("%s: undeclared %v, want %v", tc.status, r.UndeclaredWarnings, tc.want)
		}
		if !slices.Equal(r.DetectedWarnings, res.Detected) {
			t.Errorf("%s: detected %v, want %v", tc.status, r.DetectedWarnings, res.Detected)
		}
	}
}

// NewRow copies each label's threshold and where the body starts; a story
// that failed has no labels, and no body position until its header is read.
func TestNewRowColumns(t *testing.T) {
	scored := &classify.Result{Language: "en", Labels: []classify.LabelScore{
		{Label: "violence", Group: "aggression", Score: 0.7, Threshold: 0.62, Detected: true, Source: "both", Passages: 2},
		{Label: "death", Group: "aggression", Score: 0.2, Threshold: 0.5, Source: "lexicon"},
	}}
	tests := []struct {
		name     string
		story    datasets.Story
		res      *classify.Result
		err      error
		labels   []LabelScore
		encoding string // "" for null
		line     int32  // 0 for null
		at       int64
	}{
		{
			name:  "scored",
			story: datasets.Story{ID: "a", Encoding: datasets.EncodingWindows1252, BodyLine: 4, BodyByte: 57},
			res:   scored,
			labels: []LabelScore{
				{Label: "violence", Group: "aggression", Score: 0.7, Threshold: 0.62, Detected: true, Source: "both", Passages: 2},
				{Label: "death", Group: "aggression", Score: 0.2, Threshold: 0.5, Source: "lexicon"},
			},
			encoding: "windows-1252", line: 4, at: 57,
		},
		{
			name:   "body at the first byte",
			story:  datasets.Story{ID: "b", Encoding: datasets.EncodingUTF8, BodyLine: 1},
			res:    &classify.Result{Language: "en"},
			labels: []LabelScore{}, encoding: "utf-8", line: 1, at: 0,
		},
		{
			name:   "failed while scoring",
			story:  datasets.Story{ID: "c", Encoding: datasets.EncodingUTF8, BodyLine: 2, BodyByte: 9},
			err:    errors.New("read story body: disk on fire"),
			labels: []LabelScore{}, encoding: "utf-8", line: 2, at: 9,
		},
		{
			name:   "failed before its header was read",
			story:  datasets.Story{ID: "d", Err: datasets.ErrBinary},
			err:    datasets.ErrBinary,
			labels: []LabelScore{},
		},
	}
	for _, tc := range tests {
		r := NewRow(&tc.story, tc.res, nil, tc.err)
		if !reflect.DeepEqual(r.Labels, tc.labels) {
			t.Errorf("%s: labels %+v, want %+v", tc.name, r.Labels, tc.labels)
		}
		if got := deref(r.Encoding); got != tc.encoding {
			t.Errorf("%s: encoding %q, want %q", tc.name, got, tc.encoding)
		}
		if tc.line == 0 {
			if r.BodyLine != nil || r.BodyByte != nil {
				t.Errorf("%s: body at line %v byte %v, want both null", tc.name, r.BodyLine, r.BodyByte)
			}
		} else if r.BodyLine == nil || r.BodyByte == nil || *r.BodyLine != tc.line || *r.BodyByte != tc.at {
			t.Errorf("%s: body at line %v byte %v, want %d and %d", tc.name, r.BodyLine, r.BodyByte, tc.line, tc.at)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// The language column holds codes: a declared language that names one by
// its English name or code is written as the code; another value is kept
// as declared; none declared, the language the text reads as.
func TestNewRowLanguage(t *testing.T) {
	for declared, want := range map[string]string{"English": "en", "french": "fr", "DE": "de", "Español": "Español", "": "en"} {
		s := &datasets.Story{ID: "x", Source: "x.txt", Declared: datasets.Declared{Language: declared}}
		r := NewRow(s, &classify.Result{Language: "en"}, nil, nil)
		if r.Language == nil || *r.Language != want {
			t.Errorf("declared %q: language %v, want %q", declared, r.Language, want)
		}
	}
}
