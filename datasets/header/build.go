package header

import (
	"slices"
	"strings"
	"unicode"

	"github.com/tagger-dev/tagger/taxonomy"
)

// Build turns fields into declared metadata. Readers of structured formats
// (JSONL, AO3 HTML) call it with the fields they found, so every format gets
// the same normalisation, with the default taxonomy (BuildWith takes
// another). Lists in the result are never nil.
//
// Freeform tags (KeyFreeform) are where AO3 authors put most real warnings
// ("Self-Harm", "Suicidal Thoughts"), so a freeform tag that names a
// warning counts as a warning phrase: its labels join DeclaredWarnings and
// the tag, as written, DeclaredWarningsRaw.
//
// The warning states follow AO3's meaning. "No Archive Warnings Apply"
// rules out the archive's four warnings only, so beside a label a tag
// declares ("Self-Harm") the status is declared, with self-harm, and the
// state phrase stays in DeclaredWarningsRaw. "Creator Chose Not To Use
// Archive Warnings" (or "read at your own risk") tells readers the work
// may hold anything: the status stays chose-not-to-warn even beside named
// warnings, which stay in DeclaredWarnings as what the creator did name;
// a label found in such a work is not warned, by choice, rather than
// undeclared. A freeform tag that
// only rules a warning out ("No Character Death") adds to NegatedWarnings
// (and DeclaredWarningsRaw) and leaves the status alone, missing included.
// Freeform tags never set a state, and a tag that names no warning
// ("Angst", "Death Eaters") stays in Tags only, never in UnmappedWarnings:
// freeform tags are not a warnings field. Which tags name a warning is
// stricter than in a warnings field: a warning term as a whole, or ending
// the tag ("Implied/Referenced Self-Harm"), or of two words or more
// anywhere in it.
//
// Authors warn outside warnings fields too, and Build reads those places
// by rules stricter than a warnings field's, so that prose does not turn
// into warnings:
//   - a summary or notes (KeySummary, KeyNotes): only the lists that an
//     explicit cue introduces ("tw: self harm", "(CW: su!cide)", "Warnings
//     for gore.", "Rated M for violence"); a bare "death" declares nothing;
//   - a rating (KeyRating): the reasons after it ("NC-17 for graphic sex,
//     language and gore", "R — violence"), or a rating note; they give way
//     to a warnings field that says none and nothing else;
//   - keywords and categories (KeyKeywords, KeyCategory): whole warning
//     terms only ("Character Death" among "V, A, Romance, MSR");
//   - a value whose label was lost (KeyUnlabelled) and a field of notes and
//     warnings (KeyNotesWarnings): cue lists, and whole warning terms;
//   - the unlabelled cells of a one-line header (KeyCells): a cell that is
//     a rating and nothing else, and whole warning terms only.
//
// A reassurance in a summary or notes ("Don't worry, nobody dies!", "no
// character death") adds to NegatedWarnings only, unless a field declares
// the label; it never sets the status.
//
// From those places only phrases that name or rule out a warning, or state
// one, are kept (a cue's list is kept whole when one of its phrases does);
// a negation alone leaves the status alone.
func Build(fields []Field) Declared { return BuildWith(nil, fields) }

// BuildWith is Build with the taxonomy tx, which names the warning
// labels, ratings and terms that fields are read against: a model's own,
// for its labels. nil is taxonomy.Default().
func BuildWith(tx *taxonomy.Taxonomy, fields []Field) Declared {
	if tx == nil {
		tx = taxonomy.Default()
	}
	d := Declared{
		Authors: []string{}, Fandoms: []string{}, Relationships: []string{}, Characters: []string{},
		Tags: []string{}, DeclaredWarnings: []string{}, DeclaredWarningsRaw: []string{},
		UnmappedWarnings: []string{}, NegatedWarnings: []string{},
	}
	sawWarnings := false
	var state taxonomy.WarningState
	w := &warnSink{tx: tx, d: &d, saw: &sawWarnings, state: &state}
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
			d.Authors = appendNew(d.Authors, items(f, strings.TrimPrefix(v, "by "), true)...)
		case KeyRating:
			// The first rating counts; what follows a rating ("NC-17 for
			// gore") or fills a rating note ("for violence") gives its
			// reasons, which may name warnings.
			r, _, end, ok := tx.RatingSpan(v)
			switch {
			case ok && d.DeclaredRating == "":
				d.DeclaredRating, d.DeclaredRatingRaw, d.RatingSystem = r.Canonical(), r.Raw, r.System
			case !ok && d.DeclaredRating == "" && d.DeclaredRatingRaw == "":
				d.DeclaredRatingRaw = oneLine(v) // kept so a reader sees what tagger could not read
			}
			if !ok {
				end = 0
			}
			w.reasons(v[end:])
		case KeyUnlabelled:
			if r, end, ok := unlabelledRating(tx, v); ok {
				if d.DeclaredRating == "" {
					d.DeclaredRating, d.DeclaredRatingRaw, d.RatingSystem = r.Canonical(), r.Raw, r.System
				}
				w.reasons(v[end:])
				continue
			}
			w.mixed(v)
		case KeyNotesWarnings:
			w.mixed(v)
		case KeyCells:
			w.cells(v)
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
			d.Relationships = appendNew(d.Relationships, items(f, v, false)...)
		case KeyFandom:
			d.Fandoms = appendNew(d.Fandoms, items(f, v, false)...)
		case KeyCharacters:
			d.Characters = appendNew(d.Characters, items(f, v, false)...)
		case KeyCategory, KeyKeywords:
			// Codes and genres, among which a whole warning term
			// ("Character Death") declares.
			for _, tag := range items(f, v, false) {
				d.Tags = appendNew(d.Tags, tag)
				w.term(tag)
			}
		case KeyFreeform, KeyTags:
			// An author's tags, hand-written ("Tags: angst, major
			// character death") or AO3's, read the same way.
			for _, tag := range items(f, v, false) {
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
			w.prose(v)
		case KeyNotes:
			if d.Notes != "" {
				d.Notes += "\n\n"
			}
			d.Notes += oneLine(v)
			w.prose(v)
		case KeyPublished:
			d.Published = oneLine(v)
		case KeyUpdated:
			d.Updated = oneLine(v)
		case KeyChapters:
			d.Chapters = oneLine(v)
		case KeyWords:
			if n, ok := wordCount(v); ok {
				d.DeclaredWords = n
			}
		case KeyLanguage:
			if d.Language == "" {
				d.Language = oneLine(v)
			}
		}
	}
	w.flush()
	w.flushNegations()
	if r := w.rating; r != nil && d.DeclaredRating == "" {
		d.DeclaredRating, d.DeclaredRatingRaw, d.RatingSystem = r.Canonical(), r.Raw, r.System
	}
	// "Minor character death, no major character death" declares death
	// and rules out a narrower one: the label is declared, not both.
	d.NegatedWarnings = slices.DeleteFunc(d.NegatedWarnings, func(l string) bool { return slices.Contains(d.DeclaredWarnings, l) })
	tx.SortLabels(d.DeclaredWarnings)
	tx.SortLabels(d.NegatedWarnings)
	switch {
	case !sawWarnings || len(d.DeclaredWarningsRaw) == 0:
		d.WarningStatus = taxonomy.StateMissing
	case choseNotToWarn(tx, d.DeclaredWarningsRaw):
		d.WarningStatus = taxonomy.StateChoseNotToWarn
	case len(d.DeclaredWarnings) > 0:
		d.WarningStatus = taxonomy.StateDeclared
	case state != "":
		d.WarningStatus = state
	case len(d.NegatedWarnings) > 0 && len(d.UnmappedWarnings) == 0:
		// Only negations ("No Character Death"): nothing is declared
		// either way for the labels not named, as with no field.
		d.WarningStatus = taxonomy.StateMissing
	default:
		// The author filled in the field, but with nothing in the taxonomy
		// ("slash, OOC"): their declaration stands, with no labels.
		d.WarningStatus = taxonomy.StateDeclared
	}
	return d
}

// wordCount reads a declared length: digits with thousands separators
// ("1,480", "12 163", "2.500"), perhaps followed by a word ("1,480
// words"). An abbreviation ("12.5k") is not a count.
func wordCount(v string) (int, bool) {
	n, digits := 0, 0
	prev := ' '
	for _, r := range strings.TrimSpace(v) {
		switch {
		case r >= '0' && r <= '9':
			if n > 1e9 {
				return 0, false
			}
			n, digits = n*10+int(r-'0'), digits+1
		case (r == ',' || r == '.' || r == ' ' || r == '\u00a0' || r == '\u202f') && digits > 0:
		default:
			return n, digits > 0 && (prev == ' ' || !unicode.IsLetter(r))
		}
		prev = r
	}
	return n, digits > 0
}

// choseNotToWarn reports whether one of the warning phrases says the
// creator chose not to warn.
func choseNotToWarn(tx *taxonomy.Taxonomy, raw []string) bool {
	for _, ph := range raw {
		if tx.ClassifyWarning(ph).State == taxonomy.StateChoseNotToWarn {
			return true
		}
	}
	return false
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
			// A sentence end: followed by a space or the end of the value,
			// but not a question with its answer ("MCD? no").
			if depth == 0 && (i+1 == len(v) || v[i+1] == ' ') && !(r == '?' && answerFollows(v, i+1)) {
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

// trimPhrase trims white space, punctuation and decoration round a
// phrase ("MAJOR CHARACTER DEATH ***", "~~ gore ~~"), and brackets left
// unbalanced by the split ("[CW: blood]" gives "blood]"), in one pass.
func trimPhrase(s string) string {
	trim := func(s string) string {
		return strings.TrimFunc(s, func(r rune) bool {
			return unicode.IsSpace(r) || isDecor(r) || strings.ContainsRune("-*•·:.\"“”!?~=#_<>|/", r)
		})
	}
	s = trim(s)
	open := strings.Count(s, "(") + strings.Count(s, "[") + strings.Count(s, "{")
	shut := strings.Count(s, ")") + strings.Count(s, "]") + strings.Count(s, "}")
	for s != "" {
		switch {
		case shut > open && strings.IndexByte(")]}", s[len(s)-1]) >= 0:
			s, shut = s[:len(s)-1], shut-1
		case open > shut && strings.IndexByte("([{", s[0]) >= 0:
			s, open = s[1:], open-1
		default:
			return s
		}
		s = trim(s)
	}
	return s
}

// items returns the list items of field f's value v: v itself for an
// Item, else v split (splitList).
func items(f Field, v string, names bool) []string {
	if f.Item {
		return []string{oneLine(v)}
	}
	return splitList(v, names)
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
