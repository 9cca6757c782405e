package classify_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/models"
)

// storyOfWords repeats the seed stories' bodies into a text of about n words.
func storyOfWords(b *testing.B, n int) string {
	b.Helper()
	paths, _ := filepath.Glob("../seeds/*.txt")
	var seeds strings.Builder
	for _, p := range paths {
		t, err := os.ReadFile(p)
		if err != nil {
			b.Fatal(err)
		}
		seeds.Write(t)
		seeds.WriteString("\n\n")
	}
	unit := seeds.String()
	words := len(strings.Fields(unit))
	return strings.Repeat(unit, n/words+1)
}

// BenchmarkPredict100k scores a 100,000-word story (the target is under
// 50 ms on one core: run with -cpu 1).
func BenchmarkPredict100k(b *testing.B) {
	m, err := models.Default()
	if err != nil {
		b.Fatal(err)
	}
	story := storyOfWords(b, 100_000)
	b.SetBytes(int64(len(story)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Predict(context.Background(), story, 0, 1, classify.PredictOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadModel loads the embedded default model from its files (the
// target is well under 50 ms).
func BenchmarkLoadModel(b *testing.B) {
	fsys := models.DefaultFS()
	if _, err := fs.Stat(fsys, classify.ManifestFile); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := classify.Load(fsys); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScorePassage scores one ~90-word passage as the evaluation does.
func BenchmarkScorePassage(b *testing.B) {
	m, err := models.Default()
	if err != nil {
		b.Fatal(err)
	}
	text := "they dragged him into the van and drove off before anyone could stop them. he woke up tied to a chair in a dark basement, his head pounding, and the man in front of him smiled. 'nobody is coming for you,' he said, and hit him again until he stopped asking questions about where he was or why."
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		m.ScoreText(text)
	}
}
