#!/bin/sh
# history.sh - the changes and root_totals tables, the history and
# file_changes views, and `wcindex changes` / `wcindex history`: 20 scans
# of random edits checked against python's counts of the trees before and
# after each scan; a first scan's one summary row; "rechecked" files (the
# same bytes rewritten) that are no changes; retention (--keep-history).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

ROOT=$TMP/root
H="$PYTHON3 $TEST_SRCDIR/history.py"
mkdir -p "$ROOT/a/c" "$ROOT/b" "$ROOT/d"
for i in 1 2 3 4 5 6; do
	printf 'one two three %s\nfour\n' "$i" >"$ROOT/a/start$i.txt"
	printf 'x y\n' >"$ROOT/d/start$i.txt"
done
printf 'héllo wörld\n' >"$ROOT/b/u.txt"

# ---- the first scan: one summary row for the root, no events
$H snap "$ROOT" "$TMP/before.json"
scan_ok "$ROOT"
assert_eq "first|$ROOT|" "$(q "SELECT kind || '|' || path || '|' || member FROM changes")" \
	"the first scan's changes: one summary row"
want=$("$PYTHON3" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(",".join(str(sum(v[i] for v in d.values())) for i in range(4)))' "$TMP/before.json")
assert_eq "$want" "$(q "SELECT new_lines, new_words, new_chars, new_bytes FROM changes")" \
	"the summary row holds the root's totals"
assert_eq "1,13,$want,13,0,0" \
	"$(q "SELECT first, files, lines, words, chars, bytes, files_new, files_changed, files_deleted FROM root_totals")" \
	"root_totals after the first scan"
wci changes >"$TMP/out" || fail "changes after a first scan"
assert_match "^first .* $ROOT\$" "$(head -1 "$TMP/out")" "changes: the summary line"
assert_match "^total: 0 new, 0 changed, 0 deleted, 1 first scans" "$(tail -1 "$TMP/out")" \
	"changes: the total line of a first scan"

# ---- 19 more scans of random edits, each checked against python
for step in $(seq 2 20); do
	$H edit "$ROOT" 7 "$step" "$TMP/state.json"
	$H snap "$ROOT" "$TMP/after.json"
	scan_ok "$ROOT"
	wci changes --json >"$TMP/changes.json" || fail "changes --json, scan $step"
	wci changes --scan "$step" --json >"$TMP/changes2.json" || fail "changes --scan $step"
	cmp -s "$TMP/changes.json" "$TMP/changes2.json" ||
		fail "changes and changes --scan $step differ"
	wci sql --json "SELECT * FROM history ORDER BY scan_id" >"$TMP/history.json" ||
		fail "the history view"
	wci history --json "$ROOT" >"$TMP/h.json" || fail "history --json"
	"$PYTHON3" -c 'import json,sys; h=json.load(open(sys.argv[1])); assert len(h) == int(sys.argv[2]) and h[-1]["scan"] == len(h), h' \
		"$TMP/h.json" "$step" || fail "scan $step: history --json"
	kinds=$($H check "$TMP/before.json" "$TMP/after.json" "$TMP/state.json" \
		"$TMP/changes.json" "$TMP/history.json") ||
		fail "scan $step: the history differs from python's"
	set -- $kinds
	assert_eq "$1,$2,$3,$4" \
		"$(q "SELECT files_new, files_changed, files_deleted, files_rechecked FROM scans WHERE id = $step")" \
		"scan $step: new, changed, deleted, rechecked"
	# the total line adds the deltas up
	tot=$(wci changes | tail -1)
	IFS=, read -r dl dw <<<"$(q "SELECT coalesce(sum(lines_delta), 0), coalesce(sum(words_delta), 0) FROM file_changes WHERE scan_id = $step")"
	sums=$(printf '%+d lines, %+d words' "$dl" "$dw")
	case $tot in
	"total: $1 new, $2 changed, $3 deleted; $sums, "*) ;;
	*) fail "scan $step: the total line '$tot', want $1 $2 $3 and $sums" ;;
	esac
	cp "$TMP/after.json" "$TMP/before.json"
done
assert_eq 20 "$(q "SELECT count(*) FROM root_totals")" "a root_totals row per scan"
assert_eq 0 "$(q "SELECT count(*) FROM history h JOIN history p ON p.scan_id = h.scan_id - 1 WHERE h.words_delta != h.words - p.words")" \
	"history: words_delta against the scan before"
[ "$(q "SELECT sum(files_rechecked) FROM scans")" -gt 0 ] ||
	fail "the edits rewrote no file with the same bytes: no rechecked case"

# ---- a touched file is rechecked, not changed, and said so
f=$(find "$ROOT" -type f | sort | head -1)
touch -d '-1 hour' "$f"
out=$(wci scan "$ROOT") || fail "scan after touch"
assert_match "0 new, 0 changed, 0 deleted, .*, 1 rechecked;" "$out" "touch: the summary line"
assert_eq 0 "$(q "SELECT count(*) FROM changes WHERE scan_id = 21")" "touch: no change recorded"

# ---- --since
all=$(q "SELECT count(*) FROM changes WHERE kind != 'first'")
got=$(wci changes --since 1h --csv | sed 1d | grep -vc '^first,') || true
assert_eq "$all" "$got" "changes --since 1h: every change"
assert_eq "total: 0 new, 0 changed, 0 deleted; +0 lines, +0 words, +0 chars, +0 bytes" \
	"$(wci changes --since 2999-01-01)" "changes --since a future date"
wci changes --since 'not a date' >/dev/null 2>&1 && fail "changes --since accepted garbage"
# a PATH narrows the changes
sub=$(wci changes --since 1h "$ROOT/a" --csv | sed 1d | cut -d, -f2 | grep -v "^$ROOT/a/" || true)
assert_eq "" "$sub" "changes PATH: only changes below PATH"

# ---- retention: the last N scans' changes
echo 'new words' >"$ROOT/keep1.txt"
scan_ok --keep-history 3 "$ROOT"
assert_eq 20 "$(q "SELECT min(scan_id) FROM changes")" "--keep-history 3: scans 20..22 kept"
assert_eq 3 "$(q "SELECT value FROM meta WHERE key = 'keep_history'")" "--keep-history is kept"
echo 'more' >"$ROOT/keep2.txt"
scan_ok "$ROOT"
assert_eq 22 "$(q "SELECT min(scan_id) FROM changes")" "the kept setting prunes the next scan (21 changed nothing)"
assert_eq 23 "$(q "SELECT count(*) FROM root_totals")" "root_totals are all kept"

pass "history of 23 scans"
