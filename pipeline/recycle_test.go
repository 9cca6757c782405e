package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
)

// TestScoreStoryKeepsText: a story a caller read into its own BufferPool
// and scored with ScoreStory keeps its text (only Run, which owns its
// stories, recycles them), and its row is the row of the same story read
// without a pool.
func TestScoreStoryKeepsText(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	text := "Title: The Duel\nAuthor: Someone\nFandom: Harry Potter\nRating: Teen\n\nHe drew his knife and stabbed the guard, who bled to death on the stairs.\n"
	if err := os.WriteFile(filepath.Join(dir, "duel.txt"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func(opt datasets.Options) *datasets.Story {
		for s := range datasets.Read(context.Background(), []string{dir}, opt) {
			return s
		}
		t.Fatal("no story")
		return nil
	}
	pooled := read(datasets.Options{Buffers: &datasets.BufferPool{Poison: true}})
	plain := read(datasets.Options{})
	cfg := Config{Model: m}
	got, want := ScoreStory(context.Background(), cfg, pooled), ScoreStory(context.Background(), cfg, plain)
	if pooled.Text != text || pooled.Title != "The Duel" {
		t.Fatalf("after ScoreStory the story's text is %q, title %q", pooled.Text, pooled.Title)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("row of the pooled story:\n%+v\nof the same story read plainly:\n%+v", got, want)
	}
}

// TestRunPoisonedFullHeaders: stories whose headers fill every declared
// field a row holds (authors, fandoms, relationships, characters, tags,
// summary, rating, warnings mapped, unmapped and negated) are written by a
// run that poisons each text once its row is built exactly as ScoreStory
// writes them from texts never recycled: no row field is a slice of its
// text.
func TestRunPoisonedFullHeaders(t *testing.T) {
	m, err := models.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for i := range 12 {
		text := fmt.Sprintf("Title: Story %d\nAuthor: Writer%d, Other%d\nFandom: Harry Potter, Fandom %d\n"+
			"Relationship: Harry/Draco, A%d/B%d\nCharacters: Harry Potter, Person %d\n"+
			"Archive Warning: Graphic Depictions Of Violence, Something Odd %d\n"+
			"Additional Tags: Angst, No Suicide, Tag %d\nRating: Mature\nSummary: A summary, number %d.\nLanguage: English\n\n"+
			"He drew his knife and stabbed the guard, who bled to death on the stairs. Story %d.\n", i, i, i, i, i, i, i, i, i, i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("s%02d.txt", i)), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got := filepath.Join(t.TempDir(), "run.jsonl")
	runTo(t, got, []string{dir}, Config{Model: m, Workers: 2, BatchRows: 5, poison: true})
	want := filepath.Join(t.TempDir(), "one.jsonl")
	sink, err := NewSink(want, SinkOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fields := 0
	for s := range datasets.Read(context.Background(), []string{dir}, datasets.Options{NoWordCount: true}) {
		row := ScoreStory(context.Background(), Config{Model: m}, s)
		if len(row.Authors) == 0 || len(row.Fandoms) == 0 || len(row.Relationships) == 0 || len(row.Characters) == 0 ||
			len(row.Tags) == 0 || row.Summary == nil || len(row.UnmappedWarnings) == 0 || len(row.NegatedWarnings) == 0 {
			t.Fatalf("%s: the fixture does not fill every header field of the row: %+v", s.Source, row)
		}
		fields++
		if err := sink.Write([]Row{row}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	a, err := os.ReadFile(got)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if fields != 12 || string(a) != string(b) {
		t.Errorf("%d stories; rows of the poisoned run differ from ScoreStory's:\n%.600s\nwant\n%.600s", fields, a, b)
	}
}
