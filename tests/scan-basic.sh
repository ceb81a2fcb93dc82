#!/bin/bash
# scan-basic.sh - a first scan of a generated tree and of examples/: every
# file's counts are python's, the totals are python's, the scans, roots and
# dirs tables and the summary line say what happened.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

ROOT=$TMP/tree
gen_tree "$ROOT" --files 300 --dirs 40 --seed 11
N=$(count_files "$ROOT")
[ "$N" -eq 300 ] || fail "gen-tree wrote $N files, not 300"

# ---- the scan itself
scan_ok "$ROOT"
assert_stats "$N" 0 0 0 0 0 "first scan"
assert_eq 1 "$(last_scan_id)" "scan id of the first scan"
assert_eq "done $N" "$(q "SELECT status || ' ' || files_seen FROM scans")" "scans status, files_seen"
assert_eq "$ROOT" "$(q "SELECT roots FROM scans")" "scans.roots"
assert_match '(^| )mode=utf8( |$)' "$(q "SELECT options FROM scans")" "scans.options"
assert_eq 1 "$(q "SELECT finished_ns >= started_ns AND started_ns > 0 FROM scans")" "scan times"
assert_eq "$ROOT 1" "$(q "SELECT path || ' ' || last_scan_id FROM roots")" "roots table"
assert_eq "$N" "$(q "SELECT count(*) FROM entries")" "entries rows"
assert_eq "$N" "$(q "SELECT count(*) FROM files WHERE scan_id = 1 AND status = 'ok'")" "rows counted by scan 1"

# bytes_read and words_read are the sums over every file counted
want=$("$PYTHON3" - "$ROOT" <<'EOF'
import os, sys
b = w = 0
for d, _, files in os.walk(os.fsencode(sys.argv[1])):
    for f in files:
        data = open(os.path.join(d, f), 'rb').read()
        b += len(data)
        w += len(data.decode('utf-8', 'surrogateescape').split())
print(b, w)
EOF
)
assert_eq "$want" "$(q "SELECT bytes_read || ' ' || words_read FROM scans")" "scans bytes_read words_read"

# ---- every file, as CSV, against pycount.py
"$WCINDEX" --db "$DB" sql --csv "SELECT path, lines, words, chars, bytes, flags, ext, name FROM files" \
	>"$TMP/files.csv" || fail "sql --csv failed"
"$PYTHON3" - "$TMP/files.csv" "$TEST_SRCDIR/pycount.py" "$N" <<'EOF' || fail "CSV counts differ from pycount.py"
import csv, subprocess, sys
rows = list(csv.reader(open(sys.argv[1], encoding='utf-8', errors='surrogateescape', newline='')))
assert rows[0] == ['path', 'lines', 'words', 'chars', 'bytes', 'flags', 'ext', 'name'], rows[0]
rows = rows[1:]
if len(rows) != int(sys.argv[3]):
    sys.exit('  %d rows, want %s' % (len(rows), sys.argv[3]))
paths = [r[0] for r in rows]
out = subprocess.run([sys.executable, sys.argv[2]] + paths, check=True,
                     stdout=subprocess.PIPE).stdout.decode().splitlines()
bad = 0
for r, want in zip(rows, out):
    w = want.split()
    if r[1:5] != w[:4] or (int(r[5]) & 3) != int(w[4]):
        print('  %s: wcindex %s flags %s, pycount %s' % (r[0], r[1:5], r[5], want))
        bad += 1
    name = r[7]
    dot = name.rfind('.')
    ext = name[dot + 1:].lower() if dot > 0 and dot < len(name) - 1 else ''
    if r[6] != ext:
        print('  %s: ext %r, want %r' % (r[0], r[6], ext))
        bad += 1
sys.exit(1 if bad else 0)
EOF

# ---- and the same through the JSON view, with the set of files
check_index "$ROOT"

# ---- the dirs table holds every directory, with its parent
"$WCINDEX" --db "$DB" sql --json "SELECT path, parent, root_id FROM dirs" >"$TMP/dirs.json" ||
	fail "sql --json on dirs failed"
"$PYTHON3" - "$TMP/dirs.json" "$ROOT" <<'EOF' || fail "dirs table does not match the tree"
import json, os, sys
rows = json.load(open(sys.argv[1]))
root = sys.argv[2]
want = {root: None}
for d, subdirs, _ in os.walk(root):
    for s in subdirs:
        want[os.path.join(d, s)] = d
got = {r['path']: r['parent'] for r in rows}
if got != want:
    for p in sorted(set(got) | set(want)):
        if got.get(p, 'absent') != want.get(p, 'absent'):
            print('  %r: parent %r, want %r' % (p, got.get(p, 'absent'), want.get(p, 'absent')))
    sys.exit(1)
if {r['root_id'] for r in rows} != {1}:
    sys.exit('  root_id %s' % {r['root_id'] for r in rows})
EOF

# ---- wcindex total against python
out=$(wci total "$ROOT") || fail "total exited $?"
assert_eq "$(py_totals "$ROOT")" "$(total_of "$out" "$ROOT")" "total $ROOT (lines words chars bytes files)"
assert_eq 1 "$(printf '%s\n' "$out" | wc -l)" "total of one path prints one line"
out=$(wci total --binary "$ROOT") || fail "total --binary exited $?"
assert_eq "$(py_totals --binary "$ROOT")" "$(total_of "$out" "$ROOT")" "total --binary $ROOT"
nbin=$(q "SELECT count(*) FROM files WHERE binary")
[ "$nbin" -gt 0 ] || fail "the generated tree should hold binary files"
# totals_by_root agrees
assert_eq "$(py_totals "$ROOT" | awk '{print $5, $1, $2, $3, $4}')" \
	"$(q "SELECT files || ' ' || lines || ' ' || words || ' ' || chars || ' ' || bytes FROM totals_by_root")" \
	"totals_by_root"
# a subdirectory and the totals_by_dir view
sub=$(q "SELECT dir FROM files WHERE dir != '$ROOT' AND NOT binary ORDER BY dir LIMIT 1")
[ -n "$sub" ] || fail "no subdirectory with text files"
out=$(wci total "$sub") || fail "total $sub exited $?"
assert_eq "$(py_totals "$sub")" "$(total_of "$out" "$sub")" "total of subdirectory $sub"
direct=$("$PYTHON3" - "$sub" <<'EOF'
import os, sys
d = sys.argv[1]
t = [0] * 5
for f in os.listdir(d):
    p = os.path.join(d, f)
    if os.path.isfile(p):
        data = open(p, 'rb').read()
        if b'\0' in data[:8192]:
            continue
        text = data.decode('utf-8', 'surrogateescape')
        for i, n in enumerate((1, data.count(b'\n'), len(text.split()), len(text), len(data))):
            t[i] += n
print(*t)
EOF
)
assert_eq "$direct" "$(q "SELECT files || ' ' || lines || ' ' || words || ' ' || chars || ' ' || bytes FROM totals_by_dir WHERE dir = '$sub'")" "totals_by_dir $sub"

# ---- examples/, a second root in the same database
EX=$(cd "$TEST_SRCDIR/../examples" && pwd -P) || fail "no examples directory"
NEX=$(count_files "$EX")
[ "$NEX" -gt 10 ] || fail "examples holds only $NEX files"
scan_ok "$EX"
assert_stats "$NEX" 0 0 0 0 "scan of examples"
check_index "$EX"
out=$(wci total "$EX") || fail "total examples exited $?"
assert_eq "$(py_totals "$EX")" "$(total_of "$out" "$EX")" "total examples"
# both roots: one line each, then a total line
out=$(wci total) || fail "total of all roots exited $?"
assert_eq 3 "$(printf '%s\n' "$out" | wc -l)" "total of two roots: lines"
sum=$( { py_totals "$ROOT"; py_totals "$EX"; } | awk '{for (i = 1; i <= 5; i++) s[i] += $i} END {print s[1], s[2], s[3], s[4], s[5]}')
assert_eq "$sum" "$(total_of "$out" total)" "total line of two roots"
assert_eq "$(py_totals "$ROOT")" "$(total_of "$out" "$ROOT")" "first root unchanged by the second scan"
assert_eq 2 "$(q "SELECT count(*) FROM roots")" "two roots"

# ---- wcindex ls agrees with the index, file by file
wci ls "$ROOT" >"$TMP/ls.out" || fail "ls exited $?"
assert_eq "$N" "$(wc -l <"$TMP/ls.out")" "ls prints one line per file"
"$PYTHON3" - "$TMP/ls.out" "$TEST_SRCDIR/pycount.py" <<'EOF' || fail "ls differs from pycount.py"
import subprocess, sys
lines = open(sys.argv[1], encoding='utf-8', errors='surrogateescape').read().splitlines()
rows = []
for l in lines:
    f = l.split(None, 5)
    rows.append((f[5], f[:4]))
out = subprocess.run([sys.executable, sys.argv[2]] + [r[0] for r in rows], check=True,
                     stdout=subprocess.PIPE).stdout.decode().splitlines()
bad = [(p, c, w) for (p, c), w in zip(rows, out) if c != w.split()[:4]]
for b in bad[:10]:
    print('  %s: ls %s, pycount %s' % b)
sys.exit(1 if bad else 0)
EOF
pass "$N generated files and $NEX example files match python"
