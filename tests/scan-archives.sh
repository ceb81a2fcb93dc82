#!/bin/bash
# scan-archives.sh: archives and compressed files are counted member by
# member, exactly as python counts the member bytes (tests/gen-archives.py
# writes the fixtures and their manifest); damaged archives and limits are
# recorded, names never touch the disk, and rescans replace members exactly.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

FX=$TMP/fx
mkdir -p "$FX"
(cd "$TMP" && "$PYTHON3" "$TEST_SRCDIR/gen-archives.py" "$FX" >"$TMP/gen.log" 2>&1) ||
	fail "gen-archives.py failed: $(cat "$TMP/gen.log")"

# ---- first scan: damaged archives make it exit 1, nothing else fails.
run_scan "$FX"
assert_eq 1 "$SCAN_RC" "exit status with damaged archives"
case $SCAN_ERR in
*"cannot read archive '$FX/corrupt.zip'"*) ;;
*) fail "no error named corrupt.zip: $SCAN_ERR" ;;
esac

# compare DB MANIFEST: every default-limit, UTF-8 case of the manifest
# against the rows of its file.
compare () {
	wci sql --json "SELECT name, member, lines, words, chars, bytes, flags,
		status, error FROM files ORDER BY name, member" >"$TMP/rows.json"
	"$PYTHON3" - "$FX/manifest.json" "$TMP/rows.json" "$FX" <<'PY'
import json, os, sys
man = json.load(open(sys.argv[1]))
rows = json.load(open(sys.argv[2]))
fx = sys.argv[3]
def raw(s):
    return s.encode('utf-8', 'surrogateescape')
by_file = {}
for r in rows:
    by_file.setdefault(raw(r['name']), []).append(r)
def count(data):
    t = data.decode('utf-8', 'surrogateescape')
    return [data.count(b'\n'), len(t.split()), len(t), len(data)]
bad = []
seen = set()
for c in man['cases']:
    lim = c['limits']
    if c['case'] != c['file'] or c.get('mode', 'utf8') != 'utf8':
        continue          # cases with other limits or modes are unit tests
    f = c['file'].encode()
    seen.add(f)
    got = by_file.get(f, [])
    top = [r for r in got if r['member'] == '']
    mem = {raw(r['member']): r for r in got if r['member'] != ''}
    if len(top) != 1:
        bad.append('%s: %d rows for the file itself' % (c['file'], len(top)))
        continue
    top = top[0]
    sniff = c['sniff']
    if sniff == 'none':
        want = count(open(os.path.join(fx, c['file']), 'rb').read())
        if [top[k] for k in ('lines', 'words', 'chars', 'bytes')] != want or top['flags'] & 48:
            bad.append('%s: plain file counted %s, want %s' % (c['file'], top, want))
        continue
    status = c['status']
    if top['status'] != status:
        bad.append('%s: status %s, want %s (%s)' % (c['file'], top['status'], status, top['error']))
    if c.get('document') is not None:
        d = c['document']
        want = [d[k] for k in ('lines', 'words', 'chars', 'bytes')]
        if not top['flags'] & 32 or (status == 'ok' and [top[k] for k in ('lines', 'words', 'chars', 'bytes')] != want):
            bad.append('%s: document counted %s, want %s' % (c['file'], top, want))
        continue
    if not top['flags'] & 16 or top['words'] is not None:
        bad.append('%s: archive row %s' % (c['file'], top))
    want_names = []
    for m in c['members']:
        name = bytes.fromhex(m['name']['hex'])
        want_names.append(name)
        r = mem.get(name)
        prefix = c['check'] == 'prefix'   # cut short by a limit: members
        if r is None:                     # after the cut are not reported
            if not prefix:
                bad.append('%s: member %r missing' % (c['file'], name))
            continue
        if prefix and r['status'] == 'limit':
            continue
        if m['status'] != r['status']:
            bad.append('%s: member %r status %s, want %s' % (c['file'], name, r['status'], m['status']))
        if m['kind'] == 'link':
            if not r['flags'] & 64 or r['words'] is not None:
                bad.append('%s: link member %r: %s' % (c['file'], name, r))
            continue
        if m['kind'] == 'archive':
            if not r['flags'] & 16:
                bad.append('%s: nested archive %r: %s' % (c['file'], name, r))
            continue
        if m['status'] != 'ok':
            continue      # partial counts are not predictable
        wc = m['counts']
        want = [wc[k] for k in ('lines', 'words', 'chars', 'bytes')]
        gotc = [r[k] for k in ('lines', 'words', 'chars', 'bytes')]
        if gotc != want or (r['flags'] & 3) != wc['flags']:
            bad.append('%s: member %r counted %s flags %d, want %s flags %d' %
                       (c['file'], name, gotc, r['flags'], want, wc['flags']))
    extra = set(mem) - set(want_names)
    if extra:
        bad.append('%s: unexpected members %r' % (c['file'], sorted(extra)[:5]))
known = {c['file'].encode() for c in man['cases']}
for f in by_file:
    if f not in known and f not in (b'manifest.json', b'manifest.tsv'):
        bad.append('%r: indexed but not in the manifest' % f)
if bad:
    print('\n'.join(bad[:40]))
    sys.exit(1)
PY
}
out=$(compare) || fail "index differs from the manifest:
$out"

# Hostile member names were stored, never created.
for p in "$TMP/etc/passwd" "/abs/path.txt" "$FX/../etc" "$TMP/../../etc/passwd.wcindex"; do
	[ ! -e "$p" ] || fail "an archive member name reached the disk: $p"
done
assert_eq 1 "$(q "SELECT count(*) FROM files WHERE name = 'evil.tar' AND member = '../../etc/passwd'")" \
	"member '../../etc/passwd' stored as its name"

# Names past 4 KiB are cut, marked and flagged (512); a bomb of long names
# stops at its budget, a few MB at most, where it added 39 MB.
assert_eq "4096:0 4126:512 4126:512 4126:512" \
	"$(q "SELECT group_concat(length(CAST(member AS BLOB)) || ':' || (flags & (SELECT name_cut FROM flag_bits)), ' ') FROM (SELECT * FROM files WHERE name = 'longnames.tar' AND member != '' ORDER BY id)")" \
	"long member names cut and flagged"
assert_match "limit|archive names take more than *" \
	"$(q "SELECT status || '|' || error FROM files WHERE name = 'namebomb.tar.bz2' AND member = ''")" \
	"the bomb of names stops at its budget, before the ratio limit"
nb=$(q "SELECT sum(length(CAST(member AS BLOB))) FROM files WHERE name = 'namebomb.tar.bz2'")
[ "$nb" -gt 0 ] && [ "$nb" -lt $((3 << 20)) ] ||
	fail "the bomb of names stored $nb bytes of names"

# A compressed document takes the extension of what it holds, lone or a
# member; an archive keeps its own.
assert_eq "txt|txt|gz" "$(q "SELECT (SELECT ext FROM files WHERE name = 'doc.txt.gz' AND member = '') || '|' ||
	(SELECT ext FROM files WHERE name = 'nested2.tar.gz' AND member = 'notes.txt.gz') || '|' ||
	(SELECT ext FROM files WHERE name = 'nested2.tar.gz' AND member = '')")" \
	"extensions of compressed files and of a compressed archive"

# A compressed document inside an archive is flagged as a lone one is (32),
# and nothing else inside is.
assert_eq "notes.txt.gz:32" "$(q "SELECT group_concat(member || ':' || (flags & 32)) FROM files WHERE name = 'nested2.tar.gz' AND flags & 32")" \
	"members of nested2.tar.gz flagged compressed"
assert_eq "32,32" "$(q "SELECT flags & 32, (SELECT flags & 32 FROM files WHERE name = 'doc.txt.gz') FROM files WHERE name = 'nested2.tar.gz' AND member = 'notes.txt.gz'")" \
	"flag 32 of a compressed member and of a lone compressed file"

# Totals count members, never the archives' own bytes, links or limits.
want=$(q "SELECT sum(words) FROM files WHERE status = 'ok' AND (flags & 81) = 0")
got=$(wci total "$FX" | awk '{print $2}')
assert_eq "$want" "$got" "total words of the fixtures"
# Of the .zip files only x.zip, which is text, is a document of its own.
assert_eq "zip|1" "$(q "SELECT ext || '|' || files FROM totals_by_ext WHERE ext IN ('zip', 'tar', '7z', 'iso', 'cpio')")" \
	"archives themselves in totals_by_ext"

# ---- an unchanged rescan opens no archive: damaged and limited ones are
# not retried, no member row is rewritten.
before=$(q "SELECT count(*) FROM entries")
scan_ok "$FX"
assert_stats 0 0 0 "$(q "SELECT count(*) FROM entries WHERE member = ''")" 0 "unchanged rescan"
assert_eq "$before" "$(q "SELECT count(*) FROM entries")" "rows after an unchanged rescan"
assert_eq 0 "$(q "SELECT count(*) FROM entries WHERE scan_id = $(last_scan_id)")" \
	"rows written by an unchanged rescan"

# --retry-failed reads the damaged and limited archives again, only them.
run_scan --retry-failed "$FX"
assert_eq 1 "$SCAN_RC" "exit status of --retry-failed"
assert_eq "$(q "SELECT count(*) FROM entries WHERE member = '' AND status != 'ok'")" \
	"$(q "SELECT files_changed + files_rechecked FROM scans ORDER BY id DESC LIMIT 1")" \
	"archives recounted by --retry-failed"

# ---- members replaced exactly when the archive changes.
A=$TMP/arc
mkdir -p "$A"
mk_tar () {
	"$PYTHON3" - "$A/docs.tar.gz" "$@" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], 'w:gz') as t:
    for spec in sys.argv[2:]:
        name, text = spec.split('=', 1)
        data = text.encode()
        ti = tarfile.TarInfo(name)
        ti.size = len(data)
        ti.mtime = 1700000000
        t.addfile(ti, io.BytesIO(data))
PY
}
mk_tar "a.txt=one two three" "b.txt=four five"
scan_ok "$A"
assert_eq "a.txt:3 b.txt:2" "$(q "SELECT group_concat(member || ':' || words, ' ') FROM (SELECT member, words FROM files WHERE member != '' AND name = 'docs.tar.gz' ORDER BY member)")" \
	"members of the first archive"
mk_tar "a.txt=one two three four" "c.txt=six"
scan_ok "$A"
assert_eq "a.txt:4 c.txt:1" "$(q "SELECT group_concat(member || ':' || words, ' ') FROM (SELECT member, words FROM files WHERE member != '' AND name = 'docs.tar.gz' ORDER BY member)")" \
	"members after one was changed, one removed and one added"
assert_stats 0 1 0 0 0 "archive changed"

# Replaced by a plain file of the same name: no member is left.
rm "$A/docs.tar.gz"
printf 'just text now\n' >"$A/docs.tar.gz"
scan_ok "$A"
assert_eq "0,3,0" "$(q "SELECT (SELECT count(*) FROM entries WHERE member != '' AND name = 'docs.tar.gz'), words, flags & 16 FROM files WHERE name = 'docs.tar.gz' AND member = ''")" \
	"an archive replaced by a plain file"

# ---- --no-archives counts every file as bytes (an option change recounts).
mk_tar "a.txt=one two"
scan_ok "$A"
assert_eq 1 "$(q "SELECT count(*) FROM entries WHERE member != '' AND name = 'docs.tar.gz'")" "members before --no-archives"
scan_ok --no-archives "$A"
assert_eq "0,0" "$(q "SELECT (SELECT count(*) FROM entries WHERE member != '' AND name = 'docs.tar.gz'), flags & 16 FROM files WHERE name = 'docs.tar.gz'")" \
	"--no-archives: no members, no archive flag"
want=$("$PYTHON3" "$TEST_SRCDIR/pycount.py" "$A/docs.tar.gz" | awk '{print $2}')
assert_eq "$want" "$(q "SELECT words FROM files WHERE name = 'docs.tar.gz'")" \
	"--no-archives: the archive's bytes counted as text"
scan_ok "$A"
assert_eq 0 "$(q "SELECT count(*) FROM entries WHERE member != '' AND name = 'docs.tar.gz'")" "a bare scan keeps the root's --no-archives"
scan_ok --archives "$A"
assert_eq 1 "$(q "SELECT count(*) FROM entries WHERE member != '' AND name = 'docs.tar.gz'")" "members again with --archives"

# ---- limits from the command line.
mk_tar "a.txt=one" "b.txt=two" "c.txt=three"
run_scan --max-members 2 "$A"
assert_eq 0 "$SCAN_RC" "a limit is not a failure"
assert_eq "limit" "$(q "SELECT status FROM files WHERE name = 'docs.tar.gz' AND member = ''")" \
	"archive over --max-members"
case $SCAN_ERR in
*"docs.tar.gz"*) ;;
*) fail "the limit was not reported: $SCAN_ERR" ;;
esac
assert_eq 1 "$(q "SELECT count(*) FROM errors WHERE stage = 'limit' AND scan_id = $(last_scan_id)")" \
	"the limit in the errors view"

# ---- a worker that crashes, hangs, spins or runs out of memory on an
# archive is replaced; the archive is recorded with the reason, the rest
# is counted, and the scan exits 1.  (WCINDEX_TEST_FAULT is a test hook of
# the workers.)
F=$TMP/faults
mkdir -p "$F"
cp "$FX/t.zip" "$FX/t.cpio" "$FX/plain.tar" "$F/"
printf 'plain words here\n' >"$F/text.txt"
fault () {	# SPEC FILE REASON-PATTERN [SCAN-OPTIONS...]
	local spec=$1 file=$2 reason=$3 rc=0
	shift 3
	rm -f "$TMP/f.db" "$TMP/f.db-wal" "$TMP/f.db-shm"
	WCINDEX_TEST_FAULT=$spec timeout -k 5 90 "$WCINDEX" --db "$TMP/f.db" \
		scan -q "$@" "$F" 2>"$TMP/f.err" || rc=$?
	set -- "$spec" "$file" "$reason"
	assert_eq 1 "$rc" "exit status with $1"
	got=$("$WCINDEX" --db "$TMP/f.db" sql --csv "SELECT name || '|' || status || '|' || error FROM files WHERE member = '' AND status != 'ok'" | sed 1d)
	case $got in
	"$2|error|"$3) ;;
	*) fail "$1: failed rows '$got', want $2 failing with '$3'" ;;
	esac
	assert_eq 3 "$("$WCINDEX" --db "$TMP/f.db" sql --csv "SELECT count(*) FROM files WHERE member = '' AND status = 'ok'" | sed 1d)" \
		"$1: the other files counted"
}
fault crash:t.cpio t.cpio "worker killed by signal 6*"
fault hang:t.zip t.zip "worker timed out*" --timeout 2
# The CPU budget, far below the wall-clock one, is what stops a spin.
fault archive-spin:plain.tar plain.tar "worker killed by signal 24*" \
	--timeout 60 --archive-cpu 1
# (ASan builds run workers without the address space cap: ASan needs it.)
if ! grep -qa __asan_init "$WCINDEX"; then
	fault archive-alloc:t.zip t.zip "worker ran out of memory"
fi

# The CPU budget of an archive is lifted afterwards: a file that the same
# worker handles next is stopped by the watchdog, not by SIGXCPU.
G=$TMP/budget
mkdir -p "$G"
cp "$FX/plain.tar" "$G/a.tar"
printf 'spins\n' >"$G/z-spin.txt"
rm -f "$TMP/g.db"
rc=0
WCINDEX_TEST_FAULT=spin:z-spin timeout -k 5 90 "$WCINDEX" --db "$TMP/g.db" \
	scan -q -j 1 --timeout 3 --archive-cpu 1 "$G" 2>/dev/null || rc=$?
assert_eq 1 "$rc" "exit status with a spinning plain file"
case $("$WCINDEX" --db "$TMP/g.db" sql --csv "SELECT error FROM files WHERE name = 'z-spin.txt'" | sed 1d) in
"worker timed out"*) ;;
*) fail "a plain file after an archive was not left to the watchdog" ;;
esac

# A text file that only starts like a cpio header is counted as text.
mkdir -p "$TMP/cpiotext"
printf '070707 is the first number of the list\nand more words\n' >"$TMP/cpiotext/dates.txt"
scan_ok "$TMP/cpiotext"
want=$("$PYTHON3" "$TEST_SRCDIR/pycount.py" "$TMP/cpiotext/dates.txt" | cut -d' ' -f1-4 | tr ' ' '|')
assert_eq "$want|ok|0" "$(q "SELECT lines || '|' || words || '|' || chars || '|' || bytes || '|' || status || '|' || (flags & 16) FROM files WHERE name = 'dates.txt'")" \
	"a text file with a cpio magic number"

pass "archives"
