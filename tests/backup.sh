#!/bin/bash
# backup.sh - `wcindex backup FILE` writes a consistent copy of the index,
# even while a scan writes to it: the copy passes integrity_check, has the
# schema version of the index, is in rollback-journal mode, and holds the
# index as of one commit (the rows of a subset of the files the scan ends
# with, each as the scan left it).  The copy is new and 0600, written
# beside FILE and renamed into place; an existing FILE needs --force, a
# symbolic link is refused.  Copies of several indexes can be queried
# together with ATTACH, as the manual shows.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

TREE=$TMP/tree
gen_tree "$TREE/old" --files 2000 --dirs 40 --seed 21 --small
scan_ok "$TREE"
N0=$(q "SELECT count(*) FROM entries")
gen_tree "$TREE/new" --files 8000 --dirs 80 --seed 22 --small
printf 'the worker hangs on this one\n' >"$TREE/zz-hang-here.txt"

# copies while a scan adds the new files (and then hangs on one file)
mkdir "$TMP/copies"
WCINDEX_TEST_FAULT=hang:zz-hang-here bg_start "$WCINDEX" --db "$DB" scan -q -j 2 --timeout 3 "$TREE"
SCAN=$BG_PID
i=0
while kill -0 "$SCAN" 2>/dev/null && [ $i -lt 200 ]; do
	(umask 022; wci backup "$TMP/copies/c$i.db") || fail "backup $i during the scan failed"
	i=$((i + 1))
done
wait "$SCAN" || true
[ $i -ge 2 ] || fail "only $i copies during the scan"
N1=$(q "SELECT count(*) FROM entries")
[ "$N1" -gt "$N0" ] || fail "the scan added no rows"

"$PYTHON3" - "$DB" "$N0" "$N1" "$TMP/copies"/c*.db <<'EOF' || fail "a copy made during the scan is not the index at one commit"
import sqlite3, sys, os, stat
db, n0, n1, copies = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
final = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
version = final.execute("PRAGMA user_version").fetchone()[0]
running = partial = 0
for c in copies:
    mode = stat.S_IMODE(os.stat(c).st_mode)
    assert mode == 0o600, '%s: mode %o' % (c, mode)
    with open(c, 'rb') as f:
        hdr = f.read(20)
    assert hdr[18:20] == b'\x01\x01', '%s: not in rollback-journal mode' % c
    b = sqlite3.connect('file:%s?mode=ro' % c, uri=True)
    assert b.execute("PRAGMA integrity_check").fetchall() == [('ok',)], c
    assert b.execute("PRAGMA user_version").fetchone()[0] == version, c
    n = b.execute("SELECT count(*) FROM entries").fetchone()[0]
    assert n0 <= n <= n1, '%s: %d rows, not between %d and %d' % (c, n, n0, n1)
    partial += n0 < n < n1
    # every file row of the copy is in the final index as it is there
    b.execute("ATTACH ? AS f", ('file:%s?mode=ro' % db,))
    q = ("SELECT path, lines, words, chars, bytes FROM main.files EXCEPT "
         "SELECT path, lines, words, chars, bytes FROM f.files")
    extra = b.execute(q).fetchall()
    assert not extra, '%s: rows not in the final index: %r' % (c, extra[:3])
    running += b.execute("SELECT count(*) FROM scans WHERE status = 'running'").fetchone()[0]
    b.close()
assert running, 'no copy was made while the scan was running'
print('backup: %d copies, %d with a running scan, %d part way' % (len(copies), running, partial))
EOF

# the file rules
rc=0
out=$(wci backup "$TMP/copies/c0.db" 2>&1) || rc=$?
assert_eq 2 "$rc" "exit status of a backup onto an existing file"
assert_match "exists: --force" "$out" "message of a backup onto an existing file"
wci backup --force "$TMP/copies/c0.db" || fail "backup --force failed"
assert_eq "$N1" "$(DB=$TMP/copies/c0.db q "SELECT count(*) FROM entries")" "rows of the copy made with --force"
ln -s c1.db "$TMP/copies/link.db"
rc=0
out=$(wci backup --force "$TMP/copies/link.db" 2>&1) || rc=$?
assert_eq 2 "$rc" "exit status of a backup onto a symbolic link"
assert_match "symbolic link" "$out" "message of a backup onto a symbolic link"
rc=0
wci backup --force "$DB" 2>/dev/null || rc=$?
assert_eq 2 "$rc" "exit status of a backup onto the database itself"
(umask 000; wci backup "$TMP/copies/open.db") || fail "backup with umask 000 failed"
assert_eq 600 "$(stat -c %a "$TMP/copies/open.db")" "mode of a copy made with umask 000"
[ -z "$(find "$TMP/copies" -name '*.tmp-*')" ] || fail "a temporary file was left"

# two hosts' copies queried together, as in the manual
cp "$TMP/copies/c0.db" "$TMP/host-a.db"
DB=$TMP/b.db scan_ok "$TREE/old"
DB=$TMP/b.db wci backup "$TMP/host-b.db"
got=$("$PYTHON3" - "$TMP" <<'EOF'
import sqlite3, sys
c = sqlite3.connect(':memory:')
c.execute("ATTACH ? AS a", (sys.argv[1] + '/host-a.db',))
c.execute("ATTACH ? AS b", (sys.argv[1] + '/host-b.db',))
print(' '.join(str(r[1]) for r in c.execute(
    "SELECT 'a' AS host, sum(words) FROM a.files UNION ALL "
    "SELECT 'b', sum(words) FROM b.files")))
EOF
)
assert_eq "$(DB=$TMP/host-a.db q "SELECT sum(words) FROM files") $(DB=$TMP/b.db q "SELECT sum(words) FROM files")" \
	"$got" "words per host through ATTACH"

pass "consistent copies"
