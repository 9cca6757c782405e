package models

import (
	"bytes"
	"io/fs"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/classify/lexicon"
	"github.com/tagger-dev/tagger/taxonomy"
)

func TestDefaultModel(t *testing.T) {
	m, err := Default()
	if err != nil {
		t.Fatalf("the embedded model does not load: %v", err)
	}
	man := m.Manifest()
	if man.Name != "default" || man.Version == "" || len(man.Hash) != 64 {
		t.Errorf("manifest name %q version %q hash %q", man.Name, man.Version, man.Hash)
	}
	if !strings.HasPrefix(m.NameVersion(), "default@") {
		t.Errorf("NameVersion = %q", m.NameVersion())
	}
	if len(man.Labels) != len(taxonomy.Default().Labels()) {
		t.Errorf("manifest covers %d labels, want all %d", len(man.Labels), len(taxonomy.Default().Labels()))
	}
	models := 0
	for _, l := range man.Labels {
		if l.Source == "model" {
			models++
			if l.Gate <= 0 {
				t.Errorf("%s: model label without a gate", l.Label)
			}
		}
	}
	if models != 8 {
		t.Errorf("%d labels trained with naive Bayes, want the 8 annotated warnings", models)
	}
	if again, _ := Default(); again != m {
		t.Error("Default must load once and share the model")
	}
	if _, err := classify.Load(DefaultFS()); err != nil {
		t.Errorf("Load(DefaultFS()): %v", err)
	}
	// Read from a plain file system, the files are hashed and must match
	// the manifest: DefaultFS vouches for that (HashVerified) because
	// this passes.
	sub, err := fs.Sub(files, DefaultName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := classify.Load(sub); err != nil {
		t.Errorf("the embedded files do not match their manifest: %v (retrain, or restore models/default)", err)
	}
}

// TestCompiledLexiconCurrent fails when default/lexicon.bin was not
// compiled from default/lexicon.yaml by this tagger: run go generate in
// models.
func TestCompiledLexiconCurrent(t *testing.T) {
	fsys := DefaultFS()
	src, err := fs.ReadFile(fsys, classify.LexiconFile)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := fs.ReadFile(fsys, classify.CompiledLexiconFile)
	if err != nil {
		t.Fatalf("%v: run go generate in models", err)
	}
	fresh, err := lexicon.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	want, err := fresh.Compiled()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(bin, want) {
		t.Fatalf("default/%s is stale: run go generate in models (cd models && go generate)", classify.CompiledLexiconFile)
	}
	if _, err := lexicon.LoadCompiled(bin, src); err != nil {
		t.Fatal(err)
	}
}

// misaligned lends the compiled lexicon at an odd address, where its
// lookup tables cannot be read in place (the other files as they are).
// Not a VerifiedFS: Load hashes the files.
type misaligned struct{ fs.FS }

func (m misaligned) InPlace(name string) ([]byte, bool) {
	b, ok := m.FS.(classify.InPlaceFS).InPlace(name)
	if !ok || name != classify.CompiledLexiconFile {
		return b, ok
	}
	odd := make([]byte, len(b)+1)
	copy(odd[1:], b)
	return odd[1:], true
}

// TestDefaultLexiconLent: the default model lends its compiled lexicon,
// the same bytes as its file, and loading it so allocates at least 1 MB
// less than when its lookup tables cannot be read where they lie.
func TestDefaultLexiconLent(t *testing.T) {
	bin, ok := DefaultFS().(classify.InPlaceFS).InPlace(classify.CompiledLexiconFile)
	file, err := fs.ReadFile(DefaultFS(), classify.CompiledLexiconFile)
	if !ok || err != nil || !bytes.Equal(bin, file) {
		t.Fatalf("lent compiled lexicon: %v, %v; want default/%s as it is", ok, err, classify.CompiledLexiconFile)
	}
	// Every file is lent as it is.
	entries, err := fs.ReadDir(DefaultFS(), ".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, ok := DefaultFS().(classify.InPlaceFS).InPlace(e.Name())
		file, err := fs.ReadFile(DefaultFS(), e.Name())
		if !ok || err != nil || !bytes.Equal(b, file) {
			t.Errorf("lent %s: %v, %v; want default/%s as it is", e.Name(), ok, err, e.Name())
		}
	}
	if _, ok := DefaultFS().(classify.InPlaceFS).InPlace("missing.bin"); ok {
		t.Error("a file the model does not have is lent")
	}
	allocated := func(fsys fs.FS) uint64 {
		least := uint64(math.MaxUint64)
		for range 3 {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			if _, err := classify.Load(fsys); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&after)
			least = min(least, after.TotalAlloc-before.TotalAlloc)
		}
		return least
	}
	// The misaligned copy is made before Load measures, in InPlace: count
	// it out.
	lent, decoded := allocated(DefaultFS()), allocated(misaligned{DefaultFS()})-uint64(len(bin)+1)
	if lent+1<<20 > decoded {
		t.Errorf("loading the lent lexicon allocates %d KB, with its tables decoded %d KB: want 1 MB less at least", lent>>10, decoded>>10)
	}
}
