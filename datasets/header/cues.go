package header

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/taxonomy"
)

// Keys of the fields that hold warnings among other things, read by rules
// stricter than a warnings field's (see Build).
const (
	// KeyKeywords holds the keywords and classification codes of old
	// mailing-list headers ("V, A, Romance, MSR, angst, Character
	// Death"): tags, of which only whole warning terms declare.
	KeyKeywords = "keywords"
	// KeyNotesWarnings is a notes field whose label also names warnings
	// ("Notes/Warnings", "Author notes/warnings"): prose, in which cues
	// ("contains", "TW:") introduce warnings and whole warning terms
	// declare.
	KeyNotesWarnings = "notes-warnings"
	// KeyUnlabelled is a value whose label was lost, as when bold labels
	// vanish on extraction (": AU, hurt/comfort, minor character death"):
	// read as a rating when it is one, else like KeyNotesWarnings.
	KeyUnlabelled = "unlabelled"
	// KeyCells is a line of cells between " | " with no labels, as a
	// header on one line ("Title | Fandom | Pairing | NC-17 | dubcon, MCD
	// | 8k"): a cell that is a rating and nothing else gives the rating
	// when no field does, a cell whose phrases are whole warning terms
	// declares them, and the other cells are nothing.
	KeyCells = "cells"
)

// maxCueSpan bounds the text a cue in prose can introduce, so that a
// cue never reads a long note as a warning list.
const maxCueSpan = 400

// cueKind is what kind of word introduces a warning list in prose.
type cueKind int

const (
	cueNone cueKind = iota
	// cueShort is tw, cw, tws, cws: a separator follows, or, at the start
	// of a line or sentence, the list itself ("TW self harm").
	cueShort
	// cueWarning is warning(s), trigger/content warning(s), content
	// note(s): a separator or "for" must follow ("warnings for gore").
	cueWarning
	// cueContains is contains/includes, a cue only in fields that mix
	// notes and warnings ("Contains self-harm").
	cueContains
)

// span is a warning list found in prose: the cue starts at cue, the list
// is text[start:end].
type span struct{ cue, start, end int }

// cueSpans finds the warning lists that explicit cues introduce in prose:
// "TW: self harm", "(CW: su!cide, s/h)", "Warnings for gore and some light
// cursing.", "tw //", "TW for this chapter: blood". A list runs to the end
// of its sentence or line, or to the bracket that closes round its cue; a
// cue that ends its line takes the short lines after it ("tw:\n- a\n- b").
// A spoiler warning is no cue, nor is "warning" without a separator or
// "for" after it. With mixed, "contains" and "includes" are cues too. The
// text is read once, word by word.
func cueSpans(text string, mixed bool) []span {
	var out []span
	prev := ""
	for i := 0; i < len(text); {
		ws, we := nextWord(text, i)
		if ws < 0 {
			break
		}
		kind, cueEnd := cueWordAt(text, ws, we, prev, mixed)
		if kind != cueNone {
			if start, ok := listStart(text, ws, cueEnd, kind); ok {
				end := spanEnd(text, start)
				if at, _, _, _ := nextInline(text[start:end]); at >= 0 {
					end = start + at // "Warnings: None Genres: Humor": the next field
				}
				for start < end && isSpaceByte(text[start]) {
					start++
				}
				for end > start && isSpaceByte(text[end-1]) {
					end--
				}
				if end > start {
					out = append(out, span{cue: ws, start: start, end: end})
				}
				prev = ""
				i = max(end, cueEnd)
				continue
			}
		}
		prev = text[ws:we]
		i = we
	}
	return out
}

// nextWord finds the next word at or after i: a run of letters, digits
// and apostrophes (multi-byte runes count as letters, except symbols and
// emoji, which are decoration: "❗CW❗").
func nextWord(s string, i int) (start, end int) {
	for i < len(s) {
		n, word := wordRune(s, i)
		if word {
			break
		}
		i += n
	}
	if i >= len(s) {
		return -1, -1
	}
	j := i
	for j < len(s) {
		n, word := wordRune(s, j)
		if !word && s[j] != '\'' {
			break
		}
		j += n
	}
	return i, j
}

// wordRune reports the size of the rune at s[i] and whether it belongs
// to a word.
func wordRune(s string, i int) (int, bool) {
	if s[i] < utf8.RuneSelf {
		return 1, isWordChar(s[i])
	}
	r, n := utf8.DecodeRuneInString(s[i:])
	return n, !isDecor(r)
}

// isDecor reports the symbols and emoji that authors put round a cue or
// a label ("⚠️ TRIGGER WARNING ⚠️", "🔞 Rating: E", "❗CW❗"): like "***",
// they are decoration. ASCII symbols keep their own meanings.
func isDecor(r rune) bool {
	switch {
	case r < utf8.RuneSelf:
		return false
	case r == '\uFE0F' || r == '\uFE0E' || r == '\u200D' || r == '\u20E3':
		return true // variation selectors, zero-width joiner, keycap
	}
	return unicode.IsSymbol(r)
}

// trimDecor trims white space, decoration and the ASCII characters of
// cut from both ends of s.
func trimDecor(s, cut string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || isDecor(r) || strings.ContainsRune(cut, r)
	})
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func isWordChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

// cueWordAt reports whether the word s[ws:we] starts a cue, and where the
// cue's words end ("trigger warnings" is two).
func cueWordAt(s string, ws, we int, prev string, mixed bool) (cueKind, int) {
	w := s[ws:we]
	switch {
	case oneOf(w, "tw", "tws", "cw", "cws"):
		return cueShort, we
	case oneOf(w, "trigger", "content"):
		ns, ne := nextWord(s, we)
		if ns < 0 || strings.TrimSpace(s[we:ns]) != "" {
			return cueNone, 0
		}
		if oneOf(s[ns:ne], "warning", "warnings") || oneOf(w, "content") && oneOf(s[ns:ne], "note", "notes") {
			return cueWarning, ne
		}
	case oneOf(w, "warning", "warnings"):
		if oneOf(prev, "spoiler", "spoilers") {
			return cueNone, 0
		}
		return cueWarning, we
	case mixed && oneOf(w, "contains", "includes", "containing", "including", "features", "featuring"):
		return cueContains, we
	}
	return cueNone, 0
}

// listStart finds where the list introduced by a cue that ends at cueEnd
// starts: after a separator (":", "-", "—", "/", "//", "|"), after "for"
// ("warnings for gore", and "TW for this chapter: blood" after the colon),
// or right after a short cue at the start of a line or sentence ("TW self
// harm"), or right after "contains".
func listStart(s string, ws, cueEnd int, kind cueKind) (int, bool) {
	k := skipSpaces(s, cueEnd)
	if n := sepRun(s, k); n > 0 {
		return skipSpaces(s, k+n), true
	}
	if fs, fe := nextWord(s, k); fs == k && oneOf(s[fs:fe], "for") && kind != cueContains {
		start := skipSpaces(s, fe)
		// "TW for this chapter: blood": the list starts after a colon
		// that comes within a few words.
		for j := start; j < len(s) && j < start+40; j++ {
			if c := s[j]; c == ':' {
				return skipSpaces(s, j+1), true
			} else if c == '.' || c == '\n' || c == ',' {
				break
			}
		}
		return start, true
	}
	switch kind {
	case cueShort:
		if k > cueEnd && k < len(s) && isWordChar(s[k]) && sentenceStart(s, ws) {
			return k, true
		}
	case cueContains:
		if k > cueEnd && k < len(s) && isWordChar(s[k]) {
			return k, true
		}
	}
	return 0, false
}

// sepRun is the length of the separator that follows a cue at s[k:]:
// colons, dashes, slashes, bars, "=", ">", "~" and "!", in any run.
func sepRun(s string, k int) int {
	n := 0
	for k+n < len(s) {
		r, size := utf8.DecodeRuneInString(s[k+n:])
		switch r {
		case ':', '-', '–', '—', '/', '|', '=', '>', '~', '!':
			n += size
		default:
			if !isDecor(r) {
				return n
			}
			n += size // "CW❗ blood", "TRIGGER WARNING ⚠️"
		}
	}
	return n
}

func skipSpaces(s string, k int) int {
	for k < len(s) && (s[k] == ' ' || s[k] == '\t') {
		k++
	}
	return k
}

// sentenceStart reports whether the word at ws starts a line, a sentence
// or a bracketed aside: only there can "TW" stand without a separator
// ("TW self harm", not "the CW show").
func sentenceStart(s string, ws int) bool {
	k := ws - 1
	for k >= 0 {
		if s[k] == ' ' || s[k] == '\t' {
			k--
			continue
		}
		r, n := utf8.DecodeLastRuneInString(s[:k+1])
		if !isDecor(r) {
			break
		}
		k -= n // "⚠ tw self harm"
	}
	if k < 0 {
		return true
	}
	return strings.IndexByte(".!?\n\r([{;*•~|>\"", s[k]) >= 0 || strings.HasSuffix(s[:k+1], "—") || s[k] == '-'
}

// spanEnd finds where a warning list that starts at start ends.
func spanEnd(s string, start int) int {
	limit := min(len(s), start+maxCueSpan)
	depth := 0
	lines := false // the cue ended its line: the list is on the lines below
	for i := start; i < limit; i++ {
		switch c := s[i]; c {
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			if depth == 0 {
				return i // the bracket round the cue closes
			}
			depth--
		case '\n', '\r':
			before := strings.TrimSpace(s[start:i])
			if before == "" {
				lines = true
			}
			if !lines && before != "" {
				return i
			}
			// The list on the lines below ends at a blank or long line.
			next := nextLineHead(s, i, 256)
			if strings.TrimSpace(next) == "" || utf8.RuneCountInString(strings.TrimSpace(next)) > 60 {
				if before != "" {
					return i
				}
				return start // nothing follows the cue
			}
		case '.', '!', '?':
			if depth > 0 || i+1 < len(s) && s[i+1] != ' ' && s[i+1] != '\n' && s[i+1] != '\r' && s[i+1] != '\t' {
				continue
			}
			if strings.TrimSpace(s[start:i]) == "" {
				continue
			}
			if c == '?' && answerFollows(s, i+1) {
				continue // "MCD? no"
			}
			return i
		}
	}
	for limit < len(s) && limit > start && !utf8.RuneStart(s[limit]) {
		limit--
	}
	return limit
}

// nextLineHead returns at most n bytes of the line that starts after the
// line break at s[i]: enough to tell a blank or long line from a short one.
func nextLineHead(s string, i, n int) string {
	j := i + 1
	if s[i] == '\r' && j < len(s) && s[j] == '\n' {
		j++
	}
	h := headOf(s[j:], n)
	if end := strings.IndexAny(h, "\r\n"); end >= 0 {
		return h[:end]
	}
	return h
}

// answerFollows reports whether a short answer follows a question mark at
// s[i:] ("MCD? no", "Violence? yes, some").
func answerFollows(s string, i int) bool {
	end := i
	for end < len(s) && end < i+24 && strings.IndexByte(",;.!?\n\r)", s[end]) < 0 {
		end++
	}
	a := strings.TrimSpace(s[i:end])
	return a != "" && taxonomy.IsAnswer(a)
}

func oneOf(w string, words ...string) bool {
	// Folding keeps an ASCII word's length, and words are ASCII: a word
	// of another length can only match through a non-ASCII rune that
	// folds to a letter (K, the Kelvin sign, is "k").
	ascii := isASCII(w)
	for _, x := range words {
		if ascii && len(w) != len(x) {
			continue
		}
		if strings.EqualFold(w, x) {
			return true
		}
	}
	return false
}

// cueLine reads a header line that starts with a cue but has no "Label:"
// shape: "TW self harm/suicide", "tw / needles", "tw // panic attacks",
// "Trigger warning for suicide", "!! TRIGGER WARNING !!" (its list on the
// next lines). The value is the rest of the line. Without a separator
// after the cue, or with only "!", the rest must name a warning: "TW was
// not a word she knew" is a line of story.
func cueLine(tx *taxonomy.Taxonomy, t string) (label, value string, ok bool) {
	ws, we := nextWord(t, 0)
	if ws != 0 {
		return "", "", false
	}
	kind, cueEnd := cueWordAt(t, ws, we, "", false)
	if kind == cueNone {
		return "", "", false
	}
	if start, ok := listStart(t, ws, cueEnd, kind); ok {
		v := strings.TrimSpace(t[start:])
		if v != "" && !strings.ContainsAny(t[cueEnd:start], ":-–—/|=>") && !namesWarning(tx, v) {
			return "", "", false // "TW was not a word", "Warning! The stairs"
		}
		return t[:cueEnd], v, true
	}
	// A banner with nothing after the cue but punctuation.
	if trimDecor(t[cueEnd:], "!*~=#_-") == "" {
		return t[:cueEnd], "", true
	}
	return "", "", false
}

// ratedLine reads "Rated NC-17 for graphic sex" (no colon): a rating
// field whose value is what follows "Rated".
func ratedLine(tx *taxonomy.Taxonomy, t string) (label, value string, ok bool) {
	ws, we := nextWord(t, 0)
	if ws != 0 || !oneOf(t[:we], "rated") {
		return "", "", false
	}
	rest := strings.TrimSpace(t[we:])
	if _, ok := ratingAt(tx, rest); !ok {
		return "", "", false
	}
	return t[:we], rest, true
}

// ratingAt reads a rating that starts a line after "Rated": alone, or
// followed by punctuation or by a word that leads to its reasons or a
// remark ("NC-17 for gore", "M: violence", "T to be safe"), not by other
// words ("R movies were his favourite"), as a line of story may start so.
// It returns where the rating ends.
func ratingAt(tx *taxonomy.Taxonomy, s string) (int, bool) {
	_, start, end, ok := tx.RatingSpan(headOf(s, 32))
	if !ok || start != 0 {
		return 0, false
	}
	k := skipSpaces(s, end)
	ws, we := nextWord(s, k)
	if ws != k {
		return end, true // the end, or punctuation
	}
	if ratingLinks[strings.ToLower(s[ws:we])] {
		return end, true
	}
	return 0, false
}

// ratingLinks are the words that may follow a rating on a "Rated" line.
var ratingLinks = map[string]bool{
	"for": true, "due": true, "because": true, "mostly": true, "mainly": true, "just": true, "only": true,
	"and": true, "overall": true, "with": true, "to": true, "not": true, "but": true, "in": true, "as": true,
	"since": true, "though": true, "although": true, "maybe": true, "probably": true, "later": true,
	"eventually": true, "now": true, "at": true, "on": true, "or": true,
}

// unlabelledLine reads ": value", a value whose label was lost. The colon
// must be followed by a space, so that ":)" and ":D" stay prose.
func unlabelledLine(t string) (value string, ok bool) {
	if !strings.HasPrefix(t, ": ") {
		return "", false
	}
	v := strings.TrimSpace(t[2:])
	letters := 0
	for _, r := range v {
		if r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= 0x80 {
			letters++
		}
	}
	return v, letters >= 1
}

// ratingTail is what an author wrote after the rating in a rating field
// or a "Rated M for ..." sentence, without the words that lead up to the
// reasons ("for", "due to", "mostly for:"), punctuation and brackets.
func ratingTail(s string) string {
	const lead = " \t\r\n,;:.-–—=/([{"
	for {
		s = strings.TrimLeft(s, lead)
		ws, we := nextWord(s, 0)
		if ws != 0 {
			return s
		}
		switch w := s[:we]; {
		case oneOf(w, "for", "mostly", "mainly", "just", "only"):
		case oneOf(w, "due", "because"):
			if ns, ne := nextWord(s, we); ns > 0 && oneOf(s[ns:ne], "to", "of") {
				we = ne
			}
		default:
			return s
		}
		s = s[we:]
	}
}

// ratedInProse finds "Rated M for violence" in a summary or a note: a
// rating word right after "rated", in capitals when it is one letter. It
// returns the rating and the rest of its sentence.
func ratedInProse(tx *taxonomy.Taxonomy, text string) (taxonomy.Rating, string, bool) {
	for i := 0; i < len(text); {
		ws, we := nextWord(text, i)
		if ws < 0 {
			break
		}
		i = we
		if !oneOf(text[ws:we], "rated") {
			continue
		}
		// A rating is a few short words: look at those first, so that
		// prose full of "rated" costs no more than a glance each.
		k := skipSpaces(text, we)
		r, start, rend, ok := tx.RatingSpan(headOf(text[k:], 32))
		if !ok || start != 0 {
			continue
		}
		end := max(spanEnd(text, k), k+rend)
		return r, text[k+rend : end], true
	}
	return taxonomy.Rating{}, "", false
}

// unlabelledRating reads the value of a lost label as a rating when it is
// one, alone or with a short aside ("NC-17", "Teen", "PG-13 (language)"),
// not a code inside other text ("M/M").
func unlabelledRating(tx *taxonomy.Taxonomy, v string) (taxonomy.Rating, int, bool) {
	if len(strings.Fields(v)) > 4 {
		return taxonomy.Rating{}, 0, false
	}
	r, start, end, ok := tx.RatingSpan(v)
	if !ok || start != 0 {
		return taxonomy.Rating{}, 0, false
	}
	if end < len(v) && strings.IndexByte(" \t,;(-", v[end]) < 0 {
		return taxonomy.Rating{}, 0, false // "M/M"
	}
	return r, end, true
}

// fieldStart reads the start of a header line as a field: "Label: value"
// with a known label, and, failing that, the shapes of fields that have
// no such label: a value whose label was lost (": AU, minor character
// death"), a cue line ("TW self harm", "Trigger warning for suicide") and
// "Rated R for violence". The taxonomy tells ratings and warning terms in
// the shapes without a label.
func fieldStartWith(tx *taxonomy.Taxonomy, t string) (key, label, rest string, ok bool) {
	if label, rest, ok := splitLabel(t); ok {
		if key, ok := lineLabel(label); ok {
			return key, label, rest, true
		}
	}
	if v, ok := unlabelledLine(t); ok {
		return KeyUnlabelled, "", v, true
	}
	if l, v, ok := cueLine(tx, t); ok {
		return KeyWarnings, l, v, true
	}
	if l, v, ok := ratedLine(tx, t); ok {
		return KeyRating, l, v, true
	}
	if cellsLine(tx, t) {
		return KeyCells, "", t, true
	}
	return "", "", "", false
}

// fieldStart is fieldStartWith the default taxonomy.
func fieldStart(t string) (key, label, rest string, ok bool) {
	return fieldStartWith(taxonomy.Default(), t)
}

// warnSink gathers the warning phrases of a story's fields into a
// Declared. saw and state are Build's: whether the story declares
// warnings at all (a warnings field, or a phrase found elsewhere that
// names a label or a state), and the first state phrase.
type warnSink struct {
	tx    *taxonomy.Taxonomy
	d     *Declared
	saw   *bool
	state *taxonomy.WarningState
	// rating is the first "Rated M" found in a summary or note; it counts
	// when no rating field declares one.
	rating *taxonomy.Rating
	// pending are the phrases a rating's reasons name, with the place in
	// DeclaredWarningsRaw where they were written (see reasons, flush).
	pending []pendingPhrase
	// negated are the labels that reassurances in prose rule out
	// ("nobody dies"; see negations, flushNegations).
	negated []string
}

// pendingPhrase is a phrase of a rating's reasons, waiting for the end of
// the fields to know whether it counts.
type pendingPhrase struct {
	at     int // index in DeclaredWarningsRaw when it was read
	phrase string
	p      taxonomy.Phrase
}

// add records one phrase as written and what it says.
func (w *warnSink) add(phrase string, p taxonomy.Phrase) {
	d := w.d
	d.DeclaredWarningsRaw = append(d.DeclaredWarningsRaw, phrase)
	d.DeclaredWarnings = appendNew(d.DeclaredWarnings, p.Labels...)
	d.NegatedWarnings = appendNew(d.NegatedWarnings, p.Negated...)
	d.Tags = appendNew(d.Tags, p.Tags...)
	if p.State != "" && *w.state == "" {
		*w.state = p.State
	}
	if len(p.Labels) > 0 || p.State != "" {
		*w.saw = true
	}
	if p.Unmapped() {
		d.UnmappedWarnings = append(d.UnmappedWarnings, phrase)
	}
}

// prose reads a summary or a note: the lists that explicit cues introduce
// ("tw: self harm", "Warnings for gore") and a "Rated M for violence"
// sentence. Nothing else in prose declares: a summary that tells of a
// death warns for nothing. Outside the cues' lists, a reassurance
// ("nobody dies!") rules a label out (see negations).
func (w *warnSink) prose(v string) {
	from := 0
	for _, s := range cueSpans(v, false) {
		w.negations(v[from:s.cue])
		w.list(v[s.start:s.end])
		from = s.end
	}
	w.negations(v[from:])
	if r, tail, ok := ratedInProse(w.tx, v); ok {
		if w.rating == nil {
			w.rating = &r
		}
		w.reasons(tail)
	}
}

// list reads a warning list found in prose. Its phrases count, understood
// or not, when one of them names a warning, a state or a negation: a list
// of nothing but prose ("fair warning: it's long") declares nothing.
func (w *warnSink) list(text string) {
	phrases := splitWarnings(w.tx, text)
	ps := make([]taxonomy.Phrase, len(phrases))
	mapped := false
	for i, ph := range phrases {
		ps[i] = w.tx.ClassifyWarning(ph)
		mapped = mapped || len(ps[i].Labels) > 0 || len(ps[i].Negated) > 0 || ps[i].State != ""
	}
	if !mapped {
		return
	}
	for i, ph := range phrases {
		w.add(ph, ps[i])
	}
}

// mixed reads a field where notes and warnings share the value
// ("Notes/Warnings", a value whose label was lost): the lists that cues
// introduce, "contains" and "includes" among them, and elsewhere phrases
// that are warning terms as a whole ("slash, violence, language"), so
// that a note's prose ("Set after the war") declares nothing.
func (w *warnSink) mixed(v string) {
	from := 0
	for _, s := range cueSpans(v, true) {
		w.terms(v[from:s.cue])
		w.list(v[s.start:s.end])
		from = s.end
	}
	w.terms(v[from:])
}

// terms reads each phrase of text as a term as a whole (ClassifyTerm);
// phrases that name no warning, state or negation are left out.
func (w *warnSink) terms(text string) {
	for _, ph := range splitWarnings(w.tx, text) {
		w.term(ph)
	}
}

// term reads one phrase as a term as a whole. Its tags are not kept:
// callers keep the phrase among the tags when it belongs there.
func (w *warnSink) term(phrase string) {
	p := w.tx.ClassifyTerm(phrase)
	if len(p.Labels) > 0 || len(p.Negated) > 0 || p.State != "" {
		p.Tags = nil
		w.add(phrase, p)
	}
}

// reasons reads what an author wrote after a rating ("for graphic sex,
// language and gore", "— violence", "(for language)"): its phrases that
// name or rule out a warning count; the rest ("and I mean it", "mature
// themes") is no warning. A rating's reasons never set a state: "Rating:
// none" is no statement about warnings. They wait for flush.
func (w *warnSink) reasons(tail string) {
	for _, ph := range splitWarnings(w.tx, ratingTail(tail)) {
		p := w.tx.ClassifyWarning(ph)
		if len(p.Labels) > 0 || len(p.Negated) > 0 {
			p.State, p.Tags = "", nil
			w.pending = append(w.pending, pendingPhrase{at: len(w.d.DeclaredWarningsRaw), phrase: ph, p: p})
		}
	}
}

// flush adds the rating's reasons once all fields are read, each where
// it was written among the raw phrases. A warnings field that says
// "none" and nothing else outweighs them: the author rated for language
// but says there is nothing to warn for ("Rated M for language",
// "Warnings: none").
func (w *warnSink) flush() {
	if len(w.pending) == 0 || *w.state == taxonomy.StateNoneApply && len(w.d.DeclaredWarnings) == 0 {
		return
	}
	d := w.d
	tail := d.DeclaredWarningsRaw
	d.DeclaredWarningsRaw = nil
	from := 0
	for _, pp := range w.pending {
		d.DeclaredWarningsRaw = append(d.DeclaredWarningsRaw, tail[from:pp.at]...)
		from = pp.at
		w.add(pp.phrase, pp.p)
	}
	d.DeclaredWarningsRaw = append(d.DeclaredWarningsRaw, tail[from:]...)
	if d.DeclaredWarningsRaw == nil {
		d.DeclaredWarningsRaw = []string{}
	}
	w.pending = nil
}

// namesWarning reports whether some phrase of a warning list names or
// rules out a warning.
func namesWarning(tx *taxonomy.Taxonomy, v string) bool {
	for _, ph := range splitWarnings(tx, headOf(v, 80)) {
		if p := tx.ClassifyWarning(ph); len(p.Labels) > 0 || len(p.Negated) > 0 {
			return true
		}
	}
	return false
}

// maxCellsLine bounds a line read as cells: a header on one line is short.
const maxCellsLine = 400

// cellsLine reports whether t is a header on one line whose cells are
// split by " | " and carry no labels ("Title | Fandom | Pairing | NC-17 |
// dubcon, MCD | 8k"): three cells or more, none of them "Label: value",
// and one of them a rating or a list of warning terms (see KeyCells). A
// line of prose, pairings or fandoms between bars names no such cell.
func cellsLine(tx *taxonomy.Taxonomy, t string) bool {
	// A bar first: counting " | " stops at every space of a line of prose.
	if len(t) > maxCellsLine || strings.IndexByte(t, '|') < 0 || strings.Count(t, " | ") < 2 {
		return false
	}
	found := false
	for _, c := range strings.Split(t, "|") {
		if label, _, ok := splitLabel(strings.TrimSpace(c)); ok {
			if _, ok := lineLabel(label); ok {
				return false // a line of labelled fields
			}
		}
		if !found {
			_, isRating := cellRating(tx, c)
			found = isRating || cellWarns(tx, c)
		}
	}
	return found
}

// cellRating reads a cell that is a rating and nothing else ("NC-17",
// "Teen"), not a cell that starts with one ("Teen Wolf").
func cellRating(tx *taxonomy.Taxonomy, c string) (taxonomy.Rating, bool) {
	c = trimPhrase(c)
	if c == "" || len(c) > 40 {
		return taxonomy.Rating{}, false
	}
	r, start, end, ok := tx.RatingSpan(c)
	if !ok || start != 0 || end != len(c) {
		return taxonomy.Rating{}, false
	}
	return r, true
}

// cellWarns reports whether a phrase of a cell is a whole warning term
// ("dubcon", "MCD", "major character death"; not "on the dead").
func cellWarns(tx *taxonomy.Taxonomy, c string) bool {
	for _, ph := range splitWarnings(tx, c) {
		if len(tx.ClassifyWhole(ph).Labels) > 0 {
			return true
		}
	}
	return false
}

// cells reads a KeyCells value: a rating cell counts when no field gives
// a rating, and the whole warning terms of each cell declare.
func (w *warnSink) cells(v string) {
	for _, c := range strings.Split(v, "|") {
		if r, ok := cellRating(w.tx, c); ok {
			if w.rating == nil {
				w.rating = &r
			}
			continue
		}
		if !cellWarns(w.tx, c) {
			continue
		}
		for _, ph := range splitWarnings(w.tx, c) {
			if p := w.tx.ClassifyWhole(ph); len(p.Labels) > 0 || len(p.Negated) > 0 {
				p.Tags, p.State = nil, ""
				w.add(ph, p)
			}
		}
	}
}

// maxReassurance bounds, in words, a clause read as a reassurance.
const maxReassurance = 8

// reassuranceCues are the negations that open a reassurance in prose
// ("nobody dies", "no one dies", "no character death", "there's no
// smut"). "not", "never" and "-n't" are left out: in a story's prose they
// govern too much ("he wasn't afraid of death").
var reassuranceCues = map[string]bool{"no": true, "nobody": true, "noone": true, "none": true}

// reassuranceGap are the words that may stand between a reassurance's
// negation and a term of two words ("no one dies", "no major character
// death").
var reassuranceGap = map[string]bool{"one": true, "major": true, "minor": true, "main": true,
	"graphic": true, "explicit": true, "real": true, "actual": true, "permanent": true}

// reassuranceStop are words after which a clause no longer rules a
// warning out as a whole ("no one dies except Sirius").
var reassuranceStop = map[string]bool{"except": true, "but": true, "until": true, "unless": true,
	"only": true, "yet": true, "besides": true, "apart": true}

// negations finds reassurances in a summary or a note outside any cue's
// list: a short clause with a negation among its first words that
// governs a warning term ("Don't worry, nobody dies!", "No one dies, I
// promise", "no character death"). The labels they rule out are kept
// until the end of the fields (see flushNegations): they never declare
// and never set a status.
func (w *warnSink) negations(text string) {
	start := 0
	for i := 0; i <= len(text); i++ {
		if i < len(text) && strings.IndexByte(".!?;,:\n\r()[]{}\"", text[i]) < 0 {
			continue
		}
		if i > start {
			w.reassurance(text[start:i])
		}
		start = i + 1
	}
}

// reassurance reads one clause of prose (see negations).
func (w *warnSink) reassurance(clause string) {
	if len(clause) > 16*maxReassurance {
		return
	}
	toks := strings.Fields(taxonomy.Fold(clause))
	if len(toks) == 0 || len(toks) > maxReassurance {
		return
	}
	at := -1
	for i, t := range toks {
		if reassuranceStop[t] {
			return
		}
		if at < 0 && i < 3 && reassuranceCues[t] {
			at = i
		}
	}
	if at < 0 {
		return
	}
	// The term must follow the negation closely: "no major character
	// death", "no one dies", not "nobody survives the war".
	n := 3
	if at+1 < len(toks) && reassuranceGap[toks[at+1]] {
		n++
	}
	sub := strings.Join(toks[at:min(len(toks), at+n)], " ")
	p := w.tx.ClassifyWarning(sub)
	if len(p.Labels) == 0 && len(p.Negated) > 0 {
		w.negated = appendNew(w.negated, p.Negated...)
	}
}

// flushNegations adds the labels that reassurances in prose rule out,
// unless a field declares them.
func (w *warnSink) flushNegations() {
	for _, l := range w.negated {
		if !hasFold(w.d.DeclaredWarnings, l) {
			w.d.NegatedWarnings = appendNew(w.d.NegatedWarnings, l)
		}
	}
	w.negated = nil
}

func hasFold(list []string, v string) bool {
	for _, x := range list {
		if strings.EqualFold(x, v) {
			return true
		}
	}
	return false
}

// isASCII reports whether s holds only ASCII bytes.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
