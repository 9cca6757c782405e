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
	"github.com/tagger-dev/tagger/taxonomy"
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

// Check is one story's report as `tagger check --format json` writes it
// and `tagger serve` answers it: the output row, the verdict the text
// report prints (and why), and the explanation of a label when one was
// asked for.
type Check struct {
	pipeline.Row
	Verdict     VerdictInfo           `json:"verdict"`
	Explanation *classify.Explanation `json:"explanation,omitempty"`
	// Scenes counts the lexicon hits scenes read as figures of speech
	// (classify.Result.Scenes): set by the caller that has the result.
	Scenes []classify.SceneHits `json:"scenes,omitempty"`
}

// NewCheck returns the report of row, with ex (nil for none).
func NewCheck(row pipeline.Row, ex *classify.Explanation) Check {
	return Check{Row: row, Verdict: Conclude(row), Explanation: ex}
}

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

// Text writes the moderator's report of one story: what was declared, what
// was found (undeclared warnings first, each with its score beside its
// threshold and its passages: the row's evidence, at most
// classify.PredictOptions.MaxEvidence per label) and a verdict line.
func Text(w io.Writer, r pipeline.Row, st Style) error {
	return TextWith(w, r, TextOptions{Style: st})
}

// TextOptions configures TextWith.
type TextOptions struct {
	Style Style
	// Settings, when set, describes the team settings the story was
	// checked with (a configuration file, raised thresholds, lexicon
	// overlays): printed above the verdict, so that a forwarded report
	// does not hide that the bar was moved.
	Settings string
	// Scenes, when set, are the hits scenes read as figures of speech
	// (classify.Result.Scenes): printed above the verdict, so that a
	// verdict of OK does not hide what it discounted.
	Scenes []classify.SceneHits
}

// ScenesLine says what scenes read as figures of speech ("a scene of
// sport: 3 words of violence, death read as figures of speech"), or ""
// for none. A word that is a term of two labels ("murdered") counts once.
func ScenesLine(hs []classify.SceneHits) string {
	var parts []string
	for _, h := range hs {
		words := "words"
		if h.Words == 1 {
			words = "word"
		}
		parts = append(parts, fmt.Sprintf("a scene of %s: %d %s of %s", h.Scene, h.Words, words, strings.Join(h.Labels, ", ")))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(parts, "; ") + " read as figures of speech"
}

// TextWith is Text with options.
func TextWith(w io.Writer, r pipeline.Row, opt TextOptions) error {
	st := opt.Style
	var b strings.Builder
	settings := func() {
		if opt.Settings != "" {
			fmt.Fprintf(&b, "  %s %s\n", st.dim("settings  "), CleanLine(opt.Settings))
		}
	}
	title := ""
	if r.Title != nil {
		title = fmt.Sprintf(" — %q", *r.Title)
	}
	fmt.Fprintf(&b, "%s%s\n", st.bold(Clean(r.Source)), title)
	if r.Error != nil {
		fmt.Fprintf(&b, "  %s %s\n", st.red("error:"), Clean(*r.Error))
		fmt.Fprintf(&b, "  %s\n", Verdict(r, st))
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "  declared   rating %s · warnings %s\n", declaredRating(r), declaredWarnings(r))
	if r.Note != nil {
		fmt.Fprintf(&b, "  %s %s\n", st.yellow("not checked:"), Clean(strings.TrimPrefix(*r.Note, "not checked: ")))
		settings()
		fmt.Fprintf(&b, "  %s\n", Verdict(r, st))
		_, err := io.WriteString(w, b.String())
		return err
	}
	fmt.Fprintf(&b, "  predicted  rating %s%s\n", Clean(deref(r.PredictedRating, "?")), ratingNote(r, st))
	if under(r) && atLeastMature(r) { // else the detection's passages below show it
		for _, e := range r.RatingEvidence {
			fmt.Fprintf(&b, "      %s %s\n", st.dim(lineRange(e)+" ("+Clean(e.Label)+"):"), quote(CleanLine(e.Snippet)))
		}
	}

	fs := Findings(r)
	if len(fs) == 0 {
		// A label at its threshold without a passage to show is not a
		// finding (low thresholds reach such scores): say so, not
		// "nothing over the threshold".
		var near []string
		for _, l := range r.Labels {
			if !l.Detected && l.Score >= l.Threshold && l.Threshold > 0 {
				near = append(near, fmt.Sprintf("%s %.2f, threshold %.2f", Clean(l.Label), l.Score, l.Threshold))
			}
		}
		if len(near) == 0 {
			fmt.Fprintf(&b, "  found      nothing over the threshold\n")
		} else {
			fmt.Fprintf(&b, "  found      nothing detected: %s reached without a passage strong enough to show\n", strings.Join(near, "; "))
		}
	}
	for _, f := range fs {
		mark, state := st.green("✓"), "declared"
		switch {
		case f.Undeclared:
			mark, state = st.red("✗"), st.red("undeclared")
		case f.NotWarned:
			mark, state = st.yellow("!"), st.yellow("not warned (creator chose not to warn)")
		}
		fmt.Fprintf(&b, "  %s %-22s %s  %s\n", mark, st.bold(Clean(f.Label)), scoreAt(f), state)
		ev := evidenceOf(r, f.Label)
		for _, e := range ev {
			fmt.Fprintf(&b, "      %s %s\n", st.dim(lineRange(e)+":"), quote(CleanLine(e.Snippet)))
		}
		if total := f.total(len(ev)); total > len(ev) {
			fmt.Fprintf(&b, "      %s\n", st.dim(fmt.Sprintf("%d of %d passages shown (the best; see check --help)", len(ev), total)))
		}
	}
	if line := ScenesLine(opt.Scenes); line != "" {
		fmt.Fprintf(&b, "  %s %s\n", st.dim("scenes    "), CleanLine(line))
	}
	settings()
	fmt.Fprintf(&b, "  %s\n", Verdict(r, st))
	_, err := io.WriteString(w, b.String())
	return err
}

// scoreAt is a finding's score beside its threshold, as every report
// shows it.
func scoreAt(f Finding) string {
	return fmt.Sprintf("%.2f (threshold %.2f)", f.Score, f.Threshold)
}

// evidenceOf returns the row's evidence of label, best first.
func evidenceOf(r pipeline.Row, label string) []pipeline.Evidence {
	var out []pipeline.Evidence
	for _, e := range r.Evidence {
		if e.Label == label {
			out = append(out, e)
		}
	}
	return out
}

// Finding is one detected label as the report lists it.
type Finding struct {
	Label string
	Group string
	Score float64
	// Threshold is the score the label needs to be detected at the run's
	// sensitivity (pipeline.LabelScore.Threshold).
	Threshold float64
	// Passages is the number of windows over the label's window threshold
	// (pipeline.LabelScore.Passages): the row's evidence shows the best of
	// them, overlapping ones once.
	Passages   int
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
			fs = append(fs, Finding{Label: l.Label, Group: l.Group, Score: l.Score, Threshold: l.Threshold, Passages: int(l.Passages),
				Undeclared: slices.Contains(r.UndeclaredWarnings, l.Label),
				NotWarned:  choseNotToWarn(r) && !slices.Contains(r.DeclaredWarnings, l.Label) && !ratingDeclares(r, l.Label)})
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

// total is how many passages the finding has, given that shown of them
// are in the row's evidence: the best window is evidence even when no
// window reaches the window threshold that Passages counts by.
func (f Finding) total(shown int) int { return max(f.Passages, shown) }

// reported is Findings, followed by any undeclared warning the row names
// without a detected label for it, so that no report drops one.
func reported(r pipeline.Row) []Finding {
	fs := Findings(r)
	for _, l := range r.UndeclaredWarnings {
		if slices.ContainsFunc(fs, func(f Finding) bool { return f.Label == l }) {
			continue
		}
		f := Finding{Label: l, Undeclared: true}
		if i := slices.IndexFunc(r.Labels, func(s pipeline.LabelScore) bool { return s.Label == l }); i >= 0 {
			ls := r.Labels[i]
			f.Group, f.Score, f.Threshold, f.Passages = ls.Group, ls.Score, ls.Threshold, int(ls.Passages)
		}
		fs = append(fs, f)
	}
	return fs
}

// sexualContent is the taxonomy group of sexual content labels.
const sexualContent = "sexual-content"

// Verdict statuses (VerdictInfo.Status).
const (
	StatusOK         = "ok"
	StatusReview     = "review"
	StatusNotChecked = "not-checked"
	StatusError      = "error"
)

// VerdictInfo is the conclusion of a story's report, as check --format
// json carries it: Text is the verdict line the text report prints (without
// colour), Reasons the parts it is made of.
type VerdictInfo struct {
	// Status is ok, review, not-checked or error.
	Status  string   `json:"status"`
	Reasons []string `json:"reasons"`
	Text    string   `json:"text"`
}

// Conclude returns the verdict of a row. Labels are listed in the order the
// report lists its findings (see Findings); every string from the input is
// made safe by Clean, as in the text report.
func Conclude(r pipeline.Row) VerdictInfo {
	switch {
	case r.Error != nil:
		return verdictOf(StatusError, "ERROR", "the story could not be checked")
	case r.Note != nil:
		return verdictOf(StatusNotChecked, "NOT CHECKED", "read it yourself; tagger found nothing because it could not check it")
	}
	var undeclared, nw []string
	for _, f := range reported(r) {
		switch {
		case f.Undeclared:
			undeclared = append(undeclared, f.Label)
		case f.NotWarned:
			nw = append(nw, f.Label)
		}
	}
	var parts []string
	if n := len(undeclared); n > 0 {
		parts = append(parts, fmt.Sprintf("%d undeclared warning%s (%s)", n, plural(n), cleanJoin(undeclared)))
	}
	if r.RatingUnderdeclared != nil && *r.RatingUnderdeclared {
		if atLeastMature(r) {
			parts = append(parts, fmt.Sprintf("rating under-declared (%s → %s)", CleanLine(deref(r.DeclaredRatingRaw, "?")), Clean(deref(r.PredictedRating, "?"))))
		} else {
			parts = append(parts, fmt.Sprintf("rating under-declared (%s, with sexual violence)", CleanLine(deref(r.DeclaredRatingRaw, "?"))))
		}
	}
	if len(parts) > 0 {
		return verdictOf(StatusReview, "REVIEW", parts...)
	}
	why := "the declarations cover what tagger found"
	if len(nw) > 0 {
		why = "the creator chose not to warn; found, not warned: " + cleanJoin(nw)
	}
	v := verdictOf(StatusOK, "OK", why)
	if r.DeclaredRating == nil {
		rating := fmt.Sprintf("no rating declared; the text reads as %s", Clean(deref(r.PredictedRating, "?")))
		v.Reasons = append(v.Reasons, rating)
		v.Text += " (" + rating + ")"
	}
	return v
}

// verdictOf builds a verdict whose line is "verdict: HEAD — reasons".
func verdictOf(status, head string, reasons ...string) VerdictInfo {
	return VerdictInfo{Status: status, Reasons: reasons, Text: "verdict: " + head + " — " + strings.Join(reasons, "; ")}
}

// Verdict is the one-line conclusion of a story's report (Conclude's Text),
// coloured by st.
func Verdict(r pipeline.Row, st Style) string {
	v := Conclude(r)
	switch v.Status {
	case StatusOK:
		return st.green(v.Text)
	case StatusNotChecked:
		return st.yellow(v.Text)
	}
	return st.red(v.Text)
}

// Lines writes one path:line:label:score:message line per finding: each
// passage of an undeclared warning (or of one not warned, in a work whose
// creator chose not to warn), in the order the text report lists them, and
// an under-declared rating.
//
// The score is the label's score, as in the text report and the JSON
// labels; the message says the label's threshold, which passage of how
// many the line shows and that passage's own score, then the passage:
//
//	a.txt:69:sexual-abuse:0.83:undeclared warning (threshold 0.50; passage 1 of 1, passage score 0.57): And if…
//
// An error, a story not checked and an under-declared rating have the
// score 1.00.
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
	for _, f := range reported(r) {
		kind, why := "undeclared warning", ""
		switch {
		case f.Undeclared:
		case f.NotWarned:
			kind, why = "not warned", "creator chose not to warn; "
		default:
			continue
		}
		ev := evidenceOf(r, f.Label)
		for i, e := range ev {
			fmt.Fprintf(&b, "%s:%d:%s:%.2f:%s (%sthreshold %.2f; passage %d of %d, passage score %.2f): %s\n", src, e.LineStart, EscapePath(f.Label),
				f.Score, kind, why, f.Threshold, i+1, f.total(len(ev)), e.Score, CleanLine(e.Snippet))
		}
	}
	if under(r) && !atLeastMature(r) {
		fmt.Fprintf(&b, "%s:1:rating:1.00:rating under-declared: %s (%s) with %s\n", src,
			CleanLine(deref(r.DeclaredRatingRaw, "?")), CleanLine(deref(r.DeclaredRating, "?")), notGeneralReason(r))
	} else if under(r) {
		what := fmt.Sprintf("rating under-declared: %s (%s) but the text reads as %s (confidence %.2f",
			CleanLine(deref(r.DeclaredRatingRaw, "?")), CleanLine(deref(r.DeclaredRating, "?")), CleanLine(deref(r.PredictedRating, "?")), confidence(r))
		for i, e := range r.RatingEvidence {
			fmt.Fprintf(&b, "%s:%d:rating:%.2f:%s; passage %d of %d, %s): %s\n", src, e.LineStart, confidence(r), what, i+1, len(r.RatingEvidence),
				CleanLine(e.Label), CleanLine(e.Snippet))
		}
		if len(r.RatingEvidence) == 0 {
			fmt.Fprintf(&b, "%s:1:rating:%.2f:%s)\n", src, confidence(r), what)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Explain writes an explanation of one label's score, after the story's
// text report.
func Explain(w io.Writer, ex *classify.Explanation, st Style) error {
	var b strings.Builder
	for i, ln := range explainLines(ex) {
		if i == 0 {
			fmt.Fprintf(&b, "  explain %s: %s\n", st.bold(Clean(ex.Label)), ln)
			continue
		}
		fmt.Fprintf(&b, "    %s\n", ln)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ExplainLines writes the explanation of one label's score for the story
// at path in the line format of Lines: one line per line of Explain's,
// each path:line:label:score:explain: text, where line is the first line
// of the best window (1 without one) and score the label's score, so that
// a tool reading findings can tell the explanation by its "explain: "
// message.
func ExplainLines(w io.Writer, path string, ex *classify.Explanation) error {
	var b strings.Builder
	line := 1
	if ex.Window != nil && ex.Window.LineStart > 0 {
		line = ex.Window.LineStart
	}
	if ex.Rating != nil && len(ex.Rating.Evidence) > 0 {
		line = ex.Rating.Evidence[0].LineStart
	}
	src, label := EscapePath(path), EscapePath(ex.Label)
	for _, ln := range explainLines(ex) {
		fmt.Fprintf(&b, "%s:%d:%s:%.2f:explain: %s\n", src, line, label, ex.Score, CleanLine(ln))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// explainLines are the lines of an explanation: a header with the score
// and its threshold, then how windows are scored and what the best window
// holds. Terms from the story are quoted Go style (%q), so they are safe.
func explainLines(ex *classify.Explanation) []string {
	if ex.NotChecked != "" {
		return []string{"not checked, so nothing to explain: " + ex.NotChecked}
	}
	if ex.Rating != nil {
		return ratingLines(ex.Rating)
	}
	out := []string{fmt.Sprintf("score %.2f (threshold %.2f), %s; story statistic %.2f against %.2f, %s",
		ex.Score, ex.Threshold, detected(ex.Detected), ex.Story, ex.StoryThreshold, evidenceNote(ex.Evidence, ex.EvidenceBar))}
	out = append(out, fmt.Sprintf("%d window%s with a raw score of at least %.2f (the window threshold)", ex.Passages, plural(ex.Passages), ex.WindowThreshold))
	if ex.Source == classify.SourceModel {
		out = append(out, fmt.Sprintf("naive Bayes over the words of windows whose lexicon weight reaches %.1f; prior %.2f", ex.Gate, ex.Prior))
	} else {
		out = append(out, "lexicon only: the summed weight of its terms in a window")
	}
	if ex.Window == nil {
		// Say what a score without a window is made of, or a 0.49 reads
		// as a near miss: the label's own terms where no window counts
		// (under its gate, or for a scene label no scene), and what the
		// rest of the story shows of other labels.
		return append(out, "no window of the story counts for it (none holds its terms, or they fall under its gate or scene rule): its score is what the story shows of it outside such windows and of other labels, and without a passage of its own it is never a finding")
	}
	best := fmt.Sprintf("best window: %s, raw score %.2f", lineRange(pipeline.Evidence{LineStart: int32(ex.Window.LineStart), LineEnd: int32(ex.Window.LineEnd)}), ex.Window.Raw)
	if ex.Window.Raw < ex.WindowThreshold {
		best += ", under the window threshold"
	}
	out = append(out, best)
	for _, t := range ex.Window.Terms {
		note := ""
		if t.Negated {
			note = " (negated: not counted)"
		}
		if t.Figurative {
			note = " (after a simile: weight reduced)"
			if t.Scene != "" {
				note = fmt.Sprintf(" (in a scene of %s: weight reduced)", t.Scene)
			}
		}
		if t.Repeat > 0 {
			note += fmt.Sprintf(" (said again: 1/%d of its weight)", t.Repeat+1)
		}
		out = append(out, fmt.Sprintf("term  %-24s %+.2f  %q%s", Clean(t.Term), t.Weight, t.Text, note))
	}
	for _, wd := range ex.Window.Words {
		out = append(out, fmt.Sprintf("word  %-24s %+.2f", Clean(wd.Word), wd.Weight))
	}
	return out
}

// ratingLines explain a predicted rating: the score's parts against the
// cut points, the confidence and the passages.
func ratingLines(re *classify.RatingExplanation) []string {
	var out []string
	if len(re.Cuts) == 3 {
		out = append(out, fmt.Sprintf("predicted %s: score %.2f against the cuts teen %.2f, mature %.2f, explicit %.2f; confidence %.2f (a flag needs %.2f and a passage)",
			Clean(re.Predicted), re.Score, re.Cuts[0], re.Cuts[1], re.Cuts[2], re.Confidence, re.FlagConfidence))
	} else {
		out = append(out, fmt.Sprintf("predicted %s from the strongest window's cues", Clean(re.Predicted)))
	}
	if re.PornDetected {
		out = append(out, "pornography is detected: explicit whatever the score")
	}
	if re.ExplicitPorn > 0 {
		out = append(out, fmt.Sprintf("pornography %.2f, not detected, is at least %.2f, the score from which works read explicit: explicit whatever the rating score, with the pornography score as its confidence", re.Porn, re.ExplicitPorn))
	}
	if re.NotGeneral != "" {
		out = append(out, fmt.Sprintf("%s detected with a passage: a General rating is under-declared by that alone, whatever the predicted rating", Clean(re.NotGeneral)))
	}
	if re.Floor != "" {
		out = append(out, fmt.Sprintf("teen from a detected warning (%s), not from the score: a work with a warning is Teen at least", Clean(re.Floor)))
	}
	for _, p := range re.Parts {
		measured := fmt.Sprintf("%6.2f", p.Measured)
		if p.LogScaled {
			measured = fmt.Sprintf("log(1 + %.2f)", p.Measured)
		}
		out = append(out, fmt.Sprintf("part  %-52s %s × %.2f → %+.2f", p.Name, measured, p.Weight, p.Adds))
	}
	for _, e := range re.Evidence {
		out = append(out, fmt.Sprintf("passage  %s (%s, cue score %.2f): %s", lineRange(pipeline.Evidence{LineStart: int32(e.LineStart), LineEnd: int32(e.LineEnd)}), Clean(e.Label), e.Score, quote(CleanLine(e.Snippet))))
	}
	switch {
	case len(re.Evidence) > 0:
	case re.Predicted == taxonomy.General.String():
		out = append(out, "no passage: a General prediction shows none")
	default:
		out = append(out, "no passage reaches a cue weight of 1")
	}
	return out
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

// onlyRemarks reports whether every phrase of raw is a remark of the
// taxonomy ("see tags", "no graphic content"), and there is one.
func onlyRemarks(raw []string) bool {
	for _, p := range raw {
		if !taxonomy.Default().ClassifyWarning(p).Remark {
			return false
		}
	}
	return len(raw) > 0
}

func declaredWarnings(r pipeline.Row) string {
	var s string
	switch deref(r.WarningStatus, "missing") {
	case "declared":
		switch {
		case len(r.DeclaredWarnings) == 0 && onlyRemarks(r.DeclaredWarningsRaw):
			// "Warnings: see tags": a pointer, which names nothing.
			s = fmt.Sprintf("declared only as %q, which names no warning", strings.Join(r.DeclaredWarningsRaw, "; "))
		case len(r.DeclaredWarnings) == 0:
			s = "declared, none of them in the taxonomy"
		default:
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
		if len(r.DeclaredWarningsRaw) > 0 && len(r.NegatedWarnings) > 0 {
			// "Warnings: No Character Death": a field that names no
			// warning, only rules some out.
			return "missing (the warnings field only rules out: " + cleanJoin(r.NegatedWarnings) + ")" + notUnderstood(r)
		}
		s = "missing (no warnings field)"
	}
	if len(r.NegatedWarnings) > 0 {
		s += "; ruled out: " + cleanJoin(r.NegatedWarnings)
	}
	return s + notUnderstood(r)
}

// notUnderstood is the note on the warning phrases tagger could not map,
// or "".
func notUnderstood(r pipeline.Row) string {
	if len(r.UnmappedWarnings) == 0 {
		return ""
	}
	return fmt.Sprintf("; not understood: %q", strings.Join(r.UnmappedWarnings, "; "))
}

func ratingNote(r pipeline.Row, st Style) string {
	switch {
	case under(r) && !atLeastMature(r):
		// Flagged by a detection, not by the predicted rating (see
		// classify.NotGeneral): say which.
		return " — " + st.yellow("UNDER-DECLARED") + fmt.Sprintf(": General Audiences with %s", notGeneralReason(r))
	case under(r):
		return " — " + st.yellow("UNDER-DECLARED") + fmt.Sprintf(" (confidence %.2f)", confidence(r))
	case r.DeclaredRating == nil || *r.DeclaredRating == "not-rated":
		return " (nothing to compare: no rating declared)"
	}
	d, _ := taxonomy.ParseLevel(*r.DeclaredRating)
	p, _ := taxonomy.ParseLevel(deref(r.PredictedRating, ""))
	switch {
	case !p.Ordered() || !d.Ordered() || p <= d:
	case p < taxonomy.Mature:
		return " (above the declared rating, not flagged: only clear Mature or Explicit content is)"
	case len(r.RatingEvidence) == 0:
		return " (above the declared rating, not flagged: no passage shows it)"
	case belowDetection(r):
		return " (above the declared rating, not flagged: explicit rests only on an undetected pornography score)"
	default:
		return fmt.Sprintf(" (above the declared rating, not flagged: confidence %.2f is under the bar a flag needs)", confidence(r))
	}
	return " (within the declared rating)"
}

// belowDetection reports whether r's Explicit rests only on a pornography
// score below detection (classify.Model.ExplicitBelowDetection): the
// pornography label is not detected and the rating's confidence is its
// score, the confidence such a prediction carries.
func belowDetection(r pipeline.Row) bool {
	if deref(r.PredictedRating, "") != taxonomy.Explicit.String() || r.RatingConfidence == nil {
		return false
	}
	for _, l := range r.Labels {
		if l.Label == "pornography" {
			return !l.Detected && l.Score == *r.RatingConfidence
		}
	}
	return false
}

// atLeastMature reports whether r's predicted rating is Mature or Explicit.
func atLeastMature(r pipeline.Row) bool {
	p, ok := taxonomy.ParseLevel(deref(r.PredictedRating, ""))
	return ok && p.Ordered() && p >= taxonomy.Mature
}

// notGeneralReason names the detections that flag r's General rating.
func notGeneralReason(r pipeline.Row) string {
	var parts []string
	notGeneral := classify.NotGeneralLabels()
	for _, l := range r.Labels {
		if l.Detected && slices.Contains(notGeneral, l.Label) {
			parts = append(parts, fmt.Sprintf("%s detected (%.2f): a scene of sexual violence is not for all ages", l.Label, l.Score))
		}
	}
	if len(parts) == 0 {
		return "content not for all ages"
	}
	return strings.Join(parts, "; ")
}

// under reports whether r's rating is flagged as under-declared.
func under(r pipeline.Row) bool { return r.RatingUnderdeclared != nil && *r.RatingUnderdeclared }

// confidence is r's rating confidence (1 when the row has none).
func confidence(r pipeline.Row) float64 {
	if r.RatingConfidence == nil {
		return 1
	}
	return *r.RatingConfidence
}

// lineRange is where a passage lies: "line 7" or "lines 7–13".
func lineRange(e pipeline.Evidence) string {
	if e.LineEnd > e.LineStart {
		return fmt.Sprintf("lines %d–%d", e.LineStart, e.LineEnd)
	}
	return fmt.Sprintf("line %d", e.LineStart)
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

// evidenceNote says whether a window reached the evidence bar, which a
// finding needs whatever the window threshold: a label can be detected
// with no window over the window threshold at balanced, or not detected
// with one.
func evidenceNote(ok bool, bar float64) string {
	if ok {
		return fmt.Sprintf("with a passage to show (a window at or over %.2f, the evidence bar)", bar)
	}
	return fmt.Sprintf("no passage strong enough to show (none at or over %.2f, the evidence bar)", bar)
}

// ratingDeclares reports whether r's declared rating declares label by its
// definition (pornography under Explicit), as pipeline.Undeclared reads it.
func ratingDeclares(r pipeline.Row, label string) bool {
	return r.DeclaredRating != nil && pipeline.RatingDeclares(*r.DeclaredRating, label)
}
