#!/bin/bash
# scan-sparse.sh - holes of sparse files are counted as the NUL bytes they
# read as, without reading them: a 1 TiB file with a little data here and
# there is counted in seconds, whole (-j1) or in ranges (-j3), in both
# modes, with the counts python gives for the same bytes (data cut inside
# multi-byte characters on either side of a hole, a range boundary inside
# the data, a one-byte hole at the end).  --max-file-bytes: a larger file
# is counted up to the limit, whole, and recorded with status limit, out of
# the totals; the default is 64 GiB.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

ROOT=$TMP/root
mkdir "$ROOT"

# A file system that stores holes is needed; on another the test is moot.
truncate -s 1T "$ROOT/probe" 2>/dev/null || skip "no 1 TiB file on this file system"
"$PYTHON3" - "$ROOT/probe" <<'PY' || skip "no SEEK_DATA, or no holes, on this file system"
import errno, os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
assert os.fstat(fd).st_blocks * 512 < 1 << 20
try:
    os.lseek(fd, 0, os.SEEK_DATA)
    sys.exit(1)		# all data: no holes here
except OSError as e:
    sys.exit(e.errno != errno.ENXIO)	# nothing but a hole
PY
rm -f "$ROOT/probe"

# sparse PATH SIZE [LIMIT] OFFSET:SEED:LEN...: make PATH a sparse file of
# SIZE bytes with LEN bytes of random text at each OFFSET, and print the
# counts of its first LIMIT bytes (0: all of them) as pycount.py would,
# "lines words chars bytes flags", UTF-8 then ASCII.  Each hole is
# counted as a single NUL plus its other bytes, which are NULs of the same
# run: one word, one character each.
sparse () {
	"$PYTHON3" - "$TEST_SRCDIR" "$@" <<'PY'
import os, random, sys
sys.path.insert(0, sys.argv[1])
import pycount
path, size, limit = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
alphabet = ['a', 'bc', ' ', '\n', '\t', '\u00a0', '\u3000', '\u00e9',
            '\U0001f600', 'xyz', '\u2028']
segs = []
with open(path, 'wb') as f:
    f.truncate(size)
    for spec in sys.argv[5:]:
        off, seed, n = (int(x) for x in spec.split(':'))
        rnd = random.Random(seed)
        data = bytearray()
        while len(data) < n:
            if rnd.random() < 0.01:
                data += bytes([rnd.choice([0x80, 0xc3, 0xe3, 0xff])])
            else:
                data += rnd.choice(alphabet).encode()
        data = bytes(data[:n])	# may end inside a character
        f.seek(off)
        f.write(data)
        segs.append((off, data))
end = limit if limit else size
segs.sort()
short, extra, pos = bytearray(), 0, 0
for off, data in segs + [(end, b'')]:
    off = min(off, end)
    if off > pos:
        short += b'\0'
        extra += off - pos - 1
    data = data[:max(0, end - off)]
    short += data
    pos = max(pos, off + len(data))
with open(path, 'rb') as f:
    binary = b'\0' in f.read(min(pycount.BINARY_WINDOW, end))
for ascii_mode in (False, True):
    lines, words, chars, nbytes, flags = pycount.count(bytes(short), ascii_mode)
    flags = (flags & ~pycount.F_BINARY) | (pycount.F_BINARY if binary else 0)
    print(lines, words, chars + extra, nbytes + extra, flags)
PY
}

# row PATH: the counts of PATH's row, "lines words chars bytes flags status".
row () {
	q "SELECT lines || ' ' || words || ' ' || chars || ' ' || bytes || ' ' ||
	   (flags & 3) || ' ' || status FROM files WHERE path = '$1'"
}

TIB=$((1 << 40))
HALF=$((1 << 39))
# data at the start (a hole in the first buffer), across the 16 MiB range
# boundary at 512 GiB, a hole of one byte at the very end
sparse "$ROOT/big.bin" $TIB 0 0:1:5000 $((HALF - 100000)):2:300000 \
	$((TIB - 1000)):3:999 >"$TMP/big.want" || fail "cannot make a 1 TiB sparse file"
WANT_UTF8=$(sed -n 1p "$TMP/big.want")
WANT_ASCII=$(sed -n 2p "$TMP/big.want")
[ "$(stat -c %b "$ROOT/big.bin")" -lt 4096 ] || skip "the file system filled the holes"

# Reading 1 TiB of zeros takes hours: a minute is plenty with the holes
# skipped.
SCAN_TIMEOUT=60
for jobs in 1 3; do
	for mode in utf8 ascii; do
		DB=$TMP/big-$jobs-$mode.db
		opt=
		want=$WANT_UTF8
		if [ $mode = ascii ]; then
			opt=--ascii
			want=$WANT_ASCII
		fi
		scan_ok -q -j $jobs $opt --max-file-bytes $((2 * TIB)) "$ROOT"
		assert_eq "$want ok" "$(row "$ROOT/big.bin")" \
			"1 TiB sparse file, -j $jobs, $mode"
	done
done

# ------------------------------------------------------- --max-file-bytes
rm "$ROOT/big.bin"
LIM=$TMP/lim
mkdir "$LIM"
# dense, cut inside the data; sparse and big enough to be split in ranges
sparse "$LIM/dense.txt" 300000 100000 0:4:300000 >"$TMP/dense.want"
sparse "$LIM/split.bin" $((48 << 20)) 100000 0:5:50000 99990:6:100 \
	$((40 << 20)):7:1000 >"$TMP/split.want"
printf 'one two\nthree\n' >"$LIM/small.txt"
DB=$TMP/limit.db
run_scan -j 2 --max-file-bytes 100000 "$LIM"
assert_eq 0 "$SCAN_RC" "exit status of a scan with limit hits"
assert_eq 2 "$(printf '%s\n' "$SCAN_ERR" | grep -c 'larger than --max-file-bytes (100000 bytes)')" \
	"warnings of the limit hits: $SCAN_ERR"
assert_eq "$(sed -n 1p "$TMP/dense.want") limit" "$(row "$LIM/dense.txt")" \
	"a dense file over --max-file-bytes: counted up to there"
assert_eq "$(sed -n 1p "$TMP/split.want") limit" "$(row "$LIM/split.bin")" \
	"a sparse file over --max-file-bytes, not split in ranges"
assert_eq "2 3 14 14 0 ok" "$(row "$LIM/small.txt")" "a file under the limit"
assert_eq "$LIM/dense.txt,limit
$LIM/split.bin,limit" "$(q "SELECT path, stage FROM errors WHERE message LIKE
	'%--max-file-bytes%' ORDER BY path")" "the errors view"
assert_eq "2,3,14,14,1" "$(q "SELECT lines, words, chars, bytes, files
	FROM totals_by_root")" "limit rows are out of the totals"
assert_match '(^| )max-file-bytes=100000( |$)' "$(q "SELECT options FROM scans")" \
	"scans.options"

# The default limit, 64 GiB: one byte more is a limit hit.
rm -r "$LIM"
mkdir "$LIM"
sparse "$LIM/over.bin" $(((64 << 30) + 1)) $((64 << 30)) 0:8:1000 \
	$((64 << 30)):9:1 >"$TMP/over.want"
DB=$TMP/default.db
run_scan -j 2 "$LIM"
assert_eq 0 "$SCAN_RC" "exit status of a scan over the default limit"
assert_eq "$(sed -n 1p "$TMP/over.want") limit" "$(row "$LIM/over.bin")" \
	"a file of 64 GiB + 1 byte, default --max-file-bytes"
assert_match '(^| )max-file-bytes=68719476736( |$)' "$(q "SELECT options FROM scans")" \
	"scans.options, default limit"

pass "sparse files and --max-file-bytes"
