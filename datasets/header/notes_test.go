package header

import (
	"bytes"
	"io"
	"strings"
	"testing"
	"testing/iotest"
)

// readNotes runs text through a NoteFilter, reading r as given.
func readNotes(t *testing.T, r io.Reader) (string, []Field) {
	t.Helper()
	f := NewNoteFilter(r)
	out, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), f.Notes()
}

func TestNoteFilter(t *testing.T) {
	for _, c := range []struct {
		name, text string
		kept       []string // text that stays in the body
		gone       []string // text blanked
		notes      []string // the notes fields' values, in order
	}{
		{
			name: "chapter notes up to the link, end notes up to the next chapter",
			text: "Chapter 1\n\nChapter Notes\n\nCW: torture.\n\nSecond paragraph of notes.\n\nSee the end of the chapter for more notes\n\nThey made tea.\n\nChapter End Notes\n\nNext time: someone bleeds out.\n\nChapter 2: Rain\n\nIt rained.\n",
			kept: []string{"Chapter 1\n", "They made tea.", "Chapter 2: Rain", "It rained."},
			gone: []string{"Chapter Notes", "CW: torture", "Second paragraph", "See the end", "Chapter End Notes", "bleeds out"},
			notes: []string{"CW: torture.\n\nSecond paragraph of notes.",
				"Next time: someone bleeds out."},
		},
		{
			name:  "notes without a link end with their first paragraph",
			text:  "Chapter 1\n\nChapter Notes\n\nSorry for the wait!\n\nNobody was allowed up the lighthouse.\n",
			kept:  []string{"Nobody was allowed"},
			gone:  []string{"Sorry for the wait"},
			notes: []string{"Sorry for the wait!"},
		},
		{
			name:  "a summary then notes",
			text:  "Chapter 3\n\nChapter Summary\n\nWren goes up.\n\nChapter Notes\n\nA fall, CW.\n\nSee the end of the chapter for more notes\n\nShe climbed.\n",
			kept:  []string{"She climbed."},
			gone:  []string{"Wren goes up", "A fall", "Chapter Summary"},
			notes: []string{"Wren goes up.", "A fall, CW."},
		},
		{
			name:  "the afterword runs to the end",
			text:  "The end of the story.\n\nAfterword\n\nEnd Notes\n\nThank you! If you are thinking of killing yourself, reach out.\n\nPlease drop by the archive and comment to let the creator know if you enjoyed their work!\n",
			kept:  []string{"The end of the story."},
			gone:  []string{"Afterword", "killing yourself", "Please drop by"},
			notes: []string{"Thank you! If you are thinking of killing yourself, reach out."},
		},
		{
			name:  "indented notes end with their indentation",
			text:  "Chapter 2\n\nChapter Notes\n\n    A note, indented.\n\n    Its second paragraph.\n\nThe story, flush left.\n",
			kept:  []string{"The story, flush left."},
			gone:  []string{"A note, indented", "Its second paragraph"},
			notes: []string{"A note, indented.\n\n    Its second paragraph."},
		},
		{
			name:  "notes longer than AO3 allows end with their first paragraph",
			text:  "Chapter 1\n\nChapter Notes\n\nShort note.\n\n" + strings.Repeat("The story goes on and on. ", 400) + "\n\nSee the end of the chapter for more notes\n",
			kept:  []string{"The story goes on", "See the end of the chapter"},
			gone:  []string{"Short note."},
			notes: []string{"Short note."},
		},
		{
			name: "a story line that merely mentions notes stays",
			text: "Chapter 1\n\nShe left him chapter notes in the margin.\nChapter Notes are for authors.\n",
			kept: []string{"She left him chapter notes", "Chapter Notes are for authors."},
		},
		{
			name: "no blocks, no change",
			text: "Chapter 1\n\nIt was a dark and stormy night.",
			kept: []string{"It was a dark and stormy night."},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, notes := readNotes(t, strings.NewReader(c.text))
			checkFiltered(t, c.text, out, notes, c.kept, c.gone, c.notes)
			// Read a byte at a time, as a streamed story is read in
			// pieces: the same text, the same notes.
			out1, notes1 := readNotes(t, iotest.OneByteReader(strings.NewReader(c.text)))
			if out1 != out || len(notes1) != len(notes) {
				t.Errorf("read a byte at a time: %d notes, text\n%s\nwant %d notes, text\n%s", len(notes1), out1, len(notes), out)
			}
		})
	}
}

// checkFiltered checks a filter's reading out of in: blanked only, with
// the texts kept still there, the texts gone blanked, and notes fields
// (KeyNotes) of the values want.
func checkFiltered(t *testing.T, in, out string, notes []Field, kept, gone, want []string) {
	t.Helper()
	checkBlanked(t, in, out)
	for _, k := range kept {
		if !strings.Contains(out, k) {
			t.Errorf("%q blanked:\n%s", k, out)
		}
	}
	for _, g := range gone {
		if strings.Contains(out, g) {
			t.Errorf("%q kept:\n%s", g, out)
		}
	}
	var got []string
	for _, n := range notes {
		if n.Key != KeyNotes {
			t.Errorf("note %+v: key %q", n, n.Key)
		}
		got = append(got, n.Value)
	}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("notes %q, want %q", got, want)
	}
}

// checkBlanked fails unless out is in with some bytes made spaces, line
// breaks kept.
func checkBlanked(t *testing.T, in, out string) {
	t.Helper()
	if len(out) != len(in) {
		t.Fatalf("%d bytes out of %d in", len(out), len(in))
	}
	for i := range len(in) {
		if out[i] != in[i] && (out[i] != ' ' || in[i] == '\n' || in[i] == '\r') {
			t.Fatalf("byte %d: %q became %q", i, in[i], out[i])
		}
	}
}

// A line longer than the filter's buffer is read in pieces, inside a block
// and out of one.
func TestNoteFilterLongLines(t *testing.T) {
	long := strings.Repeat("word ", 40<<10) // 200 KB, over the 64 KiB buffer
	text := "Chapter 1\n\nChapter Notes\n\n" + long + "\n\nStory " + long + "\n\nChapter End Notes\n\n" + long + "\nChapter 2\n\nThe end.\n"
	out, notes := readNotes(t, strings.NewReader(text))
	checkBlanked(t, text, out)
	if !strings.Contains(out, "Story word word") || !strings.Contains(out, "The end.") {
		t.Error("story text blanked")
	}
	if strings.Count(out, "word") != 40<<10 {
		t.Errorf("%d words kept, want the story's %d", strings.Count(out, "word"), 40<<10)
	}
	if len(notes) != 2 {
		t.Errorf("%d notes, want 2", len(notes))
	}
	out1, _ := readNotes(t, iotest.HalfReader(strings.NewReader(text)))
	if out1 != out {
		t.Error("read in halves: another text")
	}
}

func FuzzNoteFilter(f *testing.F) {
	for _, s := range []string{
		"Chapter 1\n\nChapter Notes\n\nA note.\n\nSee the end of the chapter for more notes\n\nText.\n\nChapter End Notes\n\nBye.\n\nChapter 2\n\nMore.\n\nAfterword\n\nEnd Notes\n\nThanks.",
		"Chapter Summary\n  indented\n\n  more\nflush\nChapter Notes\r\n\r\nx\r\n\r\ny",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		out, notes := readNotes(t, strings.NewReader(text))
		checkBlanked(t, text, out)
		out1, notes1 := readNotes(t, iotest.OneByteReader(strings.NewReader(text)))
		if out1 != out || len(notes1) != len(notes) {
			t.Fatalf("a byte at a time: another reading")
		}
		if !bytes.Contains([]byte(text), []byte("\n")) && strings.TrimSpace(text) != "" && noteLabels[strings.ToLower(strings.TrimSpace(text))] == noteNone && out != text {
			t.Fatalf("one line of text, no label, changed: %q", out)
		}
	})
}

func TestAuthorNoteFilter(t *testing.T) {
	for _, c := range []struct {
		name, text string
		kept, gone []string
		notes      []string
	}{
		{
			name:  "opening and closing notes of a chapter",
			text:  "A/N: Warning for a suicide attempt in this chapter.\n\nShe made tea.\n\nA/N: go read my other fic, the knife one!\nIt has a sequel.\n\nThe end.\n",
			kept:  []string{"She made tea.", "The end."},
			gone:  []string{"suicide attempt", "knife one", "It has a sequel"},
			notes: []string{"Warning for a suicide attempt in this chapter.", "go read my other fic, the knife one!\nIt has a sequel."},
		},
		{
			name:  "a label alone on its line, then its paragraph",
			text:  "Chapter 2\n\n**Author's Note:**\n\nThanks for the reviews! TW: blood.\n\nThe rain came down.\n",
			kept:  []string{"Chapter 2", "The rain came down."},
			gone:  []string{"Author's Note", "TW: blood"},
			notes: []string{"Thanks for the reviews! TW: blood."},
		},
		{
			name:  "labels in other dress",
			text:  "(A/N - short one today)\n\nAN: sorry!\n\nEnd notes: CW for self-harm.\n\nText.\n",
			kept:  []string{"Text."},
			gone:  []string{"short one", "sorry", "self-harm"},
			notes: []string{"short one today)", "sorry!", "CW for self-harm."},
		},
		{
			name: "story lines that are not notes",
			text: "An apple fell.\n\nAnd then: nothing.\n\nNote: the letter said to run.\n\nAuthor of the letter: unknown.\n",
			kept: []string{"An apple fell.", "And then: nothing.", "Note: the letter", "Author of the letter"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := NewAuthorNoteFilter(strings.NewReader(c.text))
			b, err := io.ReadAll(f)
			if err != nil {
				t.Fatal(err)
			}
			checkFiltered(t, c.text, string(b), f.Notes(), c.kept, c.gone, c.notes)
			if HasAuthorNote(c.text) != (len(c.notes) > 0) {
				t.Errorf("HasAuthorNote %v, with %d notes", HasAuthorNote(c.text), len(c.notes))
			}
		})
	}
}

func FuzzAuthorNoteFilter(f *testing.F) {
	f.Add("A/N: hi\n\ntext\n\n**Author's Note:**\n\nx\n\ny")
	f.Add("AN - z\r\nEnd notes: q")
	f.Fuzz(func(t *testing.T, text string) {
		a, err := io.ReadAll(NewAuthorNoteFilter(strings.NewReader(text)))
		if err != nil {
			t.Fatal(err)
		}
		checkBlanked(t, text, string(a))
		b, _ := io.ReadAll(NewAuthorNoteFilter(iotest.OneByteReader(strings.NewReader(text))))
		if string(a) != string(b) {
			t.Fatal("a byte at a time: another reading")
		}
		if !HasAuthorNote(text) && string(a) != text {
			t.Fatalf("HasAuthorNote false, but the filter changed %q", text)
		}
	})
}

// BenchmarkHasAuthorNote measures the scan every free-form story's body
// gets: it must cost little next to tokenizing.
func BenchmarkHasAuthorNote(b *testing.B) {
	para := "And then the rain came down over the harbour, and all of them ran for the sheds.\n\nA moment later it stopped.\n\n"
	text := strings.Repeat(para, (1<<20)/len(para))
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if HasAuthorNote(text) {
			b.Fatal("a note in plain prose")
		}
	}
}
