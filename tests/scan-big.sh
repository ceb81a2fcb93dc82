#!/bin/bash
# scan-big.sh - the parallel parts of a scan give the same index as a serial
# one would: a directory big enough for the crawler to share its stat()
# calls with a helper thread (files, subdirectories, symlinks good, dangling
# and looping, FIFOs, entries that vanish), and files big enough to be
# counted in ranges by several workers (range boundaries inside multi-byte
# characters and words, both counting modes, 2 and 3 workers), checked
# against python's counts of every file.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

# ---------------------------------------------------------------- big dir
ROOT=$TMP/bigdir
mkdir "$ROOT"
"$PYTHON3" - "$ROOT" <<'PY' || fail "cannot create the big directory"
import os, random, sys
root = sys.argv[1]
rnd = random.Random(7)
alphabet = ['a', 'bc', ' ', '\n', '\u00a0', '\u3000', '\u00e9', '\U0001f600', 'xyz']
for i in range(700):
    text = ''.join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 400)))
    with open(os.path.join(root, 'f%04d.txt' % i), 'w', encoding='utf-8') as f:
        f.write(text)
for i in range(100):
    d = os.path.join(root, 'd%03d' % i)
    os.mkdir(d)
    with open(os.path.join(d, 'inner.txt'), 'w') as f:
        f.write('inner file %d\n' % i)
for i in range(50):
    os.symlink('f%04d.txt' % i, os.path.join(root, 'link%02d' % i))
for i in range(20):
    os.symlink('missing%02d' % i, os.path.join(root, 'dangling%02d' % i))
for i in range(5):
    os.symlink('loopb%d' % i, os.path.join(root, 'loopa%d' % i))
    os.symlink('loopa%d' % i, os.path.join(root, 'loopb%d' % i))
for i in range(10):
    os.mkfifo(os.path.join(root, 'fifo%02d' % i))
PY

DB=$TMP/a.db
scan_ok --no-progress "$ROOT"
# 700 + 100 files; 50 + 20 + 10 links and 10 FIFOs skipped
assert_stats 800 0 0 0 0 90 "big directory, first scan"
check_index "$ROOT"
scan_ok --no-progress "$ROOT"
assert_stats 0 0 0 800 0 90 "big directory, rescan"

# --follow: the 50 good links are files too; dangling and looping ones skipped
DB=$TMP/follow.db
scan_ok --no-progress --follow "$ROOT"
assert_stats 850 0 0 0 0 40 "big directory, --follow"
check_index --follow "$ROOT"

# Entries removed and added between two scans of the big directory.
DB=$TMP/a.db
rm "$ROOT"/f00[0-4]?.txt
for i in $(seq 0 29); do echo "new $i" >"$ROOT/g$i.txt"; done
scan_ok --no-progress "$ROOT"
assert_stats 30 0 50 750 0 90 "big directory, after deletions and additions"
check_index "$ROOT"

# -------------------------------------------------------------- big files
BIG=$TMP/bigfiles
mkdir "$BIG"
# Files of 16 MiB multiples and more: the ranges are 16 MiB, and the bytes
# around each boundary are a space, a multi-byte character or a word cut in
# two.
"$PYTHON3" - "$BIG" <<'PY' || fail "cannot create the big files"
import os, sys
d = sys.argv[1]
cycle = 'w\u3000x\u00a0\u2028y \U0001f600z'.encode() + b'\xff\x80\xe2\x80q\n\xe6\x97\xa5\t'
cuts = [b'a\xe3|\x80\x80b', b'a\xe2\x80|\xa8b', b'xy|z', b'a\xf0\x9f|\x98\x80b',
        b'a |b', b'a\x80|\x80b', b'a\xc2|\xa0b']
R = 16 << 20
for name, size in (('exact-48M.txt', 48 << 20), ('odd.txt', (50 << 20) + 3),
                   ('tail.txt', (64 << 20) + 1)):
    buf = bytearray((cycle * (size // len(cycle) + 1))[:size])
    for k, at in enumerate(range(R, size - 4, R)):
        c = cuts[(k + len(name)) % len(cuts)]
        left, right = c.split(b'|')
        buf[at - len(left):at + len(right)] = left + right
    with open(os.path.join(d, name), 'wb') as f:
        f.write(buf)
PY
for jobs in 2 3; do
	DB=$TMP/big-$jobs.db
	scan_ok --no-progress -j "$jobs" "$BIG"
	assert_stats 3 0 0 0 0 "big files, -j $jobs"
	check_index "$BIG"
done
DB=$TMP/big-ascii.db
scan_ok --no-progress -j 2 --ascii "$BIG"
check_index --ascii "$BIG"
# one worker counts a big file in one piece: the same counts
DB=$TMP/big-1.db
scan_ok --no-progress -j 1 "$BIG"
check_index "$BIG"

# ---------------------------------------------------------- a big archive
# A file that was an archive is read once on a recount, not opened again
# by every 16 MiB range only to step aside (a 40 MiB tar: 3 ranges).
ARC=$TMP/bigarc
mkdir "$ARC"
"$PYTHON3" - "$ARC" <<'PY' || fail "cannot create the big archive"
import io, sys, tarfile
with tarfile.open(sys.argv[1] + '/big.tar', 'w') as t:
    for i in range(5):
        data = (b'word%d ' % i) * ((8 << 20) // 6)
        info = tarfile.TarInfo('m%d.txt' % i)
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
PY
DB=$TMP/bigarc.db
scan_ok --no-progress -j 3 "$ARC"
assert_eq "$(q "SELECT count(*) FROM files WHERE member <> ''")" 5 "members of the big tar"
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
	touch -d '2001-01-01' "$ARC/big.tar"
	# (LeakSanitizer cannot work under ptrace)
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	timeout -k 5 120 strace -f -qq -e trace=open,openat,openat2 \
		-o "$TMP/bigarc.trace" "$WCINDEX" --db "$DB" scan --no-progress \
		-j 3 "$ARC" >/dev/null 2>&1 || fail "recount of the big tar failed"
	opens=$(grep -c '"big\.tar"' "$TMP/bigarc.trace" || true)
	[ "$opens" = 1 ] || fail "the recounted big tar was opened $opens times, not once"
	assert_eq "$(q "SELECT count(*) FROM files WHERE member <> ''")" 5 "members after the recount"
else
	note "no working strace: the opens of a recounted archive are not checked"
fi

pass "a directory of 1000 entries, files of up to 64 MiB and a 40 MiB tar"
