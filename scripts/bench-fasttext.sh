#!/usr/bin/env bash
# bench-fasttext.sh — a yardstick: `tagger run` against fastText predict
# (a supervised unigram model, one thread) on the same text.
#
# Prerequisite: fastText source, e.g. a checkout of
# github.com/facebookresearch/fastText. It is built here with `make` if
# FT_SRC/fasttext is missing.
#
#   scripts/bench-fasttext.sh FT_SRC        # or FT_SRC=... scripts/bench-fasttext.sh
#
# Env: RUNS (5), REPEATS (2), WORK (/tmp/ft), BENCH (/tmp/bench200),
#      AO3 (/tmp/ao3-works/text), PASSAGES (../shared/datasets/passages-dev.jsonl).
# Needs go, g++/make, hyperfine, GNU time (/usr/bin/time), python3.
# Writes only under WORK, BENCH and /tmp/tagger-bench.
set -euo pipefail
cd "$(dirname "$0")/.."
FT_SRC=${1:-${FT_SRC:?usage: $0 FASTTEXT_SRC_DIR (or set FT_SRC)}}
RUNS=${RUNS:-5} REPEATS=${REPEATS:-2} WORK=${WORK:-/tmp/ft}
BENCH=${BENCH:-/tmp/bench200} AO3=${AO3:-/tmp/ao3-works/text}
PASSAGES=${PASSAGES:-$(realpath ../shared/datasets/passages-dev.jsonl)}
FT=$FT_SRC/fasttext TAGGER=/tmp/tagger-bench
mkdir -p "$WORK"

[[ -x $FT ]] || make -C "$FT_SRC" -j"$(nproc)" >"$WORK/make.log"
CGO_ENABLED=0 go build -o "$TAGGER" ./cmd/tagger  # as README installs it

# Model: one label per passage (its warning when positive, else "none").
# Predict cost depends on dim and the number of input words, hardly on the
# label count, so a 9-label model stands for any small tagger-like model.
if [[ ! -f $WORK/model.bin ]]; then
  python3 - "$PASSAGES" >"$WORK/train.txt" <<'EOF'
import json, sys
for line in open(sys.argv[1]):
    d = json.loads(line)
    print("__label__%s %s" % (d["warning"] if d["label"] else "none", " ".join(d["text"].split())))
EOF
  "$FT" supervised -input "$WORK/train.txt" -output "$WORK/model" \
    -dim 50 -epoch 5 -wordNgrams 1 -thread 1 >/dev/null 2>&1
fi

# The 200 MB benchmark corpus, seeded so every run sees the same stories.
[[ -d $BENCH ]] || go run ./cmd/benchcorpus -o "$BENCH" -mb 200 -seed 1 -passages "$PASSAGES"

# fastText predicts one document per line: flatten each story (whitespace runs
# → one space) ahead of time, in sorted path order, so the conversion is not timed.
oneline() {
  python3 - "$1" "$2" <<'EOF'
import os, sys
with open(sys.argv[2], "wb") as out:
    for root, _, files in sorted(os.walk(sys.argv[1])):
        for f in sorted(files):
            out.write(b" ".join(open(os.path.join(root, f), "rb").read().split()) + b"\n")
EOF
}
[[ -f $WORK/bench200.txt ]] || oneline "$BENCH" "$WORK/bench200.txt"
[[ -f $WORK/ao3.txt ]] || oneline "$AO3" "$WORK/ao3.txt"

# One hyperfine invocation per corpus runs both tools interleaved in time, so
# load from other users of the (shared) machine hits both alike; then one
# /usr/bin/time -v run each for CPU seconds and peak RSS.
measure() { # name input-dir oneline-file repeat
  local tag="$1-r$4" out="$WORK/out.parquet"
  hyperfine -w 1 -r "$RUNS" --prepare "rm -f $out" --export-json "$WORK/$tag.json" \
    -n tagger "$TAGGER run $2 -o $out --progress never" \
    -n fasttext "$FT predict $WORK/model.bin $3 > /dev/null" >"$WORK/$tag.hyperfine.txt" 2>&1
  rm -f "$out"
  /usr/bin/time -v -o "$WORK/$tag.tagger.time" "$TAGGER" run "$2" -o "$out" --progress never 2>"$WORK/$tag.tagger.log"
  /usr/bin/time -v -o "$WORK/$tag.fasttext.time" "$FT" predict "$WORK/model.bin" "$3" >/dev/null
  rm -f "$out"
  echo "$tag $(du -sb "$2" | cut -f1) $(cut -d' ' -f1-3 /proc/loadavg)" >>"$WORK/rows"
}
rm -f "$WORK/rows"
for r in $(seq "$REPEATS"); do
  measure bench200 "$BENCH" "$WORK/bench200.txt" "$r"
  measure ao3 "$AO3" "$WORK/ao3.txt" "$r"
done

# MB is the corpus's size on disk (10⁶ bytes) for both tools: the same text,
# though the flattened fastText input is 0.3–1 % smaller (collapsed whitespace).
python3 - "$WORK" <<'EOF'
import json, re, sys
w = sys.argv[1]
def tv(path):
    t = open(path).read()
    g = lambda k: float(re.search(re.escape(k) + r": (\S+)", t).group(1))
    return g("User time (seconds)") + g("System time (seconds)"), g("Maximum resident set size (kbytes)") / 1024
print("%-12s %6s %15s %15s %7s %7s %8s %8s %7s %7s %s" % ("corpus", "MB", "tagger s", "fastText s",
      "×mean", "×min", "tg MB/cs", "ft MB/cs", "tg RSS", "ft RSS", "load(end)"))
for line in open(w + "/rows"):
    tag, size, *load = line.split()
    mb = int(size) / 1e6
    res = {r["command"]: r for r in json.load(open("%s/%s.json" % (w, tag)))["results"]}
    tg, ft = res["tagger"], res["fasttext"]
    (tcpu, trss), (fcpu, frss) = tv("%s/%s.tagger.time" % (w, tag)), tv("%s/%s.fasttext.time" % (w, tag))
    print("%-12s %6.1f %7.2f ± %5.2f %7.2f ± %5.2f %6.2f× %6.2f× %8.1f %8.1f %5.0fMB %5.0fMB %s" % (
        tag, mb, tg["mean"], tg["stddev"], ft["mean"], ft["stddev"], ft["mean"] / tg["mean"],
        ft["min"] / tg["min"], mb / tcpu, mb / fcpu, trss, frss, " ".join(load)))
print("×: tagger's speed as a multiple of fastText's (fastText wall time / tagger wall time).")
print("MB/cs: MB per CPU second (user+sys, one /usr/bin/time run). RSS: peak resident set.")
EOF
