package taxonomy

import (
	"fmt"
	"strings"
	"unicode"
)

// Level is a canonical rating on AO3's ordinal scale. NotRated and Unknown
// are outside the order: they are never compared.
type Level int

// Rating levels. The order of General..Explicit is meaningful.
const (
	Unknown Level = iota
	NotRated
	General
	Teen
	Mature
	Explicit
)

var levelNames = [...]string{"", "not-rated", "general", "teen", "mature", "explicit"}

// String returns the canonical name ("explicit"), or "" for Unknown.
func (l Level) String() string {
	if l < 0 || int(l) >= len(levelNames) {
		return ""
	}
	return levelNames[l]
}

// Ordered reports whether l is on the ordinal scale (general..explicit).
func (l Level) Ordered() bool { return l >= General && l <= Explicit }

// Declares returns the labels that a story rated l declares by the
// rating's definition: Explicit (AO3's Explicit, NC-17, MA…) is the rating
// for explicit sexual content, so such a story declares pornography as
// surely as a tag would, and a moderator reads a finding of it there as
// no news.
func (l Level) Declares() []string {
	if l == Explicit {
		return []string{"pornography"}
	}
	return nil
}

// ParseLevel maps a canonical name ("mature") to its Level.
func ParseLevel(name string) (Level, bool) {
	for i, n := range levelNames {
		if i > 0 && n == name {
			return Level(i), true
		}
	}
	return Unknown, false
}

// Rating systems a raw rating can belong to.
const (
	SystemMPAA           = "mpaa"
	SystemFictionRatings = "fictionratings"
	SystemFanRated       = "fanrated"
	SystemAO3            = "ao3"
	// SystemAge is an age written as a rating: "13+", "18+".
	SystemAge = "age"
)

// Rating is a parsed declared rating.
type Rating struct {
	Level  Level
	Raw    string // the rating as written: "NC-17", "Teen And Up Audiences"
	System string // one of the System constants
}

// Canonical returns the canonical rating name.
func (r Rating) Canonical() string { return r.Level.String() }

type ratingCode struct {
	level  Level
	system string
	single bool // one-letter code: counts only in upper case in prose
}

type ratingTable struct {
	codes  map[string]ratingCode // key: upper case, spaces and hyphens removed
	maxLen int                   // most words in a code
}

func newRatingTable(m map[string]map[string][]string) (ratingTable, error) {
	rt := ratingTable{codes: map[string]ratingCode{}}
	for levelName, systems := range m {
		lvl, ok := ParseLevel(levelName)
		if !ok {
			return rt, fmt.Errorf("ratings: unknown level %q", levelName)
		}
		for system, codes := range systems {
			switch system {
			case SystemMPAA, SystemFictionRatings, SystemFanRated, SystemAO3, SystemAge:
			default:
				return rt, fmt.Errorf("ratings: unknown system %q", system)
			}
			for _, c := range codes {
				k := ratingKey(c)
				if prev, dup := rt.codes[k]; dup && prev.level != lvl {
					return rt, fmt.Errorf("ratings: code %q is both %s and %s", c, prev.level, lvl)
				}
				rt.codes[k] = ratingCode{level: lvl, system: system, single: len([]rune(k)) == 1}
				rt.maxLen = max(rt.maxLen, len(strings.Fields(c)))
			}
		}
	}
	return rt, nil
}

func ratingKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r == ' ' || r == '-' || r == '_' || r == '.' {
			continue
		}
		b.WriteRune(unicode.ToUpper(r))
	}
	return b.String()
}

// ratingWord is a word of a rating value with its place in the value.
type ratingWord struct {
	text       string
	start, end int
}

// ratingWords splits a value into words of letters, digits, "+" and inner
// hyphens, so that "NC-17," gives "NC-17" and "[PG-13]" gives "PG-13".
func ratingWords(s string) []ratingWord {
	var words []ratingWord
	start := -1
	for i, r := range s {
		inWord := unicode.IsLetter(r) || unicode.IsDigit(r) || r == '+' || r == '-' && start >= 0
		switch {
		case inWord && start < 0:
			start = i
		case !inWord && start >= 0:
			words = append(words, ratingWord{strings.TrimRight(s[start:i], "-"), start, i})
			start = -1
		}
	}
	if start >= 0 {
		words = append(words, ratingWord{strings.TrimRight(s[start:], "-"), start, len(s)})
	}
	return words
}

// rangeWords join two ratings into a span ("PG-13 to R"): the higher counts.
var rangeWords = map[string]bool{"to": true, "through": true, "thru": true, "or": true, "and": true, "going": true, "eventually": true, "later": true, "overall": true, "for": false}

// ParseRating reads a declared rating from a header value such as
// "NC-17, and I mean it", "Rated M for language", "R (though relatively
// mild)" or "[PG-13]". The first rating in the value counts; when a second
// follows as a range ("PG-13 to R", "PG-13/R") the higher one does.
func (t *Taxonomy) ParseRating(value string) (Rating, bool) {
	r, _, _, ok := t.RatingSpan(value)
	return r, ok
}

// RatingSpan is ParseRating that also tells where in value the rating it
// returns is written, value[start:end], so that a caller can read what
// the author wrote after it ("R — violence", "NC-17 for gore").
func (t *Taxonomy) RatingSpan(value string) (r Rating, start, end int, ok bool) {
	words := ratingWords(value)
	type hit struct {
		r          Rating
		next       int // index of the word after the hit
		start, end int // byte span of the rating in value
	}
	find := func(from int) (hit, bool) {
		for i := from; i < len(words); i++ {
			for n := min(t.ratings.maxLen, len(words)-i); n >= 1; n-- {
				parts := make([]string, n)
				for j := range n {
					parts[j] = words[i+j].text
				}
				code, ok := t.ratings.codes[ratingKey(strings.Join(parts, ""))]
				if !ok {
					continue
				}
				raw := value[words[i].start:words[i+n-1].end]
				raw = strings.TrimRight(raw, "-")
				// One-letter codes ("R", "M", "T") are common words in lower
				// case; require upper case unless the code is the whole value.
				if code.single && len(words) > 1 && raw != strings.ToUpper(raw) {
					continue
				}
				if code.single && len(words) > 1 && (raw == "I" || raw == "A") {
					continue
				}
				if strings.Count(raw, "(") > strings.Count(raw, ")") && strings.HasPrefix(value[words[i].start+len(raw):], ")") {
					raw += ")" // "E (for everyone)"
				}
				return hit{Rating{Level: code.level, Raw: raw, System: code.system}, i + n, words[i].start, words[i].start + len(raw)}, true
			}
		}
		return hit{}, false
	}
	first, ok := find(0)
	if !ok {
		return Rating{}, 0, 0, false
	}
	// A range: the next hit separated from the first only by range words
	// or punctuation.
	j := first.next
	for j < len(words) && rangeWords[strings.ToLower(words[j].text)] {
		j++
	}
	if second, ok := find(j); ok && second.next == j+wordsIn(second.r.Raw) && first.r.Level.Ordered() && second.r.Level > first.r.Level {
		gap := value[words[first.next-1].end:words[j].start]
		if j > first.next || strings.ContainsAny(gap, "/–—-") {
			return second.r, second.start, second.end, true
		}
	}
	return first.r, first.start, first.end, true
}

func wordsIn(raw string) int { return len(ratingWords(raw)) }
