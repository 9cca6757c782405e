package taxonomy

import (
	"strings"
)

// maxTermTokens bounds the length, in words, of a term matched inside a
// longer phrase; the longest alias has six.
const maxTermTokens = 7

// Phrase is what one phrase of a warnings field says.
type Phrase struct {
	// Raw is the phrase as written.
	Raw string `json:"raw"`
	// Labels are the labels the phrase warns for.
	Labels []string `json:"labels,omitempty"`
	// Negated are labels the phrase rules out ("no character death").
	Negated []string `json:"negated,omitempty"`
	// State is none-apply or chose-not-to-warn when the phrase speaks for
	// the warnings as a whole ("No Archive Warnings Apply").
	State WarningState `json:"state,omitempty"`
	// Tags are the non-warning tags the phrase is or contains (slash, M/M,
	// AU, OOC, spoilers): the phrase as written when it is one as a whole,
	// else the folded terms found in it.
	Tags []string `json:"tags,omitempty"`
	// Remark is set when the phrase as a whole points elsewhere or
	// qualifies ("see tags", "no graphic content"): understood, and
	// declaring nothing.
	Remark bool `json:"remark,omitempty"`
}

// Unmapped reports whether tagger understood nothing in the phrase.
func (p Phrase) Unmapped() bool {
	return len(p.Labels) == 0 && len(p.Negated) == 0 && p.State == "" && len(p.Tags) == 0 && !p.Remark
}

// negationCues rule out the term that follows them within a few words.
var negationCues = map[string]bool{
	"no": true, "not": true, "without": true, "never": true,
	"nothing": true, "none": true, "nor": true, "zero": true, "isn't": true,
	"aren't": true, "doesn't": true, "don't": true, "won't": true, "wasn't": true,
	"except": true, "minus": true, "lack": true, "absent": true,
	"nobody": true, "noone": true,
}

// negationReach is how many words before a term a negation cue still
// governs: "no major character death" (2), "no one dies" does not reach.
const negationReach = 3

// ClassifyWarning reads one phrase of a warnings field. An exact alias wins;
// otherwise known terms are looked for inside the phrase, longest first,
// and a term preceded by a negation cue ("no", "not", "without") or inside a
// negated parenthesis ("death (but not Neo's)") is recorded as negated
// instead of declared. The sides of a slash are read as terms of their own
// too ("self harm/suicide"). Censored spellings ("su*cide") and
// abbreviations ("ED" in capitals, or "ed" as the whole phrase) are read as
// the terms they stand for, and a question answered in the phrase ("MCD?
// no", "Violence: yes") is ruled out or declared by its answer. A phrase
// that names nothing is read once more without its qualifiers ("mentions
// of slavery", "past ED"), then by the last word of a short phrase, its
// head ("parental neglect"), and one that only says "nothing ..."
// ("nothing graphic") is none-apply.
func (t *Taxonomy) ClassifyWarning(raw string) Phrase {
	s := t.normalizeText(t.expandWhole(raw))
	if q, negative, ok := splitAnswer(s); ok {
		p := t.classifyWarning(raw, q)
		return answered(p, negative)
	}
	return t.classifyWarning(raw, s)
}

// classifyWarning reads s, the normalised text of the phrase raw, without
// looking for an answer: one answer per phrase ("MCD? no").
func (t *Taxonomy) classifyWarning(raw, s string) Phrase {
	p := Phrase{Raw: raw}
	main, parens := splitParens(s)
	folded := Fold(main)
	if folded == "" && len(parens) == 0 {
		return p
	}
	if e, ok := t.exact[folded]; ok && folded != "" {
		t.apply(&p, e, false, strings.TrimSpace(main))
	} else {
		t.scanInto(&p, folded)
		if strings.Contains(folded, "/") {
			// "self harm/suicide", "abuse/neglect": each side as a phrase
			// of its own, and the terms inside them.
			t.scanInto(&p, strings.ReplaceAll(folded, "/", " / "))
			for _, side := range strings.Split(folded, "/") {
				if side = strings.TrimSpace(side); side != "" {
					t.termInto(&p, side, side)
				}
			}
		}
		if p.Unmapped() {
			toks := strings.Fields(folded)
			if e, negated, ok := t.bareTerm(toks); ok {
				t.apply(&p, e, negated, strings.TrimSpace(main))
			} else if e, negated, ok := t.headTerm(toks); ok {
				t.apply(&p, e, negated, "")
			}
		}
	}
	for _, par := range parens {
		f := Fold(par)
		toks := strings.Fields(f)
		negated := len(toks) > 0 && (negationCues[toks[0]] || toks[0] == "but" && len(toks) > 1 && negationCues[toks[1]])
		if e, ok := t.exact[f]; ok {
			t.apply(&p, e, negated, strings.TrimSpace(par))
			continue
		}
		sub := Phrase{}
		t.scanInto(&sub, f)
		if negated {
			sub.Negated = append(sub.Negated, sub.Labels...)
			sub.Labels = nil
		}
		p.Labels = appendUnique(p.Labels, sub.Labels...)
		p.Negated = appendUnique(p.Negated, sub.Negated...)
		p.Tags = appendUnique(p.Tags, sub.Tags...)
	}
	if p.Unmapped() && len(parens) == 0 {
		if toks := strings.Fields(folded); len(toks) > 0 && (toks[0] == "nothing" || toks[0] == "none") {
			p.State = StateNoneApply // "nothing graphic", "none to speak of"
		}
	}
	// A label both declared and negated in one phrase ("violence, but no
	// graphic violence") stays declared: the author did warn for it.
	if len(p.Negated) > 0 && len(p.Labels) > 0 {
		kept := p.Negated[:0]
		for _, n := range p.Negated {
			if !contains(p.Labels, n) {
				kept = append(kept, n)
			}
		}
		p.Negated = kept
	}
	return p
}

func (t *Taxonomy) apply(p *Phrase, e entry, negated bool, term string) {
	switch {
	case e.remark:
		p.Remark = true
	case e.state != "" && !negated:
		p.State = e.state
	case e.tag:
		p.Tags = appendUnique(p.Tags, term)
	case negated:
		p.Negated = appendUnique(p.Negated, e.labels...)
	default:
		p.Labels = appendUnique(p.Labels, e.labels...)
	}
}

// scanInto finds known terms inside a folded phrase, longest match first.
func (t *Taxonomy) scanInto(p *Phrase, folded string) {
	toks := strings.Fields(folded)
	if len(toks) > 0 && strings.HasPrefix(toks[0], "spoiler") {
		p.Tags = appendUnique(p.Tags, "spoilers")
	}
	for i := 0; i < len(toks); {
		matched := 0
		for n := min(maxTermTokens, len(toks)-i); n >= 1; n-- {
			term := strings.Join(toks[i:i+n], " ")
			e, ok := t.scan[term]
			if !ok {
				continue
			}
			if strings.HasPrefix(term, "spoiler") {
				term = "spoilers" // one tag for "spoiler warning", "spoilers", ...
			}
			t.apply(p, e, negatedAt(toks, i), term)
			matched = n
			break
		}
		if matched == 0 {
			matched = 1
		}
		i += matched
	}
}

// negatedAt reports whether a negation cue governs the term at toks[i].
func negatedAt(toks []string, i int) bool {
	for j := i - 1; j >= 0 && j >= i-negationReach; j-- {
		// "non" is a prefix ("non-disciplinary"): it negates only the next word.
		if toks[j] == "non" {
			if j == i-1 {
				return true
			}
			continue
		}
		if negationCues[toks[j]] || strings.HasSuffix(toks[j], "n't") {
			return true
		}
		// "but" starts a new clause: "death but not X" must not negate death.
		if toks[j] == "but" {
			return false
		}
	}
	return false
}

// splitParens separates parenthesised asides from the main phrase.
func splitParens(s string) (main string, parens []string) {
	if !strings.ContainsAny(s, "([") {
		return s, nil
	}
	var b strings.Builder
	depth := 0
	start := 0
	for i, r := range s {
		switch r {
		case '(', '[':
			if depth == 0 {
				start = i + 1
			}
			depth++
		case ')', ']':
			if depth > 0 {
				depth--
				if depth == 0 {
					parens = append(parens, s[start:i])
					b.WriteByte(' ')
				}
			}
		default:
			if depth == 0 {
				b.WriteRune(r)
			}
		}
	}
	if depth > 0 { // unclosed: treat the rest as an aside
		parens = append(parens, s[start:])
	}
	return b.String(), parens
}

func appendUnique(dst []string, vals ...string) []string {
	for _, v := range vals {
		if !contains(dst, v) {
			dst = append(dst, v)
		}
	}
	return dst
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
