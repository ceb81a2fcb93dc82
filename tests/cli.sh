#!/bin/bash
# cli.sh - the command line: --help and --version, usage errors, where the
# database is (--db anywhere, $WCINDEX_DB, $XDG_DATA_HOME, $HOME), the
# output formats of sql, read-only sql, total and ls with relative paths,
# single files and paths that are not indexed, and databases that are not
# wcindex's.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

# run_in DIR CMD...: run, in DIR.
run_in () {
	(cd "$1" && shift && run "$@" && echo "$RC" >"$TMP/.rc") || fail "cannot run in $1"
	RC=$(cat "$TMP/.rc")
	OUT=$(cat "$TMP/.out")
	ERR=$(cat "$TMP/.err")
}

# ================================================ --help and --version
for args in "--help" "-h" "help"; do
	run "$WCINDEX" $args
	assert_eq "0|" "$RC|$ERR" "wcindex $args: exit status|stderr"
	assert_match '^usage: wcindex ' "$(printf '%s\n' "$OUT" | head -n 1)" "wcindex $args"
	for c in scan total ls sql status db-path; do
		grep -q "^  $c " <<<"$OUT" || fail "wcindex $args does not list the command $c"
	done
done
for c in scan total ls sql status db-path; do
	for form in "$c --help" "$c -h" "help $c" "--help $c"; do
		# shellcheck disable=SC2086
		run "$WCINDEX" $form
		assert_eq "0|" "$RC|$ERR" "wcindex $form: exit status|stderr"
		assert_match "^usage: wcindex $c( |\$)" "$(printf '%s\n' "$OUT" | head -n 1)" "wcindex $form"
	done
done
run "$WCINDEX" scan --help
for o in --jobs --full --ascii --follow --one-file-system --exclude --quiet --db; do
	grep -q -- "$o" <<<"$OUT" || fail "scan --help does not describe $o"
done
# one line per option, none twice, the test-only --worker-exe hidden
dups=$(printf '%s\n' "$OUT" | grep -oE -- '^ +(-[a-z0-9], )?--[a-z-]+' | sed 's/.*--//' | sort | uniq -d)
assert_eq "" "$dups" "options described twice by scan --help"
grep -q -- '--worker-exe' <<<"$OUT" && fail "scan --help shows --worker-exe"
[ ! -e "$DB" ] || fail "--help created a database"
# --help has no side effects: nothing created under HOME (the default
# database lives in ~/.local/share/wcindex)
soft assert_eq "" "$(cd "$HOME" && find . -mindepth 1)" "files created in HOME by the --help runs"
rm -rf "$HOME" && mkdir "$HOME"
run "$WCINDEX" scan --bogus
soft assert_eq "2|" "$RC|$(cd "$HOME" && find . -mindepth 1)" "exit status|files created in HOME by 'scan --bogus'"
rm -rf "$HOME" && mkdir "$HOME"

version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$TEST_SRCDIR/../configure.ac")
[ -n "$version" ] || fail "setup: no version in configure.ac"
run "$WCINDEX" --version
assert_eq "0|" "$RC|$ERR" "--version: exit status|stderr"
assert_match "^wcindex $version( |\$)" "$OUT" "--version"
assert_eq "licence: MIT (see LICENSE)" "$(printf '%s\n' "$OUT" | sed -n 2p)" "--version: the licence"
# the formats read, and those counted as bytes for want of a library
ALL="html docx pptx odt odp epub pdf"
case $(printf '%s\n' "$OUT" | sed -n 4p) in
"") assert_eq "documents: $ALL" "$(printf '%s\n' "$OUT" | sed -n 3p)" "--version: every format read" ;;
*) assert_match "^counted as bytes: [a-z ]+ \\(without [a-z0-9, -]+\\)\$" \
	"$(printf '%s\n' "$OUT" | sed -n 4p)" "--version: the formats not read, and why" ;;
esac
assert_eq "" "$(printf '%s\n' "$OUT" | sed 1,4d)" "--version prints at most four lines"

# every command, as the program's help lists them: -h and --help print its
# usage and options, ending with -h, --help and --version; --version works
run "$WCINDEX" --help
COMMANDS=$(printf '%s\n' "$OUT" | sed -n '/^commands:$/,/^$/s/^  \([a-z][a-z-]*\) .*/\1/p')
[ "$(printf '%s\n' "$COMMANDS" | wc -l)" -ge 11 ] || fail "wcindex --help lists too few commands: $COMMANDS"
grep -q -- '--version' <<<"$OUT" || fail "wcindex --help does not mention --version"
for c in $COMMANDS; do
	for form in --help -h; do
		run "$WCINDEX" "$c" "$form"
		assert_eq "0|" "$RC|$ERR" "wcindex $c $form: exit status|stderr"
		assert_match "^usage: wcindex $c( |\$)" "$(printf '%s\n' "$OUT" | head -n 1)" "wcindex $c $form"
		assert_match "^  -h, --help  " "$(printf '%s\n' "$OUT" | tail -n 2 | head -n 1)" "wcindex $c $form: -h, --help next to last"
		assert_match "^      --version  " "$(printf '%s\n' "$OUT" | tail -n 1)" "wcindex $c $form: --version last"
	done
	run "$WCINDEX" "$c" --version
	assert_eq "0|" "$RC|$ERR" "wcindex $c --version: exit status|stderr"
	assert_match "^wcindex $version " "$(printf '%s\n' "$OUT" | head -n 1)" "wcindex $c --version"
done

# ======================================================== usage errors
usage_error () {
	run "$WCINDEX" --db "$DB" "$@"
	assert_eq 2 "$RC" "exit status of: wcindex $*"
	assert_eq "" "$OUT" "stdout of: wcindex $*"
	[ -n "$ERR" ] || fail "wcindex $* printed no error"
}
run "$WCINDEX"
assert_eq 2 "$RC" "exit status of wcindex without a command"
assert_match '^usage: wcindex' "$ERR" "wcindex without a command prints the usage on stderr"
usage_error frobnicate
assert_match "unknown command 'frobnicate'" "$ERR" "unknown command message"
usage_error --bogus
usage_error scan --bogus "$TMP"
usage_error scan -j 0 "$TMP"
usage_error scan -j abc "$TMP"
usage_error scan -j -3 "$TMP"
usage_error scan -j 1025 "$TMP"
usage_error scan --jobs= "$TMP"
usage_error scan -j
for o in "--timeout 0|bad --timeout '0': want 1-86400 seconds" \
	 "--archive-cpu=86401|bad --archive-cpu '86401': want 1-86400 seconds" \
	 "--archive-depth 65|bad --archive-depth '65': want 1-64" \
	 "--wait=0|bad --wait '0': want 1-31536000 seconds" \
	 "--max-ratio 0|bad number '0'" \
	 "--max-members x|bad number 'x'"; do
	# shellcheck disable=SC2086
	usage_error scan ${o%%|*} "$TMP"
	assert_match "^wcindex: ${o#*|}" "$ERR" "message of scan ${o%%|*}"
	assert_eq "Try 'wcindex scan --help'." "$(printf '%s\n' "$ERR" | sed -n 2p)" "the hint after scan ${o%%|*}"
	assert_eq 2 "$(printf '%s\n' "$ERR" | wc -l)" "scan ${o%%|*}: two lines, no usage"
done
# one error format, then where the help is, for every kind of mistake
for o in "scan --bogus|unknown or ambiguous option '--bogus'|scan" \
	 "scan -z|unknown option '-z'|scan" \
	 "scan -j|option '-j' needs an argument|scan" \
	 "scan --exclude|option '--exclude' needs an argument|scan" \
	 "ls --sorted|unknown or ambiguous option '--sorted'|ls" \
	 "ls --sort=files|--sort 'files': not one of name, lines, words, chars, bytes\$|ls" \
	 "total --depth|option '--depth' needs an argument|total" \
	 "scna|unknown command 'scna'; did you mean 'scan'\\?|" \
	 "tota|unknown command 'tota'; did you mean 'total'\\?|" \
	 "xyzzy|unknown command 'xyzzy'\$|" \
	 "help bogus|unknown command 'bogus'\$|" \
	 "--bogus|unknown option '--bogus'\$|" \
	 "scan --max-member-bytes 1.5G|bad size '1.5G' for --max-member-bytes|scan"; do
	set -f
	# shellcheck disable=SC2086
	usage_error ${o%%|*}
	set +f
	rest=${o#*|}
	cmd=${rest#*|}
	assert_match "^wcindex: ${rest%%|*}" "$(printf '%s\n' "$ERR" | head -n 1)" "message of wcindex ${o%%|*}"
	assert_eq "Try 'wcindex ${cmd:+$cmd }--help'." "$(printf '%s\n' "$ERR" | sed -n 2p)" "hint after wcindex ${o%%|*}"
done
# --version is understood by every command, and sizes take suffixes
for c in scan total ls sql status roots; do
	run "$WCINDEX" $c --version
	assert_eq "0|" "$RC|$ERR" "wcindex $c --version: exit status|stderr"
	assert_match "^wcindex $version " "$(printf '%s\n' "$OUT" | head -n 1)" "wcindex $c --version"
done
SZ=$TMP/sizes
mkdir -p "$SZ"
printf 'a few words\n' >"$SZ/a.txt"
for s in "1G|1073741824" "64M|67108864" "1GiB|1073741824" "1GB|1000000000" \
	 "10k|10240" "4096|4096"; do
	rm -f "$TMP/sz.db"
	run "$WCINDEX" --db "$TMP/sz.db" scan -q --max-member-bytes "${s%%|*}" "$SZ"
	assert_eq "0|" "$RC|$ERR" "scan --max-member-bytes ${s%%|*}"
	assert_match "max-member-bytes=${s#*|}( |\$)" "$("$WCINDEX" --db "$TMP/sz.db" roots)" \
		"--max-member-bytes ${s%%|*} is ${s#*|} bytes"
done
usage_error scan --exclude
usage_error total --bogus
usage_error ls --bogus
usage_error ls -x
usage_error sql --bogus "SELECT 1"
usage_error sql
usage_error sql "SELECT 1" "SELECT 2"
usage_error status extra
usage_error db-path extra
run "$WCINDEX" scan "$TMP" --db
assert_eq 2 "$RC" "exit status of --db without a FILE"
[ ! -e "$DB" ] || fail "a usage error created the database"

# ================================================= where the database is
DIRX=$TMP/where
mkdir -p "$DIRX/sub" "$TMP/real"
ln -s "$TMP/real" "$TMP/sym"
dbpath () {
	run "$@"
	assert_eq "0|" "$RC|$ERR" "exit status|stderr of: $*"
	printf '%s\n' "$OUT"
}
W=$WCINDEX
assert_eq "$TMP/x.db" "$(dbpath "$W" --db "$TMP/x.db" db-path)" "--db before the command"
assert_eq "$TMP/x.db" "$(dbpath "$W" db-path --db "$TMP/x.db")" "--db after the command"
assert_eq "$TMP/x.db" "$(dbpath "$W" --db="$TMP/x.db" db-path)" "--db=FILE"
assert_eq "$DIRX/rel.db" "$(cd "$DIRX" && dbpath "$W" --db rel.db db-path)" "relative --db"
assert_eq "$DIRX/up.db" "$(cd "$DIRX/sub" && dbpath "$W" db-path --db ../up.db)" "relative --db with .."
assert_eq "$TMP/real/s.db" "$(dbpath "$W" --db "$TMP/sym/s.db" db-path)" "--db through a symlinked directory"
assert_eq "$TMP/env.db" "$(WCINDEX_DB=$TMP/env.db dbpath "$W" db-path)" "WCINDEX_DB"
assert_eq "$TMP/x.db" "$(WCINDEX_DB=$TMP/env.db dbpath "$W" db-path --db "$TMP/x.db")" "--db over WCINDEX_DB"
assert_eq "$TMP/xdg/wcindex/index.db" "$(XDG_DATA_HOME=$TMP/xdg dbpath "$W" db-path)" "XDG_DATA_HOME"
assert_eq "$TMP/env.db" "$(XDG_DATA_HOME=$TMP/xdg WCINDEX_DB=$TMP/env.db dbpath "$W" db-path)" "WCINDEX_DB over XDG_DATA_HOME"
assert_eq "$TMP/xdg/wcindex/index.db" "$(XDG_DATA_HOME=$TMP/xdg WCINDEX_DB= dbpath "$W" db-path)" "empty WCINDEX_DB"
assert_eq "$HOME/.local/share/wcindex/index.db" "$(dbpath "$W" db-path)" "default under HOME"
assert_eq "$HOME/.local/share/wcindex/index.db" "$(XDG_DATA_HOME=relative/dir dbpath "$W" db-path)" "a relative XDG_DATA_HOME is ignored"
for f in "$HOME/.local" "$TMP/xdg" "$TMP/x.db" "$TMP/env.db" "$TMP/real/s.db" "$DIRX/rel.db"; do
	[ ! -e "$f" ] || fail "db-path created $f"
done

# a scan with the default database creates its directory; the other
# commands find it there
TINY=$TMP/tiny
mkdir -p "$TINY/sub"
printf 'hello world\n' >"$TINY/a.txt"
printf 'comma, in the name\nand two lines\n' >"$TINY/b,c.txt"
printf 'x\0binary' >"$TINY/bin.dat"
printf 'deeper one\n' >"$TINY/sub/d.txt"
run env XDG_DATA_HOME="$TMP/xdg" "$W" scan "$TINY"
assert_eq 0 "$RC" "scan with the database under XDG_DATA_HOME"
[ -f "$TMP/xdg/wcindex/index.db" ] || fail "scan did not create \$XDG_DATA_HOME/wcindex/index.db"
run env XDG_DATA_HOME="$TMP/xdg" "$W" sql --csv "SELECT count(*) AS n FROM files"
assert_eq "0|n
4" "$RC|$OUT" "sql on the database under XDG_DATA_HOME"
run env WCINDEX_DB="$TMP/xdg/wcindex/index.db" "$W" total "$TINY/a.txt"
assert_eq 0 "$RC" "total with WCINDEX_DB"
# --db after the arguments of scan and of sql
run "$W" scan "$TINY" --db "$DB"
assert_eq 0 "$RC" "scan DIR --db FILE"
[ -f "$DB" ] || fail "scan DIR --db FILE did not use FILE"
run "$W" sql --csv "SELECT count(*) AS n FROM files" --db "$DB"
assert_eq "0|n
4" "$RC|$OUT" "sql QUERY --db FILE"
# after "--", --db is an argument
run_in "$TINY" "$W" --db "$DB" total -- --db
assert_eq 1 "$RC" "exit status of total -- --db"
assert_match "'--db' is not indexed" "$ERR" "--db after -- is a path"

# ======================================================== sql outputs
run "$W" --db "$DB" sql --csv "SELECT name, words FROM files WHERE dir = '$TINY' AND NOT binary ORDER BY name"
assert_eq "0|name,words
a.txt,$(pycount "$TINY/a.txt" | cut -d' ' -f2)
\"b,c.txt\",$(pycount "$TINY/b,c.txt" | cut -d' ' -f2)" "$RC|$OUT" "sql --csv"
run "$W" --db "$DB" sql --csv "SELECT 1 AS i, 2.5 AS r, 'x\"y' AS s, NULL AS n, x'00ff' AS b, 'multi
line' AS m"
assert_eq "0|i,r,s,n,b,m
1,2.5,\"x\"\"y\",,x'00ff',\"multi
line\"" "$RC|$OUT" "sql --csv of every type"
run "$W" --db "$DB" sql --json "SELECT 1 AS i, 2.5 AS r, 'x\"y' AS s, NULL AS n, 'é☃' AS u, char(10) || char(9) || char(1) AS c"
assert_eq 0 "$RC" "sql --json exit status"
printf '%s' "$OUT" | "$PYTHON3" -c '
import json, sys
v = json.load(sys.stdin)
want = [{"i": 1, "r": 2.5, "s": "x\"y", "n": None, "u": "é☃", "c": "\n\t\x01"}]
if v != want or type(v[0]["i"]) is not int or type(v[0]["r"]) is not float:
    sys.exit("sql --json gave %r" % v)' || fail "sql --json"
run "$W" --db "$DB" sql --json "SELECT 0.1 AS a, 1e300 AS b, 1.0 AS c, 1.0 / 3 AS d, 1e-7 AS e, 9007199254740993 AS f, -9223372036854775808 AS g, x'00ff' AS h"
assert_eq 0 "$RC" "sql --json of numbers: exit status"
printf '%s' "$OUT" | "$PYTHON3" -c '
import json, sys
v = json.load(sys.stdin)[0]
want = {"a": 0.1, "b": 1e300, "c": 1.0, "d": 1.0 / 3, "e": 1e-7, "f": 9007199254740993,
        "g": -9223372036854775808}
for k, w in want.items():
    if v[k] != w or type(v[k]) is not type(w):
        sys.exit("sql --json: %s is %r, want %r" % (k, v[k], w))
if not isinstance(v["h"], str):
    sys.exit("sql --json: a blob is %r" % v["h"])' || fail "sql --json of numbers"
run "$W" --db "$DB" sql --json "SELECT name FROM files WHERE 0"
assert_eq "0|[]" "$RC|$OUT" "sql --json of no rows"
run "$W" --db "$DB" sql --json "SELECT name, lines, words, chars, bytes FROM files WHERE dir = '$TINY' ORDER BY name"
printf '%s' "$OUT" | "$PYTHON3" -c '
import json, os, sys
rows = json.load(sys.stdin)
names = sorted(n for n in os.listdir(sys.argv[1]) if os.path.isfile(os.path.join(sys.argv[1], n)))
if [r["name"] for r in rows] != names:
    sys.exit("sql --json names %r, want %r" % ([r["name"] for r in rows], names))' "$TINY" || fail "sql --json of files"
# table, the default, and --table
run "$W" --db "$DB" sql "SELECT name, words FROM files WHERE dir = '$TINY' AND NOT binary ORDER BY name"
assert_eq 0 "$RC" "sql (table) exit status"
table=$OUT
run "$W" --db "$DB" sql --table "SELECT name, words FROM files WHERE dir = '$TINY' AND NOT binary ORDER BY name"
assert_eq "$table" "$OUT" "sql --table is the default"
assert_eq 4 "$(printf '%s\n' "$table" | wc -l)" "lines of a table of two rows"
assert_match '^name +words$' "$(printf '%s\n' "$table" | sed -n 1p)" "table header"
assert_match '^-+ +-+$' "$(printf '%s\n' "$table" | sed -n 2p)" "table rule"
assert_match "^a\\.txt +$(pycount "$TINY/a.txt" | cut -d' ' -f2)\$" "$(printf '%s\n' "$table" | sed -n 3p)" "table row 1"
assert_match "^b,c\\.txt +$(pycount "$TINY/b,c.txt" | cut -d' ' -f2)\$" "$(printf '%s\n' "$table" | sed -n 4p)" "table row 2"
[ "$(printf '%s\n' "$table" | awk '{print length($0)}' | sort -u | wc -l)" = 1 ] ||
	fail "table lines differ in length (numbers are right-aligned): $table"
grep -q ' $' <<<"$table" && fail "table lines end in spaces"
# several statements, one result after the other
run "$W" --db "$DB" sql --csv "SELECT 1 AS a; SELECT 2 AS b;"
assert_eq "0|a
1
b
2" "$RC|$OUT" "sql --csv of two statements"
# read-only
before=$(q "SELECT count(*) FROM entries")
for stmt in "DELETE FROM entries" "DROP TABLE entries" "CREATE TABLE t(x)" \
	    "INSERT INTO meta VALUES ('k', 'v')" "UPDATE entries SET words = 0" \
	    "SELECT 1; DELETE FROM entries"; do
	run "$W" --db "$DB" sql "$stmt"
	assert_eq 2 "$RC" "exit status of sql '$stmt'"
	[ -n "$ERR" ] || fail "sql '$stmt' printed no error"
done
assert_eq "$before" "$(q "SELECT count(*) FROM entries")" "rows after write attempts through sql"
assert_eq 0 "$(q "SELECT count(*) FROM sqlite_schema WHERE name = 't'")" "table created through sql"
assert_eq 0 "$(q "SELECT count(*) FROM files WHERE words = 0 AND bytes > 1 AND NOT binary")" "rows updated through sql"
run "$W" --db "$DB" sql "SELEKT 1"
assert_eq 2 "$RC" "exit status of a syntax error"
assert_match 'SELEKT' "$ERR" "a syntax error quotes the statement"
run "$W" --db "$DB" sql "SELECT nosuchcolumn FROM files"
assert_eq 2 "$RC" "exit status of an unknown column"
# a database that does not exist is not created by read-only commands
for cmd in sql total ls status; do
	args=("$cmd")
	[ "$cmd" != sql ] || args+=("SELECT 1")
	run "$W" --db "$TMP/missing.db" "${args[@]}"
	assert_eq 2 "$RC" "exit status of '$cmd' on a missing database"
	assert_match 'missing\.db' "$ERR" "message of '$cmd' on a missing database"
	[ ! -e "$TMP/missing.db" ] || fail "'$cmd' created the missing database"
done
run "$W" --db "$DB" status
assert_eq 0 "$RC" "status exit status"
assert_match "database: $DB" "$OUT" "status names the database"
grep -q "$TINY" <<<"$OUT" || fail "status does not list the root"

# ============================================ total and ls, relative paths
abs_counts () { pycount "$1" | cut -d' ' -f1-4; }
run_in "$TINY" "$W" --db "$DB" total a.txt
assert_eq "0|$(abs_counts "$TINY/a.txt") 1 a.txt" "$RC|$(printf '%s\n' "$OUT" | sed 's/^ *//; s/  */ /g')" "total of a single file, relative: the path as given"
run_in "$TINY/sub" "$W" --db "$DB" total ../a.txt ./d.txt
assert_eq 0 "$RC" "total of two relative files"
assert_eq "$(abs_counts "$TINY/a.txt") 1" "$(total_of "$OUT" ../a.txt)" "total ../a.txt"
assert_eq "$(abs_counts "$TINY/sub/d.txt") 1" "$(total_of "$OUT" ./d.txt)" "total ./d.txt"
assert_eq "$(pycount "$TINY/a.txt" "$TINY/sub/d.txt" | awk '{for (i = 1; i <= 4; i++) s[i] += $i} END {print s[1], s[2], s[3], s[4], 2}')" \
	"$(total_of "$OUT" total)" "total line of ../a.txt ./d.txt"
run_in "$TINY" "$W" --db "$DB" total .
assert_eq "$(py_totals "$TINY")" "$(total_of "$OUT" .)" "total ."
ln -s "$TINY" "$TMP/tiny-link"
run "$W" --db "$DB" total "$TMP/tiny-link/a.txt" "$TMP/tiny-link"
assert_eq 0 "$RC" "total through a symlink"
assert_eq "$(abs_counts "$TINY/a.txt") 1" "$(total_of "$OUT" "$TMP/tiny-link/a.txt")" "total of a file through a symlink"
assert_eq "$(py_totals "$TINY")" "$(total_of "$OUT" "$TMP/tiny-link")" "total of a root through a symlink"
run_in "$TINY" "$W" --db "$DB" ls sub a.txt
assert_eq "0|$(abs_counts "$TINY/a.txt") text $TINY/a.txt
$(abs_counts "$TINY/sub/d.txt") text $TINY/sub/d.txt" "$RC|$(printf '%s\n' "$OUT" | sed 's/^ *//; s/  */ /g')" "ls of relative paths: one list, by name"
run_in "$TINY" "$W" --db "$DB" ls
assert_eq "0 4" "$RC $(printf '%s\n' "$OUT" | wc -l)" "ls without arguments lists every file"
# binary files: left out of total unless --binary
run "$W" --db "$DB" total "$TINY/bin.dat"
assert_eq "0|0 0 0 0 0 $TINY/bin.dat" "$RC|$(printf '%s\n' "$OUT" | sed 's/^ *//; s/  */ /g')" "total of a binary file"
run "$W" --db "$DB" total --binary "$TINY/bin.dat"
assert_eq "0|$(abs_counts "$TINY/bin.dat") 1 $TINY/bin.dat" "$RC|$(printf '%s\n' "$OUT" | sed 's/^ *//; s/  */ /g')" "total --binary of a binary file"
run "$W" --db "$DB" total --binary "$TINY"
assert_eq "$(py_totals --binary "$TINY")" "$(total_of "$OUT" "$TINY")" "total --binary of a root"
# paths that are not indexed
for p in "$TMP/nonexistent" "${TINY%?}" "$TINY/nonexistent.txt" "$TMP/where"; do
	for c in total ls; do
		run "$W" --db "$DB" $c "$p"
		assert_eq "1|" "$RC|$OUT" "$c of '$p' (not indexed): exit status|stdout"
		assert_match "'$p' is not indexed" "$ERR" "$c of '$p' (not indexed): message"
	done
done
# a directory above the roots holds what they hold, like du
tail_row () { "$PYTHON3" -c 'import json, sys; r = json.load(sys.stdin)[-1]; del r["path"]; print(r)'; }
assert_eq "$("$W" --db "$DB" total --json | tail_row)" "$("$W" --db "$DB" total --json "$TMP" | tail_row)" \
	"total of the directory above every root"
run "$W" --db "$DB" ls "$TMP"
assert_eq "0|$("$W" --db "$DB" ls)" "$RC|$OUT" "ls of the directory above every root"
run "$W" --db "$DB" total "$TINY/a.txt" "$TMP/nonexistent"
assert_eq 1 "$RC" "total of an indexed and a missing path: exit status"
assert_eq "$(abs_counts "$TINY/a.txt") 1" "$(total_of "$OUT" "$TINY/a.txt")" "total of an indexed and a missing path: the indexed one"
run "$W" --db "$DB" ls -0 "$TINY/a.txt"
assert_eq "$(abs_counts "$TINY/a.txt") text $TINY/a.txt|" "$(tr '\0' '|' <"$TMP/.out" | sed 's/^ *//; s/  */ /g')" "ls -0 of one file"

# ======================================== scan without roots, foreign files
run "$W" --db "$TMP/empty.db" scan
assert_eq 2 "$RC" "scan without arguments on a new database"
assert_match 'no roots' "$ERR" "message of a scan without roots"
printf 'just some text, not a database\n' >"$TMP/text.db"
cp "$TMP/text.db" "$TMP/text.db.orig"
for cmd in sql scan total; do
	args=("$cmd")
	[ "$cmd" != sql ] || args+=("SELECT 1")
	[ "$cmd" != scan ] || args+=("$TINY")
	run "$W" --db "$TMP/text.db" "${args[@]}"
	assert_eq 2 "$RC" "exit status of '$cmd' on a text file"
	[ -n "$ERR" ] || fail "'$cmd' on a text file printed no error"
done
cmp -s "$TMP/text.db" "$TMP/text.db.orig" || fail "a text file given as --db was modified"
"$PYTHON3" -c 'import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); c.execute("CREATE TABLE mine(x)"); c.execute("INSERT INTO mine VALUES (42)"); c.commit()' "$TMP/other.db" ||
	fail "setup: cannot create a foreign database"
run "$W" --db "$TMP/other.db" scan "$TINY"
assert_eq 2 "$RC" "exit status of a scan into a foreign SQLite database"
assert_match 'not a wcindex database' "$ERR" "message of a scan into a foreign database"
assert_eq "mine" "$("$PYTHON3" -c 'import sqlite3, sys; print(" ".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT name FROM sqlite_schema")))' "$TMP/other.db")" \
	"tables of the foreign database after the scan"
# Names reach stderr (terminals, cron mail) escaped: no ESC, BEL, CR, LF
# or C1 byte of a hostile name gets through; valid UTF-8 does.
EVIL=$'evil\e]0;pwned\a\e[2J\nline2\r\xc2\x9b\xff-\xc3\xa9'
mkdir "$TMP/esc"
printf '\037\213\010\000broken gzip' >"$TMP/esc/$EVIL.txt.gz"
run "$W" --db "$TMP/esc.db" scan -q "$TMP/esc"
assert_eq 1 "$RC" "exit status of a scan with a damaged file"
cp "$TMP/.err" "$TMP/esc.err"
run "$W" --db "$TMP/esc.db" scan -q "$TMP/esc/$EVIL-missing"
assert_eq 2 "$RC" "exit status of a scan of a missing root"
cat "$TMP/.err" >>"$TMP/esc.err"
assert_eq 0 "$(LC_ALL=C grep -c $'[\x01-\x09\x0b-\x1f\x7f\x9b]' "$TMP/esc.err")" "control bytes on stderr"
assert_eq 2 "$(LC_ALL=C grep -cF 'evil\e]0;pwned\007\e[2J\nline2\r\302\233\377-'$'\xc3\xa9' "$TMP/esc.err")" \
	"escaped names on stderr (the damaged file, the missing root)"
DB=$TMP/esc.db
assert_eq 1 "$(q "SELECT count(*) FROM files WHERE path = '$TMP/esc/' || CAST(x'$(printf '%s' "$EVIL" | od -An -tx1 | tr -d ' \n')' AS TEXT) || '.txt.gz' AND status = 'error'")" \
	"the damaged file's row, under its exact name"

# ================================== sql: -f FILE, standard input, comments
Q=$TMP/q.sql
printf -- '-- the files, counted\nSELECT count(*) AS n FROM files;\n' >"$Q"
want=$(q "SELECT count(*) FROM files")
for form in "-f $Q" "--file=$Q" "-f -" "-"; do
	# shellcheck disable=SC2086
	OUT=$("$WCINDEX" --db "$DB" sql --csv $form <"$Q" 2>"$TMP/.err") ||
		fail "wcindex sql $form exited $?: $(cat "$TMP/.err")"
	assert_eq "n,$want" "$(printf '%s\n' "$OUT" | tr '\n' ',' | sed 's/,$//')" "wcindex sql $form"
done
# a text that starts with a comment is SQL, not an option
OUT=$("$WCINDEX" --db "$DB" sql --csv "$(cat "$Q")") || fail "sql with a leading comment failed"
assert_eq "n,$want" "$(printf '%s\n' "$OUT" | tr '\n' ',' | sed 's/,$//')" "sql text starting with --"
OUT=$("$WCINDEX" --db "$DB" sql "$(cat "$TEST_SRCDIR/../examples/queries.sql")") ||
	fail "wcindex sql \"\$(cat examples/queries.sql)\" failed"
usage_error sql -f "$Q" "SELECT 1"
assert_match "^wcindex: sql takes -f FILE or a QUERY, not both" "$ERR" "-f and a QUERY"
run "$WCINDEX" --db "$DB" sql -f "$TMP/no-such.sql"
assert_eq 2 "$RC" "exit status of sql -f with no such file"
assert_match "cannot open '.*no-such.sql'" "$ERR" "sql -f with no such file"
pass "done"
