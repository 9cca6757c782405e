package main

import (
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/config"
	"github.com/tagger-dev/tagger/report"
)

func newConfigCmd(a *app) *cobra.Command {
	var sf settingFlags
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "config [PATH]",
		Short: "Print the effective settings and where each came from",
		Long: `config prints the settings that check and run would use for stories in
PATH (a story or a directory; default the working directory): each value
and where it came from: a flag, the configuration file, or the default.
It loads the model and merges the lexicon overlays, so a mistake in any of
them shows here first (exit 2).

The configuration file is the nearest ` + config.FileName + ` in PATH's directory or
one above it, else ` + displayUserFile() + `; --config FILE names
another, --no-config reads none. Flags override its values; lexicon
overlays, include and exclude globs add up, the file's first. Relative
paths in the file are relative to the file. Keys: sensitivity, fail-on,
model, lexicon, thresholds (label: score between 0 and 1), include,
exclude; README shows an example.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			set, err := sf.resolve(cmd, args)
			if err != nil {
				return err
			}
			if _, err := set.selector(); err != nil {
				return err
			}
			m, err := set.loadModel()
			if err != nil {
				return err
			}
			if asJSON {
				out := struct {
					*settings
					ModelName string `json:"model_name"`
				}{set, m.NameVersion()}
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			var rows [][3]string
			row := func(key, value, from string) {
				rows = append(rows, [3]string{key, report.Clean(value), report.Clean(from)})
			}
			cfgFile := set.Config
			if cfgFile == "" {
				cfgFile = "(none)"
			}
			row("config", cfgFile, "")
			row("sensitivity", set.Sensitivity.Value, set.Sensitivity.From)
			row("fail-on", set.FailOn.Value, set.FailOn.From)
			model := m.NameVersion()
			if set.Model.Value != "" {
				model = set.Model.Value + " (" + model + ")"
			} else {
				model += " (embedded)"
			}
			row("model", model, set.Model.From)
			list := func(key string, vs []setting) {
				if len(vs) == 0 {
					row(key, "-", "")
				}
				for _, v := range vs {
					row(key, v.Value, v.From)
				}
			}
			list("lexicon", set.Lexicon)
			if len(set.Thresholds) == 0 {
				row("thresholds", "-", "")
			}
			for _, t := range set.Thresholds {
				row("thresholds", t.Label+" "+strconv.FormatFloat(t.Value, 'g', -1, 64), t.From)
			}
			list("include", set.Include)
			list("exclude", set.Exclude)
			return printColumns(a.stdout, rows)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the settings as JSON")
	sf.add(cmd, withFailOn|withSelect)
	return cmd
}

// printColumns prints rows as aligned columns, without trailing blanks
// (text/tabwriter pads a line's last cells, and realigns at every line
// with fewer cells).
func printColumns(w io.Writer, rows [][3]string) error {
	var width [2]int
	for _, r := range rows {
		for i := range width {
			width[i] = max(width[i], utf8.RuneCountInString(r[i]))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		line := r[0] + strings.Repeat(" ", width[0]-utf8.RuneCountInString(r[0])+2) + r[1]
		if r[2] != "" {
			line += strings.Repeat(" ", width[1]-utf8.RuneCountInString(r[1])+2) + r[2]
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
