// Package models ships tagger's trained models inside the binary. The
// default model lives in default/ (lexicon, naive-Bayes tables, manifest);
// README.md beside it is the model card.
package models

import (
	"embed"
	"io/fs"
	"sync"

	"github.com/tagger-dev/tagger/classify"
)

//go:generate go run ./internal/compilelexicon default

//go:embed default
var files embed.FS

// DefaultName is the directory of the default model.
const DefaultName = "default"

var loadDefault = sync.OnceValues(func() (*classify.Model, error) {
	sub, err := fs.Sub(files, DefaultName)
	if err != nil {
		return nil, err
	}
	return classify.Load(sub)
})

// Default returns the embedded default model, loading it on first use.
// The model is immutable and shared.
func Default() (*classify.Model, error) { return loadDefault() }

// DefaultFS returns the files of the default model.
func DefaultFS() fs.FS {
	sub, err := fs.Sub(files, DefaultName)
	if err != nil {
		panic(err) // the embedded tree always has this directory
	}
	return sub
}
