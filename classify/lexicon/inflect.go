package lexicon

import "strings"

// inflect returns w followed by the forms simple English rules give it:
// -s/-es/-ies, -ed/-d/-ied and -ing, with the final consonant doubled after
// a single short vowel ("stab" → "stabbed", "stabbing") and a final "e"
// dropped before -ing ("rape" → "raping", "die" → "dying"). It
// over-generates on purpose ("murderred" next to "murdered"): a form that
// never occurs in text costs nothing, a form that is missing loses hits.
//
// It never undoubles: a one-syllable word ending consonant–vowel–consonant
// gets only the doubled past ("scar" → "scarred", never "scared"; "strip" →
// "stripped", never "striped"), since the undoubled form is another word.
// Words with characters other than ASCII letters (apostrophes, digits,
// accents) are returned as they are.
func inflect(w string) []string {
	out := []string{w}
	if len(w) < 2 || !asciiLetters(w) {
		return out
	}
	add := func(s string) {
		for _, have := range out {
			if have == s {
				return
			}
		}
		out = append(out, s)
	}
	last := w[len(w)-1]
	prev := w[len(w)-2]

	// Third person singular and plural.
	switch {
	case strings.HasSuffix(w, "s") || strings.HasSuffix(w, "x") || strings.HasSuffix(w, "z") ||
		strings.HasSuffix(w, "ch") || strings.HasSuffix(w, "sh") || strings.HasSuffix(w, "o"):
		add(w + "es")
		if last == 'o' {
			add(w + "s")
		}
	case last == 'y' && !isVowel(prev):
		add(w[:len(w)-1] + "ies")
	default:
		add(w + "s")
	}

	// Past tense / participle and -ing.
	switch {
	case strings.HasSuffix(w, "ie"):
		add(w + "d")
		add(w[:len(w)-2] + "ying")
	case last == 'e':
		add(w + "d")
		if prev == 'e' || prev == 'o' || prev == 'y' {
			add(w + "ing") // flee → fleeing, hoe → hoeing
		} else {
			add(w[:len(w)-1] + "ing")
		}
	case last == 'y' && !isVowel(prev):
		add(w[:len(w)-1] + "ied")
		add(w + "ing")
	case last == 'c':
		add(w + "ked") // panic → panicked
		add(w + "king")
		add(w + "ed")
		add(w + "ing")
	case endsCVC(w):
		d := w + string(last)
		add(d + "ed")
		add(d + "ing")
		if vowelGroups(w) > 1 {
			// Stress decides (murdered, kidnapped); make both.
			add(w + "ed")
			add(w + "ing")
		}
	default:
		add(w + "ed")
		add(w + "ing")
	}
	return out
}

func asciiLetters(w string) bool {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func isVowel(c byte) bool {
	switch c {
	case 'a', 'e', 'i', 'o', 'u':
		return true
	}
	return false
}

// endsCVC reports whether w ends consonant–vowel–consonant with a final
// consonant that English doubles (not w, x or y).
func endsCVC(w string) bool {
	n := len(w)
	if n < 3 {
		return n == 2 && isVowel(w[0]) && !isVowel(w[1]) && !strings.ContainsRune("wxy", rune(w[1]))
	}
	c1, v, c2 := w[n-3], w[n-2], w[n-1]
	return !isVowel(c1) && isVowel(v) && !isVowel(c2) && !strings.ContainsRune("wxy", rune(c2))
}

// vowelGroups counts runs of vowels, a rough syllable count.
func vowelGroups(w string) int {
	n, in := 0, false
	for i := 0; i < len(w); i++ {
		v := isVowel(w[i]) || (w[i] == 'y' && i > 0)
		if v && !in {
			n++
		}
		in = v
	}
	return n
}
