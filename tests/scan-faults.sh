#!/bin/bash
# scan-faults.sh - what a scan does when things go wrong around it.  A scan
# stopped by SIGTERM, SIGINT or SIGHUP exits 128+signal, records what it
# counted with status 'interrupted' and kills its workers, and the next scan
# counts only the rest (SIGHUP ignored under nohup stays ignored); killed
# with SIGKILL at random points, it leaves no worker behind and a consistent
# database whose dead scans the next one marks 'killed'; a worker killed
# mid-scan costs nothing.  A second scan exits 3 naming the first, --wait
# waits for it (or gives up after SECONDS), readers never wait.  A full
# disk, a database locked by another program past the busy timeout, a
# read-only database or directory, a damaged, truncated, foreign or newer
# database: exit 2 with one line, and the file is kept as it was.  Files
# changed under running scans, a tree 5000 directories deep under a limit of
# 64 descriptors, FIFOs, sockets and devices, closed standard descriptors,
# -q, and a worker that crashes or hangs on the same file scan after scan.
# Every case is bounded in time and ends with a look at the database:
# PRAGMA integrity_check, the scans row, and the index against python where
# the tree is final.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

command -v pgrep >/dev/null 2>&1 || skip "pgrep not found"

# Mounts made by this test (tmpfs for the full disk), undone before the
# scratch directory is removed.
MOUNTS=
eval "lib_cleanup () $(declare -f cleanup | sed 1d)"
cleanup () {
	local m
	for m in $MOUNTS; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	lib_cleanup
}

# integrity MESSAGE [DBFILE]: PRAGMA integrity_check on DBFILE (default $DB)
# says ok.
integrity () {
	local out
	out=$(timeout 30 "$WCINDEX" --db "${2:-$DB}" sql --csv "PRAGMA integrity_check" 2>&1) ||
		fail "$1: PRAGMA integrity_check failed: $out"
	assert_eq ok "$(printf '%s\n' "$out" | sed 1d)" "$1: PRAGMA integrity_check"
}

# one_line TEXT MESSAGE: TEXT is exactly one line.
one_line () {
	[ -n "$1" ] && [ "$(printf '%s\n' "$1" | wc -l)" = 1 ] ||
		fail "$2: want one line, got: '$1'"
}

# ms_since T0: milliseconds since T0 (from `date +%s%N`).
ms_since () {
	echo $((($(date +%s%N) - $1) / 1000000))
}

# procs_of EXE: pids of the processes running the executable EXE.
procs_of () {
	find /proc/[0-9]*/exe -maxdepth 0 -lname "$1" 2>/dev/null | cut -d/ -f3 || true
}

# no_survivors EXE MESSAGE: within 2 s no process runs EXE (the kernel takes
# a moment to deliver the parent-death signal).  EXE is a private copy of
# wcindex: what still runs it is ours, and is killed before failing.
no_survivors () {
	local left
	for _ in $(seq 20); do
		left=$(procs_of "$1")
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	ps -o pid,ppid,stat,args -p "${left//$'\n'/,}" >&2 || true
	# shellcheck disable=SC2086
	kill -9 $left 2>/dev/null || true
	fail "$2: processes of $1 still alive: $left"
}

# rows [SQL]: the number SQL (default: the rows of entries) gives on $DB, or
# nothing when it cannot be read (yet).
rows () {
	"$WCINDEX" --db "$DB" sql --csv "${1:-SELECT count(*) FROM entries}" 2>/dev/null | sed 1d
}

# dfl_signals CMD...: exec CMD with the default dispositions of SIGINT,
# SIGTERM and SIGHUP: a background job of a script ignores SIGINT, and
# wcindex leaves ignored signals ignored.  Keeps the pid.
dfl_signals () {
	if env --default-signal=INT true 2>/dev/null; then
		exec env --default-signal=INT,TERM,HUP "$@"
	fi
	exec "$PYTHON3" -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
    signal.signal(s, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

# bg_scan EXE ARGS...: "EXE --db $DB scan ARGS" in the background under
# timeout and dfl_signals, output in $TMP/bg.out and $TMP/bg.err.  Waits
# until the scan holds the lock: SCAN_PID is its pid, BG_PID that of the
# timeout.
bg_scan () {
	local exe=$1
	shift
	rm -f "$DB.lock"
	bg_start dfl_signals timeout -k 5 60 \
		"$exe" --db "$DB" scan "$@" >"$TMP/bg.out" 2>"$TMP/bg.err" </dev/null
	SCAN_PID=
	for _ in $(seq 200); do
		SCAN_PID=$(pgrep -P "$BG_PID" || true)
		[ -n "$SCAN_PID" ] && [ "$(cat "$DB.lock" 2>/dev/null)" = "$SCAN_PID" ] && return 0
		kill -0 "$BG_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$TMP/bg.err" >&2
	fail "the background scan $* never took the lock"
}

# bg_wait SECONDS: wait at most SECONDS for the background scan to end;
# BG_RC is its exit status.
bg_wait () {
	local end=$((SECONDS + $1))
	while kill -0 "$BG_PID" 2>/dev/null; do
		[ $SECONDS -lt $end ] || { kill -9 "$SCAN_PID" "$BG_PID" 2>/dev/null || true
			fail "the background scan did not end within $1 s"; }
		sleep 0.05
	done
	BG_RC=0
	wait "$BG_PID" || BG_RC=$?
}

# stable_rows MIN [SQL]: wait until $DB has at least MIN entries (or rows
# SQL says so) and the count stays put for half a second (the worker
# hangs, the writer has committed).
stable_rows () {
	local last=-1 n same=0
	for _ in $(seq 300); do
		# just after the scan takes the lock the database may hold no
		# schema yet, and the reader says so (exit 2): no rows yet
		n=$(rows "${2:-}" || true)
		n=${n:-0}
		if [ "$n" -ge "$1" ] && [ "$n" = "$last" ]; then
			same=$((same + 1))
			[ $same -ge 5 ] && return 0
		else
			same=0
		fi
		last=$n
		sleep 0.1
	done
	fail "the rows of the running scan never settled (last count $last)"
}

# The big tree of the signal and kill cases: 4000 files in a/, one in m/
# that a worker can be made to hang on, 8000 in z/ (walked in that order;
# z/ holds more than the 4096 jobs the queue takes).
BIG=$TMP/big
gen_tree "$BIG/a" --files 4000 --seed 61 --small
mkdir "$BIG/m"
printf 'the worker hangs on this one\n' >"$BIG/m/hang-here.txt"
gen_tree "$BIG/z" --files 8000 --seed 62 --small
NBIG=$(count_files "$BIG")

# ============================================================ SIGTERM mid-scan
# One worker, hanging on m/hang-here.txt: a/ is counted and committed, the
# job queue fills up behind the hung worker, and the crawler waits on it in
# z/.  SIGTERM then: the worker is killed, the crawler stops, what was
# counted stays, and nothing of the hung batch is recorded.
SIGEXE=$TMP/wci-sig
cp "$WCINDEX" "$SIGEXE"
DB=$TMP/sigterm.db
WCINDEX_TEST_FAULT=hang:hang-here bg_scan "$SIGEXE" -j 1 "$BIG"
stable_rows 1000
kill -0 "$SCAN_PID" 2>/dev/null || fail "the hanging scan ended early"
t0=$(date +%s%N)
kill -TERM "$SCAN_PID"
bg_wait 20
ms=$(ms_since "$t0")
assert_eq 143 "$BG_RC" "exit status of a scan stopped by SIGTERM"
[ "$ms" -lt 5000 ] || fail "a scan took $ms ms to stop on SIGTERM"
ERR=$(cat "$TMP/bg.err")
one_line "$ERR" "stderr of a scan stopped by SIGTERM"
assert_match 'interrupted by SIGTERM' "$ERR" "message of a scan stopped by SIGTERM"
no_survivors "$SIGEXE" "workers after SIGTERM"
integrity "after SIGTERM"
COMMITTED=$(q "SELECT count(*) FROM entries")
[ "$COMMITTED" -ge 1000 ] && [ "$COMMITTED" -lt "$NBIG" ] ||
	fail "rows kept by the scan stopped by SIGTERM: $COMMITTED of $NBIG"
assert_eq "interrupted $COMMITTED 0 1" \
	"$(q "SELECT status || ' ' || files_new || ' ' || files_failed || ' ' || (finished_ns IS NOT NULL) FROM scans")" \
	"scans row of the scan stopped by SIGTERM (status new failed finished)"
seen=$(q "SELECT files_seen FROM scans")
[ "$seen" -lt "$NBIG" ] || fail "the crawler did not stop on SIGTERM: $seen files seen of $NBIG"
assert_eq 0 "$(q "SELECT count(*) FROM files WHERE name = 'hang-here.txt' OR status <> 'ok'")" \
	"rows of the hung batch or failed rows after SIGTERM"
assert_eq 0 "$(q "SELECT count(*) FROM errors")" "errors recorded by the scan stopped by SIGTERM"
assert_eq "$COMMITTED" "$(q "SELECT count(*) FROM files WHERE path LIKE '$BIG/a/%'")" \
	"the rows kept are those of a/ (walked first)"
scan_ok "$BIG"
assert_stats $((NBIG - COMMITTED)) 0 0 "$COMMITTED" 0 "scan after SIGTERM counts only the rest"
check_index "$BIG"
integrity "after the scan that followed SIGTERM"

# ============================================================ SIGINT, SIGHUP
# The same, lighter: a small tree and two workers, one of them hanging.
SIG=$TMP/sigtree
gen_tree "$SIG" --files 300 --dirs 10 --seed 63 --small
printf 'hang\n' >"$SIG/zz-hang-here.txt"
NSIG=$(count_files "$SIG")
for sig in INT HUP; do
	DB=$TMP/sig$sig.db
	want=$((128 + $(kill -l "$sig")))
	WCINDEX_TEST_FAULT=hang:hang-here bg_scan "$SIGEXE" -j 2 "$SIG"
	stable_rows 1
	kill -"$sig" "$SCAN_PID"
	bg_wait 20
	assert_eq "$want" "$BG_RC" "exit status of a scan stopped by SIG$sig"
	ERR=$(cat "$TMP/bg.err")
	one_line "$ERR" "stderr of a scan stopped by SIG$sig"
	assert_match "interrupted by SIG$sig" "$ERR" "message of a scan stopped by SIG$sig"
	no_survivors "$SIGEXE" "workers after SIG$sig"
	integrity "after SIG$sig"
	kept=$(q "SELECT count(*) FROM entries")
	[ "$kept" -ge 1 ] && [ "$kept" -lt "$NSIG" ] || fail "rows kept after SIG$sig: $kept of $NSIG"
	assert_eq "interrupted $kept" "$(q "SELECT status || ' ' || files_new FROM scans")" \
		"scans row of the scan stopped by SIG$sig"
	scan_ok "$SIG"
	assert_stats $((NSIG - kept)) 0 0 "$kept" 0 "scan after SIG$sig counts only the rest"
	check_index "$SIG"
done

# A SIGHUP ignored when the scan starts (nohup) does not stop it; SIGTERM
# still does.
DB=$TMP/nohup.db
rm -f "$DB.lock"
WCINDEX_TEST_FAULT=hang:hang-here bg_start timeout -k 5 60 nohup "$SIGEXE" --db "$DB" scan "$SIG" \
	>"$TMP/bg.out" 2>"$TMP/bg.err" </dev/null
for _ in $(seq 200); do
	SCAN_PID=$(pgrep -P "$BG_PID" || true)
	[ -n "$SCAN_PID" ] && [ "$(cat "$DB.lock" 2>/dev/null)" = "$SCAN_PID" ] && break
	sleep 0.05
done
stable_rows 1
kill -HUP "$SCAN_PID"
sleep 0.5
kill -0 "$SCAN_PID" 2>/dev/null || { cat "$TMP/bg.err" >&2; fail "a scan under nohup stopped on SIGHUP"; }
kill -TERM "$SCAN_PID"
bg_wait 20
assert_eq 143 "$BG_RC" "exit status of a scan under nohup stopped by SIGTERM"
no_survivors "$SIGEXE" "workers of the scan under nohup"
integrity "after the scan under nohup"

# ============================================================ kill -9 of the scan
# SIGKILL at random points of --full scans (from the copy $KEXE, so that
# the processes left can be told from any other wcindex): the workers die
# with the scan, the next run finds a consistent database and the lock free,
# and marks the rows of the dead scans 'killed'.  The points are spread
# over the time the fastest of three whole --full scans takes here (at most
# 0.5 s): one slow run on a loaded machine must not spread the kills past
# the end of the scans that follow.
KEXE=$TMP/wci-kill
cp "$WCINDEX" "$KEXE"
DB=$TMP/kill.db
scan_ok "$BIG"
assert_stats "$NBIG" 0 0 0 0 "first scan of the kill -9 loop"
span=
for i in 1 2 3; do
	t0=$(date +%s%N)
	scan_ok -j 1 --full "$BIG"
	t=$(ms_since "$t0")
	[ -n "$span" ] && [ "$span" -le "$t" ] || span=$t
done
[ "$span" -le 500 ] || span=500
[ "$span" -ge 50 ] || span=50
dead=
killed_mid=0
for i in $(seq 20); do
	"$KEXE" --db "$DB" scan -q --full -j 1 "$BIG" >/dev/null 2>"$TMP/kill.err" </dev/null &
	pid=$!
	sleep "0.$(printf '%03d' $((RANDOM % span)))"
	kill -9 "$pid" 2>/dev/null || true
	rc=0
	wait "$pid" 2>/dev/null || rc=$?
	case $rc in
	0) ;;
	137) killed_mid=$((killed_mid + 1)) ;;
	*) cat "$TMP/kill.err" >&2; fail "kill -9 run $i: the scan exited $rc before it was killed" ;;
	esac
	no_survivors "$KEXE" "kill -9 run $i"
	integrity "kill -9 run $i"
	last=$(q "SELECT id || ' ' || status FROM scans ORDER BY id DESC LIMIT 1")
	case $last in
	*" running") case " $dead " in *" ${last% *} "*) ;; *) dead="$dead ${last% *}" ;; esac ;;
	*" done") ;;
	*) fail "kill -9 run $i: last scans row '$last'" ;;
	esac
done
[ "$killed_mid" -ge 8 ] || fail "setup: only $killed_mid of 20 scans were still running when killed"
# and once while a worker hangs: a worker that would never end by itself
# (when the rows recounted by the scan stop growing)
prev=$(q "SELECT max(id) FROM scans")
WCINDEX_TEST_FAULT=hang:hang-here "$KEXE" --db "$DB" scan -q --full -j 1 "$BIG" >/dev/null 2>"$TMP/kill.err" </dev/null &
pid=$!
stable_rows 1 "SELECT count(*) FROM entries WHERE scan_id > $prev"
[ -n "$(pgrep -P "$pid")" ] || fail "kill -9 while a worker hangs: no worker"
kill -9 "$pid"
wait "$pid" 2>/dev/null || true
no_survivors "$KEXE" "kill -9 while a worker hangs"
integrity "kill -9 while a worker hangs"
last=$(q "SELECT id || ' ' || status FROM scans ORDER BY id DESC LIMIT 1")
assert_match ' running$' "$last" "the scan killed while a worker hangs"
dead="$dead ${last% *}"
scan_ok "$BIG"
assert_stats 0 0 0 "$NBIG" 0 "scan after 20 kill -9"
check_index "$BIG"
integrity "after the kill -9 loop"
assert_eq "${dead# }" "$(q "SELECT group_concat(id, ' ') FROM (SELECT id FROM scans WHERE status = 'killed' ORDER BY id)")" \
	"scans marked 'killed' (the runs killed after recording themselves)"
assert_eq 0 "$(q "SELECT count(*) FROM scans WHERE status NOT IN ('done', 'killed')")" "scans neither done nor killed"
note "kill -9: $killed_mid of 20 runs killed mid-scan, $(wc -w <<<"$dead") of them after recording themselves"

# ============================================================ kill -9 of a worker
# A worker killed mid-scan: its batch is sent again, one file at a time, so
# the scan goes on; at worst the file the worker was given alone is failed.
for round in 1 2 3; do
	# on a loaded machine the scan may end before a worker is seen: again
	for attempt in 1 2 3 4 5; do
		bg_scan "$WCINDEX" --full -j 2 "$BIG"
		worker=
		for _ in $(seq 200); do
			worker=$(pgrep -P "$SCAN_PID" | head -1 || true)
			[ -n "$worker" ] && break
			kill -0 "$SCAN_PID" 2>/dev/null || break
			sleep 0.02
		done
		[ -n "$worker" ] && break
		bg_wait 60
	done
	[ -n "$worker" ] || fail "round $round: no worker process appeared in 5 scans"
	# it may have finished its last batch and exited since pgrep saw it
	kill -9 "$worker" 2>/dev/null || note "round $round: the worker had already exited"
	bg_wait 60
	case $BG_RC in
	0|1) ;;
	*) cat "$TMP/bg.err" >&2; fail "round $round: a scan whose worker was killed exited $BG_RC" ;;
	esac
	integrity "worker killed, round $round"
	nfailed=$(q "SELECT files_failed FROM scans ORDER BY id DESC LIMIT 1")
	assert_eq "$BG_RC done $NBIG" "$([ "$nfailed" = 0 ] && echo 0 || echo 1) $(q "SELECT status || ' ' || (files_changed + files_rechecked + files_failed) FROM scans ORDER BY id DESC LIMIT 1")" \
		"round $round: exit status, scans.status, files recounted or failed after a worker was killed"
	assert_eq 0 "$(q "SELECT count(*) FROM files f WHERE status <> 'ok' AND NOT EXISTS
		(SELECT 1 FROM errors e WHERE e.path = f.path AND e.stage = 'worker' AND e.scan_id = f.scan_id)")" \
		"round $round: failed files without a worker error of their scan"
	# a/ and z/ share file names: --ignore, not --failed (the rescan below
	# checks them all)
	failed_args=()
	while IFS= read -r f; do
		failed_args+=(--ignore "$f")
	done < <(q "SELECT name FROM files WHERE status <> 'ok'")
	check_index ${failed_args[@]+"${failed_args[@]}"} "$BIG"
done
scan_ok "$BIG"
check_index "$BIG"
integrity "after the workers were killed"

# ============================================================ lock contention, --wait
# The first scan holds the lock while a worker hangs (--timeout 300 bounds
# it; SIGTERM ends it once the checks are done).
LK=$TMP/locktree
gen_tree "$LK" --files 200 --dirs 8 --seed 64 --small
printf 'hang\n' >"$LK/zz-hang-here.txt"
NLK=$(count_files "$LK")
DB=$TMP/lock.db
scan_ok "$LK"
WCINDEX_TEST_FAULT=hang:hang-here bg_scan "$WCINDEX" --full --timeout 300 "$LK"
P1=$SCAN_PID
FIRST_BG=$BG_PID
nscans=$(q "SELECT count(*) FROM scans")
# its workers hold no descriptor of the database, its WAL, -shm or lock
workers=
for _ in $(seq 50); do
	workers=$(pgrep -P "$P1" 2>/dev/null || true)
	[ -n "$workers" ] && break
	sleep 0.1
done
[ -n "$workers" ] || fail "no worker process of the scan holding the lock"
for w in $workers; do
	held=$(ls -l "/proc/$w/fd" 2>/dev/null | grep -F "$DB" || true)
	assert_eq "" "$held" "descriptors of worker $w on the database files"
done
# a second scan: exit 3 at once, naming the first
t0=$(date +%s%N)
SCAN_TIMEOUT=20 run_scan "$LK"
ms=$(ms_since "$t0")
assert_eq 3 "$SCAN_RC" "exit status of a second scan"
one_line "$SCAN_ERR" "stderr of a second scan"
assert_match "pid $P1([^0-9]|\$)" "$SCAN_ERR" "message of a second scan"
assert_eq "" "$SCAN_OUT" "stdout of a second scan"
[ "$ms" -lt 2000 ] || fail "a second scan took $ms ms to give up"
# --wait=1: gives up after a second
t0=$(date +%s%N)
SCAN_TIMEOUT=20 run_scan --wait=1 "$LK"
ms=$(ms_since "$t0")
assert_eq 3 "$SCAN_RC" "exit status of scan --wait=1"
one_line "$SCAN_ERR" "stderr of scan --wait=1"
assert_match "pid $P1([^0-9]|\$).*after 1 s" "$SCAN_ERR" "message of scan --wait=1"
[ "$ms" -ge 1000 ] && [ "$ms" -lt 4000 ] || fail "scan --wait=1 gave up after $ms ms"
# readers answer at once
reader () {
	local t0 ms
	t0=$(date +%s%N)
	timeout 10 "$WCINDEX" --db "$DB" "$@" >/dev/null 2>"$TMP/reader.err" ||
		{ cat "$TMP/reader.err" >&2; fail "'wcindex $*' failed during a scan"; }
	if [ -s "$TMP/reader.err" ]; then
		cat "$TMP/reader.err" >&2
		fail "'wcindex $*' wrote to stderr during a scan"
	fi
	ms=$(ms_since "$t0")
	[ "$ms" -lt 2000 ] || fail "'wcindex $*' took $ms ms during a scan"
}
reader sql "SELECT count(*) FROM files"
reader total "$LK"
reader status
reader ls "$LK/zz-hang-here.txt"
assert_eq "$NLK" "$(q "SELECT count(*) FROM files")" "files seen by a reader during a scan"
# a --wait scan stopped by SIGTERM while it waits: 143 and nothing recorded
rm -f "$TMP/w.err"
bg_start dfl_signals timeout -k 5 30 "$WCINDEX" --db "$DB" scan --wait "$LK" \
	>/dev/null 2>"$TMP/w.err" </dev/null
W=$BG_PID
# (the wcindex under timeout: dfl_signals's own probe is a child too)
for _ in $(seq 100); do
	WP=$(pgrep -P "$W" -x "$(basename "$WCINDEX")" || true)
	[ -n "$WP" ] && break
	sleep 0.05
done
sleep 0.5
kill -TERM "$WP" 2>/dev/null || fail "the --wait scan ended before it was stopped: $(cat "$TMP/w.err")"
rc=0
wait "$W" || rc=$?
assert_eq 143 "$rc" "exit status of a --wait scan stopped by SIGTERM while it waits"
assert_eq "$nscans" "$(q "SELECT count(*) FROM scans")" "scans rows after a --wait scan stopped while it waits"
# --wait without a limit: runs once the first is done
bg_start timeout -k 5 60 "$WCINDEX" --db "$DB" scan --wait "$LK" >"$TMP/w.out" 2>"$TMP/w.err" </dev/null
W=$BG_PID
sleep 1
kill -0 "$W" 2>/dev/null || { cat "$TMP/w.err" >&2; fail "scan --wait did not wait"; }
assert_eq "$nscans" "$(q "SELECT count(*) FROM scans")" "scans rows while scan --wait waits"
kill -0 "$P1" 2>/dev/null || fail "the hung scan ended before it was stopped"
kill -TERM "$P1"
BG_PID=$FIRST_BG
bg_wait 30
assert_eq 143 "$BG_RC" "exit status of the hung scan stopped by SIGTERM"
rc=0
wait "$W" || rc=$?
[ $rc = 0 ] || { cat "$TMP/w.err" >&2; fail "scan --wait exited $rc after the first scan ended"; }
assert_eq "done interrupted" "$(q "SELECT group_concat(status, ' ') FROM (SELECT status FROM scans ORDER BY id DESC LIMIT 2)")" \
	"the --wait scan, done, and the hung scan before it, interrupted"
assert_eq 1 "$(q "SELECT a.started_ns >= b.finished_ns FROM scans a, scans b WHERE a.id = (SELECT max(id) FROM scans) AND b.id = a.id - 1")" \
	"scan --wait started after the first finished"
assert_eq "0 0 0 $NLK 0" "$(scan_stats | cut -d' ' -f1-5)" "scan --wait after the interrupted --full scan"
integrity "after lock contention"
check_index "$LK"

# ============================================================ disk full
# The database on a 256 kB tmpfs: a small tree fits, the big one does not.
SMALL=$TMP/small
gen_tree "$SMALL" --files 40 --dirs 4 --seed 65 --small
NSMALL=$(count_files "$SMALL")
FS=$TMP/fs
mkdir "$FS"
if [ "$(id -u)" != 0 ]; then
	note "SKIP part: disk full (needs root to mount a tmpfs)"
elif ! mount -t tmpfs -o size=256k tmpfs "$FS" 2>"$TMP/mount.err"; then
	note "SKIP part: disk full (cannot mount a tmpfs: $(cat "$TMP/mount.err"))"
else
	MOUNTS="$FS"
	DB=$FS/index.db
	scan_ok "$SMALL"
	assert_stats "$NSMALL" 0 0 0 0 "scan of a small tree onto the small file system"
	run_scan "$BIG"
	assert_eq 2 "$SCAN_RC" "exit status of a scan that fills the disk"
	one_line "$SCAN_ERR" "stderr of a scan that fills the disk"
	assert_match "$FS/index.db.*(disk is full|database or disk)" "$SCAN_ERR" "message of a scan that fills the disk"
	# read a copy: the full file system may not even take the -shm file
	cp "$FS/index.db" "$TMP/full-copy.db"
	[ ! -e "$FS/index.db-wal" ] || cp "$FS/index.db-wal" "$TMP/full-copy.db-wal"
	umount "$FS"
	MOUNTS=
	DB=$TMP/full-copy.db
	integrity "after the disk filled up"
	st=$(q "SELECT status FROM scans ORDER BY id DESC LIMIT 1")
	case $st in
	failed|running) ;;
	*) fail "scans.status of the scan that filled the disk: $st" ;;
	esac
	kept=$(q "SELECT count(*) FROM files WHERE path LIKE '$BIG/%'")
	assert_eq "$kept" "$(q "SELECT files_new FROM scans ORDER BY id DESC LIMIT 1")" \
		"scans.files_new of the scan that filled the disk: the rows it kept"
	check_index "$SMALL"
	# with room again, the rest is counted
	scan_ok "$BIG" "$SMALL"
	assert_stats $((NBIG - kept)) 0 0 $((NSMALL + kept)) 0 "scan once there is room"
	check_index "$BIG" "$SMALL"
	integrity "after the scan once there is room"
	[ "$st" = failed ] || assert_eq killed "$(q "SELECT status FROM scans WHERE id = 2")" "the scan that filled the disk, once another ran"
fi

# ============================================================ database locked by another program
# Another program holds a write transaction for 15 s, past the busy timeout
# of 10 s: the scan gives up with exit 2 instead of waiting forever.
DB=$TMP/busy.db
scan_ok "$SMALL"
before=$(q "SELECT path || ' ' || words || ' ' || bytes FROM files ORDER BY path" | md5sum)
nscans=$(q "SELECT count(*) FROM scans")
printf 'more words here\n' >>"$(find "$SMALL" -type f | sort | head -1)"
rm -f "$TMP/locked"
cat >"$TMP/locker.py" <<'EOF'
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute('BEGIN EXCLUSIVE')
open(sys.argv[2], 'w').close()
time.sleep(15)
c.execute('ROLLBACK')
EOF
bg_start "$PYTHON3" "$TMP/locker.py" "$DB" "$TMP/locked"
LOCKER=$BG_PID
for _ in $(seq 100); do
	[ -e "$TMP/locked" ] && break
	sleep 0.05
done
[ -e "$TMP/locked" ] || fail "setup: python could not lock the database"
t0=$(date +%s%N)
SCAN_TIMEOUT=40 run_scan "$SMALL"
ms=$(ms_since "$t0")
assert_eq 2 "$SCAN_RC" "exit status of a scan of a database locked by another program"
one_line "$SCAN_ERR" "stderr of a scan of a locked database"
assert_match 'database is locked' "$SCAN_ERR" "message of a scan of a locked database"
[ "$ms" -ge 9000 ] && [ "$ms" -lt 30000 ] || fail "the scan of a locked database gave up after $ms ms, want about 10 s"
assert_eq "$NSMALL" "$(q "SELECT count(*) FROM files")" "a reader while another program holds the write lock"
kill "$LOCKER" 2>/dev/null || true
wait "$LOCKER" 2>/dev/null || true
integrity "after the database was locked"
assert_eq "$before" "$(q "SELECT path || ' ' || words || ' ' || bytes FROM files ORDER BY path" | md5sum)" \
	"rows after the scan of a locked database"
assert_eq "$nscans" "$(q "SELECT count(*) FROM scans")" "scans rows after the scan of a locked database"
scan_ok "$SMALL"
assert_stats 0 1 0 $((NSMALL - 1)) 0 "scan once the lock is gone"
check_index "$SMALL"

# ============================================================ read-only database, read-only directory
# Root writes anywhere: as root, run those scans as nobody when possible.
[ "$(id -u)" != 0 ] || chmod -R a+rX "$SMALL"
find_unprivileged "$SMALL"
# as_nobody_own PATH...: as root, give PATHs to nobody
as_nobody_own () {
	[ "$(id -u)" != 0 ] || chown 65534 "$@"
}
if [ -z "$AS_USER" ]; then
	note "SKIP part: read-only database and directory (no way to run as an unprivileged user)"
else
	# ro_scan MESSAGE REGEX DIR MODE: with DIR (that of $DB) in MODE, scan
	# $SMALL as nobody: exit 2, one line matching REGEX, $DB unchanged.  A
	# reader run by root leaves a -wal and a -shm that SQLite gives to the
	# owner of the database: they go first.
	ro_scan () {
		local sum rows_before rc=0
		rows_before=$(q "SELECT count(*) || ' ' || max(id) FROM scans")
		rm -f "$DB-wal" "$DB-shm"
		sum=$(sha256sum <"$DB")
		chmod "$4" "$3"
		# shellcheck disable=SC2086
		timeout -k 5 30 $AS_USER "$WCINDEX" --db "$DB" scan "$SMALL" \
			>"$TMP/.scan.out" 2>"$TMP/.scan.err" || rc=$?
		chmod 755 "$3"
		assert_eq 2 "$rc" "$1: exit status"
		one_line "$(cat "$TMP/.scan.err")" "$1: stderr"
		assert_match "$2" "$(cat "$TMP/.scan.err")" "$1: message"
		assert_eq "$sum" "$(sha256sum <"$DB")" "$1: sha256 of the database"
		assert_eq "$rows_before" "$(q "SELECT count(*) || ' ' || max(id) FROM scans")" "$1: scans rows"
		integrity "$1"
	}
	# a read-only database file, in a directory of nobody's (for the lock file)
	mkdir "$TMP/rofile"
	DB=$TMP/rofile/index.db
	scan_ok "$SMALL"
	rm -f "$DB.lock"
	as_nobody_own "$TMP/rofile"
	chmod 444 "$DB"
	ro_scan "read-only database file" "readonly|read-only|Permission denied" "$TMP/rofile" 755
	# a read-only directory: the lock file is there, SQLite cannot make its -wal
	mkdir "$TMP/rodir"
	DB=$TMP/rodir/index.db
	scan_ok "$SMALL"
	as_nobody_own "$DB" "$DB.lock"
	ro_scan "read-only directory" "readonly|read-only|unable to open|Permission denied" "$TMP/rodir" 555
	# ... and without the lock file
	rm -f "$DB.lock"
	ro_scan "read-only directory without a lock file" "lock file.*Permission denied" "$TMP/rodir" 555
fi

# ============================================================ damaged, foreign and newer databases
# exit 2 with one line, and the file is not touched.
GOOD=$TMP/kill.db
"$PYTHON3" - "$GOOD" "$TMP" <<'EOF'
import os, random, shutil, sqlite3, sys
good, tmp = sys.argv[1], sys.argv[2]
rnd = random.Random(66)
size = os.path.getsize(good)
shutil.copy(good, tmp + '/damaged.db')
with open(tmp + '/damaged.db', 'r+b') as f:
    f.seek(size // 2)
    f.write(bytes(rnd.randrange(256) for _ in range(8192)))
shutil.copy(good, tmp + '/truncated.db')
os.truncate(tmp + '/truncated.db', size // 2)
c = sqlite3.connect(tmp + '/foreign.db')
c.execute('CREATE TABLE notes(id INTEGER PRIMARY KEY, body TEXT)')
c.execute("INSERT INTO notes(body) VALUES ('not an index')")
c.commit()
c.close()
shutil.copy(good, tmp + '/newer.db')
c = sqlite3.connect(tmp + '/newer.db')
v = c.execute('PRAGMA user_version').fetchone()[0]
c.execute('PRAGMA user_version = %d' % (v + 1))
c.commit()
c.close()
EOF
for kind in damaged truncated foreign newer; do
	DB=$TMP/$kind.db
	case $kind in
	damaged) want="damaged|malformed" ;;
	truncated) want="malformed|damaged" ;;
	foreign) want="not a wcindex database" ;;
	newer) want="newer" ;;
	esac
	sum=$(sha256sum <"$DB")
	run_scan "$BIG"
	assert_eq 2 "$SCAN_RC" "exit status of a scan of a $kind database"
	one_line "$SCAN_ERR" "stderr of a scan of a $kind database"
	assert_match "$DB.*($want)" "$SCAN_ERR" "message of a scan of a $kind database"
	assert_eq "" "$SCAN_OUT" "stdout of a scan of a $kind database"
	assert_eq "$sum" "$(sha256sum <"$DB")" "sha256 of a $kind database after a scan"
	if [ -s "$DB-wal" ]; then
		fail "a scan of a $kind database left a WAL with content"
	fi
done

# ============================================================ files changed during scans
# A python loop appends to, truncates, deletes, renames files, swaps files
# for directories and FIFOs and back, while scans run one after another:
# each exits 0 or 1 within its timeout.  Once it stops, a scan makes the
# index match the tree.
MUT=$TMP/mut
gen_tree "$MUT" --files 300 --dirs 12 --seed 67 --big 4
DB=$TMP/mut.db
scan_ok "$MUT"
rm -f "$TMP/stop"
cat >"$TMP/mutator.py" <<'EOF'
import os, random, shutil, stat, sys, time
top, stop = sys.argv[1], sys.argv[2]
rnd = random.Random(68)
def entries():
    out = []
    for d, subdirs, files in os.walk(top):
        out += [os.path.join(d, f) for f in files]
    return out
paths = entries()
n = 0
while not os.path.exists(stop):
    if n % 50 == 0:
        paths = entries() or paths
    p = rnd.choice(paths)
    op = rnd.randrange(8)
    try:
        st = os.lstat(p)
        if stat.S_ISDIR(st.st_mode):
            shutil.rmtree(p)
            with open(p, 'wb') as f:
                f.write(b'a file again\n')
        elif stat.S_ISFIFO(st.st_mode):
            os.unlink(p)
            with open(p, 'wb') as f:
                f.write(b'no longer a fifo\n')
        elif op == 0:
            with open(p, 'ab') as f:
                f.write(b'appended words \xc3\xa9t\xc3\xa9\n' * rnd.randrange(1, 2000))
        elif op == 1:
            os.truncate(p, st.st_size // 2)
        elif op == 2:
            os.unlink(p)
        elif op == 3:
            os.unlink(p)
            os.mkdir(p)
            with open(os.path.join(p, 'inside.txt'), 'wb') as f:
                f.write(b'a file in a directory that was a file\n')
        elif op == 4:
            os.rename(p, p + '.moved')
        elif op == 5:
            os.unlink(p)
            os.mkfifo(p)
        elif op == 6:
            with open(p + '.tmp', 'wb') as f:
                f.write(b'replaced by rename\n' * rnd.randrange(1, 50))
            os.rename(p + '.tmp', p)
        else:
            with open(p, 'r+b') as f:
                f.seek(rnd.randrange(st.st_size + 1))
                f.write(b'\xe2\x80\x83 overwritten \xf0\x9f\x98\x80')
    except OSError:
        pass
    n += 1
    time.sleep(0.002)
EOF
bg_start "$PYTHON3" "$TMP/mutator.py" "$MUT" "$TMP/stop"
MUTATOR=$BG_PID
mscans=0
end=$((SECONDS + 5))
while [ $SECONDS -lt $end ] || [ $mscans -lt 3 ]; do
	SCAN_TIMEOUT=30 run_scan "$MUT"
	case $SCAN_RC in
	0|1) ;;
	*) printf '%s\n' "$SCAN_ERR" >&2; fail "scan $mscans during changes exited $SCAN_RC" ;;
	esac
	mscans=$((mscans + 1))
	[ $mscans -lt 30 ] || break
done
touch "$TMP/stop"
wait "$MUTATOR" || fail "the python loop changing files failed"
integrity "after $mscans scans during changes"
assert_eq "" "$(q "SELECT group_concat(id || ' ' || status, ', ') FROM scans WHERE status <> 'done'")" "scans during changes not done"
scan_ok "$MUT"
check_index "$MUT"
integrity "after the changes stopped"
scan_ok "$MUT"
assert_stats 0 0 0 "$(count_files "$MUT")" 0 "rescan once the changes stopped"
note "$mscans scans while files changed"

# ============================================================ 5000 directories deep, 64 descriptors
# Paths of 10 kB, far past PATH_MAX; files at a few depths.  Within 30 s:
# one openat() per directory of the path made such a walk quadratic (44 s).
DEEP=$TMP/deep
"$PYTHON3" - "$DEEP" "$TMP/deep.want" "$TMP/deep.long" <<'EOF'
import os, sys
top, want, long_paths = sys.argv[1], sys.argv[2], sys.argv[3]
nlong = 0
os.mkdir(top)
fd = os.open(top, os.O_RDONLY)
out = []
for depth in range(1, 5001):
    os.mkdir('d', dir_fd=fd)
    nfd = os.open('d', os.O_RDONLY, dir_fd=fd)
    os.close(fd)
    fd = nfd
    if depth in (1, 100, 2040, 2047, 2048, 4000, 5000):
        data = ('at depth %d, wörds\n' % depth).encode() * (depth % 7 + 1)
        f = os.open('f%d.txt' % depth, os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(f, data)
        os.close(f)
        text = data.decode()
        out.append('f%d.txt %d %d %d %d' % (depth, data.count(b'\n'), len(text.split()),
                                            len(text), len(data)))
        path = os.path.realpath(top) + '/d' * depth + '/f%d.txt' % depth
        nlong += len(os.fsencode(path)) >= 4096
os.close(fd)
open(want, 'w').write('\n'.join(out) + '\n')
open(long_paths, 'w').write('%d\n' % nlong)
EOF
DB=$TMP/deep.db
t0=$(date +%s%N)
(
	ulimit -n 64
	SCAN_TIMEOUT=30 scan_ok "$DEEP"
)
ms=$(ms_since "$t0")
assert_stats 7 0 0 0 0 "scan of a tree 5000 deep under ulimit -n 64"
assert_eq "$(sort "$TMP/deep.want")" \
	"$(q "SELECT name || ' ' || lines || ' ' || words || ' ' || chars || ' ' || bytes FROM files ORDER BY name")" \
	"counts of the files 5000 directories deep"
[ "$(cat "$TMP/deep.long")" -ge 3 ] || fail "setup: only $(cat "$TMP/deep.long") files of the deep tree are past PATH_MAX"
assert_eq "$(cat "$TMP/deep.long")" "$(q "SELECT count(*) FROM files WHERE length(CAST(path AS BLOB)) >= 4096")" \
	"files whose path is past PATH_MAX"
assert_eq 5001 "$(q "SELECT count(*) FROM dirs")" "directories of the deep tree"
assert_eq 0 "$(q "SELECT count(*) FROM errors")" "errors of the deep scan"
assert_eq "" "$(cat "$TMP/.scan.err")" "stderr of the deep scan"
integrity "after the deep scan"
note "5000 deep: scanned in $ms ms"

# ============================================================ FIFOs, sockets, devices
SP=$TMP/special
mkdir -p "$SP/sub"
printf 'plain text here\n' >"$SP/a.txt"
printf 'more text\n' >"$SP/sub/b.txt"
mkfifo "$SP/fifo" "$SP/sub/pipe.txt"
"$PYTHON3" -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$SP/sock"
nspecial=3
if [ "$(id -u)" = 0 ] && mknod "$SP/null" c 1 3 2>/dev/null && mknod "$SP/zero.txt" c 1 5 2>/dev/null; then
	nspecial=5
else
	note "SKIP part: device nodes (needs root and mknod)"
fi
DB=$TMP/special.db
t0=$(date +%s%N)
SCAN_TIMEOUT=20 scan_ok "$SP"
ms=$(ms_since "$t0")
[ "$ms" -lt 10000 ] || fail "the scan of FIFOs, sockets and devices took $ms ms"
assert_stats 2 0 0 0 0 "$nspecial" "FIFOs, a socket and devices are skipped"
check_index "$SP"
SCAN_TIMEOUT=20 scan_ok "$SP"
assert_stats 0 0 0 2 0 "$nspecial" "rescan with FIFOs, a socket and devices"
integrity "after the scan of special files"

# ============================================================ closed standard descriptors
# lock_file_clean: the lock file holds the pid of the last scan and the
# line that tells how it left the database, and nothing else (no message
# landed in it through a closed descriptor)
lock_file_clean () {
	assert_match '^[0-9]+$' "$(sed -n 1p "$DB.lock")" "the lock file's first line, a pid"
	assert_match '^clean( -?[0-9]+){10}$' "$(sed -n 2p "$DB.lock")" "the lock file's second line"
	assert_eq 2 "$(wc -l <"$DB.lock")" "lines of the lock file"
}
CL=$TMP/closed
gen_tree "$CL" --files 30 --dirs 3 --seed 69 --small
printf 'the worker dies on this one\n' >"$CL/crash-me.txt"
NCL=$(count_files "$CL")
DB=$TMP/closed.db
rc=0
timeout -k 5 30 "$WCINDEX" --db "$DB" scan "$CL" <&- >&- 2>&- || rc=$?
assert_eq 0 "$rc" "exit status of a scan with 0, 1 and 2 closed"
assert_eq "done $NCL" "$(q "SELECT status || ' ' || files_new FROM scans")" "scans row of a scan with 0, 1 and 2 closed"
check_index "$CL"
lock_file_clean
touch "$CL/crash-me.txt"
rc=0
WCINDEX_TEST_FAULT=crash:crash-me timeout -k 5 30 "$WCINDEX" --db "$DB" scan "$CL" <&- >&- 2>&- || rc=$?
assert_eq 1 "$rc" "exit status of a scan with a crash and 0, 1 and 2 closed"
assert_eq "$CL/crash-me.txt worker" \
	"$(q "SELECT path || ' ' || stage FROM errors WHERE scan_id = (SELECT max(id) FROM scans)")" \
	"errors view of a crash with 0, 1 and 2 closed"
assert_eq "error" "$(q "SELECT status FROM files WHERE name = 'crash-me.txt'")" "row of the crashed file, 0, 1 and 2 closed"
check_index --failed crash-me.txt "$CL"
lock_file_clean
# stdout closed only: the errors still reach stderr
rc=0
WCINDEX_TEST_FAULT=crash:crash-me timeout -k 5 30 "$WCINDEX" --db "$DB" scan --full "$CL" >&- 2>"$TMP/cl.err" || rc=$?
assert_eq 1 "$rc" "exit status of a scan with a crash and stdout closed"
one_line "$(cat "$TMP/cl.err")" "stderr of a scan with a crash and stdout closed"
assert_match "crash-me\.txt.*signal 6" "$(cat "$TMP/cl.err")" "stderr of a scan with a crash and stdout closed"
assert_eq "done 1 $((NCL - 1))" "$(q "SELECT status || ' ' || files_failed || ' ' || (files_changed + files_rechecked) FROM scans ORDER BY id DESC LIMIT 1")" \
	"scans row of a scan with stdout closed"
rc=0
timeout -k 5 30 "$WCINDEX" --db "$DB" scan "$CL" >&- 2>"$TMP/cl.err" || rc=$?
assert_eq 0 "$rc" "exit status of a scan with stdout closed"
assert_eq "" "$(cat "$TMP/cl.err")" "stderr of a scan with stdout closed"
check_index "$CL"
integrity "after the scans with closed descriptors"

# ============================================================ -q
QT=$TMP/quiet
gen_tree "$QT" --files 30 --dirs 3 --seed 70 --small
NQT=$(count_files "$QT")
DB=$TMP/quiet.db
run_scan -q "$QT"
assert_eq "0||" "$SCAN_RC|$SCAN_OUT|$SCAN_ERR" "exit status, stdout, stderr of scan -q"
assert_eq "done $NQT" "$(q "SELECT status || ' ' || files_new FROM scans")" "scans row of scan -q"
printf 'boom\n' >"$QT/boom.txt"
WCINDEX_TEST_FAULT=crash:boom run_scan -q "$QT"
assert_eq "1|" "$SCAN_RC|$SCAN_OUT" "exit status and stdout of scan -q with a crash"
one_line "$SCAN_ERR" "stderr of scan -q with a crash"
assert_match "cannot count '$QT/boom\.txt'" "$SCAN_ERR" "stderr of scan -q with a crash"
assert_eq "$QT/boom.txt worker" "$(q "SELECT path || ' ' || stage FROM errors")" "errors view after scan -q with a crash"
check_index --failed boom.txt "$QT"

# ============================================================ the same crash, scan after scan
CR=$TMP/crash
gen_tree "$CR" --files 20 --dirs 2 --seed 71 --small
printf 'the worker dies on this one\n' >"$CR/victim.txt"
NCR=$(count_files "$CR")
DB=$TMP/crash.db
export WCINDEX_TEST_FAULT=crash:victim
# victim: "status|flags|scan_id|error" of victim.txt (commas of the error
# as semicolons, for the CSV of q)
victim () {
	q "SELECT status || '|' || flags || '|' || scan_id || '|' || replace(error, ',', ';')
	   FROM files WHERE name = 'victim.txt'"
}
run_scan "$CR"
assert_eq 1 "$SCAN_RC" "exit status of the first crash"
one_line "$SCAN_ERR" "stderr of the first crash"
assert_eq "error|0|1|worker killed by signal 6 (Aborted)" "$(victim)" "row after the first crash"
assert_eq "1 worker worker killed by signal 6 (Aborted)" \
	"$(q "SELECT scan_id || ' ' || stage || ' ' || message FROM errors WHERE path = '$CR/victim.txt'")" \
	"errors view after the first crash"
# unchanged, retried, dies again: not retried any more
run_scan "$CR"
assert_eq 1 "$SCAN_RC" "exit status of the second crash"
assert_stats 0 0 0 $((NCR - 1)) 1 "second scan retries the file that crashed"
assert_match "not retried until the file changes" "$SCAN_ERR" "stderr of the second crash"
assert_eq "error|128|2|worker killed by signal 6 (Aborted) (again: not retried until the file changes; or with --retry-failed)" \
	"$(victim)" "row after the second crash"
run_scan "$CR"
assert_eq 0 "$SCAN_RC" "exit status of the scan after two crashes"
assert_eq "" "$SCAN_ERR" "stderr of the scan after two crashes"
assert_stats 0 0 0 "$NCR" 0 "the file that crashed twice is kept as it is"
assert_eq "error|128|2" "$(victim | cut -d'|' -f1-3)" "row of the file that crashed twice, a scan later"
# touched: retried (and its row failed again, not yet for good)
touch "$CR/victim.txt"
run_scan "$CR"
assert_eq 1 "$SCAN_RC" "exit status once the file was touched"
assert_stats 0 0 0 $((NCR - 1)) 1 "a touched file that crashed twice is retried"
assert_eq "error|0|4|worker killed by signal 6 (Aborted)" "$(victim)" "row once the file was touched"
run_scan "$CR"
assert_eq "1 error|128|5" "$SCAN_RC $(victim | cut -d'|' -f1-3)" "the next crash on the touched file"
# --retry-failed: retried all the same
run_scan --retry-failed "$CR"
assert_eq 1 "$SCAN_RC" "exit status with --retry-failed"
assert_stats 0 0 0 $((NCR - 1)) 1 "--retry-failed retries the file that crashed twice"
assert_eq "error|128|6" "$(victim | cut -d'|' -f1-3)" "row after --retry-failed"
# without the fault it is counted
unset WCINDEX_TEST_FAULT
run_scan --retry-failed "$CR"
assert_eq 0 "$SCAN_RC" "exit status with --retry-failed and no fault"
assert_stats 0 1 0 $((NCR - 1)) 0 "the file is counted once the worker no longer dies"
check_index "$CR"
assert_eq "1 2 4 5 6" "$(q "SELECT group_concat(scan_id, ' ') FROM (SELECT scan_id FROM errors WHERE path = '$CR/victim.txt' ORDER BY scan_id)")" \
	"scans that recorded an error for the crashing file"
integrity "after the crashes"

# a hang: killed after --timeout, the file failed, the scan goes on
DB=$TMP/hang.db
t0=$(date +%s%N)
WCINDEX_TEST_FAULT=hang:victim SCAN_TIMEOUT=30 run_scan --timeout 2 "$CR"
ms=$(ms_since "$t0")
assert_eq 1 "$SCAN_RC" "exit status of a scan with a hang"
assert_stats $((NCR - 1)) 0 0 0 1 "scan with a hang"
assert_match "victim\.txt.*timed out" "$SCAN_ERR" "stderr of a scan with a hang"
assert_match "^error\|0\|1\|worker timed out after 2(\.0)? s" "$(victim)" "row of the file a worker hung on"
assert_eq "worker" "$(q "SELECT stage FROM errors WHERE path = '$CR/victim.txt'")" "errors.stage of a hang"
[ "$ms" -lt 20000 ] || fail "a scan with --timeout 2 and a hang took $ms ms"
check_index --failed victim.txt "$CR"
integrity "after a hang"

pass "signals, kill -9, lock, disk full, busy, read-only, damaged, changing files, deep tree, special files, closed fds, -q, crashes"
