#!/usr/bin/env python3
"""abn.py: compare commands on a busy machine by running them in rounds.

Each round runs every command once, one after the other, so that load from
other users of the machine falls on all of them alike (the order rotates
from round to round, so that no command always runs first or last); the medians over the
rounds, and the median of each round's ratio to the first command, are the
figures to quote. One round of hyperfine per command is not enough on a
shared machine: rounds minutes apart differ by more than the effect.

    scripts/abn.py ROUNDS NAME=COMMAND...

    R="tagger run /tmp/ao3-works/text -o /tmp/abn/w.parquet --progress never"
    scripts/abn.py 20 "default=$R" "m13=$R --model /tmp/m13"

Every command runs through the shell with its output discarded. Before each
run, files named by --clean (repeatable; default /tmp/abn/w.parquet) are
removed, so that a run that refuses to overwrite its output can be repeated.
Time is wall time and CPU time (user + system) of the command's processes.
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("rounds", type=int)
    ap.add_argument("commands", nargs="+", metavar="NAME=COMMAND")
    ap.add_argument("--clean", action="append", default=None,
                    help="file removed before every run (repeatable)")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("give at least one round")
    clean = args.clean or ["/tmp/abn/w.parquet"]
    for path in clean:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    cmds = []
    for c in args.commands:
        name, sep, cmd = c.partition("=")
        if not sep or not name or not cmd:
            ap.error(f"{c!r}: give NAME=COMMAND")
        if any(name == n for n, _ in cmds):
            ap.error(f"{name!r} names two commands")
        cmds.append((name, cmd))
    wall = {n: [] for n, _ in cmds}
    cpu = {n: [] for n, _ in cmds}
    for r in range(args.rounds):
        k = r % len(cmds)
        for name, cmd in cmds[k:] + cmds[:k]:
            for path in clean:
                if os.path.exists(path):
                    os.remove(path)
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            done = subprocess.run(cmd, shell=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t1 = time.perf_counter()
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            if done.returncode != 0:
                print(f"{name}: exit {done.returncode} in round {r + 1}: {cmd}", file=sys.stderr)
                return 1
            wall[name].append(t1 - t0)
            cpu[name].append(r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime)
    base = cmds[0][0]
    bw, bc = statistics.median(wall[base]), statistics.median(cpu[base])
    print(f"{args.rounds} rounds; ratios to {base}")
    for name, _ in cmds:
        w, c = wall[name], cpu[name]
        per_round = statistics.median(w[i] / wall[base][i] for i in range(args.rounds))
        print(f"{name:<12} wall median {statistics.median(w):.3f} s (min {min(w):.3f})  "
              f"cpu median {statistics.median(c):.3f} s  "
              f"ratio: wall {statistics.median(w) / bw:.3f}, cpu {statistics.median(c) / bc:.3f}, "
              f"per round {per_round:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
