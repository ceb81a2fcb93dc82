#!/bin/bash
# db-safety.sh - the database path and the limits a scan runs under.
# A database path that cannot be one (empty, "/", a directory, a name
# ending in '/', a symbolic link) is refused before anything is created
# for it: no lock file, no database, the link's target untouched.  A new
# database and its lock are 0600 and a default location's new directories
# 0700, whatever the umask.  `wcindex sql` cannot write, attach or VACUUM
# INTO, and stops a statement at its --timeout.  A scan whose database is
# replaced under it fails instead of writing on, one with no worker
# process keeps every row as it was, one whose checkpoint a
# long reader blocks says so.  A scan run under a hard
# address-space limit below the workers' own 2 GiB still counts every file
# (the workers get the smaller limit instead of failing to start); under
# lower limits it fails cleanly (exit 2, the scan recorded 'failed').
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

TREE=$TMP/tree
gen_tree "$TREE" --files 20 --dirs 2 --seed 81 --small
NT=$(count_files "$TREE")

# refused DB: what it says, and that nothing was created
refused () {
	local db=$1 what=$2 rc=0 out
	out=$("$WCINDEX" --db "$db" scan "$TREE" 2>&1) || rc=$?
	assert_eq 2 "$rc" "exit status of a scan with --db $what"
	one_line "$out" "message of --db $what"
}

one_line () {
	[ "$(printf '%s\n' "$1" | wc -l)" = 1 ] || fail "$2: not one line: $1"
}

cd "$TMP"
before=$(ls -A "$TMP" | sort)
refused "" "''"
assert_match "empty" "$(cd "$TMP" && "$WCINDEX" --db "" status 2>&1 || true)" "--db '' names the problem"
assert_eq "$before" "$(ls -A "$TMP" | sort)" "files created by --db ''"

root_lock_existed=0
[ -e /.lock ] && root_lock_existed=1
refused / "/"
if [ "$root_lock_existed" = 0 ] && [ -e /.lock ]; then
	rm -f /.lock
	fail "--db / created /.lock"
fi

mkdir "$TMP/dir"
refused "$TMP/dir" "a directory"
refused "$TMP/newdir/" "a name ending in /"
assert_eq "" "$(ls -A "$TMP" | grep -e '^dir\.lock' -e '^newdir' || true)" "files created for a directory"

: >"$TMP/target"
ln -s target "$TMP/link.db"
refused "$TMP/link.db" "a symbolic link"
assert_match "symbolic link" "$("$WCINDEX" --db "$TMP/link.db" total 2>&1 || true)" "readers refuse the link too"
[ ! -s "$TMP/target" ] || fail "the link's target was written to"
for f in link.db.lock target.lock link.db-wal target-wal; do
	[ ! -e "$TMP/$f" ] || fail "$f was created for a symbolic link"
done

# modes: a new database and its lock 0600, new directories 0700
DB=$TMP/modes.db
(umask 022; scan_ok "$TREE")
assert_eq "600 600" "$(stat -c %a "$DB" "$DB.lock" | paste -sd' ')" "modes of a new database and its lock"
rc=0
(umask 000; XDG_DATA_HOME=$TMP/xdg HOME=$TMP "$WCINDEX" scan -q "$TREE") || rc=$?
assert_eq 0 "$rc" "exit status of a scan into the default location"
assert_eq "700 700 600" "$(stat -c %a "$TMP/xdg" "$TMP/xdg/wcindex" "$TMP/xdg/wcindex/index.db" | paste -sd' ')" \
	"modes of the default location's new directories and database"

# `wcindex sql` reads and nothing else, and not for ever
DB=$TMP/modes.db
sql_refused () {
	local rc=0 out
	out=$("$WCINDEX" --db "$DB" sql "$1" 2>&1) || rc=$?
	assert_eq 2 "$rc" "exit status of sql \"$1\""
	assert_match "not authorized|authorization denied|VACUUM from within a transaction" "$out" "message of sql \"$1\""
}
sql_refused "VACUUM INTO '$TMP/copy.db'"
[ ! -e "$TMP/copy.db" ] || fail "VACUUM INTO wrote a copy of the database"
sql_refused "ATTACH '$TMP/other.db' AS o"
[ ! -e "$TMP/other.db" ] || fail "ATTACH created a database"
sql_refused "DELETE FROM entries"
sql_refused "CREATE TABLE t(x)"
assert_eq "$NT" "$(q "SELECT count(*) FROM files")" "rows after the refused statements"
t0=$(date +%s%N)
rc=0
out=$("$WCINDEX" --db "$DB" sql --timeout 1 \
	"WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c" 2>&1) || rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
assert_eq 2 "$rc" "exit status of an endless query with --timeout 1"
assert_match "longer than 1 s" "$out" "message of an endless query with --timeout 1"
[ "$ms" -lt 10000 ] || fail "an endless query with --timeout 1 ran $ms ms"

# the database replaced while a scan writes to it: the scan's later commits
# would go to the unlinked file, so it fails (exit 2) and says why, and the
# file now at the path is left as it was put there (SQLite would leave the
# replaced file's log beside it, to be replayed into it).  The hung worker holds
# the scan open until its --timeout, after the replacement.
DB=$TMP/moved.db
scan_ok "$TREE"
cp "$DB" "$TMP/other.db"
echo "a victim" >"$TREE/hang-victim.txt"
WCINDEX_TEST_FAULT=hang:hang-victim bg_start "$WCINDEX" --db "$DB" scan -q -j 2 \
	--timeout 3 "$TREE" 2>"$TMP/moved.err"
sleep 1
kill -0 "$BG_PID" 2>/dev/null || fail "the scan with a hung worker ended before the database was replaced"
mv "$TMP/other.db" "$DB"
rc=0
wait "$BG_PID" || rc=$?
assert_eq 2 "$rc" "exit status of a scan whose database was replaced"
assert_match "replaced or removed" "$(cat "$TMP/moved.err")" "message of a scan whose database was replaced"
assert_eq "$NT 0" "$(q "SELECT count(*) || ' ' || count(*) FILTER (WHERE path LIKE '%hang-victim%') FROM files")" \
	"files in the database put in place (the first scan's)"
assert_eq "1 done" "$(q "SELECT group_concat(id || ' ' || status) FROM scans")" \
	"scans in the database put in place (the log of the replaced one not replayed)"
assert_eq ok "$(q "PRAGMA integrity_check")" "integrity of the database put in place"
rm -f "$TREE/hang-victim.txt"

# no worker process can be started (here: one that cannot exec, status
# 127): the scan stops with exit 2 and one line saying so, and the rows
# of the files it could not count keep their counts, not an error status
# that would drop them from the totals.
DB=$TMP/noworker.db
scan_ok "$TREE"
before=$(q "SELECT sum(words) || ' ' || count(*) FROM counted_entries")
for f in $(find "$TREE" -type f | sort | head -3); do echo "two more" >>"$f"; done
printf '#!/bin/sh\nexit 127\n' >"$TMP/noexec.sh"
chmod +x "$TMP/noexec.sh"
rc=0
"$WCINDEX" --db "$DB" scan -q --worker-exe "$TMP/noexec.sh" "$TREE" 2>"$TMP/noworker.err" || rc=$?
assert_eq 2 "$rc" "exit status of a scan with no worker"
assert_eq 1 "$(grep -c "no worker process could be started" "$TMP/noworker.err")" "lines saying no worker could be started"
assert_eq "$before" "$(q "SELECT sum(words) || ' ' || count(*) FROM counted_entries")" "totals after a scan with no worker"
assert_eq 0 "$(q "SELECT count(*) FROM entries WHERE status = 'error'")" "rows turned into errors by a scan with no worker"
assert_eq failed "$(q "SELECT status FROM scans ORDER BY id DESC LIMIT 1")" "status of a scan with no worker"
scan_ok "$TREE"
assert_eq 3 "$(q "SELECT files_changed + files_rechecked FROM scans ORDER BY id DESC LIMIT 1")" "files recounted by the next scan"

# a reader holding one snapshot through a scan: its checkpoint cannot
# finish, which the scan says (stderr, errors view) without failing; a
# scan with no such reader says nothing.
DB=$TMP/reader.db
scan_ok "$TREE"
rc=0
out=$("$WCINDEX" --db "$DB" scan -q --full "$TREE" 2>&1) || rc=$?
assert_eq "0 " "$rc $out" "a full scan with no reader"
"$PYTHON3" -c '
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN")
c.execute("SELECT count(*) FROM entries").fetchall()
open(sys.argv[2], "w").close()
time.sleep(30)' "$DB" "$TMP/reader.ready" &
reader=$!
BG_PIDS="$BG_PIDS $reader"
for _ in $(seq 100); do [ -e "$TMP/reader.ready" ] && break; sleep 0.1; done
[ -e "$TMP/reader.ready" ] || fail "setup: the reader did not start"
rc=0
out=$("$WCINDEX" --db "$DB" scan -q --full "$TREE" 2>&1) || rc=$?
kill "$reader" 2>/dev/null || true
wait "$reader" 2>/dev/null || true
assert_eq 0 "$rc" "exit status of a scan under a long reader"
assert_match "holds an old snapshot: its log '$DB-wal' \\(.*\\) cannot be folded back" "$out" \
	"warning of a scan under a long reader"
one_line "$out" "warning of a scan under a long reader"
assert_eq "checkpoint 3" "$(q "SELECT stage || ' ' || scan_id FROM errors")" "the blocked checkpoint in the errors view"

# a hard address-space limit under the workers' 2 GiB
if [ -n "${ASAN_OPTIONS:-}" ]; then
	note "address-space limit: skipped under AddressSanitizer (it reserves terabytes)"
else
	DB=$TMP/as.db
	rc=0
	(ulimit -v 1900000 && "$WCINDEX" --db "$DB" scan -q "$TREE") 2>"$TMP/as.err" || rc=$?
	[ "$rc" = 0 ] || { cat "$TMP/as.err" >&2; fail "a scan under ulimit -v 1900000 exited $rc"; }
	assert_eq "$NT 0" "$(q "SELECT files_new || ' ' || files_failed FROM scans")" "files counted under ulimit -v 1900000"

	# Out of memory in the scan itself, at every limit from "enough" down
	# to "no thread can start": exit 2 with a message, never an abort,
	# and the scan's row never left running.  At least one limit must hit
	# an allocation after the scan began (recorded 'failed' with a row of
	# stage 'memory').
	BIGT=$TMP/big-tree
	gen_tree "$BIGT" --files 5000 --dirs 20 --seed 83 --small
	hit=0
	for lim in 300000 200000 150000 120000 100000 90000 80000 70000 60000; do
		DB=$TMP/oom-$lim.db
		rc=0
		(ulimit -v "$lim" && "$WCINDEX" --db "$DB" scan -q "$BIGT") >/dev/null 2>"$TMP/oom.err" || rc=$?
		case $rc in
		0) continue ;;
		2) ;;
		# the lowest limits leave no room for the shared libraries
		# (poppler's pull in cairo's): the loader stops before main()
		127) grep -q "error while loading shared libraries" "$TMP/oom.err" &&
			continue
			cat "$TMP/oom.err" >&2; fail "a scan under ulimit -v $lim exited $rc" ;;
		*) cat "$TMP/oom.err" >&2; fail "a scan under ulimit -v $lim exited $rc" ;;
		esac
		[ -s "$TMP/oom.err" ] || fail "a scan under ulimit -v $lim exited 2 in silence"
		[ -e "$DB" ] || continue
		assert_eq "" "$(q "SELECT id FROM scans WHERE status = 'running'")" "scans left running under ulimit -v $lim"
		if [ -n "$(q "SELECT 1 FROM errors WHERE stage = 'memory'")" ]; then
			assert_match "out of memory: the scan stops" "$(cat "$TMP/oom.err")" "message under ulimit -v $lim"
			assert_eq failed "$(q "SELECT status FROM scans")" "status of a scan out of memory"
			assert_eq ok "$(q "PRAGMA integrity_check")" "integrity after running out of memory"
			hit=$((hit + 1))
		fi
	done
	[ "$hit" -gt 0 ] || fail "no limit made the scan run out of memory after it began"
fi

pass "bad database paths refused, private modes, sql read-only and bounded, a replaced database detected, a blocked checkpoint told, no worker no harm, workers under a low address-space limit, out of memory recorded"
