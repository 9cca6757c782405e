package models

import (
	"bytes"
	"io/fs"
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
