package header

import (
	"strings"
	"testing"
)

// TestBarFields: a one-line header of cells between bars, some of them
// fields, reads each field (FanFiction.net's story line, a Tumblr post's).
func TestBarFields(t *testing.T) {
	for _, c := range []struct {
		text, rating, fandom, relationship string
		warnings                           []string
	}{
		{text: "Naruto | Rated: K+ | English | Humor | Words: 1,234\n\nThe story.\n", rating: "general"},
		{text: "pairing: none (gen) | fandom: genshin impact | rating: teen\n\nThe story.\n", rating: "teen", fandom: "genshin impact", relationship: "none (gen)"},
		{text: "Rated M | Warnings: major character death | Words: ~1.4k\n\nThe story.\n", rating: "mature", warnings: []string{"death"}},
		{text: "Rating: T | Fandom: Genshin Impact | Warnings: none\n\nThe story.\n", rating: "teen", fandom: "Genshin Impact"},
	} {
		d := Parse(c.text).Declared
		if d.DeclaredRating != c.rating || c.fandom != "" && (len(d.Fandoms) != 1 || d.Fandoms[0] != c.fandom) ||
			c.relationship != "" && (len(d.Relationships) != 1 || d.Relationships[0] != c.relationship) ||
			strings.Join(d.DeclaredWarnings, ",") != strings.Join(c.warnings, ",") {
			t.Errorf("%q: rating %q, fandoms %q, relationships %q, warnings %v", c.text, d.DeclaredRating, d.Fandoms, d.Relationships, d.DeclaredWarnings)
		}
	}
	// A value with a bar in it, and no field after it, is one value.
	if d := Parse("Title: Sand\nSummary: He ran | She hid\n\nThe story.\n").Declared; d.Summary != "He ran | She hid" {
		t.Errorf("summary %q", d.Summary)
	}
}
