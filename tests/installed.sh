#!/bin/sh
# installed.sh - what `make install` put in place (run by `make
# installcheck`, hence by distcheck): the example queries and the
# scheduling files in pkgdatadir, the scheduling files naming the installed
# program rather than the /usr/local/bin of the examples, and the shell
# completions where bash-completion and zsh look for them.
#
# usage: installed.sh DESTDIR BINDIR PKGDATADIR BASHCOMPDIR ZSHCOMPDIR
# (an empty completion directory: that completion is not installed)
set -u

if [ $# -ne 5 ]; then
	echo "usage: installed.sh DESTDIR BINDIR PKGDATADIR BASHCOMPDIR ZSHCOMPDIR" >&2
	exit 2
fi
dest=$1 bindir=$2 pkgdatadir=$3 bashdir=$4 zshdir=$5
failures=0

fail () {
	echo "installed.sh: FAIL: $*" >&2
	failures=$((failures + 1))
}

present () {
	[ -s "$dest$1" ] || fail "'$dest$1' is not installed"
}

present "$bindir/wcindex"
present "$pkgdatadir/queries.sql"
sched=$pkgdatadir/scheduling
for f in wcindex-scan.service wcindex-scan.timer wcindex.crontab; do
	present "$sched/$f"
done
grep -q "^ExecStart=$bindir/wcindex scan " "$dest$sched/wcindex-scan.service" ||
	fail "wcindex-scan.service does not start '$bindir/wcindex'"
grep -q "^PATH=$bindir:" "$dest$sched/wcindex.crontab" ||
	fail "wcindex.crontab does not put '$bindir' in PATH"
if [ "$bindir" != /usr/local/bin ] &&
   grep -l /usr/local/bin "$dest$sched"/* >/dev/null 2>&1; then
	fail "scheduling files still name /usr/local/bin: $(grep -l /usr/local/bin "$dest$sched"/*)"
fi
[ -z "$bashdir" ] || present "$bashdir/wcindex"
[ -z "$zshdir" ] || present "$zshdir/_wcindex"

if [ "$failures" -gt 0 ]; then
	exit 1
fi
echo "installed.sh: ok: $dest$pkgdatadir and the completions"
