package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/classify"
	"github.com/tagger-dev/tagger/models"
)

// version is the tagger release; the model carries its own version.
const version = "0.1.0-dev"

// app is what every subcommand shares: its streams and logger. Each call of
// newRootCmd builds a fresh one, so no flag or state outlives a run.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	signals        <-chan os.Signal // SIGINT/SIGTERM; nil in tests
	logLevel       string
	log            *slog.Logger
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer, sigs <-chan os.Signal) *cobra.Command {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, signals: sigs}
	root := &cobra.Command{
		Use:   "tagger",
		Short: "Find what fan-fiction stories contain but do not declare",
		Long: `tagger reads fan-fiction stories, extracts what their authors declared
(rating, warnings, tags), and reports what the text contains that the
header does not declare.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var lvl slog.Level
			if err := lvl.UnmarshalText([]byte(a.logLevel)); err != nil {
				return fmt.Errorf("--log-level %q: use debug, info, warn or error", a.logLevel)
			}
			a.log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: lvl}))
			if cmd.Name() != "run" && a.signals != nil {
				// Other commands stop at the first signal.
				ctx, cancel := context.WithCancel(cmd.Context())
				go func() {
					select {
					case <-a.signals:
						cancel()
					case <-ctx.Done():
					}
				}()
				cmd.SetContext(ctx)
			}
			return nil
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&a.logLevel, "log-level", "warn", "log level on stderr: debug, info, warn, error")
	// --version prints what `tagger version` does: cobra's version flag
	// with our template, the text filled in only when asked (versionFlag).
	root.Version = version
	root.SetVersionTemplate("{{.Version}}")
	root.Flags().Var(&versionFlag{root: root}, "version", "print tagger's version and the default model's name@version")
	root.Flags().Lookup("version").NoOptDefVal = "true"
	// cmd is the command whose flags failed to parse: point at its help.
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageError(cmd, err.Error())
	})
	root.AddCommand(
		newVersionCmd(a),
		newLabelsCmd(a),
		newMetaCmd(a),
		newTrainCmd(a),
		newEvalCmd(a),
		newCalibrateCmd(a),
		newRunCmd(a),
		newReportCmd(a),
		newCheckCmd(a),
		newServeCmd(a),
		newConfigCmd(a),
	)
	registerCompletions(root)
	// Cobra's completion command prints its help and exits 0 for a shell
	// it has no script for ("tagger completion tcsh"): say so, exit 2.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = cobra.ArbitraryArgs
			c.RunE = func(cmd *cobra.Command, args []string) error {
				if len(args) == 0 {
					return cmd.Help()
				}
				return usageError(cmd, fmt.Sprintf("no completion script for the shell %q: tagger writes them for bash, fish, powershell and zsh", args[0]))
			}
		}
	}
	return root
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print tagger's version and the default model's name@version",
		Args:  noArgs,
		// Nothing to complete: no file names either.
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprint(a.stdout, versionText())
			return err
		},
	}
}

// loadModel loads the model in dir, or the embedded default model when dir
// is empty.
func loadModel(dir string) (*classify.Model, error) {
	if dir == "" {
		return models.Default()
	}
	// Say what a model directory is before failing on one of its files.
	const what = "give a directory that tagger train -o wrote, or none for the embedded model"
	if st, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, &exitCodeError{code: exitError, msg: fmt.Sprintf("model %s: no such directory; %s", dir, what)}
		}
		return nil, fmt.Errorf("model %s: %w", dir, err)
	} else if !st.IsDir() {
		return nil, &exitCodeError{code: exitError, msg: fmt.Sprintf("model %s: not a directory; %s", dir, what)}
	}
	if _, err := os.Stat(filepath.Join(dir, classify.ManifestFile)); errors.Is(err, fs.ErrNotExist) {
		return nil, &exitCodeError{code: exitError, msg: fmt.Sprintf("model %s: not a model directory (it has no %s); %s", dir, classify.ManifestFile, what)}
	}
	return classify.LoadDir(dir)
}
