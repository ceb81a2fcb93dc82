#!/bin/bash
# docs-pdf.sh: the text of PDF documents against pdftotext(1), the same
# engine as the module's (poppler): for every fixture tests/gen-pdf.py
# writes, the words are exactly those of pdftotext's output, and the lines
# and characters those of its output less its blank lines and form feeds
# (the rule of wcindex(1)); a PDF that needs a password is "encrypted",
# one without pages "damaged"; and a few hundred broken and hostile PDFs
# each give one status line within 10 s, never a crash and never a word
# on stderr.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

[ -n "${DOC_COUNT:-}" ] && [ -x "$DOC_COUNT" ] || skip "DOC_COUNT is not set"
command -v pdftotext >/dev/null 2>&1 || skip "pdftotext not found (poppler-utils)"

FX=$TMP/fx
HX=$TMP/hostile
mkdir -p "$FX" "$HX"
"$PYTHON3" "$TEST_SRCDIR/gen-pdf.py" "$FX" >"$TMP/gen.log" 2>&1 ||
	fail "gen-pdf.py failed: $(cat "$TMP/gen.log")"
case $("$DOC_COUNT" "$FX/plain.pdf") in
text\ *) skip "this build does not read PDF (no poppler-glib)" ;;
esac

# ---- the fixtures against pdftotext
"$PYTHON3" - "$FX" "$DOC_COUNT" <<'EOF' || fail "counts differ from pdftotext's (see above)"
import json, os, subprocess, sys
fx, doc_count = sys.argv[1], sys.argv[2]
bad = []
cases = json.load(open(os.path.join(fx, 'manifest.json')))['cases']
for c in cases:
    path = os.path.join(fx, c['file'])
    r = subprocess.run([doc_count, path], capture_output=True, timeout=60)
    got = r.stdout.decode().split()
    if r.returncode or r.stderr or len(got) < 6:
        bad.append('%s: doc-count exited %d, said %r %r' % (c['file'], r.returncode, r.stdout, r.stderr))
        continue
    fmt, status, counts = got[0], got[1], [int(x) for x in got[2:6]]
    if c['kind'] in ('encrypted', 'damaged'):
        want = ['pdf', c['kind'], [0, 0, 0, 0]]
    elif c['kind'] == 'text':
        data = open(path, 'rb').read()
        text = data.decode('utf-8', 'surrogateescape')
        want = ['text', 'ok', [data.count(b'\n'), len(text.split()), len(text), len(data)]]
    else:
        ref = subprocess.run(['pdftotext', '-enc', 'UTF-8', path, '-'],
                             capture_output=True, timeout=60).stdout
        text = ref.decode('utf-8', 'surrogateescape')
        # the rule: pdftotext's lines that hold something, each ending
        # in a newline; its form feeds end pages, its blank lines blocks
        lines = [l for l in text.replace('\f', '\n').split('\n') if l]
        laid = ''.join(l + '\n' for l in lines)
        want = ['pdf', 'ok', [len(lines), len(text.split()), len(laid),
                              len(laid.encode('utf-8', 'surrogateescape'))]]
        if not text.split():
            bad.append('%s: pdftotext reads no text: a fixture is wrong' % c['file'])
    if [fmt, status, counts] != want:
        bad.append('%s: %s %s %s, want %s %s %s' % (c['file'], fmt, status, counts, *want))
for m in bad:
    sys.stderr.write('  ' + m + '\n')
print(len(cases))
sys.exit(1 if bad else 0)
EOF

# ---- hostile PDFs: one status line each, in time, silently
"$PYTHON3" "$TEST_SRCDIR/gen-pdf.py" --hostile "$HX" >"$TMP/gen.log" 2>&1 ||
	fail "gen-pdf.py --hostile failed: $(cat "$TMP/gen.log")"
n=0
for f in "$HX"/*.pdf; do
	rc=0
	timeout -k 2 10 "$DOC_COUNT" "$f" >"$TMP/out" 2>"$TMP/err" || rc=$?
	n=$((n + 1))
	name=$(basename "$f")
	[ "$rc" -eq 0 ] || fail "$name: doc-count exited $rc (124: timed out; >128: a signal)"
	[ -s "$TMP/err" ] && fail "$name: doc-count wrote to stderr: $(head -c 300 "$TMP/err")"
	out=$(cat "$TMP/out")
	# a reason starts with a lowercase letter or an acronym ("PDF document
	# is damaged") and ends without a period
	grep -Eqx '(pdf|text) (ok|encrypted|limit|damaged) [0-9]+ [0-9]+ [0-9]+ [0-9]+( ([a-z]|[A-Z]{2}).*[^.])?' <<<"$out" ||
		fail "$name: not one status line: $out"
done
[ "$n" -ge 200 ] || fail "only $n hostile PDFs were written"

pass "PDF fixtures match pdftotext; $n hostile PDFs read safely"
