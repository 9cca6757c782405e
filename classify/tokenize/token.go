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

// Token is one word of a text: 16 bytes, so that the tokens of a chunk
// of prose (a quarter as many as its bytes) take no more memory than four
// times its text.
type Token struct {
	Start int32  // byte offset of the word in the text
	Len   uint16 // the word's length in bytes, at most MaxWordBytes
	Flags Flag
	// Hash identifies the word's normalised form (see Normalize): equal
	// forms have equal hashes, so features need no string per token.
	Hash uint64
}

// MaxWordBytes is the longest token Words makes: a longer run of letters
// (no word of any language, but a text may hold one) is cut into tokens
// of this length.
const MaxWordBytes = 1<<16 - 1

// End is the byte offset just after the word.
func (t Token) End() int32 { return t.Start + int32(t.Len) }

// Has reports whether all of f are set on the token.
func (t Token) Has(f Flag) bool { return t.Flags&f == f }
