// Package models ships tagger's trained models inside the binary. The
// default model lives in default/ (lexicon, naive-Bayes tables, manifest);
// README.md beside it is the model card.
package models

import (
	"embed"
	"io/fs"
	"sync"
	"unsafe"

	"github.com/tagger-dev/tagger/classify"
)

//go:generate go run ./internal/compilelexicon default

//go:embed default
var files embed.FS

// defaultLexicon is default/lexicon.bin once more, whose lookup tables
// the loaded lexicon uses where they lie (see classify.InPlaceFS): the
// binary holds the file twice, and the copy in files is never read by
// Default. A string, so that it lies in read-only memory: a write through
// the lent bytes faults instead of changing the shared model.
//
//go:embed default/lexicon.bin
var defaultLexicon string

// inPlace is the default model's files, lending the compiled lexicon.
type inPlace struct{ fs.FS }

// InPlace lends the compiled lexicon, read-only.
func (inPlace) InPlace(name string) ([]byte, bool) {
	if name == classify.CompiledLexiconFile {
		return unsafe.Slice(unsafe.StringData(defaultLexicon), len(defaultLexicon)), true
	}
	return nil, false
}

// DefaultName is the directory of the default model.
const DefaultName = "default"

var loadDefault = sync.OnceValues(func() (*classify.Model, error) {
	return classify.Load(DefaultFS())
})

// Default returns the embedded default model, loading it on first use.
// The model is immutable and shared.
func Default() (*classify.Model, error) { return loadDefault() }

// DefaultFS returns the files of the default model. It lends the
// compiled lexicon in place (it is a classify.InPlaceFS).
func DefaultFS() fs.FS {
	sub, err := fs.Sub(files, DefaultName)
	if err != nil {
		panic(err) // the embedded tree always has this directory
	}
	return inPlace{sub}
}
