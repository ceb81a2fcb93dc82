#!/bin/bash
# docs-office.sh: the text of docx, pptx, odt and odp documents (and their
# templates) is what tests/ref_office.py says the rules of wcindex(1) give,
# for the documents tests/gen-docs-office.py writes and for some pandoc
# makes; some of them again at every read size from 1 byte on, which cuts
# every character, reference and tag; and hostile documents (mutated, a zip
# bomb, billion laughs, deep nesting, encrypted) get a status line, quickly,
# never a crash, a hang or a word on stderr.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

[ -n "${DOC_COUNT:-}" ] || skip "DOC_COUNT is not set"
[ -x "$DOC_COUNT" ] || fail "DOC_COUNT='$DOC_COUNT' is not an executable"

FX=$TMP/fx
"$PYTHON3" "$TEST_SRCDIR/gen-docs-office.py" "$FX" >"$TMP/gen.log" 2>&1 ||
	fail "gen-docs-office.py failed: $(cat "$TMP/gen.log")"
case $("$DOC_COUNT" "$FX/split-runs.docx") in
docx\ *) ;;
*) skip "this build does not extract office documents (no libxml2)" ;;
esac

# names KIND...: the documents of those kinds, one a line.
names () {
	local k
	for k in "$@"; do
		awk -v k="$k" '$2 == k { print $1 }' "$FX/list"
	done
}

# reference FILE...: the reference's lines for the files, into ref.out.
reference () {
	(cd "$FX" && "$PYTHON3" "$TEST_SRCDIR/ref_office.py" "$@") >"$TMP/ref.out" ||
		fail "ref_office.py failed"
}

# compare WHAT FILE...: doc-count's lines (ARGS before the files in
# $DC_ARGS) against those of the last reference on the same files, field
# by field: the reference gives no message, and for a file no module
# claims, no counts.
compare () {
	local what=$1
	shift
	# shellcheck disable=SC2086
	(cd "$FX" && timeout -k 5 60 "$DOC_COUNT" ${DC_ARGS:-} "$@") \
		>"$TMP/c.out" 2>"$TMP/c.err" || fail "$what: doc-count failed"
	[ ! -s "$TMP/c.err" ] || fail "$what: doc-count wrote to stderr: $(head -3 "$TMP/c.err")"
	printf '%s\n' "$@" >"$TMP/names"
	"$PYTHON3" - "$TMP/names" "$TMP/ref.out" "$TMP/c.out" "$what" <<'EOF' || exit 1
import sys
names = open(sys.argv[1]).read().split('\n')
ref = open(sys.argv[2], encoding='utf-8').read().split('\n')
got = open(sys.argv[3], encoding='utf-8', errors='replace').read().split('\n')
bad = []
if len(ref) != len(got):
    bad.append('%d lines, the reference has %d' % (len(got), len(ref)))
for n, r, g in zip(names, ref, got):
    rf, gf = r.split(), g.split()
    if gf[:len(rf)] != rf or (len(rf) == 1 and len(gf) < 6):
        bad.append('%s: got %r, want %r' % (n, ' '.join(gf[:6]), r))
for m in bad[:20]:
    sys.stderr.write('  %s: %s\n' % (sys.argv[4], m))
sys.exit(1 if bad else 0)
EOF
}

# ---- every generated document, read in pieces of the default size.
# shellcheck disable=SC2046
reference $(names ref chunk encrypted)
# shellcheck disable=SC2046
compare "generated documents" $(names ref chunk encrypted)
note "$(names ref chunk encrypted | wc -l) generated documents agree with the reference"

# ---- some at every read size: 1 to 80 bytes cut every character
# reference, multi-byte character and tag of these small parts.
mapfile -t CHUNKED < <(names chunk)
reference "${CHUNKED[@]}"
for n in $(seq 1 80) 97 128 257 1000 4093; do
	DC_ARGS="--chunk $n" compare "read size $n" "${CHUNKED[@]}"
done
note "${#CHUNKED[@]} documents agree at 85 read sizes"

# ---- real documents from pandoc, when it is here.
if command -v pandoc >/dev/null 2>&1; then
	cat >"$TMP/in.md" <<'EOF'
# A heading with *emphasis*

A paragraph of words, with a footnote[^1] and `code`, and a
[link](http://example.com) — naïve café 中文.

| left | right cell |
|------|-------|
| one two | three |

- a list item
- another one
    1. nested

> a quotation

[^1]: The text of the footnote.
EOF
	for f in docx pptx odt; do
		pandoc -o "$FX/pandoc.$f" "$TMP/in.md" 2>/dev/null ||
			fail "pandoc cannot write $f"
	done
	reference pandoc.docx pandoc.pptx pandoc.odt
	compare "pandoc documents" pandoc.docx pandoc.pptx pandoc.odt
	note "pandoc's docx, pptx and odt agree with the reference"
fi

# ---- documents nobody here wrote (tests/data/office/README): their
# counts, checked by hand against their text, and the reference's.
REAL="mammoth-footnotes.docx mammoth-text-box.docx mammoth-strict-format.docx
	mammoth-tables.docx mammoth-comments.docx"
for n in $REAL; do
	cp "$TEST_SRCDIR/data/office/$n" "$FX/"
done
cat >"$TMP/real.want" <<'EOF'
docx ok 3 8 39 39
docx ok 1 2 12 12
docx ok 1 1 5 5
docx ok 6 10 56 56
docx ok 1 1 6 6
EOF
# shellcheck disable=SC2086
(cd "$FX" && "$DOC_COUNT" $REAL) >"$TMP/real.got" ||
	fail "doc-count failed on the real documents"
assert_eq "$(cat "$TMP/real.want")" "$(cat "$TMP/real.got")" "real documents"
# shellcheck disable=SC2086
reference $REAL
# shellcheck disable=SC2086
compare "real documents" $REAL

# ---- hostile documents: one run each, under a timeout.
# run_one FILE: its status line into OUT; fails on a crash, a hang,
# stderr output or a line out of the format.
run_one () {
	local rc=0
	timeout -k 2 "${2:-10}" "$DOC_COUNT" "$FX/$1" >"$TMP/one.out" 2>"$TMP/one.err" || rc=$?
	[ $rc -eq 0 ] || fail "$1: doc-count exited $rc"
	[ ! -s "$TMP/one.err" ] || fail "$1: stderr: $(head -3 "$TMP/one.err")"
	OUT=$(cat "$TMP/one.out")
	assert_match '^(docx|pptx|odt|odp|text) (ok|encrypted|limit|damaged)( [0-9]+){4}( [^ ].*)?$' \
		"$OUT" "$1: status line"
}

n=0
for f in $(names hostile); do
	run_one "$f"
	n=$((n + 1))
done
note "$n hostile documents give a status line"

start=$(date +%s)
run_one bomb.docx 60
assert_match '^docx limit ' "$OUT" "bomb.docx"
note "zip bomb: $OUT ($(( $(date +%s) - start )) s)"

run_one laughs.docx 5
assert_match '^docx damaged [0-9]+ [0-2] ' "$OUT" "billion laughs expand nothing"
for f in deep.docx deep.odt; do
	run_one "$f" 5
	assert_match '^(docx|odt) damaged .*deeper than' "$OUT" "$f"
done
for f in $(names encrypted); do
	run_one "$f"
	assert_match '^[a-z]+ encrypted 0 0 0 0 document is encrypted$' "$OUT" "$f"
done
run_one legacy.docx
assert_match '^docx damaged 0 0 0 0 ' "$OUT" "an ole2 file that is no encrypted package"

pass "office documents agree with the reference"
