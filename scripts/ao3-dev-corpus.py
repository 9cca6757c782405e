#!/usr/bin/env python3
"""Builds tagger's story-level yardstick from the ao3-works development half.

Usage:  scripts/ao3-dev-corpus.py [GIT_DIR] [OUT]
  GIT_DIR  the bare mirror of github:VrbeckaD/HarryPotterFanfiction (the search tool's fetch
           prints its path; default /work/.mirror/VrbeckaD+HarryPotterFanfiction/repo)
  OUT      default /tmp/ao3-works; gets what ../shared/datasets/ao3-works/prepare.py writes there,
           plus dev.jsonl: one {"id","text","title","rating","warnings","tags","fandoms",
           "relationships","characters","summary","language"} object per work, the form
           tagger's JSONL reader takes (tags are the author's freeform tags).

Then:    tagger eval --stories /tmp/ao3-works/dev.jsonl

The works belong to their authors: this script reads ../shared and the mirror and writes only
to OUT, outside the repository. Never commit what it writes."""
import json, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
shared = os.path.join(here, '..', '..', 'shared', 'datasets', 'ao3-works', 'prepare.py')
repo = sys.argv[1] if len(sys.argv) > 1 else '/work/.mirror/VrbeckaD+HarryPotterFanfiction/repo'
out = sys.argv[2] if len(sys.argv) > 2 else '/tmp/ao3-works'
if not os.path.exists(shared):
    sys.exit('no %s: the shared folder must sit beside the checkout' % shared)
if not os.path.isdir(repo):
    sys.exit('no mirror at %s: fetch github:VrbeckaD/HarryPotterFanfiction first' % repo)
if not os.path.exists(os.path.join(out, 'works.jsonl')):
    subprocess.run([sys.executable, shared, repo, out], check=True)
n = 0
with open(os.path.join(out, 'works.jsonl')) as works, open(os.path.join(out, 'dev.jsonl'), 'w') as dev:
    for line in works:
        w = json.loads(line)
        text = open(os.path.join(out, 'text', w['id'] + '.txt')).read()
        dev.write(json.dumps({
            'id': w['id'], 'text': text, 'title': w['title'],
            'rating': (w['rating'] or [None])[0], 'warnings': w['archive_warnings'], 'tags': w['freeform'],
            'fandoms': w['fandoms'], 'relationships': w['relationships'], 'characters': w['characters'],
            'summary': w['summary'], 'language': 'English'}, ensure_ascii=False) + '\n')
        n += 1
print('%d works -> %s' % (n, os.path.join(out, 'dev.jsonl')))
