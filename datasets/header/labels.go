package header

import (
	"github.com/tagger-dev/tagger/classify/taxonomy"
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
		"overall rating", "rating for this chapter", "chapter rating")
	add(KeyWarnings, "warning", "warnings", "warning(s)", "warnings and rants", "content warning",
		"content warnings", "content warning(s)", "trigger warning", "trigger warnings", "trigger warning(s)",
		"tw", "cw", "tws", "cws", "tw(s)", "cw(s)", "archive warning", "archive warnings", "archive warning(s)",
		"warnings/spoilers", "warnings & spoilers", "warnings and spoilers", "warnings/notes", "triggers",
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
		"author note", "author notes", "authors' notes", "note", "notes", "notes/warnings", "dedication",
		"dedications", "thanks", "acknowledgements", "acknowledgments", "story notes", "chapter notes",
		"end notes", "beginning notes", "review replies", "review responses", "reviewers")
	add(KeyTags, "keywords", "key words", "tags", "additional tags", "freeform tags", "other tags", "kinks")
	add(KeyWords, "word count", "words", "wordcount", "length", "word count (approx)")
	add(KeyLanguage, "language")
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
	return key == KeyNotes || key == KeyDisclaimer || key == KeyFeedback
}

func fold(s string) string { return taxonomy.Fold(s) }

// lookupLabel maps a label as written to its key.
func lookupLabel(label string) (string, bool) {
	k, ok := fieldLabels[taxonomy.Fold(label)]
	return k, ok
}
