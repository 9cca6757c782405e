package tokenize

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"gopkg.in/neurosnap/sentences.v1"
	"gopkg.in/neurosnap/sentences.v1/english"
)

// Segmenter splits text into sentences with byte offsets. It runs the
// English Punkt model of gopkg.in/neurosnap/sentences.v1 (the segmenter
// jdkato/prose uses), and is safe for concurrent use: its training data is
// only read after construction, and each call annotates its own tokens.
//
// The library loads the training data into maps, which for the 20,000
// orthographic contexts took most of a check's sentence cost. A Segmenter
// keeps those sorted in a table instead, and gives each call a map of only
// the word types of its text: Punkt looks up no other (a test checks the
// sentences against the library's own tokenizer).
//
// Punkt ignores paragraph breaks, which in fan fiction end headers, scene
// breaks and unpunctuated lines; Sentences therefore also splits at blank
// lines, as Words sets FlagSentenceEnd there.
//
// Punkt's other known faults, pinned by tests:
//   - a question or exclamation closed by a quote ends the sentence even
//     when a dialogue tag follows (`"Who are you?" he asked.` is two
//     sentences);
//   - "no." is taken for the abbreviation of "number" ("He said no. Then he
//     left." is one sentence);
//   - a full stop without a following space ends nothing ("him.She").
type Segmenter struct {
	data punktData
}

// Span is a half-open byte range [Start, End) of a text.
type Span struct{ Start, End int }

// NewSegmenter builds the English sentence model.
func NewSegmenter() (*Segmenter, error) {
	data := punktEnglish()
	// The English tokenizer adds its own abbreviations to the data it is
	// given: once here, so that calls only read it.
	if _, err := english.NewSentenceTokenizer(&data.small); err != nil {
		return nil, fmt.Errorf("tokenize: building the English Punkt sentence model: %w", err)
	}
	return &Segmenter{data: data}, nil
}

// sharedSegmenter is the Segmenter of SharedSegmenter, built once.
var sharedSegmenter = sync.OnceValues(NewSegmenter)

// SharedSegmenter returns a Segmenter built on the first call and shared
// by every later one (a Segmenter is immutable and safe for concurrent
// use), so that building it is paid once per process.
func SharedSegmenter() (*Segmenter, error) { return sharedSegmenter() }

// PrepareSegmenter starts building the shared Segmenter in a goroutine
// and returns at once: a command that will need sentences calls it early,
// and SharedSegmenter then waits only for what is left of the build. It
// changes nothing but when the work is done.
func PrepareSegmenter() {
	go sharedSegmenter() //nolint:errcheck // SharedSegmenter reports the error
}

// Sentences returns the sentences of text as byte spans into text, in order
// and non-overlapping, each trimmed of surrounding white space; text that is
// only white space has no sentences.
func (s *Segmenter) Sentences(text string) []Span {
	// What the library's DefaultSentenceTokenizer.Tokenize does, with the
	// tokens of its word tokenizer read first for their types.
	lang := sentences.NewPunctStrings()
	word := english.NewWordTokenizer(lang)
	tokens := word.Tokenize(text, true)
	var sents []*sentences.Sentence
	last := 0
	if len(tokens) > 0 {
		tok := s.tokenizer(lang, word, tokens)
		for _, t := range tok.AnnotateTokens(tokens, tok.Annotations...) {
			if t.SentBreak {
				sents = append(sents, &sentences.Sentence{Start: last, End: t.Position, Text: text[last:t.Position]})
				last = t.Position
			}
		}
	}
	if last != len(text) {
		sents = append(sents, &sentences.Sentence{Start: last, End: len(text), Text: text[last:]})
	}
	return sentenceSpans(text, sents)
}

// tokenizer returns the English sentence tokenizer of
// english.NewSentenceTokenizer for tokens: the same parts, over training
// data whose orthographic contexts are those of the tokens' word types.
func (s *Segmenter) tokenizer(lang *sentences.DefaultPunctStrings, word *english.WordTokenizer, tokens []*sentences.Token) *sentences.DefaultSentenceTokenizer {
	st := s.data.small
	st.OrthoContext = make(sentences.SetString, len(tokens))
	// Punkt reads the context of a token's type, or of its type without
	// a final period when the token ends a sentence (TypeNoSentPeriod).
	for _, t := range tokens {
		typ := word.Type(t)
		if flags, ok := s.data.ortho.get(typ); ok {
			st.OrthoContext[typ] = flags
		}
		if n := len(typ); n > 1 && typ[n-1] == '.' { // TypeNoPeriod
			if flags, ok := s.data.ortho.get(typ[:n-1]); ok {
				st.OrthoContext[typ[:n-1]] = flags
			}
		}
	}
	annotations := sentences.NewAnnotations(&st, lang, word)
	annotations = append(annotations, &english.MultiPunctWordAnnotation{
		Storage:      &st,
		TokenParser:  word,
		TokenGrouper: &sentences.DefaultTokenGrouper{},
		Ortho: &sentences.OrthoContext{
			Storage:      &st,
			PunctStrings: lang,
			TokenType:    word,
			TokenFirst:   word,
		},
	})
	return &sentences.DefaultSentenceTokenizer{
		Storage:       &st,
		PunctStrings:  lang,
		WordTokenizer: word,
		Annotations:   annotations,
	}
}

// sentenceSpans turns the library's sentences of text into Sentences'
// spans.
func sentenceSpans(text string, sents []*sentences.Sentence) []Span {
	spans := make([]Span, 0, len(sents))
	prev := 0
	for _, st := range sents {
		start, end := st.Start, st.End
		// The library reports byte offsets with the text they cover. Trust
		// them only when they agree with the text and with the previous
		// sentence; otherwise look the sentence's text up after the
		// previous one, and drop it if it is not there.
		if start < prev || end < start || end > len(text) || text[start:end] != st.Text {
			k := strings.Index(text[prev:], st.Text)
			if k < 0 {
				continue
			}
			start = prev + k
			end = start + len(st.Text)
		}
		spans = splitBlankLines(text, start, end, spans)
		prev = end
	}
	return spans
}

// splitBlankLines appends the parts of text[start:end] between blank lines
// (two line breaks with only spaces between them, as in Words) to spans,
// trimmed, and returns spans.
func splitBlankLines(text string, start, end int, spans []Span) []Span {
	part := start
	breaks := 0
	for i := start; i < end; i++ {
		switch text[i] {
		case '\n':
			breaks++
		case '\r':
			if i+1 < end && text[i+1] == '\n' {
				continue // CRLF: count the LF
			}
			breaks++
		case ' ', '\t', '\v', '\f':
		default:
			if breaks >= 2 {
				spans = appendTrimmed(spans, text, part, i)
				part = i
			}
			breaks = 0
		}
	}
	return appendTrimmed(spans, text, part, end)
}

// appendTrimmed appends text[start:end] without surrounding white space to
// spans, unless nothing is left.
func appendTrimmed(spans []Span, text string, start, end int) []Span {
	start, end = trimSpace(text, start, end)
	if start < end {
		spans = append(spans, Span{Start: start, End: end})
	}
	return spans
}

// trimSpace narrows [start, end) of text to exclude white space at both
// ends.
func trimSpace(text string, start, end int) (int, int) {
	for start < end {
		r, size := utf8.DecodeRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		start += size
	}
	for start < end {
		r, size := utf8.DecodeLastRuneInString(text[start:end])
		if !unicode.IsSpace(r) {
			break
		}
		end -= size
	}
	return start, end
}
