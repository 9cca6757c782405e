package classify

import (
	"slices"
	"strings"
	"sync"

	"github.com/abadojack/whatlanggo"

	"github.com/tagger-dev/tagger/classify/tokenize"
)

// The model reads English only: its lexicon and naive-Bayes tables know
// English words, so a story in another language scores nothing and would
// pass as clean. Each story's language is therefore checked on its first
// chunk, and a story the model cannot read is reported as not checked.
//
// The check is two-step. English function words ("the", "and", "was")
// make up a third or more of the tokens of English prose and almost none
// of other languages' (they are read from the tokens already made for
// scoring, so the check costs nothing on English text). Only when they
// are rare is whatlanggo's trigram identifier run on a short sample, to
// name the language for the report and the language column. A guess it
// does not call reliable, or calls English, is read as English (lists of
// names, chat speak) unless almost no token is a word the model knows:
// random letters, an encoded blob or a keyboard mash is no language at all
// ("und", ISO 639-2 for undetermined), and passing it as clean would be a
// silent OK. That test needs a vocabulary the size of the default model's;
// a model trained on a few passages knows too few words to make it.

// languageTokens bounds the tokens counted for the function-word share
// and read by the identifier.
const (
	languageTokens = 2000
	// englishShare is the function-word share above which a text is read
	// as English: English prose has about 0.35–0.5, French, German or
	// Spanish under 0.05. Lists of names or very short texts fall between
	// and are identified by trigrams.
	englishShare = 0.15
	// minLanguageTokens is the fewest tokens a text needs before the
	// function-word share and the identifier judge its language; a
	// shorter text is told only by the function words of a few languages
	// (shortLanguage). At 30, a 24-word French story was checked, and
	// passed as OK; at 12 no annotated passage and no development work
	// changes language.
	minLanguageTokens = 12
	// minKnownShare is the share of tokens the model's vocabulary must
	// know for a text no language identifier recognises to be read. On
	// the ao3-works development half 99.9% of works know 0.66 or more
	// (median 0.89), lists of names and chat speak about 0.28, random
	// letters and base64 0.01–0.03.
	minKnownShare = 0.1
	// minVocabulary is the fewest naive-Bayes features a model needs for
	// minKnownShare to be applied: the default model has 6,177, from
	// 2,071 passages.
	minVocabulary = 3000
)

// Undetermined is the language code of a text that reads as no language.
const Undetermined = "und"

// englishFunctionWords holds the hashes of common English function words.
var englishFunctionWords = tokenize.NewWordSet(strings.Fields(`the a an and or but of to in on at for with from by as is was were be been
	he she it they we you i me him her them us my his its their our your this that these those
	not no had have has do did said would could will there what who which when if then so up out
	into over about than just all one`)...)

// shortFunctionWords are common function words of the languages besides
// English that fan fiction is most often written in, for texts too short
// for a trigram identifier: each set leaves out the words English shares
// ("a", "in", "so").
var shortFunctionWords = []struct {
	code  string
	words tokenize.WordSet
}{
	{"fr", tokenize.NewWordSet(strings.Fields(`le la les un une des du et est il elle ils elles je tu nous vous
		dans sur pour pas ne que qui avec mais son sa ses leur était sont été très plus cette`)...)},
	{"es", tokenize.NewWordSet(strings.Fields(`el la los las un una unos y es está era fue que en de del con por
		para pero su sus se lo le muy yo tú él ella nosotros sin`)...)},
	{"de", tokenize.NewWordSet(strings.Fields(`der die das den dem des ein eine einen und ist war sind nicht mit
		auf für sich er sie es ich du wir ihr aber auch noch nach zu`)...)},
	{"it", tokenize.NewWordSet(strings.Fields(`il lo la gli le un una e è era sono che di del della con per non
		ma si lui lei io tu noi voi anche molto`)...)},
	{"pt", tokenize.NewWordSet(strings.Fields(`o os as um uma e é era foi que de do da dos das com por para não
		mas se ele ela eu tu nós muito`)...)},
}

// shortLanguage judges a text of fewer than minLanguageTokens tokens,
// too short for the identifier: English unless two or more distinct
// words of it, and more than twice as many as its English function
// words, are function words of one other language ("Elle a pris le couteau et ...").
// A word of a few languages counts for each; the language with most wins.
func shortLanguage(toks []tokenize.Token) (string, bool) {
	en := 0
	for _, t := range toks {
		if englishFunctionWords.Has(t.Hash) {
			en++
		}
	}
	best, code := 0, English
	for _, l := range shortFunctionWords {
		var seen []uint64 // distinct words: "la la la" is a song, not French
		for _, t := range toks {
			if l.words.Has(t.Hash) && !slices.Contains(seen, t.Hash) {
				seen = append(seen, t.Hash)
			}
		}
		k := len(seen)
		if k > best {
			best, code = k, l.code
		}
	}
	if best >= 2 && best > 2*en {
		return code, false
	}
	return English, true
}

// English is the language code of the texts the model reads.
const English = "en"

// detectLanguage returns the ISO 639-1 code of the text's language ("en"
// when it reads as English, Undetermined when it reads as none) and
// whether the model can read it. known tells the words the model knows
// (nil: every word).
func detectLanguage(text string, toks []tokenize.Token, known func(uint64) bool) (string, bool) {
	n := min(len(toks), languageTokens)
	if n < minLanguageTokens {
		return shortLanguage(toks)
	}
	// Both halves of the stretch must read as English: an English
	// author's note must not pass a French story.
	for _, half := range [][]tokenize.Token{toks[:n/2], toks[n/2 : n]} {
		// Counting stops once the share is reached: on English prose, a
		// third of the way in.
		need := int(englishShare*float64(len(half))) + 1
		fw := 0
		for _, t := range half {
			if englishFunctionWords.Has(t.Hash) {
				if fw++; fw >= need {
					break
				}
			}
		}
		if float64(fw)/float64(len(half)) < englishShare {
			code, ok := identify(text[half[0].Start:toks[n-1].End()])
			if ok && known != nil && knownShare(toks[:n], known) < minKnownShare {
				return Undetermined, false
			}
			return code, ok
		}
	}
	return English, true
}

// knownShare is the share of toks that known knows.
func knownShare(toks []tokenize.Token, known func(uint64) bool) float64 {
	k := 0
	for _, t := range toks {
		if known(t.Hash) {
			k++
		}
	}
	return float64(k) / float64(len(toks))
}

// identify names the language of a text that does not read as English.
func identify(text string) (string, bool) {
	info := whatlanggo.Detect(text)
	code := languages().code[info.Lang]
	if code == "" || info.Lang == whatlanggo.Eng || !info.IsReliable() {
		// Unidentified, English with few function words (a list, chat
		// speak), or a weak guess: read it.
		return English, true
	}
	return code, false
}

// LanguageName returns the English name of an ISO 639-1 code, or the code.
func LanguageName(code string) string {
	switch code {
	case "":
		return ""
	case Undetermined:
		return "no language"
	}
	if name, ok := languages().name[code]; ok {
		return name
	}
	return code
}

// LanguageCode returns the ISO 639-1 code of a language given by that code
// or by its English name, in any case ("English", "fr"), and whether it
// knows it; "Mandarin" and "Chinese" are zh. Headers and corpora declare
// languages both ways, and a column of codes groups them.
func LanguageCode(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", false
	}
	if strings.EqualFold(s, "Chinese") {
		return "zh", true
	}
	t := languages()
	if code, ok := t.byKey[strings.ToLower(s)]; ok {
		return code, true
	}
	// Case folding knows more than lower-casing ("Engliſh").
	for key, code := range t.byKey {
		if strings.EqualFold(s, key) {
			return code, true
		}
	}
	return "", false
}

// languageTable holds whatlanggo's languages that have an ISO 639-1 code.
// whatlanggo builds a map of all its codes on every call of Iso6391, and
// reading a declared language by looping over its languages cost about a
// tenth of the CPU of a JSONL corpus whose records declare "English"; the
// table is built once, on first use, and only read after.
type languageTable struct {
	code  map[whatlanggo.Lang]string // language → ISO 639-1 code
	name  map[string]string          // code → English name
	byKey map[string]string          // lower-cased code or English name → code
}

// languages returns the table, built on first use.
var languages = sync.OnceValue(func() *languageTable {
	t := &languageTable{code: map[whatlanggo.Lang]string{}, name: map[string]string{}, byKey: map[string]string{}}
	for l, name := range whatlanggo.Langs {
		code := l.Iso6391()
		if code == "" {
			continue
		}
		// No two of whatlanggo's languages share a code or a name
		// (TestLanguageTable), so the map's order does not matter.
		t.code[l], t.name[code] = code, name
		t.byKey[code], t.byKey[strings.ToLower(name)] = code, code
	}
	return t
})
