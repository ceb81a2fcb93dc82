#!/bin/bash
# terminal.sh - what a scan and the listings show on a terminal, run on a
# pseudo-terminal of a chosen size (tests/pty-run.py): the progress line
# never wider than the terminal less one column at 40 and 200 columns, a
# percentage and an ETA once the walk is over, every error message on a
# cleared line (never appended to the progress line), no progress with
# TERM=dumb, -q, --no-progress or stderr not a terminal; a file named with
# ESC sequences shown quoted by `sql` (and `ls`) on a terminal, and its
# exact bytes through a pipe (ls -0, sql --csv, sql --json).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

"$PYTHON3" -c 'import pty, termios, fcntl' 2>/dev/null || skip "python has no pty"

# on_pty COLS OUT ARGS...: wcindex ARGS on a COLS-column pty, all it
# writes there in OUT; sets RC.  TERM is xterm unless the caller set it.
on_pty () {
	local cols=$1 out=$2
	shift 2
	RC=0
	TERM=${PTY_TERM:-xterm} "$PYTHON3" "$TEST_SRCDIR/pty-run.py" \
		--cols "$cols" --out "$out" --timeout 300 -- \
		"$WCINDEX" --db "$DB" "$@" || RC=$?
}

# check_stream FILE COLS: the progress lines in FILE fit in COLS - 1
# columns, and every message starts on a cleared line.  Prints the
# progress lines, one a line.
check_stream () {
	"$PYTHON3" - "$1" "$2" <<'PY'
import re, sys
data = open(sys.argv[1], 'rb').read()
cols = int(sys.argv[2])
clear = b'\r\x1b[K'
bad = []
# every "wcindex:" message must follow a clear or a newline
for m in re.finditer(rb'wcindex:', data):
    before = data[max(0, m.start() - len(clear)):m.start()]
    if not (before == clear or before.endswith(b'\n') or m.start() == 0):
        bad.append('message appended to a line: %r'
                   % data[max(0, m.start() - 60):m.start() + 20])
# what each clear starts, up to the next clear: a progress line (no
# newline: it is overwritten) or messages and the summary
for piece in data.split(clear)[1:]:
    if b'\n' in piece:
        continue
    if len(piece) > cols - 1:
        bad.append('%d columns > %d: %r' % (len(piece), cols - 1, piece))
    if b'\x1b' in piece or b'\r' in piece:
        bad.append('a control inside the line: %r' % piece)
    sys.stdout.write(piece.decode() + '\n')
if data.count(clear) < 3:
    bad.append('fewer than 3 redraws: %r' % data[:300])
for b in bad:
    sys.stderr.write(b + '\n')
sys.exit(1 if bad else 0)
PY
}

# A tree to count, and files a worker hangs on until --timeout kills it:
# the scan lasts a few seconds after the walk, and each hang ends in an
# error message while the line is drawn.
T=$TMP/tree
"$PYTHON3" - "$T" <<'PY'
import os, sys
top = sys.argv[1]
for d in range(4):
    os.makedirs('%s/d%d' % (top, d))
    for f in range(500):
        with open('%s/d%d/f%d.txt' % (top, d, f), 'w') as fh:
            fh.write('some words to count\n' * 20)
for i in range(4):
    with open('%s/d1/hang-here-%d.txt' % (top, i), 'w') as fh:
        fh.write('x\n')
PY

for cols in 40 200; do
	rm -f "$DB" "$DB"-*
	WCINDEX_TEST_FAULT=hang:hang-here on_pty "$cols" "$TMP/scan$cols" \
		scan -j 2 --timeout 1 "$T"
	assert_eq 1 "$RC" "scan at $cols columns: exit status (4 files timed out)"
	lines=$(check_stream "$TMP/scan$cols" "$cols") ||
		fail "scan at $cols columns: see above"
	assert_match '^[0-9]+% [0-9]+/2004 counted' "$lines" \
		"scan at $cols columns: a percentage after the walk"
	n=$(grep -c "cannot count '$T/d1/hang-here-" "$TMP/scan$cols" || true)
	assert_eq 4 "$n" "scan at $cols columns: the messages of the hung files"
	grep -aq '2000 new, 0 changed, 0 deleted, 0 unchanged, 4 failed' \
		"$TMP/scan$cols" || fail "scan at $cols columns: no summary"
	# the summary comes after the last line was cleared
	"$PYTHON3" -c '
import sys
d = open(sys.argv[1], "rb").read()
i = d.rindex(b"2000 new")
sys.exit(0 if d[:i].endswith((b"\r\x1b[K", b"\n")) else 1)' "$TMP/scan$cols" ||
		fail "scan at $cols columns: the summary follows a drawn line"
done
# the parts that matter less are left out at 40 columns, not cut
assert_match ', ETA [0-9]+:[0-9][0-9]' "$(check_stream "$TMP/scan200" 200)" \
	"scan at 200 columns: an ETA after the walk"
assert_match 'files/s' "$(check_stream "$TMP/scan200" 200)" \
	"scan at 200 columns: rates"
if check_stream "$TMP/scan40" 40 | grep -q 'files/s, '; then
	fail "scan at 40 columns: every part shown"
fi

# ============================================== no progress line
rm -f "$DB" "$DB"-*
for how in dumb -q --no-progress; do
	args=(scan --full "$T")
	PTY_TERM=xterm
	case $how in
	dumb) PTY_TERM=dumb ;;
	*) args=(scan "$how" --full "$T") ;;
	esac
	on_pty 80 "$TMP/quiet" "${args[@]}"
	assert_eq 0 "$RC" "scan with $how: exit status"
	if grep -aq $'\033' "$TMP/quiet"; then
		fail "scan with $how: escape sequences on the terminal"
	fi
done
PTY_TERM=
# stderr not a terminal: not a byte on it (stdout on the pty)
TERM=xterm "$PYTHON3" "$TEST_SRCDIR/pty-run.py" --out "$TMP/pty" -- \
	bash -c '"$0" --db "$1" scan --full "$2" 2>"$3"' \
	"$WCINDEX" "$DB" "$T" "$TMP/err" || fail "scan with stderr to a file"
assert_eq "" "$(cat "$TMP/err")" "scan with stderr to a file: stderr"

# ============================================== hostile names
H=$TMP/hostile
mkdir "$H"
"$PYTHON3" -c '
import sys
open(sys.argv[1].encode() + b"/evil\x1b]0;pwned\x07\x1b[2J.txt", "w").write("a b\n")
open(sys.argv[1].encode() + b"/\xe4\xb8\xad\xe6\x96\x87.txt", "w").write("c\n")' "$H"
rm -f "$DB" "$DB"-*
scan_ok -q "$H"
evil_q="'evil'\$'\\033'']0;pwned'\$'\\a\\033''[2J.txt'"

on_pty 80 "$TMP/sql" sql "SELECT name FROM entries ORDER BY name"
assert_eq 0 "$RC" "sql on a terminal: exit status"
if grep -aq $'\033' "$TMP/sql"; then
	fail "sql on a terminal: a raw ESC in $(cat -v "$TMP/sql")"
fi
grep -aqF "$evil_q" "$TMP/sql" ||
	fail "sql on a terminal: not quoted as ls does: $(cat -v "$TMP/sql")"
grep -aqF "中文.txt" "$TMP/sql" ||
	fail "sql on a terminal: CJK quoted: $(cat -v "$TMP/sql")"

# ls, total and changes quote the whole path, as ls quotes its arguments
printf 'more words\n' >>"$(printf '%s\n' "$H"/evil*)"
scan_ok -q "$H"
evil_tail="\$'\\033'']0;pwned'\$'\\a\\033''[2J.txt'"
for cmd in "ls $H" "total $H/evil*" "changes $H"; do
	# shellcheck disable=SC2086
	on_pty 80 "$TMP/out" $cmd
	assert_eq 0 "$RC" "${cmd%% *} on a terminal: exit status"
	if grep -aq $'\033' "$TMP/out"; then
		fail "${cmd%% *} on a terminal: a raw ESC in $(cat -v "$TMP/out")"
	fi
	grep -aqF "'$H/evil'$evil_tail" "$TMP/out" ||
		fail "${cmd%% *} on a terminal: not quoted as ls does: $(cat -v "$TMP/out")"
done
on_pty 80 "$TMP/out" total "$H/中文.txt"
grep -aqF " $H/中文.txt" "$TMP/out" ||
	fail "total on a terminal: a printable name quoted: $(cat -v "$TMP/out")"

# through a pipe, the exact bytes
"$PYTHON3" - "$WCINDEX" "$DB" "$H" <<'PY' || fail "exact bytes through a pipe"
import json, subprocess, sys
exe, db, top = sys.argv[1:]
evil = b'evil\x1b]0;pwned\x07\x1b[2J.txt'
def run(*args):
    return subprocess.run([exe, '--db', db] + list(args), check=True,
                          stdout=subprocess.PIPE).stdout
ls = run('ls', '-0', top).split(b'\0')
assert any(l.endswith(b'/' + evil) for l in ls), ls
csv = run('sql', '--csv', 'SELECT name FROM entries ORDER BY name')
assert evil + b'\n' in csv, csv
js = json.loads(run('sql', '--json', 'SELECT name FROM entries ORDER BY name'))
names = [r['name'].encode('utf-8', 'surrogateescape') for r in js]
assert evil in names, names
table = run('sql', 'SELECT name FROM entries ORDER BY name')
assert evil in table, table
PY

pass "progress at 40 and 200 columns, cleared before messages, quoted names"
