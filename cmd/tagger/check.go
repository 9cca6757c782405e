package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/datasets"
	"github.com/tagger-dev/tagger/pipeline"
	"github.com/tagger-dev/tagger/pipeline/report"
)

// checkJSON is one story of `check --format json`: the output row, plus the
// explanation asked for with --explain.
type checkJSON struct {
	pipeline.Row
	Explanation *classify.Explanation `json:"explanation,omitempty"`
}

func newCheckCmd(a *app) *cobra.Command {
	var format, failOn, sens, lexPath, explain, modelDir string
	cmd := &cobra.Command{
		Use:   "check FILE...|-",
		Short: "Report what stories contain but do not declare (the moderation aid)",
		Long: `check reads stories and reports, for each: the declared rating and
warnings, the predicted rating, every detected warning with its score,
whether it was declared and the passages that show it (undeclared ones
first), and a verdict.

Exit codes: 0 clean, 1 when a story has findings of the kind --fail-on
names, 2 on usage errors or when a story cannot be read.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fail, err := report.ParseFailOn(failOn)
			if err != nil {
				return &exitCodeError{code: exitError, msg: err.Error()}
			}
			s, err := ParseSensitivityFlag(sens)
			if err != nil {
				return err
			}
			switch format {
			case "text", "json", "line":
			default:
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("--format %q: use text, json or line", format)}
			}
			m, err := loadModel(modelDir)
			if err != nil {
				return err
			}
			if lexPath != "" {
				overlay, err := os.ReadFile(lexPath)
				if err != nil {
					return &exitCodeError{code: exitError, msg: fmt.Sprintf("--lexicon: %v", err)}
				}
				if m, err = m.WithLexicon(overlay); err != nil {
					return &exitCodeError{code: exitError, msg: fmt.Sprintf("--lexicon %s: %v", lexPath, err)}
				}
			}
			style := report.Style{Color: format == "text" && colorOK(a)}
			enc := json.NewEncoder(a.stdout)
			enc.SetEscapeHTML(false)
			opt := classify.PredictOptions{Sensitivity: s}
			failed, findings := 0, 0
			for st := range datasets.Read(cmd.Context(), args, datasets.Options{Stdin: a.stdin}) {
				var row pipeline.Row
				var ex *classify.Explanation
				if st.Err != nil {
					failed++
					row = pipeline.NewRow(st, nil, m, st.Err)
				} else {
					res, err := pipeline.PredictStory(cmd.Context(), m, st, opt)
					if err != nil {
						return err
					}
					row = pipeline.NewRow(st, &res, m, nil)
					if explain != "" {
						if ex, err = m.Explain(cmd.Context(), st.Text, st.BodyByte, st.BodyLine, explain, opt); err != nil {
							return &exitCodeError{code: exitError, msg: "--explain: " + err.Error()}
						}
					}
				}
				if fail.Fails(row) {
					findings++
				}
				switch format {
				case "json":
					err = enc.Encode(checkJSON{Row: row, Explanation: ex})
				case "line":
					err = report.Lines(a.stdout, row)
				default:
					if err = report.Text(a.stdout, row, style); err == nil && ex != nil {
						err = report.Explain(a.stdout, ex, style)
					}
				}
				if err != nil {
					return fmt.Errorf("write report: %w", err)
				}
			}
			if err := cmd.Context().Err(); err != nil {
				return &exitCodeError{code: exitError, msg: "interrupted"}
			}
			switch {
			case failed > 0:
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("%d stories could not be read", failed)}
			case findings > 0:
				return &exitCodeError{code: exitFindings}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", "text", "output: text (for people), json (one object per story), line (path:line:label:score:message)")
	f.StringVar(&failOn, "fail-on", "any", "exit 1 when a story has: undeclared, rating, any, none")
	f.StringVar(&sens, "sensitivity", "balanced", "detection threshold: low, balanced, high")
	f.StringVar(&lexPath, "lexicon", "", "lexicon overlay YAML: add terms, reweight them, or silence them with weight 0")
	f.StringVar(&explain, "explain", "", "explain which terms and words carried LABEL's score")
	f.StringVar(&modelDir, "model", "", "model directory (default: the embedded model)")
	return cmd
}

// colorOK reports whether text output may be coloured: stdout is a
// terminal and NO_COLOR is not set (https://no-color.org).
func colorOK(a *app) bool {
	if _, set := os.LookupEnv("NO_COLOR"); set {
		return false
	}
	f, ok := a.stdout.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
