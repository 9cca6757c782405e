#!/usr/bin/env bash
# pgo-profile.sh — rewrites cmd/tagger/default.pgo, the CPU profile that
# `go build` uses for profile-guided optimisation of the tagger binary
# (https://go.dev/doc/pgo). It profiles the workloads the binary is for:
# whole batch runs over long and short stories (pipeline BenchmarkRun),
# the single-story path of `tagger check` (classify BenchmarkPredict100k)
# and model loading. The profile holds function names and sample counts,
# no text. Run it after large changes to the hot code, then measure:
#
#   scripts/pgo-profile.sh && go build -o /tmp/tagger ./cmd/tagger
#
# Env: BENCHTIME (10x). Writes only cmd/tagger/default.pgo and a temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bt=${BENCHTIME:-10x}
go test ./pipeline -run '^$' -bench '^BenchmarkRun$' -benchtime "$bt" -cpuprofile "$tmp/run.prof" -o "$tmp/pipeline.test" >/dev/null
go test ./classify -run '^$' -bench '^Benchmark(Predict100k|LoadModel)$' -benchtime "$bt" -cpuprofile "$tmp/check.prof" -o "$tmp/classify.test" >/dev/null
go tool pprof -proto "$tmp/run.prof" "$tmp/check.prof" >cmd/tagger/default.pgo 2>/dev/null
echo "wrote cmd/tagger/default.pgo ($(wc -c <cmd/tagger/default.pgo) bytes)"
