#!/bin/bash
# scan-roots.sh - roots: two roots in one database stay independent; a scan
# without arguments rescans them all; a scan of a subdirectory touches only
# that subtree, and a later scan of the root deletes it if it is gone; a
# scan of a parent absorbs the root below it (also when it is gone); root
# paths are stored absolute and canonical, and nested arguments are walked
# once; a missing root is an error that changes nothing; the database
# inside a scanned root is never indexed.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

A=$TMP/a
B=$TMP/b
gen_tree "$A" --files 60 --dirs 10 --seed 31 --big 0
gen_tree "$B" --files 40 --dirs 6 --seed 32 --big 0
NA=$(count_files "$A")
NB=$(count_files "$B")

# rows_under DIR: number of index rows at or below DIR
rows_under () {
	q "SELECT count(*) FROM files WHERE dir = '$1' OR dir LIKE '$1/%'"
}

# ================================================= two independent roots
scan_ok "$A"
assert_stats "$NA" 0 0 0 0 "scan of root A"
scan_ok "$B"
assert_stats "$NB" 0 0 0 0 "scan of root B"
assert_eq "$A
$B" "$(q "SELECT path FROM roots ORDER BY path")" "roots after scanning A and B"
assert_eq "$NA $NB" "$(rows_under "$A") $(rows_under "$B")" "rows under A and B"
TB=$(py_totals "$B")
TA=$(py_totals "$A")

# files deleted in B: a scan of A must not notice
mapfile -t victims < <(cd "$B" && find . -type f -name 'f*' | LC_ALL=C sort | head -n 3 | sed "s|^\.|$B|")
[ "${#victims[@]}" -eq 3 ] || fail "setup: no files to delete in B"
rm -f "${victims[@]}"
scan_ok "$A"
assert_stats 0 0 0 "$NA" 0 "rescan of A after deleting files in B"
assert_eq "$NB" "$(rows_under "$B")" "rows of B after a scan of A"
out=$(wci total "$A" "$B") || fail "total A B exited $?"
assert_eq "$TA" "$(total_of "$out" "$A")" "total of A"
assert_eq "$TB" "$(total_of "$out" "$B")" "total of B, as last scanned"
assert_eq "$(printf '%s\n%s\n' "$TA" "$TB" | awk '{for (i = 1; i <= 5; i++) s[i] += $i} END {print s[1], s[2], s[3], s[4], s[5]}')" \
	"$(total_of "$out" total)" "total line of A and B"
assert_eq "$(printf '%s\n' "$TA" | awk '{print $5, $1, $2}')" \
	"$(q "SELECT files || ' ' || lines || ' ' || words FROM totals_by_root WHERE root = '$A'")" "totals_by_root of A"
out=$(wci ls "$A") || fail "ls A exited $?"
[[ $out != *"$B/"* ]] || fail "ls of root A lists files of B"
assert_eq "$NA" "$(printf '%s\n' "$out" | wc -l)" "ls of root A: lines"

# a scan without arguments rescans every root
scan_ok
assert_stats 0 0 3 $((NA + NB - 3)) 0 "scan of all roots"
assert_eq "$A $B" "$(q "SELECT replace(roots, char(10), ' ') FROM scans ORDER BY id DESC LIMIT 1")" "scans.roots of a scan of all roots"
NB=$((NB - 3))
check_index "$A" && check_index "$B"
last=$(last_scan_id)
assert_eq "$last $last" "$(q "SELECT group_concat(last_scan_id, ' ') FROM roots")" "roots.last_scan_id after a full rescan"

# ============================================ a scan of a subdirectory
# pick a subdirectory S of A holding files directly, with files elsewhere
S=$(q "SELECT dir FROM files WHERE dir LIKE '$A/%' GROUP BY dir HAVING count(*) >= 2 ORDER BY dir LIMIT 1")
[ -n "$S" ] || fail "setup: no subdirectory of A with two files"
mapfile -t in_s < <(q "SELECT path FROM files WHERE dir = '$S' ORDER BY path LIMIT 2")
outside=$(q "SELECT path FROM files WHERE dir NOT LIKE '$S%' AND dir != '$S' ORDER BY path LIMIT 1")
[ -n "$outside" ] || fail "setup: no file outside $S"
printf 'changed in the subtree\n' >>"${in_s[0]}"
rm "${in_s[1]}" "$outside"
NS=$(count_files "$S")
root_scan=$(q "SELECT last_scan_id FROM roots WHERE path = '$A'")
scan_ok "$S"
assert_stats 0 1 1 $((NS - 1)) 0 "scan of subdirectory $S"
assert_eq "${in_s[0]}" "$(recounted)" "files counted by the subtree scan"
assert_eq 1 "$(q "SELECT count(*) FROM files WHERE path = '$outside'")" \
	"row of a file outside the subtree, deleted on disk, after a subtree scan"
assert_eq 2 "$(q "SELECT count(*) FROM roots")" "roots after a subtree scan"
assert_eq "$root_scan" "$(q "SELECT last_scan_id FROM roots WHERE path = '$A'")" \
	"roots.last_scan_id after a scan of a subtree only"
check_index "$S"
# relative spelling of the subtree, from inside A
(cd "$A" && scan_ok "${S#"$A"/}") || exit 1
assert_stats 0 0 0 "$NS" 0 "relative rescan of the subtree"
assert_eq "$S" "$(q "SELECT roots FROM scans ORDER BY id DESC LIMIT 1")" "scans.roots of a relative subtree scan"
assert_eq 2 "$(q "SELECT count(*) FROM roots")" "roots after a relative subtree scan"
# the whole root now notices the file deleted outside the subtree
scan_ok "$A"
assert_stats 0 0 1 $((NA - 2)) 0 "scan of A after the subtree scan"
NA=$((NA - 2))
check_index "$A"
assert_eq "$NA" "$(rows_under "$A")" "rows of A"
assert_eq "$NB" "$(rows_under "$B")" "rows of B"

# ====== a subtree scan of a directory the index does not know yet, whose
# parent is not indexed either; then the whole root
mkdir -p "$A/brand/new/deeper"
printf 'one two three\n' >"$A/brand/new/deeper/x.txt"
printf 'four\n' >"$A/brand/new/deeper/y.txt"
printf 'five six\n' >"$A/brand/b.txt"
scan_ok "$A/brand/new/deeper"
assert_stats 2 0 0 0 0 "subtree scan of a new directory"
assert_eq 2 "$(q "SELECT count(*) FROM roots")" "roots after a subtree scan of a new directory"
out=$(wci total "$A") || fail "total A exited $?"
assert_eq "$(py_totals "$A" | awk '{print $1 - 1, $2 - 2, $3 - 9, $4 - 9, $5 - 1}')" "$(total_of "$out" "$A")" \
	"total of A with the new subtree but not brand/b.txt"
scan_ok "$A"
assert_stats 1 0 0 $((NA + 2)) 0 "scan of A after the subtree scan of a new directory"
NA=$((NA + 3))
check_index "$A"
assert_eq "$A/brand/new" "$(q "SELECT parent FROM dirs WHERE path = '$A/brand/new/deeper'")" "parent of the directory first scanned alone"
assert_eq 1 "$(q "SELECT count(DISTINCT root_id) FROM dirs WHERE path LIKE '$A/%' OR path = '$A'")" "root of A's directories"

# ==== a subtree scan of a new directory two levels below the root, then the
# directory between them deleted: the scan of the root must delete the
# subtree's rows (its top is recorded under the root, through r/a)
DB=$TMP/subdel.db
SR=$TMP/subdel
mkdir -p "$SR"
printf 'stays\n' >"$SR/keep.txt"
scan_ok "$SR"
assert_stats 1 0 0 0 0 "scan of a root holding one file"
mkdir -p "$SR/a/b"
echo x y >"$SR/a/b/g"
scan_ok "$SR/a/b"
assert_stats 1 0 0 0 0 "subtree scan of a new r/a/b"
assert_eq "$SR/a $SR" "$(q "SELECT (SELECT parent FROM dirs WHERE path = '$SR/a/b') || ' ' || (SELECT parent FROM dirs WHERE path = '$SR/a')")" \
	"parents of r/a/b and r/a after the subtree scan"
rm -rf "$SR/a"
scan_ok "$SR"
assert_stats 0 0 1 1 0 "scan of the root once r/a (holding r/a/b/g) is deleted"
assert_eq 0 "$(q "SELECT count(*) FROM files WHERE path = '$SR/a/b/g'")" "row of r/a/b/g after its directory was deleted"
assert_eq 0 "$(q "SELECT count(*) FROM dirs WHERE path = '$SR/a' OR path LIKE '$SR/a/%'")" "dirs rows under r/a after it was deleted"
out=$(wci total "$SR") || fail "total of the root exited $?"
assert_eq "$(py_totals "$SR")" "$(total_of "$out" "$SR")" "total of the root once r/a is deleted"
check_index "$SR"

# ============================ a parent of an existing root absorbs it
DB=$TMP/absorb.db
P=$TMP/p
gen_tree "$P/inner" --files 30 --dirs 5 --seed 33 --big 0
gen_tree "$P/outer" --files 20 --dirs 3 --seed 34 --big 0
printf 'top level\n' >"$P/top.txt"
NI=$(count_files "$P/inner")
NP=$(count_files "$P")
scan_ok "$P/inner"
assert_stats "$NI" 0 0 0 0 "scan of the inner root"
ids=$(q "SELECT id || ' ' || scan_id FROM entries ORDER BY id")
scan_ok "$P"
assert_stats $((NP - NI)) 0 0 "$NI" 0 "scan of the parent of a root"
assert_eq "$P" "$(q "SELECT path FROM roots")" "roots after absorbing"
assert_eq "$ids" "$(q "SELECT e.id || ' ' || e.scan_id FROM entries e JOIN dirs d ON d.id = e.dir_id WHERE d.path = '$P/inner' OR d.path LIKE '$P/inner/%' ORDER BY e.id")" \
	"rows of the absorbed root (not recounted)"
assert_eq 1 "$(q "SELECT count(DISTINCT root_id) FROM dirs")" "dirs all belong to the one root"
assert_eq "$P" "$(q "SELECT parent FROM dirs WHERE path = '$P/inner'")" "parent of the absorbed root's top"
assert_eq "$NP" "$(q "SELECT count(*) FROM files WHERE root = '$P'")" "files of the merged root"
check_index "$P"
out=$(wci total "$P/inner" "$P") || fail "total after absorbing exited $?"
assert_eq "$(py_totals "$P/inner")" "$(total_of "$out" "$P/inner")" "total of the absorbed root"
assert_eq "$(py_totals "$P")" "$(total_of "$out" "$P")" "total of the parent"
scan_ok
assert_stats 0 0 0 "$NP" 0 "rescan of every root after absorbing"

# ==== an absorbed root two levels down (r/x is a directory the index does
# not know): its files are not recounted, its top hangs under r through
# r/x; and if r/x is deleted before the scan of r, nothing under it stays
DB=$TMP/absorb-deep.db
AR=$TMP/ar
mkdir -p "$AR/x/y/z"
printf 'top\n' >"$AR/top.txt"
printf 'b c\n' >"$AR/x/y/f.txt"
printf 'd\n' >"$AR/x/y/z/g.txt"
scan_ok "$AR/x/y"
assert_stats 2 0 0 0 0 "scan of r/x/y"
ids=$(q "SELECT id || ' ' || scan_id FROM entries ORDER BY id")
scan_ok "$AR"
assert_stats 1 0 0 2 0 "scan of r after a scan of r/x/y"
assert_eq "$ids" "$(q "SELECT e.id || ' ' || e.scan_id FROM entries e JOIN dirs d ON d.id = e.dir_id WHERE d.path = '$AR/x/y' OR d.path LIKE '$AR/x/y/%' ORDER BY e.id")" \
	"rows of the absorbed root r/x/y (not recounted)"
assert_eq "$AR/x" "$(q "SELECT parent FROM dirs WHERE path = '$AR/x/y'")" "parent of the absorbed root's top r/x/y"
assert_eq "$AR" "$(q "SELECT parent FROM dirs WHERE path = '$AR/x'")" "parent of r/x"
assert_eq "$AR" "$(q "SELECT group_concat(path) FROM roots")" "roots after absorbing r/x/y"
check_index "$AR"
DB=$TMP/absorb-deleted.db
scan_ok "$AR/x/y"
assert_stats 2 0 0 0 0 "scan of r/x/y (second database)"
rm -rf "$AR/x"
scan_ok "$AR"
assert_stats 1 0 2 0 0 "scan of r after a scan of r/x/y, r/x deleted in between"
assert_eq "0 0" "$(q "SELECT (SELECT count(*) FROM entries e JOIN dirs d ON d.id = e.dir_id WHERE d.path = '$AR/x' OR d.path LIKE '$AR/x/%') || ' ' || (SELECT count(*) FROM dirs WHERE path = '$AR/x' OR path LIKE '$AR/x/%')")" \
	"entries and dirs rows under the deleted r/x"
assert_eq 0 "$(q "SELECT count(*) FROM entries WHERE dir_id NOT IN (SELECT id FROM dirs)")" "entries rows whose directory is not in dirs"
assert_eq "$AR" "$(q "SELECT group_concat(path) FROM roots")" "roots after absorbing the deleted r/x/y"
out=$(wci total "$AR") || fail "total of r exited $?"
assert_eq "$(py_totals "$AR")" "$(total_of "$out" "$AR")" "total of r once r/x is deleted"
check_index "$AR"

# ================================ relative and symlinked roots, canonical
DB=$TMP/rel.db
R=$TMP/rel
gen_tree "$R" --files 10 --dirs 2 --seed 35 --big 0
NR=$(count_files "$R")
(cd "$R" && timeout 60 "$WCINDEX" --db "$DB" scan -q .) || fail "scan . exited $?"
assert_eq "$R" "$(q "SELECT path FROM roots")" "root of 'scan .'"
assert_eq "$R" "$(q "SELECT roots FROM scans")" "scans.roots of 'scan .'"
check_index "$R"
ln -s "$R" "$TMP/rel-link"
ln -s "$TMP" "$TMP/tmp-link"
for spelling in "$TMP/rel-link" "$TMP/tmp-link/rel" "$TMP/rel-link/" "$R/." "$TMP/./rel/../rel" "rel-link" "../$(basename "$TMP")/rel"; do
	(cd "$TMP" && timeout 60 "$WCINDEX" --db "$DB" scan "$spelling" >"$TMP/out") ||
		fail "scan '$spelling' exited $?"
	assert_eq "$R" "$(q "SELECT group_concat(path) FROM roots")" "roots after scanning '$spelling'"
	assert_eq "$R" "$(q "SELECT roots FROM scans ORDER BY id DESC LIMIT 1")" "scans.roots of '$spelling'"
	assert_eq "0 0 0 $NR 0" "$(scan_stats | cut -d' ' -f1-5)" "rescan of '$spelling'"
done
assert_eq "0" "$(q "SELECT count(*) FROM files WHERE path NOT LIKE '$R/%' OR path LIKE '%link%'")" "file paths are canonical"
# a root and its own subdirectory in one command: each file counted once
DB=$TMP/twice.db
sub=$(cd "$R" && find . -mindepth 1 -type d | head -n 1)
[ -n "$sub" ] || fail "setup: no subdirectory in $R"
scan_ok "$R/$sub" "$R" "$TMP/rel-link"
assert_stats "$NR" 0 0 0 0 "scan of a root, a subdirectory and a link to it"
assert_eq "$R" "$(q "SELECT group_concat(path) FROM roots")" "roots of that scan"

# arguments nested with a name sorting between them: in byte order "a-b"
# comes between "a" and "a/c", yet a/c lies inside a and must not be
# walked a second time
DB=$TMP/nested.db
NE=$TMP/nested
mkdir -p "$NE/a/c/new" "$NE/a-b"
for i in $(seq 50); do printf 'file %d of a/c/new\n' "$i" >"$NE/a/c/new/f$i.txt"; done
printf 'in a\n' >"$NE/a/x.txt"
printf 'in a/c\n' >"$NE/a/c/y.txt"
printf 'in a-b\n' >"$NE/a-b/z.txt"
NN=$(count_files "$NE")
scan_ok "$NE/a" "$NE/a-b" "$NE/a/c"
assert_stats "$NN" 0 0 0 0 "scan of a, a-b and a/c"
assert_eq "$NN 0" "$(q "SELECT count(*) || ' ' || (SELECT count(*) FROM (SELECT name FROM entries GROUP BY name HAVING count(*) > 1)) FROM entries")" \
	"entries rows, and names with more than one row, after a scan of a, a-b and a/c"
assert_eq 0 "$(q "SELECT count(*) FROM entries WHERE dir_id NOT IN (SELECT id FROM dirs)")" "entries rows whose directory is not in dirs"
assert_eq "$NE/a $NE/a-b" "$(q "SELECT group_concat(path, ' ') FROM (SELECT path FROM roots ORDER BY path)")" "roots of a scan of a, a-b and a/c"
check_index "$NE"
scan_ok "$NE/a/c" "$NE/a-b" "$NE/a"
assert_stats 0 0 0 "$NN" 0 "rescan of a/c, a-b and a"

# ===================== a root that disappeared: an error, its rows kept
DB=$TMP/vanished.db
G1=$TMP/g1
G2=$TMP/g2
gen_tree "$G1" --files 8 --dirs 2 --seed 36 --big 0
gen_tree "$G2" --files 6 --dirs 2 --seed 37 --big 0
scan_ok "$G1" "$G2"
assert_stats 14 0 0 0 0 "scan of two roots"
g2scan=$(q "SELECT last_scan_id FROM roots WHERE path = '$G2'")
mv "$G2" "$TMP/g2-moved"
run_scan
assert_eq 1 "$SCAN_RC" "exit status of a scan of all roots, one missing"
assert_match "root '$G2' has vanished.*wcindex forget $G2" "$SCAN_ERR" \
	"the message names the missing root, and how to forget it"
assert_stats 0 0 0 8 0 "scan of all roots, one missing"
assert_eq 6 "$(rows_under "$G2")" "rows of the missing root are kept"
assert_eq vanished "$(q "SELECT stage FROM errors WHERE path = '$G2'")" "errors row of the missing root"
assert_eq vanished "$(q "SELECT state FROM roots WHERE path = '$G2'")" "state of the missing root"
assert_eq "$(last_scan_id)" "$(q "SELECT last_scan_id FROM roots WHERE path = '$G1'")" "roots.last_scan_id of the root walked"
soft assert_eq "$g2scan" "$(q "SELECT last_scan_id FROM roots WHERE path = '$G2'")" \
	"roots.last_scan_id ('last scan that walked the whole root') of a root that could not be walked"
mv "$TMP/g2-moved" "$G2"
scan_ok
assert_stats 0 0 0 14 0 "scan of all roots once the missing one is back"

# ============================================= a root that does not exist
DB=$TMP/index.db
state () {
	q "SELECT (SELECT count(*) FROM scans) || ' ' || (SELECT group_concat(path) FROM roots) || ' ' ||
	   (SELECT count(*) || ' ' || sum(scan_id) FROM entries)"
}
before=$(state)
run_scan "$TMP/does-not-exist"
assert_eq 2 "$SCAN_RC" "exit status of a scan of a missing directory"
assert_match 'does-not-exist' "$SCAN_ERR" "error message of a scan of a missing directory"
assert_eq "" "$SCAN_OUT" "stdout of a failed scan"
assert_eq "$before" "$(state)" "database after a scan of a missing directory"
run_scan "$A" "$TMP/does-not-exist"
assert_eq 2 "$SCAN_RC" "exit status of a scan of A and a missing directory"
assert_eq "$before" "$(state)" "database after a scan of A and a missing directory"
run_scan "$A/$(cd "$A" && find . -type f | head -n 1)"
assert_eq 2 "$SCAN_RC" "exit status of a scan of a regular file"
assert_eq "$before" "$(state)" "database after a scan of a regular file"

# ============================ the database inside the root is not indexed
DB=$TMP/inside/index.db
mkdir -p "$TMP/inside/sub"
for f in index.db.bak index.db-walx xindex.db index.db-journal.txt sub/index.db sub/index.db-wal sub/index.db.lock; do
	printf 'not the database: %s\n' "$f" >"$TMP/inside/$f"
done
scan_ok "$TMP/inside"
assert_stats 7 0 0 0 0 "scan of a root holding the database"
scan_ok "$TMP/inside"
assert_stats 0 0 0 7 0 "rescan of a root holding the database"
[ -f "$DB-wal" ] || [ -f "$DB-shm" ] || [ -f "$DB.lock" ] || fail "setup: no -wal/-shm/.lock file next to the database"
assert_eq 0 "$(q "SELECT count(*) FROM files WHERE dir = '$TMP/inside' AND name IN ('index.db', 'index.db-wal', 'index.db-shm', 'index.db.lock', 'index.db-journal')")" \
	"database files in the index"
check_index "$TMP/inside"
# a subdirectory scan of the same tree does the same
(cd "$TMP/inside/sub" && timeout 60 "$WCINDEX" --db ../index.db scan -q ..) || fail "scan .. exited $?"
assert_eq "0 0 0 7 0" "$(scan_stats | cut -d' ' -f1-5)" "scan with a relative --db inside the root"

# ======= a failed scan (missing root) does not leave a new database behind
DB=$TMP/never/created.db
mkdir -p "$TMP/never"
run_scan "$TMP/does-not-exist"
assert_eq 2 "$SCAN_RC" "exit status of a scan of a missing directory, new database"
soft assert_eq absent "$([ -e "$DB" ] && echo present || echo absent)" \
	"database file '$DB' after a failed scan (missing directory) into a new database"
pass "done"
