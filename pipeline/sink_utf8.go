package pipeline

import (
	"strings"
	"unicode/utf8"
)

// Parquet STRING columns must hold UTF-8, and readers enforce it: DuckDB
// refuses a whole file over one bad byte ("Invalid string encoding found in
// Parquet file"). Text from the wild, or a snippet cut inside a character,
// can carry invalid bytes, so the Parquet sink replaces each invalid byte
// with U+FFFD, as encoding/json does for JSONL. The field lists below must
// name every string in Row; TestSinkFixesUTF8 checks that they do.

// validRowUTF8 reports whether every string in r is valid UTF-8.
func validRowUTF8(r *Row) bool {
	for _, s := range [...]string{r.ID, r.Source, r.Format, r.Model} {
		if !utf8.ValidString(s) {
			return false
		}
	}
	for _, p := range [...]*string{r.SHA256, r.Title, r.Summary, r.Language, r.Encoding, r.DeclaredRating, r.DeclaredRatingRaw,
		r.RatingSystem, r.WarningStatus, r.PredictedRating, r.Error, r.Note} {
		if p != nil && !utf8.ValidString(*p) {
			return false
		}
	}
	for _, list := range [...][]string{r.Authors, r.Fandoms, r.Relationships, r.Characters, r.Tags, r.DeclaredWarnings,
		r.DeclaredWarningsRaw, r.UnmappedWarnings, r.NegatedWarnings, r.DetectedWarnings, r.UndeclaredWarnings} {
		for _, s := range list {
			if !utf8.ValidString(s) {
				return false
			}
		}
	}
	for i := range r.Labels {
		l := &r.Labels[i]
		if !utf8.ValidString(l.Label) || !utf8.ValidString(l.Group) || !utf8.ValidString(l.Source) {
			return false
		}
	}
	for _, list := range [...][]Evidence{r.Evidence, r.RatingEvidence} {
		for i := range list {
			if !utf8.ValidString(list[i].Label) || !utf8.ValidString(list[i].Snippet) {
				return false
			}
		}
	}
	return true
}

// fixRowUTF8 returns a copy of r with every invalid UTF-8 byte replaced by
// U+FFFD; r and the slices it shares are left untouched.
func fixRowUTF8(r Row) Row {
	fix := toValidUTF8
	fixPtr := func(p **string) {
		if *p != nil {
			s := fix(**p)
			*p = &s
		}
	}
	fixList := func(list *[]string) {
		if *list == nil {
			return
		}
		out := make([]string, len(*list))
		for i, s := range *list {
			out[i] = fix(s)
		}
		*list = out
	}
	r.ID, r.Source, r.Format, r.Model = fix(r.ID), fix(r.Source), fix(r.Format), fix(r.Model)
	for _, p := range [...]**string{&r.SHA256, &r.Title, &r.Summary, &r.Language, &r.Encoding, &r.DeclaredRating, &r.DeclaredRatingRaw,
		&r.RatingSystem, &r.WarningStatus, &r.PredictedRating, &r.Error, &r.Note} {
		fixPtr(p)
	}
	for _, list := range [...]*[]string{&r.Authors, &r.Fandoms, &r.Relationships, &r.Characters, &r.Tags, &r.DeclaredWarnings,
		&r.DeclaredWarningsRaw, &r.UnmappedWarnings, &r.NegatedWarnings, &r.DetectedWarnings, &r.UndeclaredWarnings} {
		fixList(list)
	}
	if r.Labels != nil {
		labels := make([]LabelScore, len(r.Labels))
		for i, l := range r.Labels {
			l.Label, l.Group, l.Source = fix(l.Label), fix(l.Group), fix(l.Source)
			labels[i] = l
		}
		r.Labels = labels
	}
	for _, list := range [...]*[]Evidence{&r.Evidence, &r.RatingEvidence} {
		if *list == nil {
			continue
		}
		evidence := make([]Evidence, len(*list))
		for i, e := range *list {
			e.Label, e.Snippet = fix(e.Label), fix(e.Snippet)
			evidence[i] = e
		}
		*list = evidence
	}
	return r
}

// toValidUTF8 replaces each byte of s that is not part of a valid UTF-8
// sequence with U+FFFD, exactly as encoding/json does, so that both formats
// hold the same text.
func toValidUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteString("\uFFFD")
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// validUTF8Rows returns rows, or a copy of it with fixRowUTF8 applied to the
// rows that need it.
func validUTF8Rows(rows []Row) []Row {
	var fixed []Row
	for i := range rows {
		if validRowUTF8(&rows[i]) {
			continue
		}
		if fixed == nil {
			fixed = make([]Row, len(rows))
			copy(fixed, rows)
		}
		fixed[i] = fixRowUTF8(rows[i])
	}
	if fixed == nil {
		return rows
	}
	return fixed
}
