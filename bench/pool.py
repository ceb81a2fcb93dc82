#!/usr/bin/env python3
"""The baseline wcindex descends from: a multiprocessing pool of word counts.

usage: pool.py [--procs N] PATH...

Walks every PATH (os.walk; a file is taken as is), then counts the words of
every file with the original program, kept as it was apart from the number
of processes (N, default: the CPUs this process may run on) and the
decoding (UTF-8 with errors='surrogateescape', without which the original
dies on the first non-UTF-8 byte).  Prints the total number of words.
"""
import os
import sys
from multiprocessing import Pool


def word_count(f):
    return len(open(f, encoding="utf-8", errors="surrogateescape").read().split())


def parallel_word_count(files, procs):
    with Pool(processes=procs) as pool:
        return sum(pool.map(word_count, files))


def main():
    args = sys.argv[1:]
    procs = len(os.sched_getaffinity(0))
    if len(args) >= 2 and args[0] == "--procs":
        procs = int(args[1])
        args = args[2:]
    if not args:
        sys.exit(__doc__.strip())
    files = []
    for top in args:
        if not os.path.isdir(top):
            files.append(top)
            continue
        for d, _, names in os.walk(top):
            files.extend(os.path.join(d, n) for n in names)
    print(parallel_word_count(files, procs))


if __name__ == "__main__":
    main()
