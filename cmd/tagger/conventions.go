package main

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/models"
	"github.com/tagger-dev/tagger/report"
	"github.com/tagger-dev/tagger/taxonomy"
)

// versionText is what `tagger version` and `tagger --version` print:
// tagger's release and the embedded default model, whose version changes
// what tagger reports as much as tagger's own does.
func versionText() string {
	model := "unavailable"
	if m, err := models.Default(); err != nil {
		model += " (" + err.Error() + ")"
	} else {
		model = m.NameVersion()
	}
	return fmt.Sprintf("tagger %s (%s %s/%s)\nmodel %s\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH, model)
}

// versionFlag is the root's --version. Cobra prints its version template
// when the flag is set; loading the model for that template on every run
// would slow every command, so the flag fills in the root's Version only
// when it is given.
type versionFlag struct {
	root *cobra.Command
	set  bool
}

func (v *versionFlag) String() string { return strconv.FormatBool(v.set) }
func (v *versionFlag) Type() string   { return "bool" } // cobra reads it with GetBool
func (v *versionFlag) Set(s string) error {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return err
	}
	v.set = b
	if b {
		v.root.Version = versionText()
	}
	return nil
}

// plural is "1 story", "2 stories": n and the noun that agrees with it.
func plural[N ~int | ~int64](n N, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatInt(int64(n), 10) + " " + many
}

// usageError is an error about the command line: exit 2, with a pointer to
// the command's help, as an unknown flag gets.
func usageError(cmd *cobra.Command, msg string) error {
	return &exitCodeError{code: exitError, msg: fmt.Sprintf("%s (see '%s --help')", msg, cmd.CommandPath())}
}

// needArgs accepts one argument or more; what names them in the error
// ("at least one story FILE, or - for standard input").
func needArgs(what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageError(cmd, cmd.Name()+" needs "+what)
		}
		return nil
	}
}

// noArgs accepts none, naming what it was given (cobra's NoArgs calls a
// stray argument an unknown command).
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError(cmd, fmt.Sprintf("%s takes no arguments, but was given %q", cmd.Name(), args))
	}
	return nil
}

// enumFlag is a string flag that takes one of a few values: a wrong one is
// a flag error (exit 2) naming the values, and shell completion offers
// them.
type enumFlag struct {
	value   string
	allowed []string
}

func (e *enumFlag) String() string { return e.value }
func (e *enumFlag) Type() string   { return "string" }
func (e *enumFlag) Set(s string) error {
	if !slices.Contains(e.allowed, s) {
		return fmt.Errorf("use %s", orList(e.allowed))
	}
	e.value = s
	return nil
}

// orList is "a, b or c".
func orList(v []string) string {
	if len(v) < 2 {
		return strings.Join(v, "")
	}
	return strings.Join(v[:len(v)-1], ", ") + " or " + v[len(v)-1]
}

// modeValues are the values of --color and --progress.
func modeValues() []string { return []string{"auto", "always", "never"} }

// registerCompletions adds shell completion of flag values to every
// command under root: flags with a fixed set of values complete to them,
// label flags to the taxonomy's label ids, and directory flags to
// directories. Other flags complete to file names, cobra's default.
func registerCompletions(root *cobra.Command) {
	fixed := map[string][]string{
		"fail-on":     {string(report.FailUndeclared), string(report.FailRating), string(report.FailAny), string(report.FailNone)},
		"sensitivity": {string(classify.Low), string(classify.Balanced), string(classify.High)},
		"progress":    modeValues(),
		"color":       modeValues(),
	}
	formats := map[string][]string{"check": {"text", "json", "line", "html"}} // --format of each command that has one
	var visit func(*cobra.Command)
	visit = func(cmd *cobra.Command) {
		for _, c := range cmd.Commands() {
			visit(c)
		}
		complete := func(name string, fn cobra.CompletionFunc) {
			if cmd.Flags().Lookup(name) != nil {
				// It fails only for a flag the command lacks or one
				// registered twice, neither of which can happen here.
				_ = cmd.RegisterFlagCompletionFunc(name, fn)
			}
		}
		for name, values := range fixed {
			complete(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
		}
		if f, ok := formats[cmd.Name()]; ok {
			complete("format", cobra.FixedCompletions(f, cobra.ShellCompDirectiveNoFileComp))
		}
		explain := completeLabels(false)
		complete("explain", func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			out, dir := explain(cmd, args, toComplete)
			if strings.HasPrefix(classify.RatingLabel, toComplete) {
				out = append([]cobra.Completion{cobra.CompletionWithDesc(classify.RatingLabel, "the predicted rating")}, out...)
			}
			return out, dir
		})
		complete("labels", completeLabels(true))
		complete("model", completeDirs)
		switch cmd.Name() {
		case "train", "calibrate":
			complete("output", completeDirs) // a model directory
		case "run":
			complete("output", cobra.FixedCompletions([]string{"parquet", "jsonl"}, cobra.ShellCompDirectiveFilterFileExt))
		}
	}
	visit(root)
}

func completeDirs(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// completeLabels completes to the taxonomy's label ids with their
// descriptions; list completes the last item of a comma-separated list.
func completeLabels(list bool) cobra.CompletionFunc {
	return func(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		prefix, dir := "", cobra.ShellCompDirectiveNoFileComp
		if list {
			if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
				prefix = toComplete[:i+1]
			}
			dir |= cobra.ShellCompDirectiveNoSpace // another label may follow a comma
		}
		var out []cobra.Completion
		for _, l := range taxonomy.Default().Labels() {
			if id := prefix + l.ID; strings.HasPrefix(id, toComplete) {
				out = append(out, cobra.CompletionWithDesc(id, l.Description))
			}
		}
		return out, dir
	}
}
