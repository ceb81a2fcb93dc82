#!/bin/bash
# scan-concurrent.sh - while a scan runs, read-only commands (sql, total,
# ls, status) succeed at once and see a consistent index, never "database
# is locked"; a second scan of the same database exits 3 naming the pid of
# the first; once the first is gone, scans work again.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

ROOT=$TMP/big
gen_tree "$ROOT" --files 10000 --dirs 10 --seed 51 --small
printf 'the worker hangs on this one\n' >"$ROOT/zz-hang-here.txt"
N=$(count_files "$ROOT")

scan_ok "$ROOT"
assert_stats "$N" 0 0 0 0 "first scan"
WORDS=$(q "SELECT sum(words) FROM files")
BYTES=$(q "SELECT sum(bytes) FROM files")
TEXT_FILES=$(q "SELECT count(*) FROM files WHERE NOT binary")

# reader SECONDS LABEL: run read-only commands for SECONDS; each must exit
# 0 within 3 s, print no error, and see all N files with the same totals.
reader () {
	local end=$((SECONDS + $1)) n=0 t0 out
	while [ $SECONDS -lt "$end" ]; do
		t0=$(date +%s%N)
		out=$(timeout 20 "$WCINDEX" --db "$DB" sql --csv \
			"SELECT count(*) || ' ' || sum(words) || ' ' || sum(bytes) FROM files" 2>"$TMP/reader.err") ||
			{ cat "$TMP/reader.err" >&2; fail "$2: sql failed while a scan runs (query $n)"; }
		[ -s "$TMP/reader.err" ] && { cat "$TMP/reader.err" >&2; fail "$2: sql wrote to stderr"; }
		assert_eq "$N $WORDS $BYTES" "$(printf '%s\n' "$out" | sed 1d)" "$2: files, words, bytes seen by query $n"
		[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 3000 ] || fail "$2: query $n took more than 3 s"
		if [ $((n % 10)) = 0 ]; then
			out=$(timeout 20 "$WCINDEX" --db "$DB" total "$ROOT" 2>"$TMP/reader.err") ||
				{ cat "$TMP/reader.err" >&2; fail "$2: total failed while a scan runs"; }
			assert_eq "$TEXT_FILES" "$(total_of "$out" "$ROOT" | cut -d' ' -f5)" "$2: files in total"
			timeout 20 "$WCINDEX" --db "$DB" status >/dev/null 2>"$TMP/reader.err" ||
				{ cat "$TMP/reader.err" >&2; fail "$2: status failed while a scan runs"; }
		fi
		n=$((n + 1))
	done
	[ $n -ge 5 ] || fail "$2: only $n queries in $1 s"
	READS=$n
}

# ==== a scan that holds the lock: the worker hangs on one file
SCANS_BEFORE=$(last_scan_id)
WCINDEX_TEST_FAULT=hang:zz-hang-here bg_start "$WCINDEX" --db "$DB" scan -q --full "$ROOT"
P1=$BG_PID
# wait until it has taken the lock, recorded itself (the lock comes first)
# and counted the rest
for _ in $(seq 100); do
	[ "$(cat "$DB.lock" 2>/dev/null)" = "$P1" ] &&
		[ "$(last_scan_id)" -gt "$SCANS_BEFORE" ] &&
		[ "$(q "SELECT count(*) FROM entries WHERE scan_id = (SELECT max(id) FROM scans)")" -ge $((N - 256)) ] && break
	sleep 0.1
done
kill -0 "$P1" 2>/dev/null || fail "the hanging scan ended early"
assert_eq "$P1" "$(cat "$DB.lock")" "pid in the lock file of a running scan"
assert_eq running "$(q "SELECT status FROM scans ORDER BY id DESC LIMIT 1")" "scans.status of a running scan"

# a second scan: exit 3 at once, naming the first
nscans=$(q "SELECT count(*) FROM scans")
SCAN_TIMEOUT=20 run_scan "$ROOT"
assert_eq 3 "$SCAN_RC" "exit status of a second scan"
assert_match "pid $P1([^0-9]|\$)" "$SCAN_ERR" "message of a second scan"
assert_eq "" "$SCAN_OUT" "stdout of a second scan"
assert_eq "$nscans" "$(q "SELECT count(*) FROM scans")" "scans rows after a refused scan"
# the same database through another path, and a scan of all roots
ln -s "$TMP" "$TMP/alias"
rc=0
timeout 20 "$WCINDEX" --db "$TMP/alias/$(basename "$DB")" scan >/dev/null 2>"$TMP/err2" || rc=$?
assert_eq 3 "$rc" "exit status of a second scan through a symlinked database path"
assert_match "pid $P1([^0-9]|\$)" "$(cat "$TMP/err2")" "message of a second scan through a symlinked path"

reader 2 "during a hanging scan"
kill -0 "$P1" 2>/dev/null || fail "the hanging scan ended before it was killed"
kill -TERM "$P1"
wait "$P1" 2>/dev/null || true

# the lock is free again, and the index is whole
scan_ok "$ROOT"
assert_stats 0 0 0 "$N" 0 "scan after the killed scan"
check_index "$ROOT"

# ==== reads while --full scans write every row, one after another
rm -f "$TMP/stop" "$TMP/bgfail"
writer_loop () {
	local n=0 rc
	while [ ! -e "$TMP/stop" ]; do
		rc=0
		timeout 60 "$WCINDEX" --db "$DB" scan -q --full "$ROOT" 2>>"$TMP/bgfail.err" || rc=$?
		if [ $rc != 0 ]; then
			echo "scan $n exited $rc" >"$TMP/bgfail"
			return
		fi
		n=$((n + 1))
	done
	echo "$n" >"$TMP/bgcount"
}
first=$(last_scan_id)
bg_start writer_loop
WL=$BG_PID
reader 4 "during --full scans"
touch "$TMP/stop"
wait "$WL" || true
[ -e "$TMP/bgfail" ] && { cat "$TMP/bgfail.err" >&2; fail "background scan failed: $(cat "$TMP/bgfail")"; }
scans_done=$(cat "$TMP/bgcount")
[ "$scans_done" -ge 2 ] || fail "only $scans_done scans ran during the reads"
if [ "$scans_done" != "$(q "SELECT count(*) FROM scans WHERE id > $first AND status = 'done' AND files_changed + files_rechecked = $N")" ]; then
	wci sql "SELECT id, status, files_seen, files_new, files_changed, files_unchanged, files_deleted, files_failed FROM scans WHERE id > $first" >&2
	fail "$scans_done --full scans ran; the scans table does not record them all as done, with $N files changed"
fi
check_index "$ROOT"
pass "$READS reads during $scans_done full scans of $N files"
