#!/bin/sh
# check-sanitize.sh - the `make check-sanitize` variant of the test suite:
# build the tree again in a directory of its own with AddressSanitizer and
# UndefinedBehaviorSanitizer, run `make check` there, and fail if any
# process of the run (the program, its worker processes, the unit tests)
# reported anything.  Reports go to files rather than stderr: a worker that
# dies of a report is otherwise just a crashed worker to the scan, and the
# test that caused it might still pass.
#
# usage: build-aux/check-sanitize.sh SRCDIR BUILDDIR [MAKE ARGS...]
set -eu
srcdir=$(cd "$1" && pwd)
builddir=$2
shift 2
mkdir -p "$builddir"
builddir=$(cd "$builddir" && pwd)
logs=$builddir/sanitizer-logs
rm -rf "$logs"
mkdir -p "$logs"

cd "$builddir"
if [ ! -f Makefile ]; then
	"$srcdir/configure" -q \
		CFLAGS="-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined"
fi
make -j"$(nproc)" >/dev/null

ASAN_OPTIONS="log_path=$logs/asan:detect_leaks=1:abort_on_error=0"
UBSAN_OPTIONS="log_path=$logs/ubsan:print_stacktrace=1:halt_on_error=1"
export ASAN_OPTIONS UBSAN_OPTIONS
status=0
make -j"$(nproc)" check "$@" >check.out 2>&1 || status=$?
grep -E '^(# (TOTAL|PASS|FAIL|ERROR)|(FAIL|ERROR):)' check.out || true

# LeakSanitizer stops every thread of a process to look for leaks, and says
# "Unable to get registers from thread N" when one of them is exiting at
# that moment: a failure to look, not a finding.
for f in "$logs"/*; do
	[ -f "$f" ] || continue
	if ! grep -qv 'Unable to get registers from thread' "$f"; then
		echo "check-sanitize: ignoring $(basename "$f"): $(head -n 1 "$f")"
		rm -f "$f"
	fi
done
reports=$(find "$logs" -type f | wc -l)
if [ "$reports" != 0 ]; then
	for f in "$logs"/*; do
		echo "==== $f"
		head -n 60 "$f"
	done
	echo "check-sanitize: $reports sanitizer report(s)"
	exit 1
fi
if [ "$status" != 0 ]; then
	for log in tests/*.log tests/unit/*.log; do
		if grep -q '^:test-result: \(FAIL\|ERROR\)' "${log%.log}.trs" 2>/dev/null; then
			echo "==== $log"
			tail -n 40 "$log"
		fi
	done
	echo "check-sanitize: the test suite failed"
	exit 1
fi
echo "check-sanitize: ok, no sanitizer reports"
