#!/bin/bash
# migrate.sh - a database that an older wcindex wrote (tests/data/
# index-v3.sql: schema 3, dumped from a real scan) is upgraded by the first
# command that writes, keeping every row as it was: the files, their counts
# and flags, the totals; readers refuse it with a hint instead.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

DB=$TMP/old.db
OLD=/tmp/fx3/t
"$PYTHON3" - "$DB" "$TEST_SRCDIR/data/index-v3.sql" <<'PY' || fail "cannot load the schema-3 dump"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.executescript(open(sys.argv[2]).read())
# as the release before stored it: a lone compressed file under "gz"
c.execute("INSERT INTO entries(dir_id, name, ext, dev, ino, size, mtime_ns,"
          " ctime_ns, bytes, lines, words, chars, flags, status, scan_id)"
          " SELECT id, 'ls.1.gz', 'gz', 1, 99, 20, 1, 1, 40, 2, 6, 40, 32,"
          " 'ok', 1 FROM dirs WHERE parent IS NULL")
c.commit()
c.close()
PY
rows_sql="SELECT path, member, lines, words, chars, bytes, flags, status FROM files WHERE path LIKE '$OLD/%' AND name != 'ls.1.gz' ORDER BY path, member"

rc=0
"$WCINDEX" --db "$DB" total >/dev/null 2>"$TMP/err" || rc=$?
assert_eq 2 "$rc" "a reader of a schema-3 database"
assert_match "to upgrade it" "$(cat "$TMP/err")" "the reader's hint"

NEW=$TMP/new
mkdir "$NEW"
printf 'fresh words\n' >"$NEW/n.txt"
scan_ok "$NEW"
assert_eq 6 "$(q "PRAGMA user_version")" "the schema after the first scan"
assert_eq ok "$(q "PRAGMA integrity_check")" "the upgraded database"
"$WCINDEX" --db "$DB" sql --csv "$rows_sql" >"$TMP/rows.csv" || fail "cannot read the rows"
diff "$TEST_SRCDIR/data/index-v3.files.csv" "$TMP/rows.csv" >&2 ||
	fail "the rows of the old root changed in the upgrade"
# the totals the old release printed, and the row added to the dump
read -r l w c b f _ <"$TEST_SRCDIR/data/index-v3.total"
assert_eq "$((l + 2)) $((w + 6)) $((c + 40)) $((b + 40)) $((f + 1))" \
	"$("$WCINDEX" --db "$DB" total "$OLD" | awk '{print $1, $2, $3, $4, $5}')" "the old root's totals"
assert_eq 1 "$(q "SELECT ext FROM files WHERE name = 'ls.1.gz'")" \
	"a compressed file takes the extension of what it holds"
assert_eq 0 "$(q "SELECT count(*) FROM files WHERE ext = 'gz' AND NOT archive")" \
	"no compressed document left under gz"
assert_eq "$OLD,ok,,6" "$(q "SELECT root, state, settings, files FROM root_list WHERE root = '$OLD'")" \
	"the old root in root_list: default settings until a scan gives some"
assert_eq "$NEW,1" "$(q "SELECT root, files FROM history")" "history starts with the first scan after"
assert_eq 0 "$(q "SELECT count(*) FROM changes WHERE root_id = (SELECT id FROM roots WHERE path = '$OLD')")" \
	"no change is made up for the old root"
pass "a schema-3 database upgraded to 6 with every row kept"
