package header

import (
	"strings"
	"testing"
)

// A header line longer than the scan window (a 1 MB title, a line of
// 100,000 tags) no longer pushes the fields after it out of the window.
func TestParseLongHeaderLines(t *testing.T) {
	tags := strings.Repeat("fluff, ", 100_000)
	tests := []struct {
		name   string
		text   string
		rating string
		warns  []string
	}{
		{"1 MB title line", "Title: " + strings.Repeat("Long ", 200_000) + "\nRating: Mature\nWarnings: Major Character Death\n\nIt rained.\n", "Mature", []string{"death"}},
		{"100k-tag line", "Title: T\nTags: " + tags + "\nRating: Explicit\nWarnings: Graphic Depictions Of Violence\n\nIt rained.\n", "Explicit", []string{"violence"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Parse(tc.text)
			checkStr(t, "rating", r.Declared.DeclaredRatingRaw, tc.rating)
			checkList(t, "declared_warnings", r.Declared.DeclaredWarnings, tc.warns)
		})
	}
}
