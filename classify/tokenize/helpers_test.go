package tokenize

import (
	"io/fs"
	"os"
	"strings"
	"testing"
)

// seedTexts returns the seed stories, in file-name order.
func seedTexts(tb testing.TB) []string {
	tb.Helper()
	names, err := fs.Glob(seedFS, "*.txt")
	if err != nil || len(names) == 0 {
		tb.Fatalf("no seed stories: %v", err)
	}
	texts := make([]string, len(names))
	for i, name := range names {
		b, err := fs.ReadFile(seedFS, name)
		if err != nil {
			tb.Fatalf("reading seed %s: %v", name, err)
		}
		texts[i] = string(b)
	}
	return texts
}

// seedCorpus returns the seed stories concatenated, separated by blank lines.
func seedCorpus(tb testing.TB) string {
	return strings.Join(seedTexts(tb), "\n\n")
}

// render shows toks as their words, each followed by /X (negation cue),
// /N (negated), /C (clause end), /S (sentence end) when set.
func render(text string, toks []Token) string {
	var b strings.Builder
	for i, t := range toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(text[t.Start:t.End()])
		if t.Flags != 0 {
			b.WriteByte('/')
		}
		for _, f := range []struct {
			flag Flag
			c    byte
		}{{FlagNegation, 'X'}, {FlagNegated, 'N'}, {FlagClauseEnd, 'C'}, {FlagSentenceEnd, 'S'}} {
			if t.Flags&f.flag != 0 {
				b.WriteByte(f.c)
			}
		}
	}
	return b.String()
}

// checkTokens fails tb unless toks are well-formed tokens of text: spans
// inside text, non-empty, in order, not overlapping, each hashing as Hash
// of its text, and never both a cue and negated.
func checkTokens(tb testing.TB, text string, toks []Token) {
	tb.Helper()
	prevEnd := int32(0)
	for i, t := range toks {
		if t.Start < prevEnd || t.End() <= t.Start || int(t.End()) > len(text) {
			tb.Fatalf("token %d span [%d,%d) bad after %d in text of %d bytes", i, t.Start, t.End(), prevEnd, len(text))
		}
		w := text[t.Start:t.End()]
		if h := Hash(w); h != t.Hash {
			tb.Fatalf("token %d %q: Hash = %#x, token.Hash = %#x", i, w, h, t.Hash)
		}
		if t.Has(FlagNegation) && t.Has(FlagNegated) {
			tb.Fatalf("token %d %q is both cue and negated", i, w)
		}
		if t.Has(FlagSentenceEnd) && !t.Has(FlagClauseEnd) {
			tb.Fatalf("token %d %q ends a sentence but not a clause", i, w)
		}
		prevEnd = t.End()
	}
}

// seedFS holds the repository's seed stories.
var seedFS = os.DirFS("../../seeds")
