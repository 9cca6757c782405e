#!/usr/bin/env bash
# Story-level recall of one annotated passage among ten, out of fold: for
# each of 5 folds grouped by work, a model is trained on the other folds'
# passages, its story thresholds calibrated on the ao3-works development
# half as the default model's are, and it is evaluated on stories built
# from the held-out fold's passages (scripts/passage-stories.py).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-/tmp/passage-stories}
corpus=${AO3_DEV:-/tmp/ao3-works/dev.jsonl}
python3 scripts/passage-stories.py ../shared/datasets/passages-dev.jsonl "$out" 5
go build -o "$out/tagger" ./cmd/tagger
labels=violence,collective-violence,death,kidnapping,sexism,homophobia,racism,ableism
for k in 0 1 2 3 4; do
  "$out/tagger" train --data "$out/train-$k.jsonl" -o "$out/m$k" 2>/dev/null
  "$out/tagger" calibrate --model "$out/m$k" -o "$out/c$k" "$corpus" 2>/dev/null
  "$out/tagger" eval --stories --json --labels "$labels" --model "$out/c$k" "$out/stories-$k.jsonl" > "$out/eval-$k.json"
done
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
evs = [json.load(open('%s/eval-%d.json' % (out, k))) for k in range(5)]
labels = [l['label'] for l in evs[0]['labels']]
print('%-20s %9s %7s %7s' % ('label', 'stories', 'AUC', 'recall'))
ma = mr = 0
for i, l in enumerate(labels):
    n = sum(e['labels'][i]['positive'] for e in evs)
    auc = sum(e['labels'][i]['auc'] * e['labels'][i]['positive'] for e in evs) / n
    rec = sum(e['labels'][i]['recall'] * e['labels'][i]['positive'] for e in evs) / n
    ma += auc / len(labels); mr += rec / len(labels)
    print('%-20s %9d %7.3f %7.3f' % (l, n, auc, rec))
clean = sum(e['clean_works'] for e in evs)
flag = sum(e['clean_flagged'] * e['clean_works'] for e in evs) / clean
print('mean: AUC %.3f, recall %.3f; clean stories flagged %.1f%% of %d' % (ma, mr, 100 * flag, clean))
PY
