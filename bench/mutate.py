#!/usr/bin/env python3
"""Change 1% of a corpus for the benchmark's rescan, and undo it.

usage: mutate.py apply LIST REP [PERCENT]
       mutate.py restore LIST

LIST is the "SIZE PATH" list written by gencorpus.  `apply` appends one
line to the files whose position in LIST is congruent to REP modulo
100/PERCENT (default 1%: every 100th file, starting at REP), so that
successive repetitions change different files; every changed file gets a
new size and a new modification time (now).  It prints how many files it
changed.  `restore` truncates every file of LIST whose size differs from
the list back to its listed size and gives it the corpus's fixed
modification time again (so the corpus can be reused by the next run);
it prints how many files it restored.  Only the ctimes stay changed.
"""
import os
import sys

FIXED_MTIME = 1700000000  # gencorpus.c


def entries(path):
    with open(path, "rb") as f:
        for line in f:
            size, name = line.rstrip(b"\n").split(b" ", 1)
            yield int(size), name


def apply(lst, rep, percent):
    step = max(1, round(100 / percent))
    line = b"edited for the rescan benchmark, repetition %d\n" % rep
    changed = 0
    for i, (_, name) in enumerate(entries(lst)):
        if i % step == rep % step:
            with open(name, "ab") as f:
                f.write(line)
            changed += 1
    print(changed)


def restore(lst):
    restored = 0
    for size, name in entries(lst):
        if os.stat(name).st_size != size:
            os.truncate(name, size)
            os.utime(name, (FIXED_MTIME, FIXED_MTIME))
            restored += 1
    print(restored)


def main():
    a = sys.argv[1:]
    if len(a) in (3, 4) and a[0] == "apply":
        apply(a[1], int(a[2]), float(a[3]) if len(a) == 4 else 1.0)
    elif len(a) == 2 and a[0] == "restore":
        restore(a[1])
    else:
        sys.exit(__doc__.strip())


if __name__ == "__main__":
    main()
