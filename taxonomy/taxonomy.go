// Package taxonomy holds tagger's label set and rating scale as data, with
// the look-ups that turn what authors write into canonical values.
//
// The labels are the 36 fine-grained ids of the Webis trigger-warning
// taxonomy in 7 groups. Aliases cover the phrases that authors, Archive of
// Our Own (AO3) and the PAN 2023 trigger-detection data use for them. The
// data lives in taxonomy.yaml, embedded in the binary as JSON (go generate
// writes taxonomy.json) and parsed once; a Taxonomy is immutable after
// loading and safe for concurrent use.
package taxonomy

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"

	"github.com/agnivade/levenshtein"
	"go.yaml.in/yaml/v3"
)

// WarningState is what an author declared about warnings as a whole.
type WarningState string

// Warning states of a story (README: Warning states). A story whose author wrote no
// warnings is Missing, never an empty Declared list.
const (
	StateDeclared       WarningState = "declared"
	StateNoneApply      WarningState = "none-apply"
	StateChoseNotToWarn WarningState = "chose-not-to-warn"
	StateMissing        WarningState = "missing"
)

// Label is one canonical label.
type Label struct {
	ID          string `json:"label"`
	Group       string `json:"group"`
	Description string `json:"description"`
}

// entry is what a normalised term means.
type entry struct {
	labels []string
	state  WarningState
	tag    bool
	remark bool // says where the warnings are, or how graphic: nothing to declare
}

// Taxonomy is a loaded label set with its alias tables. Use Default for the
// embedded one.
type Taxonomy struct {
	labels  []Label
	byID    map[string]int
	groups  []string
	exact   map[string]entry // whole-phrase matches
	scan    map[string]entry // matches inside longer phrases
	ao3     map[string]string
	pan     map[string]string
	ratings ratingTable
	// abbrev maps abbreviations, as written in capitals, to the term
	// they stand for ("ED" → "eating disorder").
	abbrev map[string]string
	// words holds the one-word label terms by length, for restoring
	// censored spellings ("su*cide").
	words map[int][]string
}

type fileLabel struct {
	ID          string   `yaml:"id" json:"id"`
	Group       string   `yaml:"group" json:"group"`
	Description string   `yaml:"description" json:"description"`
	Aliases     []string `yaml:"aliases" json:"aliases"`
	Keywords    []string `yaml:"keywords" json:"keywords"`
}

type file struct {
	Groups  []string                       `yaml:"groups" json:"groups"`
	Labels  []fileLabel                    `yaml:"labels" json:"labels"`
	AO3     map[string]string              `yaml:"ao3_warnings" json:"ao3_warnings"`
	PAN     map[string]string              `yaml:"pan2023" json:"pan2023"`
	States  map[WarningState][]string      `yaml:"states" json:"states"`
	Tags    []string                       `yaml:"tags" json:"tags"`
	Remarks []string                       `yaml:"remarks" json:"remarks"`
	Ratings map[string]map[string][]string `yaml:"ratings" json:"ratings"`
	Abbrev  map[string]string              `yaml:"abbreviations" json:"abbreviations"`
}

//go:generate go run ./internal/taxjson

// embeddedJSON is taxonomy.yaml as JSON (go generate writes it), which
// Default reads: encoding/json reads it in a fifth of the time the YAML
// parser takes for the YAML, at every start of tagger.
//
//go:embed taxonomy.json
var embeddedJSON []byte

var defaultTaxonomy = sync.OnceValue(func() *Taxonomy {
	var f file
	err := json.Unmarshal(embeddedJSON, &f)
	var t *Taxonomy
	if err == nil {
		t, err = build(f)
	}
	if err != nil {
		// The embedded file is part of the binary and covered by tests.
		panic(fmt.Sprintf("taxonomy: embedded taxonomy.json: %v", err))
	}
	return t
})

// Default returns the embedded taxonomy, loading it on first use.
func Default() *Taxonomy { return defaultTaxonomy() }

// Load parses a taxonomy file in the format of taxonomy.yaml (which Default
// reads, as JSON) and
// checks it: every label in one known group, every alias pointing at a known
// label, every rating level and system known.
func Load(data []byte) (*Taxonomy, error) {
	var f file
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("parse taxonomy: %w", err)
	}
	return build(f)
}

// build checks a parsed taxonomy file and builds its tables.
func build(f file) (*Taxonomy, error) {
	// The term maps sized for every term at once, not grown as they fill.
	terms := len(f.AO3) + len(f.PAN) + len(f.Tags) + len(f.Remarks)
	for _, l := range f.Labels {
		terms += 1 + len(l.Aliases) + len(l.Keywords)
	}
	for _, phrases := range f.States {
		terms += len(phrases)
	}
	t := &Taxonomy{
		byID:   make(map[string]int, len(f.Labels)),
		groups: f.Groups,
		exact:  make(map[string]entry, terms),
		scan:   make(map[string]entry, terms),
		ao3:    map[string]string{},
		pan:    map[string]string{},
		abbrev: map[string]string{},
		words:  map[int][]string{},
	}
	groups := map[string]bool{}
	for _, g := range f.Groups {
		groups[g] = true
	}
	for _, l := range f.Labels {
		if !groups[l.Group] {
			return nil, fmt.Errorf("label %q: unknown group %q", l.ID, l.Group)
		}
		if _, dup := t.byID[l.ID]; dup {
			return nil, fmt.Errorf("label %q defined twice", l.ID)
		}
		t.byID[l.ID] = len(t.labels)
		t.labels = append(t.labels, Label{ID: l.ID, Group: l.Group, Description: l.Description})
	}
	for _, l := range f.Labels {
		t.addLabel(t.exact, l.ID, l.ID)
		for _, a := range l.Aliases {
			t.addLabel(t.exact, a, l.ID)
			if len(strings.Fields(Fold(a))) > 1 {
				t.addLabel(t.scan, a, l.ID)
			}
		}
		for _, k := range l.Keywords {
			t.addLabel(t.exact, k, l.ID)
			t.addLabel(t.scan, k, l.ID)
		}
	}
	for name, id := range f.AO3 {
		if _, ok := t.byID[id]; !ok {
			return nil, fmt.Errorf("ao3 warning %q: unknown label %q", name, id)
		}
		t.ao3[Fold(name)] = id
		t.addLabel(t.exact, name, id)
		t.addLabel(t.scan, name, id)
	}
	for name, id := range f.PAN {
		if _, ok := t.byID[id]; !ok {
			return nil, fmt.Errorf("pan2023 label %q: unknown label %q", name, id)
		}
		t.pan[Fold(name)] = id
		t.addLabel(t.exact, name, id)
	}
	for state, phrases := range f.States {
		if state != StateNoneApply && state != StateChoseNotToWarn {
			return nil, fmt.Errorf("states: unknown state %q", state)
		}
		for _, p := range phrases {
			k := Fold(p)
			t.exact[k] = entry{state: state}
			if len(strings.Fields(k)) > 2 {
				t.scan[k] = entry{state: state}
			}
		}
	}
	for _, tag := range f.Tags {
		k := Fold(tag)
		if e, ok := t.exact[k]; ok && (len(e.labels) > 0 || e.state != "") {
			return nil, fmt.Errorf("tag %q is also a label alias or state", tag)
		}
		t.exact[k] = entry{tag: true}
		t.scan[k] = entry{tag: true}
	}
	for _, r := range f.Remarks {
		k := Fold(r)
		if _, ok := t.exact[k]; ok {
			return nil, fmt.Errorf("remark %q is also a label alias, state or tag", r)
		}
		t.exact[k] = entry{remark: true}
	}
	for abbr, term := range f.Abbrev {
		if e, ok := t.exact[Fold(term)]; !ok || len(e.labels) == 0 {
			return nil, fmt.Errorf("abbreviation %q: %q names no label", abbr, term)
		}
		if abbr == "" || strings.ToUpper(abbr) != abbr {
			return nil, fmt.Errorf("abbreviation %q: not in capitals", abbr)
		}
		t.abbrev[abbr] = term
	}
	for k, e := range t.exact {
		if len(e.labels) > 0 && isASCIIWord(k) {
			t.words[len(k)] = append(t.words[len(k)], k)
		}
	}
	for _, ws := range t.words {
		sort.Strings(ws) // map order must not decide between two matches
	}
	rt, err := newRatingTable(f.Ratings)
	if err != nil {
		return nil, err
	}
	t.ratings = rt
	if len(t.labels) == 0 {
		return nil, fmt.Errorf("taxonomy has no labels")
	}
	return t, nil
}

func (t *Taxonomy) addLabel(m map[string]entry, term, id string) {
	k := Fold(term)
	if k == "" {
		return
	}
	e := m[k]
	for _, have := range e.labels {
		if have == id {
			return
		}
	}
	e.labels = append(e.labels, id)
	m[k] = e
}

// isASCIIWord reports a lower-case word of ASCII letters only.
func isASCIIWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'a' || s[i] > 'z' {
			return false
		}
	}
	return s != ""
}

// Labels returns the canonical labels in taxonomy order (grouped).
func (t *Taxonomy) Labels() []Label {
	return append([]Label(nil), t.labels...)
}

// Groups returns the group names in taxonomy order.
func (t *Taxonomy) Groups() []string {
	return append([]string(nil), t.groups...)
}

// Label returns the label with the given canonical id.
func (t *Taxonomy) Label(id string) (Label, bool) {
	i, ok := t.byID[id]
	if !ok {
		return Label{}, false
	}
	return t.labels[i], true
}

// Normalize maps a phrase that names a label as a whole ("Graphic Depictions
// Of Violence", "non-con", "eating-disorders") to its canonical id. A phrase
// that names several labels ("murder": violence and death) yields the first;
// NormalizeAll yields them all.
func (t *Taxonomy) Normalize(phrase string) (string, bool) {
	ls := t.NormalizeAll(phrase)
	if len(ls) == 0 {
		return "", false
	}
	return ls[0], true
}

// NormalizeAll maps a phrase that names labels as a whole to all of them.
func (t *Taxonomy) NormalizeAll(phrase string) []string {
	e := t.exact[Fold(phrase)]
	return append([]string(nil), e.labels...)
}

// AO3Warning maps one of AO3's archive warnings (any of its historical
// spellings) to a label; the two state warnings map to a state instead.
func (t *Taxonomy) AO3Warning(name string) (label string, state WarningState, ok bool) {
	k := Fold(name)
	if id, ok := t.ao3[k]; ok {
		return id, "", true
	}
	if e, ok := t.exact[k]; ok && e.state != "" {
		return "", e.state, true
	}
	return "", "", false
}

// PAN2023 maps a PAN 2023 trigger-detection label to a canonical label.
func (t *Taxonomy) PAN2023(name string) (string, bool) {
	id, ok := t.pan[Fold(name)]
	return id, ok
}

// Fold normalises a phrase for look-up: lower case, curly quotes to straight,
// hyphens, underscores and other punctuation to spaces (except "/", "+" and
// apostrophes inside words), spaces collapsed and trimmed, "a / b" to "a/b".
func Fold(s string) string {
	if folded(s) {
		return s // most terms and tags: no copy
	}
	return foldSlow(s)
}

// folded reports whether s is already as Fold leaves it: lower-case ASCII
// letters, digits and '+', in words separated by single spaces.
func folded(s string) bool {
	space := true // at the start, as after a space: none may lead
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case 'a' <= c && c <= 'z', '0' <= c && c <= '9', c == '+':
			space = false
		case c == ' ' && !space:
			space = true
		default:
			return false
		}
	}
	return !space || s == ""
}

// foldSlow is Fold for any s.
func foldSlow(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	pendingSpace := false
	for _, r := range s {
		switch r {
		case '\u2019', '\u2018', '`':
			r = '\''
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '/' || r == '+' || r == '\'' {
			if pendingSpace && b.Len() > 0 {
				b.WriteByte(' ')
			}
			pendingSpace = false
			b.WriteRune(unicode.ToLower(r))
		} else {
			pendingSpace = true
		}
	}
	out := b.String()
	if strings.ContainsAny(out, "/'") {
		out = strings.ReplaceAll(strings.ReplaceAll(out, " /", "/"), "/ ", "/")
		fields := strings.Fields(out)
		kept := fields[:0]
		for _, f := range fields {
			// Quotes around a word are not part of it; "can't" keeps its apostrophe.
			if f = strings.Trim(f, "'"); f != "" {
				kept = append(kept, f)
			}
		}
		out = strings.Join(kept, " ")
	}
	return strings.Trim(out, "/")
}

// Suggest returns the label id closest to s by edit distance, for a "did
// you mean" after a misspelt label; "" when none is within a third of s's
// length (at least 2 edits): a word that far from every id is no typo of
// one.
func (t *Taxonomy) Suggest(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if len(s) > 64 {
		return ""
	}
	best, bestD := "", max(2, len(s)/3)+1
	for _, l := range t.labels {
		if d := levenshtein.ComputeDistance(s, l.ID); d < bestD {
			best, bestD = l.ID, d
		}
	}
	return best
}

// SortLabels sorts label ids in taxonomy order; unknown ids go last, by name.
func (t *Taxonomy) SortLabels(ids []string) {
	sort.SliceStable(ids, func(i, j int) bool {
		a, aok := t.byID[ids[i]]
		b, bok := t.byID[ids[j]]
		switch {
		case aok && bok:
			return a < b
		case aok != bok:
			return aok
		}
		return ids[i] < ids[j]
	})
}

// Normalize maps a phrase to a canonical label using the default taxonomy.
func Normalize(phrase string) (string, bool) { return Default().Normalize(phrase) }

// ParseRating reads a declared rating using the default taxonomy.
func ParseRating(value string) (Rating, bool) { return Default().ParseRating(value) }

// ClassifyWarning reads one warnings phrase using the default taxonomy.
func ClassifyWarning(phrase string) Phrase { return Default().ClassifyWarning(phrase) }

// Known reports whether a phrase as a whole is a term of the taxonomy: a
// label alias, a warning state or a non-warning tag.
func (t *Taxonomy) Known(phrase string) bool {
	_, ok := t.exact[Fold(phrase)]
	return ok
}
