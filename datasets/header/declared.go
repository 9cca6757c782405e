package header

// Declared is the metadata an author declared for a story, normalised to
// tagger's taxonomy and rating scale. Raw values are kept beside the
// canonical ones so that a reader can see what the author actually wrote.
// JSON names are the column names of the output row (DESIGN.md §4).
type Declared struct {
	Title         string   `json:"title,omitempty"`
	Authors       []string `json:"authors"`
	Fandoms       []string `json:"fandoms"`
	Relationships []string `json:"relationships"`
	Characters    []string `json:"characters"`
	// Tags holds freeform tags, categories, keywords and the phrases of a
	// warnings field that are not warnings (slash, M/M, AU, OOC, spoilers).
	Tags     []string `json:"tags"`
	Summary  string   `json:"summary,omitempty"`
	Language string   `json:"language,omitempty"`

	// DeclaredRating is the canonical rating (general, teen, mature,
	// explicit, not-rated), empty when the story declares none.
	DeclaredRating string `json:"declared_rating,omitempty"`
	// DeclaredRatingRaw is the rating token as written ("NC-17", "M").
	DeclaredRatingRaw string `json:"declared_rating_raw,omitempty"`
	// RatingSystem names the scale the raw rating belongs to (mpaa,
	// fictionratings, fanrated, ao3).
	RatingSystem string `json:"rating_system,omitempty"`

	// WarningStatus is declared, none-apply, chose-not-to-warn or missing.
	WarningStatus string `json:"warning_status"`
	// DeclaredWarnings are the canonical labels the author warned for,
	// sorted and without duplicates.
	DeclaredWarnings []string `json:"declared_warnings"`
	// DeclaredWarningsRaw are the phrases of the warnings field, as written,
	// in order.
	DeclaredWarningsRaw []string `json:"declared_warnings_raw"`
	// UnmappedWarnings are raw phrases that are neither a label, a warning
	// state, a tag nor a negation.
	UnmappedWarnings []string `json:"unmapped_warnings"`
	// NegatedWarnings are phrases that rule a warning out ("no character
	// death"); they never produce the negated label.
	NegatedWarnings []string `json:"negated_warnings"`
}
