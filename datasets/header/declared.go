package header

import "github.com/tagger-dev/tagger/taxonomy"

// Declared is the metadata an author declared for a story, normalised to
// tagger's taxonomy and rating scale. Raw values are kept beside the
// canonical ones so that a reader can see what the author actually wrote.
// JSON names are the column names of the output row (README: Output schema).
type Declared struct {
	Title         string   `json:"title,omitempty"`
	Authors       []string `json:"authors"`
	Fandoms       []string `json:"fandoms"`
	Relationships []string `json:"relationships"`
	Characters    []string `json:"characters"`
	// Tags holds freeform tags, categories, keywords and the phrases of a
	// warnings field that are not warnings (slash, M/M, AU, OOC, spoilers).
	Tags    []string `json:"tags"`
	Summary string   `json:"summary,omitempty"`
	// Notes are the author's notes (AO3's beginning, chapter and end
	// notes; a header's "A/N:"), each on one line, separated by a blank
	// line.
	Notes    string `json:"notes,omitempty"`
	Language string `json:"language,omitempty"`

	// Published, Updated, Chapters and DeclaredWords are the archive's
	// statistics, as an AO3 work page gives them: dates as written
	// ("2024-03-09"), chapters posted and planned ("3/10", "1/?"), and the
	// work's length by the archive's count, which may cover chapters the
	// page does not hold (Words counts the text read).
	Published     string `json:"published,omitempty"`
	Updated       string `json:"updated,omitempty"`
	Chapters      string `json:"chapters,omitempty"`
	DeclaredWords int    `json:"declared_words,omitempty"`

	// DeclaredRating is the canonical rating (general, teen, mature,
	// explicit, not-rated), empty when the story declares none.
	DeclaredRating string `json:"declared_rating,omitempty"`
	// DeclaredRatingRaw is the rating token as written ("NC-17", "M").
	DeclaredRatingRaw string `json:"declared_rating_raw,omitempty"`
	// RatingSystem names the scale the raw rating belongs to (mpaa,
	// fictionratings, fanrated, ao3).
	RatingSystem string `json:"rating_system,omitempty"`

	// WarningStatus is declared, none-apply, chose-not-to-warn or missing.
	WarningStatus taxonomy.WarningState `json:"warning_status"`
	// DeclaredWarnings are the canonical labels the author warned for,
	// sorted and without duplicates.
	DeclaredWarnings []string `json:"declared_warnings"`
	// DeclaredWarningsRaw are the warning phrases, as written, in order:
	// those of the warnings field, and those found elsewhere (cue lines,
	// cues in a summary or notes, a rating's reasons, warning terms among
	// keywords) that name, rule out or state something (see Build).
	DeclaredWarningsRaw []string `json:"declared_warnings_raw"`
	// UnmappedWarnings are raw phrases that are neither a label, a warning
	// state, a tag nor a negation.
	UnmappedWarnings []string `json:"unmapped_warnings"`
	// NegatedWarnings are phrases that rule a warning out ("no character
	// death"); they never produce the negated label.
	NegatedWarnings []string `json:"negated_warnings"`
}
