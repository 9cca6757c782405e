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
// the lent bytes faults instead of changing the shared model. The other
// files are lent too, so that Load need not copy them out of files first
// (the readers copy what they keep).
//
//go:embed default/lexicon.bin
var defaultLexicon string

//go:embed default/lexicon.yaml
var defaultLexiconSource string

//go:embed default/nb.bin
var defaultTables string

//go:embed default/manifest.json
var defaultManifest string

// inPlace is the default model's files, lending them where they lie.
type inPlace struct{ fs.FS }

// InPlace lends the model's files, read-only.
func (inPlace) InPlace(name string) ([]byte, bool) {
	var s string
	switch name {
	case classify.CompiledLexiconFile:
		s = defaultLexicon
	case classify.LexiconFile:
		s = defaultLexiconSource
	case classify.TablesFile:
		s = defaultTables
	case classify.ManifestFile:
		s = defaultManifest
	default:
		return nil, false
	}
	return unsafe.Slice(unsafe.StringData(s), len(s)), true
}

// HashVerified reports that the embedded files match their manifest's
// hash and that the compiled lexicon is intact:
// TestDefaultModel and TestCompiledLexiconCurrent check it, so Load need
// not at every start.
func (inPlace) HashVerified() bool { return true }

// DefaultName is the directory of the default model.
const DefaultName = "default"

var loadDefault = sync.OnceValues(func() (*classify.Model, error) {
	return classify.Load(DefaultFS())
})

// Default returns the embedded default model, loading it on first use.
// The model is immutable and shared.
func Default() (*classify.Model, error) { return loadDefault() }

// PrepareDefault starts loading the default model in a goroutine and
// returns at once: a command that will probably need it calls it before
// its other set-up, and Default then waits only for what is left. It
// changes nothing but when the work is done.
func PrepareDefault() {
	go loadDefault() //nolint:errcheck // Default reports the error
}

// DefaultFS returns the files of the default model. It lends them in
// place (it is a classify.InPlaceFS) and vouches for their hash (a
// classify.VerifiedFS: TestDefaultModel checks it).
func DefaultFS() fs.FS {
	sub, err := fs.Sub(files, DefaultName)
	if err != nil {
		panic(err) // the embedded tree always has this directory
	}
	return inPlace{sub}
}
