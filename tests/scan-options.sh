#!/bin/bash
# scan-options.sh - the options of scan: --ascii (and switching modes),
# --exclude, --follow (symlink loops, links between the DIRs of one scan,
# a link reaching a directory before its real path), FIFOs and other
# special files, unreadable files and directories (as an unprivileged
# user), -j, -q and -x, and a worker crash.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

# ============================================================ --ascii
ROOT=$TMP/tree
gen_tree "$ROOT" --files 80 --dirs 8 --seed 41 --big 2
N=$(count_files "$ROOT")
DB=$TMP/ascii-first.db
scan_ok --ascii "$ROOT"
assert_stats "$N" 0 0 0 0 "first scan in ASCII mode"
check_index --ascii "$ROOT"
assert_match '(^| )mode=ascii( |$)' "$(q "SELECT options FROM scans")" "scans.options of --ascii"

DB=$TMP/index.db
scan_ok "$ROOT"
assert_stats "$N" 0 0 0 0 "first scan in UTF-8 mode"
check_index "$ROOT"
# the two modes must differ somewhere on this tree, or the test proves nothing
utf8_sums=$(q "SELECT sum(words) || ' ' || sum(chars) FROM files")
ascii_sums=$(DB=$TMP/ascii-first.db q "SELECT sum(words) || ' ' || sum(chars) FROM files")
assert_ne "$utf8_sums" "$ascii_sums" "setup: total words and chars in both modes"
scan_ok --ascii "$ROOT"
assert_stats 0 "$N" 0 0 0 "switch to ASCII mode recounts every file"
check_index --ascii "$ROOT"
assert_eq 0 "$(q "SELECT count(*) FROM entries WHERE (flags & 8) = 0")" "rows without the ASCII flag"
scan_ok --ascii "$ROOT"
assert_stats 0 0 0 "$N" 0 "ASCII rescan"
scan_ok "$ROOT"
assert_stats 0 0 0 "$N" 0 "a bare scan keeps the root's ASCII mode"
scan_ok --utf8 "$ROOT"
assert_stats 0 "$N" 0 0 0 "switch back to UTF-8 mode recounts every file"
check_index "$ROOT"
assert_eq 0 "$(q "SELECT count(*) FROM entries WHERE flags & 8")" "rows with the ASCII flag after a UTF-8 scan"
scan_ok "$ROOT"
assert_stats 0 0 0 "$N" 0 "UTF-8 rescan"

# ============================================================ --exclude
DB=$TMP/exclude.db
X=$TMP/ex
mkdir -p "$X/sub/dir1/deep" "$X/sub/dir2" "$X/other/sub/dir3" "$X/abs/in" "$X/node_modules/m" "$X/keep"
for f in a.txt b.log sub/c.log sub/dir1/d.txt sub/dir1/deep/e.txt sub/dir2/f.md sub/dirty.txt \
	sub/keep.txt other/sub/dir3/g.txt other/h.LOG abs/i.txt abs/in/j.txt node_modules/m/k.js \
	keep/node_modules.txt keep/l.log.txt; do
	printf 'file %s\nwith words\n' "$f" >"$X/$f"
done
NX=$(count_files "$X")
scan_ok "$X"
assert_stats "$NX" 0 0 0 0 "scan without excludes"
scan_ok --exclude '*.log' "$X"
assert_stats 0 0 2 $((NX - 2)) 0 "--exclude '*.log' removes the rows of .log files"
check_index --exclude '*.log' "$X"
assert_eq 0 "$(q "SELECT count(*) FROM files WHERE name LIKE '%.log' AND name GLOB '*.log'")" ".log rows left"
assert_eq 1 "$(q "SELECT count(*) FROM files WHERE name = 'h.LOG'")" "the glob is case-sensitive: h.LOG stays"
scan_ok --exclude '*.log' --exclude 'sub/dir*' "$X"
assert_stats 0 0 4 $((NX - 6)) 0 "--exclude 'sub/dir*' (root-relative)"
check_index --exclude '*.log' --exclude 'sub/dir*' "$X"
assert_eq 0 "$(q "SELECT count(*) FROM dirs WHERE path LIKE '$X/sub/dir%'")" "dirs rows of excluded directories"
assert_eq 1 "$(q "SELECT count(*) FROM files WHERE path = '$X/other/sub/dir3/g.txt'")" \
	"other/sub/dir3 is not below the root's sub/dir*"
scan_ok --exclude "$X/abs" --exclude node_modules "$X"
assert_stats 6 0 3 $((NX - 9)) 0 "--exclude of an absolute path and of a name (the earlier excludes dropped)"
check_index --exclude "$X/abs" --exclude node_modules "$X"
assert_eq 1 "$(q "SELECT count(*) FROM files WHERE path = '$X/keep/node_modules.txt'")" "a name pattern matches whole names only"
assert_match "exclude=$X/abs" "$(q "SELECT options FROM scans ORDER BY id DESC LIMIT 1")" "scans.options lists the excludes"
scan_ok "$X"
assert_stats 0 0 0 $((NX - 3)) 0 "a bare scan keeps the root's excludes"
scan_ok --no-excludes "$X"
assert_stats 3 0 0 $((NX - 3)) 0 "a scan with --no-excludes indexes everything again"
check_index "$X"

# ============================================================ --follow
DB=$TMP/follow.db
F=$TMP/follow
O=$TMP/outside
mkdir -p "$F/sub" "$O/dir/sub"
printf 'real file\n' >"$F/real.txt"
printf 'in sub\n' >"$F/sub/s.txt"
printf 'outside file with four words\n' >"$O/o.txt"
printf 'a\n' >"$O/dir/a"
printf 'b b\n' >"$O/dir/b"
printf 'c c c\n' >"$O/dir/sub/c"
ln -s real.txt "$F/link-file"
ln -s "$O/o.txt" "$F/link-out-file"
ln -s "$O/dir" "$F/link-dir"
ln -s .. "$F/sub/loop"
ln -s "$F" "$F/sub/abs-loop"
ln -s self-loop "$F/self-loop"
ln -s "$TMP/nowhere" "$F/dangling"
SCAN_TIMEOUT=20 scan_ok "$F"
assert_stats 2 0 0 0 0 7 "default scan: symlinks are skipped"
check_index "$F"
SCAN_TIMEOUT=20 scan_ok --follow "$F"
assert_stats 5 0 0 2 0 "--follow: links to files and directories followed"
check_index --follow "$F"
assert_eq "$(pycount "$O/o.txt" | cut -d' ' -f1-4)" \
	"$(q "SELECT lines || ' ' || words || ' ' || chars || ' ' || bytes FROM files WHERE path = '$F/link-out-file'")" \
	"counts of a link to a file, followed"
assert_eq 0 "$(q "SELECT count(*) FROM files WHERE path LIKE '%loop%'")" "rows through the symlink loops"
assert_match '(^| )follow=1( |$)' "$(q "SELECT options FROM scans ORDER BY id DESC LIMIT 1")" "scans.options of --follow"
SCAN_TIMEOUT=20 scan_ok --follow "$F"
assert_stats 0 0 0 7 0 "--follow rescan"
SCAN_TIMEOUT=20 scan_ok "$F"
assert_stats 0 0 0 7 0 "a bare scan keeps the root's --follow"
SCAN_TIMEOUT=20 scan_ok --no-follow "$F"
assert_stats 0 0 5 2 0 7 "--no-follow after --follow forgets what links led to"
check_index "$F"
assert_eq 0 "$(q "SELECT count(*) FROM dirs WHERE path LIKE '$F/link-dir%'")" "dirs rows reached through a link"

# --follow with a link from one DIR into another: each DIR has its own set
# of directories walked, so fb/sub is walked under fb although fa/link led
# to it first (fa sorts first), and its files stay indexed under their own
# paths as well as under fa/link
DB=$TMP/follow-tops.db
FA=$TMP/fa
FB=$TMP/fb
mkdir -p "$FA" "$FB/sub/in"
printf 'top of fb\n' >"$FB/top.txt"
printf 'in fb/sub\n' >"$FB/sub/s1.txt"
printf 'deeper in fb/sub\n' >"$FB/sub/in/s2.txt"
ln -s ../fb/sub "$FA/link"
scan_ok "$FB"
assert_stats 3 0 0 0 0 "scan of fb"
SCAN_TIMEOUT=20 scan_ok --follow "$FA" "$FB"
assert_stats 2 0 0 3 0 "--follow scan of fa (fa/link -> fb/sub) and fb"
assert_eq "$FA/link/in/s2.txt $FA/link/s1.txt $FB/sub/in/s2.txt $FB/sub/s1.txt $FB/top.txt" \
	"$(q "SELECT group_concat(path, ' ') FROM (SELECT path FROM files ORDER BY path)")" \
	"files after a --follow scan of fa and fb"
check_index --follow "$FA" "$FB"
SCAN_TIMEOUT=20 scan_ok --follow "$FB" "$FA"
assert_stats 0 0 0 5 0 "--follow rescan of fb and fa"

# --follow within one root: a link to a directory that the walk reaches
# later by its real path (r/link sorts before r/z).  r/z/deep is walked all
# the same: its file, indexed before the link existed, is not deleted.  And
# a link to the parent of the root (r/loop -> ..): the walk goes up through
# it and down into r once more, and ends there, at the links to directories
# it has seen.  r lies in a directory of its own, so that what r/loop leads
# to stays small.
DB=$TMP/follow-one.db
FR=$TMP/fr/r
mkdir -p "$FR/z/deep"
printf 'deep down\n' >"$FR/z/deep/f.txt"
printf 'top of r\n' >"$FR/top.txt"
SCAN_TIMEOUT=20 scan_ok --follow "$FR"
assert_stats 2 0 0 0 0 "--follow scan of r"
ln -s z/deep "$FR/link"
ln -s .. "$FR/loop"
SCAN_TIMEOUT=20 scan_ok --follow "$FR"
assert_eq 0 "$(scan_stats | cut -d' ' -f3)" "files deleted by a --follow scan once r/link -> z/deep and r/loop -> .. exist"
assert_eq "$FR/z/deep/f.txt" "$(q "SELECT path FROM files WHERE path = '$FR/z/deep/f.txt'")" \
	"r/z/deep/f.txt after a --follow scan that reached r/z/deep through r/link first"
assert_eq 1 "$(q "SELECT count(*) FROM files WHERE path = '$FR/link/f.txt'")" "r/link/f.txt (reached through the link)"
check_index --follow "$FR"
nfr=$(q "SELECT count(*) FROM files")
SCAN_TIMEOUT=20 scan_ok --follow "$FR"
assert_stats 0 0 0 "$nfr" 0 "--follow rescan of r with the link and the loop"

# ================================================ FIFOs and special files
DB=$TMP/special.db
S=$TMP/special
mkdir -p "$S/d"
printf 'one two\n' >"$S/a.txt"
printf 'three\n' >"$S/d/b.txt"
printf 'soon a fifo\n' >"$S/d/was-file"
mkfifo "$S/fifo" "$S/d/fifo2"
nspecial=2
if "$PYTHON3" -c 'import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$S/sock" 2>/dev/null; then
	nspecial=$((nspecial + 1))
fi
if [ "$(id -u)" = 0 ] && mknod "$S/d/null" c 1 3 2>/dev/null; then
	nspecial=$((nspecial + 1))
fi
ln -s fifo "$S/link-to-fifo"
nspecial=$((nspecial + 1))
SCAN_TIMEOUT=20 scan_ok "$S"
assert_stats 3 0 0 0 0 "$nspecial" "scan of a tree with a FIFO, a socket, a device"
check_index "$S"
SCAN_TIMEOUT=20 scan_ok --follow "$S"
assert_stats 0 0 0 3 0 "--follow scan of a tree with a link to a FIFO"
rm "$S/d/was-file"
mkfifo "$S/d/was-file"
SCAN_TIMEOUT=20 scan_ok "$S"
assert_stats 0 0 1 2 0 $((nspecial + 1)) "a file replaced by a FIFO"
check_index "$S"

# ================================================== -j 1 and -j 4 agree
DB=$TMP/j1.db
scan_ok -j 1 "$ROOT"
assert_stats "$N" 0 0 0 0 "-j 1"
q "SELECT path, lines, words, chars, bytes, flags, status FROM files ORDER BY path" >"$TMP/j1.csv"
assert_match '(^| )jobs=1( |$)' "$(q "SELECT options FROM scans")" "scans.options of -j 1"
DB=$TMP/j4.db
scan_ok --jobs 4 "$ROOT"
assert_stats "$N" 0 0 0 0 "-j 4"
q "SELECT path, lines, words, chars, bytes, flags, status FROM files ORDER BY path" >"$TMP/j4.csv"
cmp -s "$TMP/j1.csv" "$TMP/j4.csv" || fail "-j 1 and -j 4 index different counts"
[ "$(wc -l <"$TMP/j1.csv")" -eq "$N" ] || fail "-j 1: $(wc -l <"$TMP/j1.csv") rows for $N files"
check_index "$ROOT"

# ======================================================== -q
DB=$TMP/quiet.db
run_scan -q "$ROOT"
assert_eq "0||" "$SCAN_RC|$SCAN_OUT|$SCAN_ERR" "scan -q: exit status|stdout|stderr"
assert_eq "$N" "$(q "SELECT files_new FROM scans")" "scan -q still scans"
run_scan --quiet "$ROOT"
assert_eq "0||" "$SCAN_RC|$SCAN_OUT|$SCAN_ERR" "scan --quiet: exit status|stdout|stderr"

# ============================= a worker that crashes on one file
DB=$TMP/crash.db
victim=$(cd "$ROOT" && find . -type f -name 'f00*' | LC_ALL=C sort | sed -n 3p)
victim=${victim#./}
vname=$(basename "$victim")
[ -n "$vname" ] || fail "setup: no file to crash on"
ulimit -c 0 2>/dev/null || true
WCINDEX_TEST_FAULT="crash:/$vname" run_scan "$ROOT"
assert_eq 1 "$SCAN_RC" "exit status of a scan whose worker crashes on one file"
assert_stats $((N - 1)) 0 0 0 1 "scan whose worker crashes on $victim"
check_index --failed "$vname" "$ROOT"
assert_match 'signal' "$(q "SELECT error FROM files WHERE path = '$ROOT/$victim'")" "error of the file a worker crashed on"
assert_eq worker "$(q "SELECT stage FROM errors WHERE path = '$ROOT/$victim'")" "errors.stage of a worker crash"
scan_ok "$ROOT"
assert_stats 0 1 0 $((N - 1)) 0 "rescan without the crash recounts the failed file"
assert_eq "$ROOT/$victim" "$(recounted)" "the file recounted after a crash"
check_index "$ROOT"

# ================================== unreadable files, as an unprivileged user
# Root reads everything: run those scans as nobody when possible.
find_unprivileged "$TMP"
if [ -z "$AS_USER" ]; then
	note "SKIP part: no way to run as an unprivileged user"
else
	U=$TMP/unreadable
	mkdir -p "$U/priv" "$U/locked/in" "$TMP/udb"
	printf 'you cannot read me\n' >"$U/priv/secret.txt"
	printf 'but me you can\n' >"$U/priv/ok.txt"
	printf 'x y z\n' >"$U/top.txt"
	printf 'locked 1\n' >"$U/locked/l1.txt"
	printf 'locked 2\n' >"$U/locked/in/l2.txt"
	chmod -R a+rX "$U"
	chmod 000 "$U/priv/secret.txt"
	[ "$(id -u)" = 0 ] && chown 65534:65534 "$TMP/udb"
	NU=$(count_files "$U")
	DB=$TMP/udb/index.db
	uscan () {
		local rc=0
		# shellcheck disable=SC2086
		timeout -k 5 60 $AS_USER "$WCINDEX" --db "$DB" scan "$@" \
			>"$TMP/.scan.out" 2>"$TMP/.scan.err" || rc=$?
		SCAN_RC=$rc
		SCAN_OUT=$(cat "$TMP/.scan.out")
		SCAN_ERR=$(cat "$TMP/.scan.err")
		[ $rc -ne 124 ] || fail "scan $* timed out"
	}
	uscan "$U"
	assert_eq 1 "$SCAN_RC" "exit status of a scan with an unreadable file"
	assert_stats $((NU - 1)) 0 0 0 1 "scan with an unreadable file"
	assert_match 'secret\.txt' "$SCAN_ERR" "error message naming the unreadable file"
	check_index --failed secret.txt "$U"
	assert_eq "error" "$(q "SELECT status FROM files WHERE name = 'secret.txt'")" "status of the unreadable file"
	soft assert_match '[Pp]ermission denied' "$(q "SELECT error FROM files WHERE name = 'secret.txt'")" "files.error of the unreadable file"
	soft assert_match '[Pp]ermission denied' "$(q "SELECT message FROM errors WHERE path = '$U/priv/secret.txt'")" "errors.message of the unreadable file"
	soft assert_match '[Pp]ermission denied' "$SCAN_ERR" "scan's error message for the unreadable file"
	assert_eq "open 13" "$(q "SELECT stage || ' ' || errno FROM errors WHERE path = '$U/priv/secret.txt'")" "errors view"
	out=$(wci total "$U/priv") || fail "total of a directory with a failed file exited $?"
	assert_eq "$(pycount "$U/priv/ok.txt" | cut -d' ' -f1-4) 1" "$(total_of "$out" "$U/priv")" \
		"total leaves the unreadable file out"
	assert_match '^ +- +- +- +- error +/' "$(wci ls "$U/priv/secret.txt")" "ls of the unreadable file"
	# still unreadable: tried again, and failed again
	uscan "$U"
	assert_eq 1 "$SCAN_RC" "exit status of a rescan with an unreadable file"
	assert_stats 0 0 0 $((NU - 1)) 1 "rescan with an unreadable file"
	assert_eq "$(last_scan_id)" "$(q "SELECT scan_id FROM files WHERE name = 'secret.txt'")" "failed file retried"
	# readable again
	chmod 644 "$U/priv/secret.txt"
	uscan "$U"
	assert_eq 0 "$SCAN_RC" "exit status once the file is readable"
	assert_stats 0 1 0 $((NU - 1)) 0 "rescan once the file is readable"
	check_index "$U"
	# an unreadable directory: an error, and its rows are kept
	NL=$(count_files "$U/locked")
	chmod 000 "$U/locked"
	uscan "$U"
	assert_eq 1 "$SCAN_RC" "exit status of a scan with an unreadable directory"
	assert_stats 0 0 0 $((NU - NL)) 1 "scan with an unreadable directory"
	assert_eq "$NL" "$(q "SELECT count(*) FROM files WHERE dir LIKE '$U/locked%'")" "rows of an unreadable directory are kept"
	assert_eq walk "$(q "SELECT stage FROM errors WHERE path = '$U/locked' AND scan_id = (SELECT max(id) FROM scans)")" \
		"error of the unreadable directory"
	chmod 755 "$U/locked"
	uscan "$U"
	assert_eq 0 "$SCAN_RC" "exit status once the directory is readable"
	assert_stats 0 0 0 "$NU" 0 "rescan once the directory is readable"
	check_index "$U"
fi

# ================================================ -x, --one-file-system
if command -v unshare >/dev/null 2>&1 && [ "$(id -u)" = 0 ] &&
   unshare -m true 2>/dev/null; then
	M=$TMP/mnt-root
	mkdir -p "$M/mnt" "$M/plain"
	printf 'on the root fs\n' >"$M/plain/p.txt"
	if unshare -m sh -c '
		mount -t tmpfs wcindex-test "$1/mnt" || exit 77
		printf "on another fs\n" >"$1/mnt/m.txt"
		mkdir "$1/mnt/deeper" && printf "deeper\n" >"$1/mnt/deeper/n.txt"
		timeout 60 "$2" --db "$3/one-fs.db" scan -q -x "$1" || exit 1
		timeout 60 "$2" --db "$3/all-fs.db" scan -q "$1" || exit 1
		' sh "$M" "$WCINDEX" "$TMP"; then
		DB=$TMP/one-fs.db
		assert_eq "$M/plain/p.txt" "$(q "SELECT path FROM files")" "scan -x leaves the mount out"
		assert_eq 0 "$(q "SELECT count(*) FROM dirs WHERE path LIKE '$M/mnt%'")" "dirs rows of the mount with -x"
		assert_match '(^| )one-file-system=1( |$)' "$(q "SELECT options FROM scans")" "scans.options of -x"
		DB=$TMP/all-fs.db
		assert_eq "$M/mnt/deeper/n.txt $M/mnt/m.txt $M/plain/p.txt" \
			"$(q "SELECT group_concat(path, ' ') FROM (SELECT path FROM files ORDER BY path)")" \
			"scan without -x goes into the mount"
	else
		rc=$?
		[ $rc = 77 ] || fail "scan -x in a private mount namespace failed ($rc)"
		note "SKIP part: cannot mount a tmpfs"
	fi
else
	note "SKIP part: -x needs unshare and root"
fi
pass "done"
