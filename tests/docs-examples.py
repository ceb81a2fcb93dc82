#!/usr/bin/env python3
"""docs-examples.py - the examples of the documentation, for docs-examples.sh.

    docs-examples.py extract OUTDIR README MANPAGE QUERIES [FROM=TO]...
    docs-examples.py match EXPECTED ACTUAL

extract: finds every example command, mechanically, so that a new example
is run without editing the test:

  README.md      in ```sh (or bash, shell, console) fenced blocks, every
                 command that starts with `wcindex `, `sqlite3 ` or
                 `$ wcindex`;
  wcindex.1      in .nf/.fi and .EX/.EE blocks, every line that starts with
                 `wcindex `, `sqlite3 ` or `$ `; in a block that shows a
                 `$ ` prompt, only those lines, and the lines after each,
                 up to the next one or the end of the block, are its
                 output;
  queries.sql    every statement, split with sqlite3.complete_statement,
                 run as `wcindex sql -f FILE`.

A command goes on over the next lines while its quotes are open or its
line ends in a backslash.  Roff escapes are turned back into text.  Each
FROM=TO replaces a placeholder path in the commands (longest first).  An
example whose text says `exits 1` (say in a trailing comment) may exit 1.

It writes OUTDIR/N.sh (the command), OUTDIR/N.expect (the output shown
after a `$ ` command, if any), OUTDIR/N.sql (a statement of queries.sql)
and OUTDIR/list, one line per example: N, source, line, allowed exit
statuses (comma-separated).

match: exit 0 when the first line of ACTUAL is the first line of EXPECTED,
where a dotted version number (3.40.1) of EXPECTED matches any other, and
every other character must be the same (so "schema 6" must be right).
"""
import os
import re
import shlex
import sqlite3
import sys

START = re.compile(r'^(\$ )?(wcindex|sqlite3)( |$)')
PROMPT = re.compile(r'^(\$ )')
EXIT1 = re.compile(r'\bexits? 1\b')
ROFF = re.compile(r'\\(\(..|\[[^]]*\]|f[BIRP]|e|-|&| |\||\^)')
ROFF_NAMED = {'(aq': "'", '(dq': '"', '(lq': '"', '(rq': '"', '(em': '--',
              '(+-': '+-', '(rs': '\\', '(ti': '~', '(ha': '^'}


def unroff(line):
    def one(m):
        t = m.group(1)
        if t == 'e':
            return '\\'
        if t == '-':
            return '-'
        if t == ' ':
            return ' '
        if t in ('&', '|', '^') or t.startswith('f'):
            return ''
        if t in ROFF_NAMED:
            return ROFF_NAMED[t]
        sys.exit('docs-examples.py: unknown roff escape \\%s in: %s' % (t, line))
    return ROFF.sub(one, line)


def complete(cmd):
    """Whether cmd is a whole shell command: quotes closed, no trailing \\."""
    if cmd.rstrip().endswith('\\'):
        return False
    try:
        shlex.split(cmd, comments=True)
    except ValueError:
        return False
    return True


def commands(lines, source):
    """(line number, command, expected output) of the examples of a block
    of lines given as (number, text)."""
    out = []
    # In a block that shows a prompt, only the lines after one are
    # commands: the others are their output, which may start with wcindex.
    start = PROMPT if any(PROMPT.match(t) for _, t in lines) else START
    i = 0
    while i < len(lines):
        no, text = lines[i]
        i += 1
        m = start.match(text)
        if not m:
            continue
        prompt = text.startswith('$ ')
        cmd = text[2:] if prompt else text
        while not complete(cmd) and i < len(lines):
            cmd += '\n' + lines[i][1]
            i += 1
        if not complete(cmd):
            sys.exit('%s:%d: an example that never ends: %s' % (source, no, cmd))
        expect = []
        if prompt:
            while i < len(lines) and not start.match(lines[i][1]):
                expect.append(lines[i][1])
                i += 1
        out.append((no, cmd, expect))
    return out


def readme_examples(path):
    blocks, cur = [], None
    with open(path, encoding='utf-8') as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if cur is None:
                m = re.match(r'^```\s*(sh|bash|shell|console)\s*$', line)
                if m:
                    cur = []
            elif line.startswith('```'):
                blocks.append(cur)
                cur = None
            else:
                cur.append((no, line))
    out = []
    for b in blocks:
        out.extend(commands(b, path))
    return out


def man_examples(path):
    blocks, cur = [], None
    with open(path, encoding='utf-8') as f:
        for no, line in enumerate(f, 1):
            line = line.rstrip('\n')
            if cur is None:
                if line in ('.nf', '.EX'):
                    cur = []
            elif line in ('.fi', '.EE'):
                blocks.append(cur)
                cur = None
            elif line.startswith(('.', "'")):
                # a request inside the block (.\" comments, .RS): not text
                continue
            else:
                cur.append((no, unroff(line)))
    out = []
    for b in blocks:
        out.extend(commands(b, path))
    return out


def sql_statements(path):
    out, cur, first = [], '', None
    with open(path, encoding='utf-8') as f:
        for no, line in enumerate(f, 1):
            if first is None and line.strip() and not line.lstrip().startswith('--'):
                first = no
            cur += line
            if first is not None and sqlite3.complete_statement(cur):
                out.append((first, cur.strip()))
                cur, first = '', None
    if cur.strip() and first is not None:
        sys.exit('%s:%d: a statement without its semicolon' % (path, first))
    return out


def extract(outdir, readme, man, queries, substs):
    pairs = sorted((s.split('=', 1) for s in substs), key=lambda p: -len(p[0]))

    def localize(cmd):
        for a, b in pairs:
            cmd = cmd.replace(a, b)
        return cmd

    os.makedirs(outdir, exist_ok=True)
    n = 0
    with open(os.path.join(outdir, 'list'), 'w') as lst:
        def add(source, no, cmd, expect=(), sql=None):
            nonlocal n
            n += 1
            base = os.path.join(outdir, '%03d' % n)
            with open(base + '.sh', 'w') as f:
                f.write(cmd + '\n')
            if expect:
                with open(base + '.expect', 'w') as f:
                    f.write('\n'.join(expect) + '\n')
            if sql is not None:
                with open(base + '.sql', 'w') as f:
                    f.write(sql + '\n')
            ok = '0,1' if EXIT1.search(cmd) else '0'
            lst.write('%03d\t%s\t%d\t%s\n' % (n, source, no, ok))

        for no, cmd, expect in readme_examples(readme):
            add('README.md', no, localize(cmd), expect)
        for no, cmd, expect in man_examples(man):
            add('wcindex.1', no, localize(cmd), expect)
        for no, stmt in sql_statements(queries):
            path = os.path.join(outdir, '%03d.sql' % (n + 1))
            add('queries.sql', no, 'wcindex sql -f ' + shlex.quote(path), sql=stmt)


def match(expected, actual):
    with open(expected, encoding='utf-8') as f:
        exp = f.readline().rstrip('\n')
    with open(actual, encoding='utf-8', errors='surrogateescape') as f:
        act = f.readline().rstrip('\n')
    ver = r'\d+(?:\.\d+)+'
    parts = re.split(ver, exp)
    pattern = ver.join(re.escape(p) for p in parts)
    if re.fullmatch(pattern, act):
        return 0
    print('expected (versions loosely): %s\n     got: %s' % (exp, act))
    return 1


def main(argv):
    if len(argv) >= 5 and argv[1] == 'extract':
        extract(argv[2], argv[3], argv[4], argv[5], argv[6:])
        return 0
    if len(argv) == 4 and argv[1] == 'match':
        return match(argv[2], argv[3])
    sys.exit(__doc__)


if __name__ == '__main__':
    sys.exit(main(sys.argv))
