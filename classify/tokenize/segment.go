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

// Segmenter splits text into sentences with byte offsets. It wraps the
// English Punkt model of gopkg.in/neurosnap/sentences.v1 (the segmenter
// jdkato/prose uses), built once (building it costs ~4.5 ms and 2.4 MB) and
// safe for concurrent use: the model is only read after construction, and
// each call annotates its own tokens.
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
	tok *sentences.DefaultSentenceTokenizer
}

// Span is a half-open byte range [Start, End) of a text.
type Span struct{ Start, End int }

// NewSegmenter builds the English sentence model.
func NewSegmenter() (*Segmenter, error) {
	training, err := punktEnglish()
	if err != nil {
		return nil, fmt.Errorf("tokenize: reading the English Punkt sentence model: %w", err)
	}
	tok, err := english.NewSentenceTokenizer(training)
	if err != nil {
		return nil, fmt.Errorf("tokenize: building the English Punkt sentence model: %w", err)
	}
	return &Segmenter{tok: tok}, nil
}

// sharedSegmenter is the Segmenter of SharedSegmenter, built once.
var sharedSegmenter = sync.OnceValues(NewSegmenter)

// SharedSegmenter returns a Segmenter built on the first call and shared
// by every later one (a Segmenter is immutable and safe for concurrent
// use), so that the ~4.5 ms it costs is paid once per process.
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
	sents := s.tok.Tokenize(text)
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
