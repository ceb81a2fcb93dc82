#!/bin/bash
# scan-race.sh - never outside a root.  A racer swaps a directory under the
# root with a symbolic link to a directory outside it (renameat2 with
# RENAME_EXCHANGE, every 2 ms) while scans of the root run, as an attacker
# who can write the tree would.  The outside directory holds files named
# like those under the root (passwd, shadow, ssl/private/...) with counts
# no file under the root has.  After every scan no row may hold the counts
# of an outside file; under strace -y
# (where it is installed) no process of the scan may get a descriptor of
# anything outside.  Both ways of walking below a root run: openat2() and
# the openat() fallback (WCINDEX_BENEATH=openat).  Time-bounded: RACE_SCANS
# scans (default 40) per way, at most RACE_SECONDS (default 60) in all.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

SCANS=${RACE_SCANS:-40}
BUDGET=${RACE_SECONDS:-60}
ROOT=$TMP/root
OUT=$TMP/outside
DB=$TMP/race.db

# ------------------------------------------------------------- the tree
# Under the root: sub/ with 3000 small files and the decoys; outside: the
# same names, each file 7919 + i words on one line (no file under the root
# has more than 12 words).
"$PYTHON3" - "$ROOT" "$OUT" <<'PY' || fail "cannot make the trees"
import os, sys
root, out = sys.argv[1], sys.argv[2]
decoys = ['passwd', 'shadow', 'group', 'ssl/private/key.pem',
          'ssl/certs/ca.pem', 'apt/sources.list', 'apt/trusted.gpg']
sub = os.path.join(root, 'sub')
for d in ('', 'ssl/private', 'ssl/certs', 'apt', 'deep/er/still'):
    os.makedirs(os.path.join(sub, d), exist_ok=True)
    os.makedirs(os.path.join(out, d), exist_ok=True)
for i in range(3000):
    d = ('', 'ssl/certs', 'apt', 'deep/er/still')[i % 4]
    with open(os.path.join(sub, d, 'f%04d.txt' % i), 'w') as f:
        f.write(' '.join('w%d' % k for k in range(i % 12 + 1)) + '\n')
for i, name in enumerate(decoys + ['deep/er/still/f0003.txt', 'f0000.txt']):
    with open(os.path.join(sub, name), 'w') as f:
        f.write('inside %s\n' % name)
    with open(os.path.join(out, name), 'w') as f:
        f.write(' '.join('secret%d' % k for k in range(7919 + i)) + '\n')
os.symlink(out, os.path.join(root, 'sublink'))
PY
# "lines words bytes" of every outside file
OUTSIDE_COUNTS=$(find "$OUT" -type f -exec wc -l -w -c {} + |
	awk '$4 != "total" { print $1, $2, $3 }' | sort -u)
[ "$(wc -l <<<"$OUTSIDE_COUNTS")" -ge 9 ] || fail "the outside tree is not as planned"

# ------------------------------------------------------------ the racer
RACER=$TMP/racer.py
cat >"$RACER" <<'PY'
import ctypes, os, sys, time
libc = ctypes.CDLL(None, use_errno=True)
AT_FDCWD, RENAME_EXCHANGE = -100, 2
a, b, stop = os.fsencode(sys.argv[1]), os.fsencode(sys.argv[2]), sys.argv[3]
end = time.monotonic() + float(sys.argv[4])
n = 0
while not os.path.exists(stop) and time.monotonic() < end:
    if libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE) != 0:
        sys.exit('renameat2: ' + os.strerror(ctypes.get_errno()))
    n += 1
    time.sleep(0.002)
# leave the tree as it was
if n % 2:
    libc.renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE)
print(n)
PY
"$PYTHON3" "$RACER" "$ROOT/sub" "$ROOT/sublink" "$TMP/nostop" 0.05 >/dev/null ||
	skip "renameat2(RENAME_EXCHANGE) is not available here"

# check_rows WAY RUN: nothing of the outside in the database
check_rows () {
	local rows bad
	rows=$("$WCINDEX" --db "$DB" sql --csv \
		"SELECT lines || ' ' || words || ' ' || bytes, path FROM files WHERE words IS NOT NULL")
	bad=$(awk 'NR == FNR { out[$0] = 1; next } FNR > 1 {
		split($0, f, ","); if (f[1] in out) print }' \
		<(printf '%s\n' "$OUTSIDE_COUNTS") <(printf '%s\n' "$rows"))
	[ -z "$bad" ] || fail "$1, scan $2: outside counts stored: $(head -3 <<<"$bad")"
	# (rows named below sublink are fine: the racer gives the real
	# directory that name half the time)
	bad=$(q "SELECT count(*) FROM files WHERE words >= 7919")
	assert_eq 0 "$bad" "$1, scan $2: rows with outside counts"
}

have_strace=
command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null && have_strace=1

start=$SECONDS
total_swaps=0
for way in openat2 openat; do
	if [ "$way" = openat ]; then export WCINDEX_BENEATH=openat; else unset WCINDEX_BENEATH; fi
	rm -f "$TMP/stop"
	"$PYTHON3" "$RACER" "$ROOT/sub" "$ROOT/sublink" "$TMP/stop" "$BUDGET" >"$TMP/swaps" &
	racer=$!
	for run in $(seq "$SCANS"); do
		[ $((SECONDS - start)) -lt "$BUDGET" ] || break
		rm -f "$DB" "$DB-wal" "$DB-shm"
		trace=
		# every fourth scan under strace: it slows the scan, not the racer
		if [ -n "$have_strace" ] && [ $((run % 4)) = 0 ]; then
			trace=$TMP/trace
			rc=0
			# (LeakSanitizer cannot work under ptrace)
			ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
			timeout -k 5 60 strace -f -y -qq -e trace=open,openat,openat2 \
				-o "$trace" "$WCINDEX" --db "$DB" scan -q -j 2 "$ROOT" \
				>/dev/null 2>"$TMP/err" || rc=$?
		else
			rc=0
			timeout -k 5 60 "$WCINDEX" --db "$DB" scan -q -j 2 "$ROOT" \
				>/dev/null 2>"$TMP/err" || rc=$?
		fi
		# 1: a directory replaced while the scan walked (said on stderr)
		case $rc in 0|1) ;; *) cat "$TMP/err" >&2; fail "$way, scan $run exited $rc" ;; esac
		check_rows "$way" "$run"
		if [ -n "$trace" ] && grep -F "<$OUT" "$trace" | grep -v -e '^[0-9]* *+++' >"$TMP/outside-opens"; then
			fail "$way, scan $run: opened outside the root: $(head -3 "$TMP/outside-opens")"
		fi
	done
	touch "$TMP/stop"
	wait "$racer" || fail "the racer failed"
	swaps=$(cat "$TMP/swaps")
	[ "$swaps" -gt 10 ] || fail "$way: the racer swapped only $swaps times"
	total_swaps=$((total_swaps + swaps))
	note "$way: $run scans while the racer swapped $swaps times${have_strace:+ (every fourth under strace)}"
done
unset WCINDEX_BENEATH

# With the tree left alone, the scan is complete: the race cost nothing.
rm -f "$DB" "$DB-wal" "$DB-shm"
scan_ok "$ROOT"
assert_eq "$(count_files "$ROOT")" "$(q "SELECT count(*) FROM files")" \
	"files after the race, the tree left alone"
check_rows quiet 1

pass "no outside file counted or opened in scans racing $total_swaps swaps"
