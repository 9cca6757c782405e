package pipeline

import (
	"slices"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
)

// A work whose creator chose not to warn has no undeclared warnings: what
// tagger detects there is not warned, by choice.
func TestNewRowUndeclared(t *testing.T) {
	tests := []struct {
		status string
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
