// Command tagger finds what fan-fiction stories contain but do not declare.
//
// Usage:
//
//	tagger meta FILE...       declared metadata, one JSON object per story
//	tagger labels             the taxonomy
//	tagger version
//
// Exit codes follow linters: 0 clean, 1 findings, 2 usage or runtime error.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	code := runWithSignals(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, sigs)
	os.Exit(code)
}

// Exit codes.
const (
	exitOK       = 0
	exitFindings = 1
	exitError    = 2
)

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
	fmt.Fprintf(stderr, "tagger: %v\n", err)
	return exitError
}
