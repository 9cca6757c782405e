package header

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/tagger-dev/tagger/taxonomy"
)

// freeformTagsTSV is the curated table of freeform tags (freeform_tags.tsv):
// AO3 tag spellings, reviewed by hand, and the warnings they name.
//
//go:embed freeform_tags.tsv
var freeformTagsTSV string

// freeformTag is one row of the curated table.
type freeformTag struct {
	// Tag is the tag as written in the table.
	Tag string
	// Labels are the labels the tag warns for; Negated those it rules out.
	// Both empty: reviewed, not a warning.
	Labels, Negated []string
}

// freeformTable holds the parsed table, keyed by the folded tag. It is
// parsed once, on first use, and never changed after.
var freeformTable = sync.OnceValue(func() map[string]freeformTag {
	rows, err := parseFreeformTags(freeformTagsTSV)
	if err != nil {
		// The embedded file is part of the binary and covered by tests.
		panic(fmt.Sprintf("header: embedded freeform_tags.tsv: %v", err))
	}
	m := make(map[string]freeformTag, len(rows))
	for _, r := range rows {
		m[taxonomy.Fold(r.Tag)] = r
	}
	return m
})

// parseFreeformTags reads a table in the format of freeform_tags.tsv: a tag,
// a tab, and a comma-separated list of label ids, "!id" for a label the tag
// rules out, or "-" for a tag that is no warning. It rejects malformed rows
// and two rows whose tags fold to the same key, so a spelling is reviewed
// once. Label ids are not checked against the taxonomy here: tests do that.
func parseFreeformTags(data string) ([]freeformTag, error) {
	var rows []freeformTag
	seen := map[string]int{}
	for n, line := range strings.Split(data, "\n") {
		n++ // line numbers from 1
		line = strings.TrimRight(line, "\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		tag, spec, ok := strings.Cut(line, "\t")
		tag, spec = strings.TrimSpace(tag), strings.TrimSpace(spec)
		if !ok || tag == "" || spec == "" || strings.Contains(spec, "\t") {
			return nil, fmt.Errorf("line %d: want a tag, a tab and labels: %q", n, line)
		}
		key := taxonomy.Fold(tag)
		if key == "" {
			return nil, fmt.Errorf("line %d: tag %q folds to nothing", n, tag)
		}
		if prev, dup := seen[key]; dup {
			return nil, fmt.Errorf("line %d: tag %q is line %d's tag after folding", n, tag, prev)
		}
		seen[key] = n
		row := freeformTag{Tag: tag}
		if spec != "-" {
			for _, id := range strings.Split(spec, ",") {
				id = strings.TrimSpace(id)
				neg := strings.HasPrefix(id, "!")
				id = strings.TrimPrefix(id, "!")
				if !isLabelID(id) {
					return nil, fmt.Errorf("line %d: tag %q: bad label %q", n, tag, id)
				}
				if slices.Contains(row.Labels, id) || slices.Contains(row.Negated, id) {
					return nil, fmt.Errorf("line %d: tag %q: label %q twice", n, tag, id)
				}
				if neg {
					row.Negated = append(row.Negated, id)
				} else {
					row.Labels = append(row.Labels, id)
				}
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// isLabelID reports whether s is spelled like a label id: lower-case words
// joined by hyphens.
func isLabelID(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' {
		return false
	}
	for _, r := range s {
		if (r < 'a' || r > 'z') && r != '-' {
			return false
		}
	}
	return true
}

// lookupFreeformTag finds a tag in the curated table: as written, then
// without a trailing parenthetical ("Torture (Harry Potter)"), each also
// without AO3's " - Freeform" suffix ("Major Character Death - Freeform"),
// which AO3 adds to tell a freeform tag from a like-named canonical one. A
// tag that is all parenthetical ("(Violence)") is an aside, as for the
// rules, and never found.
func lookupFreeformTag(tag string) (freeformTag, bool) {
	table := freeformTable()
	forms := []string{tag}
	if i := strings.IndexAny(tag, "(["); i >= 0 {
		if taxonomy.Fold(tag[:i]) == "" {
			return freeformTag{}, false
		}
		forms = append(forms, tag[:i])
	}
	for _, form := range forms {
		key := taxonomy.Fold(form)
		if key == "" {
			continue
		}
		if row, ok := table[key]; ok {
			return row, true
		}
		if k, ok := strings.CutSuffix(key, " freeform"); ok {
			if row, ok := table[k]; ok {
				return row, true
			}
		}
	}
	return freeformTag{}, false
}
