package header

import (
	"slices"
	"strings"

	"github.com/tagger-dev/tagger/taxonomy"
)

// freeformAspects are trailing words of a freeform tag that say how a
// warning appears without changing which one it is: "Rape Recovery",
// "Suicide Attempt", "Self-Harm Mentions".
var freeformAspects = map[string]bool{
	"recovery": true, "aftermath": true, "mention": true, "mentions": true, "mentioned": true,
	"implied": true, "referenced": true, "reference": true, "references": true, "theme": true,
	"themes": true, "discussion": true, "discussions": true, "survivor": true, "survivors": true,
	"attempt": true, "attempts": true, "ideation": true, "warning": true, "warnings": true,
	"tw": true, "cw": true,
}

// freeformNegations are the words that rule out the warning named after
// them in a freeform tag ("No Character Death", "Not Graphic Violence").
var freeformNegations = map[string]bool{
	"no": true, "not": true, "without": true, "never": true, "zero": true, "minus": true,
	"except": true, "nothing": true, "nobody": true, "noone": true, "none": true,
}

// freeformReach is how many words before a warning a negation still rules
// it out: "No Major Character Death" (2).
const freeformReach = 3

// freeformMaxTerm bounds the length, in words, of a term looked for inside
// a freeform tag; the taxonomy's longest term has six.
const freeformMaxTerm = 7

// freeformWarnings reads one freeform tag for the warnings it names.
//
// The curated table (freeform_tags.tsv) is asked first: it holds the
// warning-like tags AO3 authors use most, each reviewed by hand, and the
// tags a rule below would misread ("Snowball Fight", "Pure Blood",
// "Identity Porn", "Post-Traumatic Stress Disorder - PTSD"). The rules
// read the tags it does not hold.
//
// A freeform tag is a name for a trope, a theme or a thing as often as a
// warning, so it is read more strictly than a warnings field: a tag that is
// a warning term as a whole counts ("Self-Harm", "Underage", "Domestic
// Violence"), and inside a longer tag, a term of two words or more counts
// anywhere ("Implied/Referenced Rape/Non-con", "Self-Harm Scars") but a
// term of one word only as the tag's last word, its head ("Period-Typical
// Homophobia", "Canon-Typical Violence", "Blood Kink" → other-sexual).
// So "Death Eater Draco" and "Murder Husbands" name no warning. Trailing
// aspect words are dropped first ("Rape Recovery" →
// rape), a phrase in parentheses is ignored, a tag is split on "and"
// ("Fluff and Smut") and, when it names nothing as a whole, on slashes
// ("Self-Harm/Suicide"), and a negation before a term ("No Character
// Death") rules the warning out instead. A tag that starts with "Post-" or
// "Pre-" places the story in time ("Post-War", "Pre-Canon") and names no
// warning, unless it is a term as a whole. States ("None") and
// non-warning terms ("Angst", "M/M") yield nothing.
func freeformWarnings(tx *taxonomy.Taxonomy, tag string) (labels, negated []string) {
	if row, ok := lookupFreeformTag(tag); ok {
		// Copies: the table is shared and callers may append.
		return slices.Clone(row.Labels), slices.Clone(row.Negated)
	}
	main := tag
	if i := strings.IndexAny(main, "(["); i >= 0 {
		main = main[:i]
	}
	toks := strings.Fields(taxonomy.Fold(main))
	if len(toks) == 0 {
		return nil, nil
	}
	add := func(p taxonomy.Phrase, neg bool) {
		if neg {
			negated = appendNew(negated, p.Labels...)
		} else {
			labels = appendNew(labels, p.Labels...)
		}
		negated = appendNew(negated, p.Negated...)
	}
	if whole := strings.Join(toks, " "); tx.Known(whole) {
		add(tx.ClassifyWarning(whole), false)
	} else if toks[0] != "post" && toks[0] != "pre" {
		for _, group := range splitWords(toks, "and") {
			if scanFreeform(tx, group, add) {
				continue
			}
			// "Self-Harm/Suicide": the sides of a slash, when the whole
			// names nothing ("Hurt/Comfort" is a term as a whole).
			if sides := strings.Split(strings.Join(group, " "), "/"); len(sides) > 1 {
				for _, side := range sides {
					scanFreeform(tx, strings.Fields(side), add)
				}
			}
		}
	}
	// A label both named and ruled out in one tag stays named.
	negated = slices.DeleteFunc(negated, func(l string) bool { return slices.Contains(labels, l) })
	return labels, negated
}

// scanFreeform finds the terms in the words of a freeform tag, longest
// first: terms of two words or more anywhere, one word only at the end,
// after trailing aspect words. It reports whether it found any term.
func scanFreeform(tx *taxonomy.Taxonomy, toks []string, add func(taxonomy.Phrase, bool)) bool {
	for len(toks) > 1 && freeformAspects[toks[len(toks)-1]] {
		toks = toks[:len(toks)-1]
	}
	found := false
	for i := 0; i < len(toks); {
		matched := 1
		for n := min(len(toks)-i, freeformMaxTerm); n >= 1; n-- {
			if n == 1 && i != len(toks)-1 {
				break
			}
			term := strings.Join(toks[i:i+n], " ")
			if !tx.Known(term) {
				continue
			}
			add(tx.ClassifyWarning(term), negatedBefore(toks, i))
			matched, found = n, true
			break
		}
		i += matched
	}
	return found
}

// negatedBefore reports whether a negation governs the term at toks[i]:
// one within freeformReach words before it, with no "but" between. "non"
// is no negation here: "Non-Graphic Violence" is violence.
func negatedBefore(toks []string, i int) bool {
	for j := i - 1; j >= 0 && j >= i-freeformReach; j-- {
		w := toks[j]
		if k := strings.LastIndexByte(w, '/'); k >= 0 {
			w = w[k+1:] // "Everyone Lives/Nobody Dies": the word next to the term
		}
		if w == "but" {
			return false
		}
		if freeformNegations[w] {
			return true
		}
	}
	return false
}

// splitWords splits words into the runs between occurrences of sep.
func splitWords(words []string, sep string) [][]string {
	var out [][]string
	start := 0
	for i, w := range words {
		if w == sep {
			if i > start {
				out = append(out, words[start:i])
			}
			start = i + 1
		}
	}
	if start < len(words) {
		out = append(out, words[start:])
	}
	return out
}
