package main

import (
	"context"
	"fmt"
	"iter"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/models"
	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/report"
	"github.com/tagger-dev/tagger/taxonomy"
)

func newCheckCmd(a *app) *cobra.Command {
	var format, explain string
	var explains []string
	color := enumFlag{value: "auto", allowed: modeValues()}
	var sf settingFlags
	var limits inputLimits
	cmd := &cobra.Command{
		Use:   "check FILE...|-",
		Short: "Report what stories contain but do not declare (the moderation aid)",
		Long: `check reads stories and reports, for each: the declared rating and
warnings, the predicted rating, every detected warning with its score,
whether it was declared and the passages that show it (undeclared ones
first), and a verdict.

Scores and thresholds: a label's score runs from 0 to 1 and every output
shows the same one (text: "0.83 (threshold 0.50)", json: labels[].score
and labels[].threshold, line: the score field). The threshold is the score
the label needs at the --sensitivity asked for (or as the configuration
sets it); a label is detected when its score reaches it and a passage of
the story reaches the label's evidence bar, so a label over its threshold
without such a passage is not detected. Passages: labels[].passages counts the windows over the label's
window threshold; the evidence shows the best windows, at most 3 per label
(overlapping windows once): the best one always (it reached the evidence
bar, which for a lexicon-only label can lie under the window threshold, so
a label may show a passage and count 0), the others only over the
balanced window threshold. The text report may say "2 of 5 passages
shown". Each passage has a score of its own (evidence[].score in json).

Scenes: words of harm told in a setting the lexicon knows as one (a game,
a match, a kitchen: "we murdered them" beside a referee) count as
figures of speech, at a fraction of their weight. So that a verdict does
not hide it, the text report says so above the verdict ("scenes     a
scene of sport: 4 words of violence, death read as figures of speech"),
as do json ("scenes") and html; --explain marks such words in its
passage.

Line output (--format line) is path:line:label:score:message, one line
per passage of an undeclared (or not warned) label, in the text report's
order; score is the label's score and the message says its threshold,
which passage of how many it is and the passage's own score:
  a.txt:69:sexual-abuse:0.83:undeclared warning (threshold 0.50; passage 1 of 1, passage score 0.57): ...
An under-declared rating is a line per rating passage whose score field
is the rating's confidence; an error and a story not checked are lines of
their own with the score 1.00. With --explain, the explanation follows as
lines of the same format whose message starts with "explain: " and whose
line is the first of the best window.

JSON output (--format json) is one object per story: the output row (as
tagger run writes it), "verdict" with the text report's verdict line
("text"), its "status" (ok, review, not-checked or error) and its
"reasons", "scenes" when a scene discounted words, and with --explain an
"explanation".

HTML output (--format html) is one standalone page for a moderation
ticket, whatever the number of stories: a section per story with the text
report's content in its order and words, each passage shown in its lines
of the story with line numbers and the passage highlighted, and with
--explain the explanation under its finding, opened on demand. The page
loads nothing from elsewhere and runs no script: check a.txt b.txt
--format html > ticket.html.

Nothing a story holds reaches the terminal as a control: in text and line
output, control, bidi and other reordering or hiding characters taken from
the input (passages, titles, declared values, file names, errors) are shown
escaped, Go style: ESC as \x1b, a newline as \n, RIGHT-TO-LEFT OVERRIDE as
\u202e. In line output one finding is one line, and the path escapes a
backslash as \\ and a colon as \: so the line splits at its first four
unescaped colons. JSON output escapes them as \u sequences.

Settings come from flags, then the nearest .tagger.yaml from the first
input's directory upward (or the user's config.yaml; --config FILE,
--no-config): sensitivity, fail-on, model, lexicon overlays, per-label
thresholds, include and exclude globs. tagger config shows what applies.
Under a directory only files in story formats are read (.txt, .text, .md,
.html, .htm, .xhtml, .epub, .jsonl, .ndjson, .csv), unless --include
says otherwise; a file named as an input is always read.

Exit codes: 0 clean, 1 when a story has findings of the kind --fail-on
names or was not checked (a language the model does not read, no words
after its header; under every --fail-on but none), 2 on usage errors,
when a story cannot be read, or when the inputs hold no story.`,
		Args: needArgs("at least one story FILE, or - for standard input"),
		RunE: func(cmd *cobra.Command, args []string) error {
			// Evidence needs the sentence segmenter, and most checks
			// the embedded model: both are built on other cores while
			// the settings are resolved (the model in vain only when
			// a configuration file names another).
			tokenize.PrepareSegmenter()
			if !cmd.Flags().Changed("model") {
				models.PrepareDefault()
			}
			set, err := sf.resolve(cmd, args)
			if err != nil {
				return err
			}
			noteConfig(a, set)
			fail, s := set.failOn(), set.sensitivity()
			sel, err := set.selector()
			if err != nil {
				return err
			}
			switch format {
			case "text", "json", "line", "html":
			default:
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("--format %q: use text, json, line or html", format)}
			}
			switch len(explains) {
			case 0:
			case 1:
				explain = explains[0]
			default:
				// A repeated flag would otherwise keep only the last.
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("--explain takes one label, and was given %d (%s): run check once per label", len(explains), strings.Join(explains, ", "))}
			}
			gc := newCheckGC()
			// Stories are read one ahead, on another core: the first while
			// the model loads, each next one while the one before is
			// scored. Headers are read with the default taxonomy, the one
			// every model is built on (classify.Load;
			// TestModelsUseDefaultTaxonomy). Standard input is read in
			// turn, as before: an error before the first story (a model
			// that fails to load) leaves it unread.
			// Words are the tokens scored (pipeline.PredictStory), as in
			// tagger run's rows: the reader need not count them too.
			ropt := limits.options(datasets.Options{Stdin: a.stdin, StreamAbove: checkStreamAbove, Select: sel.Select, Taxonomy: taxonomy.Default(), NoWordCount: true})
			read, stop := datasets.Read(cmd.Context(), args, ropt), func() {}
			if !slices.Contains(args, "-") {
				read, stop = readAhead(cmd.Context(), args, ropt)
			}
			defer stop()
			m, err := set.loadModel()
			if err != nil {
				return err
			}
			applied := set.describe(m)
			if explain != "" {
				// A misspelt label fails before any story is scored.
				if explain, err = m.ExplainName(explain); err != nil {
					return &exitCodeError{code: exitError, msg: "--explain: " + err.Error()}
				}
			}
			style := report.Style{Color: format == "text" && colorOK(a, color.value)}
			// A story is scored alone: its evidence is built on both cores.
			opt := classify.PredictOptions{Sensitivity: s, Thresholds: set.thresholds(), ParallelEvidence: true}
			failed, findings := 0, 0
			// A story file above checkStreamAbove is scored from its file,
			// chunk by chunk, as tagger run does, so memory stays bounded
			// whatever its size.
			// HTML is one page for every story: each story a section
			// whose ids start with its number, so they are unique.
			stories := 0
			if format == "html" {
				if err := report.BeginHTMLPage(a.stdout, "tagger check: "+strings.Join(args, " ")); err != nil {
					return fmt.Errorf("write report: %w", err)
				}
			}
			for st := range read {
				stories++
				var row pipeline.Row
				var ex *classify.Explanation
				var scenes []classify.SceneHits
				if st.Err != nil {
					failed++
					row = pipeline.NewRow(st, nil, m, st.Err)
				} else {
					gc.story(st)
					res, err := checkStory(cmd.Context(), m, st, opt)
					if err != nil {
						if cmd.Context().Err() != nil {
							return &exitCodeError{code: exitError, msg: "interrupted"}
						}
						failed++
						row = pipeline.NewRow(st, nil, m, err)
					} else {
						row = pipeline.NewRow(st, &res, m, nil)
						scenes = res.Scenes
					}
					switch {
					case err != nil || explain == "":
					case st.Streamed():
						fmt.Fprintf(a.stderr, "tagger: --explain: %s is over %d MiB and was read in chunks; it has no explanation\n",
							report.Clean(st.Source), checkStreamAbove>>20)
					default:
						if ex, err = m.Explain(cmd.Context(), st.Text, st.BodyByte, st.BodyLine, explain, opt); err != nil {
							return &exitCodeError{code: exitError, msg: "--explain: " + err.Error()}
						}
					}
				}
				if fail.Fails(row) {
					findings++
				}
				var err error
				switch format {
				case "json":
					c := report.NewCheck(row, ex)
					c.Scenes = scenes
					err = report.JSON(a.stdout, c)
				case "line":
					if err = report.Lines(a.stdout, row); err == nil && ex != nil {
						err = report.ExplainLines(a.stdout, row.Source, ex)
					}
				case "html":
					// A streamed story's text is not in memory: its
					// passages are shown by their snippets.
					text := ""
					if st.Err == nil && !st.Streamed() {
						text = st.Text
					}
					c := report.NewCheck(row, ex)
					c.Scenes = scenes
					err = report.HTML(a.stdout, c, text, report.HTMLOptions{IDPrefix: fmt.Sprintf("s%d-", stories), Settings: applied})
				default:
					if err = report.TextWith(a.stdout, row, report.TextOptions{Style: style, Settings: applied, Scenes: scenes}); err == nil && ex != nil {
						err = report.Explain(a.stdout, ex, style)
					}
				}
				if err != nil {
					return fmt.Errorf("write report: %w", err)
				}
			}
			if format == "html" {
				if err := report.EndHTMLPage(a.stdout); err != nil {
					return fmt.Errorf("write report: %w", err)
				}
			}
			if err := cmd.Context().Err(); err != nil {
				return &exitCodeError{code: exitError, msg: "interrupted"}
			}
			reportSkipped(a, sel)
			switch {
			case stories == 0:
				// Nothing checked is never a clean verdict.
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("no story found in %s: nothing was checked (name story files, or a directory holding them)", strings.Join(args, " "))}
			case failed > 0:
				return &exitCodeError{code: exitError, msg: plural(failed, "story", "stories") + " could not be read"}
			case findings > 0:
				return &exitCodeError{code: exitFindings}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "text", "output: text (for people), json (one object per story), line (path:line:label:score:message), html (one standalone page for a moderation ticket)")
	f.StringArrayVar(&explains, "explain", nil, "explain which terms and words carried `LABEL`'s score (one label, or rating)")
	f.Var(&color, "color", "colour text output: auto (when stdout is a terminal and NO_COLOR is empty), always, never")
	sf.add(cmd, withFailOn|withSelect)
	limits.addFlags(cmd)
	return cmd
}

// checkStreamAbove is the size above which check scores a story file from
// the file, in chunks, instead of reading it into memory (tagger run's
// default too): a 1.5 GB story then costs tens of megabytes, not gigabytes.
// A variable for tests only.
var checkStreamAbove int64 = 16 << 20

// readAhead reads the stories of inputs (datasets.Read with opt) in a
// goroutine of its own, one story ahead of the caller's loop over the
// sequence it returns: while the caller works on a story, the next is
// read and waits to be handed over. stop ends the reading and waits for
// it (the reader's files closed); the caller must call it, also after the
// loop.
func readAhead(ctx context.Context, inputs []string, opt datasets.Options) (seq iter.Seq[*datasets.Story], stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	ch := make(chan *datasets.Story) // unbuffered: one story ahead, not two
	go func() {
		defer close(ch)
		for st := range datasets.Read(ctx, inputs, opt) {
			select {
			case ch <- st:
			case <-ctx.Done():
				return
			}
		}
	}()
	seq = func(yield func(*datasets.Story) bool) {
		for st := range ch {
			if !yield(st) {
				return
			}
		}
	}
	stop = func() {
		cancel()
		for range ch {
		}
	}
	return seq, stop
}

// checkStory scores one story the way tagger run does (pipeline.PredictStory):
// a streamed story from its file, in chunks scored by as many goroutines as
// there are CPUs.
func checkStory(ctx context.Context, m *classify.Model, st *datasets.Story, opt classify.PredictOptions) (classify.Result, error) {
	res, err := pipeline.PredictStory(ctx, m, st, opt)
	if err != nil {
		return res, fmt.Errorf("score %s: %w", st.Source, err)
	}
	return res, nil
}

// inputLimits are the caps on input (datasets.Options MaxFileBytes,
// MaxStoryBytes, MaxMarkupBytes and MaxLineBytes), set by flags: whatever
// is over them is a story that fails, naming the flag, instead of memory
// spent. Zero keeps the readers' defaults.
type inputLimits struct {
	file, story, markup int64
	line                int
}

// addFlags adds the flags that raise the caps.
func (l *inputLimits) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.Int64Var(&l.file, "max-file-bytes", 0, fmt.Sprintf("largest text story file, or standard input redirected from a file (0: %d MiB)", datasets.DefaultMaxFileBytes>>20))
	f.Int64Var(&l.story, "max-story-bytes", 0, fmt.Sprintf("largest text story read from standard input, a pipe or a device (0: %d MiB)", datasets.DefaultMaxStoryBytes>>20))
	f.Int64Var(&l.markup, "max-markup-bytes", 0, fmt.Sprintf("largest HTML or EPUB story (0: %d MiB)", datasets.DefaultMaxMarkupBytes>>20))
	f.IntVar(&l.line, "max-line-bytes", 0, fmt.Sprintf("longest JSONL line or CSV row of a corpus (0: %d MiB)", datasets.DefaultMaxLineBytes>>20))
}

// options sets the caps in o.
func (l inputLimits) options(o datasets.Options) datasets.Options {
	o.MaxFileBytes, o.MaxStoryBytes, o.MaxMarkupBytes, o.MaxLineBytes = l.file, l.story, l.markup, l.line
	return o
}

// colorOK reports whether text output is coloured under --color mode:
// always, never, or auto when stdout is a terminal and NO_COLOR is empty.
func colorOK(a *app, mode string) bool {
	f, ok := a.stdout.(*os.File)
	return useColor(mode, os.Getenv("NO_COLOR"), ok && term.IsTerminal(int(f.Fd())))
}

// useColor decides colorOK. NO_COLOR counts only when it is not empty, and
// an explicit --color always overrides it (https://no-color.org).
func useColor(mode, noColor string, terminal bool) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	return terminal && noColor == ""
}

// checkGC is how check tunes the garbage collector of the tagger process.
// A check of a story or a few is a short-lived process that allocates
// about 20 MB of start-up garbage (the lexicon's YAML tree, the sentence
// model's JSON) and then scores text: with the default collector, a third
// of its time went on collections that free memory the process is about to
// give back anyway. So the collector is off, with a soft memory limit of
// checkGCLimit, until a story above checkGCSmall bytes (or a streamed
// one) comes: the default collector then scores it and every later one, so
// memory stays bounded as before whatever the input.
//
// Only the tagger process does it (processGC, set by main), not tests that
// run commands in process, and not when GOGC or GOMEMLIMIT is set: the
// user's settings win.
type checkGC struct {
	off     bool
	percent int
	limit   int64
}

const (
	// checkGCLimit is the soft memory limit while the collector is off:
	// scoring stories up to checkGCSmall bytes keeps well under it.
	checkGCLimit = 256 << 20
	// checkGCSmall is the largest story scored with the collector off.
	checkGCSmall = 4 << 20
)

// newCheckGC turns the collector off, when check may.
func newCheckGC() *checkGC {
	if !processGC || os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != "" {
		return &checkGC{}
	}
	g := &checkGC{off: true}
	g.limit = debug.SetMemoryLimit(checkGCLimit)
	g.percent = debug.SetGCPercent(-1)
	return g
}

// story turns the collector back on, as it was, before a large story.
func (g *checkGC) story(st *datasets.Story) {
	if !g.off || (!st.Streamed() && len(st.Text) <= checkGCSmall) {
		return
	}
	debug.SetGCPercent(g.percent)
	debug.SetMemoryLimit(g.limit)
	g.off = false
}
