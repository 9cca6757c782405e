package main

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/spf13/cobra"

	"github.com/tagger-dev/tagger/classify/tokenize"
	"github.com/tagger-dev/tagger/web"
)

func newServeCmd(a *app) *cobra.Command {
	var sf settingFlags
	var addr string
	var maxBody int64
	var maxConcurrent, maxQueued int
	var queueWait time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve checks over HTTP (POST /v1/check answers check --format json)",
		Long: `serve answers checks over HTTP, one story per request:

  POST /v1/check    the story as text/plain, as JSON {"text": ..., "title",
                    "rating", "warnings", "tags"}, or as a multipart upload
                    of a .txt, .html or .epub file; the answer is the JSON
                    report of check --format json, with "fails"
  GET  /v1/labels   the taxonomy     GET /v1/version  versions
  GET  /healthz     "ok"             GET /metrics     Prometheus metrics
  GET  /            the moderators' page: paste a story or choose a file,
                    see its report (check --format html) in the browser

A request may set sensitivity, fail-on and explain in its query
(?sensitivity=high&fail-on=undeclared&explain=violence) or as the JSON
fields sensitivity, fail_on and explain; the defaults are the settings of
the nearest .tagger.yaml from the working directory upward (or --config),
then these flags.

It listens on loopback (127.0.0.1:8080) unless --addr says otherwise, and
prints "listening on http://ADDR" on stderr (--addr 127.0.0.1:0 picks a
free port). To serve other machines, put it behind a reverse proxy that
terminates TLS (README: Serving checks over HTTP). Bodies over
--max-body-bytes are refused with 413. At most --max-concurrent checks run
at once; up to --max-queued more wait for a slot, for up to --queue-wait;
the others get 503 and Retry-After: 1. Each request is logged on stderr at info level
(serve's default; --log-level warn silences them).

SIGINT or SIGTERM stops it gracefully: no new connections, requests in
flight finish (for up to 10 s). Exit codes: 0 after a graceful stop, 2
when it cannot start, or, after a signal, 130/143 when requests in flight
had to be cut off.`,
		Args:              noArgs,
		ValidArgsFunction: cobra.NoFileCompletions,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := sf.resolve(cmd, nil)
			if err != nil {
				return err
			}
			noteConfig(a, set)
			tokenize.PrepareSegmenter()
			m, err := set.loadModel()
			if err != nil {
				return err
			}
			log := a.log
			if !cmd.Flags().Changed("log-level") {
				// Access logs are info lines; serve shows them by default.
				log = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
			}
			srv, err := web.New(web.Options{
				Model: m, Sensitivity: set.sensitivity(), FailOn: set.failOn(), Thresholds: set.thresholds(), Settings: set.describeServer(m),
				MaxBodyBytes: maxBody, MaxConcurrent: maxConcurrent, MaxQueued: maxQueued, QueueWait: queueWait,
				Logger: log, Version: version,
			})
			if err != nil {
				return &exitCodeError{code: exitError, msg: err.Error()}
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return &exitCodeError{code: exitError, msg: fmt.Sprintf("--addr: %v", err)}
			}
			fmt.Fprintf(a.stderr, "tagger: listening on http://%s (model %s)\n", ln.Addr(), m.NameVersion())
			if err := srv.Serve(cmd.Context(), ln); err != nil {
				return &exitCodeError{code: exitError, msg: err.Error()}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "listen on `HOST:PORT` (port 0: any free port); keep loopback behind a reverse proxy")
	f.Int64Var(&maxBody, "max-body-bytes", web.DefaultMaxBodyBytes, "largest request body; larger ones are refused with 413")
	f.IntVar(&maxConcurrent, "max-concurrent", 0, "checks run at once (0: twice the CPUs)")
	f.IntVar(&maxQueued, "max-queued", 0, "checks waiting for a slot, others refused with 503 (0: 16 × --max-concurrent; -1: none)")
	f.DurationVar(&queueWait, "queue-wait", web.DefaultQueueWait, "longest wait for a slot before 503")
	sf.add(cmd, withFailOn)
	// The shared flags' help speaks of inputs and exit codes; serve has
	// neither.
	f.Lookup("config").Usage = "configuration `FILE` (default: the nearest .tagger.yaml from the working directory upward, else " + displayUserFile() + ")"
	f.Lookup("fail-on").Usage = `default of what makes a story fail ("fails": true): undeclared, rating, any, none`
	return cmd
}
