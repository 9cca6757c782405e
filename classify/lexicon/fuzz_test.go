package lexicon_test

import (
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/classify/tokenize"
)

// FuzzLoad: Load and Merge never panic, and a lexicon they accept matches
// without panicking.
func FuzzLoad(f *testing.F) {
	f.Add(minimal("", ""))
	f.Add(minimal("exceptions: [star wars]\nirregular: {bleed: [bled]}", `terms: [{term: "snap * neck", weight: 3}, {term: stab, forms: [stabbed]}, w3]`))
	f.Add([]byte("version: 1\nlabels: {violence: {terms: [&a stab, *a]}}"))
	f.Add([]byte("labels:\n  violence:\n    terms: [{term: w1, remove: true}]\n"))
	f.Add([]byte("{"))
	f.Add([]byte("---\n---\n"))
	f.Add(minimal("scene_span: 4\nscenes:\n  play: {labels: [violence, self-harm], phrases: [chess, w2 w3]}\n  sport: {labels: [violence], terms: [w1], phrases: [referee]}", ""))
	f.Add([]byte("scenes:\n  play: {labels: [violence], phrases: [chess]}\nscene_span: 3\n"))
	// Not the 100 KB shipped lexicon: its slow executions stall the
	// fuzzer while it minimises mutations of it. The regular tests load it.
	base, err := lexicon.Load(minimal("scene_span: 6\nscenes:\n  play: {labels: [violence, self-harm], phrases: [chess]}\n  sport: {labels: [violence], terms: [w2], phrases: [w3]}", ""))
	if err != nil {
		f.Fatal(err)
	}
	text := "He stabbed her; w1 w2 w3, like a w1. He did not snap his neck. r1 r2. Chess, chess w2 w3: stab w1."
	toks := tokenize.Words(text, nil)
	f.Fuzz(func(t *testing.T, data []byte) {
		if l, err := lexicon.Load(data); err == nil {
			l.Match(text, toks, func(lexicon.Hit) {})
			_ = l.Labels()
		}
		l, err := base.Merge(data)
		if err != nil {
			return
		}
		l.Match(text, toks, func(lexicon.Hit) {})
		// Source round trip: Load reads back every merged lexicon that
		// still covers all labels.
		covered := len(l.Labels()) == 39
		for _, label := range l.Labels() {
			active := 0
			for _, term := range l.Terms(label) {
				if term.Weight > 0 {
					active++
				}
			}
			covered = covered && active >= lexicon.MinTerms
		}
		if _, err := lexicon.Load(l.Source()); err != nil && covered {
			t.Fatalf("Load(Source()) of a merged lexicon: %v\n%s", err, l.Source())
		}
	})
}

// FuzzMatch: Match over arbitrary text never panics and reports hits
// inside the token range, in order, with known labels and sane weights.
func FuzzMatch(f *testing.F) {
	l := shipped(f)
	for _, s := range []string{
		"He slit her throat and she bled out on the floor.",
		"I was dying to know. Killing time. Dead tired.",
		"That particular violation had been akin to rape.",
		"like like like a a a war war zone",
		"slit. throat, snap * neck",
		"self-harm self--harm selfharm — self‐harm",
		"",
		"\x00\xff\xfe",
	} {
		f.Add(s)
	}
	labels := l.Labels()
	f.Fuzz(func(t *testing.T, text string) {
		toks := tokenize.Words(text, nil)
		prev := -1
		l.Match(text, toks, func(h lexicon.Hit) {
			if h.TokStart < 0 || h.TokStart >= h.TokEnd || h.TokEnd > len(toks) {
				t.Fatalf("hit %+v outside tokens [0, %d)", h, len(toks))
			}
			if h.TokStart < prev {
				t.Fatalf("hit %+v before the previous hit start %d", h, prev)
			}
			prev = h.TokStart
			if !slices.Contains(labels, h.Label) {
				t.Fatalf("hit %+v has unknown label", h)
			}
			if h.Weight <= 0 || h.Weight > lexicon.MaxWeight {
				t.Fatalf("hit %+v has weight out of (0, %d]", h, lexicon.MaxWeight)
			}
		})
	})
}

// benchText returns n bytes of story prose: the seed stories, repeated.
func benchText(tb testing.TB, n int) string {
	tb.Helper()
	var b strings.Builder
	paths, err := fs.Glob(seedFS, "*.txt")
	if err != nil || len(paths) == 0 {
		tb.Fatalf("no seed stories: %v", err)
	}
	for b.Len() < n {
		for _, p := range paths {
			data, err := fs.ReadFile(seedFS, p)
			if err != nil {
				tb.Fatal(err)
			}
			b.Write(data)
		}
	}
	s := b.String()[:n]
	return strings.ToValidUTF8(s, "")
}

// BenchmarkMatch measures Match alone over 100 KB of prose, tokens given:
// it is on the batch hot path.
func BenchmarkMatch(b *testing.B) {
	l := shipped(b)
	text := benchText(b, 100<<10)
	toks := tokenize.Words(text, nil)
	hits := 0
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		l.Match(text, toks, func(lexicon.Hit) { hits++ })
	}
	b.ReportMetric(float64(hits)/float64(b.N), "hits/op")
}

// BenchmarkWordsAndMatch measures tokenizing and matching together.
func BenchmarkWordsAndMatch(b *testing.B) {
	l := shipped(b)
	text := benchText(b, 100<<10)
	toks := make([]tokenize.Token, 0, len(text)/4)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		toks = tokenize.Words(text, toks[:0])
		l.Match(text, toks, func(lexicon.Hit) {})
	}
}

// BenchmarkLoad measures loading the shipped lexicon (part of tagger
// check's start-up).
func BenchmarkLoad(b *testing.B) {
	data, err := os.ReadFile(shippedPath)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := lexicon.Load(data); err != nil {
			b.Fatal(err)
		}
	}
}

// seedFS holds the repository's seed stories.
var seedFS = os.DirFS("../../seeds")
