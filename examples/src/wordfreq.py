#!/usr/bin/env python3
"""Print the most frequent words of some text files.

Usage: wordfreq.py [-n N] [--casefold] FILE...

Words are split the way str.split() does it: on any Unicode white space,
including no-break spaces and the ideographic space.  Bytes that are not
valid UTF-8 are kept as lone surrogates (errors='surrogateescape') so that
an old Latin-1 file does not stop the program.

This is example content for the wcindex demo corpus, not part of wcindex.
"""

import argparse
import collections
import string
import sys

PUNCT = string.punctuation + "«»“”„‘’‚…—–·¡¿、。，！？：；（）「」『』"


def words_of(path, casefold=False):
    """Yield the words of the file at path, without surrounding punctuation."""
    with open(path, encoding="utf-8", errors="surrogateescape", newline="") as f:
        for line in f:
            for word in line.split():
                word = word.strip(PUNCT)
                if not word:
                    continue
                yield word.casefold() if casefold else word


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="how many words to show")
    parser.add_argument("--casefold", action="store_true",
                        help="treat Word, WORD and word as the same word")
    parser.add_argument("files", nargs="+")
    args = parser.parse_args(argv)

    counts = collections.Counter()
    for path in args.files:
        try:
            counts.update(words_of(path, args.casefold))
        except OSError as e:
            print(f"wordfreq: {path}: {e.strerror}", file=sys.stderr)

    width = max((len(w) for w, _ in counts.most_common(args.n)), default=0)
    for word, n in counts.most_common(args.n):
        shown = word.encode("utf-8", "backslashreplace").decode("utf-8")
        print(f"{shown:<{width}}  {n:>6}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
