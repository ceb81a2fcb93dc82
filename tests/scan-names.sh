#!/bin/bash
# scan-names.sh - file and directory names are bytes: newlines, tabs,
# quotes, backslashes, leading dashes, spaces, invalid UTF-8, emoji, glob
# and printf characters all go into the index and come out of sql --json,
# sql --csv, ls, ls -0 and total exactly, and rescans see the same names.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

ROOT=$TMP/names
mkdir "$ROOT"
# Writes the tree and lists its files (relative, NUL-terminated) in names.lst.
"$PYTHON3" - "$ROOT" "$TMP/names.lst" <<'EOF' || fail "cannot create the tree"
import os, sys
root = os.fsencode(sys.argv[1])
dirs = [b'', b'dir\nwith newline', b'dir\xff\xfeinvalid', b'dir with space',
        b' \t ', b'-dash dir', b'dir\nwith newline/inner\tdir', b'\xe2\x98\x83 snow',
        b'dir\\back', b"dir'q\"", b'dir', b'dir0', b'dir.x']
names = [b'new\nline', b'two\n\nnewlines\n', b'tab\there', b"quote'single",
         b'quote"double', b'back\\slash', b'-leading-dash', b'-n', b'--help',
         b'  spaces  ', b' ', b'trailing space ', b'\xff\xfe', b'x\xc0\xaf',
         b'sur\xed\xa0\x80rogate', b'caf\xe9-latin1', b'\xf0\x9f\x98\x80.txt',
         b'a,comma', b'CR\rname', b'*glob?[x]', b'percent%s%n', b'dollar$HOME',
         b'\x01ctrl\x7f', b'...', b'.hidden', b'x.TXT', b'ends.', b'x.\xff',
         b'e\xcc\x81', b'n' * 250 + b'.long', b'\\', b'"', b"'", b'=', b'#',
         b'semi;colon', b'back`tick`', b'\xc2\xa0nbsp\xe3\x80\x80ideo']
out = []
for i, d in enumerate(dirs):
    os.makedirs(os.path.join(root, d), exist_ok=True)
    # every name in the top directory, a rotating few in the others
    for j, n in enumerate(names):
        if d and (i + j) % 5:
            continue
        p = os.path.join(d, n)
        with open(os.path.join(root, p), 'wb') as f:
            f.write(b'file ' + n + b' in ' + d + b'\nsome words\xc2\xa0here\n' * (j % 3))
        out.append(p)
open(sys.argv[2], 'wb').write(b''.join(p + b'\0' for p in out))
EOF
N=$(count_files "$ROOT")
[ "$N" -gt 80 ] || fail "setup: only $N files"

scan_ok "$ROOT"
assert_stats "$N" 0 0 0 0 0 "scan of strange names"
# JSON (surrogateescape), name and dir columns, counts
check_index "$ROOT"

# ---- sql --json: the names column as bytes, against the list written
"$WCINDEX" --db "$DB" sql --json "SELECT path, name, dir FROM files" >"$TMP/names.json" ||
	fail "sql --json exited $?"
"$PYTHON3" - "$TMP/names.json" "$TMP/names.lst" "$ROOT" <<'EOF' || fail "sql --json does not give back the names"
import json, os, sys
rows = json.load(open(sys.argv[1], encoding='utf-8', errors='surrogateescape'))
want = {os.path.join(os.fsencode(sys.argv[3]), p) for p in open(sys.argv[2], 'rb').read().split(b'\0')[:-1]}
e = lambda s: s.encode('utf-8', 'surrogateescape')
got = {e(r['path']) for r in rows}
bad = 0
for p in sorted(want ^ got):
    print('  %s: %r' % ('missing' if p in want else 'extra', p))
    bad = 1
for r in rows:
    if e(r['dir']) + b'/' + e(r['name']) != e(r['path']):
        print('  path %r is not dir %r + name %r' % (r['path'], r['dir'], r['name']))
        bad = 1
sys.exit(bad)
EOF

# ---- sql --csv: RFC 4180 quoting of newlines, quotes and commas
"$WCINDEX" --db "$DB" sql --csv "SELECT name, path, words FROM files" >"$TMP/names.csv" ||
	fail "sql --csv exited $?"
"$PYTHON3" - "$TMP/names.csv" "$TMP/names.lst" "$ROOT" <<'EOF' || fail "sql --csv does not give back the names"
import csv, io, os, sys
raw = open(sys.argv[1], 'rb').read()
rows = list(csv.reader(io.StringIO(raw.decode('utf-8', 'surrogateescape'), newline='')))
want = {os.path.join(os.fsencode(sys.argv[3]), p) for p in open(sys.argv[2], 'rb').read().split(b'\0')[:-1]}
if rows[0] != ['name', 'path', 'words']:
    sys.exit('  header %r' % rows[0])
e = lambda s: s.encode('utf-8', 'surrogateescape')
got = [e(r[1]) for r in rows[1:]]
bad = 0
if len(got) != len(want) or set(got) != want:
    for p in sorted(want ^ set(got)):
        print('  %s: %r' % ('missing' if p in want else 'extra', p))
    bad = 1
for r in rows[1:]:
    if len(r) != 3 or not e(r[1]).endswith(b'/' + e(r[0])) or not r[2].isdigit():
        print('  bad row %r' % r)
        bad = 1
sys.exit(bad)
EOF

# ---- ls -0 and ls: the paths, byte for byte, with the right counts
wci ls -0 "$ROOT" >"$TMP/ls0.out" || fail "ls -0 exited $?"
wci ls "$ROOT" >"$TMP/ls.out" || fail "ls exited $?"
"$PYTHON3" - "$TMP/ls0.out" "$TMP/names.lst" "$ROOT" "$TMP/ls.out" <<'EOF' || fail "ls -0 does not give back the names"
import os, re, sys
data = open(sys.argv[1], 'rb').read()
root = os.fsencode(sys.argv[3])
want = {os.path.join(root, p) for p in open(sys.argv[2], 'rb').read().split(b'\0')[:-1]}
if not data.endswith(b'\0'):
    sys.exit('  ls -0 output does not end with a NUL')
recs = data.split(b'\0')[:-1]
bad = 0
got = []
for r in recs:
    m = re.fullmatch(rb' *(\d+) +(\d+) +(\d+) +(\d+) (text|binary) +(/.*)', r, re.S)
    if not m:
        print('  bad record %r' % r)
        bad = 1
        continue
    p = m.group(6)
    got.append(p)
    d = open(p, 'rb').read()
    t = d.decode('utf-8', 'surrogateescape')
    want_c = (d.count(b'\n'), len(t.split()), len(t), len(d))
    if tuple(int(x) for x in m.group(1, 2, 3, 4)) != want_c:
        print('  %r: ls -0 says %s, python %s' % (p, m.group(1, 2, 3, 4), want_c))
        bad = 1
if len(got) != len(want) or set(got) != want:
    for p in sorted(want ^ set(got)):
        print('  %s: %r' % ('missing' if p in want else 'extra', p))
    bad = 1
# plain ls: the same bytes, newline-terminated
plain = open(sys.argv[4], 'rb').read()
if plain != data.replace(b'\0', b'\n'):
    print('  ls and ls -0 differ other than in the terminator')
    bad = 1
sys.exit(bad)
EOF

# ---- total and ls of single files and directories named strangely
"$PYTHON3" - "$WCINDEX" "$DB" "$ROOT" <<'EOF' || fail "total/ls of strange paths"
import os, subprocess, sys
wci, db, root = sys.argv[1], sys.argv[2], os.fsencode(sys.argv[3])
bad = 0
def run(*args, cwd=None):
    return subprocess.run([wci, '--db', db] + list(args), stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, cwd=cwd)
def counts(p):
    d = open(p, 'rb').read()
    t = d.decode('utf-8', 'surrogateescape')
    return [d.count(b'\n'), len(t.split()), len(t), len(d)]
for rel in [b'new\nline', b'\xff\xfe', b'dir\nwith newline/inner\tdir', b'dir\xff\xfeinvalid',
            b'-leading-dash', b'*glob?[x]', b'percent%s%n', b'  spaces  ', b' ']:
    p = os.path.join(root, rel)
    r = run('total', p)
    if r.returncode != 0:
        print('  total %r exited %d: %r' % (p, r.returncode, r.stderr))
        bad = 1
        continue
    out = r.stdout
    fields = out.split(None, 5)
    if os.path.isfile(p):
        want = counts(p) + [1]
        if [int(x) for x in fields[:5]] != want or fields[5] != p + b'\n':
            print('  total %r printed %r, want %s' % (p, out, want))
            bad = 1
    elif not out.endswith(b' ' + p + b'\n'):
        print('  total %r printed %r' % (p, out))
        bad = 1
    r = run('ls', '-0', p)
    if r.returncode != 0 or not r.stdout.endswith(b'\0'):
        print('  ls -0 %r exited %d: %r' % (p, r.returncode, r.stdout))
        bad = 1
    elif os.path.isfile(p) and r.stdout.split(None, 5)[5] != p + b'\0':
        print('  ls -0 %r printed %r' % (p, r.stdout))
        bad = 1
# relative names that look like options, after "--"
for rel in [b'-leading-dash', b'-n', b'--help']:
    r = run('total', '--', rel, cwd=root)
    want = counts(os.path.join(root, rel)) + [1]
    f = r.stdout.split(None, 5)
    if r.returncode != 0 or [int(x) for x in f[:5]] != want or f[5] != rel + b'\n':
        print('  total -- %r (relative) exited %d: %r %r' % (rel, r.returncode, r.stdout, r.stderr))
        bad = 1
    r = run('ls', '--', rel, cwd=root)
    if r.returncode != 0 or r.stdout.split(None, 5)[5] != os.path.join(root, rel) + b'\n':
        print('  ls -- %r (relative) exited %d: %r %r' % (rel, r.returncode, r.stdout, r.stderr))
        bad = 1
sys.exit(bad)
EOF

# ---- sql finds the names by their bytes
assert_eq 1 "$(q "SELECT count(*) FROM files WHERE name = 'new' || char(10) || 'line' AND dir = '$ROOT'")" \
	"name with a newline, looked up in SQL"
assert_eq 1 "$(q "SELECT count(*) FROM files WHERE CAST(name AS BLOB) = x'fffe' AND dir = '$ROOT'")" \
	"invalid UTF-8 name, looked up as a blob"
assert_eq 1 "$(q "SELECT count(*) FROM dirs WHERE hex(path) = hex('$ROOT/dir') || 'FFFE' || hex('invalid')")" \
	"invalid UTF-8 directory name"
assert_eq "txt|||" "$(q "SELECT group_concat(ext, '|') FROM (SELECT ext FROM files WHERE dir = '$ROOT' AND name IN ('x.TXT', '...', '.hidden', 'ends.') ORDER BY ext DESC)")" \
	"ext of x.TXT, ..., .hidden, ends."

# ---- a rescan sees the same names: nothing new, nothing deleted
scan_ok "$ROOT"
assert_stats 0 0 0 "$N" 0 0 "rescan of strange names"

# ---- delete some of them: exactly those rows go
K=$(count_files "$ROOT/dir
with newline")
rm -rf "$ROOT/dir
with newline" "$ROOT/"$'\xff\xfe' "$ROOT/new
line"
scan_ok "$ROOT"
assert_stats 0 0 $((K + 2)) $((N - K - 2)) 0 0 "rescan after deleting strange names"
check_index "$ROOT"
assert_eq 0 "$(q "SELECT count(*) FROM dirs WHERE instr(path, 'newline') > 0")" "dirs rows of the deleted directory"
# ---- paths longer than PATH_MAX (4096): 25 levels of 200- to 244-byte names
DB=$TMP/deep.db
D=$TMP/deep
mkdir "$D"
deep_words=$("$PYTHON3" - "$D" <<'EOF'
import os, sys, time
t = time.time_ns() - 10 * 10**9
fd = os.open(sys.argv[1], os.O_RDONLY)
words = []
for i in range(25):
    name = ('%02d' % i) + ('d' * 200 if i % 2 else '\u00e9' * 120)
    os.mkdir(name, dir_fd=fd)
    nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = nfd
    f = os.open('file.txt', os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
    data = b'level %d has\xe3\x80\x80%s words\n' % (i, b' w' * i)
    os.write(f, data)
    os.close(f)
    os.utime('file.txt', ns=(t, t), dir_fd=fd)
    words.append(str(len(data.decode('utf-8').split())))
print(' '.join(words))
EOF
) || fail "cannot create the deep tree"
scan_ok "$D"
assert_stats 25 0 0 0 0 "scan of a tree deeper than PATH_MAX"
assert_eq "$deep_words" \
	"$(q "SELECT group_concat(words, ' ') FROM (SELECT words FROM files ORDER BY length(path))")" "words of the deep files"
[ "$(q "SELECT max(length(CAST(path AS BLOB))) FROM files")" -gt 5000 ] || fail "setup: the deep tree is not deep"
assert_eq 25 "$(wci ls "$D" | wc -l)" "ls of the deep tree"
scan_ok "$D"
assert_stats 0 0 0 25 0 0 "rescan of the deep tree"
"$PYTHON3" - "$D" <<'EOF' || fail "cannot delete part of the deep tree"
import os, shutil, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
for i in range(2):
    name = ('%02d' % i) + ('d' * 200 if i % 2 else '\u00e9' * 120)
    nfd = os.open(name, os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = nfd
shutil.rmtree('02' + '\u00e9' * 120, dir_fd=fd)
EOF
scan_ok "$D"
assert_stats 0 0 23 2 0 0 "rescan after deleting most of the deep tree"
assert_eq 2 "$(q "SELECT count(*) FROM files")" "rows left of the deep tree"
assert_eq 3 "$(q "SELECT count(*) FROM dirs")" "dirs rows left of the deep tree"

pass "$N strangely named files and a tree deeper than PATH_MAX round-trip"
