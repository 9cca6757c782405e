// Command tagger-beam runs the stages of `tagger run` on Apache Beam, for a
// corpus larger than one machine can label in time: the same reading,
// scoring and rows, written as shards PREFIX-SSSSS-of-NNNNN.parquet (or
// .jsonl). See README.md beside this file.
//
//	tagger-beam --input 'corpus/**/*.txt' --input more.jsonl --output out/labels --format parquet \
//	    [--config .tagger.yaml] [--lexicon FILE ...] [--include GLOB ...] [--exclude GLOB ...] \
//	    [--model DIR] [--sensitivity low|balanced|high] [--shards N] [--runner prism|flink|spark|dataflow ...]
//
// The settings are tagger run's: flags over the configuration file named
// by --config (none is searched for), lists (overlays, globs) the file's
// first, then the flags'.
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
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	"github.com/apache/beam/sdks/v2/go/pkg/beam/x/beamx"

	"github.com/tagger-dev/tagger/cmd/tagger-beam/beamrun"
	"github.com/tagger-dev/tagger/config"
)

// version is tagger's version, recorded in the outputs as tagger run
// records it (cmd/tagger's version; a test keeps them equal).
const version = "0.1.0-dev"

// list collects a repeated flag (--input, --lexicon, --include, --exclude).
type list []string

func (l *list) String() string { return strings.Join(*l, ",") }

func (l *list) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// settingFlags are the flags a configuration file can also set, as tagger
// run takes them.
type settingFlags struct {
	config                    string
	lexicon, include, exclude list
	// set are the flags given on the command line (flag.Visit).
	set map[string]bool
}

// apply sets cfg's settings as tagger run resolves them: a flag given
// overrides the configuration file (--config; no file is searched for,
// since workers run elsewhere), which overrides the defaults; overlays and
// globs add up, the file's first. The overlays are read here: their
// contents travel to the workers.
func (sf *settingFlags) apply(cfg *beamrun.Config) error {
	file := &config.File{}
	if sf.config != "" {
		var err error
		if file, err = config.Load(sf.config); err != nil {
			return err
		}
	}
	if !sf.set["sensitivity"] && file.Sensitivity != "" {
		cfg.Sensitivity = file.Sensitivity
	}
	if !sf.set["model"] && file.Model != "" {
		cfg.ModelDir = file.Model
	}
	for i, path := range append(slices.Clip(file.Lexicon), sf.lexicon...) {
		from := "--lexicon"
		if i < len(file.Lexicon) {
			from = sf.config
		}
		overlay, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("lexicon overlay (from %s): %w", from, err)
		}
		cfg.Lexicon = append(cfg.Lexicon, overlay)
	}
	if len(file.Thresholds) > 0 {
		cfg.Thresholds = maps.Clone(file.Thresholds)
	}
	cfg.Include = append(slices.Clip(file.Include), sf.include...)
	cfg.Exclude = append(slices.Clip(file.Exclude), sf.exclude...)
	return nil
}

func main() {
	var cfg beamrun.Config
	var in list
	var sf settingFlags
	flag.Var(&in, "input", "a file, directory or glob (** for any depth) to read; repeatable")
	flag.StringVar(&cfg.Output, "output", "", "prefix of the output shards: PREFIX-SSSSS-of-NNNNN.FORMAT")
	flag.StringVar(&cfg.Format, "format", "parquet", "output format: parquet or jsonl")
	flag.StringVar(&cfg.ModelDir, "model", "", "model directory (default: the embedded default model)")
	flag.StringVar(&cfg.Sensitivity, "sensitivity", "balanced", "low, balanced or high")
	flag.IntVar(&cfg.Shards, "shards", 1, "number of output files")
	flag.StringVar(&sf.config, "config", "", "configuration `FILE` (a .tagger.yaml: sensitivity, model, lexicon, thresholds, include, exclude; flags override it; none is searched for)")
	flag.Var(&sf.lexicon, "lexicon", "lexicon overlay YAML `FILE`, repeatable, applied in order after the configuration file's")
	flag.Var(&sf.include, "include", "read only files matching `GLOB` under directories, whatever their extension (repeatable)")
	flag.Var(&sf.exclude, "exclude", "leave out files matching `GLOB` under directories (repeatable)")
	allowErrors := flag.Bool("allow-errors", false, "exit 0 even when some stories failed (their rows hold the error), as tagger run --allow-errors")
	flag.Parse()
	// On a worker, Init runs the SDK harness and never returns.
	beam.Init()
	cfg.Inputs = append(in, flag.Args()...)
	cfg.Version = version
	cfg.Created = time.Now()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	sf.set = map[string]bool{}
	flag.Visit(func(f *flag.Flag) { sf.set[f.Name] = true })
	if err := sf.apply(&cfg); err != nil {
		fmt.Fprintln(os.Stderr, "tagger-beam:", err)
		os.Exit(2)
	}
	if sf.config != "" {
		log.Info("settings from " + sf.config)
	}
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
	switch n := beamrun.Counter(res, "skipped"); {
	case n == 1:
		fmt.Fprintln(os.Stderr, "tagger-beam: skipped 1 file under a directory that is not in a story format (--include GLOB reads it)")
	case n > 1:
		fmt.Fprintf(os.Stderr, "tagger-beam: skipped %d files under directories that are not in a story format (--include GLOB reads them)\n", n)
	}
	if failed > 0 && !*allowErrors {
		// As tagger run: a failed story is a row with its error, and the
		// exit code says so unless asked not to.
		fmt.Fprintf(os.Stderr, "tagger-beam: %d of %d stories failed (see the error column); --allow-errors exits 0 for them\n", failed, rows)
		os.Exit(2)
	}
}
