#!/usr/bin/env bash
# Rebuilds models/default: naive Bayes and window thresholds from the
# annotated passages (grouped CV), then the story thresholds calibrated on
# the ao3-works development half (built by scripts/ao3-dev-corpus.py; only
# one threshold per label and sensitivity is taken from it, no weights).
#
# Usage: scripts/build-default-model.sh [VERSION]
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:-0.2.0}
passages=../shared/datasets/passages-dev.jsonl
corpus=${AO3_DEV:-/tmp/ao3-works/dev.jsonl}
[ -f "$corpus" ] || python3 scripts/ao3-dev-corpus.py
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go run ./cmd/tagger train --data "$passages" --cv 5 --balanced --name default --version "$version" -o "$tmp/passages"
go run ./cmd/tagger calibrate --model "$tmp/passages" --source "ao3-works development half (scripts/ao3-dev-corpus.py)" -o models/default --force "$corpus"
go run ./cmd/tagger eval --stories "$corpus"
