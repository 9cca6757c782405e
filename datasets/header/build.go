package header

import (
	"strings"
	"unicode"

	"github.com/tagger-dev/tagger/classify/taxonomy"
)

// Build turns fields into declared metadata. Readers of structured formats
// (JSONL, AO3 HTML) call it with the fields they found, so every format gets
// the same normalisation. Lists in the result are never nil.
//
// Freeform tags (KeyFreeform) are where AO3 authors put most real warnings
// ("Self-Harm", "Suicidal Thoughts"), so a freeform tag that names a
// warning counts as a warning phrase: its labels join DeclaredWarnings and
// the tag, as written, DeclaredWarningsRaw. A declared label outweighs a
// state, as it does inside a warnings field: "No Archive Warnings Apply"
// (or "Creator Chose Not To Use Archive Warnings") with the freeform tag
// "Self-Harm" is status declared, with self-harm, and the state phrase
// stays in DeclaredWarningsRaw for whoever needs it. A freeform tag that
// only rules a warning out ("No Character Death") adds to NegatedWarnings
// (and DeclaredWarningsRaw) and leaves the status alone, missing included.
// Freeform tags never set a state, and a tag that names no warning
// ("Angst", "Death Eaters") stays in Tags only, never in UnmappedWarnings:
// freeform tags are not a warnings field. Which tags name a warning is
// stricter than in a warnings field: a warning term as a whole, or ending
// the tag ("Implied/Referenced Self-Harm"), or of two words or more
// anywhere in it.
func Build(fields []Field) Declared {
	tx := taxonomy.Default()
	d := Declared{
		Authors: []string{}, Fandoms: []string{}, Relationships: []string{}, Characters: []string{},
		Tags: []string{}, DeclaredWarnings: []string{}, DeclaredWarningsRaw: []string{},
		UnmappedWarnings: []string{}, NegatedWarnings: []string{},
	}
	sawWarnings := false
	state := ""
	for _, f := range fields {
		v := strings.TrimSpace(f.Value)
		if v == "" {
			continue
		}
		switch f.Key {
		case KeyTitle:
			if d.Title == "" {
				d.Title = oneLine(v)
			}
		case KeyAuthor:
			d.Authors = appendNew(d.Authors, splitList(strings.TrimPrefix(v, "by "), true)...)
		case KeyRating:
			if d.DeclaredRating != "" {
				continue
			}
			if r, ok := tx.ParseRating(v); ok {
				d.DeclaredRating, d.DeclaredRatingRaw, d.RatingSystem = r.Canonical(), r.Raw, r.System
			} else if d.DeclaredRatingRaw == "" {
				d.DeclaredRatingRaw = oneLine(v) // kept so a reader sees what tagger could not read
			}
		case KeyWarnings:
			sawWarnings = true
			for _, phrase := range splitWarnings(tx, v) {
				p := tx.ClassifyWarning(phrase)
				d.DeclaredWarningsRaw = append(d.DeclaredWarningsRaw, phrase)
				d.DeclaredWarnings = appendNew(d.DeclaredWarnings, p.Labels...)
				d.NegatedWarnings = appendNew(d.NegatedWarnings, p.Negated...)
				d.Tags = appendNew(d.Tags, p.Tags...)
				if p.State != "" && state == "" {
					state = p.State
				}
				if p.Unmapped() {
					d.UnmappedWarnings = append(d.UnmappedWarnings, phrase)
				}
			}
		case KeyRelationships:
			d.Relationships = appendNew(d.Relationships, splitList(v, false)...)
		case KeyFandom:
			d.Fandoms = appendNew(d.Fandoms, splitList(v, false)...)
		case KeyCharacters:
			d.Characters = appendNew(d.Characters, splitList(v, false)...)
		case KeyCategory, KeyTags:
			d.Tags = appendNew(d.Tags, splitList(v, false)...)
		case KeyFreeform:
			for _, tag := range splitList(v, false) {
				d.Tags = appendNew(d.Tags, tag)
				labels, negated := freeformWarnings(tx, tag)
				if len(labels) == 0 && len(negated) == 0 {
					continue // "Angst", "Slow Burn": a tag, not a warning
				}
				if len(labels) > 0 {
					sawWarnings = true
				}
				d.DeclaredWarningsRaw = append(d.DeclaredWarningsRaw, tag)
				d.DeclaredWarnings = appendNew(d.DeclaredWarnings, labels...)
				d.NegatedWarnings = appendNew(d.NegatedWarnings, negated...)
			}
		case KeySummary:
			if d.Summary == "" {
				d.Summary = oneLine(v)
			}
		case KeyLanguage:
			if d.Language == "" {
				d.Language = oneLine(v)
			}
		}
	}
	tx.SortLabels(d.DeclaredWarnings)
	tx.SortLabels(d.NegatedWarnings)
	switch {
	case !sawWarnings || len(d.DeclaredWarningsRaw) == 0:
		d.WarningStatus = taxonomy.StateMissing
	case len(d.DeclaredWarnings) > 0:
		d.WarningStatus = taxonomy.StateDeclared
	case state != "":
		d.WarningStatus = state
	default:
		// The author filled in the field, but with nothing in the taxonomy
		// ("slash, OOC"): their declaration stands, with no labels.
		d.WarningStatus = taxonomy.StateDeclared
	}
	return d
}

// splitWarnings splits a warnings value into phrases: on line breaks,
// semicolons, commas, bullets and sentence ends outside parentheses, then on
// "and", "&", "plus" and "also" unless the piece is a known term as a whole
// ("blood and gore", "dominance and submission").
func splitWarnings(tx *taxonomy.Taxonomy, v string) []string {
	var pieces []string
	depth, start := 0, 0
	flush := func(end int) {
		if p := trimPhrase(v[start:end]); p != "" {
			pieces = append(pieces, p)
		}
	}
	for i, r := range v {
		switch r {
		case '(', '[':
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
			}
		case '\n', ';', ',', '•', '|':
			if depth == 0 {
				flush(i)
				start = i + utf8Len(r)
			}
		case '.', '!', '?':
			// A sentence end: followed by a space or the end of the value.
			if depth == 0 && (i+1 == len(v) || v[i+1] == ' ') {
				flush(i)
				start = i + 1
			}
		}
	}
	flush(len(v))

	var out []string
	for _, p := range pieces {
		if tx.Known(p) {
			out = append(out, p)
			continue
		}
		out = append(out, splitConjunctions(p)...)
	}
	return out
}

// splitConjunctions splits "violence and death" and "Also: torture" outside
// parentheses.
func splitConjunctions(p string) []string {
	words := strings.Fields(p)
	var out []string
	var cur []string
	depth := 0
	for _, w := range words {
		depth += strings.Count(w, "(") - strings.Count(w, ")")
		lw := strings.ToLower(strings.TrimRight(w, ":"))
		if depth <= 0 && (lw == "and" || lw == "&" || lw == "plus" || lw == "also") {
			if s := trimPhrase(strings.Join(cur, " ")); s != "" {
				out = append(out, s)
			}
			cur = cur[:0]
			continue
		}
		cur = append(cur, w)
	}
	if s := trimPhrase(strings.Join(cur, " ")); s != "" {
		out = append(out, s)
	}
	return out
}

func trimPhrase(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || strings.ContainsRune("-*•·:.\"“”", r)
	})
}

// splitList splits a list value on commas, semicolons and line breaks; with
// names, also on "&" and " and " (authors).
func splitList(v string, names bool) []string {
	seps := ",;\n"
	if names {
		v = strings.ReplaceAll(v, " and ", ",")
		seps += "&"
	}
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return strings.ContainsRune(seps, r) }) {
		if p = strings.Trim(strings.TrimSpace(p), "*_.-"); p != "" {
			out = append(out, oneLine(p))
		}
	}
	return out
}

// oneLine collapses all white space, line breaks included, to single spaces.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func appendNew(dst []string, vals ...string) []string {
	for _, v := range vals {
		dup := false
		for _, d := range dst {
			if strings.EqualFold(d, v) {
				dup = true
				break
			}
		}
		if !dup {
			dst = append(dst, v)
		}
	}
	return dst
}

func utf8Len(r rune) int { return len(string(r)) }
