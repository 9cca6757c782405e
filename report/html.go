package report

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/pipeline"
)

// The HTML report is the text report's content (same order, same wording)
// for a moderation ticket or the moderators' web page. Every string from
// the story reaches the page through html/template, after Clean (or
// cleanKeepTabs for passage lines), so that it can neither add markup nor
// reorder the page with bidi controls; the page holds no script, no event
// handler and no resource from elsewhere.

//go:embed html.tmpl
var htmlTemplate string

//go:embed html.css
var htmlCSS string

// htmlTmpl is parsed on first use (not at start-up: every command would
// pay ~1 ms for it) and only ever executed.
var htmlTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Parse(htmlTemplate))
})

// HTMLOptions shape the HTML report of a story.
type HTMLOptions struct {
	// Standalone writes a whole document around the story's report
	// (doctype, lang, charset, viewport, title and the inline style sheet
	// of HTMLStyle); otherwise HTML writes one <article
	// class="tagger-story"> for a page that carries HTMLStyle.
	Standalone bool
	// IDPrefix starts every id the report writes, and every link to one,
	// so that several stories in one page have distinct ids ("s1-",
	// "s2-"). Characters but letters, digits, '-' and '_' become '_', so
	// that every id works as a link's fragment.
	IDPrefix string
	// Context is how many lines (blank lines not counted) are shown before
	// and after each passage; 0 means 1, a negative number none.
	Context int
	// Settings, when set, describes the team settings the story was
	// checked with (see TextOptions.Settings).
	Settings string
}

// Limits of what the page shows of the story around a passage, so that a
// story written as one enormous line does not become an enormous page.
const (
	// htmlContextBytes is the most shown of a line of context, or of a
	// passage's line before or after the passage itself.
	htmlContextBytes = 600
	// htmlWindowLines is the most lines shown of an explanation's window.
	htmlWindowLines = 40
	// htmlContextScan is how many lines beyond the asked-for context a
	// run of blank lines may stretch it.
	htmlContextScan = 3
)

// HTMLStyle returns the style sheet of the HTML report: a page that embeds
// HTML's fragments puts it in a <style> element (or serves it as a file).
// Its rules apply inside .tagger-story (and .tagger-page, the body of a
// standalone report) only.
func HTMLStyle() string { return htmlCSS }

// HTML writes the report of one story as HTML: its title and source, the
// declared rating and warnings beside the predicted rating, each finding
// in the order of Findings with its score and threshold, whether it was
// declared (a word and an icon), its passages in context with line
// numbers and the passage in <mark>, the verdict of Conclude, and the
// explanation of c.Explanation in a <details> element.
//
// text is the story's whole decoded text (datasets.Story.Text), which the
// evidence's byte offsets and line numbers index; with "" (a streamed
// story), or when an offset does not fit text, a passage is shown by its
// evidence snippet alone.
func HTML(w io.Writer, c Check, text string, opt HTMLOptions) error {
	if opt.Standalone {
		if err := BeginHTMLPage(w, "tagger check: "+c.Source); err != nil {
			return err
		}
	}
	if err := htmlTmpl().ExecuteTemplate(w, "story", newHTMLStory(c, text, opt)); err != nil {
		return err
	}
	if opt.Standalone {
		return EndHTMLPage(w)
	}
	return nil
}

// BeginHTMLPage writes the start of a standalone HTML document titled
// title (made safe by Clean), up to where the stories' reports go: write
// them with HTML (not Standalone, each with its own IDPrefix), then
// EndHTMLPage. tagger check --format html writes one page for all the
// stories it checks that way.
func BeginHTMLPage(w io.Writer, title string) error {
	return htmlTmpl().ExecuteTemplate(w, "begin", struct {
		Title string
		CSS   template.CSS
	}{shorten(Clean(title), 160), template.CSS(htmlCSS)})
}

// EndHTMLPage writes the end of a document BeginHTMLPage began.
func EndHTMLPage(w io.Writer) error {
	return htmlTmpl().ExecuteTemplate(w, "end", nil)
}

// htmlStory is what the template shows of one story, every string made
// safe beforehand.
type htmlStory struct {
	ID                string // the id prefix
	Lang              string // the story's language, for its passages
	Source, Title     string
	Error, Note       string
	DeclaredRating    string
	DeclaredWarnings  string
	Predicted         string
	Under             bool
	RatingNote        string
	Confidence        string        // of the predicted rating, when under-declared
	RatingPassages    []htmlPassage // what set the rating, when under-declared
	Findings          []htmlFinding
	Verdict           htmlVerdict
	Explanation       *htmlExplanation // one not of a finding
	ExplanationByItem bool             // the explanation is in its finding
	Settings          string           // HTMLOptions.Settings
	Scenes            string           // ScenesLine of the check's scenes
}

type htmlFinding struct {
	ID, Label, Class, Icon, State, Score string
	Compare                              string
	Passages                             []htmlPassage
	Shown                                string
	Explanation                          *htmlExplanation
}

type htmlPassage struct {
	ID, Where, Score string
	Lang             string
	Lines            []htmlLine // nil: the snippet alone
	Snippet          string
}

// htmlLine is one numbered line of a story; on a passage's lines Mark is
// the part of the passage on it, between Before and After.
type htmlLine struct {
	N                   int
	Before, Mark, After string
	Hit                 bool
}

type htmlVerdict struct {
	ID, Status, Icon string
	Head, Rest       string // "verdict: REVIEW" and " — reasons": Conclude's Text
}

type htmlExplanation struct {
	ID, Label string
	Lang      string
	Header    string
	Notes     []string
	Terms     []htmlTerm
	Words     []htmlWord
	Window    string
	Lines     []htmlLine
	Cut       string
}

type htmlTerm struct{ Term, Weight, Text, Note string }

type htmlWord struct{ Word, Weight string }

// newHTMLStory gathers what the template shows of c.
func newHTMLStory(c Check, text string, opt HTMLOptions) htmlStory {
	r := c.Row
	opt.IDPrefix = idSafe(opt.IDPrefix)
	s := htmlStory{ID: opt.IDPrefix, Source: Clean(r.Source), Lang: langTag(deref(r.Language, "")), Settings: CleanLine(opt.Settings),
		Scenes: CleanLine(ScenesLine(c.Scenes))}
	if r.Title != nil {
		// The template escapes HTML; Clean makes control and bidi
		// characters visible. Go quoting (as in the text report) would
		// show a title's own quotes with backslashes.
		s.Title = "“" + Clean(*r.Title) + "”"
	}
	s.Verdict = newHTMLVerdict(c.Verdict, opt.IDPrefix)
	if r.Error != nil {
		s.Error = Clean(*r.Error)
		return s
	}
	s.DeclaredRating, s.DeclaredWarnings = declaredRating(r), declaredWarnings(r)
	if r.Note != nil {
		s.Note = Clean(strings.TrimPrefix(*r.Note, "not checked: "))
		s.Explanation = newHTMLExplanation(c.Explanation, nil, opt.IDPrefix, s.Lang)
		return s
	}
	s.Predicted = Clean(deref(r.PredictedRating, "?"))
	s.Under = r.RatingUnderdeclared != nil && *r.RatingUnderdeclared && atLeastMature(r)
	if !s.Under {
		// Includes a General rating flagged by a detection (its reason).
		s.RatingNote = ratingNote(r, Style{})
	}
	var lines *storyLines
	if text != "" {
		l := newStoryLines(text)
		lines = &l
	}
	ctx := opt.Context
	if ctx == 0 {
		ctx = 1
	}
	passage := func(id string, e pipeline.Evidence) htmlPassage {
		p := htmlPassage{ID: id, Where: lineRange(e), Score: fmt.Sprintf("%.2f", e.Score), Lang: s.Lang}
		if lines != nil {
			p.Lines = lines.passage(e, ctx)
		}
		if p.Lines == nil {
			p.Snippet = CleanLine(e.Snippet)
		}
		return p
	}
	if s.Under {
		s.Confidence = fmt.Sprintf("%.2f", confidence(r))
		for j, e := range r.RatingEvidence {
			p := passage(fmt.Sprintf("%srating-p%d", opt.IDPrefix, j+1), e)
			p.Where += " (" + Clean(e.Label) + ")"
			s.RatingPassages = append(s.RatingPassages, p)
		}
	}
	for i, f := range Findings(r) {
		hf := htmlFinding{ID: fmt.Sprintf("%sf%d", opt.IDPrefix, i+1), Label: Clean(f.Label), Score: scoreAt(f),
			Class: "declared", Icon: "✓", State: "declared"}
		switch {
		case f.Undeclared:
			hf.Class, hf.Icon, hf.State = "undeclared", "✗", "undeclared"
		case f.NotWarned:
			hf.Class, hf.Icon, hf.State = "not-warned", "!", "not warned (creator chose not to warn)"
		}
		ev := evidenceOf(r, f.Label)
		hf.Compare = compareNote(f, len(ev))
		for j, e := range ev {
			hf.Passages = append(hf.Passages, passage(fmt.Sprintf("%s-p%d", hf.ID, j+1), e))
		}
		if total := f.total(len(ev)); total > len(ev) {
			hf.Shown = fmt.Sprintf("%d of %d passages shown (the best)", len(ev), total)
		}
		if c.Explanation != nil && c.Explanation.Label == f.Label {
			hf.Explanation = newHTMLExplanation(c.Explanation, lines, hf.ID+"-", s.Lang)
			s.ExplanationByItem = true
		}
		s.Findings = append(s.Findings, hf)
	}
	if !s.ExplanationByItem {
		s.Explanation = newHTMLExplanation(c.Explanation, lines, opt.IDPrefix, s.Lang)
	}
	return s
}

// newHTMLVerdict splits Conclude's Text into its head, shown strong, and
// the rest, so that the page's verdict reads exactly as Text.
func newHTMLVerdict(v VerdictInfo, id string) htmlVerdict {
	hv := htmlVerdict{ID: id + "verdict", Status: v.Status, Rest: v.Text}
	head := map[string]string{StatusOK: "OK", StatusReview: "REVIEW", StatusNotChecked: "NOT CHECKED", StatusError: "ERROR"}[v.Status]
	hv.Icon = map[string]string{StatusOK: "✓", StatusReview: "✗", StatusNotChecked: "?", StatusError: "✗"}[v.Status]
	if h := "verdict: " + head; head != "" && strings.HasPrefix(v.Text, h) {
		hv.Head, hv.Rest = h, v.Text[len(h):]
	}
	return hv
}

// compareNote says how a finding's score compares with its threshold.
func compareNote(f Finding, shown int) string {
	by := "reaches it exactly"
	if d := f.Score - f.Threshold; d >= 0.005 {
		by = fmt.Sprintf("is %.2f over it", d)
	}
	return fmt.Sprintf("The score %.2f is measured against the threshold %.2f, the score %s needs at this check's sensitivity, and %s. "+
		"A label is reported when its score reaches its threshold and a passage reaches the label's evidence bar. "+
		"%d passage%s scored over the label's window threshold; %d %s shown.",
		f.Score, f.Threshold, Clean(f.Label), by, f.Passages, plural(f.Passages), shown, isAre(shown))
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// newHTMLExplanation gathers what the page shows of ex (nil for none):
// the lines of Explain, with its terms and words as tables and, when the
// story's text is there, the best window's lines.
func newHTMLExplanation(ex *classify.Explanation, lines *storyLines, id, lang string) *htmlExplanation {
	if ex == nil {
		return nil
	}
	all := explainLines(ex)
	he := &htmlExplanation{ID: id + "explanation", Label: Clean(ex.Label), Lang: lang, Header: all[0]}
	n := len(all)
	if w := ex.Window; w != nil {
		n -= len(w.Terms) + len(w.Words)
		for _, t := range w.Terms {
			note := ""
			if t.Negated {
				note = "negated: not counted"
			}
			if t.Figurative {
				note = "after a simile: weight reduced"
				if t.Scene != "" {
					note = "in a scene of " + t.Scene + ": weight reduced"
				}
			}
			if t.Repeat > 0 {
				note = strings.TrimPrefix(note+fmt.Sprintf("; said again: 1/%d of its weight", t.Repeat+1), "; ")
			}
			he.Terms = append(he.Terms, htmlTerm{Term: Clean(t.Term), Weight: fmt.Sprintf("%+.2f", t.Weight), Text: cleanKeepTabs(t.Text), Note: note})
		}
		for _, wd := range w.Words {
			he.Words = append(he.Words, htmlWord{Word: Clean(wd.Word), Weight: fmt.Sprintf("%+.2f", wd.Weight)})
		}
		if lines != nil && w.LineStart >= 1 && w.LineEnd >= w.LineStart && w.LineEnd <= lines.count() {
			he.Window = lineRange(pipeline.Evidence{LineStart: int32(w.LineStart), LineEnd: int32(w.LineEnd)})
			last := min(w.LineEnd, w.LineStart+htmlWindowLines-1)
			for k := w.LineStart; k <= last; k++ {
				he.Lines = append(he.Lines, htmlLine{N: k, Before: cleanKeepTabs(headOf(lines.line(k)))})
			}
			if last < w.LineEnd {
				he.Cut = fmt.Sprintf("lines %d–%d of the window not shown", last+1, w.LineEnd)
			}
		}
	}
	he.Notes = all[1:n]
	return he
}

// storyLines finds the lines of a story's text as the classifier numbers
// them: a line ends at \n, \r\n or \r.
type storyLines struct {
	text  string
	start []int // start[i] is the byte offset of line i+1
}

func newStoryLines(text string) storyLines {
	start := []int{0}
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			start = append(start, i+1)
		case '\n':
			start = append(start, i+1)
		}
	}
	return storyLines{text: text, start: start}
}

func (l storyLines) count() int { return len(l.start) }

// line returns line n (1-based) without its line break.
func (l storyLines) line(n int) string {
	s, _ := l.lineAt(n)
	return s
}

// lineAt returns line n without its line break, and its byte offset.
func (l storyLines) lineAt(n int) (string, int) {
	from, to := l.start[n-1], len(l.text)
	if n < len(l.start) {
		to = l.start[n]
	}
	s := l.text[from:to]
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	return s, from
}

// lineOf returns the line that holds byte off.
func (l storyLines) lineOf(off int) int {
	i, found := slices.BinarySearch(l.start, off)
	if found {
		return i + 1
	}
	return i
}

func (l storyLines) blank(n int) bool { return strings.TrimSpace(l.line(n)) == "" }

// passage returns e's lines with the passage marked, and ctx lines that
// are not blank before and after it (fewer when a run of blank lines is
// in the way); nil when e's offsets do not fit the text or disagree with
// its line number, so that the page never marks the wrong words.
func (l storyLines) passage(e pipeline.Evidence, ctx int) []htmlLine {
	bs, be := int(e.ByteStart), int(e.ByteEnd)
	if bs < 0 || be <= bs || be > len(l.text) || !utf8.RuneStart(l.text[bs]) || be < len(l.text) && !utf8.RuneStart(l.text[be]) {
		return nil
	}
	first, last := l.lineOf(bs), l.lineOf(be-1)
	if first != int(e.LineStart) {
		return nil
	}
	lo, hi := first, last
	for n := 0; ctx > 0 && lo > 1 && n < ctx && first-lo < ctx+htmlContextScan; {
		if lo--; !l.blank(lo) {
			n++
		}
	}
	for n := 0; ctx > 0 && hi < l.count() && n < ctx && hi-last < ctx+htmlContextScan; {
		if hi++; !l.blank(hi) {
			n++
		}
	}
	for lo < first && l.blank(lo) {
		lo++
	}
	for hi > last && l.blank(hi) {
		hi--
	}
	var out []htmlLine
	for n := lo; n <= hi; n++ {
		s, off := l.lineAt(n)
		switch {
		case n < first:
			out = append(out, htmlLine{N: n, Before: cleanKeepTabs(tailOf(s))})
		case n > last:
			out = append(out, htmlLine{N: n, Before: cleanKeepTabs(headOf(s))})
		default:
			ms := min(max(bs-off, 0), len(s))
			me := min(max(be-off, ms), len(s))
			out = append(out, htmlLine{N: n, Hit: true, Before: cleanKeepTabs(tailOf(s[:ms])),
				Mark: cleanKeepTabs(s[ms:me]), After: cleanKeepTabs(headOf(s[me:]))})
		}
	}
	return out
}

// headOf is the start of s, cut at htmlContextBytes (on a rune boundary,
// at a space when one is near) with an ellipsis.
func headOf(s string) string {
	if len(s) <= htmlContextBytes {
		return s
	}
	cut := htmlContextBytes
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if i := strings.LastIndexByte(s[:cut], ' '); i > cut/2 {
		cut = i
	}
	return s[:cut] + "…"
}

// tailOf is the end of s, cut like headOf.
func tailOf(s string) string {
	if len(s) <= htmlContextBytes {
		return s
	}
	cut := len(s) - htmlContextBytes
	for cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut++
	}
	if i := strings.IndexByte(s[cut:], ' '); i >= 0 && i < htmlContextBytes/2 {
		cut += i + 1
	}
	return "…" + s[cut:]
}

// shorten cuts s to about n bytes, for a page title.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// cleanKeepTabs is Clean for a line of a story shown as it is written:
// tabs stay tabs (the page wraps them like spaces); every other control,
// bidi and hiding character is escaped as the text report escapes it.
func cleanKeepTabs(s string) string {
	if !strings.Contains(s, "\t") {
		return Clean(s)
	}
	parts := strings.Split(s, "\t")
	for i, p := range parts {
		parts[i] = Clean(p)
	}
	return strings.Join(parts, "\t")
}

// idSafe replaces what an id should not hold with '_'.
func idSafe(s string) string {
	return strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			return c
		}
		return '_'
	}, s)
}

// langTag returns s when it looks like a language tag ("en", "pt-BR"), so
// that passages are read out in their language; "" otherwise.
func langTag(s string) string {
	if s == "" || len(s) > 35 {
		return ""
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return ""
		}
	}
	return s
}
