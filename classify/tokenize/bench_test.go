package tokenize

import (
	"strings"
	"testing"
)

func BenchmarkWords(b *testing.B) {
	corpus := seedCorpus(b)
	big := strings.Repeat(corpus+"\n\n", (1<<20)/len(corpus)+1)[:1<<20]
	for _, bc := range []struct {
		name, text string
	}{{"seeds", corpus}, {"1MB", big}} {
		b.Run(bc.name, func(b *testing.B) {
			dst := make([]Token, 0, len(bc.text)/4)
			b.SetBytes(int64(len(bc.text)))
			b.ReportAllocs()
			for b.Loop() {
				dst = Words(bc.text, dst[:0])
			}
		})
	}
}

// seedWords returns the words of the seed stories as they appear in the
// text, and their total length in bytes.
func seedWords(b *testing.B) ([]string, int64) {
	corpus := seedCorpus(b)
	toks := Words(corpus, nil)
	words := make([]string, len(toks))
	var n int64
	for i, t := range toks {
		words[i] = corpus[t.Start:t.End()]
		n += int64(len(words[i]))
	}
	return words, n
}

// Normalize and Hash run over every word of the seeds per operation; MB/s
// counts word bytes.
func BenchmarkNormalize(b *testing.B) {
	words, n := seedWords(b)
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, w := range words {
			_ = Normalize(w)
		}
	}
}

func BenchmarkHash(b *testing.B) {
	words, n := seedWords(b)
	b.SetBytes(n)
	var sink uint64
	for b.Loop() {
		for _, w := range words {
			sink ^= Hash(w)
		}
	}
	_ = sink
}

func BenchmarkSegmenter(b *testing.B) {
	seg := newTestSegmenter(b)
	corpus := seedCorpus(b)
	b.SetBytes(int64(len(corpus)))
	b.ReportAllocs()
	for b.Loop() {
		_ = seg.Sentences(corpus)
	}
}

func BenchmarkNewSegmenter(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := NewSegmenter(); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSubworder splits every normalised seed word per operation, with a
// vocabulary built from the seeds; it reports ns/word beside MB/s.
func benchSubworder(b *testing.B, maxCache int) {
	words, n := seedWords(b)
	counts := map[string]int{}
	for i, w := range words {
		words[i] = Normalize(w)
		counts[words[i]]++
	}
	s, err := NewSubworder(BuildVocab(counts, 3000, 3), maxCache)
	if err != nil {
		b.Fatal(err)
	}
	for _, w := range words { // warm the cache
		s.Pieces(w)
	}
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, w := range words {
			_ = s.Pieces(w)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(words)), "ns/word")
}

func BenchmarkSubworderCached(b *testing.B)   { benchSubworder(b, 1<<20) }
func BenchmarkSubworderUncached(b *testing.B) { benchSubworder(b, 0) }

func BenchmarkProseWords(b *testing.B) {
	corpus := seedCorpus(b)
	b.SetBytes(int64(len(corpus)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ProseWords(corpus); err != nil {
			b.Fatal(err)
		}
	}
}
