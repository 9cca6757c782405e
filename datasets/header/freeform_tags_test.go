package header

import (
	"bufio"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/tagger-dev/tagger/taxonomy"
)

// TestFreeformTagsTable checks the embedded table as data: it parses, it is
// of the size its review made it, and every label it names is a label of
// the taxonomy.
func TestFreeformTagsTable(t *testing.T) {
	rows, err := parseFreeformTags(freeformTagsTSV)
	if err != nil {
		t.Fatal(err)
	}
	// Several hundred reviewed spellings; a much smaller table means the
	// file was truncated or the parser skips rows.
	if len(rows) < 500 {
		t.Errorf("table has %d rows, want several hundred", len(rows))
	}
	if got := len(freeformTable()); got != len(rows) {
		t.Errorf("freeformTable has %d keys, the file %d rows", got, len(rows))
	}
	tx := taxonomy.Default()
	mapped, negations, none := 0, 0, 0
	for _, r := range rows {
		for _, id := range slices.Concat(r.Labels, r.Negated) {
			if _, ok := tx.Label(id); !ok {
				t.Errorf("%q: label %q is not in the taxonomy", r.Tag, id)
			}
		}
		switch {
		case len(r.Labels) > 0:
			mapped++
		case len(r.Negated) > 0:
			negations++
		default:
			none++
		}
	}
	t.Logf("%d rows: %d name labels, %d only rule labels out, %d reviewed as no warning", len(rows), mapped, negations, none)
}

// TestFreeformTagsRowsMapAsWritten runs every row of the table through
// freeformWarnings: as written, in other case and spacing, with AO3's
// " - Freeform" suffix and, for rows without parentheses, with a trailing
// parenthetical. Each must give the row's labels, in its order.
func TestFreeformTagsRowsMapAsWritten(t *testing.T) {
	rows, err := parseFreeformTags(freeformTagsTSV)
	if err != nil {
		t.Fatal(err)
	}
	tx := taxonomy.Default()
	for _, r := range rows {
		forms := []string{r.Tag, strings.ToUpper(r.Tag), " " + strings.ToLower(r.Tag) + " ", r.Tag + " - Freeform"}
		if !strings.ContainsAny(r.Tag, "([") {
			forms = append(forms, r.Tag+" (Harry Potter)")
		}
		for _, tag := range forms {
			labels, negated := freeformWarnings(tx, tag)
			if !sameLabels(labels, r.Labels) || !sameLabels(negated, r.Negated) {
				t.Errorf("freeformWarnings(%q) = %q, negated %q; the table says %q, negated %q", tag, labels, negated, r.Labels, r.Negated)
			}
		}
	}
}

// TestFreeformTagsSample pins the table's reading of the spellings that
// matter most: AO3's common canonical warning tags, tags the rules alone
// misread, and tags that are no warning.
func TestFreeformTagsSample(t *testing.T) {
	tests := []struct {
		tag             string
		labels, negated []string
	}{
		// AO3's canonical warning tags.
		{"Implied/Referenced Self-Harm", []string{"self-harm"}, nil},
		{"Suicidal Thoughts", []string{"suicide"}, nil},
		{"Blood and Gore", []string{"blood-gore"}, nil},
		{"Homophobic Language", []string{"homophobia"}, nil},
		{"Period-Typical Homophobia", []string{"homophobia"}, nil},
		{"Past Child Abuse", []string{"child-abuse"}, nil},
		{"Torture", []string{"violence"}, nil},
		{"Canon-Typical Violence", []string{"violence"}, nil},
		{"Alcoholism", []string{"addiction"}, nil},
		{"Panic Attacks", []string{"mental-illness"}, nil},
		{"Eating Disorders", []string{"dysmorphia"}, nil},
		{"Implied/Referenced Character Death", []string{"death"}, nil},
		{"Temporary Character Death", []string{"death"}, nil},
		{"Abusive Dursleys", []string{"child-abuse"}, nil},
		{"Implied Sexual Abuse", []string{"sexual-abuse"}, nil},
		{"Rape/Non-con Elements", []string{"sexual-abuse"}, nil},
		{"Dubious Consent", []string{"sexual-abuse"}, nil},
		{"Grief/Mourning", []string{"other-mental-health", "death"}, nil},
		{"Murder", []string{"violence", "death"}, nil},
		{"Explicit Sexual Content", []string{"pornography"}, nil},
		{"Pregnancy", []string{"other-pregnancy"}, nil},
		{"Miscarriage", []string{"miscarriage"}, nil},
		{"Second Wizarding War", []string{"collective-violence"}, nil},
		// The rules alone miss these or misread them.
		{"Post-Traumatic Stress Disorder - PTSD", []string{"mental-illness"}, nil}, // not a "Post-" setting
		{"Childhood Sexual Abuse", []string{"sexual-abuse", "child-abuse"}, nil},
		{"Murder-Suicide", []string{"violence", "death", "suicide"}, nil},
		{"Blood Drinking", []string{"blood-gore"}, nil}, // vampires, not alcohol
		{"Consensual Somnophilia", []string{"other-sexual"}, nil},
		{"Abusive Dursley Family (Harry Potter)", []string{"child-abuse"}, nil},
		{"Major character death - Freeform", []string{"death"}, nil},
		{"Stockholm Syndrome", []string{"kidnapping", "abuse"}, nil},
		// Negations.
		{"No Character Death", nil, []string{"death"}},
		{"Alternate Universe - Everyone Lives/Nobody Dies", nil, []string{"death"}},
		{"Everyone Is Alive", nil, []string{"death"}},
		{"No Smut", nil, []string{"pornography"}},
		// No warning: settings, names, tropes, idioms.
		{"Post-War", nil, nil},
		{"Post-Battle of Hogwarts", nil, nil},
		{"Death Eaters", nil, nil},
		{"Master of Death", nil, nil},
		{"Dark Harry", nil, nil},
		{"Murder Husbands", nil, nil},
		{"Snowball Fight", nil, nil},
		{"Pride and Prejudice References", nil, nil},
		{"Pure Blood", nil, nil},
		{"Identity Porn", nil, nil},
		{"Sign Language", nil, nil},
		{"Character Death Fix", nil, nil},
		{"Near Death Experiences", nil, nil},
		{"Fluff", nil, nil},
		{"Angst", nil, nil},
		{"Hurt/Comfort", nil, nil},
	}
	tx := taxonomy.Default()
	for _, tc := range tests {
		labels, negated := freeformWarnings(tx, tc.tag)
		if !sameLabels(labels, tc.labels) || !sameLabels(negated, tc.negated) {
			t.Errorf("freeformWarnings(%q) = %q, negated %q; want %q, negated %q", tc.tag, labels, negated, tc.labels, tc.negated)
		}
	}
}

// TestFreeformTagsNotShared checks that the labels freeformWarnings returns
// for a table row are the caller's to change.
func TestFreeformTagsNotShared(t *testing.T) {
	tx := taxonomy.Default()
	labels, _ := freeformWarnings(tx, "Murder")
	labels[0] = "changed"
	if again, _ := freeformWarnings(tx, "Murder"); again[0] != "violence" {
		t.Fatalf("the table changed through a returned slice: %q", again)
	}
}

func TestParseFreeformTagsErrors(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"same key after folding", "Self-Harm\tself-harm\nself harm\tself-harm\n", "line 1's tag"},
		{"no tab", "Self-Harm self-harm\n", "want a tag, a tab"},
		{"no labels", "Self-Harm\t\n", "want a tag, a tab"},
		{"two tabs", "Self-Harm\tself-harm\tx\n", "want a tag, a tab"},
		{"label spelling", "Self-Harm\tSelf Harm\n", "bad label"},
		{"empty label", "Self-Harm\tself-harm,\n", "bad label"},
		{"bare negation", "No Death\t!\n", "bad label"},
		{"label twice", "Death\tdeath,!death\n", "twice"},
		{"tag of punctuation", "--\tdeath\n", "folds to nothing"},
	}
	for _, tc := range tests {
		_, err := parseFreeformTags(tc.data)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want one containing %q", tc.name, err, tc.want)
		}
	}
	rows, err := parseFreeformTags("# comment\n\nNo Character Death\t!death\r\nDeath Eaters\t-\nMurder\tviolence, death\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []freeformTag{
		{Tag: "No Character Death", Negated: []string{"death"}},
		{Tag: "Death Eaters"},
		{Tag: "Murder", Labels: []string{"violence", "death"}},
	}
	if len(rows) != len(want) {
		t.Fatalf("rows = %+v, want %+v", rows, want)
	}
	for i := range want {
		if rows[i].Tag != want[i].Tag || !sameLabels(rows[i].Labels, want[i].Labels) || !sameLabels(rows[i].Negated, want[i].Negated) {
			t.Errorf("row %d = %+v, want %+v", i, rows[i], want[i])
		}
	}
}

// TestFreeformTagsOnAO3Works measures the freeform reading on a corpus of
// real AO3 works (works.jsonl, one work a line, its tags as written in
// "freeform") when one is at hand: in $AO3_WORKS, else /tmp/ao3-works. It
// logs the share of works whose tags declare a label, the works per label
// and how much of that the table decides; it asserts only sanity, as the
// corpus is not part of the repository.
func TestFreeformTagsOnAO3Works(t *testing.T) {
	dir := os.Getenv("AO3_WORKS")
	if dir == "" {
		dir = "/tmp/ao3-works"
	}
	path := filepath.Join(dir, "works.jsonl")
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("no AO3 works corpus at %s (set AO3_WORKS to the directory holding works.jsonl)", path)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	tx := taxonomy.Default()
	perLabel := map[string]int{}
	var works, labelled, tags, tagLabels, tagLabelsFromTable, tableHits int
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<20), 64<<20)
	for sc.Scan() {
		var w struct {
			Freeform []string `json:"freeform"`
		}
		if err := json.Unmarshal(sc.Bytes(), &w); err != nil {
			t.Fatalf("%s: work %d: %v", path, works+1, err)
		}
		works++
		var got []string
		for _, tag := range w.Freeform {
			tags++
			labels, _ := freeformWarnings(tx, tag)
			_, inTable := lookupFreeformTag(tag)
			if inTable {
				tableHits++
			}
			if len(labels) > 0 {
				tagLabels++
				if inTable {
					tagLabelsFromTable++
				}
			}
			got = appendNew(got, labels...)
		}
		if len(got) > 0 {
			labelled++
		}
		for _, l := range got {
			perLabel[l]++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if works == 0 || tags == 0 {
		t.Fatalf("%s: %d works, %d tags", path, works, tags)
	}
	t.Logf("%d works, %d freeform tags: %.1f%% of works declare a label through their tags", works, tags, 100*float64(labelled)/float64(works))
	t.Logf("tags naming a label: %d, of which the table decides %.1f%%; table rows matched %d tags in all",
		tagLabels, 100*float64(tagLabelsFromTable)/float64(max(tagLabels, 1)), tableHits)
	ids := make([]string, 0, len(perLabel))
	for id := range perLabel {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		if perLabel[ids[i]] != perLabel[ids[j]] {
			return perLabel[ids[i]] > perLabel[ids[j]]
		}
		return ids[i] < ids[j]
	})
	for _, id := range ids {
		t.Logf("  %-24s %5d works", id, perLabel[id])
	}
	// Sanity, not a benchmark: any AO3 sample of this kind warns through
	// its tags for several labels.
	if len(ids) < 5 {
		t.Errorf("only %d labels declared through freeform tags: %q", len(ids), ids)
	}
	for _, id := range ids {
		if _, ok := tx.Label(id); !ok {
			t.Errorf("label %q is not in the taxonomy", id)
		}
	}
}
