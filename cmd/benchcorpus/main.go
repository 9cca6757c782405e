// Command benchcorpus writes a benchmark corpus for tagger into a directory:
// stories of 1,000–100,000 words with varied headers, made from the seed
// stories and, with -passages, the annotated passages. Keep it out of the
// repository (use a temporary directory).
//
//	go run ./cmd/benchcorpus -o /tmp/corpus -mb 200 [-huge-mb 1024] [-passages ../shared/datasets/passages-dev.jsonl]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/tagger-dev/tagger/pipeline/benchcorpus"
)

func main() {
	out := flag.String("o", "", "output directory (required)")
	mb := flag.Int64("mb", 200, "corpus size in MB (10⁶ bytes)")
	huge := flag.Int64("huge-mb", 0, "also write one story of this many MB")
	seeds := flag.String("seeds", "seeds", "directory of seed stories")
	passages := flag.String("passages", "", "passages-dev.jsonl to draw paragraphs from (optional)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "benchcorpus: -o DIR is required")
		os.Exit(2)
	}
	paras, err := benchcorpus.Sources(*seeds, *passages)
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcorpus:", err)
		os.Exit(2)
	}
	n, b, err := benchcorpus.Write(*out, paras, benchcorpus.Options{Bytes: *mb * 1e6, Seed: *seed, HugeBytes: *huge * 1e6})
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchcorpus:", err)
		os.Exit(2)
	}
	fmt.Printf("wrote %d files, %.1f MB to %s\n", n, float64(b)/1e6, *out)
}
