#!/bin/bash
# scan-documents.sh - documents counted as their text by a real scan: one
# row per document, its format recorded, its counts those of its text (the
# same as tests/doc-count gives, and the words its text is known to hold);
# documents inside archives and compressed files too; an encrypted one
# recorded as such; the totals by format; a rescan that opens nothing; the
# per-root setting that turns extraction off and on, recounting only what
# it affects; and a worker that dies inside a parser costs one row.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

[ -n "${DOC_COUNT:-}" ] || skip "DOC_COUNT is not set"
grep -q 'documents: html docx pptx odt odp epub pdf' <<<"$("$WCINDEX" --version)" ||
	skip "this build does not extract every format: $("$WCINDEX" --version | grep documents)"

DB=$TMP/idx.db
D=$TMP/docs
"$PYTHON3" "$TEST_SRCDIR/gen-docs.py" "$D" >"$TMP/known" || fail "cannot make the documents"

scan_ok "$D"
assert_eq "" "$(q "SELECT path FROM files WHERE status = 'error'")" "no error"

# ---- one row per document, with its format
assert_eq "book.epub|epub deck.odp|odp letter.docx|docx locked.docx|docx notes.odt|odt page.html|html page2.html.gz|html plain.txt|text report.pdf|pdf talk.pptx|pptx bundle.tar|archive" \
	"$(q "SELECT name || '|' || format FROM files WHERE member = '' ORDER BY archive, name" | tr '\n' ' ' | sed 's/ $//')" \
	"the format of each file"
assert_eq "in/letter.docx|docx in/page.html|html in/readme.txt|text" \
	"$(q "SELECT member || '|' || format FROM files WHERE name = 'bundle.tar' AND member != '' ORDER BY member" | tr '\n' ' ' | sed 's/ $//')" \
	"documents inside an archive are rows of their own, not their parts"
assert_eq "html|1" "$(q "SELECT ext || '|' || compressed FROM files WHERE name = 'page2.html.gz'")" \
	"a compressed page is HTML, of extension html"

# ---- the words its text holds, and what doc-count says of each
while read -r name words; do
	assert_eq "$words" "$(q "SELECT words FROM files WHERE name = '$name' AND member = ''")" \
		"words of $name"
	case $name in *.gz) continue ;; esac
	read -r fmt status lines w chars bytes _ < <("$DOC_COUNT" "$D/$name")
	assert_eq "$status $lines $w $chars $bytes" \
		"$(q "SELECT status || ' ' || lines || ' ' || words || ' ' || chars || ' ' || bytes FROM files WHERE name = '$name' AND member = ''")" \
		"$name: the scan counts what doc-count does"
done <"$TMP/known"
assert_eq "5|7|3" "$(q "SELECT group_concat(words, '|') FROM (SELECT words FROM files WHERE name = 'bundle.tar' AND member != '' ORDER BY member)")" \
	"words of the documents inside the tar"

# ---- an encrypted document: recorded, not counted, said once
assert_eq "encrypted||document is encrypted" \
	"$(q "SELECT status || '|' || coalesce(words, '') || '|' || error FROM files WHERE name = 'locked.docx'")" \
	"the encrypted docx"
assert_match "locked.docx.*encrypted" "$SCAN_ERR" "the scan says so"

# ---- totals by format
assert_eq "docx|2|10 epub|1|5 html|3|21 odp|1|3 odt|1|6 pdf|1|7 pptx|1|5 text|2|7" \
	"$(q "SELECT format || '|' || files || '|' || words FROM totals_by_format ORDER BY format" | tr '\n' ' ' | sed 's/ $//')" \
	"totals by format"

# ---- a rescan of an unchanged document store opens no document
if command -v strace >/dev/null 2>&1 && strace -f -o /dev/null true 2>/dev/null; then
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
	timeout -k 5 60 strace -f -qq -e trace=open,openat,openat2 -o "$TMP/trace" \
		"$WCINDEX" --db "$DB" scan --no-progress "$D" >"$TMP/.scan.out" 2>&1 ||
		fail "the rescan failed"
	SCAN_OUT=$(cat "$TMP/.scan.out")
	opened=$(grep -E "\"[^\"]*/docs/[^\"]+\"" "$TMP/trace" | grep -vE 'O_DIRECTORY|O_PATH' || true)
	assert_eq "" "$opened" "files opened by a rescan of unchanged documents"
else
	note "no working strace: the opens of a rescan are not checked"
	scan_ok "$D"
fi
assert_stats 0 0 0 11 0 "a rescan"

# ---- extraction off for one format: those files only are recounted
scan_ok --no-extract=pdf,epub "$D"
assert_stats 0 2 0 9 0 "pdf and epub counted as bytes"
assert_eq "pdf|1|0 epub|1|0" \
	"$(q "SELECT format || '|' || ((flags & 1024) != 0) || '|' || binary FROM files WHERE name IN ('report.pdf', 'book.epub') AND member = '' ORDER BY name DESC" | tr '\n' ' ' | sed 's/ $//')" \
	"they keep their format, flagged raw"
assert_eq "$("$PYTHON3" "$TEST_SRCDIR/pycount.py" "$D/report.pdf" | awk '{print $2}')" \
	"$(q "SELECT words FROM files WHERE name = 'report.pdf'")" \
	"a PDF counted as bytes has the words of its bytes"
assert_match "no-extract=pdf" "$(q "SELECT settings FROM roots")" "the root keeps the setting"
scan_ok
assert_stats 0 0 0 11 0 "a bare scan keeps it"
scan_ok --extract=pdf "$D"
assert_stats 0 1 0 10 0 "pdf text again"
assert_eq "7|0" "$(q "SELECT words || '|' || ((flags & 1024) != 0) FROM files WHERE name = 'report.pdf'")" \
	"the PDF's text counted again"
scan_ok --extract "$D"
assert_stats 0 1 0 10 0 "every format again"

# ---- a worker that spins inside a parser is stopped: one row, the rest counted
rc=0
WCINDEX_TEST_FAULT=document-spin:letter.docx timeout -k 5 90 "$WCINDEX" \
	--db "$TMP/f.db" scan -q --timeout 60 --archive-cpu 1 "$D" 2>"$TMP/f.err" || rc=$?
assert_eq 1 "$rc" "exit status of a scan whose parser spun"
assert_match "letter.docx\\|error\\|worker killed by signal 24" \
	"$("$WCINDEX" --db "$TMP/f.db" sql --csv "SELECT name || '|' || status || '|' || error FROM files WHERE status = 'error'" | sed 1d)" \
	"the document whose parser spun"
assert_eq 9 "$("$WCINDEX" --db "$TMP/f.db" sql --csv "SELECT count(*) FROM files WHERE member = '' AND status = 'ok'" | sed 1d)" \
	"the other files counted"

pass "documents of every format, in a tree and inside archives"
