#!/bin/bash
# small-files.sh: first scan and unchanged rescan of a tree of small files,
# next to the baselines measured in the same run (medians of REPS runs, page
# cache warm).  Prints a table with ratios.
#
# usage: bench/small-files.sh [TREE]   (env: WCINDEX, FILES=100000, REPS=5)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
WCINDEX=${WCINDEX:-$here/../wcindex}
FILES=${FILES:-100000}
REPS=${REPS:-5}
TREE=${1:-${TMPDIR:-/tmp}/wcindex-bench-$FILES}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -e "$TREE/.complete" ]; then
	echo "generating $FILES files in $TREE ..." >&2
	rm -rf "$TREE"
	python3 "$here/gen-small-files.py" "$TREE" --files "$FILES" --dirs 100
	touch -d '-1 hour' "$TREE/.complete"
fi

. "$here/lib.sh"

first_scan() {
	rm -f "$work"/db "$work"/db-wal "$work"/db-shm
	"$WCINDEX" --db "$work/db" scan -q "$TREE"
}

time_cmd cat    sh -c "find '$TREE' -type f -print0 | xargs -0 cat"
time_cmd stat   find "$TREE" -type f -printf '%s %T@\n'
time_cmd first  first_scan
first_scan
time_cmd rescan "$WCINDEX" --db "$work/db" scan -q "$TREE"

bytes=$(du -sb --apparent-size "$TREE" | cut -f1)
dbsize=$(stat -c %s "$work/db")
printf '%s files, %s bytes, %s cores, median of %s runs\n' \
	"$FILES" "$bytes" "$(nproc)" "$REPS"
printf '%-44s %9s %8s\n' "command" "seconds" "ratio"
row() { awk -v n="$1" -v a="${median[$2]}" -v b="${median[$3]}" \
	'BEGIN { printf "%-44s %9.3f %8.2f\n", n, a, a / b }'; }
row "find | xargs cat (read floor, baseline)" cat cat
row "wcindex scan, first (vs cat)" first cat
row "find -printf '%s %T@' (stat walk, baseline)" stat stat
row "wcindex scan, unchanged rescan (vs stat)" rescan stat
awk -v d="$dbsize" -v f="$FILES" \
	'BEGIN { printf "database: %d bytes (%.0f bytes/file)\n", d, d / f }'
