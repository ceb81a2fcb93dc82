#!/usr/bin/env python3
"""gen-text.py - write deterministic text files that exercise the counting
kernels: long enough for many 64-byte windows, mixing windows that are all
ASCII with windows of everything else, so that sequences straddle window
edges at every position.

usage: gen-text.py DIR --seed S [--files N] [--max-size BYTES]

Writes N files (default 40) named 000, 001, ... into DIR (created if need
be) and prints their paths, one per line.  The same arguments always give
the same bytes.  The ingredients, in proportions that change from file to
file: ASCII words, long ASCII runs, the 29 whitespace code points of
str.isspace(), valid characters that look like or sit next to them, valid
2-, 3- and 4-byte characters, invalid sequences (overlong, surrogates, above
U+10FFFF, cut short, C0, C1, F5-FF), stray continuation bytes, NULs and
random bytes.  Sizes are random up to --max-size (default 256 KiB), with a
few right at the window and buffer boundaries.
"""

import argparse
import os
import random

SPACES = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
          0x85, 0xa0, 0x1680] + list(range(0x2000, 0x200b)) + \
         [0x2028, 0x2029, 0x202f, 0x205f, 0x3000]
assert len(SPACES) == 29 and all(chr(c).isspace() for c in SPACES)

# valid, not whitespace: lookalikes, neighbours of the spaces' encodings
# and the edges of table 3-7
NEAR = [0x200b, 0x200c, 0x2060, 0xfeff, 0x180e, 0x84, 0x86, 0x9f, 0xa1,
        0x167f, 0x1681, 0x16c0, 0x1fff, 0x2027, 0x202a, 0x202e, 0x2030,
        0x205e, 0x2040, 0x2060, 0x3001, 0x3040, 0x4000, 0x2400, 0x7ff,
        0x800, 0xd7ff, 0xe000, 0xffff, 0x10000, 0x10ffff, 0xfffff,
        0x08, 0x0e, 0x1b, 0x21, 0x7f]
assert not any(chr(c).isspace() for c in NEAR)

BAD = [bytes.fromhex(h) for h in (
    'c080', 'c1bf', 'c0', 'c1', 'c180', 'e08080', 'e09fbf', 'e09f80',
    'f0808080', 'f08fbfbf', 'eda080', 'edbfbf', 'edaf', 'eda0',
    'f4908080', 'f490', 'f4a08080', 'f4bfbfbf', 'f5', 'f5808080',
    'f7bfbfbf', 'f8888080', 'fbbfbfbf', 'fc', 'fe', 'ff', 'ff808080',
    '80', 'bf', '8080', 'bfbfbfbf', 'a0', '85', '9a80',
    'c2', 'df', 'e2', 'e280', 'e1', 'e19a', 'e281', 'e380', 'f0', 'f09f',
    'f09f98', 'f4', 'f48f', 'f48fbf', 'e0a0', 'f09080',
    'c2c2a0', 'e2e28080', 'e280e280a8', 'c220', 'e2800a', 'c285c2',
    'e3e380', 'edbf80',
)]

LETTERS = b'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789.,-'

# weights: word, run, space, near, valid, bad, stray, nul, byte
MIXES = [
    (30, 3, 30, 10, 20, 3, 2, 1, 1),     # a bit of everything
    (40, 20, 10, 2, 5, 0, 0, 0, 0),      # mostly ASCII, valid
    (10, 2, 20, 10, 50, 0, 0, 0, 0),     # mostly multi-byte, valid
    (10, 1, 50, 30, 10, 0, 0, 0, 0),     # whitespace and lookalikes
    (10, 2, 10, 5, 10, 30, 20, 3, 10),   # broken
    (20, 10, 5, 2, 5, 1, 1, 0, 0),       # long valid runs, rare errors
]


def enc(cp):
    return chr(cp).encode('utf-8')


def rand_cp(rng):
    while True:
        r = rng.random()
        if r < 0.35:
            c = rng.randrange(0x80, 0x800)
        elif r < 0.8:
            c = rng.randrange(0x800, 0x10000)
        else:
            c = rng.randrange(0x10000, 0x110000)
        if not 0xd800 <= c <= 0xdfff:
            return c


def ingredient(rng, mix):
    kind = rng.choices(range(9), weights=mix)[0]
    if kind == 0:
        return bytes(rng.choice(LETTERS) for _ in range(rng.randrange(1, 13)))
    if kind == 1:
        return bytes(rng.choice(b'  \n' + LETTERS[:26] * 6)
                     for _ in range(rng.randrange(64, 300)))
    if kind == 2:
        return enc(rng.choice(SPACES))
    if kind == 3:
        return enc(rng.choice(NEAR))
    if kind == 4:
        return b''.join(enc(rand_cp(rng)) for _ in range(rng.randrange(1, 9)))
    if kind == 5:
        return rng.choice(BAD)
    if kind == 6:
        return bytes(rng.randrange(0x80, 0xc0) for _ in range(rng.randrange(1, 5)))
    if kind == 7:
        return b'\0'
    return bytes([rng.randrange(256)])


def text(rng, size):
    mix = rng.choice(MIXES)
    out = bytearray()
    while len(out) < size:
        out += ingredient(rng, mix)
    del out[size:]        # may cut a sequence short: that is a case too
    return bytes(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--files', type=int, default=40)
    ap.add_argument('--max-size', type=int, default=256 * 1024)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    os.makedirs(args.dir, exist_ok=True)
    edges = [63, 64, 65, 66, 67, 68, 127, 128, 130, 131, 4095, 4096, 4099,
             65535, 65536, 65538, 65539]
    for i in range(args.files):
        if i < len(edges) and edges[i] <= args.max_size:
            size = edges[i]
        else:
            size = rng.randrange(args.max_size + 1)
        path = os.path.join(args.dir, '%03d' % i)
        with open(path, 'wb') as f:
            f.write(text(rng, size))
        print(path)


if __name__ == '__main__':
    main()
