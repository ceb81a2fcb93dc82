#!/usr/bin/env python3
"""Write a deterministic tree of small text files for benchmarks.

usage: gen-small-files.py DIR [--files N] [--dirs D] [--seed S]

Files are 1-8 KiB of words drawn from a fixed vocabulary (mostly ASCII,
some multi-byte UTF-8), spread over D directories two levels deep.  The same
arguments always give the same bytes, so runs on different days compare.
"""
import argparse
import os
import random

VOCAB = ("the of and to in is that for it as was with be by on not he this "
         "are or his from at which but have an they you were her she there "
         "naïve café über straße приказ словарь 日本語 文字 données résumé "
         "λόγος déjà-vu 2026 lorem ipsum dolor sit amet consectetur").split()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--files", type=int, default=100000)
    ap.add_argument("--dirs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    fanout = max(1, int(a.dirs ** 0.5))
    dirs = []
    for i in range(a.dirs):
        d = os.path.join(a.dir, "d%02d" % (i // fanout), "s%03d" % i)
        os.makedirs(d, exist_ok=True)
        dirs.append(d)
    for n in range(a.files):
        size = rnd.randint(1024, 8192)
        parts, total = [], 0
        while total < size:
            w = rnd.choice(VOCAB)
            sep = "\n" if rnd.random() < 0.08 else " "
            parts.append(w + sep)
            total += len(w.encode()) + 1
        data = "".join(parts).encode()[:size]
        with open(os.path.join(dirs[n % len(dirs)], "f%07d.txt" % n), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
