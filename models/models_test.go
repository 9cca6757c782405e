package models

import (
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/classify/taxonomy"
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
