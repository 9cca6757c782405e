package tokenize

// Flag marks properties of a token.
type Flag uint8

// Token flags.
const (
	// FlagNegation: the token is a negation cue (not, no, never, nothing,
	// without, can't, didn't, ...).
	FlagNegation Flag = 1 << iota
	// FlagNegated: the token is in the scope of a preceding negation cue
	// (from the cue to the next clause punctuation, at most
	// MaxNegationScope tokens).
	FlagNegated
	// FlagClauseEnd: clause punctuation (. , ; : ! ? or a dash) follows the
	// token before the next word. Every sentence end is also a clause end.
	FlagClauseEnd
	// FlagSentenceEnd: sentence-final punctuation (. ! ?) or a blank line
	// follows the token before the next word.
	FlagSentenceEnd
)

// Token is one word of a text.
type Token struct {
	Start, End int32 // byte span of the word in the text
	// Hash identifies the word's normalised form (see Normalize): equal
	// forms have equal hashes, so features need no string per token.
	Hash  uint64
	Flags Flag
}

// Has reports whether all of f are set on the token.
func (t Token) Has(f Flag) bool { return t.Flags&f == f }
