// Package pipeline runs tagger over corpora and writes one Row per story,
// in input order, to Parquet or JSONL.
//
// The run is a graph of stages connected by bounded channels, in the
// pattern of the Go blog's "Pipelines and cancellation", under one errgroup:
//
//	ingest (1 goroutine: walk inputs in order, read, decode, parse headers)
//	  → score (a pool of GOMAXPROCS workers: tokenize → feature → classify)
//	  → sink (1 goroutine: reorder by sequence number, write batches)
//
// Tokenize, feature and classify run as consecutive steps of one score
// worker rather than as stages of their own: a story's chunks must be
// scored in order, and handing token arrays between goroutines would cost
// memory and copies without adding parallelism (every worker already runs
// all three). --stats reports each step's time beside each stage's items,
// busy time and waits, so the bottleneck shows either way.
//
// Memory is bounded: a weighted semaphore caps the bytes of story text in
// flight (Config.MaxInFlight), and stories larger than Config.StreamAbove
// are never read whole but streamed from their file in chunks.
//
// A story that fails at any step becomes a row with its error. Cancelling
// the stop context ends reading but lets every story already read be
// scored and written, so the output is complete up to that point; --resume
// (Config.Done) then skips the stories already written.
package pipeline

// LabelScore is one label's verdict in a Row (a STRUCT in Parquet).
type LabelScore struct {
	Label     string  `json:"label" parquet:"label"`
	Group     string  `json:"group" parquet:"group"`
	Score     float64 `json:"score" parquet:"score"`
	Threshold float64 `json:"threshold" parquet:"threshold"` // the score the label needs to be detected
	Detected  bool    `json:"detected" parquet:"detected"`
	Source    string  `json:"source" parquet:"source"` // model | lexicon | both
	Passages  int32   `json:"passages" parquet:"passages"`
}

// Evidence is a passage that shows a label (a STRUCT in Parquet).
type Evidence struct {
	Label     string  `json:"label" parquet:"label"`
	Score     float64 `json:"score" parquet:"score"`
	LineStart int32   `json:"line_start" parquet:"line_start"`
	LineEnd   int32   `json:"line_end" parquet:"line_end"`
	ByteStart int64   `json:"byte_start" parquet:"byte_start"`
	ByteEnd   int64   `json:"byte_end" parquet:"byte_end"`
	Snippet   string  `json:"snippet" parquet:"snippet"`
}

// Row is one story's output row (README: Output schema), shared by the
// Parquet and JSONL sinks. Optional scalars are pointers: nil is null.
// Lists are never null in JSONL ([]), and are LIST columns in Parquet.
type Row struct {
	ID            string   `json:"id" parquet:"id"`
	Source        string   `json:"source" parquet:"source"`
	Format        string   `json:"format" parquet:"format"`
	SHA256        *string  `json:"sha256" parquet:"sha256,optional"`
	Title         *string  `json:"title" parquet:"title,optional"`
	Authors       []string `json:"authors" parquet:"authors,list"`
	Fandoms       []string `json:"fandoms" parquet:"fandoms,list"`
	Relationships []string `json:"relationships" parquet:"relationships,list"`
	Characters    []string `json:"characters" parquet:"characters,list"`
	Tags          []string `json:"tags" parquet:"tags,list"`
	Summary       *string  `json:"summary" parquet:"summary,optional"`
	Language      *string  `json:"language" parquet:"language,optional"`
	Words         *int64   `json:"words" parquet:"words,optional"`
	// Encoding is how the story's bytes were decoded (datasets.Encoding*),
	// null when reading failed before it was known.
	Encoding *string `json:"encoding" parquet:"encoding,optional"`
	// BodyLine (1-based) and BodyByte are where the body starts in the
	// decoded text, which line_start and byte_start of evidence count in;
	// null when the story failed before its header was read.
	BodyLine *int32 `json:"body_line" parquet:"body_line,optional"`
	BodyByte *int64 `json:"body_byte" parquet:"body_byte,optional"`

	DeclaredRating      *string  `json:"declared_rating" parquet:"declared_rating,optional"`
	DeclaredRatingRaw   *string  `json:"declared_rating_raw" parquet:"declared_rating_raw,optional"`
	RatingSystem        *string  `json:"rating_system" parquet:"rating_system,optional"`
	WarningStatus       *string  `json:"warning_status" parquet:"warning_status,optional"`
	DeclaredWarnings    []string `json:"declared_warnings" parquet:"declared_warnings,list"`
	DeclaredWarningsRaw []string `json:"declared_warnings_raw" parquet:"declared_warnings_raw,list"`
	UnmappedWarnings    []string `json:"unmapped_warnings" parquet:"unmapped_warnings,list"`
	NegatedWarnings     []string `json:"negated_warnings" parquet:"negated_warnings,list"`

	PredictedRating     *string `json:"predicted_rating" parquet:"predicted_rating,optional"`
	RatingUnderdeclared *bool   `json:"rating_underdeclared" parquet:"rating_underdeclared,optional"`
	// RatingConfidence is how sure the model is that the text calls for at
	// least PredictedRating (0..1); RatingEvidence the passages that set
	// it (Label: the cue, sexual, violence or language), none for General.
	RatingConfidence *float64   `json:"rating_confidence" parquet:"rating_confidence,optional"`
	RatingEvidence   []Evidence `json:"rating_evidence" parquet:"rating_evidence,list"`

	// Labels holds every label of the model, in taxonomy order, for a
	// story that was scored, and none for a row with an Error: zeros
	// would read as clean.
	Labels           []LabelScore `json:"labels" parquet:"labels,list"`
	DetectedWarnings []string     `json:"detected_warnings" parquet:"detected_warnings,list"`
	// UndeclaredWarnings are detected labels the author did not declare.
	// A work whose creator chose not to use archive warnings has none: AO3
	// readers are told it may contain anything, so what tagger finds there
	// is not warned, by choice, rather than mis-tagged (compare
	// DetectedWarnings with DeclaredWarnings for it).
	UndeclaredWarnings []string   `json:"undeclared_warnings" parquet:"undeclared_warnings,list"`
	Evidence           []Evidence `json:"evidence" parquet:"evidence,list"`

	Model string  `json:"model" parquet:"model"`
	Error *string `json:"error" parquet:"error,optional"`
	// Note says why a story that was read was not checked (a language
	// the model cannot read, or no words after the header): its labels
	// are then all undetected.
	Note *string `json:"note" parquet:"note,optional"`
}
