#!/usr/bin/env python3
"""gen-tree.py - write a deterministic tree of test files for wcindex.

usage: gen-tree.py DIR --files N --seed S [--dirs D] [--big K] [--age SECS]
                   [--small] [--list FILE]

Writes N files into DIR (created if need be), spread over D directories
(default: about one per 8 files) nested several levels deep.  The same
arguments always give the same names and the same bytes.  The contents mix:

  - ASCII prose, CRLF line ends, no final newline, runs of blanks;
  - multi-byte UTF-8 (2, 3 and 4 byte sequences, emoji, CJK, combining);
  - every Unicode white space code point (U+00A0, U+2003, U+3000, U+0085,
    U+1680, U+2028...) and look-alikes that are not white space (U+200B,
    U+FEFF, U+2060);
  - invalid UTF-8 (stray continuation bytes, overlong forms, surrogates,
    truncated sequences);
  - a few binary files (a NUL in the first 8 KiB), and a text file whose
    first NUL comes after 8 KiB;
  - empty files;
  - K big files (default 9, 0 with --small) of sizes around 65536, 262144
    and 524288 (the worker reads 256 KiB at a time), with a multi-byte
    sequence or a multi-byte space cut by every multiple of 64 KiB, and one
    ending at, or cut short by, the end of the file.

Some file and directory names hold spaces.  --small writes only small
files (a few hundred bytes at most), for trees of many thousand files.
--age SECS sets every file's mtime SECS seconds into the past (it sets
their ctime to now, so it does not keep them out of the "racy" rule of
wcindex, which looks at the ctime).  --list FILE writes the paths written,
relative to DIR, one per line.
"""

import argparse
import os
import random
import sys
import time

SPACES = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
          0x85, 0xa0, 0x1680] + list(range(0x2000, 0x200b)) + \
         [0x2028, 0x2029, 0x202f, 0x205f, 0x3000]
NOT_SPACES = [0x200b, 0x2060, 0xfeff, 0x180e, 0x84, 0x86, 0xa1, 0x2027,
              0x202a, 0x3001]
UNI_WORDS = ['naïve', 'café', 'Größe', 'Ελληνικά', 'русский', 'עברית',
             'العربية', '日本語', '中文字符', '한국어', 'e\u0301', '😀',
             '👩\u200d💻', '𝔘𝔫𝔦𝔠𝔬𝔡𝔢', '\U0010fffd', 'ǅ', 'ﬁ']
BAD = [bytes.fromhex(h) for h in (
    '80', 'bf', 'ff', 'fe', 'c0af', 'c1bf', 'e08080', 'eda080', 'edbfbf',
    'f4908080', 'f5', 'c2', 'e282', 'f09f98', 'e2e28080', 'c220')]
BIG_SEQS = [chr(c).encode() for c in (0x3000, 0x2003, 0x85, 0xa0, 0x1680,
                                       0x2028, 0xfeff, 0x1f600, 0x8a9e,
                                       0xe9, 0x200b)]
WORDS = ('lorem ipsum dolor sit amet consectetur adipiscing elit sed do '
         'eiusmod tempor incididunt ut labore et dolore magna aliqua').split()


def u(cp):
    return chr(cp).encode('utf-8')


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def ascii_text(self, size):
        r = self.rng
        out = bytearray()
        while len(out) < size:
            out += r.choice(WORDS).encode()
            out += r.choice([b' ', b' ', b' ', b'\n', b'  ', b'\t', b'\r\n'])
        return bytes(out[:size])

    def utf8_text(self, size):
        r = self.rng
        out = bytearray()
        while len(out) < size:
            k = r.random()
            if k < 0.4:
                out += r.choice(UNI_WORDS).encode()
            elif k < 0.6:
                out += r.choice(WORDS).encode()
            elif k < 0.85:
                out += u(r.choice(SPACES))
            elif k < 0.95:
                out += u(r.choice(NOT_SPACES))
            else:
                out += b'\n'
        del out[size:]       # may cut a sequence short: a case too
        return bytes(out)

    def spaces_text(self, size):
        r = self.rng
        out = bytearray()
        while len(out) < size:
            if r.random() < 0.5:
                out += u(r.choice(SPACES))
            else:
                out += r.choice([b'x', b'yz', u(0x200b), u(0xfeff), b'w',
                                 '€'.encode()])
        return bytes(out[:size])

    def broken_text(self, size):
        r = self.rng
        out = bytearray()
        while len(out) < size:
            k = r.random()
            if k < 0.3:
                out += r.choice(BAD)
            elif k < 0.6:
                out += r.choice(WORDS).encode()
            elif k < 0.8:
                out += r.choice(UNI_WORDS).encode()
            else:
                out += u(r.choice(SPACES))
        return bytes(out[:size])

    def binary(self, size):
        r = self.rng
        data = bytearray(r.randrange(256) for _ in range(size))
        data[r.randrange(min(size, 8192))] = 0
        return bytes(data)

    def late_nul(self, size):
        data = bytearray(self.ascii_text(size))
        data[8192 + self.rng.randrange(size - 8192)] = 0
        return bytes(data)

    def small(self, size):
        kind = self.rng.choices(['ascii', 'utf8', 'spaces', 'broken'],
                                weights=[5, 4, 2, 1])[0]
        return getattr(self, kind + '_text')(size)

    def big(self, size, truncate_end):
        """size bytes, with a multi-byte sequence cut by every multiple of
        64 KiB inside (the 256 KiB read size among them) and one ending at
        the very end of the file, or cut short by it."""
        r = self.rng
        data = bytearray(self.ascii_text(size) if r.random() < 0.5
                         else self.utf8_text(size))
        for boundary in range(65536, size, 65536):
            seq = r.choice(BIG_SEQS)
            at = boundary - r.randrange(1, len(seq))
            data[at:at + len(seq)] = seq
            # ASCII letters on either side, so that the split matters
            data[at - 3:at] = b'abc'
            if at + len(seq) + 3 <= size:
                data[at + len(seq):at + len(seq) + 3] = b'xyz'
        seq = r.choice(BIG_SEQS)
        if truncate_end:
            seq = seq[:r.randrange(1, len(seq))]
        data[size - len(seq):] = seq
        return bytes(data)


def make_dirs(rng, top, n):
    """n directories (besides top) as a random tree; returns their paths."""
    dirs = [top]
    for i in range(n):
        parent = rng.choice(dirs[-8:] + dirs[:1]) if rng.random() < 0.7 \
            else rng.choice(dirs)
        name = ('sub dir %d' % i) if i % 5 == 3 else ('d%02d' % i)
        dirs.append(os.path.join(parent, name))
    return dirs


def write_file(path, data):
    # O_EXCL first: creating is much cheaper than truncating on some file
    # systems, and the tree is usually new
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        fd = os.open(path, os.O_WRONLY | os.O_TRUNC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('dir')
    ap.add_argument('--files', type=int, required=True)
    ap.add_argument('--seed', type=int, required=True)
    ap.add_argument('--dirs', type=int, default=None)
    ap.add_argument('--big', type=int, default=None)
    ap.add_argument('--small', action='store_true')
    ap.add_argument('--age', type=float, default=0)
    ap.add_argument('--list', default=None)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    gen = Gen(args.seed * 7919 + 1)
    ndirs = args.dirs if args.dirs is not None else max(1, args.files // 8)
    nbig = args.big if args.big is not None else (0 if args.small else 9)
    nbig = min(nbig, args.files)

    dirs = make_dirs(rng, '', ndirs)
    for d in dirs:
        os.makedirs(os.path.join(args.dir, d), exist_ok=True)

    big_sizes = [65535, 65536, 65537, 262143, 262144, 262145, 262147,
                 65536 * 3 + 1, 524289]
    written = []
    for i in range(args.files):
        d = rng.choice(dirs)
        ext = rng.choice(['.txt', '.txt', '.md', '.log', '.c', '', '.TXT',
                          '.csv'])
        name = ('file %d%s' % (i, ext)) if i % 7 == 2 else ('f%04d%s' % (i, ext))
        if args.small:
            data = gen.small(rng.randrange(0, 200)) if i % 23 else b''
        elif i < nbig:
            size = big_sizes[i % len(big_sizes)]
            data = gen.big(size, i % 2 == 1)
        elif i % 31 == 5:
            data = b''
        elif i % 37 == 6:
            data = gen.binary(rng.choice([1, 100, 3000, 9000]))
            name = 'bin%04d.dat' % i
        elif i % 53 == 7:
            data = gen.late_nul(rng.choice([8200, 12000, 20000]))
        elif i % 11 == 8:
            data = gen.broken_text(rng.randrange(1, 3000))
        elif i % 5 == 1:
            data = gen.spaces_text(rng.randrange(1, 2000))
        elif i % 3 == 0:
            data = gen.utf8_text(rng.randrange(1, 5000))
        else:
            data = gen.ascii_text(rng.randrange(1, 5000))
        rel = os.path.join(d, name)
        write_file(os.path.join(args.dir, rel), data)
        written.append(rel)

    if args.age:
        t = time.time_ns() - int(args.age * 1e9)
        for rel in written:
            os.utime(os.path.join(args.dir, rel), ns=(t, t))
    if args.list:
        with open(args.list, 'w') as f:
            f.write(''.join(rel + '\n' for rel in written))
    return 0


if __name__ == '__main__':
    sys.exit(main())
