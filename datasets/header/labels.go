package header

import (
	"strings"
	"unicode"

	"github.com/tagger-dev/tagger/taxonomy"
)

// fieldLabels maps the folded spelling of a field label (taxonomy.Fold: lower
// case, punctuation to spaces) to its key. Spellings come from real headers:
// old mailing-list archives, LiveJournal posts, FanFiction.Net and AO3.
var fieldLabels = buildFieldLabels()

// weakLabels are label spellings that are also common words: they count at
// the start of a line but never split a line into inline fields.
var weakLabels = buildWeakLabels()

func buildWeakLabels() map[string]bool {
	weak := map[string]bool{}
	for _, w := range []string{"an", "a n", "by", "for", "written", "story", "fic", "type", "source", "part",
		"contains", "comments", "reviews", "contact", "link", "site", "song", "music", "gift", "request",
		"prompt", "date", "note", "notice", "series", "canon", "universe", "length", "setting", "season",
		"challenge", "chapters", "crossover", "words", "triggers", "legal", "thanks", "ship", "ships",
		"couple", "couples", "distribution", "description", "tags", "kinks", "status", "language", "posted"} {
		weak[taxonomy.Fold(w)] = true
	}
	return weak
}

func buildFieldLabels() map[string]string {
	fieldLabels := map[string]string{}
	add := func(key string, labels ...string) {
		for _, l := range labels {
			fieldLabels[taxonomy.Fold(l)] = key
		}
	}
	add(KeyTitle, "title", "titles", "story title", "fic title", "story", "fic", "name of story")
	add(KeyAuthor, "author", "authors", "author(s)", "by", "written by", "writer", "pen name", "penname",
		"creator", "creators", "creator(s)")
	add(KeyRating, "rating", "ratings", "rating(s)", "rated", "fic rating", "story rating", "age rating",
		"overall rating", "rating for this chapter", "chapter rating", "rating note", "rating notes",
		"rating explanation", "rating reason", "reason for rating", "note on rating", "note on the rating")
	add(KeyWarnings, "warning", "warnings", "warning(s)", "warnings and rants", "content warning",
		"content warnings", "content warning(s)", "trigger warning", "trigger warnings", "trigger warning(s)",
		"tw", "cw", "tws", "cws", "tw(s)", "cw(s)", "archive warning", "archive warnings", "archive warning(s)",
		"warnings/spoilers", "warnings & spoilers", "warnings and spoilers", "triggers",
		"content notes", "content note", "contains", "chapter warnings", "story warnings", "warnings for this chapter")
	add(KeyRelationships, "pairing", "pairings", "pairing(s)", "relationship", "relationships",
		"relationship(s)", "ship", "ships", "couple", "couples", "main pairing", "pairing/characters")
	add(KeyCategory, "category", "categories", "category(s)", "genre", "genres", "genre(s)", "type")
	add(KeyFandom, "fandom", "fandoms", "fandom(s)", "universe", "canon", "source", "crossover", "series/fandom")
	add(KeyCharacters, "character", "characters", "character(s)", "main characters", "main character")
	add(KeySummary, "summary", "summery", "summaries", "description", "blurb", "synopsis", "chapter summary")
	add(KeyDisclaimer, "disclaimer", "disclaimers", "disclaimer(s)", "notice", "legal", "legalese",
		"standard disclaimer", "disclaimers and notes")
	add(KeySpoilers, "spoilers", "spoiler", "spoiler(s)", "spoiler warning", "spoiler warnings", "spoilers for")
	add(KeyArchive, "archive", "archiving", "archive rights", "permission to archive", "distribution", "archived at")
	add(KeyFeedback, "feedback", "comments", "feedback/comments", "reviews", "contact", "e-mail", "email")
	add(KeyNotes, "a/n", "an", "a n", "author's note", "author's notes", "authors note", "authors notes",
		"author note", "author notes", "authors' notes", "note", "notes", "dedication",
		"dedications", "thanks", "acknowledgements", "acknowledgments", "story notes", "chapter notes",
		"end notes", "beginning notes", "review replies", "review responses", "reviewers")
	add(KeyTags, "tags", "additional tags", "freeform tags", "other tags", "kinks")
	add(KeyKeywords, "keywords", "key words", "classification", "classifications", "classification(s)")
	add(KeyNotesWarnings, "notes/warnings", "warnings/notes", "notes and warnings", "warnings and notes",
		"notes & warnings", "warnings & notes")
	add(KeyWords, "word count", "words", "wordcount", "length", "word count (approx)")
	add(KeyLanguage, "language")
	// The commonest labels in German, French, Spanish, Italian and
	// Portuguese headers (fanfiktion.de, fanfic-fr, Wattpad): their values
	// are read as they are, and named as not understood when they are not
	// English, rather than the whole header read as story text.
	add(KeyTitle, "titel", "titre", "título", "titulo", "titolo")
	add(KeyAuthor, "autor", "autorin", "auteur", "auteure", "autore", "autora", "autrice")
	add(KeyRating, "bewertung", "altersfreigabe", "altersempfehlung", "classement", "clasificación",
		"clasificacion", "calificación", "calificacion", "classificazione", "classificação", "classificacao")
	add(KeyWarnings, "warnung", "warnungen", "inhaltswarnung", "inhaltswarnungen", "triggerwarnung",
		"triggerwarnungen", "avertissement", "avertissements", "advertencia", "advertencias",
		"avvertenza", "avvertenze", "avviso", "avvisi", "aviso", "avisos")
	add(KeySummary, "zusammenfassung", "inhalt", "résumé", "resume", "resumen", "riassunto", "resumo", "sinopsis", "sinossi")
	add(KeyOther, "status", "chapters", "chapter count", "published", "updated", "date", "posted", "completed",
		"series", "part", "sequel", "sequel to", "prequel", "prequel to", "timeline", "time frame", "setting",
		"season", "challenge", "prompt", "written for", "recipient", "requested by", "request", "url", "website",
		"site", "link", "stats", "beta", "betas", "beta reader", "beta readers", "beta'd by", "betaed by",
		"inspiration", "soundtrack", "music", "song", "word count approx", "date posted", "date written",
		"written", "collections", "collection", "gift", "for")
	return fieldLabels
}

// notesKeys are fields whose value may run over several paragraphs, so a
// longer gap of unlabelled text may separate them from the next field.
func isNotesKey(key string) bool {
	return key == KeyNotes || key == KeyDisclaimer || key == KeyFeedback || key == KeyNotesWarnings
}

func fold(s string) string { return taxonomy.Fold(s) }

// lookupLabel maps a label as written to its key.
func lookupLabel(label string) (string, bool) {
	k, ok := fieldLabels[taxonomy.Fold(label)]
	return k, ok
}

// lineLabel maps the label that starts a line to its key: a label of the
// table, a combination of such labels ("Author notes/warnings",
// "Rating/Warnings", "Timeline/Spoilers"), or a label that names warnings
// in words of its own ("Additional warnings", "Possible triggers",
// "Warnings for part two"). The last two only start a line: inside a
// value, the words before a colon are too often the end of the value
// ("Harry Potter Content warnings:").
func lineLabel(label string) (string, bool) {
	if k, ok := lookupLabel(label); ok {
		return k, true
	}
	if k, ok := combinedLabel(label); ok {
		return k, true
	}
	if k, ok := warningsLabel(label); ok {
		return k, true
	}
	return misspeltLabel(label)
}

// misspeltLabels are the labels whose misspellings a header is read with:
// the ones a verdict rests on, long enough that one slip ("Raiting",
// "Warnigns", "Archive Warnign") leaves no other word of a story's first
// lines that close ("Dating:" is one letter from "Rating:" and is not
// read as it).
var misspeltLabels = []string{"rating", "warnings", "warning", "archive warning", "archive warnings"}

// misspeltLabel reads a label of seven letters or more that is one typing
// slip (a letter added, dropped or changed, or two neighbours swapped)
// from one of misspeltLabels.
func misspeltLabel(label string) (string, bool) {
	l := taxonomy.Fold(label)
	if len(l) < 7 {
		return "", false
	}
	for _, want := range misspeltLabels {
		if oneSlip(l, want) {
			return fieldLabels[want], true
		}
	}
	return "", false
}

// oneSlip reports whether a and b (ASCII-folded labels) differ by one
// insertion, deletion, substitution or swap of neighbouring letters.
func oneSlip(a, b string) bool {
	if a == b || len(a)-len(b) > 1 || len(b)-len(a) > 1 {
		return false
	}
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	switch {
	case len(a) == len(b):
		if a[i+1:] == b[i+1:] {
			return true // a substitution
		}
		return i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:] // a swap
	case len(a) > len(b):
		return a[i+1:] == b[i:]
	default:
		return a[i:] == b[i+1:]
	}
}

// combinedLabel reads a label made of known labels joined by "/", "&",
// "+", "," or "and". The key that matters most wins: a rating (its
// reasons may name warnings), then warnings (with notes or a summary, a
// value of mixed prose), then spoilers, else the first label's key.
func combinedLabel(label string) (string, bool) {
	if !strings.ContainsAny(label, "/&+,") && !containsFold(label, " and ") {
		return "", false
	}
	l := strings.ReplaceAll(strings.ToLower(label), " and ", "/")
	parts := strings.FieldsFunc(l, func(r rune) bool { return r == '/' || r == '&' || r == '+' || r == ',' })
	if len(parts) < 2 {
		return "", false
	}
	has := map[string]bool{}
	first := ""
	for _, p := range parts {
		k, ok := fieldLabels[taxonomy.Fold(p)]
		if !ok {
			return "", false
		}
		if first == "" {
			first = k
		}
		has[k] = true
	}
	switch {
	case has[KeyRating]:
		return KeyRating, true
	case has[KeyWarnings] && (has[KeyNotes] || has[KeySummary] || has[KeyDisclaimer] || has[KeyFeedback]):
		return KeyNotesWarnings, true
	case has[KeyWarnings]:
		return KeyWarnings, true
	case has[KeySpoilers]:
		return KeySpoilers, true
	}
	return first, true
}

// warningWords end or start a label that names warnings.
var warningWords = map[string]bool{
	"warning": true, "warnings": true, "triggers": true, "tw": true, "cw": true, "tws": true, "cws": true,
}

// labelStopWords start phrases of prose, not labels: "The warning was
// clear: run", "Fair warning: it's long".
var labelStopWords = map[string]bool{
	"the": true, "a": true, "an": true, "this": true, "that": true, "his": true, "her": true, "their": true,
	"my": true, "your": true, "our": true, "its": true, "fair": true, "no": true, "one": true, "final": true,
	"last": true, "first": true, "every": true, "without": true, "with": true,
}

// warningsLabel reads a label that names warnings in words of its own: a
// short one that ends with a warnings word ("Additional warnings",
// "Possible triggers", "Chapter 3 warnings"), or one that starts with it
// and goes on with "for" ("Warnings for part two", "Trigger warnings for
// this chapter"). Words only: "R | Warnings" is no label. A spoiler
// warning is a spoilers field.
func warningsLabel(label string) (string, bool) {
	if !containsFold(label, "warn") && !containsFold(label, "trigger") && !containsFold(label, "tw") && !containsFold(label, "cw") {
		return "", false // most lines with a colon are prose: no folding for them
	}
	for _, r := range label {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) && !strings.ContainsRune(" \t-'’()", r) {
			return "", false
		}
	}
	toks := strings.Fields(taxonomy.Fold(label))
	if len(toks) < 2 || len(toks) > maxLabelWords || labelStopWords[toks[0]] || len(toks[0]) < 2 {
		return "", false
	}
	ok := warningWords[toks[len(toks)-1]] && len(toks) <= 3
	if !ok {
		i := 0
		if (toks[0] == "trigger" || toks[0] == "content" || strings.HasPrefix(toks[0], "spoiler")) && warningWords[toks[1]] {
			i = 1
		}
		ok = warningWords[toks[i]] && i+1 < len(toks) && toks[i+1] == "for"
	}
	if !ok {
		return "", false
	}
	for _, t := range toks {
		if strings.HasPrefix(t, "spoiler") {
			return KeySpoilers, true
		}
	}
	return KeyWarnings, true
}

// containsFold reports whether s contains the lower-case ASCII word part
// sub in any case, without allocating.
func containsFold(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return true
		}
	}
	return false
}
