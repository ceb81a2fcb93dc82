#!/bin/bash
# scan-settings.sh - the index over months of cron runs: a root keeps the
# settings it was scanned with, and a bare scan (what cron runs) uses them;
# a scan that names a root with options changes them, says so in one line
# and recounts only what the change asks; `wcindex roots` lists them;
# `wcindex forget` removes a root and its rows; a vanished root is said,
# with the forget command, and kept; and a root that looks unmounted (empty,
# or on another device) loses nothing without --accept-changes.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

export WCINDEX_TEST_RACY_MARGIN_MS=0
DB=$TMP/idx.db
D=$TMP/docs
mkdir -p "$D/sub"
"$PYTHON3" - "$D" <<'PY' || fail "cannot make the tree"
import os, random, sys
d = sys.argv[1]
rnd = random.Random(12)
words = ['alpha', 'beta', '\u00e9t\u00e9', 'caf\u00e9\u00a0noir', '\u3000x', 'z']
for i in range(30):
    sub = 'sub' if i % 3 == 0 else ''
    with open(os.path.join(d, sub, 'f%02d.txt' % i), 'w') as f:
        f.write(' '.join(rnd.choice(words) for _ in range(rnd.randint(1, 40))))
for i in range(20):
    with open(os.path.join(d, 'n%02d.md' % i), 'w') as f:
        f.write('# note %d\n\u00e9t\u00e9 words here\n' % i)
PY
files_in () {
	q "SELECT count(*) FROM files WHERE member = '' AND (path = '$1' OR path LIKE '$1/%')"
}

# ------------------------------------------------- settings are remembered
scan_ok --exclude '*.md' "$D"
assert_stats 30 0 0 0 0 "first scan, markdown excluded"
scan_ok
assert_stats 0 0 0 30 0 "a bare scan keeps the excludes"
assert_eq 30 "$(files_in "$D")" "files after a bare scan"
assert_eq "" "$SCAN_ERR" "a bare scan with the stored settings says nothing"
check_index --exclude '*.md' "$D"

scan_ok --ascii "$D"
assert_stats 0 30 0 0 0 "--ascii recounts every file"
assert_match "settings of '$D' changed: -mode=utf8 \+mode=ascii" "$SCAN_ERR" \
	"the change of mode is said"
assert_eq 1 "$(printf '%s\n' "$SCAN_ERR" | grep -c .)" "one line for the change"
ascii_words=$(q "SELECT words FROM totals_by_root")
scan_ok
assert_stats 0 0 0 30 0 "a bare scan keeps the ASCII mode: nothing recounted"
assert_eq "$ascii_words" "$(q "SELECT words FROM totals_by_root")" "words after the bare scan"
check_index --ascii --exclude '*.md' "$D"

# another exclude replaces the list: the notes come, the .txt files go
scan_ok --exclude '*.txt' "$D"
assert_stats 20 0 30 0 0 "a changed exclude adds and removes files, nothing else"
assert_match "\-exclude=\*\.md \+exclude=\*\.txt" "$SCAN_ERR" "the exclude change is said"
scan_ok --no-excludes --utf8 "$D"
assert_stats 30 20 0 0 0 "no excludes and UTF-8: new files, the rest recounted"
check_index "$D"
scan_ok
assert_stats 0 0 0 50 0 "a bare scan after that"

# --reset-settings starts from the defaults
scan_ok --ascii --exclude 'sub' "$D"
scan_ok --reset-settings "$D"
assert_match "\-mode=ascii \-exclude=sub \+mode=utf8" "$SCAN_ERR" "the reset is said"
check_index "$D"

# ------------------------------------------- limits recount the archives
"$PYTHON3" - "$D" <<'PY' || fail "cannot make the archive"
import gzip, io, sys, tarfile
inner = gzip.compress(b'inside words here\n')
with tarfile.open(sys.argv[1] + '/pack.tar', 'w') as t:
    info = tarfile.TarInfo('notes.txt.gz'); info.size = len(inner)
    t.addfile(info, io.BytesIO(inner))
PY
scan_ok "$D"
assert_eq 32 "$(q "SELECT flags & 32 FROM files WHERE member = 'notes.txt.gz'")" \
	"the member is decompressed at the default depth"
scan_ok --archive-depth 1 "$D"
assert_stats 0 1 0 50 0 "a changed archive limit recounts the archive, nothing else"
assert_eq 0 "$(q "SELECT flags & 32 FROM files WHERE member = 'notes.txt.gz'")" \
	"at depth 1 the member is counted as it is stored"
scan_ok
assert_stats 0 0 0 51 0 "a bare scan keeps the depth"

# ------------------------------------------- roots with other settings
E=$TMP/other
mkdir -p "$E"
printf 'caf\xc3\xa9 one\n' >"$E/a.txt"
scan_ok --ascii "$E"
run_scan
assert_eq 0 "$SCAN_RC" "a bare scan of two roots with their own settings"
assert_eq 2 "$(printf '%s\n' "$SCAN_OUT" | grep -c ': 0 new')" "one summary line per root: $SCAN_OUT"
assert_eq "ascii utf8" "$(q "SELECT group_concat(CASE WHEN options LIKE '%mode=ascii%' THEN 'ascii' ELSE 'utf8' END, ' ') FROM (SELECT options FROM scans ORDER BY id DESC LIMIT 2)")" \
	"each root scanned with its own mode"
"$WCINDEX" --db "$DB" roots --json >"$TMP/roots.json" || fail "roots --json failed"
"$PYTHON3" - "$TMP/roots.json" "$D" "$E" <<'PY' || fail "roots --json is wrong"
import json, sys
rows = json.load(open(sys.argv[1]))
by = {r['root']: r for r in rows}
assert set(by) == {sys.argv[2], sys.argv[3]}, by
assert by[sys.argv[3]]['settings'].startswith('mode=ascii'), by
assert by[sys.argv[2]]['state'] == 'ok' and by[sys.argv[2]]['files'] == 50, by
assert 'archive-depth=1' in by[sys.argv[2]]['settings'], by
PY

# what the last run changed: both of its scans, one per settings group
printf 'more words\n' >>"$D/f01.txt"
printf 'more words\n' >>"$E/a.txt"
scan_ok
"$WCINDEX" --db "$DB" changes --csv >"$TMP/changes.csv" || fail "changes failed"
assert_eq "$D/f01.txt $E/a.txt" "$(cut -d, -f2 "$TMP/changes.csv" | sed 1d | sort | tr '\n' ' ' | sed 's/ $//')" \
	"changes of the last run, across its two scans"
assert_eq 1 "$(q "SELECT count(*) FROM scans WHERE run_id = (SELECT max(id) - 1 FROM scans)")" \
	"the run's second scan names its first"

# ------------------------------------------------------ a vanished root
mv "$E" "$TMP/other.moved"
run_scan
assert_eq 1 "$SCAN_RC" "a bare scan with a vanished root fails"
assert_match "root '$E' has vanished: its rows are kept until 'wcindex forget $E'" "$SCAN_ERR" \
	"the message gives the forget command"
assert_eq 1 "$(files_in "$E")" "the vanished root's rows are kept"
assert_eq vanished "$(q "SELECT state FROM roots WHERE path = '$E'")" "roots.state"
assert_match " 1 $E$" "$("$WCINDEX" --db "$DB" total "$E")" "total still sees it"

# --------------------------------------------------------------- forget
run_forget () {
	local rc=0
	"$WCINDEX" --db "$DB" forget "$@" >"$TMP/.f.out" 2>"$TMP/.f.err" || rc=$?
	FORGET_RC=$rc
}
run_forget "$TMP/nowhere"
assert_eq 2 "$FORGET_RC" "forget of what is not a root"
assert_match "is not a root" "$(cat "$TMP/.f.err")" "its message"
run_forget "$E" "$TMP/nowhere"
assert_eq 2 "$FORGET_RC" "forget of a root and a non-root"
assert_eq 1 "$(files_in "$E")" "nothing forgotten when one argument is bad"
exec 8>"$DB.lock"
flock 8
run_forget "$E"
exec 8>&-
assert_eq 3 "$FORGET_RC" "forget while a scan holds the lock"
run_forget "$E"
assert_eq 0 "$FORGET_RC" "forget of a vanished root"
assert_eq "forgot '$E' (1 files)" "$(cat "$TMP/.f.out")" "what forget says"
assert_eq 0 "$(files_in "$E")" "its rows are gone"
assert_eq 0 "$(q "SELECT count(*) FROM dirs WHERE path = '$E' OR path LIKE '$E/%'")" "its directories are gone"
assert_eq 0 "$(q "SELECT count(*) FROM roots WHERE path = '$E'")" "its root is gone"
assert_eq ok "$(q "PRAGMA integrity_check")" "the database after forget"
assert_eq 0 "$(q "SELECT count(*) FROM entries e LEFT JOIN dirs d ON d.id = e.dir_id WHERE d.id IS NULL")" \
	"no file row left without its directory"
scan_ok
assert_stats 0 0 0 51 0 "a bare scan after forget walks the other root only"

# ------------------------------------- a root that looks unmounted: held
mv "$D" "$TMP/docs.real"
mkdir "$D"
run_scan
assert_eq 1 "$SCAN_RC" "an empty root that held files fails the scan"
assert_match "root '$D' is empty, and held files: nothing under it is deleted.*--accept-changes" \
	"$SCAN_ERR" "the guard says why and what to do"
assert_stats 0 0 0 0 0 "nothing deleted from the empty root"
assert_eq 51 "$(files_in "$D")" "the rows of the empty root are kept"
assert_eq held "$(q "SELECT state FROM roots WHERE path = '$D'")" "roots.state"
assert_eq guard "$(q "SELECT stage FROM errors WHERE scan_id = (SELECT max(id) FROM scans)")" "errors row"
rmdir "$D"
mv "$TMP/docs.real" "$D"
scan_ok
assert_stats 0 0 0 51 0 "the share is back: nothing to do"
assert_eq ok "$(q "SELECT state FROM roots WHERE path = '$D'")" "roots.state when it is back"
# another device: a file system mounted over the root (where it may be)
if unshare -rm true 2>/dev/null; then
	rc=0
	unshare -rm sh -c 'mount -t tmpfs wcindex-test "$1" && touch "$1/stray.txt" &&
		exec "$2" --db "$3" scan "$1"' sh "$D" "$WCINDEX" "$DB" \
		>"$TMP/.u.out" 2>"$TMP/.u.err" || rc=$?
	assert_eq 1 "$rc" "a root now on another device fails the scan"
	assert_match "root '$D' is on another device" "$(cat "$TMP/.u.err")" "the device guard says so"
	assert_eq 52 "$(files_in "$D")" "nothing deleted from it (the stray file is added)"
else
	note "no mount namespace here: the device guard is not tested"
fi
mv "$D" "$TMP/docs.real"
mkdir "$D"
scan_ok --accept-changes "$D"
assert_eq 0 "$(files_in "$D")" "--accept-changes applies the deletions"
assert_eq ok "$(q "SELECT state FROM roots WHERE path = '$D'")" "roots.state after --accept-changes"

pass "settings kept, changed and listed; forget; vanished and unmounted roots"
