// Package lexicon loads, checks, merges and matches tagger's content-warning
// lexicon: weighted words and phrases per label, with exceptions for
// figurative and idiomatic uses, simile handling and negation marks.
//
// # File format
//
// A lexicon is a YAML file (models/default/lexicon.yaml is the shipped
// one). A user overlay (tagger check --lexicon extra.yaml) has the same
// format.
//
//	version: 1                  # required in a full lexicon, optional in an overlay
//	simile_factor: 0.3          # weight multiplier of a hit right after a simile cue
//	repeat_span: 100            # a term said again within this many tokens counts less (0: off)
//	similes: [like, akin to, as if, as though]   # simile cues
//	simile_skip: [a, an, the, his, her]          # words that may stand between cue and term
//	scene_span: 250             # hits of a scene's labels with two of its phrases this near are figurative (0: off)
//	scenes:                     # settings told in the words of harm (at most 8)
//	  play:                     # its name, shown in explanations ("in a scene of play")
//	    labels: [violence, death]                # the labels it discounts
//	    phrases: [chess, board game, rehearsal]  # phrases that name the setting
//	  sport:
//	    labels: [violence, death]
//	    terms: [kill, murder, massacre]          # only these one-word terms of the labels (all, when absent)
//	    phrases: [referee, half-time, goalie]
//	dialogue:                   # one-word hits said inside double quotes weigh less ("I'm killed!")
//	  factor: 0.6               # their weight multiplier (1: off)
//	  labels: [violence]        # the labels it applies to ([] turns it off)
//	irregular:                  # extra forms of words, used in every term that has the word
//	  bleed: [bled]
//	  beat: [beaten]
//	exceptions: [star wars]     # phrases that cancel overlapping hits of every label
//	labels:
//	  violence:                 # a label id (tagger labels)
//	    terms:
//	      - stab                                 # weight 1
//	      - {term: stab, weight: 2.5}            # inflections match: stabs, stabbed, stabbing
//	      - {term: "snap * neck", weight: 3}     # phrase; * is any one word
//	      - {term: murder, weight: 2.5, forms: [murderer]}  # extra words for this term only
//	      - {term: cock, weight: 2, exact: true, forms: [cocks]}  # no inflection ("cocked her head")
//	      - {term: dick, capitalised: false}     # "Dick" mid-sentence is a name
//	      - {term: hard-on, spaced: false}       # not "hard on the gravel"
//	    exceptions:             # phrases that cancel overlapping hits of this label
//	      - killing time
//	      - dying to
//	    together:               # the label shown without its words (see Together)
//	      - {weight: 2, span: 40, groups: [[fist, boot], [jaw, rib], [blood, crack]]}
//	rating:                     # cues for the predicted rating: sexual, violence, language
//	  language:
//	    terms: [{term: fuck, weight: 2}]
//
// Words are matched as tokenize.Words splits and normalises text: case,
// curly apostrophes and a trailing possessive 's do not matter, and a
// hyphen splits a word ("self-harm" matches "self-harm", "self harm" and,
// closed up, "selfharm"). A term or phrase has at most MaxPhraseWords
// words, cannot start or end with *, and never matches across a sentence
// end.
//
// Inflection: every word of a term matches its inflected forms, made by
// simple English rules at load time (-s/-es/-ies, -ed/-d/-ied, -ing, with
// consonant doubling and e-dropping: stab → stabs, stabbed, stabbing; die
// → died, dying; bully → bullied) plus the forms listed for it under
// irregular (bleed → bled). The rules over-generate on purpose; a form
// that never occurs costs nothing. In a hyphenated word only the last part
// inflects. exact: true turns inflection and irregular forms off for one
// term. negatable: false keeps a term's hit counting under a negation: a
// slur is used in "I didn't raise a faggot" as much as without the "not".
// capitalised: false makes a term whose first word is written as a name
// (a capital, then a small letter) in the middle of a sentence no hit: "a
// message to Dick" or `"...," Dick said` names someone. At a sentence's
// start, right after an opening quote or after a line break it is a name
// only when the same word is written as one in the middle of a sentence
// elsewhere in the text Match is given ("Dick looked up" in a story that
// says "a message to Dick"); a word in capitals ("DICK"), and any word
// when Match is given no text, matches. spaced: false, on
// one hyphenated word, keeps it from matching written as separate words:
// "hard-on" and "hardon", not "down hard on the gravel". Exceptions,
// simile cues and skip words are matched exactly as written.
//
// Weights run from 0 to MaxWeight (10); a term without one weighs 1. The
// shipped lexicon uses about 3 for a term that alone signals the label
// ("rape", "miscarriage"), 2 for a clear signal that needs context
// ("stab"), 1 for supporting evidence ("blood") and less for weak cues.
// A term with weight 0 is silenced: it stays listed (Terms) but never
// produces a hit.
//
// # Exceptions, similes and negation
//
// A hit that overlaps an exception of its label (or a top-level exception)
// is dropped: "killing time", "dying to know", "dead tired" and "killer
// heels" produce no hit. A hit that follows a simile cue, directly or
// after at most three simile_skip words, in the same clause, is kept with
// Figurative set and its weight multiplied by simile_factor: "akin to
// rape" is worth a look but never strong evidence on its own. A hit whose
// first token is in the scope of a negation cue (tokenize.FlagNegated; "he
// did not kill her") is reported with Negated set and its weight
// unchanged: the model decides what it is worth. A term that starts with a
// cue ("without consent", "no pulse") is not negated by its own cue.
//
// # Scenes
//
// Some settings are told in the words of violence and death: a game ("he
// slaughtered my queen" at a chess board), the stage (a dagger in a
// rehearsal), a match ("we murdered them 4-0" before the final whistle).
// A hit of a one-word term of a scene's labels (hyphenated or not) with
// two mentions of the scene's phrases within scene_span tokens, before or
// after it, is figurative in the same way as after a simile, with Scene
// naming the scene. Scenes discount words, not descriptions: "she bled to
// death" keeps its weight beside a chess board. A scene that lists terms
// (one-word terms only) discounts those of its labels alone: a match
// discounts its hyperbole ("murdered", "slaughtered", "bloodbath") but
// not a blow ("punched") or a death ("dead") told beside the referee. Each scene counts
// its own phrases, and the first scene in the file that claims a hit
// names it. Scene phrases, like exceptions and similes, match exactly as
// written. In an overlay a scene's labels and terms replace the scene's,
// and its phrases add to them.
//
// # Together
//
// Some warnings are shown, not named: a blade, a forearm and silvery
// scars tell of self-harm without the word. A label's together rule lists
// two to MaxTogetherGroups groups of single words (inflections match);
// when a word of every group has been read within span tokens
// (DefaultTogetherSpan when not given, at most MaxTogetherSpan), each on a
// token of its own, Match reports one hit of the rule's weight at the word
// that completed the set, with Term naming the rule by the first word of
// each group ("blade + forearm + scar"). The rule then starts afresh, so a
// passage shows it once, not at every further word; a second hit within
// repeat_span counts less, as a term said again does. A token stands for
// one group only, and a word may be listed in one group of a rule only. A
// word in the scope of a negation ("no blade") or inside an exception does
// not count; scenes and similes do not discount the hit (it is a
// description, not a word), and a term of the label over the same token
// neither drops it nor is dropped by it. Rating cue sets have no together
// rules. In an overlay a label's rules add to the lexicon's, and
// together: [] drops them.
//
// # Repeats
//
// With repeat_span set, a term said again within that many tokens of its
// earlier hits is worth less: the n-th hit of a term in the span weighs
// 1/n of the term's weight (Hit.Repeat counts the earlier ones). One word
// said four times in a kitchen joke ("that carrot looks like a penis") or
// a book title ("Pride and Prejudice") is one piece of evidence, not four;
// a scene that shows a label uses many words for it. Without the key (or
// with 0) every hit counts fully, as in lexicons written before the key
// existed.
//
// # Overlays
//
// Merge applies an overlay to a lexicon and returns a new one. In an
// overlay a term that the lexicon already has (same words, any case or
// hyphenation) replaces its weight, adds its forms and sets exact; weight:
// 0 silences it; {term: x, remove: true} deletes it; a new term is added
// (weight 1 unless given). Exceptions, similes, skip words, scenes, scene
// phrases and irregular forms are added; {phrase: x, remove: true} deletes
// an exception, simile, skip word or scene phrase; simile_factor,
// repeat_span and scene_span replace the lexicon's. A scene's labels and
// terms replace the scene's (labels: [] turns the scene off); a term an
// overlay removes from a label leaves the scenes' lists too. A label's
// together rules add to its rules (together: [] drops them).
// Removing what is not there is an error, so a misspelt overlay line does
// not pass silently. Moderators use overlays as allow-lists: weight: 0 or remove for a term
// their community uses innocently, an exception for an innocent phrase.
//
// # Checks
//
// Load and Merge reject: unknown keys (with the nearest known key as a
// hint), unknown labels (with the canonical id when the name is an alias),
// empty terms, terms that are only a wildcard or start or end with one,
// words with characters other than letters, digits, marks, hyphens,
// slashes and apostrophes, weights outside [0, 10], a term or exception
// listed twice in one label, forms on a phrase, remove outside an overlay,
// a term that an exception of its label covers as written (it could
// never match), and what would make a scene do nothing: scenes without a
// scene_span (a span of 0 given is allowed: it turns them off), a scene
// with phrases and no labels or labels and no phrases (with the nearest
// scene's name when a file adds one), a scene term none of its labels
// has, an empty terms list, more than MaxScenes scenes, and together rules
// without a weight, with a weight or span out of range, with too few or
// too many groups, an empty group, a group of more than MaxGroupWords
// words, a phrase in a group, a word in two groups, more than
// MaxTogetherRules rules, or on a rating cue set.
// Load also requires version: 1 and at least MinTerms terms with a
// positive weight for each of the 36 labels and the three rating cue sets.
// Errors name the line and say what to fix.
//
// A Lexicon is immutable after Load or Merge and safe for concurrent use.
package lexicon

import (
	"fmt"
	"slices"
)

// Lexicon is a compiled lexicon, made by Load or Merge. It is immutable and
// safe for concurrent use. The zero Lexicon is empty: it matches nothing.
type Lexicon struct {
	spec     *spec
	cats     []string // category names by index: labels, then rating cue sets
	terms    []compiledTerm
	patterns []pattern
	tab      table    // patterns by first word
	pairs    table    // patterns by first two words (pairKey)
	skip     []uint64 // hashes of simile_skip words, sorted
	factor   float64
	// repeatSpan is the span, in tokens, within which a term said again
	// counts less (see Hit.Weight); 0 turns the discount off.
	repeatSpan int
	// scenes are the scenes that change anything (a label and a phrase,
	// with sceneSpan above 0), in the file's order.
	scenes []scene
	// sceneSpan is the span, in tokens either side of a hit, within which
	// a scene's phrases count for it (see scenes).
	sceneSpan int
	// together are the labels' together rules, and togetherSlots the
	// positions Match keeps for them (one per group).
	together      []togetherRule
	togetherSlots int
	// dialogueFactor weighs a one-word hit of a category marked in
	// dialogueCat when it stands inside double quotes (see quotes); 1,
	// or no category marked, turns the discount off.
	dialogueFactor float64
	dialogueCat    []bool
	// lowerFirst are the first words' hashes (all forms) of the terms
	// marked capitalised: false, sorted.
	lowerFirst []uint64
	source     []byte // the file Load read; nil after Merge
	// lazy, for a compiled lexicon (LoadCompiled), parses source when
	// spec is first needed; nil otherwise.
	lazy *lazySpec
}

// Term is a lexicon term, for explanations and documentation.
type Term struct {
	// Text is the term as written in the file.
	Text string
	// Weight is its weight; 0 means silenced.
	Weight float64
	// Forms are the other single words the term matches (inflections,
	// irregular and explicit forms), sorted; nil for a phrase.
	Forms []string
}

// Load parses a full lexicon file, checks it (see the package doc) and
// compiles it.
func Load(data []byte) (*Lexicon, error) {
	var el errList
	doc := parse(data, &el)
	if doc != nil && doc.empty {
		el.add(0, "lexicon", "the file is empty; it needs version: %d and labels", Version)
	}
	if err := el.err(); err != nil {
		return nil, err
	}
	s := newSpec()
	s.apply(doc, false, &el)
	s.validate(true, &el)
	if err := el.err(); err != nil {
		return nil, err
	}
	l := compile(s)
	l.source = slices.Clone(data)
	return l, nil
}

// Merge applies an overlay file to l and returns the merged lexicon; l is
// unchanged. An empty overlay gives a lexicon equal to l.
func (l *Lexicon) Merge(overlay []byte) (*Lexicon, error) {
	var el errList
	doc := parse(overlay, &el)
	if err := el.err(); err != nil {
		return nil, fmt.Errorf("overlay: %w", err)
	}
	base, err := l.specOf()
	if err != nil {
		return nil, err
	}
	s := newSpec()
	if base != nil {
		s = base.clone()
	}
	s.apply(doc, true, &el)
	s.validate(false, &el)
	if err := el.err(); err != nil {
		return nil, fmt.Errorf("overlay: %w", err)
	}
	return compile(s), nil
}

// Labels returns the labels with at least one term of positive weight, in
// taxonomy order, followed by the rating cue sets (RatingSexual, ...) that
// have one.
func (l *Lexicon) Labels() []string {
	sp := l.parsed()
	if sp == nil {
		return nil
	}
	var out []string
	for _, c := range sp.cats {
		for _, t := range c.terms {
			if t.weight > 0 {
				out = append(out, c.name)
				break
			}
		}
	}
	return out
}

// Terms returns the terms of a label or rating cue set in file order,
// silenced ones (weight 0) included; nil for an unknown name.
func (l *Lexicon) Terms(label string) []Term {
	sp := l.parsed()
	if sp == nil {
		return nil
	}
	c := sp.cat(label)
	if c == nil {
		return nil
	}
	out := make([]Term, 0, len(c.terms))
	for _, t := range c.terms {
		out = append(out, Term{Text: t.text, Weight: t.weight, Forms: formsOf(t, sp.irregular)})
	}
	return out
}

// Exceptions returns the exceptions of a label or rating cue set followed
// by the exceptions that apply to every label; nil for an unknown name.
func (l *Lexicon) Exceptions(label string) []string {
	sp := l.parsed()
	if sp == nil {
		return nil
	}
	c := sp.cat(label)
	if c == nil {
		return nil
	}
	var out []string
	for _, p := range c.exceptions {
		out = append(out, p.text)
	}
	for _, p := range sp.exceptions {
		out = append(out, p.text)
	}
	return out
}

// parsed is l's parsed file, or nil when it has none (or, for a compiled
// lexicon, its source no longer parses, which its hash rules out).
func (l *Lexicon) parsed() *spec {
	sp, err := l.specOf()
	if err != nil {
		return nil
	}
	return sp
}

// SimileFactor returns the weight multiplier of figurative hits.
func (l *Lexicon) SimileFactor() float64 { return l.factor }

// RepeatSpan returns the lexicon's repeat_span (0 when repeats count fully).
func (l *Lexicon) RepeatSpan() int { return l.repeatSpan }
