#!/bin/bash
# docs-examples.sh - every example of the documentation runs as written.
#
# tests/docs-examples.py takes the example commands out of README.md (its
# ```sh blocks), man/wcindex.1 (its .nf/.EX blocks) and the statements of
# examples/queries.sql, so that a new example is run without editing this
# test.  They run here against a real index of a copy of examples/ at
# ~/docs (HOME is the test's), with `wcindex` the built binary on PATH and
# WCINDEX_DB the test's database, and the documented placeholder paths
# (/srv/docs, ...) put in the test's place.  An example fails the test when
# it exits non-zero (1 is allowed where the example says "exits 1") or
# prints an SQL error.  The output the man page shows after a `$ ` prompt
# is compared, its first line, with version numbers taken loosely.  Then
# a few results are checked for content: the SQL that adds up the words
# below a directory gives what `wcindex total DIR` gives, and README's
# sqlite3 sum is the words of `wcindex total`.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

TOP=$TEST_SRCDIR/..
for f in README.md man/wcindex.1 examples/queries.sql; do
	[ -f "$TOP/$f" ] || fail "no $f in the source tree '$TOP'"
done

# What cannot run in a test: a command matching one of these (extended
# regular expressions) is skipped, with its reason.  Keep it short.
SKIP_RE=(
	'(^|[;&|(] *)sudo '			# needs root
	'apt-get|apt |dpkg '			# installs packages
	'systemctl|crontab '			# changes the system's services
	'make (install|bench)'			# installs, or runs for minutes
)
SKIP_WHY=(
	"needs root"
	"installs packages"
	"changes the system's services"
	"installs, or runs for minutes"
)

# ------------------------------------------------------------ the trees
# ~/docs: examples/ as shipped, plus what the examples name and an archive
# and a link inside it, so that the sums show whether they leave out what
# total leaves out (examples/ itself has no archive).
DOCS=$HOME/docs
cp -R "$TOP/examples" "$DOCS"
chmod -R u+w "$DOCS"
mkdir -p "$DOCS/reports" "$DOCS/letters"
cp "$DOCS/notes/"*.txt "$DOCS/reports/"
cp "$DOCS/literature/"* "$DOCS/letters/"
"$PYTHON3" - "$DOCS/reports/old-reports.tar.gz" <<'EOF'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    for name, text in (("q1.txt", b"first quarter: twelve words of a report that nobody ever reads\n"),
                       ("q2.txt", b"second quarter\nsame as the first\n")):
        info = tarfile.TarInfo(name)
        info.size = len(text)
        t.addfile(info, io.BytesIO(text))
    link = tarfile.TarInfo("latest.txt")
    link.type = tarfile.SYMTYPE
    link.linkname = "q2.txt"
    t.addfile(link)
EOF
# /srv/archive: a second root; ~/src: a source tree to exclude things from
cp -R "$TOP/examples/literature" "$HOME/archive"
cp -R "$TOP/examples/src" "$HOME/src"
mkdir -p "$HOME/src/.git" "$HOME/src/build"
echo "build output" >"$HOME/src/build/out.txt"
echo "a log line" >"$HOME/src/make.log"
chmod -R u+w "$HOME/archive" "$HOME/src"

# The examples' places for the documented ones.
SUBST=(
	"/srv/docs=$DOCS"
	"/srv/archive=$HOME/archive"
	"examples/queries.sql=$DOCS/queries.sql"
)

mkdir -p "$TMP/bin"
ln -s "$WCINDEX" "$TMP/bin/wcindex"
export PATH="$TMP/bin:$PATH" WCINDEX_DB="$DB"
HAVE_SQLITE3=1
command -v sqlite3 >/dev/null 2>&1 || HAVE_SQLITE3=

# The index the examples read: ~/docs, as a user would have it.
wci scan -q "$DOCS" || fail "cannot scan the copy of examples/"
for host in web1 web2 db1; do	# the copies of "Several hosts"
	wci backup "$DOCS/$host.db" || fail "wcindex backup $host.db"
done

EX=$TMP/examples
"$PYTHON3" "$TEST_SRCDIR/docs-examples.py" extract "$EX" \
	"$TOP/README.md" "$TOP/man/wcindex.1" "$TOP/examples/queries.sql" \
	"${SUBST[@]}" || fail "cannot extract the examples"

# run_example N: run example N in ~/docs; its output in $EX/N.out, .err
run_example () {
	(cd "$DOCS" && timeout 120 bash -o pipefail "$EX/$1.sh" \
		</dev/null >"$EX/$1.out" 2>"$EX/$1.err")
}

declare -A RAN SKIPPED
ran=0
while IFS=$'\t' read -r n src line ok; do
	where="$src:$line"
	cmd=$(cat "$EX/$n.sh")
	why=
	for i in "${!SKIP_RE[@]}"; do
		if grep -Eq -- "${SKIP_RE[$i]}" "$EX/$n.sh"; then
			why=${SKIP_WHY[$i]}
			break
		fi
	done
	if [ -z "$why" ] && [ -z "$HAVE_SQLITE3" ] && grep -Eq '(^|[|;&] *)sqlite3 ' "$EX/$n.sh"; then
		why="the sqlite3 shell is not installed"
	fi
	if [ -n "$why" ]; then
		note "skipped $where ($why): $(head -n 1 "$EX/$n.sh")"
		SKIPPED[$src]=$((${SKIPPED[$src]:-0} + 1))
		continue
	fi
	rc=0; run_example "$n" || rc=$?
	RAN[$src]=$((${RAN[$src]:-0} + 1))
	ran=$((ran + 1))
	case ",$ok," in
	*",$rc,"*) ;;
	*)	soft fail "$where: exit status $rc (expected $ok) of: $cmd
$(head -n 20 "$EX/$n.err")"
		continue ;;
	esac
	if grep -Eq '^(Parse error|Runtime error|Error)|SQL error|no such (table|column|function)|syntax error' "$EX/$n.err"; then
		soft fail "$where: an SQL error from: $cmd
$(head -n 20 "$EX/$n.err")"
	fi
	if [ -f "$EX/$n.expect" ] &&
	   ! out=$("$PYTHON3" "$TEST_SRCDIR/docs-examples.py" match "$EX/$n.expect" "$EX/$n.out"); then
		soft fail "$where: the output shown is not what '$cmd' prints: $out"
	fi
done <"$EX/list"

for src in README.md wcindex.1 queries.sql; do
	note "$src: ${RAN[$src]:-0} examples run, ${SKIPPED[$src]:-0} skipped"
done
note "$ran examples run in all"
# The extraction must not break silently: each document has many examples.
[ "$ran" -ge 20 ] || fail "only $ran examples found: is the extraction broken?"
[ "${RAN[README.md]:-0}" -ge 8 ] || fail "only ${RAN[README.md]:-0} examples of README.md"
[ "${RAN[wcindex.1]:-0}" -ge 10 ] || fail "only ${RAN[wcindex.1]:-0} examples of wcindex.1"
[ "${RAN[queries.sql]:-0}" -ge 5 ] || fail "only ${RAN[queries.sql]:-0} statements of queries.sql"

# ------------------------------------------------------------ contents
# find_example SOURCE ERE...: the number of the first example of SOURCE
# whose text matches every ERE
find_example () {
	local src=$1 n s line ok re hit
	shift
	while IFS=$'\t' read -r n s line ok; do
		[ "$s" = "$src" ] || continue
		hit=1
		for re in "$@"; do
			grep -Eq -- "$re" "$EX/$n.sh" || { hit=; break; }
		done
		if [ -n "$hit" ]; then
			echo "$n"
			return 0
		fi
	done <"$EX/list"
	return 1
}

# An archive and a link are in the index, so that the sums below show it.
wci scan -q "$DOCS" || fail "rescan of ~/docs"
assert_eq "2|1" "$(q "SELECT sum(member != '' AND NOT link), sum(link) FROM files WHERE name = 'old-reports.tar.gz'" | tr , '|')" \
	"members and links of the test's archive"

# total DIR: lines words chars bytes files path
read -r _ t_words _ _ t_files _ < <(wci total "$DOCS")

# man: "Words below one directory" is what total DIR prints
n=$(find_example wcindex.1 'count\(\*\), sum\(words\)' "path >= '$DOCS/'") ||
	fail "no example of wcindex.1 sums the words below a directory"
run_example "$n" || fail "example $n (words below a directory) failed"
assert_eq "$t_files $t_words" "$(tail -n 1 "$EX/$n.out" | awk '{print $1, $2}')" \
	"wcindex.1's words below a directory (files words) against 'wcindex total DIR'"

# README: the sqlite3 sum is the words of wcindex total (its last line is
# the total of every root)
n=$(find_example README.md '^sqlite3 ' 'sum\(words\)') ||
	fail "no sqlite3 sum(words) example in README.md"
if [ -n "$HAVE_SQLITE3" ]; then
	run_example "$n" || fail "README's sqlite3 sum failed"
	all_words=$(wci total | tail -n 1 | awk '{print $2}')
	assert_eq "$all_words" "$(tail -n 1 "$EX/$n.out")" \
		"README's sqlite3 sum(words) against 'wcindex total'"
else
	note "sqlite3 not installed: README's sum not compared"
fi

pass "$ran examples of README.md, wcindex.1 and queries.sql ran"
