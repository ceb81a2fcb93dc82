#!/bin/bash
# readonly.sh - the read commands (total, ls, status, sql, backup) work for
# a user who may read the database but not write it or its directory
# (tests run as root: that user is nobody): with no -wal and -shm beside
# it, with them present (0644 and 0600, an empty log and a log holding
# commits), and while a scan runs as root, where a read either succeeds
# with the totals of one commit or fails saying why, never showing a torn
# or stale index.  A read command's statements all see one snapshot.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

find_unprivileged "$TMP"
[ -n "$AS_USER" ] || skip "no way to run a command as another user (setpriv, runuser)"
[ "$AS_USER" != " " ] || skip "runs unprivileged: cannot make files that user cannot write"

TREE=$TMP/tree
gen_tree "$TREE" --files 300 --dirs 12 --seed 12 --small
printf 'the worker hangs on this one\n' >"$TREE/zz-hang-here.txt"
IDX=$TMP/idx
mkdir "$IDX"
chmod 755 "$IDX"
DB=$IDX/index.db
scan_ok "$TREE"
chmod 644 "$DB"
SQL="SELECT count(*) || ' ' || sum(words) || ' ' || sum(bytes) FROM files"

# as_nobody ARGS...: wcindex on $DB as the unprivileged user, bounded.
as_nobody () {
	# shellcheck disable=SC2086
	timeout -k 5 30 $AS_USER "$WCINDEX" --db "$DB" "$@"
}

# expect_reads LABEL: every read command as nobody exits 0, says nothing
# on stderr and prints what root's prints; nothing is created beside the
# database.
expect_reads () {
	local label=$1 cmd rc i=0 before
	local -a cmds=(total ls status "sql --csv")
	before=$(ls -A "$IDX")
	for cmd in "${cmds[@]}"; do
		if [ "$cmd" = "sql --csv" ]; then set -- sql --csv "$SQL"; else set -- $cmd; fi
		rc=0
		as_nobody "$@" >"$TMP/got.$i" 2>"$TMP/err" || rc=$?
		[ $rc = 0 ] && [ ! -s "$TMP/err" ] ||
			{ cat "$TMP/err" >&2; fail "$label: '$*' as nobody exited $rc"; }
		i=$((i + 1))
	done
	rm -f "$TMP/out/copy.db"
	rc=0
	as_nobody backup "$TMP/out/copy.db" 2>"$TMP/err" || rc=$?
	[ $rc = 0 ] || { cat "$TMP/err" >&2; fail "$label: backup as nobody exited $rc"; }
	assert_eq "$before" "$(ls -A "$IDX")" "$label: files beside the database after nobody's reads"
	i=0
	for cmd in "${cmds[@]}"; do
		if [ "$cmd" = "sql --csv" ]; then set -- sql --csv "$SQL"; else set -- $cmd; fi
		assert_eq "$(wci "$@")" "$(cat "$TMP/got.$i")" "$label: output of '$*' as nobody"
		i=$((i + 1))
	done
	assert_eq "$(q "$SQL")" "$(DB=$TMP/out/copy.db q "$SQL")" "$label: the copy nobody made"
}

# expect_refused LABEL: every read command as nobody exits 2 saying it
# cannot read consistently, and prints nothing on stdout.
expect_refused () {
	local cmd rc got
	for cmd in total ls status sql; do
		if [ "$cmd" = sql ]; then set -- sql "$SQL"; else set -- $cmd; fi
		rc=0
		got=$(as_nobody "$@" 2>"$TMP/err") || rc=$?
		assert_eq "2 " "$rc $got" "$1: exit status and output of '$*' as nobody"
		assert_match "cannot read '.*' consistently: .*-wal" "$(cat "$TMP/err")" "$1: message of '$*'"
	done
}

# leave_log MODE empty|commits: leave a -wal and -shm beside $DB as a
# writer that died leaves them (empty: after a checkpoint that emptied
# the log; commits: with a commit only the log holds, which adds 1000 words
# to one file), both with MODE.
leave_log () {
	"$PYTHON3" - "$DB" "$2" <<'EOF'
import os, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA wal_autocheckpoint = 0")
c.execute("SELECT count(*) FROM entries").fetchall()
if sys.argv[2] == 'empty':
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
else:
    c.execute("UPDATE entries SET words = words + 1000 WHERE id = (SELECT min(id) FROM entries WHERE member = '' AND status = 'ok' AND flags = 0)")
os._exit(0)
EOF
	[ -e "$DB-wal" ] && [ -e "$DB-shm" ] || fail "leave_log: no -wal or -shm"
	chmod "$1" "$DB-wal" "$DB-shm"
}

mkdir "$TMP/out"
chmod 1777 "$TMP/out"
W0=$(q "SELECT sum(words) FROM files")

# ==== the database alone, as a scan leaves it (a read by root, which
# could create them, leaves an empty -wal and a -shm: removed here)
[ ! -s "$DB-wal" ] || fail "the log is not empty after a scan and reads"
rm -f "$DB-wal" "$DB-shm"
expect_reads "no -wal or -shm"
note "the database alone: read"

# ==== -wal and -shm left, empty log
leave_log 644 empty
expect_reads "empty log, -wal and -shm 0644"
leave_log 600 empty
expect_reads "empty log, -wal and -shm 0600"
note "an empty log with -wal and -shm 0644 and 0600: read"

# ==== a log holding a commit: read through a readable -shm, refused otherwise
leave_log 600 commits
expect_refused "a commit in the log, -wal and -shm 0600"
chmod 644 "$DB-wal" "$DB-shm"
got=$(as_nobody sql --csv "SELECT sum(words) FROM files") || fail "reading the log through a -shm 0644"
assert_eq $((W0 + 1000)) "$(printf '%s\n' "$got" | sed 1d)" "words read by nobody through the log"
expect_reads "a commit in the log, -wal and -shm 0644"
note "a commit in the log: read through a readable -shm, refused without"
# a scan puts the log into the file (and recounts the file changed
# behind its back); the database alone again
scan_ok --full "$TREE"
[ ! -s "$DB-wal" ] || fail "the scan left its log"
W0=$(q "SELECT sum(words) FROM files")

# ==== while a scan runs as root (the worker hangs on one file, after the
# others are committed): every read is of one commit, or refused.
reads_during_scan () {
	local label=$1 ok=0 refused=0 rc got end
	end=$((SECONDS + 4))
	while [ $SECONDS -lt $end ] && kill -0 "$BG_PID" 2>/dev/null; do
		rc=0
		got=$(as_nobody sql --csv "$SQL" 2>"$TMP/err") || rc=$?
		if [ $rc = 0 ]; then
			[ ! -s "$TMP/err" ] || { cat "$TMP/err" >&2; fail "$label: a read wrote to stderr"; }
			assert_eq "$N_FILES $W0" "$(printf '%s\n' "$got" | sed 1d | cut -d' ' -f1-2)" "$label: files and words read"
			ok=$((ok + 1))
		else
			assert_eq 2 "$rc" "$label: exit status of a refused read"
			assert_match "cannot read '.*' consistently" "$(cat "$TMP/err")" "$label: message of a refused read"
			refused=$((refused + 1))
		fi
	done
	note "$label: $ok reads, $refused refused"
	[ $((ok + refused)) -gt 0 ] || fail "$label: no read while the scan ran"
	READS_OK=$ok
}
N_FILES=$(q "SELECT count(*) FROM files")

# the -wal and -shm the scan creates are 0644 like the database: read
WCINDEX_TEST_FAULT=hang:zz-hang-here bg_start "$WCINDEX" --db "$DB" scan -q --full -j 2 --timeout 4 "$TREE"
for _ in $(seq 100); do [ -e "$DB-shm" ] && break; sleep 0.05; done
reads_during_scan "a scan running, -shm 0644"
[ "$READS_OK" -gt 0 ] || fail "no read succeeded during a scan with a readable -shm"
wait "$BG_PID" || true

# the database made readable during a scan whose -shm is 0600: refused or
# read consistently
chmod 600 "$DB"
WCINDEX_TEST_FAULT=hang:zz-hang-here bg_start "$WCINDEX" --db "$DB" scan -q --full -j 2 --timeout 4 "$TREE"
for _ in $(seq 100); do [ -e "$DB-shm" ] && break; sleep 0.05; done
chmod 644 "$DB"
reads_during_scan "a scan running, -shm 0600"
wait "$BG_PID" || true
[ ! -s "$DB-wal" ] || fail "the scan left its log"
W0=$(q "SELECT sum(words) FROM files")
rm -f "$DB-wal" "$DB-shm"	# the next reader reads the file directly

# ==== a direct reader (no -shm for nobody) holds one snapshot while a
# whole scan changes the index: its two sums agree, and the scan cannot
# move its log into the file under it.
SLOW="WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 20000000) SELECT count(*) FROM c"
bg_start $AS_USER "$WCINDEX" --db "$DB" sql --csv --timeout 60 \
	"SELECT sum(words) FROM files; $SLOW; SELECT sum(words) FROM files" >"$TMP/snap.out" 2>"$TMP/snap.err"
READER=$BG_PID
sleep 0.3
find "$TREE" -name '*.txt' | sort | head -20 | while IFS= read -r f; do
	echo "five more words right here" >>"$f"
done
scan_ok "$TREE"
W1=$(q "SELECT sum(words) FROM files")
assert_ne "$W0" "$W1" "words after the scan"
if kill -0 "$READER" 2>/dev/null; then
	# the scan could not move its log into the file under the reader
	[ -s "$DB-wal" ] || fail "the scan emptied its log under a direct reader"
else
	note "the slow reader ended before the scan did (a slow machine?)"
fi
wait "$READER" || { cat "$TMP/snap.err" >&2; fail "the slow direct reader failed"; }
got=$(grep -v '^sum\|^count\|^20000000$' "$TMP/snap.out" | paste -sd' ')
assert_eq "$W0 $W0" "$got" "the two sums of one read command across a scan"
# what the scan wrote is all there, for root and nobody alike
assert_eq "$W1" "$(as_nobody sql --csv "SELECT sum(words) FROM files" | sed 1d)" "words nobody reads after the scan"
assert_eq ok "$(q "PRAGMA integrity_check")" "integrity after the scan"

pass "readers that cannot write"
