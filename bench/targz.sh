#!/bin/bash
# targz.sh: counting the documents inside a .tar.gz of text, next to the
# baselines measured in the same run (medians of REPS runs, cache warm):
# `zcat` (decompression alone) and `tar -xOzf | wc -w` (what people do).
#
# usage: bench/targz.sh [ARCHIVE]   (env: WCINDEX, MB=200, REPS=3)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
WCINDEX=${WCINDEX:-$here/../wcindex}
MB=${MB:-200}
REPS=${REPS:-3}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ARCHIVE=${1:-${TMPDIR:-/tmp}/wcindex-bench-$MB.tar.gz}

if [ ! -s "$ARCHIVE" ]; then
	echo "generating $MB MB of text into $ARCHIVE ..." >&2
	tree=$work/tree
	python3 "$here/gen-small-files.py" "$tree" --files $((MB * 1024 / 5)) --dirs 20
	tar -C "$tree" -czf "$ARCHIVE" .
	rm -rf "$tree"
fi
mkdir -p "$work/root"
ln "$ARCHIVE" "$work/root/x.tar.gz" 2>/dev/null || cp "$ARCHIVE" "$work/root/x.tar.gz"

. "$here/lib.sh"
scan() {
	rm -f "$work"/db "$work"/db-wal "$work"/db-shm
	"$WCINDEX" --db "$work/db" scan -q "$work/root"
}

time_cmd zcat  sh -c "zcat '$ARCHIVE'"
time_cmd tarwc sh -c "tar -xOzf '$ARCHIVE' | wc -w"
time_cmd scan  scan
scan
raw=$(zcat "$ARCHIVE" | wc -c)
members=$("$WCINDEX" --db "$work/db" sql --csv "SELECT count(*) FROM files WHERE member != ''" | sed 1d)
printf '%s: %s bytes compressed, %s bytes of tar, %s members; median of %s runs\n' \
	"$(basename "$ARCHIVE")" "$(stat -c %s "$ARCHIVE")" "$raw" "$members" "$REPS"
printf '%-40s %9s %8s %10s\n' "command" "seconds" "vs zcat" "MB/s (tar)"
row() { awk -v n="$1" -v a="${median[$2]}" -v z="${median[zcat]}" -v r="$raw" \
	'BEGIN { printf "%-40s %9.3f %8.2f %10.1f\n", n, a, a / z, r / a / 1e6 }'; }
row "zcat X >/dev/null" zcat
row "tar -xOzf X | wc -w" tarwc
row "wcindex scan (every member counted)" scan
