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

tmp=$(mktemp -d "${TMPDIR:-/tmp}/count-vs-python.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

# Writes the big cases to $tmp/big and the small ones to $tmp/small, and
# lists each set in $tmp/big.list and $tmp/small.list.
"$PYTHON3" - "$tmp" <<'EOF' || exit 1
import os
import random
import sys

top = sys.argv[1]
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

def make(size, mix, tail=b''):
    out = bytearray()
    want = size - len(tail)
    while len(out) < want:
        out += token(MIXES[mix])
    del out[want:]        # may cut a sequence short: that is a case too
    out += tail
    return bytes(out)

def write(d, name, data, listing):
    path = os.path.join(top, d, name)
    with open(path, 'wb') as f:
        f.write(data)
    listing.append(path)

os.mkdir(os.path.join(top, 'big'))
os.mkdir(os.path.join(top, 'small'))
big = []
n = 0
for size in (0, 1, 7, 8, 9, 4095, 4096, 4097, 8191, 8192, 8193,
             65535, 65536, 65537, 131069, 131071, 131072, 131073, 131075):
    for mix in ('prose', 'broken') if size < 8191 else (rng.choice(list(MIXES)),):
        n += 1
        write('big', '%03d-%s-%d' % (n, mix, size), make(size, mix), big)
for mix in MIXES:
    size = rng.choice((65535, 65536, 65537, 131069, 131075))
    n += 1
    write('big', '%03d-%s-%d' % (n, mix, size), make(size, mix), big)
# truncated sequences exactly at the end of a full buffer and of the file
for tail in (b'\xe2\x80', b'\xf0\x9f\x98', b'\xc2', b'\xe3\x80', b'\xed\xa0'):
    for size in (65536, 65537, 131072):
        n += 1
        write('big', '%03d-tail-%d' % (n, size), make(size, 'prose', tail), big)
# a sequence straddling the 64 KiB boundary at each possible offset
for seq in (b'\xe2\x80\xa8', b'\xf0\x9f\x98\x80', b'\xc2\xa0', b'\xe3\x80\x80'):
    for off in range(len(seq)):
        data = bytearray(make(65536 + 64, 'mostly'))
        at = 65536 - 1 - off
        data[at:at + len(seq)] = seq
        n += 1
        write('big', '%03d-straddle-%d' % (n, off), bytes(data), big)
# NUL on either side of the binary window
for at in (8190, 8191, 8192, 8193):
    data = bytearray(make(16384, 'ascii'))
    data[at] = 0
    n += 1
    write('big', '%03d-nul-%d' % (n, at), bytes(data), big)

small = []
for i in range(600):
    data = make(rng.randrange(0, 48), rng.choice(list(MIXES)))
    write('small', '%03d' % i, data, small)

for name, listing in (('big', big), ('small', small)):
    with open(os.path.join(top, name + '.list'), 'w') as f:
        f.write(''.join(p + '\n' for p in listing))
EOF

# compare FILELIST EXPECTED ACTUAL WHAT: 0 if the outputs agree, else
# report the first file whose lines differ.
compare () {
	if cmp -s "$2" "$3"; then
		return 0
	fi
	awk -v what="$4" '
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
					exit
				}
			}
		}' "$1" "$2" "$3"
	return 1
}

fail=0
for set in small big; do
	for mode in utf8 ascii; do
		opt=
		test $mode = ascii && opt=--ascii
		# shellcheck disable=SC2046 # the file names have no spaces
		"$PYTHON3" "$TEST_SRCDIR/pycount.py" $opt \
			$(cat "$tmp/$set.list") >"$tmp/want" || exit 1
		for chunk in 1 2 3 7 4096 65536; do
			"$WC_COUNT" $opt --chunk $chunk \
				$(cat "$tmp/$set.list") >"$tmp/got" 2>"$tmp/err"
			status=$?
			if test $status -ne 0; then
				echo "FAIL: wc-count $opt --chunk $chunk exited $status"
				cat "$tmp/err"
				fail=1
			elif ! compare "$tmp/$set.list" "$tmp/want" "$tmp/got" \
					"$set files, $mode mode, --chunk $chunk"; then
				fail=1
			fi
			test $fail = 0 || break 3
		done
	done
	echo "ok: $(wc -l <"$tmp/$set.list") $set files match python in both modes"
done

exit $fail
