#!/bin/bash
# scan-pseudo.sh - pseudo file systems (proc, sysfs, mqueue, ...) are not
# walked: a root on one is refused at once, a mount of one inside a tree
# is skipped (said on stderr, an errors row of stage "skipped", the exit
# status unchanged) and keeps the rows indexed under it, --include-fs
# walks the types it may walk and refuses the others; a file that grows
# while it is read is read a bounded number of times.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

ran=0
fstype () {
	stat -f -c %T "$1" 2>/dev/null || echo unknown
}

# ====================================================== roots refused
# refused: exits 2 at once, names the root and its type, creates no database
refused () {
	local root=$1 type=$2 rc=0
	DB=$TMP/refused.db
	timeout -k 5 10 "$WCINDEX" --db "$DB" scan "$root" >"$TMP/out" 2>"$TMP/err" || rc=$?
	assert_eq 2 "$rc" "exit status of scan '$root'"
	assert_match "cannot scan '$root': a $type file system" "$(cat "$TMP/err")" "message of scan '$root'"
	assert_eq no "$([ -e "$DB" ] && echo yes || echo no)" "a database made by scan '$root'"
}
if [ "$(fstype /proc)" = proc ]; then
	ran=1
	refused /proc proc
	refused /proc/self proc
	refused /proc/self/fd proc
	mkdir -p "$TMP/docs" && printf 'a b\n' >"$TMP/docs/a.txt"
	refused /proc proc
	timeout -k 5 10 "$WCINDEX" --db "$TMP/mixed.db" scan "$TMP/docs" /proc \
		>/dev/null 2>&1 && fail "scan of a tree and /proc succeeded"
	assert_eq no "$([ -e "$TMP/mixed.db" ] && echo yes || echo no)" "a database made by scan DIR /proc"
else
	note "SKIP part: /proc is not a proc file system here"
fi
if [ "$(fstype /sys/kernel)" = sysfs ]; then
	ran=1
	refused /sys/kernel sysfs
fi

rc=0
"$WCINDEX" --db "$TMP/opt.db" scan --include-fs proc "$TMP" >/dev/null 2>"$TMP/err" || rc=$?
assert_eq 2 "$rc" "exit status of --include-fs proc"
assert_match "'proc' is never walked" "$(cat "$TMP/err")" "message of --include-fs proc"
rc=0
"$WCINDEX" --db "$TMP/opt.db" scan --include-fs nosuchfs "$TMP" >/dev/null 2>"$TMP/err" || rc=$?
assert_eq 2 "$rc" "exit status of --include-fs nosuchfs"
assert_match "unknown pseudo file system 'nosuchfs'" "$(cat "$TMP/err")" "message of --include-fs nosuchfs"

# ============================================== mounts inside a tree
# In new user, mount, pid, net and IPC namespaces, where proc, sysfs and
# mqueue can be mounted without touching the system's.
T=$TMP/tree
mkdir -p "$T/docs" "$T/proc" "$T/mq"
printf 'one two\n' >"$T/docs/a.txt"
printf 'under proc\n' >"$T/proc/old.txt"
printf 'under mq\n' >"$T/mq/old.txt"
DB=$TMP/tree.db
scan_ok "$T"
assert_eq 3 "$(q "SELECT count(*) FROM files")" "files before the mounts"
# the --include-fs scan starts from the same index, in a copy
for f in "$DB" "$DB-wal"; do
	[ ! -e "$f" ] || cp "$f" "$TMP/include.db${f#"$DB"}"
done

# a known root that a mount has since covered: scan with no DIR
K=$TMP/known
mkdir -p "$K" && printf 'known\n' >"$K/k.txt"
DB=$TMP/known.db scan_ok "$K"

if command -v unshare >/dev/null 2>&1 &&
   unshare -rmnip --fork true 2>/dev/null; then
	rc=0
	timeout -k 5 120 unshare -rmnip --fork bash -c '
		set -u
		T=$1 W=$2 DB=$3 TMP=$4 K=$5
		mount -t proc proc "$T/proc" || exit 77
		mkdir "$T/sys" && mount -t sysfs sysfs "$T/sys" || exit 77
		mount -t mqueue mqueue "$T/mq" || exit 77
		: >"$T/mq/q1" || exit 77
		run () {	# NAME DB ARGS...: a scan, its status and its stderr
			local name=$1 db=$2 rc=0
			shift 2
			timeout -k 5 30 "$W" --db "$db" scan "$@" \
				>"$TMP/$name.out" 2>"$TMP/$name.err" || rc=$?
			echo $rc >"$TMP/$name.rc"
		}
		run skip "$DB" "$T"
		run sub "$DB" "$T/proc"
		run self "$DB" "$T/proc/self"
		run mqroot "$DB" "$T/mq"
		run include "$TMP/include.db" --include-fs mqueue "$T"
		mount -t mqueue mqueue "$K" || exit 77
		run known "$TMP/known.db"
		' sh "$T" "$WCINDEX" "$DB" "$TMP" "$K" || rc=$?
	if [ $rc = 0 ]; then
		ran=1
		# ------------------------------------------- skipped, rows kept
		assert_eq 0 "$(cat "$TMP/skip.rc")" "exit status of a scan over proc, sysfs and mqueue mounts"
		err=$(cat "$TMP/skip.err")
		assert_match "skipped '$T/proc': a proc file system" "$err" "stderr names the proc mount"
		assert_match "skipped '$T/sys': a sysfs file system" "$err" "stderr names the sysfs mount"
		assert_match "skipped '$T/mq': a mqueue file system, not walked \(see --include-fs\)" "$err" \
			"stderr names the mqueue mount"
		assert_eq 3 "$(q "SELECT count(*) FROM errors WHERE stage = 'skipped' AND scan_id = 2")" \
			"errors rows of stage skipped"
		assert_eq "$T/docs/a.txt $T/mq/old.txt $T/proc/old.txt" \
			"$(q "SELECT group_concat(path, ' ') FROM (SELECT path FROM files ORDER BY path)")" \
			"rows under a skipped mount are kept"
		assert_eq 0 "$(q "SELECT count(*) FROM dirs WHERE path = '$T/sys'")" "dirs row of a skipped new mount"
		assert_eq "0 0 0 1 0 3" "$(q "SELECT files_new || ' ' || files_changed || ' ' ||
			files_deleted || ' ' || files_unchanged || ' ' || files_failed || ' ' ||
			files_skipped FROM scans WHERE id = 2")" "scans row of the scan over the mounts"
		# ----------------------------------------------- roots refused
		assert_eq 2 "$(cat "$TMP/sub.rc")" "exit status of scan of a proc mount"
		assert_match "cannot scan '$T/proc': a proc file system" "$(cat "$TMP/sub.err")" "scan of a proc mount"
		assert_eq 2 "$(cat "$TMP/self.rc")" "exit status of scan of a proc subtree"
		assert_eq 2 "$(cat "$TMP/mqroot.rc")" "exit status of scan of a mqueue mount"
		assert_match "--include-fs mqueue walks it" "$(cat "$TMP/mqroot.err")" "scan of a mqueue mount"
		# ------------------------------------------------ --include-fs
		DB=$TMP/include.db
		assert_eq 0 "$(cat "$TMP/include.rc")" "exit status of --include-fs mqueue"
		assert_eq 0 "$(q "SELECT count(*) FROM files WHERE path = '$T/mq/old.txt'")" \
			"the file hidden by the mqueue mount, once it is walked"
		assert_eq 1 "$(q "SELECT count(*) FROM files WHERE path = '$T/mq/q1'")" "a queue of the walked mount"
		assert_eq "$T/proc/old.txt" "$(q "SELECT path FROM files WHERE path LIKE '$T/proc/%'")" \
			"--include-fs mqueue still skips proc"
		assert_match '(^| )include-fs=mqueue( |$)' "$(q "SELECT options FROM scans ORDER BY id DESC LIMIT 1")" \
			"scans.options of --include-fs"
		# ---------------------------------- a known root, now covered
		DB=$TMP/known.db
		assert_eq 0 "$(cat "$TMP/known.rc")" "exit status of a rescan of a covered root"
		assert_match "skipped '$K': a mqueue file system" "$(cat "$TMP/known.err")" \
			"stderr of a rescan of a covered root"
		assert_eq "$K/k.txt" "$(q "SELECT path FROM files")" "rows of a covered root are kept"
	elif [ $rc = 77 ]; then
		note "SKIP part: cannot mount proc, sysfs and mqueue in a namespace"
	else
		fail "the scans in a private namespace failed or timed out ($rc)"
	fi
else
	note "SKIP part: mounts need unshare with user namespaces"
fi

# =========================================== a file growing while read
# A background writer appends to a file during the whole scan: the worker
# reads no further than the size it was told of (three times at most), so
# the scan ends, and what it records is no more than was written.
G=$TMP/grow
mkdir -p "$G"
head -c 32000000 /dev/zero | tr '\0' 'x' >"$G/g.txt"
bg_start "$PYTHON3" -c '
import os, sys, time
stop = sys.argv[2]
with open(sys.argv[1], "ab", buffering=0) as f:
    while not os.path.exists(stop):
        f.write(b"grow grow grow\n" * 4096)
        time.sleep(0.002)
' "$G/g.txt" "$TMP/stop"
for _ in $(seq 50); do
	[ "$(stat -c %s "$G/g.txt")" -le 32000000 ] || break
	sleep 0.1
done
[ "$(stat -c %s "$G/g.txt")" -gt 32000000 ] || fail "setup: the file does not grow"
DB=$TMP/grow.db
run_scan "$G"
: >"$TMP/stop"
wait "$BG_PID" 2>/dev/null || true
ran=1
size=$(stat -c %s "$G/g.txt")
bytes=$(q "SELECT coalesce(bytes, 0) FROM files WHERE path = '$G/g.txt'")
stage=$(q "SELECT group_concat(stage) FROM errors WHERE path = '$G/g.txt'")
[ "${bytes:-0}" -le "$size" ] || fail "indexed $bytes bytes of a file of $size"
[ "$SCAN_RC" -le 1 ] || fail "scan of a growing file exited $SCAN_RC"
note "growing file: scan exit $SCAN_RC, $bytes bytes indexed of $size, errors: ${stage:-none}"
if [ "$SCAN_RC" = 1 ]; then
	assert_eq changed "$stage" "a growing file that failed failed as changed"
fi

[ $ran = 1 ] || skip "no part could run"
pass "done"
