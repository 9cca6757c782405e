package taxonomy

import (
	"slices"
	"testing"
)

// TestClassifyWarningSpellings pins the community spellings, answers and
// qualifiers that warnings fields use.
func TestClassifyWarningSpellings(t *testing.T) {
	tests := []struct {
		in      string
		labels  []string
		negated []string
		state   WarningState
	}{
		// Censored words: one mark per letter, marks at the ends kept.
		{in: "su*cide", labels: []string{"suicide"}},
		{in: "su!cide", labels: []string{"suicide"}},
		{in: "Su1c1de!", labels: []string{"suicide"}},
		{in: "mentions of r*pe", labels: []string{"sexual-abuse"}},
		{in: "non-aggressive!Smith"},
		// Abbreviations: capitals anywhere, any case as the whole phrase.
		{in: "ED", labels: []string{"dysmorphia"}},
		{in: "ed", labels: []string{"dysmorphia"}},
		{in: "past ED", labels: []string{"dysmorphia"}},
		{in: "Ed being Ed"},
		{in: "SH", labels: []string{"self-harm"}},
		{in: "s/h", labels: []string{"self-harm"}},
		{in: "MCD", labels: []string{"death"}},
		{in: "implied MCD", labels: []string{"death"}},
		{in: "CSA", labels: []string{"child-abuse"}},
		{in: "unalive thoughts", labels: []string{"suicide"}},
		// Slashes: each side a phrase of its own.
		{in: "self harm/suicide/ED", labels: []string{"self-harm", "suicide", "dysmorphia"}},
		{in: "abuse/neglect", labels: []string{"abuse", "other-abuse"}},
		{in: "non-con/dub-con", labels: []string{"sexual-abuse"}},
		{in: "H/D if you squint"},
		// Qualifiers round a one-word term.
		{in: "mentions of slavery", labels: []string{"other-abuse"}},
		{in: "some mild language", labels: []string{"abusive-language"}},
		{in: "medical language", labels: []string{"other-medical"}},
		{in: "a riot", labels: []string{"collective-violence"}},
		{in: "dehumanisation", labels: []string{"other-abuse"}},
		{in: "delusions", labels: []string{"mental-illness"}},
		{in: "light cursing", labels: []string{"abusive-language"}},
		// Answers and negations.
		{in: "MCD? no", negated: []string{"death"}},
		{in: "Violence? yes", labels: []string{"violence"}},
		{in: "Character death: none", negated: []string{"death"}},
		{in: "Sex: a little", labels: []string{"pornography"}},
		{in: "no smut", negated: []string{"pornography"}},
		{in: "no one dies", negated: []string{"death"}},
		{in: "nobody dies", negated: []string{"death"}},
		{in: "no ED", negated: []string{"dysmorphia"}},
		// Nothing to warn for.
		{in: "nothing graphic", state: StateNoneApply},
		{in: "None that I can think of", state: StateNoneApply},
		{in: "maybe PG-13"},
		{in: "Dead Dove: Do Not Eat"},
		{in: "Explicit themes of depression", labels: []string{"mental-illness"}},
	}
	for _, tc := range tests {
		p := ClassifyWarning(tc.in)
		if !sameSet(p.Labels, tc.labels) || !sameSet(p.Negated, tc.negated) || p.State != tc.state {
			t.Errorf("ClassifyWarning(%q) = labels %v negated %v state %q; want %v %v %q",
				tc.in, p.Labels, p.Negated, p.State, tc.labels, tc.negated, tc.state)
		}
		if p.Raw != tc.in {
			t.Errorf("ClassifyWarning(%q).Raw = %q", tc.in, p.Raw)
		}
	}
}

// TestClassifyTerm pins the strict reading of keyword and category lists.
func TestClassifyTerm(t *testing.T) {
	tests := []struct {
		in      string
		labels  []string
		negated []string
		tags    bool
	}{
		{in: "Character Death", labels: []string{"death"}},
		{in: "MCD", labels: []string{"death"}},
		{in: "Implied/Referenced Suicide", labels: []string{"suicide"}},
		{in: "Drama/Tragedy/Character Death", labels: []string{"death"}, tags: true},
		{in: "Scully Death", labels: []string{"death"}},
		{in: "Mulder character death", labels: []string{"death"}},
		{in: "no MCD", negated: []string{"death"}},
		{in: "MCD? no", negated: []string{"death"}},
		{in: "deathfic", labels: []string{"death"}},
		{in: "AU", tags: true},
		{in: "V"},
		{in: "A"},
		{in: "R"},
		{in: "MSR"},
		{in: "Ed"},
		{in: "Death Eaters"},
		{in: "Dark Mark"},
		{in: "Set after the war"},
		{in: "My first fic for this fandom"},
		{in: "Mulder/Scully"},
		{in: ""},
	}
	for _, tc := range tests {
		p := Default().ClassifyTerm(tc.in)
		if !sameSet(p.Labels, tc.labels) || !sameSet(p.Negated, tc.negated) || (len(p.Tags) > 0) != tc.tags {
			t.Errorf("ClassifyTerm(%q) = labels %v negated %v tags %v; want %v %v tags %v",
				tc.in, p.Labels, p.Negated, p.Tags, tc.labels, tc.negated, tc.tags)
		}
	}
}

func TestRatingSpan(t *testing.T) {
	tests := []struct {
		in         string
		level      Level
		start, end int
	}{
		{"NC-17 for graphic sex", Explicit, 0, 5},
		{"R — violence", Mature, 0, 1},
		{"PG, a little mild fighting", General, 0, 2},
		{"  [PG-13] (for language)", Teen, 3, 8},
		{"PG-13 to R for violence", Mature, 9, 10},
		{"Teen And Up Audiences, for swearing", Teen, 0, 21},
	}
	for _, tc := range tests {
		r, start, end, ok := Default().RatingSpan(tc.in)
		if !ok || r.Level != tc.level || start != tc.start || end != tc.end || tc.in[start:end] != r.Raw {
			t.Errorf("RatingSpan(%q) = %v %d %d %v (raw %q); want %v %d %d", tc.in, r.Level, start, end, ok, r.Raw, tc.level, tc.start, tc.end)
		}
	}
	if _, _, _, ok := Default().RatingSpan("for violence"); ok {
		t.Error(`RatingSpan("for violence") found a rating`)
	}
}

func TestIsAnswer(t *testing.T) {
	for in, want := range map[string]bool{"no": true, " Nope ": true, "not really": true, "yes": true, "a little": true,
		"violence": false, "": false, "no one": false} {
		if got := IsAnswer(in); got != want {
			t.Errorf("IsAnswer(%q) = %v, want %v", in, got, want)
		}
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// TestClassifyWhole pins that only whole terms name a warning, and the
// animal-death and bombing aliases.
func TestClassifyWhole(t *testing.T) {
	tx := Default()
	tests := []struct {
		in      string
		labels  []string
		negated []string
	}{
		{"dubcon", []string{"sexual-abuse"}, nil},
		{"MCD", []string{"death"}, nil},
		{"implied MCD", []string{"death"}, nil},
		{"no MCD", nil, []string{"death"}},
		{"on the dead", nil, nil},
		{"Mulder character death", nil, nil},
		{"Teen Wolf", nil, nil},
		{"Ed", nil, nil},
		{"Derek/Stiles", nil, nil},
		{"dog death", []string{"death", "animal-abuse"}, nil},
		{"air raids", []string{"collective-violence"}, nil},
		{"bombings", []string{"violence", "collective-violence"}, nil},
	}
	for _, tt := range tests {
		p := tx.ClassifyWhole(tt.in)
		tx.SortLabels(p.Labels)
		tx.SortLabels(p.Negated)
		if !slices.Equal(p.Labels, tt.labels) || !slices.Equal(p.Negated, tt.negated) {
			t.Errorf("ClassifyWhole(%q) = %v, negated %v; want %v, negated %v", tt.in, p.Labels, p.Negated, tt.labels, tt.negated)
		}
	}
}
