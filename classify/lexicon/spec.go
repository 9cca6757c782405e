package lexicon

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/taxonomy"
)

// Limits of a lexicon file.
const (
	// Version is the lexicon file format version this package reads.
	Version = 1
	// MaxWeight is the largest term weight.
	MaxWeight = 10
	// MaxPhraseWords is the most words (wildcards and the parts of
	// hyphenated words included) a term or phrase may have.
	MaxPhraseWords = 8
	// MinTerms is the number of terms with a positive weight every label
	// and rating cue set needs in a full lexicon (Load).
	MinTerms = 3
	// DefaultSimileFactor is the simile factor when a file sets none.
	DefaultSimileFactor = 0.3
	// MaxRepeatSpan is the largest repeat_span, in tokens.
	MaxRepeatSpan = 10000
	// MaxSceneSpan is the largest scene_span, in tokens.
	MaxSceneSpan = 1000
	// MaxScenes is the most scenes a lexicon may have.
	MaxScenes = 8
	// MinTogetherGroups and MaxTogetherGroups bound the groups of a
	// together rule.
	MinTogetherGroups = 2
	MaxTogetherGroups = 4
	// MaxGroupWords is the most words a group of a together rule may list.
	MaxGroupWords = 64
	// MaxTogetherRules is the most together rules a lexicon may have.
	MaxTogetherRules = 100
	// MaxTogetherSpan is the largest span of a together rule, in tokens;
	// DefaultTogetherSpan is the span of a rule that gives none.
	MaxTogetherSpan     = 200
	DefaultTogetherSpan = 40
	// simileMaxSkip is how many simile_skip words may stand between a
	// simile cue and a term ("like a war zone", "as if he had been shot").
	simileMaxSkip = 3
)

// Rating cue sets: the Label of their hits.
const (
	RatingSexual   = "rating:sexual"
	RatingViolence = "rating:violence"
	RatingLanguage = "rating:language"
)

var ratingKeys = []string{"sexual", "violence", "language"}

// spec is a lexicon as data: what Load builds from a file and Merge edits
// with an overlay before compiling it into matchers.
type spec struct {
	factor     float64
	repeatSpan int
	sceneSpan  int
	scenes     []*sceneSpec
	// dialogueFactor weighs a one-word hit of dialogueLabels inside
	// double quotes (1: no discount).
	dialogueFactor float64
	dialogueLabels []string
	similes        []phrase
	skip           []phrase
	irregular      map[string][]string // normalised word → extra forms
	exceptions     []phrase            // for every label
	cats           []*catSpec          // labels in taxonomy order, then rating cue sets
}

type catSpec struct {
	name       string // label id or RatingSexual, ...
	terms      []termSpec
	exceptions []phrase
	together   []togetherSpec
	// index maps a term's key to its position in terms, so that applying
	// a file finds a term in constant time rather than by scanning terms
	// (which made loading an overlay quadratic in its size). It is built
	// on first use (see find) and dropped whenever terms is rebuilt.
	index map[string]int
	// removed counts the terms marked removed (termSpec.removed) and not
	// yet dropped by compact.
	removed int
}

// find returns the position of the live term with the given key, or -1.
func (c *catSpec) find(key string) int {
	if c.index == nil {
		c.index = make(map[string]int, len(c.terms))
		for i, t := range c.terms {
			if _, dup := c.index[t.key]; !dup && !t.removed {
				c.index[t.key] = i // the first, as a scan would find
			}
		}
	}
	if i, ok := c.index[key]; ok {
		return i
	}
	return -1
}

// add appends a term and indexes it.
func (c *catSpec) add(t termSpec) {
	c.find(t.key) // builds the index if needed
	c.index[t.key] = len(c.terms)
	c.terms = append(c.terms, t)
}

// remove marks the term at i removed. Deleting it at once would shift
// every later term's position; compact drops marked terms in one pass.
func (c *catSpec) remove(i int) {
	delete(c.index, c.terms[i].key)
	c.terms[i].removed = true
	c.removed++
}

// compact drops the terms marked removed, keeping the others in order.
func (c *catSpec) compact() {
	if c.removed == 0 {
		return
	}
	c.terms = slices.DeleteFunc(c.terms, func(t termSpec) bool { return t.removed })
	c.removed, c.index = 0, nil
}

type termSpec struct {
	text   string // as written, trimmed
	key    string // identity: normalised words joined by spaces
	words  []word // parsed text; shared between clones, never modified
	weight float64
	forms  []string
	exact  bool
	// fixed: a negation does not undo the term (a slur is used even in
	// "I didn't raise a faggot").
	fixed bool
	// lower: written with a capital mid-sentence, the term's first word
	// is a name ("Dick"), not the term (capitalised: false).
	lower bool
	// hyphened: the hyphenated word matches written with its hyphen or
	// closed up, not as separate words (spaced: false).
	hyphened bool
	line     int
	// removed marks a term an overlay removed, until catSpec.compact.
	removed bool
}

// togetherSpec is a together rule: a word of every group within span
// tokens shows the label with weight, as one term would.
type togetherSpec struct {
	weight float64
	span   int
	groups [][]string // normalised single words
	line   int
}

// text names the rule in hits and explanations: the first word of each
// group ("blade + forearm + lines").
func (t togetherSpec) text() string {
	first := make([]string, len(t.groups))
	for i, g := range t.groups {
		first[i] = g[0]
	}
	return strings.Join(first, " + ")
}

// sceneSpec is one scene: hits of its labels (of its terms alone, when
// it lists terms) with two of its phrases within scene_span tokens are
// figurative.
type sceneSpec struct {
	name    string
	labels  []string // label ids
	terms   []phrase // nil: every term of the labels
	phrases []phrase
}

func (s *spec) scene(name string) *sceneSpec {
	for _, sc := range s.scenes {
		if sc.name == name {
			return sc
		}
	}
	return nil
}

type phrase struct {
	text  string
	key   string
	words []word // parsed text; shared between clones, never modified
	line  int
}

// newSpec returns an empty spec with a category for every label and
// rating cue set.
func newSpec() *spec {
	s := &spec{factor: DefaultSimileFactor, dialogueFactor: 1, irregular: map[string][]string{}}
	for _, l := range taxonomy.Default().Labels() {
		s.cats = append(s.cats, &catSpec{name: l.ID})
	}
	for _, r := range ratingKeys {
		s.cats = append(s.cats, &catSpec{name: "rating:" + r})
	}
	return s
}

func (s *spec) clone() *spec {
	c := &spec{
		factor:     s.factor,
		repeatSpan: s.repeatSpan,
		sceneSpan:  s.sceneSpan,
		similes:    slices.Clone(s.similes),
		// The dialogue settings are plain values and a list replaced
		// whole, never edited in place.
		dialogueFactor: s.dialogueFactor,
		dialogueLabels: s.dialogueLabels,
		skip:           slices.Clone(s.skip),
		irregular:      make(map[string][]string, len(s.irregular)),
		exceptions:     slices.Clone(s.exceptions),
	}
	for k, v := range s.irregular {
		c.irregular[k] = slices.Clone(v)
	}
	for _, sc := range s.scenes {
		c.scenes = append(c.scenes, &sceneSpec{name: sc.name, labels: slices.Clone(sc.labels),
			terms: slices.Clone(sc.terms), phrases: slices.Clone(sc.phrases)})
	}
	for _, cat := range s.cats {
		cc := &catSpec{name: cat.name, exceptions: slices.Clone(cat.exceptions), together: slices.Clone(cat.together)}
		for _, t := range cat.terms {
			t.forms = slices.Clone(t.forms)
			cc.terms = append(cc.terms, t)
		}
		c.cats = append(c.cats, cc)
	}
	return c
}

func (s *spec) cat(name string) *catSpec {
	for _, c := range s.cats {
		if c.name == name {
			return c
		}
	}
	return nil
}

// apply adds the file doc to s. A base file (overlay false) must not
// repeat itself or remove anything; an overlay may replace and remove.
func (s *spec) apply(doc *rawDoc, overlay bool, el *errList) {
	if doc.version != nil && *doc.version != Version {
		el.add(doc.versionLine, "version", "%d is not supported; this tagger reads version %d", *doc.version, Version)
	}
	if doc.version == nil && !overlay {
		el.add(0, "lexicon", "missing version; start the file with \"version: %d\"", Version)
	}
	if f := doc.simileFactor; f != nil {
		if math.IsNaN(*f) || *f < 0 || *f > 1 {
			el.add(doc.factorLine, "simile_factor", "%v is out of range; use a number from 0 (ignore figurative hits) to 1 (count them fully)", *f)
		} else {
			s.factor = *f
		}
	}
	if n := doc.repeatSpan; n != nil {
		if *n < 0 || *n > MaxRepeatSpan {
			el.add(doc.repeatLine, "repeat_span", "%d is out of range; use a number of tokens from 0 (count every repeat fully) to %d", *n, MaxRepeatSpan)
		} else {
			s.repeatSpan = *n
		}
	}
	for _, ir := range doc.irregular {
		word, ok := singleWord(ir.word)
		if !ok {
			el.add(ir.line, fmt.Sprintf("irregular %q", ir.word), "must be one word (letters, digits, apostrophes)")
			continue
		}
		for _, f := range ir.forms {
			form, ok := singleWord(f)
			if !ok {
				el.add(ir.line, fmt.Sprintf("irregular form %q of %q", f, ir.word), "must be one word (letters, digits, apostrophes)")
				continue
			}
			if !slices.Contains(s.irregular[word], form) {
				s.irregular[word] = append(s.irregular[word], form)
			}
		}
	}
	if d := doc.dialogue; d != nil {
		s.applyDialogue(d, el)
	}
	if n := doc.sceneSpan; n != nil {
		if *n < 0 || *n > MaxSceneSpan {
			el.add(doc.sceneLine, "scene_span", "%d is out of range; use a number of tokens from 0 (scenes change nothing) to %d", *n, MaxSceneSpan)
		} else {
			s.sceneSpan = *n
		}
	}
	var created []string // the scenes this file adds
	for _, rs := range doc.scenes {
		had := s.scene(rs.name) != nil
		if sc := s.applyScene(rs, overlay, el); sc != nil && !had {
			created = append(created, sc.name)
		}
	}
	if len(doc.scenes) > 0 && doc.sceneSpan == nil && s.sceneSpan == 0 {
		el.add(doc.scenes[0].line, "scenes", "scenes take effect only with scene_span above 0; add scene_span (the default lexicon's is 250)")
	}
	s.similes = applyPhrases(s.similes, doc.similes, "simile", overlay, el)
	s.skip = applyPhrases(s.skip, doc.skip, "simile_skip word", overlay, el)
	for _, p := range s.skip {
		if strings.Contains(p.key, " ") {
			el.add(p.line, fmt.Sprintf("simile_skip word %q", p.text), "must be a single word")
		}
	}
	s.exceptions = applyPhrases(s.exceptions, doc.exceptions, "exception", overlay, el)

	apply := func(rc rawCat, name string) {
		c := s.cat(name)
		if c == nil {
			return
		}
		c.exceptions = applyPhrases(c.exceptions, rc.exceptions, "exception of "+name, overlay, el)
		s.applyTogether(c, rc, overlay, el)
		seen := map[string]int{}
		for _, rt := range rc.terms {
			s.applyTerm(c, rt, overlay, seen, el)
		}
	}
	for _, rc := range doc.labels {
		if _, ok := taxonomy.Default().Label(rc.name); !ok {
			hint := ""
			if id, ok := taxonomy.Normalize(rc.name); ok {
				hint = fmt.Sprintf("did you mean %q? ", id)
			} else if near := nearest(rc.name, labelIDs()); near != "" {
				hint = fmt.Sprintf("did you mean %q? ", near)
			}
			el.add(rc.line, fmt.Sprintf("label %q", rc.name), "unknown label; %ssee tagger labels", hint)
			continue
		}
		apply(rc, rc.name)
	}
	for _, rc := range doc.rating {
		if !slices.Contains(ratingKeys, rc.name) {
			el.add(rc.line, fmt.Sprintf("rating %q", rc.name), "unknown rating cue set; use one of %s", strings.Join(ratingKeys, ", "))
			continue
		}
		apply(rc, "rating:"+rc.name)
	}
	for _, c := range s.cats {
		c.compact()
	}
	s.checkScenes(doc, created, el)
	n := 0
	for _, c := range s.cats {
		n += len(c.together)
	}
	if n > MaxTogetherRules {
		el.add(0, "together", "%d together rules in the lexicon, more than %d; merge some", n, MaxTogetherRules)
	}
}

// applyTogether adds rc's together rules to c. A base file must not give
// the key empty; an overlay's empty list drops the label's rules, and its
// rules add to them.
func (s *spec) applyTogether(c *catSpec, rc rawCat, overlay bool, el *errList) {
	if rc.together == nil {
		return
	}
	what := fmt.Sprintf("%s.together", c.name)
	if strings.HasPrefix(c.name, "rating:") {
		el.add(rc.togetherLine, what, "together rules are for labels; a rating cue set has terms and exceptions only")
		return
	}
	if len(rc.together) == 0 {
		if !overlay {
			el.add(rc.togetherLine, what, "empty; give at least one rule, or leave the key out")
		}
		c.together = nil
		return
	}
	for _, rt := range rc.together {
		t := togetherSpec{span: DefaultTogetherSpan, line: rt.line}
		ok := true
		switch {
		case rt.weight == nil:
			el.add(rt.line, what, "a rule needs a weight, as a term does (weight: 3)")
			ok = false
		case math.IsNaN(*rt.weight) || *rt.weight <= 0 || *rt.weight > MaxWeight:
			el.add(rt.line, what, "weight %v is out of range; use a number above 0, at most %d", *rt.weight, MaxWeight)
			ok = false
		default:
			t.weight = *rt.weight
		}
		if rt.span != nil {
			if *rt.span < 1 || *rt.span > MaxTogetherSpan {
				el.add(rt.line, what, "span %d is out of range; use a number of tokens from 1 to %d", *rt.span, MaxTogetherSpan)
				ok = false
			}
			t.span = *rt.span
		}
		if n := len(rt.groups); n < MinTogetherGroups || n > MaxTogetherGroups {
			el.add(rt.line, what, "%d groups; a rule needs from %d to %d groups of words, each a list ([blade, razor])", n, MinTogetherGroups, MaxTogetherGroups)
			ok = false
		}
		// Each form (inflections and irregular forms, as matched) → the
		// group and word it comes from.
		type origin struct {
			group int
			word  string
		}
		inGroup := map[string]origin{}
		for gi, g := range rt.groups {
			var words []string
			for _, w := range g {
				word, single := singleWord(w)
				if !single {
					el.add(rt.line, what, "%q is not one word; a group lists single words (a phrase belongs in terms)", w)
					ok = false
					continue
				}
				for _, f := range append(inflect(word), s.irregular[word]...) {
					o, dup := inGroup[f]
					if !dup {
						inGroup[f] = origin{gi, word}
						continue
					}
					if o.group == gi {
						continue
					}
					if f == word && o.word == word {
						el.add(rt.line, what, "%q is in groups %d and %d; a word can stand for one group only", w, o.group+1, gi+1)
					} else {
						el.add(rt.line, what, "%q, a form of %q in group %d and of %q in group %d; a form can stand for one group only", f, o.word, o.group+1, word, gi+1)
					}
					ok = false
					break // one problem a word
				}
				if !slices.Contains(words, word) {
					words = append(words, word)
				}
			}
			if len(words) > MaxGroupWords {
				el.add(rt.line, what, "a group of %d words, more than %d; split the rule", len(words), MaxGroupWords)
				ok = false
			}
			if len(words) == 0 && len(g) == 0 {
				el.add(rt.line, what, "an empty group; list at least one word in each")
				ok = false
			}
			t.groups = append(t.groups, words)
		}
		if ok {
			c.together = append(c.together, t)
		}
	}
}

// applyScene adds a scene, or changes one: labels and terms replace the
// scene's, phrases add to its phrases (or remove, in an overlay). It
// returns the scene, or nil when rs names none it can add.
func (s *spec) applyScene(rs rawScene, overlay bool, el *errList) *sceneSpec {
	what := fmt.Sprintf("scene %q", rs.name)
	if !sceneName(rs.name) {
		el.add(rs.line, what, "a scene's name is one lowercase word (letters, digits, hyphens) of at most 32 bytes")
		return nil
	}
	sc := s.scene(rs.name)
	if sc == nil {
		if len(s.scenes) >= MaxScenes {
			el.add(rs.line, what, "more than %d scenes; add its phrases to one of %s instead", MaxScenes, strings.Join(s.sceneNames(), ", "))
			return nil
		}
		sc = &sceneSpec{name: rs.name}
		s.scenes = append(s.scenes, sc)
	}
	if rs.labels != nil {
		// A file's list replaces the one before it, as a setting does;
		// an empty list turns the scene off.
		sc.labels = checkLabels(rs.labels, rs.labelsLine, what, el)
	}
	if rs.terms != nil {
		if len(rs.terms) == 0 {
			el.add(rs.termsLine, what+" terms", "empty; list the terms the scene discounts (to turn the scene off, write labels: [])")
		}
		sc.terms = []phrase{}
		for _, t := range rs.terms {
			subject := fmt.Sprintf("%s term %q", what, strings.TrimSpace(t.text))
			if t.remove {
				el.add(t.line, subject, "terms replaces the scene's list; write the whole list without remove")
				continue
			}
			words, err := parseWords(t.text)
			if err != nil {
				el.add(t.line, subject, "%v", err)
				continue
			}
			if len(words) > 1 {
				el.add(t.line, subject, "a scene discounts one-word terms only (words, not descriptions such as \"broken nose\"); list single words")
				continue
			}
			key := wordsKey(words)
			if slices.ContainsFunc(sc.terms, func(p phrase) bool { return p.key == key }) {
				el.add(t.line, subject, "listed twice; keep one")
				continue
			}
			sc.terms = append(sc.terms, phrase{text: strings.Join(strings.Fields(t.text), " "), key: key, words: words, line: t.line})
		}
	}
	sc.phrases = applyPhrases(sc.phrases, rs.phrases, what+" phrase", overlay, el)
	return sc
}

// sceneNames returns the names of s's scenes.
func (s *spec) sceneNames() []string {
	var names []string
	for _, sc := range s.scenes {
		names = append(names, sc.name)
	}
	return names
}

// checkScenes reports what would make the scenes a file wrote do nothing
// without a word: a scene with phrases and no labels or the other way
// round (a misspelt name in an overlay makes a new, empty scene), and the
// terms the file lists that none of the scene's labels has (a misspelling,
// or a term of another label). A term an overlay removed from a label
// leaves the scene's list; a scene whose terms are all gone discounts
// nothing.
func (s *spec) checkScenes(doc *rawDoc, created []string, el *errList) {
	for _, sc := range s.scenes {
		var rs *rawScene // what this file wrote of the scene
		for i := range doc.scenes {
			if doc.scenes[i].name == sc.name {
				rs = &doc.scenes[i]
			}
		}
		if rs != nil && !s.sceneWorks(sc, rs, slices.Contains(created, sc.name), el) {
			continue
		}
		sc.terms = slices.DeleteFunc(sc.terms, func(t phrase) bool {
			if s.sceneHas(sc, t.key) {
				return false
			}
			if rs != nil && rs.terms != nil {
				el.add(t.line, fmt.Sprintf("scene %q term %q", sc.name, t.text), "not a term of the scene's labels (%s); %scheck the spelling and the labels", strings.Join(sc.labels, ", "), s.sceneTermHint(sc, t))
			}
			return true // removed from its label by an overlay
		})
	}
}

// sceneWorks reports whether a scene a file wrote (rs) can discount
// anything, and reports why not unless the file turned it off.
func (s *spec) sceneWorks(sc *sceneSpec, rs *rawScene, created bool, el *errList) bool {
	what := fmt.Sprintf("scene %q", sc.name)
	hint := ""
	if created {
		var others []string
		for _, n := range s.sceneNames() {
			if n != sc.name {
				others = append(others, n)
			}
		}
		if near := nearest(sc.name, others); near != "" {
			hint = fmt.Sprintf("did you mean %q? ", near)
		}
	}
	switch {
	case sc.labels == nil:
		el.add(rs.line, what, "%sno labels, so it discounts nothing; add labels: [...] (the labels it discounts)", hint)
		return false
	case len(sc.labels) == 0:
		return false // turned off
	case len(sc.phrases) == 0:
		el.add(rs.line, what, "%sno phrases, so it discounts nothing; add phrases: [...] (the words that name its setting)", hint)
	}
	return true
}

// sceneHas reports whether a label of sc has the term with key.
func (s *spec) sceneHas(sc *sceneSpec, key string) bool {
	return slices.ContainsFunc(sc.labels, func(id string) bool {
		c := s.cat(id)
		return c != nil && c.find(key) >= 0
	})
}

// sceneTermHint suggests what a scene term that its labels lack was meant
// to be: a term of another label, or the nearest term of its labels. It is
// "" or ends in a space.
func (s *spec) sceneTermHint(sc *sceneSpec, t phrase) string {
	var texts []string
	for _, c := range s.cats {
		if c.find(t.key) >= 0 {
			return fmt.Sprintf("it is a term of %s; ", c.name)
		}
		if slices.Contains(sc.labels, c.name) {
			for _, ct := range c.terms {
				texts = append(texts, ct.text)
			}
		}
	}
	if near := nearest(strings.ToLower(t.text), texts); near != "" {
		return fmt.Sprintf("did you mean %q? ", near)
	}
	return ""
}

// sceneName reports whether name can name a scene: one lowercase word of
// letters, digits and hyphens, as label ids are.
func sceneName(name string) bool {
	if name == "" || len(name) > 32 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// termHint suggests, for a term that c does not have, the term the user
// may have meant: the same words under another label, or c's term nearest
// in spelling. It is "" or ends in a space.
func (s *spec) termHint(c *catSpec, key, text string) string {
	for _, o := range s.cats {
		if o != c && o.find(key) >= 0 {
			return fmt.Sprintf("it is a term of %s; ", o.name)
		}
	}
	var texts []string
	for _, t := range c.terms {
		texts = append(texts, t.text)
	}
	want := strings.Join(strings.Fields(strings.ToLower(text)), " ")
	if near := nearest(want, texts); near != "" {
		return fmt.Sprintf("did you mean %q? ", near)
	}
	return ""
}

func labelIDs() []string {
	var ids []string
	for _, l := range taxonomy.Default().Labels() {
		ids = append(ids, l.ID)
	}
	return ids
}

// applyTerm adds, replaces or removes one term of c. seen holds the keys
// this file already gave c, with their lines.
func (s *spec) applyTerm(c *catSpec, rt rawTerm, overlay bool, seen map[string]int, el *errList) {
	// subject names the term in messages; it is made only for one, as
	// formatting it for every term of a large file is most of the cost of
	// applying it.
	subject := func() string { return fmt.Sprintf("term %q of %s", strings.TrimSpace(rt.text), c.name) }
	words, err := parseWords(rt.text)
	if err != nil {
		el.add(rt.line, subject(), "%v", err)
		return
	}
	key := wordsKey(words)
	if first, dup := seen[key]; dup {
		el.add(rt.line, subject(), "listed twice (first on line %d); keep one", first)
		return
	}
	seen[key] = rt.line
	if rt.weight != nil {
		w := *rt.weight
		if math.IsNaN(w) || w < 0 || w > MaxWeight {
			el.add(rt.line, subject(), "weight %v is out of range; use 0 (silence) to %d", w, MaxWeight)
			return
		}
	}
	if rt.remove && !overlay {
		el.add(rt.line, subject(), "remove is for overlays (--lexicon); delete the line instead")
		return
	}
	var forms []string
	for _, f := range rt.forms {
		form, ok := singleWord(f)
		if !ok {
			el.add(rt.line, subject(), "form %q must be one word (letters, digits, apostrophes)", f)
			return
		}
		forms = append(forms, form)
	}
	if len(forms) > 0 && (len(words) != 1 || words[0].wild || len(words[0].parts) != 1) {
		el.add(rt.line, subject(), "forms are for single-word terms; list an irregular word under irregular: or write the phrase with the form as its own term")
		return
	}
	if rt.spaced != nil && (len(words) != 1 || !words[0].hyphen || len(words[0].parts) < 2) {
		el.add(rt.line, subject(), "spaced is for one hyphenated word (hard-on): it says whether the word written as separate words matches")
		return
	}
	i := c.find(key)
	switch {
	case i >= 0 && !overlay:
		el.add(rt.line, subject(), "listed twice (first on line %d); keep one", c.terms[i].line)
	case i >= 0 && rt.remove:
		c.remove(i)
	case i >= 0:
		t := &c.terms[i]
		if rt.weight != nil {
			t.weight = *rt.weight
		}
		for _, f := range forms {
			if !slices.Contains(t.forms, f) {
				t.forms = append(t.forms, f)
			}
		}
		if rt.exact != nil {
			t.exact = *rt.exact
		}
		if rt.negatable != nil {
			t.fixed = !*rt.negatable
		}
		if rt.capitalised != nil {
			t.lower = !*rt.capitalised
		}
		if rt.spaced != nil {
			t.hyphened = !*rt.spaced
		}
	case rt.remove:
		el.add(rt.line, subject(), "not in the lexicon, nothing to remove; %scheck the spelling and the label", s.termHint(c, key, rt.text))
	case overlay && rt.weight != nil && *rt.weight == 0:
		// Silencing a term that is not there would silently do nothing:
		// most often a misspelling, or the wrong label.
		el.add(rt.line, subject(), "not in the lexicon, so weight 0 silences nothing; %scheck the spelling and the label", s.termHint(c, key, rt.text))
	default:
		t := termSpec{text: strings.Join(strings.Fields(rt.text), " "), key: key, words: words, weight: 1, forms: forms, line: rt.line}
		if rt.weight != nil {
			t.weight = *rt.weight
		}
		if rt.exact != nil {
			t.exact = *rt.exact
		}
		if rt.negatable != nil {
			t.fixed = !*rt.negatable
		}
		if rt.capitalised != nil {
			t.lower = !*rt.capitalised
		}
		if rt.spaced != nil {
			t.hyphened = !*rt.spaced
		}
		c.add(t)
	}
}

// applyPhrases adds (or, in an overlay, removes) phrase entries.
func applyPhrases(have []phrase, entries []rawPhrase, what string, overlay bool, el *errList) []phrase {
	if len(entries) == 0 {
		return have
	}
	seen := map[string]int{}
	// at indexes have by key, and dead marks the removed entries until
	// the end, so that a large file is applied in linear time.
	at := make(map[string]int, len(have))
	for i, p := range have {
		if _, ok := at[p.key]; !ok {
			at[p.key] = i
		}
	}
	var dead map[int]bool
	for _, e := range entries {
		subject := func() string { return fmt.Sprintf("%s %q", what, strings.TrimSpace(e.text)) }
		words, err := parseWords(e.text)
		if err != nil {
			el.add(e.line, subject(), "%v", err)
			continue
		}
		key := wordsKey(words)
		if first, dup := seen[key]; dup {
			el.add(e.line, subject(), "listed twice (first on line %d); keep one", first)
			continue
		}
		seen[key] = e.line
		i, ok := at[key]
		if !ok {
			i = -1
		}
		switch {
		case e.remove && !overlay:
			el.add(e.line, subject(), "remove is for overlays (--lexicon); delete the line instead")
		case e.remove && i < 0:
			el.add(e.line, subject(), "not in the lexicon, nothing to remove; check the spelling")
		case e.remove:
			if dead == nil {
				dead = map[int]bool{}
			}
			dead[i] = true
			delete(at, key)
		case i >= 0 && !overlay:
			el.add(e.line, subject(), "listed twice (first on line %d); keep one", have[i].line)
		case i >= 0:
			// Already there: an overlay may repeat the base.
		default:
			at[key] = len(have)
			have = append(have, phrase{text: strings.Join(strings.Fields(e.text), " "), key: key, words: words, line: e.line})
		}
	}
	if len(dead) > 0 {
		kept := have[:0]
		for i, p := range have {
			if !dead[i] {
				kept = append(kept, p)
			}
		}
		have = kept
	}
	return have
}

// validate checks what only the whole spec can tell: every exception
// leaves its label's terms reachable, and (full lexicons) every label and
// rating cue set has enough terms.
func (s *spec) validate(full bool, el *errList) {
	global := indexPhrases(s.exceptions)
	var cand []int
	for _, c := range s.cats {
		local := indexPhrases(c.exceptions)
		active := 0
		for _, t := range c.terms {
			if t.weight == 0 {
				continue // silenced: nothing to reach
			}
			active++
			words := flat(t.words)
			for _, ex := range []struct {
				phrases []phrase
				idx     phraseIndex
			}{{c.exceptions, local}, {s.exceptions, global}} {
				// Only an exception whose first word is a word of the term
				// can cover it (none starts with a wildcard); check those,
				// in file order, as a scan of all of them would.
				cand = cand[:0]
				for _, w := range words {
					cand = append(cand, ex.idx.first[w]...)
				}
				slices.Sort(cand)
				cand = slices.Compact(cand)
				for _, i := range cand {
					if covers(ex.idx.flat[i], words) {
						p := ex.phrases[i]
						el.add(t.line, fmt.Sprintf("term %q of %s", t.text, c.name),
							"can never match: exception %q (line %d) covers it; remove one of them, or silence the term with weight: 0", p.text, p.line)
					}
				}
			}
		}
		if full && active < MinTerms {
			el.add(0, c.name, "has %d terms with a positive weight; every label and rating cue set needs at least %d", active, MinTerms)
		}
	}
}

// phraseIndex holds phrases flattened (see flat), and their positions by
// first token.
type phraseIndex struct {
	flat  [][]string
	first map[string][]int
}

func indexPhrases(ps []phrase) phraseIndex {
	x := phraseIndex{flat: flatAll(ps), first: make(map[string][]int, len(ps))}
	for i, f := range x.flat {
		if len(f) > 0 {
			x.first[f[0]] = append(x.first[f[0]], i)
		}
	}
	return x
}

func flatAll(ps []phrase) [][]string {
	out := make([][]string, len(ps))
	for i, p := range ps {
		out[i] = flat(p.words)
	}
	return out
}

// word is one word of a term or phrase: a wildcard, or the tokens that
// tokenize.Words makes of it (a hyphenated word is several: "self-harm" →
// self, harm), normalised.
type word struct {
	wild   bool
	parts  []string
	hyphen bool // the parts were joined by hyphens only
}

// parseWords splits a term or phrase into words and checks it.
func parseWords(text string) ([]word, error) {
	fields := strings.Fields(text)
	if len(fields) == 0 {
		return nil, fmt.Errorf("empty; write a word or phrase")
	}
	var words []word
	n := 0
	for _, f := range fields {
		if f == "*" {
			words = append(words, word{wild: true})
			n++
			continue
		}
		if !utf8.ValidString(f) {
			return nil, fmt.Errorf("not valid UTF-8")
		}
		for _, r := range f {
			if !(unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '-' || r == '\'' || r == '\u2019' || r == '/') {
				if r == '*' {
					return nil, fmt.Errorf("* must stand alone, as a whole word (\"snap * neck\")")
				}
				return nil, fmt.Errorf("%q is not part of a word; write words separated by spaces (hyphens and apostrophes are fine)", r)
			}
		}
		toks := tokenize.Words(f, nil)
		if len(toks) == 0 {
			return nil, fmt.Errorf("%q has no letters or digits", f)
		}
		w := word{hyphen: strings.Contains(f, "-") && !strings.Contains(f, "/")}
		for _, t := range toks {
			w.parts = append(w.parts, tokenize.Normalize(f[t.Start:t.End()]))
		}
		words = append(words, w)
		n += len(w.parts)
	}
	switch {
	case n > MaxPhraseWords:
		return nil, fmt.Errorf("has %d words; the most a phrase may have is %d", n, MaxPhraseWords)
	case words[0].wild && len(words) == 1:
		return nil, fmt.Errorf("is only a wildcard and would match every word")
	case words[0].wild || words[len(words)-1].wild:
		return nil, fmt.Errorf("starts or ends with *; a wildcard stands between words (\"snap * neck\")")
	}
	return words, nil
}

// wordsKey is the identity of a term or phrase: its normalised tokens
// joined by single spaces ("Self-Harm" and "self harm" are the same).
func wordsKey(words []word) string {
	var b strings.Builder
	for _, w := range words {
		if w.wild {
			b.WriteString(" *")
			continue
		}
		for _, p := range w.parts {
			b.WriteByte(' ')
			b.WriteString(p)
		}
	}
	return b.String()[1:]
}

// flat lists the tokens of words, "*" for a wildcard.
func flat(words []word) []string {
	var out []string
	for _, w := range words {
		if w.wild {
			out = append(out, "*")
			continue
		}
		out = append(out, w.parts...)
	}
	return out
}

// covers reports whether the exception e (flattened words) matches
// inside the term t as written, so that the term could never produce a
// hit in its written form. A wildcard of the exception matches anything;
// one of the term only a wildcard.
func covers(e, t []string) bool {
	for i := 0; i+len(e) <= len(t); i++ {
		ok := true
		for k := range e {
			if e[k] != "*" && e[k] != t[i+k] {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// singleWord reports whether s is one token to tokenize.Words and returns
// it normalised.
func singleWord(s string) (string, bool) {
	s = strings.TrimSpace(s)
	toks := tokenize.Words(s, nil)
	if len(toks) != 1 || toks[0].Start != 0 || int(toks[0].End()) != len(s) {
		return "", false
	}
	return tokenize.Normalize(s), true
}

// applyDialogue sets the dialogue discount from d; an overlay's keys
// replace the base's (labels: [] turns the discount off).
func (s *spec) applyDialogue(d *rawDialogue, el *errList) {
	if f := d.factor; f != nil {
		if math.IsNaN(*f) || *f < 0 || *f > 1 {
			el.add(d.line, "dialogue factor", "%v is out of range; use a number from 0 (ignore such hits) to 1 (count them fully)", *f)
		} else {
			s.dialogueFactor = *f
		}
	}
	if d.labels == nil {
		return
	}
	s.dialogueLabels = checkLabels(d.labels, d.labelsLine, "dialogue", el)
}

// checkLabels returns the label ids of a list written on line (a scene's
// or the dialogue's labels, named by what in errors), leaving out, with
// an error each, ids that are no label and ids listed twice. It is never
// nil: an empty list turns its setting off.
func checkLabels(ids []string, line int, what string, el *errList) []string {
	labels := []string{}
	for _, id := range ids {
		if _, ok := taxonomy.Default().Label(id); !ok {
			hint := ""
			if near := nearest(id, labelIDs()); near != "" {
				hint = fmt.Sprintf("did you mean %q? ", near)
			}
			el.add(line, fmt.Sprintf("%s label %q", what, id), "unknown label; %ssee tagger labels", hint)
			continue
		}
		if slices.Contains(labels, id) {
			el.add(line, fmt.Sprintf("%s label %q", what, id), "listed twice; keep one")
			continue
		}
		labels = append(labels, id)
	}
	return labels
}
