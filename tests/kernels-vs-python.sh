#!/bin/sh
# kernels-vs-python.sh - differential test of every counting kernel this
# machine runs (scalar, sse2, avx2: `wc-count --kernels`) against python3:
# each, chosen with WCINDEX_KERNEL, must print exactly what tests/pycount.py
# prints for random files long enough for many 64-byte windows
# (tests/gen-text.py), in both modes, whatever the read size.  A failure
# names the kernel, the mode, the read size, the seed and the file.
#
# Environment: WC_COUNT (the wc-count binary), TEST_SRCDIR (this directory),
# PYTHON3, SEED (default 20250611).  Exit status: 0 pass, 1 fail, 77 skip.

PYTHON3=${PYTHON3:-python3}
SEED=${SEED:-20250611}
if test "x$PYTHON3" = xnone || ! command -v "$PYTHON3" >/dev/null 2>&1; then
	echo "kernels-vs-python: skipped: python3 not found"
	exit 77
fi
if test -z "$WC_COUNT" || test ! -x "$WC_COUNT"; then
	echo "kernels-vs-python: WC_COUNT is not set to the wc-count binary" >&2
	exit 1
fi
if test -z "$TEST_SRCDIR" || test ! -f "$TEST_SRCDIR/gen-text.py"; then
	echo "kernels-vs-python: TEST_SRCDIR does not hold gen-text.py" >&2
	exit 1
fi
# a kernel chosen from outside would only be overridden below
unset WCINDEX_KERNEL

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kernels-vs-python.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM

"$PYTHON3" "$TEST_SRCDIR/gen-text.py" "$tmp/files" --seed "$SEED" \
	--files 40 >"$tmp/list" || exit 1
"$PYTHON3" "$TEST_SRCDIR/pycount.py" $(cat "$tmp/list") >"$tmp/want.utf8" ||
	exit 1
"$PYTHON3" "$TEST_SRCDIR/pycount.py" --ascii $(cat "$tmp/list") \
	>"$tmp/want.ascii" || exit 1

kernels=$("$WC_COUNT" --kernels | sed 's/^..//') || exit 1
case " $(echo $kernels) " in
*" scalar "*) ;;
*) echo "FAIL: wc-count --kernels lists no scalar kernel: $kernels"; exit 1 ;;
esac

fail=0
for k in $kernels; do
	in_use=$(WCINDEX_KERNEL=$k "$WC_COUNT" --kernels | sed -n 's/^\* //p')
	if test "x$in_use" != "x$k"; then
		echo "FAIL: WCINDEX_KERNEL=$k selects '$in_use'"
		fail=1
		continue
	fi
	for mode in utf8 ascii; do
		opt=
		test $mode = ascii && opt=--ascii
		for chunk in 1048576 65536 4099 61; do
			if ! WCINDEX_KERNEL=$k "$WC_COUNT" $opt --chunk $chunk \
					$(cat "$tmp/list") >"$tmp/got" 2>"$tmp/err"; then
				echo "FAIL: kernel $k: wc-count $opt --chunk $chunk failed"
				cat "$tmp/err"
				fail=1
				continue
			fi
			if ! cmp -s "$tmp/want.$mode" "$tmp/got"; then
				paste -d '|' "$tmp/list" "$tmp/want.$mode" "$tmp/got" |
				awk -F '|' -v k=$k -v m=$mode -v c=$chunk -v s=$SEED '
					$2 != $3 {
						printf "FAIL: kernel %s, %s mode, --chunk %s, seed %s: %s\n",
							k, m, c, s, $1
						printf "  python:   %s\n  wc-count: %s\n", $2, $3
						exit
					}'
				fail=1
			fi
		done
	done
	test $fail = 0 && echo "ok: kernel $k matches python on $(wc -l <"$tmp/list") files"
done

# an unknown name is ignored with a warning, and counting goes on
WCINDEX_KERNEL=no-such-kernel "$WC_COUNT" $(cat "$tmp/list") >"$tmp/got" \
	2>"$tmp/err"
if ! grep -q "WCINDEX_KERNEL" "$tmp/err" || ! cmp -s "$tmp/want.utf8" "$tmp/got"; then
	echo "FAIL: WCINDEX_KERNEL=no-such-kernel: no warning, or wrong counts"
	cat "$tmp/err"
	fail=1
fi

exit $fail
