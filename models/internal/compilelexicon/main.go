// Command compilelexicon writes a model directory's compiled lexicon
// (lexicon.bin) from its lexicon.yaml, so that loading the model skips
// parsing the YAML. models runs it through go generate after the default
// lexicon changes; TestCompiledLexiconCurrent fails until it has.
//
// Usage: go run ./internal/compilelexicon DIR
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/classify/lexicon"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: compilelexicon MODEL_DIR")
		os.Exit(2)
	}
	if err := compile(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "compilelexicon:", err)
		os.Exit(1)
	}
}

func compile(dir string) error {
	src, err := os.ReadFile(filepath.Join(dir, classify.LexiconFile))
	if err != nil {
		return err
	}
	lex, err := lexicon.Load(src)
	if err != nil {
		return fmt.Errorf("%s: %w", classify.LexiconFile, err)
	}
	bin, err := lex.Compiled()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, classify.CompiledLexiconFile), bin, 0o644)
}
