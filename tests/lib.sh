# lib.sh - shared helpers of the wcindex shell tests.  Source it first:
#
#	[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
#	. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"
#
# Environment: WCINDEX (the wcindex binary), TEST_SRCDIR (this directory),
# PYTHON3.  A test exits 0 on success, 1 on failure, 77 when it cannot run.
#
# After sourcing: $TMP is a private scratch directory (removed on exit, with
# any background process started through bg_start), $DB the database path
# used by wci/q/scan_ok, $TEST_NAME the name of the test.

set -eu
set -o pipefail 2>/dev/null || true

TEST_NAME=$(basename "$0" .sh)
PYTHON3=${PYTHON3:-python3}

skip () {
	echo "$TEST_NAME: SKIP: $*"
	exit 77
}

fail () {
	echo "$TEST_NAME: FAIL: $*" >&2
	exit 1
}

note () {
	echo "$TEST_NAME: $*"
}

# pass MESSAGE: the last line of a test that got to its end.
pass () {
	if [ "$FAILURES" = 0 ]; then
		echo "$TEST_NAME: ok: $*"
	fi
}

if [ -z "${WCINDEX:-}" ]; then
	skip "WCINDEX is not set"
fi
[ -x "$WCINDEX" ] || fail "WCINDEX='$WCINDEX' is not an executable"
if [ "x$PYTHON3" = xnone ] || ! command -v "$PYTHON3" >/dev/null 2>&1; then
	skip "python3 not found"
fi
TEST_SRCDIR=${TEST_SRCDIR:-$(cd "$(dirname "$0")" && pwd)}
export TEST_SRCDIR
[ -f "$TEST_SRCDIR/pycount.py" ] || fail "TEST_SRCDIR='$TEST_SRCDIR' holds no pycount.py"
command -v timeout >/dev/null 2>&1 || skip "timeout(1) not found"

# No database of the user's may ever be touched by a test.
unset WCINDEX_DB XDG_DATA_HOME
unset WCINDEX_TEST_FAULT

# The racy rule: a file whose ctime is less than 2 s before the start of a
# scan is marked racy and recounted by the next scan.  A test cannot set a
# ctime back (utime, touch -d and the age helper set it to now), so every
# file it has just written would be racy.  A margin of 0 (a test-only hook
# of wcindex) leaves racy only the files changed after the scan started:
# the files a test writes before it runs a scan are not.  The racy section
# of scan-incremental.sh checks the real 2 s margin.
export WCINDEX_TEST_RACY_MARGIN_MS=0

TMP=$(mktemp -d "${TMPDIR:-/tmp}/wcindex-$TEST_NAME.XXXXXX")
TMP=$(cd "$TMP" && pwd -P)
BG_PIDS=
cleanup () {
	# background loops of the tests stop when $TMP/stop exists
	: >"$TMP/stop" 2>/dev/null || true
	for pid in $BG_PIDS; do
		kill -9 "$pid" 2>/dev/null || true
	done
	for pid in $BG_PIDS; do
		wait "$pid" 2>/dev/null || true
	done
	chmod -R u+rwX "$TMP" 2>/dev/null || true
	# a process of a killed loop may still be writing there for a moment
	rm -rf "$TMP" 2>/dev/null || { sleep 1; rm -rf "$TMP"; } || true
}
FAILURES=0
on_exit () {
	local rc=$?
	cleanup
	if [ $rc -eq 0 ] && [ "$FAILURES" -gt 0 ]; then
		echo "$TEST_NAME: $FAILURES check(s) failed" >&2
		rc=1
	fi
	exit $rc
}
trap on_exit EXIT
trap 'exit 1' HUP INT TERM
export HOME="$TMP/home"
mkdir -p "$HOME"
DB=$TMP/index.db

# bg_start CMD...: run CMD in the background; BG_PID is its pid; it is
# killed at exit if still running.
bg_start () {
	"$@" &
	BG_PID=$!
	BG_PIDS="$BG_PIDS $BG_PID"
}

# find_unprivileged DIR: set AS_USER to a command prefix that runs a command
# as an unprivileged user who can read DIR (and everything above it is
# opened up for that); " " when the test already runs unprivileged, empty
# when there is no way (the caller then skips what needs it).  Root reads
# and writes everything, so permission tests run their scans through it.
find_unprivileged () {
	AS_USER=
	if [ "$(id -u)" != 0 ]; then
		AS_USER=" "
		return 0
	fi
	if command -v setpriv >/dev/null 2>&1 &&
	   setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
		AS_USER="setpriv --reuid=65534 --regid=65534 --clear-groups"
	elif command -v runuser >/dev/null 2>&1 && runuser -u nobody -- true 2>/dev/null; then
		AS_USER="runuser -u nobody --"
	fi
	if [ -n "$AS_USER" ]; then
		chmod 755 "$TMP"
		# shellcheck disable=SC2086
		{ $AS_USER "$WCINDEX" --version && $AS_USER ls "$1"; } >/dev/null 2>&1 || AS_USER=
	fi
}

# wci ARGS...: wcindex on the test's database.
wci () {
	"$WCINDEX" --db "$DB" "$@"
}

# run CMD...: sets RC, OUT (stdout) and ERR (stderr); never fails.
run () {
	RC=0
	timeout 60 "$@" >"$TMP/.out" 2>"$TMP/.err" || RC=$?
	OUT=$(tr '\0' '\n' <"$TMP/.out")
	ERR=$(cat "$TMP/.err")
}

# q SQL: the rows of SQL as CSV, without the header line.  Fails the test
# when the query fails.  Newlines and tabs in SQL become spaces (so that the
# header is one line): put no newline in its string literals.
q () {
	local out sql
	sql=$(printf '%s' "$1" | tr '\n\t' '  ')
	out=$("$WCINDEX" --db "$DB" sql --csv "$sql") ||
		fail "wcindex sql --csv '$1' failed"
	printf '%s\n' "$out" | sed 1d
}

# soft ASSERTION...: run an assert_* (or any command) and, if it fails, go
# on with the test, which then fails at the end.  For checks that later
# steps do not depend on.
soft () {
	( "$@" ) || FAILURES=$((FAILURES + 1))
}

# assert_eq EXPECTED ACTUAL MESSAGE
assert_eq () {
	if [ "x$1" != "x$2" ]; then
		fail "$3: expected '$1', got '$2'"
	fi
}

# assert_ne UNEXPECTED ACTUAL MESSAGE
assert_ne () {
	if [ "x$1" = "x$2" ]; then
		fail "$3: did not expect '$1'"
	fi
}

# assert_match REGEX STRING MESSAGE (grep -E)
assert_match () {
	# a here-string: "printf | grep -q" under pipefail fails when grep
	# stops reading before printf has written everything
	grep -Eq -- "$1" <<<"$2" ||
		fail "$3: '$2' does not match /$1/"
}

# pycount [--ascii] FILE...: the reference counts, "lines words chars bytes flags".
pycount () {
	"$PYTHON3" "$TEST_SRCDIR/pycount.py" "$@"
}

# gen_tree DIR ARGS...: tests/gen-tree.py
gen_tree () {
	"$PYTHON3" "$TEST_SRCDIR/gen-tree.py" "$@"
}

# age SECONDS PATH...: set mtime and atime of PATHs (recursively for
# directories, files only) SECONDS seconds into the past.  Every call sets a
# new time, so ageing a file always changes its mtime.  It does not make a
# file old for the racy rule, which looks at the ctime: utime sets that to
# now.
age () {
	"$PYTHON3" - "$@" <<'EOF'
import os, sys, time
t = time.time_ns() - int(float(sys.argv[1]) * 1e9)
for p in sys.argv[2:]:
    p = os.fsencode(p)
    if os.path.isdir(p) and not os.path.islink(p):
        for d, subdirs, files in os.walk(p):
            for f in files:
                fp = os.path.join(d, f)
                if not os.path.islink(fp):
                    os.utime(fp, ns=(t, t))
    else:
        os.utime(p, ns=(t, t), follow_symlinks=False)
EOF
}

# run_scan ARGS...: wcindex scan on $DB under a timeout; sets SCAN_RC and
# SCAN_OUT (stdout), SCAN_ERR (stderr).  Never fails by itself.
run_scan () {
	local rc=0
	timeout -k 5 "${SCAN_TIMEOUT:-60}" "$WCINDEX" --db "$DB" scan "$@" \
		>"$TMP/.scan.out" 2>"$TMP/.scan.err" || rc=$?
	SCAN_RC=$rc
	SCAN_OUT=$(cat "$TMP/.scan.out")
	SCAN_ERR=$(cat "$TMP/.scan.err")
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		fail "wcindex scan $* timed out after ${SCAN_TIMEOUT:-60} s"
	fi
	return 0
}

# scan_ok ARGS...: run_scan, and fail unless it exits 0.
scan_ok () {
	run_scan "$@"
	if [ "$SCAN_RC" -ne 0 ]; then
		printf '%s\n' "$SCAN_ERR" >&2
		fail "wcindex scan $* exited $SCAN_RC"
	fi
}

# last_scan_id: id of the newest row of scans.
last_scan_id () {
	q "SELECT coalesce(max(id), 0) FROM scans"
}

# scan_stats: "new changed deleted unchanged failed skipped" of the last scan.
# "changed" is every file recounted: files_changed plus files_rechecked (the
# recounts that found the same counts; tests/history.sh tells them apart).
scan_stats () {
	q "SELECT files_new || ' ' || (files_changed + files_rechecked) || ' ' || files_deleted || ' ' ||
	   files_unchanged || ' ' || files_failed || ' ' || files_skipped
	   FROM scans ORDER BY id DESC LIMIT 1"
}

# assert_stats NEW CHANGED DELETED UNCHANGED FAILED [SKIPPED] MESSAGE: the
# scans row of the last scan, and its summary line ($SCAN_OUT).
assert_stats () {
	local want msg got
	if [ $# -eq 7 ]; then
		want="$1 $2 $3 $4 $5 $6"
		msg=$7
		got=$(scan_stats)
	else
		want="$1 $2 $3 $4 $5"
		msg=$6
		got=$(scan_stats | cut -d' ' -f1-5)
	fi
	assert_eq "$want" "$got" "$msg: scans row (new changed deleted unchanged failed [skipped])"
	check_summary "$msg"
}

# check_summary MESSAGE: the output of the last run_scan is one summary
# line that agrees with the last row of scans.
check_summary () {
	"$WCINDEX" --db "$DB" sql --json "SELECT * FROM scans ORDER BY id DESC LIMIT 1" \
		>"$TMP/.lastscan.json" || fail "$1: cannot read the scans table"
	"$PYTHON3" - "$TMP/.lastscan.json" "$1" "$TMP/.scan.out" <<'EOF' || exit 1
import json, re, sys
out = open(sys.argv[3], encoding='utf-8', errors='surrogateescape').read()
row = json.load(open(sys.argv[1]))[0]
what = sys.argv[2]
def bad(msg):
    sys.stderr.write('FAIL: %s: summary line %r: %s\n' % (what, out, msg))
    sys.exit(1)
m = re.fullmatch(r'(\d+) new, (\d+) changed, (\d+) deleted, (\d+) unchanged, '
                 r'(\d+) failed(?:, (\d+) skipped)?(?:, (\d+) rechecked)?; '
                 r'([0-9.]+) (bytes|kB|MB|GB), '
                 r'(\d+) words counted in ([0-9]+\.[0-9]{2}) s\n', out)
if not m:
    bad('not in the documented format')
got = [int(x) for x in m.group(1, 2, 3, 4, 5)]
rechecked = int(m.group(7)) if m.group(7) is not None else 0
if rechecked != row['files_rechecked']:
    bad('%d rechecked, the scans row says %d' % (rechecked, row['files_rechecked']))
if m.group(7) is not None and rechecked == 0:
    bad('"0 rechecked" should be left out')
want = [row['files_' + k] for k in ('new', 'changed', 'deleted', 'unchanged', 'failed')]
if got != want:
    bad('counts %s, the scans row says %s' % (got, want))
skipped = int(m.group(6)) if m.group(6) is not None else 0
if skipped != row['files_skipped']:
    bad('%d skipped, the scans row says %d' % (skipped, row['files_skipped']))
if m.group(6) is not None and skipped == 0:
    bad('"0 skipped" should be left out')
if int(m.group(10)) != row['words_read']:
    bad('%s words, the scans row says %d' % (m.group(10), row['words_read']))
b, unit = row['bytes_read'], m.group(9)
want_unit = 'GB' if b >= 1e9 else 'MB' if b >= 1e6 else 'kB' if b >= 1e3 else 'bytes'
if unit != want_unit:
    bad('unit %s for %d bytes' % (unit, b))
scale = {'bytes': 1, 'kB': 1e3, 'MB': 1e6, 'GB': 1e9}[unit]
if unit == 'bytes':
    if int(m.group(8)) != b:
        bad('%s bytes, the scans row says %d' % (m.group(8), b))
elif abs(float(m.group(8)) * scale - b) > scale * 0.051:
    bad('%s %s, the scans row says %d bytes' % (m.group(8), unit, b))
if row['status'] != 'done':
    bad('scans.status is %r' % row['status'])
EOF
}

# recounted: the paths of the files counted by the last scan, sorted, one a
# line (the file names of the trees using it hold no newline or comma).
recounted () {
	q "SELECT path FROM files WHERE scan_id = (SELECT max(id) FROM scans) ORDER BY path"
}

# files_json FILE [WHERE]: the files view as JSON into FILE.
files_json () {
	"$WCINDEX" --db "$DB" sql --json "SELECT path, lines, words, chars, bytes, flags,
		binary, invalid_utf8, status, error, scan_id, root, name, dir, ext
		FROM files ${2:-WHERE member = ''}" >"$1" ||
		fail "wcindex sql --json on the files view failed"
}

# check_index [--ascii] [--follow] [--exclude GLOB]... [--ignore NAME]...
#             [--failed NAME]... DIR...
# The index rows under the DIRs are exactly the regular files under them on
# disk (the database files left out), and each row holds the counts python
# computes for the file now.  --ascii: counted in ASCII mode (and flagged 8).
# --follow: symbolic links followed as wcindex --follow does.  --exclude:
# names, root-relative or absolute paths matching GLOB are not indexed
# (the first DIR is the root).  --ignore: files of that name are not checked
# at all.  --failed: files of that name must be rows with status 'error'.
check_index () {
	files_json "$TMP/.files.json"
	"$PYTHON3" - "$TMP/.files.json" "$DB" "$@" <<'EOF' || fail "the index does not match the files on disk (see above)"
import fnmatch, json, os, stat, sys

args = sys.argv[1:]
rows_file, db = args[0], os.fsencode(args[1])
args = args[2:]
ascii_mode = follow = False
excludes, ignore, failed, dirs = [], set(), set(), []
while args:
    a = args.pop(0)
    if a == '--ascii':
        ascii_mode = True
    elif a == '--follow':
        follow = True
    elif a == '--exclude':
        excludes.append(os.fsencode(args.pop(0)))
    elif a == '--ignore':
        ignore.add(os.fsencode(args.pop(0)))
    elif a == '--failed':
        failed.add(os.fsencode(args.pop(0)))
    else:
        dirs.append(os.path.realpath(os.fsencode(a)))


sys.path.insert(0, os.environ['TEST_SRCDIR'])
from libdocs import doc_counts

def enc(s):
    return None if s is None else s.encode('utf-8', 'surrogateescape')

rows = {}
problems = []
for r in json.load(open(rows_file, encoding='utf-8', errors='surrogateescape')):
    p = enc(r['path'])
    if p in rows:
        problems.append('duplicate row for %r' % p)
    rows[p] = r

db_dir = os.path.dirname(os.path.realpath(db))
db_name = os.path.basename(db)
db_files = {db_name + s for s in (b'', b'-wal', b'-shm', b'-journal', b'.lock')}

def excluded(root, path, name):
    rel = os.path.relpath(path, root)
    return any(fnmatch.fnmatchcase(name, g) or fnmatch.fnmatchcase(rel, g) or
               fnmatch.fnmatchcase(path, g) for g in excludes)

# The walk of wcindex: depth first, subdirectories in name order.  With
# --follow, each DIR has its own set of directories seen: a directory is
# marked when the directory holding it is listed (in readdir order, which
# os.listdir keeps), and a link to a directory already marked is not
# followed; a real directory is always walked.
expected = {}
def walk(root, top):
    visited = set()
    st = os.stat(top)
    visited.add((st.st_dev, st.st_ino))
    stack = [top]
    while stack:
        d = stack.pop()
        try:
            names = os.listdir(d)
        except OSError as e:
            problems.append('cannot list %r: %s' % (d, e))
            continue
        subdirs = []
        for name in names:
            p = os.path.join(d, name)
            if d == db_dir and name in db_files:
                continue
            if excludes and excluded(root, p, name):
                continue
            try:
                st = os.stat(p) if follow else os.lstat(p)
            except OSError:
                continue        # dangling or looping link
            if stat.S_ISREG(st.st_mode):
                expected[p] = name
            elif stat.S_ISDIR(st.st_mode):
                key = (st.st_dev, st.st_ino)
                if follow:
                    seen = key in visited
                    visited.add(key)
                    if seen and os.path.islink(p):
                        continue
                subdirs.append(p)
        stack.extend(sorted(subdirs, reverse=True))

for d in dirs:
    walk(dirs[0], d)

def under(p):
    return any(p == d or p.startswith(d.rstrip(b'/') + b'/') for d in dirs)

actual = {p for p in rows if under(p)}
for p in sorted(set(expected) - actual):
    if os.path.basename(p) not in ignore:
        problems.append('not indexed: %r' % p)
for p in sorted(actual - set(expected)):
    problems.append('indexed but not a file on disk: %r' % p)

checked = 0
for p in sorted(set(expected) & actual):
    r, name = rows[p], expected[p]
    if name in ignore:
        continue
    if name in failed:
        if r['status'] != 'error' or not r['error']:
            problems.append('%r: status %r error %r, want a failure' %
                            (p, r['status'], r['error']))
        continue
    with open(p, 'rb') as f:
        data = f.read()
    doc = doc_counts(p, data, ascii_mode)
    if doc:
        # a document: its text's counts (each format's tests check them)
        got = (r['lines'], r['words'], r['chars'], r['bytes'], r['status'])
        checked += 1
        if got != doc:
            problems.append('%r: lines words chars bytes status %s, doc-count says %s'
                            % (p, got, doc))
        continue
    flags = 1 if b'\0' in data[:8192] else 0
    lines = data.count(b'\n')
    if ascii_mode:
        want = (lines, len(data.split()), len(data), len(data))
        flags |= 8
    else:
        text = data.decode('utf-8', 'surrogateescape')
        try:
            data.decode('utf-8')
        except UnicodeDecodeError:
            flags |= 2
        want = (lines, len(text.split()), len(text), len(data))
    got = (r['lines'], r['words'], r['chars'], r['bytes'])
    checked += 1
    if r['status'] != 'ok':
        problems.append('%r: status %r (%r)' % (p, r['status'], r['error']))
    elif got != want:
        problems.append('%r: lines words chars bytes %s, python says %s' %
                        (p, got, want))
    elif (r['flags'] & ~4) != flags:
        problems.append('%r: flags %d, want %d (+4 if racy)' %
                        (p, r['flags'], flags))
    elif r['binary'] != (flags & 1) or r['invalid_utf8'] != (flags & 2) >> 1:
        problems.append('%r: binary %r invalid_utf8 %r, flags %d' %
                        (p, r['binary'], r['invalid_utf8'], flags))
    if enc(r['name']) != name or enc(r['dir']) != os.path.dirname(p):
        problems.append('%r: name %r dir %r' % (p, r['name'], r['dir']))

if problems:
    for m in problems[:25]:
        sys.stderr.write('  ' + m + '\n')
    if len(problems) > 25:
        sys.stderr.write('  ... and %d more\n' % (len(problems) - 25))
    sys.exit(1)
if not checked and not failed and expected:
    sys.stderr.write('  nothing was checked\n')
    sys.exit(1)
EOF
}

# py_totals [--binary] DIR: "lines words chars bytes files" of the regular
# files under DIR (no symlinks followed, database files left out), binary
# files left out unless --binary: what "wcindex total DIR" must print.
py_totals () {
	"$PYTHON3" - "$DB" "$@" <<'EOF'
import os, stat, sys
db = os.fsencode(sys.argv[1])
args = sys.argv[2:]
binary = args[0] == '--binary'
if binary:
    args = args[1:]

sys.path.insert(0, os.environ['TEST_SRCDIR'])
from libdocs import doc_counts

top = os.path.realpath(os.fsencode(args[0]))
db_dir = os.path.dirname(os.path.realpath(db))
db_files = {os.path.basename(db) + s for s in (b'', b'-wal', b'-shm', b'-journal', b'.lock')}
t = [0, 0, 0, 0, 0]
paths = [top] if os.path.isfile(top) else []
for d, subdirs, files in os.walk(top):
    for name in files:
        if d == db_dir and name in db_files:
            continue
        paths.append(os.path.join(d, name))
for p in paths:
    if not stat.S_ISREG(os.lstat(p).st_mode):
        continue
    data = open(p, 'rb').read()
    doc = doc_counts(p, data)
    if doc:
        if doc[4] == 'ok':
            for i, n in enumerate(doc[:4] + (1,)):
                t[i] += n
        continue
    if b'\0' in data[:8192] and not binary:
        continue
    text = data.decode('utf-8', 'surrogateescape')
    for i, n in enumerate((data.count(b'\n'), len(text.split()), len(text), len(data), 1)):
        t[i] += n
print(*t)
EOF
}

# count_files DIR: number of regular files under DIR (no links followed).
count_files () {
	"$PYTHON3" - "$1" <<'EOF'
import os, stat, sys
n = 0
for d, subdirs, files in os.walk(os.fsencode(sys.argv[1])):
    n += sum(1 for f in files if stat.S_ISREG(os.lstat(os.path.join(d, f)).st_mode))
print(n)
EOF
}

# total_of OUTPUT PATH: the "lines words chars bytes files" of the line of
# `wcindex total` OUTPUT that ends with PATH.
total_of () {
	printf '%s\n' "$1" | awk -v p="$2" '{
		line = $0; sub(/^ */, "", line)
		n = split(line, f, / +/)
		rest = line
		for (i = 1; i <= 5; i++) sub(/^[0-9]+ +/, "", rest)
		if (rest == p) { print f[1], f[2], f[3], f[4], f[5]; found = 1 }
	} END { if (!found) exit 1 }'
}
