#!/bin/bash
# docs-html.sh: the text of HTML pages and EPUB books, as doc-count
# extracts it, is exactly what the python reference (tests/ref_html.py)
# extracts from the documents tests/gen-docs-html.py writes: on every
# document, and on a few read at every chunk size so that each multi-byte
# character, entity and tag is cut somewhere.  Mutated and hostile
# documents (deep nesting, huge tokens, entity bombs, a zip bomb) give a
# status line in bounded time and never crash doc-count.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

[ -x "${DOC_COUNT:-}" ] || skip "DOC_COUNT is not set"
GEN=$TMP/docs
mkdir -p "$GEN"
"$PYTHON3" "$TEST_SRCDIR/gen-docs-html.py" "$GEN" >"$TMP/gen.log" 2>&1 ||
	fail "gen-docs-html.py failed: $(cat "$TMP/gen.log")"
printf '<!DOCTYPE html><p>x</p>\n' >"$TMP/probe.html"
case $("$DOC_COUNT" "$TMP/probe.html") in
html*) ;;
*) skip "this build extracts no html (no libxml2)" ;;
esac

# compare WHAT CHUNK FILE...: doc-count (reading CHUNK bytes at a time, or
# its default for 0) and the reference agree on each FILE.
compare () {
	local what=$1 chunk=$2
	shift 2
	if [ "$chunk" = 0 ]; then
		"$DOC_COUNT" "$@"
	else
		"$DOC_COUNT" --chunk "$chunk" "$@"
	fi | cut -d' ' -f1-6 >"$TMP/got" || fail "$what: doc-count failed"
	"$PYTHON3" "$TEST_SRCDIR/ref_html.py" "$@" >"$TMP/want" ||
		fail "$what: ref_html.py failed"
	printf '%s\n' "$@" >"$TMP/names"
	if ! paste -d'|' "$TMP/names" "$TMP/got" "$TMP/want" | awk -F'|' -v what="$what" '
		$2 != $3 { print "  " what ": " $1 ": doc-count says " $2 ", python " $3; bad = 1 }
		END { exit bad }' >"$TMP/diff"; then
		head -20 "$TMP/diff" >&2
		FAILURES=$((FAILURES + 1))
		return 1
	fi
	return 0
}

# ---- every generated document, whole.
n=$(ls "$GEN"/ok | wc -l)
[ "$n" -gt 150 ] || fail "only $n documents were generated"
compare "generated" 0 "$GEN"/ok/*
# a few that must be what they are, whatever the reference says
for f in plain.epub repeat.epub missing.epub encrypted.epub cp1252.html utf16le.html; do
	"$DOC_COUNT" "$GEN/ok/$f" >"$TMP/one"
	read -r fmt status _ <"$TMP/one"
	case $f:$fmt:$status in
	*.epub:epub:ok|missing.epub:epub:damaged|encrypted.epub:epub:encrypted) ;;
	*.html:html:ok) ;;
	*) fail "$f: $(cat "$TMP/one")" ;;
	esac
done
cmp -s <("$DOC_COUNT" "$GEN/ok/plain.epub" | cut -d' ' -f3-) \
	<("$DOC_COUNT" "$GEN/ok/repeat.epub" | cut -d' ' -f3-) ||
	fail "a chapter the spine lists twice is counted twice"

# pages that stop early say so
printf '<html><head><meta charset="windows-1252"></head><body><p>a \201 b</p></body></html>' \
	>"$TMP/bad1252.html"
printf '<html><body><p>one</p></body></html>\n<html><body><p>two</p></body></html>' \
	>"$TMP/two.html"
for f in bad1252.html:"html damaged 0 0 0 0 the page is not valid windows-1252" \
	 two.html:"html damaged 1 1 4 4 text after the end of the html document is not read"; do
	got=$("$DOC_COUNT" "$TMP/${f%%:*}")
	[ "$got" = "${f#*:}" ] || fail "${f%%:*}: '$got', want '${f#*:}'"
done

# ---- at every chunk size: the pages' text starts after the 1024 bytes read
# to choose the encoding, so sizes up to the page's length cut it everywhere.
"$PYTHON3" "$TEST_SRCDIR/ref_html.py" "$GEN"/chunk/* >"$TMP/chunk.want"
max=$(wc -c "$GEN"/chunk/* | awk '$2 != "total" && $1 > m { m = $1 } END { print m }')
max=$((max - 1000))
c=1
while [ $c -le $max ]; do
	"$DOC_COUNT" --chunk $c "$GEN"/chunk/* | cut -d' ' -f1-6 >"$TMP/chunk.got"
	cmp -s "$TMP/chunk.got" "$TMP/chunk.want" || {
		diff "$TMP/chunk.want" "$TMP/chunk.got" | sed 's/^/  /' >&2
		fail "chunk size $c: not the text of a whole read"
	}
	c=$((c + 1))
done
for c in 1 2 3 5 7 16 61 100 257 1000 4096; do
	compare "epub, chunk $c" $c "$GEN"/ok/*.epub || break
done
note "$max chunk sizes agree"

# ---- hostile documents: a status line each, no crash, no hang.
HOS=$TMP/hostile
"$PYTHON3" "$TEST_SRCDIR/gen-docs-html.py" --hostile "$HOS" "${DOCS_SEED:-4242}" 300 \
	>"$TMP/gen.log" 2>&1 || fail "gen-docs-html.py --hostile failed: $(cat "$TMP/gen.log")"
# run_one FILE: doc-count on FILE within 20 s; its line checked.
run_one () {
	local rc=0 out
	out=$(timeout 20 "$DOC_COUNT" "$1" 2>"$TMP/err") || rc=$?
	if [ $rc -ne 0 ] || ! printf '%s\n' "$out" |
	   grep -Eq '^(html|epub|text) (ok|limit|damaged|encrypted) [0-9]+ [0-9]+ [0-9]+ [0-9]+( [a-z].*)?$'; then
		echo "  ${1##*/}: exit $rc, '$out' $(head -c 300 "$TMP/err")" >&2
		FAILURES=$((FAILURES + 1))
	fi
	LAST=$out
}
for f in "$HOS"/mut* "$HOS"/dup*; do
	run_one "$f"
done
for f in deep-div.html deep-b.html deep-mixed.html huge-attr.html open-comment.html \
	 open-tag.html laughs.html laughs.xhtml laughs.epub bomb.epub; do
	run_one "$HOS/$f"
	case $f:$LAST in
	deep-div.html:"html ok 100000 100000 "*) ;;
	deep-b.html:"html ok 1 100000 "*) ;;
	deep-mixed.html:"html ok "*) ;;
	open-tag.html:"html limit "*|bomb.epub:"epub limit "*) ;;
	deep-*|open-tag.html:*|bomb.epub:*) fail "$f: $LAST" ;;
	esac
done

pass "$n documents, $max chunk sizes and the hostile ones"
