// Package report turns a story's output row into what a moderator reads
// (text), what an editor or CI consumes (path:line:label:score:message) and
// the verdict behind tagger check's exit code.
//
// # Terminal safety
//
// Every string a report prints that comes from its input (a passage, a
// title, a declared raw value, a file name, an error or note that quotes
// them) goes through Clean first, so that a story cannot drive the
// moderator's terminal: move the cursor, erase a line, hide text, reorder
// it, or forge the verdict. tagger's own colours (Style) are added after,
// and are the only escape sequences a report writes.
//
// The escaped form is Go's (strconv.Quote's, as in the quoted title) for
// one character:
//
//	\n \r \t \a \b \f \v  newline, carriage return, tab, bell, backspace,
//	                     form feed, vertical tab
//	\x1b \x00 ... \x7f   any other C0 control and DEL (ESC is \x1b)
//	\u009b \u202e        C1 controls (U+0080–U+009F, CSI is \u009b), bidi
//	                     controls and the other characters listed below
//	\U000e0041           the same above U+FFFF (tag characters)
//	\xff                 a byte that is not UTF-8 (file names may hold any)
//
// Escaped characters: C0 controls (U+0000–U+001F), DEL, C1 controls; the
// bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069)
// that reorder what follows them; the line and paragraph separators U+2028
// and U+2029; the interlinear annotation characters U+FFF9–U+FFFB and the
// tag characters U+E0000–U+E007F, which hide text, except in an emoji tag
// sequence (a subdivision flag such as England's: U+1F3F4, tags, U+E007F).
// Zero-width joiners and non-joiners, the bidi marks LRM, RLM and ALM
// (U+200E, U+200F, U+061C), soft hyphens and the like are kept: legitimate
// scripts and emoji need them and they cannot move or hide a line. A backslash is printed as it is in text reports, so
// the escapes are for reading, not for decoding; Lines escapes its path
// field reversibly (see EscapePath).
package report

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/pipeline"
)

// FailOn names the findings that make tagger check exit 1.
type FailOn string

// FailOn values.
const (
	FailUndeclared FailOn = "undeclared"
	FailRating     FailOn = "rating"
	FailAny        FailOn = "any"
	FailNone       FailOn = "none"
)

// ParseFailOn checks a --fail-on value.
func ParseFailOn(s string) (FailOn, error) {
	switch FailOn(s) {
	case FailUndeclared, FailRating, FailAny, FailNone:
		return FailOn(s), nil
	}
	return "", fmt.Errorf("--fail-on %q: use undeclared, rating, any or none", s)
}

// Fails reports whether the row has a finding of the kind f names. A
// story that was not checked (Row.Note) fails every kind but none: it may
// hold anything.
func (f FailOn) Fails(r pipeline.Row) bool {
	undeclared := len(r.UndeclaredWarnings) > 0 || r.Note != nil
	rating := r.RatingUnderdeclared != nil && *r.RatingUnderdeclared || r.Note != nil
	switch f {
	case FailUndeclared:
		return undeclared
	case FailRating:
		return rating
	case FailAny:
		return undeclared || rating
	}
	return false
}

// Style colours text output; the zero value prints plain text.
type Style struct{ Color bool }

func (s Style) paint(code, text string) string {
	if !s.Color {
		return text
	}
	return "\x1b[" + code + "m" + text + "\x1b[0m"
}

func (s Style) red(t string) string    { return s.paint("31", t) }
func (s Style) yellow(t string) string { return s.paint("33", t) }
func (s Style) green(t string) string  { return s.paint("32", t) }
func (s Style) bold(t string) string   { return s.paint("1", t) }
func (s Style) dim(t string) string    { return s.paint("2", t) }

// maxSnippets is how many passages the text report shows per warning.
const maxSnippets = 2

// Text writes the moderator's report of one story: what was declared, what
// was found (undeclared warnings first, each with its best passages) and a
// verdict line.
func Text(w io.Writer, r pipeline.Row, st Style) error {
	var b strings.Builder
	title := ""
	if r.Title != nil {
		title = fmt.Sprintf(" — %q", *r.Title)
	}
	fmt.Fprintf(&b, "%s%s\n", st.bold(Clean(r.Source)), title)
	if r.Error != nil {
		fmt.Fprintf(&b, "  %s %s\n", st.red("error:"), Clean(*r.Error))
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "  declared   rating %s · warnings %s\n", declaredRating(r), declaredWarnings(r))
	if r.Note != nil {
		fmt.Fprintf(&b, "  %s %s\n", st.yellow("not checked:"), Clean(strings.TrimPrefix(*r.Note, "not checked: ")))
		fmt.Fprintf(&b, "  %s\n", Verdict(r, st))
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "  predicted  rating %s%s\n", Clean(deref(r.PredictedRating, "?")), ratingNote(r, st))

	fs := Findings(r)
	if len(fs) == 0 {
		fmt.Fprintf(&b, "  found      nothing over the threshold\n")
	}
	for _, f := range fs {
		mark, state := st.green("✓"), "declared"
		switch {
		case f.Undeclared:
			mark, state = st.red("✗"), st.red("undeclared")
		case f.NotWarned:
			mark, state = st.yellow("!"), st.yellow("not warned (creator chose not to warn)")
		}
		fmt.Fprintf(&b, "  %s %-22s %.2f  %s\n", mark, st.bold(Clean(f.Label)), f.Score, state)
		n := 0
		for _, e := range r.Evidence {
			if e.Label != f.Label || n == maxSnippets {
				continue
			}
			n++
			fmt.Fprintf(&b, "      %s %s\n", st.dim(lineRange(e)), quote(CleanLine(e.Snippet)))
		}
	}
	fmt.Fprintf(&b, "  %s\n", Verdict(r, st))
	_, err := io.WriteString(w, b.String())
	return err
}

// Finding is one detected label as the report lists it.
type Finding struct {
	Label      string
	Group      string
	Score      float64
	Undeclared bool
	// NotWarned marks a label the author did not declare in a work whose
	// creator chose not to use archive warnings: not warned, by choice.
	NotWarned bool
}

// Findings lists a row's detected labels in the order a moderator reads
// them: undeclared before declared; among them, warnings of harm before
// sexual content (which the rating, more than a warning, declares); then
// by score.
func Findings(r pipeline.Row) []Finding {
	var fs []Finding
	for _, l := range r.Labels {
		if l.Detected {
			fs = append(fs, Finding{Label: l.Label, Group: l.Group, Score: l.Score,
				Undeclared: slices.Contains(r.UndeclaredWarnings, l.Label),
				NotWarned:  choseNotToWarn(r) && !slices.Contains(r.DeclaredWarnings, l.Label)})
		}
	}
	rank := func(f Finding) int {
		n := 0
		if !f.Undeclared && !f.NotWarned {
			n += 2
		}
		if f.Group == sexualContent {
			n++
		}
		return n
	}
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(b.Score, a.Score))
	})
	return fs
}

// choseNotToWarn reports a work whose creator chose not to use archive
// warnings.
func choseNotToWarn(r pipeline.Row) bool {
	return deref(r.WarningStatus, "") == "chose-not-to-warn"
}

// notWarned lists the labels found in a work whose creator chose not to
// warn, and did not name.
func notWarned(r pipeline.Row) []string {
	var out []string
	for _, f := range Findings(r) {
		if f.NotWarned {
			out = append(out, f.Label)
		}
	}
	return out
}

// sexualContent is the taxonomy group of sexual content labels.
const sexualContent = "sexual-content"

// Verdict is the one-line conclusion of a story's report.
func Verdict(r pipeline.Row, st Style) string {
	if r.Error != nil {
		return st.red("verdict: ERROR — the story could not be checked")
	}
	if r.Note != nil {
		return st.yellow("verdict: NOT CHECKED — read it yourself; tagger found nothing because it cannot read it")
	}
	var parts []string
	if n := len(r.UndeclaredWarnings); n > 0 {
		parts = append(parts, fmt.Sprintf("%d undeclared warning%s (%s)", n, plural(n), cleanJoin(r.UndeclaredWarnings)))
	}
	if r.RatingUnderdeclared != nil && *r.RatingUnderdeclared {
		parts = append(parts, fmt.Sprintf("rating under-declared (%s → %s)", CleanLine(deref(r.DeclaredRatingRaw, "?")), Clean(deref(r.PredictedRating, "?"))))
	}
	if len(parts) == 0 {
		msg := "verdict: OK — the declarations cover what tagger found"
		if nw := notWarned(r); len(nw) > 0 {
			msg = fmt.Sprintf("verdict: OK — the creator chose not to warn; found, not warned: %s", cleanJoin(nw))
		}
		if r.DeclaredRating == nil {
			msg += fmt.Sprintf(" (no rating declared; the text reads as %s)", Clean(deref(r.PredictedRating, "?")))
		}
		return st.green(msg)
	}
	return st.red("verdict: REVIEW — " + strings.Join(parts, "; "))
}

// Lines writes one path:line:label:score:message line per finding: each
// passage of an undeclared warning (or of one not warned, in a work whose
// creator chose not to warn), and an under-declared rating.
//
// One finding is exactly one line, whatever the input holds. The path is
// escaped by EscapePath (a backslash is "\\", a colon "\:", a newline
// "\n", ESC "\x1b"), so the line splits at its first four unescaped
// colons: path, line, label, score, and the message, which runs to the end
// of the line and may hold colons. In the message white space runs are one
// space and controls, bidi and hiding characters are escaped as Clean
// does.
func Lines(w io.Writer, r pipeline.Row) error {
	var b strings.Builder
	src := EscapePath(r.Source)
	if r.Error != nil {
		fmt.Fprintf(&b, "%s:1:error:1.00:%s\n", src, CleanLine(*r.Error))
	}
	if r.Note != nil {
		fmt.Fprintf(&b, "%s:1:not-checked:1.00:%s\n", src, CleanLine(*r.Note))
	}
	nw := notWarned(r)
	for _, e := range r.Evidence {
		switch {
		case slices.Contains(r.UndeclaredWarnings, e.Label):
			fmt.Fprintf(&b, "%s:%d:%s:%.2f:undeclared warning: %s\n", src, e.LineStart, EscapePath(e.Label), e.Score, CleanLine(e.Snippet))
		case slices.Contains(nw, e.Label):
			fmt.Fprintf(&b, "%s:%d:%s:%.2f:not warned (creator chose not to warn): %s\n", src, e.LineStart, EscapePath(e.Label), e.Score, CleanLine(e.Snippet))
		}
	}
	if r.RatingUnderdeclared != nil && *r.RatingUnderdeclared {
		fmt.Fprintf(&b, "%s:1:rating:1.00:rating under-declared: %s (%s) but the text reads as %s\n", src,
			CleanLine(deref(r.DeclaredRatingRaw, "?")), CleanLine(deref(r.DeclaredRating, "?")), CleanLine(deref(r.PredictedRating, "?")))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Explain writes an explanation of one label's score.
func Explain(w io.Writer, ex *classify.Explanation, st Style) error {
	var b strings.Builder
	fmt.Fprintf(&b, "  explain %s: score %.2f (%s); story statistic %.2f against %.2f, %s\n",
		st.bold(Clean(ex.Label)), ex.Score, detected(ex.Detected), ex.Story, ex.StoryThreshold, evidenceNote(ex.Evidence))
	fmt.Fprintf(&b, "    %d window%s over the window threshold (raw %.2f)\n", ex.Passages, plural(ex.Passages), ex.Threshold)
	if ex.Source == "model" {
		fmt.Fprintf(&b, "    naive Bayes over the words of windows whose lexicon weight reaches %.1f; prior %.2f\n", ex.Gate, ex.Prior)
	} else {
		fmt.Fprintf(&b, "    lexicon only: the summed weight of its terms in a window\n")
	}
	if ex.Window == nil {
		fmt.Fprintf(&b, "    no window of the story holds any of its terms\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "    best window: %s, raw score %.2f\n", lineRange(pipeline.Evidence{LineStart: int32(ex.Window.LineStart), LineEnd: int32(ex.Window.LineEnd)}), ex.Window.Raw)
	for _, t := range ex.Window.Terms {
		note := ""
		if t.Negated {
			note = " (negated: not counted)"
		}
		if t.Figurative {
			note = " (after a simile: weight reduced)"
		}
		fmt.Fprintf(&b, "    term  %-24s %+.2f  %q%s\n", Clean(t.Term), t.Weight, t.Text, note)
	}
	for _, wd := range ex.Window.Words {
		fmt.Fprintf(&b, "    word  %-24s %+.2f\n", Clean(wd.Word), wd.Weight)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func detected(d bool) string {
	if d {
		return "detected"
	}
	return "not detected"
}

func declaredRating(r pipeline.Row) string {
	switch {
	case r.DeclaredRating != nil:
		return fmt.Sprintf("%s (%s)", CleanLine(deref(r.DeclaredRatingRaw, *r.DeclaredRating)), Clean(*r.DeclaredRating))
	case r.DeclaredRatingRaw != nil:
		return fmt.Sprintf("%q (not understood)", *r.DeclaredRatingRaw)
	}
	return "missing"
}

func declaredWarnings(r pipeline.Row) string {
	var s string
	switch deref(r.WarningStatus, "missing") {
	case "declared":
		if len(r.DeclaredWarnings) == 0 {
			s = "declared, none of them in the taxonomy"
		} else {
			s = "declared: " + cleanJoin(r.DeclaredWarnings)
		}
	case "none-apply":
		s = "none apply (declared)"
	case "chose-not-to-warn":
		s = "the creator chose not to warn"
		if len(r.DeclaredWarnings) > 0 {
			s += ", naming only: " + cleanJoin(r.DeclaredWarnings)
		}
	default:
		s = "missing (no warnings field)"
	}
	if len(r.NegatedWarnings) > 0 {
		s += "; ruled out: " + cleanJoin(r.NegatedWarnings)
	}
	if len(r.UnmappedWarnings) > 0 {
		s += fmt.Sprintf("; not understood: %q", strings.Join(r.UnmappedWarnings, "; "))
	}
	return s
}

func ratingNote(r pipeline.Row, st Style) string {
	switch {
	case r.RatingUnderdeclared != nil && *r.RatingUnderdeclared:
		return " — " + st.yellow("UNDER-DECLARED")
	case r.DeclaredRating == nil || *r.DeclaredRating == "not-rated":
		return " (nothing to compare: no rating declared)"
	}
	return " (within the declared rating)"
}

func lineRange(e pipeline.Evidence) string {
	if e.LineEnd > e.LineStart {
		return fmt.Sprintf("lines %d–%d:", e.LineStart, e.LineEnd)
	}
	return fmt.Sprintf("line %d:", e.LineStart)
}

func quote(s string) string { return "“" + s + "”" }

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// cleanJoin joins labels for a report line, each made safe by Clean.
func cleanJoin(ls []string) string {
	out := make([]string, len(ls))
	for i, l := range ls {
		out[i] = Clean(l)
	}
	return strings.Join(out, ", ")
}

func deref(p *string, def string) string {
	if p == nil {
		return def
	}
	return *p
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func evidenceNote(ok bool) string {
	if ok {
		return "with a passage to show"
	}
	return "no passage strong enough to show"
}
