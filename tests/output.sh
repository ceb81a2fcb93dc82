#!/bin/sh
# output.sh - what the read commands print for programs: --json and --csv
# of total, ls, status, roots, changes, history and sql, each parsed back by
# python (one JSON document per invocation, RFC 4180 CSV) on a tree whose
# names would drive a terminal or break a naive parser; total's paths as
# given, overlapping arguments counted once, --depth against python's sums
# of every subtree, --sort and -r; ls --sort, -r, --limit and its kinds.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

# a root whose own name is hostile: every path printed carries it
ROOT=$TMP/$(printf 'r\033]0;pwned\a\033[2J,"q\nx')
"$PYTHON3" - "$ROOT" <<'EOF'
import os, random, sys
root = os.fsencode(sys.argv[1])
rnd = random.Random(14)
words = ['alpha', 'beta', 'gamma', 'délta', '漢字', 'x']
dirs = [b'', b'a', b'a/b', b'a/b/c', b'a/b/c/d', b'e', b'e/f', b'\xff dir', b'g,"h']
for d in dirs:
    os.makedirs(os.path.join(root, d), exist_ok=True)
names = [b'plain.txt', b'new\nline.txt', b'bad\xff\xfe.txt', b'comma,"quote".txt',
         b'evil\x1b]0;pwned\x07\x1b[2J.txt', b'tab\there.txt', b'\xe6\xbc\xa2.txt']
for i, d in enumerate(dirs):
    for n in names[:1 + i % len(names)]:
        text = ' '.join(rnd.choice(words) for _ in range(rnd.randrange(1, 200)))
        open(os.path.join(root, d, n), 'wb').write(text.encode() + b'\n' * rnd.randrange(0, 4))
open(os.path.join(root, b'a', b'blob.bin'), 'wb').write(b'\0\1\2 binary \0' * 50)
EOF
ARCH=$TMP/arch
mkdir -p "$ARCH/in"
printf 'one two three\n' >"$ARCH/in/m1.txt"
printf 'four five\nsix\n' >"$ARCH/in/m2.txt"
tar -C "$ARCH/in" -cf "$ARCH/pack.tar" m1.txt m2.txt
rm -r "$ARCH/in"
scan_ok "$ROOT" "$ARCH"

# ---- JSON and CSV of every command parse, and say the same
"$PYTHON3" - "$WCINDEX" "$DB" "$ROOT" "$ARCH" <<'EOF' || fail "json and csv output"
import csv, io, json, os, subprocess, sys
wci, db, root, arch = sys.argv[1], sys.argv[2], os.fsencode(sys.argv[3]), sys.argv[4]
bad = 0
def out(*args):
    r = subprocess.run([wci, '--db', db] + [a if isinstance(a, bytes) else a.encode() for a in args],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if r.returncode not in (0, 1):
        sys.exit('  %r exited %d: %r' % (args, r.returncode, r.stderr))
    return r.stdout
def js(*args):
    return json.loads(out(*args, '--json').decode('utf-8', 'surrogateescape'))
def cs(*args):
    text = out(*args, '--csv').decode('utf-8', 'surrogateescape')
    rows = list(csv.reader(io.StringIO(text, newline='')))
    return rows[0], rows[1:]
def b(s):
    return s.encode('utf-8', 'surrogateescape') if isinstance(s, str) else s
def check(what, cond):
    global bad
    if not cond:
        print('  ' + what)
        bad = 1

for cmd in (['total'], ['total', root, root + b'/a'], ['total', '--depth', '2', root],
            ['ls'], ['ls', root], ['status'], ['roots'], ['changes'], ['history'],
            ['sql', 'SELECT dir, name FROM files'],
            ['sql', 'SELECT 1 AS one; SELECT name FROM files; SELECT 2 AS two']):
    j = js(*cmd)
    head, rows = cs(*cmd)
    if cmd[0] == 'status':
        check('status --json is no object', isinstance(j, dict) and
              set(j) == {'roots', 'scans', 'summary', 'errors'})
        check('status --csv: one summary line', len(rows) == 1 and head[0] == 'database'
              and rows[0][0] == db and int(rows[0][head.index('files')]) == j['summary']['files'])
        continue
    if cmd[-1] == 'SELECT 1 AS one; SELECT name FROM files; SELECT 2 AS two':
        check('sql of three statements: not one array of three results',
              len(j) == 3 and j[0] == [{'one': 1}] and j[2] == [{'two': 2}] and len(j[1]) > 10)
        continue
    check('%r: json is no array of objects' % cmd, isinstance(j, list) and all(isinstance(r, dict) for r in j))
    check('%r: json and csv differ in their rows (%d, %d)' % (cmd, len(j), len(rows)), len(j) == len(rows))
    check('%r: json and csv differ in their columns' % cmd, not j or list(j[0]) == head)
    for r, c in zip(j, rows):
        for k, v in zip(head, c):
            want = '' if r[k] is None else str(r[k])
            if want != v:
                check('%r: %s: json %r, csv %r' % (cmd, k, r[k], v), False)
                break

# the names come back byte for byte
ls = js('ls', root)
paths = {b(r['path']) for r in ls}
want = set()
for d, sub, files in os.walk(root):
    want |= {os.path.join(d, f) for f in files}
check('ls --json: the paths are not the files (%d, %d)' % (len(paths), len(want)), paths == want)
head, rows = cs('ls', root)
check('ls --csv: the paths are not the files', {b(r[0]) for r in rows} == want)
for r in ls:
    p = b(r['path'])
    data = open(p, 'rb').read()
    if b'\0' in data:
        check('binary %r: kind %r' % (p, r['kind']), r['kind'] == 'binary')
        continue
    t = data.decode('utf-8', 'surrogateescape')
    c = [data.count(b'\n'), len(t.split()), len(t), len(data)]
    check('%r: %r, python %r' % (p, [r[k] for k in ('lines', 'words', 'chars', 'bytes')], c),
          [r[k] for k in ('lines', 'words', 'chars', 'bytes')] == c and r['kind'] == 'text')

# archives: the archive row has no counts of its own, its members do
rows = js('ls', arch)
check('ls of an archive: %r' % rows,
      [(r['member'], r['kind'], r['words']) for r in rows] ==
      [('', 'archive', None), ('m1.txt', 'text', 3), ('m2.txt', 'text', 3)])
check('ls of an archive: one path', {r['path'] for r in rows} == {arch + '/pack.tar'})

# total: paths as given, overlaps once, the total row last with no path
t = js('total', root, root + b'/a', root + b'/a/b', root)
check('total --json: labels %r' % [r['path'] for r in t],
      [b(r['path']) if r['path'] is not None else None for r in t] ==
      [root, root + b'/a', root + b'/a/b', root, None])
check('total --json: overlapping paths counted twice',
      {k: v for k, v in t[-1].items() if k != 'path'} == {k: v for k, v in t[0].items() if k != 'path'})

# --depth: every directory down to 2 levels, each the sum of its subtree
def sums(top):
    s = [0, 0, 0, 0, 0]
    for d, sub, files in os.walk(top):
        for f in files:
            data = open(os.path.join(d, f), 'rb').read()
            if b'\0' in data:
                continue
            t = data.decode('utf-8', 'surrogateescape')
            for i, n in enumerate((data.count(b'\n'), len(t.split()), len(t), len(data), 1)):
                s[i] += n
    return s
rows = js('total', '--depth', '2', root)
want = [root]
for d, sub, files in os.walk(root):
    depth = os.path.relpath(d, root).count(b'/') + 1 if d != root else 0
    if depth <= 2 and d != root:
        want.append(d)
got = [b(r['path']) for r in rows[:-1]]
check('total --depth 2: directories %r, want %r' % (sorted(got), sorted(want)), sorted(got) == sorted(want))
check('total --depth 2: the top is not last of its rows', got[-1] == root)
for r in rows[:-1]:
    p = b(r['path'])
    if os.path.isdir(p):
        check('total --depth: %r: %r, python %r' % (p, r, sums(p)),
              [r[k] for k in ('lines', 'words', 'chars', 'bytes', 'files')] == sums(p))
for key in ('words', 'bytes', 'files'):
    rows = js('total', '--depth', '3', '--sort=' + key, root)[:-1]
    v = [r[key] for r in rows]
    check('total --sort=%s: %r' % (key, v), v == sorted(v, reverse=True))
    rows = js('total', '--depth', '3', '--sort=' + key, '-r', root)[:-1]
    v = [r[key] for r in rows]
    check('total --sort=%s -r: %r' % (key, v), v == sorted(v))

# ls --sort, -r, --limit
every = [r for r in js('ls', root) if r['words'] is not None]
for key in ('words', 'lines', 'bytes', 'chars'):
    top = js('ls', '--sort=' + key, '--limit', '3', root)
    want = sorted((r[key] for r in every), reverse=True)[:3]
    check('ls --sort=%s --limit 3: %r, want %r' % (key, [r[key] for r in top], want),
          [r[key] for r in top] == want)
    low = js('ls', '--sort=' + key, '-r', '--limit', '2', root)
    check('ls --sort=%s -r' % key, [r[key] for r in low] == sorted(r[key] for r in every)[:2])
names = [b(r['path']) for r in js('ls', '-r', root)]
check('ls -r is not the other way round', names == [b(r['path']) for r in js('ls', root)][::-1])
sys.exit(bad)
EOF
pass "json and csv of every command parsed back, with hostile names"

# ---- the table of total: the path as given, the total counts a file once
want=$(py_totals "$ROOT")
ln -s "$ROOT" "$TMP/nice"	# a name the table can be read back by
cd "$TMP" || fail "cd"
wci total nice nice/a >"$TMP/out" || fail "total exited $?"
assert_eq "$want" "$(total_of "$(cat "$TMP/out")" total)" "total of a root and a directory in it: each file once"
assert_eq "$want" "$(total_of "$(cat "$TMP/out")" nice)" "total: the path as given"
wci total --depth 1 nice >"$TMP/out" || fail "total --depth exited $?"
assert_eq "$want" "$(tail -1 "$TMP/out" | awk '{print $1, $2, $3, $4, $5}')" "total --depth 1: the root last"
assert_eq "nice" "$(tail -1 "$TMP/out" | awk '{print $6}')" "total --depth 1: the root as given"
assert_eq 4 "$(grep -c '^ *[0-9]* *[0-9]* *[0-9]* *[0-9]* *[0-9]* nice/' "$TMP/out")" \
	"total --depth 1: a line per directory below the root, relative"

# ---- mistakes
run "$WCINDEX" --db "$DB" total --sort=size "$ROOT"
assert_eq 2 "$RC" "total --sort=size: exit status"
assert_match "^wcindex: --sort 'size': not one of name, lines, words, chars, bytes, files" "$ERR" "total --sort=size: message"
run "$WCINDEX" --db "$DB" ls --limit 0 "$ROOT"
assert_eq 2 "$RC" "ls --limit 0: exit status"
run "$WCINDEX" --db "$DB" total --depth -1 "$ROOT"
assert_eq 2 "$RC" "total --depth -1: exit status"
pass "sorting, depth and their mistakes"
