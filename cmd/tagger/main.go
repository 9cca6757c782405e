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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
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
	root := newRootCmd(stdin, stdout, stderr)
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
