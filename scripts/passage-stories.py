#!/usr/bin/env python3
"""Synthetic stories from annotated passages, for measuring story-level decisions.

Usage:  scripts/passage-stories.py [PASSAGES] [OUT_DIR] [FOLDS]

Splits PASSAGES (default ../shared/datasets/passages-dev.jsonl) into FOLDS (default 5) folds grouped
by work, and writes for each fold k:
  OUT_DIR/train-k.jsonl    the passages of the other folds (to train a model on)
  OUT_DIR/stories-k.jsonl  stories built from fold k's passages only: for each passage annotated
                           positive, a story of ten passages (it, at a random place, among nine
                           passages annotated negative for their own warning) declaring that
                           warning; and as many clean stories of ten negative passages declaring
                           "No Archive Warnings Apply", rated General.
A negative passage says nothing of the other warnings (a "war" passage marked 0 may still show
violence), so clean stories are only roughly clean. scripts/passage-stories.sh runs the whole
measurement. Nothing written here may be committed: the passages are not ours to copy."""
import json, os, random, sys, hashlib

src = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), '..', '..', 'shared', 'datasets', 'passages-dev.jsonl')
out = sys.argv[2] if len(sys.argv) > 2 else '/tmp/passage-stories'
folds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
os.makedirs(out, exist_ok=True)
rows = [json.loads(l) for l in open(src) if l.strip()]
fold = lambda r: int(hashlib.sha256(('fold:' + str(r['work_id'])).encode()).hexdigest(), 16) % folds
names = {'war': 'collective violence', 'abduction': 'kidnapping', 'misogyny': 'sexism'}
rnd = random.Random(1)
for k in range(folds):
    test = [r for r in rows if fold(r) == k]
    with open(os.path.join(out, 'train-%d.jsonl' % k), 'w') as f:
        for r in rows:
            if fold(r) != k:
                f.write(json.dumps(r) + '\n')
    neg = [r for r in test if r['label'] == 0]
    pos = [r for r in test if r['label'] == 1]
    with open(os.path.join(out, 'stories-%d.jsonl' % k), 'w') as f:
        for i, p in enumerate(pos):
            others = rnd.sample([n for n in neg if n['work_id'] != p['work_id']], 9)
            others.insert(rnd.randrange(10), p)
            f.write(json.dumps({'id': 'pos-%d-%d' % (k, i), 'text': '\n\n'.join(o['text'] for o in others),
                                'rating': 'Teen And Up Audiences', 'warnings': [names.get(p['warning'], p['warning'])]}) + '\n')
        for i in range(len(pos)):
            f.write(json.dumps({'id': 'clean-%d-%d' % (k, i), 'text': '\n\n'.join(o['text'] for o in rnd.sample(neg, 10)),
                                'rating': 'General Audiences', 'warnings': ['No Archive Warnings Apply']}) + '\n')
print('%d folds -> %s' % (folds, out))
