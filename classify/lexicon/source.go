package lexicon

import (
	"bytes"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Source returns a lexicon file for l, for saving a model: the bytes Load
// read, unchanged, or for a lexicon made by Merge a rendering of the
// merged lexicon in the same format (comments are not kept). Load reads it
// back into an equal lexicon, unless an overlay left a label with fewer
// than MinTerms terms, which Load refuses. The result must not be modified.
func (l *Lexicon) Source() []byte {
	if l.source != nil {
		return l.source
	}
	if sp := l.parsed(); sp != nil {
		return render(sp)
	}
	return nil
}

// render writes s in the lexicon file format.
func render(s *spec) []byte {
	doc := mapNode()
	doc.HeadComment = "tagger content-warning lexicon, merged from a lexicon and overlays.\n" +
		"Sources, licences and the format: models/default/lexicon.yaml and the\n" +
		"package doc of classify/lexicon."
	put(doc, "version", plain(strconv.Itoa(Version)))
	put(doc, "simile_factor", plain(formatFloat(s.factor)))
	if s.repeatSpan > 0 {
		put(doc, "repeat_span", plain(strconv.Itoa(s.repeatSpan)))
	}
	put(doc, "similes", phraseList(s.similes))
	put(doc, "simile_skip", phraseList(s.skip))
	if len(s.scenes) > 0 || s.sceneSpan > 0 {
		put(doc, "scene_span", plain(strconv.Itoa(s.sceneSpan)))
		scenes := mapNode()
		for _, sc := range s.scenes {
			n := mapNode()
			switch {
			case sc.terms != nil && len(sc.terms) == 0:
				// Its terms were all removed from its labels: it discounts
				// nothing, as a scene without labels does.
				put(n, "labels", stringList(nil))
			case sc.labels != nil:
				put(n, "labels", stringList(sc.labels))
			}
			if len(sc.terms) > 0 {
				put(n, "terms", phraseList(sc.terms))
			}
			if len(sc.phrases) > 0 {
				put(n, "phrases", phraseList(sc.phrases))
			}
			put(scenes, sc.name, n)
		}
		put(doc, "scenes", scenes)
	}
	if s.dialogueFactor < 1 || s.dialogueLabels != nil {
		d := mapNode()
		put(d, "factor", plain(formatFloat(s.dialogueFactor)))
		put(d, "labels", stringList(s.dialogueLabels))
		put(doc, "dialogue", d)
	}
	if len(s.irregular) > 0 {
		irr := mapNode()
		words := make([]string, 0, len(s.irregular))
		for w := range s.irregular {
			words = append(words, w)
		}
		slices.Sort(words)
		for _, w := range words {
			put(irr, w, stringList(s.irregular[w]))
		}
		put(doc, "irregular", irr)
	}
	if len(s.exceptions) > 0 {
		exc := phraseList(s.exceptions)
		exc.Style = 0 // one per line
		put(doc, "exceptions", exc)
	}
	labels, rating := mapNode(), mapNode()
	for _, c := range s.cats {
		if len(c.terms) == 0 && len(c.exceptions) == 0 && len(c.together) == 0 {
			continue
		}
		cat := mapNode()
		terms := &yaml.Node{Kind: yaml.SequenceNode}
		for _, t := range c.terms {
			m := mapNode()
			m.Style = yaml.FlowStyle
			put(m, "term", str(t.text))
			put(m, "weight", plain(formatFloat(t.weight)))
			if len(t.forms) > 0 {
				put(m, "forms", stringList(t.forms))
			}
			if t.exact {
				put(m, "exact", plain("true"))
			}
			if t.fixed {
				put(m, "negatable", plain("false"))
			}
			if t.lower {
				put(m, "capitalised", plain("false"))
			}
			if t.hyphened {
				put(m, "spaced", plain("false"))
			}
			terms.Content = append(terms.Content, m)
		}
		put(cat, "terms", terms)
		if len(c.exceptions) > 0 {
			exc := phraseList(c.exceptions)
			exc.Style = 0 // one per line
			put(cat, "exceptions", exc)
		}
		if len(c.together) > 0 {
			rules := &yaml.Node{Kind: yaml.SequenceNode}
			for _, t := range c.together {
				m := mapNode()
				m.Style = yaml.FlowStyle
				put(m, "weight", plain(formatFloat(t.weight)))
				put(m, "span", plain(strconv.Itoa(t.span)))
				groups := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
				for _, g := range t.groups {
					groups.Content = append(groups.Content, stringList(g))
				}
				put(m, "groups", groups)
				rules.Content = append(rules.Content, m)
			}
			put(cat, "together", rules)
		}
		if name, ok := strings.CutPrefix(c.name, "rating:"); ok {
			put(rating, name, cat)
		} else {
			put(labels, c.name, cat)
		}
	}
	put(doc, "labels", labels)
	put(doc, "rating", rating)

	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		// Encoding a tree of plain strings cannot fail.
		panic("lexicon: render: " + err.Error())
	}
	enc.Close()
	return b.Bytes()
}

func mapNode() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

// str returns a string node; the encoder quotes it where YAML would read
// it as something else ("null", "12").
func str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

// plain returns a number or boolean node, written as it is.
func plain(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: v} }

func put(m *yaml.Node, key string, v *yaml.Node) {
	m.Content = append(m.Content, str(key), v)
}

func stringList(list []string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.SequenceNode, Style: yaml.FlowStyle}
	for _, s := range list {
		n.Content = append(n.Content, str(s))
	}
	return n
}

func phraseList(ps []phrase) *yaml.Node {
	list := make([]string, len(ps))
	for i, p := range ps {
		list[i] = p.text
	}
	return stringList(list)
}

func formatFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
