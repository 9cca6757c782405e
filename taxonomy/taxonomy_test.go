package taxonomy

import (
	"os"
	"reflect"
	"slices"
	"testing"
)

func TestLabelsAndGroups(t *testing.T) {
	tx := Default()
	labels := tx.Labels()
	if len(labels) != 36 {
		t.Fatalf("got %d labels, want 36", len(labels))
	}
	if got := tx.Groups(); len(got) != 7 {
		t.Fatalf("got %d groups, want 7: %v", len(got), got)
	}
	perGroup := map[string]int{}
	for _, l := range labels {
		perGroup[l.Group]++
		if l.Description == "" {
			t.Errorf("label %s has no description", l.ID)
		}
	}
	want := map[string]int{"discrimination": 9, "aggression": 5, "abuse": 6, "pregnancy": 4, "medical": 3, "mental-health": 6, "sexual-content": 3}
	for g, n := range want {
		if perGroup[g] != n {
			t.Errorf("group %s has %d labels, want %d", g, perGroup[g], n)
		}
	}
	if l, ok := tx.Label("blood-gore"); !ok || l.Group != "medical" {
		t.Errorf("Label(blood-gore) = %+v, %v", l, ok)
	}
	if _, ok := tx.Label("gore"); ok {
		t.Error("Label(gore) should not exist: it is an alias, not an id")
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"Graphic Depictions Of Violence", "violence"},
		{"graphic depictions of violence", "violence"},
		{"Major Character Death", "death"},
		{"Rape/Non-Con", "sexual-abuse"},
		{"rape / non-con", "sexual-abuse"},
		{"RAPE/NON-CON", "sexual-abuse"},
		{"Underage", "child-abuse"},
		{"Underage Sex", "child-abuse"},
		{"non-con", "sexual-abuse"},
		{"dub-con", "sexual-abuse"},
		{"war", "collective-violence"},
		{"abduction", "kidnapping"},
		{"misogyny", "sexism"},
		{"pornographic-content", "pornography"},
		{"smut", "pornography"},
		{"blood", "blood-gore"},
		{"gore", "blood-gore"},
		{"eating disorder", "dysmorphia"},
		{"eating-disorders", "dysmorphia"},
		{"body-hatred", "dysmorphia"},
		{"fat-phobia", "body-shaming"},
		{"dying", "death"},
		{"character death", "death"},
		{"dissection", "procedures"},
		{"miscarriages", "miscarriage"},
		{"animal-cruelty", "animal-abuse"},
		{"sexual-assault", "sexual-abuse"},
		{"Self-Harm", "self-harm"},
		{"self harm", "self-harm"},
		{"D/s", "other-sexual"},
		{"  Suicide  ", "suicide"},
		{"religious-discrimination", "religious-discrimination"},
		{"Mental Illness", "mental-illness"},
		{"“Violence”", "violence"},
	}
	for _, tc := range tests {
		got, ok := Normalize(tc.in)
		if !ok || got != tc.want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	for _, in := range []string{"", "slash", "No Archive Warnings Apply", "the", "Smith/Neo", "fluff"} {
		if got, ok := Normalize(in); ok {
			t.Errorf("Normalize(%q) = %q, want no label", in, got)
		}
	}
	if got := Default().NormalizeAll("murder"); !slices.Equal(got, []string{"violence", "death"}) {
		t.Errorf("NormalizeAll(murder) = %v, want [violence death]", got)
	}
}

func TestEveryLabelNormalizesToItself(t *testing.T) {
	for _, l := range Default().Labels() {
		if got, ok := Normalize(l.ID); !ok || got != l.ID {
			t.Errorf("Normalize(%q) = %q, %v", l.ID, got, ok)
		}
	}
}

func TestPAN2023(t *testing.T) {
	tx := Default()
	pan := []string{"pornographic-content", "violence", "death", "sexual-assault", "abuse", "blood",
		"suicide", "pregnancy", "child-abuse", "incest", "underage", "homophobia", "self-harm", "dying",
		"kidnapping", "mental-illness", "dissection", "eating-disorders", "abduction", "body-hatred",
		"childbirth", "racism", "sexism", "miscarriages", "transphobia", "abortion", "fat-phobia",
		"animal-death", "ableism", "classism", "misogyny", "animal-cruelty"}
	if len(pan) != 32 {
		t.Fatalf("test list has %d labels", len(pan))
	}
	for _, p := range pan {
		id, ok := tx.PAN2023(p)
		if !ok {
			t.Errorf("PAN2023(%q) not mapped", p)
			continue
		}
		if _, ok := tx.Label(id); !ok {
			t.Errorf("PAN2023(%q) = %q, not a label", p, id)
		}
	}
}

func TestAO3Warning(t *testing.T) {
	tests := []struct {
		in, label string
		state     WarningState
	}{
		{"Graphic Depictions Of Violence", "violence", ""},
		{"Major Character Death", "death", ""},
		{"Rape/Non-Con", "sexual-abuse", ""},
		{"Underage", "child-abuse", ""},
		{"Underage Sex", "child-abuse", ""},
		{"No Archive Warnings Apply", "", StateNoneApply},
		{"Choose Not To Use Archive Warnings", "", StateChoseNotToWarn},
		{"Creator Chose Not To Use Archive Warnings", "", StateChoseNotToWarn},
	}
	for _, tc := range tests {
		label, state, ok := Default().AO3Warning(tc.in)
		if !ok || label != tc.label || state != tc.state {
			t.Errorf("AO3Warning(%q) = %q, %q, %v; want %q, %q", tc.in, label, state, ok, tc.label, tc.state)
		}
	}
	if _, _, ok := Default().AO3Warning("Fluff"); ok {
		t.Error("AO3Warning(Fluff) should not be an archive warning")
	}
}

func TestClassifyWarning(t *testing.T) {
	tests := []struct {
		in      string
		labels  []string
		negated []string
		state   WarningState
		tags    []string
		remark  bool
	}{
		{in: "Major Character Death", labels: []string{"death"}},
		{in: "Disciplinary Spanking of adults using an implement", labels: []string{"violence", "other-sexual"}},
		{in: "non-disciplinary erotic spanking", labels: []string{"other-sexual"}},
		{in: "D/s", labels: []string{"other-sexual"}},
		{in: "M/m", tags: []string{"M/m"}},
		{in: "very explicit", labels: []string{"pornography"}},
		{in: "consensual rough treatment", labels: []string{"other-sexual"}},
		{in: "knotting", labels: []string{"other-sexual"}},
		{in: "Potential spoilers all the Matrix movies", tags: []string{"spoilers"}},
		{in: "Very AU", tags: []string{"Very AU"}},
		{in: "SPOILER WARNING", tags: []string{"SPOILER WARNING"}},
		{in: "slash", tags: []string{"slash"}},
		{in: "which is pretty OOC", tags: []string{"ooc"}},
		{in: "anybody who doesn't like slash (m/m relationships) should stay well away", tags: []string{"slash", "m/m"}},
		{in: "No Archive Warnings Apply", state: StateNoneApply},
		{in: "none", state: StateNoneApply},
		{in: "Creator Chose Not To Use Archive Warnings", state: StateChoseNotToWarn},
		{in: "read at your own risk", state: StateChoseNotToWarn},
		{in: "Choose not to warn", state: StateChoseNotToWarn},
		{in: "Choosing not to warn", state: StateChoseNotToWarn},
		{in: "no character death", negated: []string{"death"}},
		{in: "No major character death", negated: []string{"death"}},
		{in: "not rape", negated: []string{"sexual-abuse"}},
		{in: "nothing explicit", negated: []string{"pornography"}},
		{in: "death (but not Neo's)", labels: []string{"death"}},
		{in: "character death (but no rape)", labels: []string{"death"}, negated: []string{"sexual-abuse"}},
		{in: "graphic torture scenes", labels: []string{"violence"}},
		{in: "implied past child abuse", labels: []string{"child-abuse"}},
		{in: "mentions of self-harm", labels: []string{"self-harm"}},
		{in: "rape/murder", labels: []string{"sexual-abuse", "violence", "death"}},
		{in: "Featuring a non-aggressive!Smith"},
		{in: "Smith/Neo"},
		{in: "the usual"},
		{in: "sex pollen", labels: []string{"other-sexual"}},
		{in: "Rape/Non-Con", labels: []string{"sexual-abuse"}},
		{in: "brief mention of suicidal thoughts", labels: []string{"suicide"}},
		{in: "violence (graphic)", labels: []string{"violence"}},
		{in: "See tags", remark: true},
		{in: "see the tags for details", remark: true},
		{in: "See Author's Notes", remark: true},
		{in: "no graphic content", remark: true},
		{in: "violence (non-graphic)", labels: []string{"violence"}, remark: true},
		{in: "see tags for violence", labels: []string{"violence"}},
	}
	for _, tc := range tests {
		p := ClassifyWarning(tc.in)
		if !slices.Equal(p.Labels, tc.labels) || !slices.Equal(p.Negated, tc.negated) || p.State != tc.state || !slices.Equal(p.Tags, tc.tags) || p.Remark != tc.remark {
			t.Errorf("ClassifyWarning(%q) = labels %v negated %v state %q tags %v remark %v; want %v %v %q %v %v",
				tc.in, p.Labels, p.Negated, p.State, p.Tags, p.Remark, tc.labels, tc.negated, tc.state, tc.tags, tc.remark)
		}
		if p.Raw != tc.in {
			t.Errorf("ClassifyWarning(%q).Raw = %q", tc.in, p.Raw)
		}
		wantUnmapped := len(tc.labels) == 0 && len(tc.negated) == 0 && tc.state == "" && len(tc.tags) == 0 && !tc.remark
		if p.Unmapped() != wantUnmapped {
			t.Errorf("ClassifyWarning(%q).Unmapped() = %v", tc.in, p.Unmapped())
		}
	}
}

func TestParseRating(t *testing.T) {
	tests := []struct {
		in     string
		level  Level
		raw    string
		system string
	}{
		{"NC-17, and I mean it", Explicit, "NC-17", SystemMPAA},
		{"15+", Teen, "15+", SystemAge},
		{"18+ (smut in ch. 3)", Mature, "18+", SystemAge},
		{"21+", Explicit, "21+", SystemAge},
		{"T+", Teen, "T+", SystemFictionRatings},
		{"R (though relatively mild)", Mature, "R", SystemMPAA},
		{"Rated M for language", Mature, "M", SystemFictionRatings},
		{"R", Mature, "R", SystemMPAA},
		{"r", Mature, "r", SystemMPAA},
		{"PG-13", Teen, "PG-13", SystemMPAA},
		{"pg13", Teen, "pg13", SystemMPAA},
		{"PG 13", Teen, "PG 13", SystemMPAA},
		{"[PG-13]", Teen, "PG-13", SystemMPAA},
		{"PG", General, "PG", SystemMPAA},
		{"G", General, "G", SystemMPAA},
		{"K+", General, "K+", SystemFictionRatings},
		{"T", Teen, "T", SystemFictionRatings},
		{"MA", Explicit, "MA", SystemFictionRatings},
		{"FRAO", Explicit, "FRAO", SystemFanRated},
		{"FR13", Teen, "FR13", SystemFanRated},
		{"FRM", Mature, "FRM", SystemFanRated},
		{"FR7", General, "FR7", SystemFanRated},
		{"Teen And Up Audiences", Teen, "Teen And Up Audiences", SystemAO3},
		{"General Audiences", General, "General Audiences", SystemAO3},
		{"Explicit", Explicit, "Explicit", SystemAO3},
		{"Mature", Mature, "Mature", SystemAO3},
		{"Not Rated", NotRated, "Not Rated", SystemAO3},
		// The video-game rating, not AO3's Explicit.
		{"E for Everyone", General, "E for Everyone", SystemAO3},
		{"E (for everyone)", General, "E (for everyone)", SystemAO3},
		{"E", Explicit, "E", SystemAO3},
		{"PG-13 to R", Mature, "R", SystemMPAA},
		{"PG-13/R", Mature, "R", SystemMPAA},
		{"PG-13 (mature themes)", Teen, "PG-13", SystemMPAA},
		{"X", Explicit, "X", SystemMPAA},
		{"NC17 for sex", Explicit, "NC17", SystemMPAA},
		{"Rating: R for violence", Mature, "R", SystemMPAA},
	}
	for _, tc := range tests {
		r, ok := ParseRating(tc.in)
		if !ok || r.Level != tc.level || r.Raw != tc.raw || r.System != tc.system {
			t.Errorf("ParseRating(%q) = %+v, %v; want %v %q %q", tc.in, r, ok, tc.level, tc.raw, tc.system)
		}
	}
	for _, in := range []string{"", "ask first", "a tale of woe", "I am", "for mature readers only?"} {
		if r, ok := ParseRating(in); ok && in != "for mature readers only?" {
			t.Errorf("ParseRating(%q) = %+v, want none", in, r)
		}
	}
}

func TestLevelOrder(t *testing.T) {
	if !(General < Teen && Teen < Mature && Mature < Explicit) {
		t.Fatal("rating levels out of order")
	}
	if NotRated.Ordered() || Unknown.Ordered() || !Teen.Ordered() {
		t.Error("Ordered() wrong")
	}
	for _, l := range []Level{NotRated, General, Teen, Mature, Explicit} {
		back, ok := ParseLevel(l.String())
		if !ok || back != l {
			t.Errorf("ParseLevel(%q) = %v, %v", l.String(), back, ok)
		}
	}
}

func TestLoadRejectsBadData(t *testing.T) {
	tests := map[string]string{
		"unknown group":              "groups: [a]\nlabels:\n  - {id: x, group: b}\n",
		"duplicate label":            "groups: [a]\nlabels:\n  - {id: x, group: a}\n  - {id: x, group: a}\n",
		"bad ao3 target":             "groups: [a]\nlabels:\n  - {id: x, group: a}\nao3_warnings: {Foo: y}\n",
		"bad level":                  "groups: [a]\nlabels:\n  - {id: x, group: a}\nratings: {weird: {mpaa: [Q]}}\n",
		"bad system":                 "groups: [a]\nlabels:\n  - {id: x, group: a}\nratings: {teen: {imdb: [Q]}}\n",
		"tag is a label":             "groups: [a]\nlabels:\n  - {id: x, group: a, aliases: [foo]}\ntags: [foo]\n",
		"remark is a tag":            "groups: [a]\nlabels:\n  - {id: x, group: a}\ntags: [foo]\nremarks: [foo]\n",
		"bad abbreviation":           "groups: [a]\nlabels:\n  - {id: x, group: a, aliases: [foo]}\nabbreviations: {FB: bar}\n",
		"abbreviation in lower case": "groups: [a]\nlabels:\n  - {id: x, group: a, aliases: [foo]}\nabbreviations: {fo: foo}\n",
		"no labels":                  "groups: [a]\n",
		"not yaml":                   "groups: [",
	}
	for name, data := range tests {
		if _, err := Load([]byte(data)); err == nil {
			t.Errorf("%s: Load accepted bad data", name)
		}
	}
}

func TestFold(t *testing.T) {
	tests := map[string]string{
		"Rape / Non-Con":     "rape/non con",
		"  Self—Harm  ":      "self harm",
		"’Death’":            "death",
		"can't":              "can't",
		"Warning(s)":         "warning s",
		"K+":                 "k+",
		"Teen_And_Up":        "teen and up",
		"ÉPOUVANTE, Ménage!": "épouvante ménage",
	}
	for in, want := range tests {
		if got := Fold(in); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
	// Already folded: Fold returns it, as the slow path would.
	for _, s := range []string{"", "rape", "self harm", "k+", "a + b", "18+ only"} {
		if !folded(s) || Fold(s) != s || foldSlow(s) != s {
			t.Errorf("%q: folded %v, Fold %q, slow %q", s, folded(s), Fold(s), foldSlow(s))
		}
	}
	for _, s := range []string{" a", "a ", "a  b", "A", "a/b", "can't", "é", "a-b"} {
		if folded(s) {
			t.Errorf("%q taken for folded", s)
		}
	}
}

// FuzzFold: Fold's fast path (a string already folded) returns what the
// full fold does.
func FuzzFold(f *testing.F) {
	for _, s := range []string{"", "self harm", "Rape / Non-Con", " a", "a  b", "k+", "can't"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if folded(s) && foldSlow(s) != s {
			t.Fatalf("%q taken for folded, but folds to %q", s, foldSlow(s))
		}
	})
}

// Fans abbreviate AO3's ratings to G/T/M/E; "E" is explicit.
func TestParseRatingAO3Letters(t *testing.T) {
	for in, want := range map[string]string{"E": "explicit", "M": "mature", "T": "teen"} {
		r, ok := Default().ParseRating(in)
		if !ok || r.Canonical() != want {
			t.Errorf("ParseRating(%q) = %v, %v; want %s", in, r.Canonical(), ok, want)
		}
	}
}

// TestLevelDeclares: only Explicit declares a label by its definition, and
// the label it declares is one of the taxonomy's.
func TestLevelDeclares(t *testing.T) {
	tx := Default()
	for _, lv := range []Level{Unknown, NotRated, General, Teen, Mature, Explicit} {
		got := lv.Declares()
		if (lv == Explicit) != (len(got) > 0) {
			t.Errorf("%v declares %v", lv, got)
		}
		for _, id := range got {
			if _, ok := tx.Label(id); !ok {
				t.Errorf("%v declares %q, which is no label of the taxonomy", lv, id)
			}
		}
	}
}

// TestEmbeddedJSONCurrent fails when taxonomy.json, which Default reads,
// does not give the taxonomy that taxonomy.yaml does: run go generate in
// taxonomy.
func TestEmbeddedJSONCurrent(t *testing.T) {
	src, err := os.ReadFile("taxonomy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want, err := Load(src)
	if err != nil {
		t.Fatal(err)
	}
	if got := Default(); !reflect.DeepEqual(got, want) {
		t.Fatal("taxonomy.json gives another taxonomy than taxonomy.yaml: run go generate in taxonomy")
	}
}
