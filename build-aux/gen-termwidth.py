#!/usr/bin/env python3
"""gen-termwidth.py - write src/termwidth.h, the Unicode tables of term.c.

    python3 build-aux/gen-termwidth.py > src/termwidth.h

The header is committed: the build must not depend on python, and the
tables must not change with whatever python a builder happens to have.
Rerun it by hand when moving to a newer Unicode (the header says which
version it was made from).

Three sorted tables of inclusive code point ranges:

  termwidth_unprintable  code points GNU ls quotes in a UTF-8 locale: those
                         glibc's iswprint() refuses, which are exactly the
                         categories Cc, Cs, Zl, Zp and Cn (unassigned and
                         noncharacters), checked against glibc 2.36;
  termwidth_zero         printable code points a terminal draws in no
                         column: combining marks (Mn, Me), format
                         characters (Cf) and the Hangul medial vowels and
                         final consonants (U+1160..U+11FF), as wcwidth();
  termwidth_wide         East Asian Wide and Fullwidth: two columns.
"""
import sys
import unicodedata

MAX = 0x110000


def ranges(pred):
    out, start = [], None
    for cp in range(MAX):
        if pred(cp):
            if start is None:
                start = cp
        elif start is not None:
            out.append((start, cp - 1))
            start = None
    if start is not None:
        out.append((start, MAX - 1))
    return out


def cat(cp):
    return unicodedata.category(chr(cp))


def unprintable(cp):
    return cat(cp) in ('Cc', 'Cs', 'Zl', 'Zp', 'Cn')


def zero(cp):
    if unprintable(cp):
        return False
    return cat(cp) in ('Mn', 'Me', 'Cf') or 0x1160 <= cp <= 0x11ff


def wide(cp):
    if unprintable(cp) or zero(cp):
        return False
    return unicodedata.east_asian_width(chr(cp)) in ('W', 'F')


def table(name, rs, out):
    out.append('static const struct termwidth_range %s[] = {' % name)
    for i in range(0, len(rs), 3):
        out.append('\t' + ' '.join('{ 0x%05x, 0x%05x },' % r
                                   for r in rs[i:i + 3]))
    out.append('};')
    out.append('')


def main():
    out = [
        '/*',
        ' * termwidth.h - Unicode %s tables of term.c, made by'
        % unicodedata.unidata_version,
        ' * build-aux/gen-termwidth.py (see there what each holds).  Do not',
        ' * edit: rerun the script.',
        ' */',
        '#ifndef WCINDEX_TERMWIDTH_H',
        '#define WCINDEX_TERMWIDTH_H',
        '',
        '#include <stdint.h>',
        '',
        '/* An inclusive range of code points. */',
        'struct termwidth_range {',
        '\tuint32_t lo, hi;',
        '};',
        '',
    ]
    table('termwidth_unprintable', ranges(unprintable), out)
    table('termwidth_zero', ranges(zero), out)
    table('termwidth_wide', ranges(wide), out)
    out.append('#endif')
    sys.stdout.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
