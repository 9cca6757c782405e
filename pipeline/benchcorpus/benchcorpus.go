// Package benchcorpus generates corpora for benchmarking tagger: stories of
// realistic lengths (1,000 to 100,000 words, log-uniform) with varied
// headers, built from paragraphs of source texts (the seed stories, and the
// annotated passages when given). Corpora are written to a directory of the
// caller's (a temporary one): they are never committed.
package benchcorpus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Options describe a corpus.
type Options struct {
	// Bytes is the total size to reach (at least).
	Bytes int64
	// Seed makes the corpus reproducible.
	Seed uint64
	// MinWords and MaxWords bound story lengths (default 1,000 and 100,000).
	MinWords, MaxWords int
	// HugeBytes, when positive, adds one story of about that size.
	HugeBytes int64
}

// Sources returns paragraphs from the seed stories in seedDir and, when
// passages is not empty, from a passages-dev JSONL file.
func Sources(seedDir, passages string) ([]string, error) {
	var paras []string
	paths, err := filepath.Glob(filepath.Join(seedDir, "*.txt"))
	if err != nil || len(paths) == 0 {
		return nil, fmt.Errorf("no seed stories in %s", seedDir)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			return nil, err
		}
		for _, para := range strings.Split(string(b), "\n\n") {
			if para = strings.TrimSpace(para); len(para) > 40 && !strings.Contains(para[:min(40, len(para))], ":") {
				paras = append(paras, para)
			}
		}
	}
	if passages != "" {
		f, err := os.Open(passages)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<24)
		for sc.Scan() {
			var rec struct{ Text string }
			if json.Unmarshal(sc.Bytes(), &rec) == nil && rec.Text != "" {
				paras = append(paras, rec.Text)
			}
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	}
	return paras, nil
}

var (
	ratings  = []string{"G", "PG", "PG-13", "R", "NC-17", "Teen And Up Audiences", "Mature", "Explicit", "M", "T", "K+", "FRAO"}
	warnings = []string{"none", "violence", "Major Character Death", "Rape/Non-Con", "Graphic Depictions Of Violence",
		"No Archive Warnings Apply", "self-harm, suicidal thoughts", "angst; slash", "Creator Chose Not To Use Archive Warnings", "blood, gore"}
)

// header returns a random header in one of several layouts.
func header(r *rand.Rand, n int) string {
	title := fmt.Sprintf("Story %d", n)
	rating := ratings[r.IntN(len(ratings))]
	warn := warnings[r.IntN(len(warnings))]
	switch r.IntN(6) {
	case 0:
		return fmt.Sprintf("TITLE: %s\n\nAUTHOR: writer%d\n\nRATING: %s\n\nWARNINGS: %s\n\nSUMMARY: A story.\n\n", title, n%97, rating, warn)
	case 1:
		return fmt.Sprintf("%s\nby writer%d\n\nRating: %s\nWarning(s): %s\nPairing: A/B\n\n", title, n%97, rating, warn)
	case 2:
		return fmt.Sprintf("Rating: %s Disclaimers: Not mine. Summary: Things happen. Warnings: %s\n\n", rating, warn)
	case 3:
		return fmt.Sprintf("**Title:** %s\n**Rating:** %s\n**Warnings:** %s\n\n---\n\n", title, rating, warn)
	case 4:
		return "" // no header at all
	default:
		return fmt.Sprintf("A/N: thanks for reading!\n\nTitle: %s\nRated %s for reasons\nContent warnings: %s\n\nChapter 1\n\n", title, rating, warn)
	}
}

// story writes a story of about words words.
func story(r *rand.Rand, paras []string, n, words int) string {
	var b strings.Builder
	b.WriteString(header(r, n))
	for w := 0; w < words; {
		p := paras[r.IntN(len(paras))]
		b.WriteString(p)
		b.WriteString("\n\n")
		w += strings.Count(p, " ") + 1
	}
	return b.String()
}

// Write generates a corpus into dir and returns its file count and bytes.
func Write(dir string, paras []string, opt Options) (files int, bytes int64, err error) {
	if len(paras) == 0 {
		return 0, 0, fmt.Errorf("no source paragraphs")
	}
	if opt.MinWords <= 0 {
		opt.MinWords = 1000
	}
	if opt.MaxWords <= opt.MinWords {
		opt.MaxWords = 100_000
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, 0, err
	}
	r := rand.New(rand.NewPCG(opt.Seed, 0xc0ffee))
	lo, hi := math.Log(float64(opt.MinWords)), math.Log(float64(opt.MaxWords))
	for n := 0; bytes < opt.Bytes; n++ {
		words := int(math.Exp(lo + r.Float64()*(hi-lo)))
		s := story(r, paras, n, words)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("story-%06d.txt", n)), []byte(s), 0o644); err != nil {
			return files, bytes, err
		}
		files++
		bytes += int64(len(s))
	}
	if opt.HugeBytes > 0 {
		f, err := os.Create(filepath.Join(dir, "huge.txt"))
		if err != nil {
			return files, bytes, err
		}
		w := bufio.NewWriterSize(f, 1<<20)
		w.WriteString(header(r, -1))
		var n int64
		for n < opt.HugeBytes {
			p := paras[r.IntN(len(paras))]
			w.WriteString(p)
			w.WriteString("\n\n")
			n += int64(len(p) + 2)
		}
		if err := w.Flush(); err != nil {
			f.Close()
			return files, bytes, err
		}
		if err := f.Close(); err != nil {
			return files, bytes, err
		}
		files++
		bytes += n
	}
	return files, bytes, nil
}
