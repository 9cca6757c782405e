package taxonomy

import (
	"strings"
)

// qualifiers are words that say how much or how a warning appears without
// changing which one it is: "mentions of slavery", "past ED", "a riot". A
// phrase that names nothing as a whole is read again without them.
var qualifiers = map[string]bool{
	"a": true, "an": true, "the": true, "some": true, "any": true, "mild": true, "mildly": true,
	"light": true, "slight": true, "slightly": true, "brief": true, "briefly": true, "heavy": true,
	"heavily": true, "graphic": true, "graphically": true, "implied": true, "implicit": true,
	"referenced": true, "implied/referenced": true, "past": true, "previous": true, "mention": true,
	"mentions": true, "mentioned": true, "of": true, "to": true, "about": true, "reference": true,
	"references": true, "discussion": true, "discussions": true, "talk": true, "hint": true,
	"hints": true, "theme": true, "themes": true, "depiction": true, "depictions": true,
	"description": true, "descriptions": true, "scene": true, "scenes": true, "contains": true,
	"containing": true, "includes": true, "including": true, "featuring": true, "lots": true,
	"lot": true, "little": true, "bit": true, "very": true, "vague": true, "vaguely": true,
	"offscreen": true, "background": true, "minor": true, "major": true, "possible": true,
	"potential": true, "sort": true, "kind": true, "much": true, "more": true, "allusions": true,
	"canon": true, "typical": true, "period": true, "maybe": true, "possibly": true, "probably": true,
	"perhaps": true, "just": true, "only": true, "occasional": true, "occasionally": true, "tiny": true,
	"small": true, "moderate": true, "extreme": true, "extremely": true, "frequent": true, "constant": true,
	"plenty": true, "bits": true, "overall": true, "general": true, "generally": true, "detailed": true,
}

// aspects are trailing words with the same role: "slavery mentions", "ED
// recovery".
var aspects = map[string]bool{
	"mention": true, "mentions": true, "mentioned": true, "implied": true, "referenced": true,
	"references": true, "reference": true, "theme": true, "themes": true, "recovery": true,
	"aftermath": true, "discussion": true, "warning": true, "warnings": true, "tw": true, "cw": true,
	"content": true, "issues": true, "stuff": true, "scenes": true, "scene": true,
}

// bareTerm reads the folded words of a phrase without its leading
// qualifiers and trailing aspects, as a term as a whole, in the singular
// or plural too ("a needle scene" is needles). A negation cue among the
// leading words ("no MCD", "not much gore") rules the term out.
func (t *Taxonomy) bareTerm(toks []string) (e entry, negated, ok bool) {
	for len(toks) > 1 {
		switch w := toks[0]; {
		case negationCues[w]:
			negated = true
		case qualifiers[w]:
		default:
			goto trailing
		}
		toks = toks[1:]
	}
trailing:
	for len(toks) > 1 && aspects[toks[len(toks)-1]] {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 {
		return entry{}, false, false
	}
	term := strings.Join(toks, " ")
	e, ok = t.exact[term]
	if !ok {
		e, ok = t.exact[otherNumber(term)]
	}
	if !ok || len(e.labels) == 0 && !e.tag {
		return entry{}, false, false
	}
	return e, negated, true
}

// otherNumber turns the last word of a term from the singular to the
// plural or back, the simple way: "needle" and "needles", "riots" and
// "riot".
func otherNumber(term string) string {
	if strings.HasSuffix(term, "s") && !strings.HasSuffix(term, "ss") {
		return term[:len(term)-1]
	}
	return term + "s"
}

// maxHeadPhrase bounds the words of a phrase whose last word, a one-word
// term, names what the phrase is about ("parental neglect").
const maxHeadPhrase = 4

// headTerm reads the last word of a short phrase, after its trailing
// aspects, as a one-word label term: in "parental neglect" or "binge
// drinking" the last word says what the phrase is. The negation cues
// before it rule it out.
func (t *Taxonomy) headTerm(toks []string) (e entry, negated, ok bool) {
	for len(toks) > 1 && aspects[toks[len(toks)-1]] {
		toks = toks[:len(toks)-1]
	}
	n := len(toks)
	if n < 2 || n > maxHeadPhrase {
		return entry{}, false, false
	}
	head := toks[n-1]
	e, ok = t.exact[head]
	if !ok {
		e, ok = t.exact[otherNumber(head)]
	}
	if !ok || len(e.labels) == 0 {
		return entry{}, false, false
	}
	return e, negatedAt(toks, n-1), true
}

// ClassifyTerm reads a phrase where warnings are the exception: a keyword
// or category list ("V, A, Romance, MSR, angst, Character Death"), a value
// whose label was lost, a sentence of notes. The phrase names a warning
// only as a term as a whole, perhaps with qualifiers ("implied MCD",
// "mentions of slavery"), a negation ("no MCD"), an answer ("MCD? no"),
// an aside in parentheses, or as one side of a slash ("Angst/Character
// Death"); inside a longer phrase, a term of two words or more anywhere
// ("Mulder character death") or a warning keyword as the last word of a
// short phrase, its head ("Scully death"). So "Death Eaters" and "Set
// after the war" name nothing. Non-warning terms as a whole ("AU") come
// back as tags.
func (t *Taxonomy) ClassifyTerm(raw string) Phrase {
	s := t.normalizeText(raw)
	if q, negative, ok := splitAnswer(s); ok {
		return answered(t.classifyTerm(raw, q), negative)
	}
	return t.classifyTerm(raw, s)
}

// classifyTerm reads s, the normalised text of the phrase raw, without
// looking for an answer.
func (t *Taxonomy) classifyTerm(raw, s string) Phrase {
	p := Phrase{Raw: raw}
	main, _ := splitParens(s)
	folded := Fold(main)
	if folded == "" {
		return p
	}
	if t.termInto(&p, folded, strings.TrimSpace(main)) {
		return p
	}
	if strings.Contains(folded, "/") {
		for _, side := range strings.Split(folded, "/") {
			if side = strings.TrimSpace(side); side != "" {
				t.termInto(&p, side, side)
			}
		}
		if !p.Unmapped() {
			return p
		}
	}
	// Terms of two words or more anywhere in the phrase.
	toks := strings.Fields(strings.ReplaceAll(folded, "/", " / "))
	if n := len(toks); n >= 2 && n <= 3 {
		if e, ok := t.scan[toks[n-1]]; ok && len(e.labels) > 0 {
			t.apply(&p, e, negatedAt(toks, n-1), "")
			return p
		}
	}
	for i := 0; i < len(toks); i++ {
		for n := min(maxTermTokens, len(toks)-i); n >= 2; n-- {
			e, ok := t.scan[strings.Join(toks[i:i+n], " ")]
			if !ok || len(e.labels) == 0 {
				continue
			}
			t.apply(&p, e, negatedAt(toks, i), "")
			i += n - 1
			break
		}
	}
	return p
}

// termInto reads folded as one term, with qualifiers; term is how the
// phrase is written, for a tag. It reports whether it found one.
func (t *Taxonomy) termInto(p *Phrase, folded, term string) bool {
	if e, ok := t.exact[folded]; ok {
		t.apply(p, e, false, term)
		return true
	}
	if e, negated, ok := t.bareTerm(strings.Fields(folded)); ok {
		t.apply(p, e, negated, term)
		return true
	}
	return false
}

// answers are the short answers an author gives to a warning put as a
// question or a checklist ("MCD? no", "Violence: yes"); true rules the
// warning out.
var answers = map[string]bool{
	"no": true, "nope": true, "nah": true, "none": true, "never": true, "not really": true,
	"not at all": true, "n": true, "no way": true,
	"yes": false, "yep": false, "yeah": false, "y": false, "some": false, "a little": false,
	"a bit": false, "mild": false, "implied": false, "brief": false, "briefly": false,
	"kind of": false, "sort of": false, "mentioned": false, "maybe": false, "lots": false,
	"graphic": false, "offscreen": false, "off screen": false, "sometimes": false, "a lot": false,
}

// IsAnswer reports whether s, as a whole, is a short answer to a question
// ("no", "yes", "not really"). Splitters use it not to cut "MCD? no" at
// its question mark.
func IsAnswer(s string) bool {
	_, ok := answers[Fold(s)]
	return ok
}

// splitAnswer splits "MCD? no" or "Violence: yes" into the question and
// whether its answer rules the warning out.
func splitAnswer(s string) (question string, negative, ok bool) {
	i := strings.LastIndexAny(s, "?:")
	if i <= 0 {
		return "", false, false
	}
	q := strings.TrimSpace(s[:i])
	neg, known := answers[Fold(s[i+1:])]
	if !known || Fold(q) == "" {
		return "", false, false
	}
	return q, neg, true
}

// answered applies an answer to what its question named: a negative
// answer turns declared labels into negated ones and drops any state.
func answered(p Phrase, negative bool) Phrase {
	if negative {
		p.Negated = appendUnique(p.Negated, p.Labels...)
		p.Labels = nil
		p.State = ""
	}
	return p
}

// censorMarks are the symbols authors put in place of letters to keep a
// word out of search and filters: "su*cide", "su!cide", "r@pe".
const censorMarks = "*!@#$%1"

// expandWhole spells out an abbreviation that is a warnings phrase as a
// whole, in any case ("tw: sh, ed"): in a list of warnings "ed" can only
// be one. Inside longer text, and in keyword lists where "Ed" is a name,
// only capitals count (normalizeText).
func (t *Taxonomy) expandWhole(s string) string {
	w := strings.TrimSpace(s)
	if len(w) > 4 {
		return s
	}
	if term, ok := t.abbrev[strings.ToUpper(w)]; ok {
		return term
	}
	return s
}

// normalizeText restores censored words and spells out abbreviations
// written in capitals, before a phrase is folded.
func (t *Taxonomy) normalizeText(s string) string {
	if !strings.ContainsAny(s, censorMarks) && !hasUpperRun(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && (isASCIILetter(s[j]) || strings.IndexByte(censorMarks, s[j]) >= 0) {
			j++
		}
		if j == i {
			b.WriteByte(s[i])
			i++
			continue
		}
		w := s[i:j]
		if term, ok := t.abbrev[w]; ok && (i == 0 || !isWordByte(s[i-1])) && (j == len(s) || !isWordByte(s[j])) {
			w = term
		} else if u, ok := t.uncensor(w); ok {
			w = u
		}
		b.WriteString(w)
		i = j
	}
	return b.String()
}

// uncensor restores one censored word: marks between letters stand for
// one letter each, and the word is the one label term of its length that
// fits. Marks at the ends are punctuation and are kept.
func (t *Taxonomy) uncensor(w string) (string, bool) {
	core := strings.Trim(w, censorMarks)
	if !strings.ContainsAny(core, censorMarks) || len(core) < 3 {
		return "", false
	}
	lead := w[:strings.Index(w, core)]
	trail := w[len(lead)+len(core):]
	found := ""
	for _, cand := range t.words[len(core)] {
		if !fits(core, cand) {
			continue
		}
		if found != "" && !sameLabels(t.exact[found].labels, t.exact[cand].labels) {
			return "", false // "d**th": death or depth? no guess
		}
		if found == "" {
			found = cand
		}
	}
	if found == "" {
		return "", false
	}
	return lead + found + trail, true
}

// fits reports whether the censored word w can be term: same length,
// the same letters where w has letters.
func fits(w, term string) bool {
	letters := 0
	for i := 0; i < len(w); i++ {
		c := w[i]
		if strings.IndexByte(censorMarks, c) >= 0 {
			continue
		}
		if c|0x20 != term[i] {
			return false
		}
		letters++
	}
	return letters >= 2
}

func sameLabels(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isWordByte(c byte) bool { return isASCIILetter(c) || c >= '0' && c <= '9' || c >= 0x80 }

// hasUpperRun reports two capital letters in a row, the shape of an
// abbreviation.
func hasUpperRun(s string) bool {
	for i := 1; i < len(s); i++ {
		if s[i] >= 'A' && s[i] <= 'Z' && s[i-1] >= 'A' && s[i-1] <= 'Z' {
			return true
		}
	}
	return false
}

// ClassifyWhole reads a phrase as a term as a whole and nothing less: an
// alias or an abbreviation ("dubcon", "MCD"), perhaps with qualifiers
// ("implied MCD") or a negation ("no MCD"), or each side of a slash
// ("self harm/suicide"). Unlike ClassifyTerm, a term inside a longer
// phrase names nothing ("on the dead", "Mulder character death"): it
// reads text where warnings have no place of their own, such as the
// unlabelled cells of a one-line header.
func (t *Taxonomy) ClassifyWhole(raw string) Phrase {
	p := Phrase{Raw: raw}
	// No expandWhole: "Ed" alone may be a name here, as in a keyword list.
	main, _ := splitParens(t.normalizeText(raw))
	folded := Fold(main)
	if folded == "" || t.termInto(&p, folded, strings.TrimSpace(main)) {
		return p
	}
	if strings.Contains(folded, "/") {
		for _, side := range strings.Split(folded, "/") {
			if side = strings.TrimSpace(side); side != "" {
				t.termInto(&p, side, side)
			}
		}
	}
	return p
}
