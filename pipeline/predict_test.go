package pipeline

import (
	"errors"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/taxonomy"
)

func TestWeakLabelled(t *testing.T) {
	story := func(status taxonomy.WarningState, declared []string, body string) *datasets.Story {
		s := &datasets.Story{ID: "s", Text: "Warnings: x\n\n" + body, BodyByte: len("Warnings: x\n\n")}
		s.WarningStatus, s.DeclaredWarnings = status, declared
		return s
	}
	l, ok := WeakLabelled(story(taxonomy.StateDeclared, []string{"death"}, "He died."), 0.3)
	if !ok || len(l.Known) != 1 || !l.Known["death"] || l.Weight != 0.3 || l.Text != "He died." {
		t.Errorf("declared: %+v, %v", l, ok)
	}
	l, ok = WeakLabelled(story(taxonomy.StateNoneApply, nil, "Tea."), 1)
	if !ok || len(l.Known) != len(taxonomy.Default().Labels()) || l.Known["death"] {
		t.Errorf("none apply: %d labels known, death %v", len(l.Known), l.Known["death"])
	}
	for _, status := range []taxonomy.WarningState{taxonomy.StateMissing, taxonomy.StateChoseNotToWarn} {
		if _, ok := WeakLabelled(story(status, nil, "Tea."), 1); ok {
			t.Errorf("%s: a story that declares nothing taught something", status)
		}
	}
	bad := story(taxonomy.StateDeclared, []string{"death"}, "x")
	bad.Err = errors.New("unreadable")
	if _, ok := WeakLabelled(bad, 1); ok {
		t.Error("a story that failed taught something")
	}
	long := strings.Repeat("word ", 20000) // 100 KB
	l, _ = WeakLabelled(story(taxonomy.StateDeclared, []string{"death"}, long), 1)
	if len(l.Text) > maxWeakText || !strings.HasSuffix(l.Text, " ") {
		t.Errorf("long body kept %d bytes, ending %q: want at most %d, cut after a space", len(l.Text), l.Text[len(l.Text)-5:], maxWeakText)
	}
}
