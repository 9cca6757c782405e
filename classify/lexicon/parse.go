package lexicon

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/agnivade/levenshtein"
	"go.yaml.in/yaml/v3"
)

// The raw* types hold a lexicon file as written, with line numbers for
// error messages. Parsing walks the yaml.v3 node tree itself instead of
// decoding into structs so that every message can name the line and the
// key, unknown keys are rejected with a suggestion, and a term can be
// written either as a bare string or as a mapping.

type rawDoc struct {
	version      *int
	versionLine  int
	simileFactor *float64
	factorLine   int
	repeatSpan   *int
	repeatLine   int
	sceneSpan    *int
	sceneLine    int
	scenes       []rawScene
	dialogue     *rawDialogue
	similes      []rawPhrase
	skip         []rawPhrase
	irregular    []rawIrregular
	exceptions   []rawPhrase
	labels       []rawCat
	rating       []rawCat
	empty        bool // the document has no content at all
}

type rawCat struct {
	name       string
	line       int
	terms      []rawTerm
	exceptions []rawPhrase
	// together holds the label's together rules; nil when the key is not
	// given, empty when it is given empty (an overlay clearing them).
	together     []rawTogether
	togetherLine int
}

// rawDialogue is the dialogue block as written; a key left out is nil.
type rawDialogue struct {
	line       int
	factor     *float64
	labels     []string // nil when not given
	labelsLine int
}

// rawTogether is one together rule as written.
type rawTogether struct {
	line   int
	weight *float64
	span   *int
	groups [][]string
}

type rawTerm struct {
	text   string
	line   int
	weight *float64
	forms  []string
	exact  *bool
	// negatable false: a negation before the term does not undo it.
	negatable *bool
	// capitalised false: the term written with a capital mid-sentence is
	// a name ("Dick"), not the term.
	capitalised *bool
	// spaced false: a hyphenated word does not match written as two
	// words ("hard-on", not "hard on the gravel").
	spaced *bool
	remove bool
}

// rawScene is one entry of scenes: its keys as written; nil for a key
// not given.
type rawScene struct {
	name       string
	line       int
	labels     []string
	labelsLine int
	terms      []rawPhrase
	termsLine  int
	phrases    []rawPhrase
}

type rawPhrase struct {
	text   string
	line   int
	remove bool
}

type rawIrregular struct {
	word  string
	line  int
	forms []string
}

// maxErrors caps the problems one file reports: enough to fix a batch at
// a time, few enough to read.
const maxErrors = 20

// errList collects the problems of one file.
type errList struct{ errs []error }

func (e *errList) add(line int, subject, format string, args ...any) {
	if len(e.errs) >= maxErrors {
		return
	}
	msg := fmt.Sprintf(format, args...)
	switch {
	case subject == "":
	case line > 0:
		msg = fmt.Sprintf("%s (line %d): %s", subject, line, msg)
	default:
		msg = subject + ": " + msg
	}
	e.errs = append(e.errs, errors.New(msg))
}

func (e *errList) err() error {
	switch len(e.errs) {
	case 0:
		return nil
	case 1:
		return e.errs[0]
	}
	if len(e.errs) >= maxErrors {
		e.errs = append(e.errs, fmt.Errorf("stopped after %d problems", maxErrors))
	}
	return errors.Join(e.errs...)
}

var (
	topKeys = []string{"version", "simile_factor", "repeat_span", "similes", "simile_skip", "scene_span", "scenes", "dialogue", "irregular", "exceptions", "labels", "rating"}
	// retiredKeys are top-level keys of earlier lexicons: accepted only to
	// say where they went.
	retiredKeys  = []string{"play", "play_span", "play_labels"}
	sceneKeys    = []string{"labels", "terms", "phrases"}
	dialogueKeys = []string{"factor", "labels"}
	catKeys      = []string{"terms", "exceptions", "together"}
	togetherKeys = []string{"weight", "span", "groups"}
	termKeys     = []string{"term", "weight", "forms", "exact", "negatable", "capitalised", "spaced", "remove"}
	phraseKeys   = []string{"phrase", "remove"}
)

// parse reads a lexicon or overlay file.
func parse(data []byte, el *errList) *rawDoc {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var root yaml.Node
	switch err := dec.Decode(&root); {
	case err == io.EOF:
		return &rawDoc{empty: true}
	case err != nil:
		el.add(0, "", "not valid YAML: %s", cleanYAMLError(err))
		return nil
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err != io.EOF {
		line := extra.Line
		if err != nil {
			line = 0
		}
		el.add(line, "lexicon", "more than one YAML document (---); put everything in one")
		return nil
	}
	doc := &rawDoc{}
	if len(root.Content) == 0 {
		doc.empty = true
		return doc
	}
	top := root.Content[0]
	if top.Kind == yaml.ScalarNode && top.Tag == "!!null" {
		doc.empty = true
		return doc
	}
	p := parser{el: el}
	tp := parser{el: el, hidden: retiredKeys}
	tp.mapping(top, "lexicon", topKeys, func(key string, k, v *yaml.Node) {
		switch key {
		case "version":
			if n, ok := p.integer(v, "version"); ok {
				doc.version, doc.versionLine = &n, k.Line
			}
		case "simile_factor":
			if f, ok := p.number(v, "simile_factor"); ok {
				doc.simileFactor, doc.factorLine = &f, k.Line
			}
		case "repeat_span":
			if n, ok := p.integer(v, "repeat_span"); ok {
				doc.repeatSpan, doc.repeatLine = &n, k.Line
			}
		// The keys of the one scene lexicons had before scenes.
		case "play":
			el.add(k.Line, key, "moved under scenes; write scenes: {play: {phrases: [...]}}")
		case "play_labels":
			el.add(k.Line, key, "moved under scenes; write scenes: {play: {labels: [...]}} (labels: [] turns the scene off)")
		case "play_span":
			el.add(k.Line, key, "moved; write scene_span: %s, the span of every scene (0 turns them all off; scenes: {play: {labels: []}} turns off play alone)", v.Value)
		case "scene_span":
			if n, ok := p.integer(v, "scene_span"); ok {
				doc.sceneSpan, doc.sceneLine = &n, k.Line
			}
		case "scenes":
			doc.scenes = p.scenes(v)
		case "dialogue":
			d := &rawDialogue{line: k.Line}
			p.mapping(v, "dialogue", dialogueKeys, func(key string, k, v *yaml.Node) {
				switch key {
				case "factor":
					if f, ok := p.number(v, "dialogue factor"); ok {
						d.factor = &f
					}
				case "labels":
					d.labels, d.labelsLine = p.stringList(v, "dialogue labels"), k.Line
					if d.labels == nil {
						d.labels = []string{}
					}
				}
			})
			doc.dialogue = d
		case "similes":
			doc.similes = p.phrases(v, "similes")
		case "simile_skip":
			doc.skip = p.phrases(v, "simile_skip")
		case "exceptions":
			doc.exceptions = p.phrases(v, "exceptions")
		case "irregular":
			p.mapping(v, "irregular", nil, func(word string, k, v *yaml.Node) {
				doc.irregular = append(doc.irregular, rawIrregular{
					word: word, line: k.Line,
					forms: p.stringList(v, fmt.Sprintf("irregular forms of %q", word)),
				})
			})
		case "labels":
			doc.labels = p.cats(v, "labels")
		case "rating":
			doc.rating = p.cats(v, "rating")
		}
	})
	return doc
}

// cleanYAMLError drops the "yaml: " prefix yaml.v3 puts on its messages.
func cleanYAMLError(err error) string {
	return strings.TrimPrefix(err.Error(), "yaml: ")
}

type parser struct {
	el *errList
	// hidden are keys that mapping passes to its function although they
	// are not among the known keys it lists and suggests.
	hidden []string
}

// mapping calls fn for every key of the mapping n in order. With known
// non-nil, keys outside it are reported (with the nearest known key as a
// suggestion) and skipped. Duplicate keys are reported.
func (p parser) mapping(n *yaml.Node, what string, known []string, fn func(key string, k, v *yaml.Node)) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if !p.kind(n, yaml.MappingNode, what, "a mapping of keys to values") {
		return
	}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if !p.kind(k, yaml.ScalarNode, what+" key", "a plain key") {
			continue
		}
		key := k.Value
		if first, dup := seen[key]; dup {
			p.el.add(k.Line, what, "key %q appears twice (first on line %d); merge the two", key, first)
			continue
		}
		seen[key] = k.Line
		if known != nil && !slices.Contains(known, key) && !slices.Contains(p.hidden, key) {
			hint := ""
			if s := nearest(key, known); s != "" {
				hint = fmt.Sprintf("did you mean %q? ", s)
			}
			p.el.add(k.Line, what, "unknown key %q; %sknown keys: %s", key, hint, strings.Join(known, ", "))
			continue
		}
		if v.Kind == yaml.AliasNode {
			p.el.add(v.Line, what, "%q: YAML aliases (*name) are not supported; write the value out", key)
			continue
		}
		fn(key, k, v)
	}
}

// kind reports whether n has the wanted kind, and reports it otherwise.
func (p parser) kind(n *yaml.Node, want yaml.Kind, what, desc string) bool {
	if n.Kind == want {
		return true
	}
	if n.Kind == yaml.AliasNode {
		p.el.add(n.Line, what, "YAML aliases (*name) are not supported; write the value out")
		return false
	}
	p.el.add(n.Line, what, "expected %s, found %s", desc, describe(n))
	return false
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == "!!null" {
			return "nothing"
		}
		return fmt.Sprintf("%q", n.Value)
	}
	return "something else"
}

func (p parser) integer(n *yaml.Node, what string) (int, bool) {
	var v int
	if n.Kind != yaml.ScalarNode || n.Tag != "!!int" || n.Decode(&v) != nil {
		p.el.add(n.Line, what, "expected a whole number, found %s", describe(n))
		return 0, false
	}
	return v, true
}

func (p parser) number(n *yaml.Node, what string) (float64, bool) {
	if n.Kind == yaml.ScalarNode && (n.Tag == "!!int" || n.Tag == "!!float") && plainDecimal(n.Value) {
		// What Decode would make of it, without its reflection: the
		// weights of a large file are most of its numbers.
		if v, err := strconv.ParseFloat(n.Value, 64); err == nil {
			return v, true
		}
	}
	var v float64
	if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") || n.Decode(&v) != nil {
		p.el.add(n.Line, what, "expected a number, found %s", describe(n))
		return 0, false
	}
	return v, true
}

// plainDecimal reports whether s is at most 15 digits with at most one
// decimal point between digits ("2", "0.75"), and no leading zero before
// another digit (YAML reads "010" as octal): a number that YAML and
// strconv.ParseFloat read alike.
func plainDecimal(s string) bool {
	if len(s) > 16 || len(s) > 1 && s[0] == '0' && s[1] != '.' {
		return false
	}
	digits, point := 0, -1
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && point < 0 && digits > 0 && i+1 < len(s):
			point = i
		default:
			return false
		}
	}
	return digits > 0
}

func (p parser) boolean(n *yaml.Node, what string) (bool, bool) {
	var v bool
	if n.Kind != yaml.ScalarNode || n.Tag != "!!bool" || n.Decode(&v) != nil {
		p.el.add(n.Line, what, "expected true or false, found %s", describe(n))
		return false, false
	}
	return v, true
}

// text returns the string value of a scalar; numbers and booleans count
// as the text they are written with ("12 steps" needs no quotes).
func (p parser) text(n *yaml.Node, what string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.el.add(n.Line, what, "expected a word or phrase, found %s", describe(n))
		return "", false
	}
	return n.Value, true
}

// list calls fn for each item of the sequence n; nothing (null) is an
// empty list.
func (p parser) list(n *yaml.Node, what string, fn func(item *yaml.Node)) {
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return
	}
	if !p.kind(n, yaml.SequenceNode, what, "a list") {
		return
	}
	for _, item := range n.Content {
		if item.Kind == yaml.AliasNode {
			p.el.add(item.Line, what, "YAML aliases (*name) are not supported; write the value out")
			continue
		}
		fn(item)
	}
}

func (p parser) stringList(n *yaml.Node, what string) []string {
	var out []string
	p.list(n, what, func(item *yaml.Node) {
		if s, ok := p.text(item, what); ok {
			out = append(out, s)
		}
	})
	return out
}

// phrases reads a list of phrase entries: "text" or {phrase: text, remove: true}.
func (p parser) phrases(n *yaml.Node, what string) []rawPhrase {
	var out []rawPhrase
	p.list(n, what, func(item *yaml.Node) {
		if item.Kind == yaml.MappingNode {
			ph := rawPhrase{line: item.Line}
			has := false
			p.mapping(item, what+" entry", phraseKeys, func(key string, k, v *yaml.Node) {
				switch key {
				case "phrase":
					ph.text, has = p.text(v, what+" phrase")
				case "remove":
					ph.remove, _ = p.boolean(v, "remove")
				}
			})
			if !has {
				p.el.add(item.Line, what+" entry", "missing phrase; write {phrase: words, remove: true}")
				return
			}
			out = append(out, ph)
			return
		}
		if s, ok := p.text(item, what+" entry"); ok {
			out = append(out, rawPhrase{text: s, line: item.Line})
		}
	})
	return out
}

// scenes reads the scenes mapping: scene name → labels, terms and
// phrases.
func (p parser) scenes(n *yaml.Node) []rawScene {
	var out []rawScene
	p.mapping(n, "scenes", nil, func(name string, k, v *yaml.Node) {
		sc := rawScene{name: name, line: k.Line}
		what := fmt.Sprintf("scene %q", name)
		p.mapping(v, what, sceneKeys, func(key string, k, v *yaml.Node) {
			switch key {
			case "labels":
				sc.labels, sc.labelsLine = p.stringList(v, what+" labels"), k.Line
				if sc.labels == nil {
					sc.labels = []string{} // given, and empty: no label
				}
			case "terms":
				sc.terms, sc.termsLine = p.phrases(v, what+" terms"), k.Line
				if sc.terms == nil {
					sc.terms = []rawPhrase{}
				}
			case "phrases":
				sc.phrases = p.phrases(v, what+" phrases")
			}
		})
		out = append(out, sc)
	})
	return out
}

// cats reads the labels or rating mapping.
func (p parser) cats(n *yaml.Node, what string) []rawCat {
	var out []rawCat
	p.mapping(n, what, nil, func(name string, k, v *yaml.Node) {
		c := rawCat{name: name, line: k.Line}
		ctx := what + "." + name
		p.mapping(v, ctx, catKeys, func(key string, _, v *yaml.Node) {
			switch key {
			case "terms":
				c.terms = p.terms(v, ctx+".terms")
			case "exceptions":
				c.exceptions = p.phrases(v, ctx+".exceptions")
			case "together":
				c.together, c.togetherLine = p.together(v, ctx+".together"), v.Line
				if c.together == nil {
					c.together = []rawTogether{}
				}
			}
		})
		out = append(out, c)
	})
	return out
}

// together reads a list of together rules: {weight: 3, span: 40,
// groups: [[word, ...], ...]}.
func (p parser) together(n *yaml.Node, what string) []rawTogether {
	var out []rawTogether
	p.list(n, what, func(item *yaml.Node) {
		if !p.kind(item, yaml.MappingNode, what+" entry", "a rule, {weight: 3, groups: [[blade, razor], [wrist, forearm]]}") {
			return
		}
		r := rawTogether{line: item.Line}
		p.mapping(item, what+" entry", togetherKeys, func(key string, k, v *yaml.Node) {
			switch key {
			case "weight":
				if f, ok := p.number(v, "weight"); ok {
					r.weight = &f
				}
			case "span":
				if i, ok := p.integer(v, "span"); ok {
					r.span = &i
				}
			case "groups":
				p.list(v, what+" groups", func(g *yaml.Node) {
					r.groups = append(r.groups, p.stringList(g, what+" group"))
				})
			}
		})
		out = append(out, r)
	})
	return out
}

// terms reads a list of terms: "word" or {term: ..., weight: ..., ...}.
func (p parser) terms(n *yaml.Node, what string) []rawTerm {
	var out []rawTerm
	p.list(n, what, func(item *yaml.Node) {
		if item.Kind != yaml.MappingNode {
			if s, ok := p.text(item, what+" entry"); ok {
				out = append(out, rawTerm{text: s, line: item.Line})
			}
			return
		}
		t := rawTerm{line: item.Line}
		has := false
		p.mapping(item, what+" entry", termKeys, func(key string, k, v *yaml.Node) {
			switch key {
			case "term":
				t.text, has = p.text(v, "term")
			case "weight":
				if f, ok := p.number(v, "weight"); ok {
					t.weight = &f
				}
			case "forms":
				t.forms = p.stringList(v, "forms")
				if t.forms == nil {
					t.forms = []string{}
				}
			case "exact":
				if b, ok := p.boolean(v, "exact"); ok {
					t.exact = &b
				}
			case "negatable":
				if b, ok := p.boolean(v, "negatable"); ok {
					t.negatable = &b
				}
			case "capitalised":
				if b, ok := p.boolean(v, "capitalised"); ok {
					t.capitalised = &b
				}
			case "spaced":
				if b, ok := p.boolean(v, "spaced"); ok {
					t.spaced = &b
				}
			case "remove":
				t.remove, _ = p.boolean(v, "remove")
			}
		})
		if !has {
			p.el.add(item.Line, what+" entry", "missing term; write {term: word, weight: 1.5}")
			return
		}
		out = append(out, t)
	})
	return out
}

// nearest returns the candidate closest to s by edit distance, if it is
// close enough to be a likely typo.
func nearest(s string, candidates []string) string {
	best, bestD := "", math.MaxInt
	for _, c := range candidates {
		if d := editDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD <= 2 || (bestD <= 3 && len(s) >= 8) {
		return best
	}
	return ""
}

// editDistance is the Levenshtein distance between a and b, or MaxInt for
// words too long to be worth comparing.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return math.MaxInt
	}
	return levenshtein.ComputeDistance(a, b)
}
