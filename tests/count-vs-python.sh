#!/bin/sh
# count-vs-python.sh - differential test of the counting kernel: wc-count
# (src/count.c) must print exactly what tests/pycount.py (python3's own
# decoding and str.split()) prints, for every file, in both modes, whatever
# the read size.  The files are random but seeded, so a failure reproduces;
# they mix ASCII, all 29 whitespace code points, their non-space lookalikes,
# valid and broken UTF-8 and NULs, with sizes around the buffer boundaries.
#
# Environment: WC_COUNT (the wc-count binary), TEST_SRCDIR (this directory),
# PYTHON3.  Exit status: 0 pass, 1 fail, 77 skip (no python3).

PYTHON3=${PYTHON3:-python3}
if test "x$PYTHON3" = xnone || ! command -v "$PYTHON3" >/dev/null 2>&1; then
	echo "count-vs-python: skipped: python3 not found"
	exit 77
fi
if test -z "$WC_COUNT" || test ! -x "$WC_COUNT"; then
	echo "count-vs-python: WC_COUNT is not set to the wc-count binary" >&2
	exit 1
fi
if test -z "$TEST_SRCDIR" || test ! -f "$TEST_SRCDIR/pycount.py"; then
	echo "count-vs-python: TEST_SRCDIR does not hold pycount.py" >&2
	exit 1
fi

# the tests run from inside the temporary directory, so that the file
# lists can use short relative names that split safely into arguments
case $WC_COUNT in /*) ;; *) WC_COUNT=$(pwd)/$WC_COUNT ;; esac
case $TEST_SRCDIR in /*) ;; *) TEST_SRCDIR=$(pwd)/$TEST_SRCDIR ;; esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/count-vs-python.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
cd "$tmp" || exit 1

# Writes the big cases to big/ and the small ones to small/, and lists each
# set in big.list and small.list.
"$PYTHON3" - <<'EOF' || exit 1
import os
import random
import sys

rng = random.Random(20240611)

def enc(cps):
    return ''.join(chr(c) for c in cps).encode('utf-8')

SPACES = [0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20,
          0x85, 0xa0, 0x1680] + list(range(0x2000, 0x200b)) + \
         [0x2028, 0x2029, 0x202f, 0x205f, 0x3000]
assert len(SPACES) == 29 and all(chr(c).isspace() for c in SPACES)
SPACE_TOK = [enc([c]) for c in SPACES]

# non-space code points that look like spaces, or sit right next to one
NEAR = [0x200b, 0x2060, 0xfeff, 0x180e, 0x84, 0x86, 0x9f, 0xa1, 0x167f,
        0x1681, 0x1fff, 0x200c, 0x2027, 0x202a, 0x202e, 0x2030, 0x205e,
        0x2fff, 0x3001, 0x08, 0x0e, 0x1b, 0x21, 0x7f]
assert not any(chr(c).isspace() for c in NEAR)
NEAR_TOK = [enc([c]) for c in NEAR]

# valid sequences at the edges of table 3-7
EDGE_TOK = [enc([c]) for c in (0x80, 0x7ff, 0x800, 0xfff, 0x1000, 0xcfff,
                               0xd000, 0xd7ff, 0xe000, 0xffff, 0x10000,
                               0x3ffff, 0x40000, 0xfffff, 0x100000,
                               0x10ffff, 0x1f600)]

BAD_TOK = [bytes.fromhex(h) for h in (
    'c080', 'c1bf', 'c0', 'c1',                     # overlong 2-byte
    'e08080', 'e09fbf', 'f0808080', 'f08fbfbf',     # overlong 3/4-byte
    'eda080', 'edbfbf', 'edaf', 'eda0',             # surrogates
    'f4908080', 'f490', 'f4bfbfbf', 'f5', 'f8888080', 'fc', 'fe', 'ff',
    '80', 'bf', '8080', 'bfbfbfbf', 'a0', '85',     # stray continuations
    'c2', 'df', 'e2', 'e280', 'e2808b', 'e1', 'e19a', 'e281', 'e380',
    'f0', 'f09f', 'f09f98', 'f4', 'f48f', 'f48fbf',  # truncated
    'c2c2a0', 'e2e28080', 'e280e280a8', 'f09fe3808000', 'c220', 'e2800a',
    'c285c2', 'e3e380', 'edbf80', 'ed9fbf',
)]

def rand_cp():
    while True:
        r = rng.random()
        if r < 0.4:
            c = rng.randrange(0x80, 0x800)
        elif r < 0.85:
            c = rng.randrange(0x800, 0x10000)
        else:
            c = rng.randrange(0x10000, 0x110000)
        if not 0xd800 <= c <= 0xdfff:
            return c

def ascii_word():
    n = rng.randrange(1, 12)
    return bytes(rng.choice(b'abcdefghijklmnopqrstuvwxyzABCXYZ0123456789.,-')
                 for _ in range(n))

def token(mix):
    kind = rng.choices(range(8), weights=mix)[0]
    if kind == 0:
        return ascii_word()
    if kind == 1:
        return bytes([rng.choice(b' \n\t\r\x0b\x0c\x1c\x1d\x1e\x1f')])
    if kind == 2:
        return rng.choice(SPACE_TOK)
    if kind == 3:
        return rng.choice(NEAR_TOK)
    if kind == 4:
        return enc([rand_cp() for _ in range(rng.randrange(1, 6))])
    if kind == 5:
        return rng.choice(EDGE_TOK)
    if kind == 6:
        return rng.choice(BAD_TOK)
    return b'\0'

MIXES = {
    'prose':   (60, 30, 2, 1, 5, 1, 0, 0),
    'ascii':   (60, 40, 0, 0, 0, 0, 0, 0),
    'mostly':  (200, 80, 1, 1, 2, 1, 1, 0),   # long ASCII runs, rare others
    'utf8':    (10, 10, 10, 5, 40, 5, 0, 0),
    'spaces':  (5, 5, 40, 20, 5, 2, 2, 0),
    'broken':  (10, 10, 5, 5, 10, 5, 30, 2),
    'all':     (20, 10, 10, 10, 10, 10, 10, 2),
}

def tokens(size, mix):
    out = bytearray()
    while len(out) < size:
        out += token(MIXES[mix])
    return out

# Big files are spliced from a corpus per mix, cut at token boundaries:
# drawing every token afresh would make this the slowest part of the test.
CORPUS = {}
for mix in MIXES:
    text, cuts = bytearray(), [0]
    while len(text) < 16384:
        text += token(MIXES[mix])
        cuts.append(len(text))
    CORPUS[mix] = (bytes(text), cuts)

def make(size, mix, tail=b''):
    text, cuts = CORPUS[mix]
    out = bytearray()
    want = size - len(tail)
    while len(out) < want:
        i = rng.randrange(len(cuts) - 1)
        j = min(len(cuts) - 1, i + rng.randrange(1, 1000))
        out += text[cuts[i]:cuts[j]]
    del out[want:]        # may cut a sequence short: that is a case too
    out += tail
    return bytes(out)

def write(d, name, data, listing):
    path = os.path.join(d, name)
    with open(path, 'wb') as f:
        f.write(data)
    listing.append(path)

os.mkdir('big')
os.mkdir('small')
big = []
n = 0
for size in (0, 1, 7, 8, 9, 4095, 4096, 4097, 8191, 8192, 8193,
             65535, 65536, 65537, 131069, 131072, 131075):
    for mix in ('prose', 'broken') if size < 8191 else (rng.choice(list(MIXES)),):
        n += 1
        write('big', '%03d-%s-%d' % (n, mix, size), make(size, mix), big)
for mix in MIXES:
    size = rng.choice((65535, 65536, 65537, 131069, 131075))
    n += 1
    write('big', '%03d-%s-%d' % (n, mix, size), make(size, mix), big)
# a sequence cut short at the end of the file, and of a full 64 KiB read
for tail in (b'\xe2\x80', b'\xf0\x9f\x98', b'\xc2', b'\xe3\x80', b'\xed\xa0'):
    for size in (8192, 65536):
        n += 1
        write('big', '%03d-tail-%d' % (n, size), make(size, 'prose', tail), big)
# sequences straddling reads: across the 4 KiB boundaries at every offset,
# and across the 64 KiB one
for k, seq in enumerate((b'\xe2\x80\xa8', b'\xf0\x9f\x98\x80', b'\xc2\xa0',
                         b'\xe3\x80\x80', b'\xe1\x9a\x80')):
    data = bytearray(make(65536 + 64, 'mostly'))
    for off in range(len(seq)):
        at = 4096 * (off + 1) - 1 - off
        data[at:at + len(seq)] = seq
    at = 65536 - 1 - k % len(seq)
    data[at:at + len(seq)] = seq
    n += 1
    write('big', '%03d-straddle' % n, bytes(data), big)
# long regular runs: the block loops' lane counters must not wrap
for unit in (b'a ', b'\n', b'word\t', b'\xc3\xa9 '):
    n += 1
    write('big', '%03d-runs' % n, unit * (20000 // len(unit)), big)
# NUL on either side of the binary window
for at in (8190, 8191, 8192, 8193):
    data = bytearray(make(16384, 'ascii'))
    data[at] = 0
    n += 1
    write('big', '%03d-nul-%d' % (n, at), bytes(data), big)

small = []
for i in range(600):
    size = rng.randrange(0, 48)
    data = tokens(size, rng.choice(list(MIXES)))[:size]
    write('small', '%03d' % i, data, small)

for name, listing in (('big', big), ('small', small)):
    with open(name + '.list', 'w') as f:
        f.write(''.join(p + '\n' for p in listing))
EOF

# compare FILELIST EXPECTED ACTUAL WHAT: 0 if the outputs agree, else
# report the first file whose lines differ, with its bytes if it is small,
# since the temporary directory goes away.
compare () {
	if cmp -s "$2" "$3"; then
		return 0
	fi
	awk -v what="$4" -v failed=failed '
		FILENAME == ARGV[1] { name[FNR] = $0; next }
		FILENAME == ARGV[2] { want[FNR] = $0; nwant = FNR; next }
		{ got[FNR] = $0; ngot = FNR }
		END {
			n = nwant > ngot ? nwant : ngot
			for (i = 1; i <= n; i++) {
				if (want[i] != got[i]) {
					printf "FAIL %s: %s\n", what, name[i]
					printf "  python:   %s\n", want[i]
					printf "  wc-count: %s\n", got[i]
					print name[i] > failed
					exit
				}
			}
		}' "$1" "$2" "$3"
	if test -f failed; then
		f=$(cat failed)
		if test "$(wc -c <"$f")" -le 256; then
			echo "  bytes:"
			od -An -tx1 "$f"
		fi
	fi
	return 1
}

fail=0
for set in small big; do
	for mode in utf8 ascii; do
		opt=
		test $mode = ascii && opt=--ascii
		"$PYTHON3" "$TEST_SRCDIR/pycount.py" $opt \
			$(cat $set.list) >want || exit 1
		for chunk in 1 2 3 7 4096 65536; do
			"$WC_COUNT" $opt --chunk $chunk \
				$(cat $set.list) >got 2>err
			status=$?
			if test $status -ne 0; then
				echo "FAIL: wc-count $opt --chunk $chunk exited $status"
				cat err
				fail=1
			elif ! compare $set.list want got \
					"$set files, $mode mode, --chunk $chunk"; then
				fail=1
			fi
			test $fail = 0 || break 3
		done
	done
	echo "ok: $(wc -l <$set.list) $set files match python in both modes"
done

exit $fail
