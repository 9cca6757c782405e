// Command tagger finds what fan-fiction stories contain but do not declare:
// it reads stories, extracts what their authors declared (rating, warnings,
// tags) and reports the content warnings and rating the text calls for.
//
// Usage:
//
//	tagger COMMAND [flags] [args]
//
// Commands:
//
//	version     print tagger's version
//	labels      print the taxonomy: 36 labels in 7 groups
//	meta        print each story's declared metadata, one JSON object per line
//	train       train a model from annotated passages and a corpus's declarations
//	eval        evaluate a model: per-label precision, recall, F1 and macro-F1
//	calibrate   set a model's story thresholds on works declared clean
//	run         label a corpus: one row per story to Parquet or JSONL
//	report      write a summary page (HTML) of a run's output
//	check       report what stories contain but do not declare (the moderation aid)
//	serve       serve checks over HTTP: POST /v1/check answers check --format json
//	config      print the effective settings (.tagger.yaml files and flags) and where each came from
//	completion  print a shell completion script
//
// "tagger help COMMAND" or "tagger COMMAND --help" gives a command's flags.
//
// Exit codes: 0 success (run: every story read and scored; check: clean;
// serve: stopped gracefully by SIGINT or SIGTERM),
// 1 findings (check only, of the kind --fail-on names), 2 usage or runtime
// error, or (run) any story that failed unless --allow-errors, 130 after
// SIGINT and 143 after SIGTERM (run: the output is valid and --resume
// completes it).
//
// README.md at the repository root walks through checking a story, training
// on an archive and batch runs, and documents the output schema.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"

	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/models"
)

// processGC is set by main: the commands run in the tagger process, which
// may tune the garbage collector for itself (see checkGC), and not in a
// test that calls run.
var processGC bool

func main() {
	processGC = true
	prepareFor(os.Args[1:])
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	code := runWithSignals(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, sigs)
	os.Exit(code)
}

// prepareFor starts building, on other cores, what the command in args
// will need first and that no setting changes, before the command tree is
// even made: for check, the embedded model (unless --model names another)
// and the sentence segmenter. newCheckCmd asks for both again, which waits
// for what is left; a configuration file naming another model makes the
// model's load wasted work, as there.
func prepareFor(args []string) {
	if len(args) == 0 || args[0] != "check" {
		return
	}
	tokenize.PrepareSegmenter()
	for _, a := range args[1:] {
		if a == "--model" || strings.HasPrefix(a, "--model=") {
			return
		}
	}
	models.PrepareDefault()
}

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1 // check's findings; run never uses it
	exitError    = 2
	// exitSigInt and exitSigTerm are 128+SIGINT and 128+SIGTERM,
	// as a shell reports a process killed by the signal: run stopped
	// cleanly on the signal, its output valid and resumable.
	exitSigInt  = 130
	exitSigTerm = 143
)

// signalExitCode is the exit code of a run stopped by sig.
func signalExitCode(sig os.Signal) int {
	if sig == syscall.SIGTERM {
		return exitSigTerm
	}
	return exitSigInt
}

// exitCodeError carries an exit code out of a command whose failure has
// already been reported (per-story errors printed as they happened).
type exitCodeError struct {
	code int
	msg  string
}

func (e *exitCodeError) Error() string { return e.msg }

// run executes the command line args and returns the process exit code. It
// holds no global state, so tests call it directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	return runWithSignals(ctx, args, stdin, stdout, stderr, nil)
}

// runWithSignals is run with the process's SIGINT/SIGTERM: commands stop
// on the first (tagger run finishes the stories it has read; a second
// signal abandons it).
func runWithSignals(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	// The first signal is remembered so that any command it stopped exits
	// 130 or 143, as run does; every signal is passed on.
	var first atomic.Value
	var fwd chan os.Signal
	if sigs != nil {
		fwd = make(chan os.Signal, 2)
		go func() {
			for s := range sigs {
				first.CompareAndSwap(nil, s)
				fwd <- s
			}
		}()
	}
	code := execute(ctx, args, stdin, stdout, stderr, fwd)
	if s, ok := first.Load().(os.Signal); ok && code != exitOK {
		return signalExitCode(s)
	}
	return code
}

// execute runs the command line and returns its exit code.
func execute(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, sigs <-chan os.Signal) int {
	root := newRootCmd(stdin, stdout, stderr, sigs)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	var ec *exitCodeError
	if errors.As(err, &ec) {
		if ec.msg != "" {
			fmt.Fprintf(stderr, "tagger: %s\n", ec.msg)
		}
		return ec.code
	}
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown command") {
		// Cobra's own error, with its suggestions: point at the list too.
		msg = strings.TrimRight(msg, "\n") + "\n(see 'tagger --help' for the commands)"
	}
	fmt.Fprintf(stderr, "tagger: %s\n", msg)
	return exitError
}
