#!/usr/bin/env python3
"""pycount.py - the reference the counting kernel is tested against.

usage: pycount.py [--ascii] FILE...

Prints "lines words chars bytes flags" for each FILE, the line that
tests/wc-count prints, computed the plain python way: the definition of
what wcindex counts is "what python3 says", so this must stay naive.
"""

import sys

BINARY_WINDOW = 8192
F_BINARY = 1
F_INVALID_UTF8 = 2


def count(data, ascii_mode):
    flags = F_BINARY if b'\0' in data[:BINARY_WINDOW] else 0
    lines = data.count(b'\n')
    if ascii_mode:
        return lines, len(data.split()), len(data), len(data), flags
    text = data.decode('utf-8', 'surrogateescape')
    try:
        data.decode('utf-8', 'strict')
    except UnicodeDecodeError:
        flags |= F_INVALID_UTF8
    return lines, len(text.split()), len(text), len(data), flags


def main(argv):
    args = argv[1:]
    ascii_mode = False
    if args and args[0] == '--ascii':
        ascii_mode = True
        args = args[1:]
    if not args or any(a.startswith('--') for a in args):
        sys.stderr.write('usage: pycount.py [--ascii] FILE...\n')
        return 2
    out = []
    for path in args:
        try:
            with open(path, 'rb') as f:
                data = f.read()
        except OSError as e:
            sys.stderr.write("pycount.py: cannot read '%s': %s\n"
                             % (path, e.strerror))
            return 1
        out.append(' '.join(str(n) for n in count(data, ascii_mode)))
    sys.stdout.write(''.join(line + '\n' for line in out))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
