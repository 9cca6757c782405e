// Command tagger-beam runs the stages of `tagger run` on Apache Beam, for a
// corpus larger than one machine can label in time: the same reading,
// scoring and rows, written as shards PREFIX-SSSSS-of-NNNNN.parquet (or
// .jsonl). See README.md beside this file.
//
//	tagger-beam --input 'corpus/**/*.txt' --input more.jsonl --output out/labels --format parquet \
//	    [--model DIR] [--sensitivity low|balanced|high] [--shards N] [--runner prism|flink|spark|dataflow ...]
//
// The runner flags (--runner, --endpoint, --environment_type, …) are Beam's
// own. It lives in a module of its own so that Beam's dependencies stay out
// of tagger's build.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/tagger-dev/tagger/cmd/tagger-beam/beamrun"
)

// version is tagger's version, recorded in the outputs as tagger run
// records it (cmd/tagger's version; a test keeps them equal).
const version = "0.1.0-dev"

// inputs collects repeated --input flags.
type inputs []string

func (i *inputs) String() string { return strings.Join(*i, ",") }

func (i *inputs) Set(v string) error {
	*i = append(*i, v)
	return nil
}

func main() {
	var cfg beamrun.Config
	var in inputs
	flag.Var(&in, "input", "a file, directory or glob (** for any depth) to read; repeatable")
	flag.StringVar(&cfg.Output, "output", "", "prefix of the output shards: PREFIX-SSSSS-of-NNNNN.FORMAT")
	flag.StringVar(&cfg.Format, "format", "parquet", "output format: parquet or jsonl")
	flag.StringVar(&cfg.ModelDir, "model", "", "model directory (default: the embedded default model)")
	flag.StringVar(&cfg.Sensitivity, "sensitivity", "balanced", "low, balanced or high")
	flag.IntVar(&cfg.Shards, "shards", 1, "number of output files")
	allowErrors := flag.Bool("allow-errors", false, "exit 0 even when some stories failed (their rows hold the error), as tagger run --allow-errors")
	flag.Parse()
	// On a worker, Init runs the SDK harness and never returns.
	beam.Init()
	cfg.Inputs = append(in, flag.Args()...)
	cfg.Version = version
	cfg.Created = time.Now()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	p, err := beamrun.Build(cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tagger-beam:", err)
		os.Exit(2)
	}
	start := time.Now()
	res, err := beamx.RunWithMetrics(context.Background(), p)
	if err != nil {
		fmt.Fprintln(os.Stderr, "tagger-beam:", err)
		os.Exit(2)
	}
	rows, failed := beamrun.Counts(res)
	log.Info("done", "shards", cfg.Output+"-*-of-*."+cfg.Format, "rows", rows, "errors", failed, "elapsed", time.Since(start).Round(time.Millisecond))
	if failed > 0 && !*allowErrors {
		// As tagger run: a failed story is a row with its error, and the
		// exit code says so unless asked not to.
		fmt.Fprintf(os.Stderr, "tagger-beam: %d of %d stories failed (see the error column); --allow-errors exits 0 for them\n", failed, rows)
		os.Exit(2)
	}
}
