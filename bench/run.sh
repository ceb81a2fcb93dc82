#!/bin/bash
# run.sh: the benchmark harness of wcindex, run by `make bench` (not by
# `make check`).  It generates deterministic corpora (once: they are kept in
# BENCH_DIR and reused while their stamp matches), then for each corpus
# times, in the same run, with a warm-up run and the median of several runs
# on a warm page cache, the baselines (cat, the read floor, wc -w in the C
# and UTF-8 locales, find | xargs -P wc -w, the Python pool wcindex descends
# from, a find -printf stat walk) and wcindex (first scan, unchanged rescan,
# rescan after 1% of the files changed).  It prints Markdown tables with
# ratios and the targets of the project, peak RSS and database size, and
# writes them with a description of the machine to RESULTS.
#
# Corpora (CORPORA, default "big small tree utf8 targz"):
#   big    one text file of BIG bytes (default 1 GiB), ASCII words
#   small  FILES files of 1-8 KiB in FILES/1000 directories (FILES may list
#          several counts: FILES="100000 1000000" runs both and compares)
#   tree   TREE_FILES (40000) files shaped like an unpacked source tree:
#          directories 2-8 deep, most of 3-40 files, sizes 300 B-300 KiB
#          (mean about 17 KB)
#   utf8   UTF8_FILES (2000) files, UTF8_BYTES (200 MB) in all, of mixed
#          scripts, Unicode spaces and some invalid bytes
#   targz  the utf8 corpus as one .tar.gz: wcindex counts every member
#   docs   DOCS (100) documents of each of docx, odt, epub, html and pdf,
#          document i of every format holding the same text (about 2,500
#          words), against the field's converters (pandoc, odt2txt,
#          pdftotext) run over the same files with xargs -P and wc -w
#
# Environment (set by `make bench` from the make variables of the same
# names): WCINDEX, BENCH_BIN (the directory of readfloor, rss, gencorpus
# and, when it was built, kernel), PYTHON3, FILES, BIG, REPS (5), SLOW_REPS
# (3, for wc, xargs, Python and tar), CORPORA, BENCH_DIR (default
# ${TMPDIR:-/tmp}/wcindex-bench), RESULTS (default bench/RESULTS.md next to
# this script), KERNEL_ARGS (arguments of bench/kernel), CC, CFLAGS (only
# reported), TREE_FILES, PAIRS (7: the pairs of the paired ratios, A B A B
# ..., the way to compare on a shared machine), COLD (1: also the cold
# cache ratios, each run after `sync; echo 3 > /proc/sys/vm/drop_caches`,
# which needs root; COLD_PAIRS, 3, pairs each).
# shellcheck disable=SC2016 # the sh -c scripts read their own "$1"
set -euo pipefail
export LC_ALL=C		# decimal points of awk, sort and EPOCHREALTIME
unset WCINDEX_DB WCINDEX_TEST_FAULT WCINDEX_TEST_RACY_MARGIN_MS XDG_DATA_HOME

here=$(cd "$(dirname "$0")" && pwd)
WCINDEX=${WCINDEX:-$PWD/wcindex}
BENCH_BIN=${BENCH_BIN:-$(dirname "$WCINDEX")/bench}
PYTHON3=${PYTHON3:-python3}
[ "$PYTHON3" != none ] || PYTHON3=python3
FILES=${FILES:-100000}
BIG=${BIG:-1073741824}
REPS=${REPS:-5}
SLOW_REPS=${SLOW_REPS:-3}
CORPORA=${CORPORA:-big small tree utf8 targz docs}
DOCS=${DOCS:-100}
TREE_FILES=${TREE_FILES:-40000}
PAIRS=${PAIRS:-7}
COLD=${COLD:-0}
COLD_PAIRS=${COLD_PAIRS:-3}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/wcindex-bench}
RESULTS=${RESULTS:-$here/RESULTS.md}
UTF8_FILES=${UTF8_FILES:-2000}
UTF8_BYTES=${UTF8_BYTES:-200000000}
KERNEL_ARGS=${KERNEL_ARGS:-}
NPROC=$(nproc)
RSS=$BENCH_BIN/rss
GEN=$BENCH_BIN/gencorpus
READFLOOR=$BENCH_BIN/readfloor

die() { echo "bench: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }

for p in "$WCINDEX" "$RSS" "$GEN" "$READFLOOR"; do
	[ -x "$p" ] || die "$p not built (run \`make bench\`)"
done
command -v "$PYTHON3" >/dev/null || die "python3 not found"
for c in $CORPORA; do
	case $c in big|small|tree|utf8|targz|docs) ;; *) die "unknown corpus '$c' (big small tree utf8 targz docs)" ;; esac
done

# The UTF-8 locale for wc: C.UTF-8 when it exists.
UTF8_LOCALE=
for l in C.UTF-8 C.utf8 en_US.UTF-8 en_US.utf8; do
	if locale -a 2>/dev/null | grep -qx "$l"; then UTF8_LOCALE=$l; break; fi
done
[ -n "$UTF8_LOCALE" ] || UTF8_LOCALE=C.UTF-8	# wc falls back to C: noted below

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd -P)
work=$(mktemp -d "$BENCH_DIR/work.XXXXXX")
DB=$work/index.db
dirty_list=

# shellcheck source=bench/lib.sh
. "$here/lib.sh"

cleanup() {
	if [ -n "$dirty_list" ]; then
		note "restoring the files changed by the 1% rescans"
		"$PYTHON3" "$here/mutate.py" restore "$dirty_list" >/dev/null &&
			rm -f "$dirty_list.dirty"
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# -------------------------------------------------------------- corpora ----

# The racy rule of wcindex: a file whose ctime is within 2 s of the start of
# a scan is counted again by the next scan.  Every change to a corpus sets
# last_mod; settle waits until it is 2.2 s old, so that the scan that follows
# leaves no file racy and an unchanged rescan after it is really unchanged.
last_mod=0
touched() { last_mod=$EPOCHREALTIME; }
settle() {
	local w
	w=$(awk -v l="$last_mod" -v n="$EPOCHREALTIME" 'BEGIN { w = l + 2.2 - n; printf "%.3f", (w > 0 ? w : 0) }')
	[ "$w" = 0.000 ] || sleep "$w"
}

gen_sum=$(cksum <"$here/gencorpus.c")
gen_sum=${gen_sum%% *}

# ensure NAME STAMP-TEXT GENERATE-COMMAND...: generate $BENCH_DIR/NAME
# unless $BENCH_DIR/NAME.stamp holds STAMP-TEXT; restore it if a previous
# run was interrupted while files were changed.
ensure() {
	local name=$1 stamp="$2 gencorpus=$gen_sum"
	shift 2
	if [ -e "$BENCH_DIR/$name" ] && [ "$(cat "$BENCH_DIR/$name.stamp" 2>/dev/null)" = "$stamp" ]; then
		if [ -e "$BENCH_DIR/$name.list.dirty" ]; then
			note "$name: restoring files changed by an interrupted run"
			"$PYTHON3" "$here/mutate.py" restore "$BENCH_DIR/$name.list" >/dev/null
			rm -f "$BENCH_DIR/$name.list.dirty"
			touched
		fi
		return 0
	fi
	note "$name: generating ($stamp)"
	rm -rf "${BENCH_DIR:?}/$name" "$BENCH_DIR/$name".*
	local t0=$EPOCHREALTIME
	"$@"
	printf '%s\n' "$stamp" >"$BENCH_DIR/$name.stamp"
	note "$name: generated in $(awk -v a="$t0" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }') s"
	touched
}

gen_big() { mkdir -p "$BENCH_DIR/$1" && "$GEN" big "$BENCH_DIR/$1/big.txt" "$BIG" 1; }
gen_small() { "$GEN" small "$BENCH_DIR/$1" "$2" "$3" "$BENCH_DIR/$1.list" 1; }
gen_utf8() { "$GEN" utf8 "$BENCH_DIR/$1" "$UTF8_FILES" "$UTF8_BYTES" "$BENCH_DIR/$1.list" 1; }
gen_tree() { "$GEN" tree "$BENCH_DIR/$1" "$2" "$BENCH_DIR/$1.list" 1; }
gen_targz() {
	mkdir -p "$BENCH_DIR/$1"
	tar -C "$BENCH_DIR/utf8" --sort=name --mtime=@1700000000 --owner=0 \
		--group=0 --numeric-owner -cf - . | gzip -n -6 >"$BENCH_DIR/$1/utf8.tar.gz"
	touch -d @1700000000 "$BENCH_DIR/$1/utf8.tar.gz"
}

# ------------------------------------------------------------- measuring ----

fresh_db() { rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.lock"; }
db_bytes() {	# the database and its write-ahead log
	local f n=0
	for f in "$DB" "$DB-wal"; do
		[ ! -e "$f" ] || n=$((n + $(stat -c %s "$f")))
	done
	echo "$n"
}
q() { "$WCINDEX" --db "$DB" sql --csv "$1" | sed 1d; }
scan_id() { q "SELECT coalesce(max(id), 0) FROM scans"; }

# the prep of the 1% rescan: change 1% of the files (a different 1% on every
# run), then wait for the racy margin
mut_list=
mut_expect=
mutate() {
	: >"$mut_list.dirty"
	dirty_list=$mut_list
	mut_expect+=" $("$PYTHON3" "$here/mutate.py" apply "$mut_list" "$1")"
	touched
	settle
}
restore() {
	local n
	n=$("$PYTHON3" "$here/mutate.py" restore "$mut_list")
	rm -f "$mut_list.dirty"
	dirty_list=
	touched
	echo "$n"
}

out_words() {	# the sum of the counts of wc -w or pool.py output
	[ -s "$work/out.$1" ] || return 0
	awk '$2 != "total" { s += $1 } END { printf "%.0f\n", s }' "$work/out.$1"
}

sections=$work/sections.md
targets=$work/targets.md
paired=$work/paired.md
rsstab=$work/rss.md
checks=$work/checks.md
: >"$sections"; : >"$targets"; : >"$rsstab"; : >"$checks"; : >"$paired"

# target NAME VALUE OP LIMIT: a row of the targets table (OP "info": a
# value shown next to the targets, with no target of its own)
target() {
	local r
	if [ "$3" = info ]; then
		row "$CORPUS_TITLE" "$1" "$2" "(none)" "-" >>"$targets"
		return 0
	fi
	r=$(cmp_ok "$2" "$3" "$4")
	row "$CORPUS_TITLE" "$1" "$2" "$3 $4" "**$r**" >>"$targets"
	[ "$r" != FAIL ] || note "target missed: $CORPUS_TITLE: $1: $2 (want $3 $4)"
}
check() {	# check WHAT OK(0/1) DETAIL
	local s=ok
	[ "$2" = 1 ] || { s="**MISMATCH**"; note "check failed: $CORPUS_TITLE: $1: $3"; }
	row "$CORPUS_TITLE" "$1" "$s" "$3" >>"$checks"
}

# wcindex rows shared by every corpus: first scan (from an empty database,
# REPS runs; the last one is kept as the base of the rescans), unchanged
# rescan, and with a list, the 1% rescan.  Sets WORDS_WCINDEX.
scan_rows() {
	local root=$1 list=${2:-} nfiles=$3 id
	settle
	time_cmd -p fresh_db first "$REPS" "wcindex scan (first)" \
		"$WCINDEX" --db "$DB" scan -q --no-progress "$root"
	have first || return 0
	DBBYTES=$(db_bytes)
	WORDS_WCINDEX=$(q "SELECT sum(words) FROM files")
	check "first scan counted every file" \
		"$([ "$(q "SELECT files_new FROM last_scan")" = "$nfiles" ] && echo 1)" \
		"$(q "SELECT files_new FROM last_scan") new, $(q "SELECT files_failed FROM last_scan") failed; $nfiles expected"
	id=$(scan_id)
	time_cmd rescan "$REPS" "wcindex scan (unchanged rescan)" \
		"$WCINDEX" --db "$DB" scan -q --no-progress "$root"
	local recounted
	recounted=$(q "SELECT coalesce(sum(files_new + files_changed + files_deleted), 0) FROM scans WHERE id > $id")
	check "unchanged rescans recounted nothing" "$([ "$recounted" = 0 ] && echo 1)" \
		"$recounted files recounted in $((REPS + 1)) rescans"
	[ -n "$list" ] || return 0
	mut_list=$list mut_expect=
	id=$(scan_id)
	time_cmd -p mutate rescan1 "$REPS" "wcindex scan (1% changed)" \
		"$WCINDEX" --db "$DB" scan -q --no-progress "$root"
	local got want
	got=$(q "SELECT group_concat(files_changed + files_new, ' ') FROM (SELECT * FROM scans WHERE id > $id ORDER BY id)")
	want=${mut_expect# }
	check "1% rescans recounted the changed files" "$([ "$got" = "$want" ] && echo 1)" \
		"recounted: $got; changed: $want"
	restore >/dev/null
}

# section TITLE BASEKEY BASENAME BYTES KEY...: the timing table of a corpus
section() {
	local title=$1 base=$2 bname=$3 bytes=$4 k
	shift 4
	{
		printf '\n### %s\n\n%s bytes; ratios: median / median of %s.\n\n' "$title" "$bytes" "$bname"
		row "command" "median s" "MB/s" "ratio" "peak RSS MiB" "runs"
		row "---" "--:" "--:" "--:" "--:" "--:"
		for k in "$@"; do timing_row "$k" "$base" "$bname" "$bytes"; done
	} >>"$sections"
}

rss_row() {	# rss_row FILES
	have first || return 0
	local r1=- r2=-
	have rescan && r1=$(mib "${KIB[rescan]}")
	have rescan1 && r2=$(mib "${KIB[rescan1]}")
	row "$CORPUS_TITLE" "$1" "$(mib "${KIB[first]}")" "$r1" "$r2" \
		"$DBBYTES" "$(div "$DBBYTES" "$1" '%.0f')" >>"$rsstab"
}

reset_keys() { T=(); KIB=(); NRUN=(); FAILED=(); LABEL=(); DBBYTES=; WORDS_WCINDEX=; }

# ---------------------------------------------------------------- corpora ----

# ---------------------------------------------------------- paired ----

PDB=$work/pair.db
pair_fresh() { rm -f "$PDB" "$PDB-wal" "$PDB-shm" "$PDB.lock"; }
pair_scan() { "$WCINDEX" --db "$PDB" scan -q --no-progress "$@"; }

# Dropping the caches needs root; without it the cold rows say why.
can_drop=
if [ "$COLD" = 1 ]; then
	if [ -w /proc/sys/vm/drop_caches ]; then
		can_drop=1
	else
		note "COLD=1: /proc/sys/vm/drop_caches is not writable (not root): no cold runs"
	fi
fi
drop_caches() { sync; echo 3 >/proc/sys/vm/drop_caches; }
cold_fresh() { pair_fresh; drop_caches; }

# 16 find(1)s side by side, one per top-level directory (of $1)
find16() {
	find "$1" -mindepth 1 -maxdepth 1 -type d -print0 |
		xargs -0 -n 1 -P16 sh -c 'exec find "$1" -type f -printf "%s %T@\n"' sh
}

# paired_tree DIR: the paired ratios of the targets of a tree of files
paired_tree() {
	local dir=$1
	pair_ratio "$CORPUS_TITLE: first scan / read floor" "$PAIRS" pair_fresh : \
		"$WCINDEX" --db "$PDB" scan -q --no-progress "$dir" -- "$READFLOOR" "$dir"
	# an index that is up to date and not racy, for the rescans
	pair_fresh; pair_scan "$dir"; touched; settle; pair_scan "$dir"
	pair_ratio "$CORPUS_TITLE: unchanged rescan / find -printf" "$PAIRS" : : \
		"$WCINDEX" --db "$PDB" scan -q --no-progress "$dir" -- \
		find "$dir" -type f -printf '%s %T@\n'
	pair_row "$CORPUS_TITLE" "$CORPUS_TITLE: first scan / read floor" "<=" 1.0 >>"$paired"
	pair_row "$CORPUS_TITLE" "$CORPUS_TITLE: unchanged rescan / find -printf" "<=" 0.75 >>"$paired"
	[ -n "$can_drop" ] || return 0
	pair_ratio "$CORPUS_TITLE: cold first scan / find | xargs -P16 cat" "$COLD_PAIRS" \
		cold_fresh drop_caches \
		"$WCINDEX" --db "$PDB" scan -q --no-progress "$dir" -- \
		sh -c 'find "$1" -type f -print0 | xargs -0 -n 200 -P16 cat >/dev/null' sh "$dir"
	pair_fresh; pair_scan "$dir"; touched; settle; pair_scan "$dir"
	pair_ratio "$CORPUS_TITLE: cold unchanged rescan / 16 finds" "$COLD_PAIRS" \
		drop_caches drop_caches \
		"$WCINDEX" --db "$PDB" scan -q --no-progress "$dir" -- \
		bash -c "$(declare -f find16); find16 \"\$1\"" bash "$dir"
	pair_row "$CORPUS_TITLE" "$CORPUS_TITLE: cold first scan / find | xargs -P16 cat" "<=" 1.1 >>"$paired"
	pair_row "$CORPUS_TITLE" "$CORPUS_TITLE: cold unchanged rescan / 16 finds" "<=" 1.2 >>"$paired"
}

bench_big() {
	local name=big-$BIG f
	ensure "$name" "big bytes=$BIG seed=1" gen_big "$name"
	f=$BENCH_DIR/$name/big.txt
	CORPUS_TITLE="big: one file of $BIG bytes"
	note "$CORPUS_TITLE"
	reset_keys
	time_cmd cat "$REPS" "cat FILE" cat "$f"
	time_cmd readfloor "$REPS" "readfloor FILE (read floor)" "$READFLOOR" "$f"
	time_cmd -c wc_c "$SLOW_REPS" "LC_ALL=C wc -w FILE" env LC_ALL=C wc -w "$f"
	time_cmd -c wc_u "$SLOW_REPS" "LC_ALL=$UTF8_LOCALE wc -w FILE" env LC_ALL="$UTF8_LOCALE" wc -w "$f"
	# Python holds every word as an object: about 14 bytes of memory a byte
	local avail need
	avail=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
	need=$((BIG * 15 / 1024))
	if [ "$avail" -ge "$need" ]; then
		time_cmd -n -c pool 1 "Python pool ($NPROC processes, 1 run)" \
			"$PYTHON3" "$here/pool.py" "$f"
	else
		LABEL[pool]="Python pool"
		FAILED[pool]="skipped: needs about $((need / 1048576)) GiB, $((avail / 1048576)) GiB available"
		note "Python pool ${FAILED[pool]}"
	fi
	scan_rows "$BENCH_DIR/$name" "" 1
	pair_ratio "$CORPUS_TITLE: first scan / cat" "$PAIRS" pair_fresh : \
		"$WCINDEX" --db "$PDB" scan -q --no-progress "$BENCH_DIR/$name" -- cat "$f"
	pair_row "$CORPUS_TITLE" "$CORPUS_TITLE: first scan / cat" "<=" 1.0 >>"$paired"
	section "$CORPUS_TITLE" cat cat "$BIG" cat readfloor wc_c wc_u pool first rescan
	local first=${T[first]:-}
	target "first scan / cat" "$(div "$first" "${T[cat]:-}")" "<=" 1.5
	target "wc -w ($UTF8_LOCALE) / first scan" "$(div "${T[wc_u]:-}" "$first" '%.1f')" ">=" 25
	target "wc -w (C) / first scan" "$(div "${T[wc_c]:-}" "$first" '%.1f')" info
	words_checks wc_u
	rss_row 1
}

# words_checks WCKEY: wcindex's words against Python's (the definition) and
# against wc -w (equal on these corpora: printable text, ASCII spaces only)
words_checks() {
	local w=${WORDS_WCINDEX:-} p wc
	[ -n "$w" ] || return 0
	p=$(out_words pool)
	if [ -n "$p" ]; then
		check "words: wcindex = Python" "$([ "$w" = "$p" ] && echo 1)" "wcindex $w, Python $p"
	fi
	if [ -n "${1:-}" ] && wc=$(out_words "$1") && [ -n "$wc" ]; then
		check "words: wcindex = wc -w ($UTF8_LOCALE)" "$([ "$w" = "$wc" ] && echo 1)" "wcindex $w, wc $wc"
	fi
}

# bench_tree NAME TITLE NFILES [WCCHECK]: the corpus of many files
bench_tree() {
	local name=$1 dir=$BENCH_DIR/$1 nfiles=$3 bytes
	CORPUS_TITLE=$2
	note "$CORPUS_TITLE"
	reset_keys
	bytes=$(awk '{ s += $1 } END { printf "%.0f\n", s }' "$BENCH_DIR/$name.list")
	time_cmd cat "$REPS" "find | xargs -0 cat" sh -c 'find "$1" -type f -print0 | xargs -0 cat' sh "$dir"
	time_cmd readfloor "$REPS" "readfloor DIR (read floor, 1 process)" "$READFLOOR" "$dir"
	time_cmd -c wc_c "$SLOW_REPS" "find | LC_ALL=C wc -w --files0-from=-" \
		sh -c 'find "$1" -type f -print0 | LC_ALL=C wc -w --files0-from=-' sh "$dir"
	time_cmd -c wc_u "$SLOW_REPS" "find | LC_ALL=$UTF8_LOCALE wc -w --files0-from=-" \
		sh -c 'find "$1" -type f -print0 | LC_ALL=$2 wc -w --files0-from=-' sh "$dir" "$UTF8_LOCALE"
	time_cmd -c xargs "$SLOW_REPS" "find | xargs -0 -P$NPROC wc -w ($UTF8_LOCALE)" \
		sh -c 'find "$1" -type f -print0 | LC_ALL=$2 xargs -0 -P"$3" wc -w' sh "$dir" "$UTF8_LOCALE" "$NPROC"
	time_cmd -c pool "$SLOW_REPS" "Python pool ($NPROC processes)" "$PYTHON3" "$here/pool.py" "$dir"
	time_cmd stat "$REPS" "find -type f -printf '%s %T@\\n' (stat walk)" \
		find "$dir" -type f -printf '%s %T@\n'
	scan_rows "$dir" "$BENCH_DIR/$name.list" "$nfiles"
	section "$CORPUS_TITLE" readfloor readfloor "$bytes" \
		cat readfloor wc_c wc_u xargs pool stat first rescan rescan1
	local first=${T[first]:-} limit
	if [ "$name" != utf8 ]; then
		target "first scan / read floor" "$(div "$first" "${T[readfloor]:-}")" "<=" 1.1
		target "xargs -P$NPROC wc -w / first scan" "$(div "${T[xargs]:-}" "$first")" ">=" 3
		target "Python pool / first scan" "$(div "${T[pool]:-}" "$first")" ">=" 4
		target "unchanged rescan / stat walk" "$(div "${T[rescan]:-}" "${T[stat]:-}")" "<=" 1
		limit=$(awk -v r="${T[rescan]:-0}" -v f="${first:-0}" 'BEGIN { print r + 0.02 * f }')
		target "1% rescan / (unchanged rescan + 2% of first scan)" \
			"$(div "${T[rescan1]:-}" "$( [ -n "$first" ] && echo "$limit")")" "<=" 1
		words_checks wc_u
		paired_tree "$dir"
	else
		words_checks ""
	fi
	rss_row "$nfiles"
}

bench_tree_shape() {
	local name=tree-$TREE_FILES
	ensure "$name" "tree files=$TREE_FILES seed=1" gen_tree "$name" "$TREE_FILES"
	bench_tree "$name" "tree: $TREE_FILES files shaped like a source tree" "$TREE_FILES"
}

bench_small() {
	local n=$1 name dirs
	name=small-$n
	dirs=$((n / 1000 > 0 ? n / 1000 : 1))
	ensure "$name" "small files=$n dirs=$dirs seed=1" gen_small "$name" "$n" "$dirs"
	bench_tree "$name" "small: $n files of 1-8 KiB in $dirs directories" "$n"
}

bench_utf8() {
	ensure utf8 "utf8 files=$UTF8_FILES bytes=$UTF8_BYTES seed=1" gen_utf8 utf8
	bench_tree utf8 "utf8: $UTF8_FILES files of mixed UTF-8, $UTF8_BYTES bytes" "$UTF8_FILES"
}

bench_targz() {
	ensure utf8 "utf8 files=$UTF8_FILES bytes=$UTF8_BYTES seed=1" gen_utf8 utf8
	ensure targz "targz of utf8 files=$UTF8_FILES bytes=$UTF8_BYTES gzip=6" gen_targz targz
	local tgz=$BENCH_DIR/targz/utf8.tar.gz raw
	CORPUS_TITLE="targz: the utf8 corpus as one .tar.gz ($(stat -c %s "$tgz") bytes)"
	note "$CORPUS_TITLE"
	reset_keys
	raw=$(gzip -dc "$tgz" | wc -c)
	time_cmd zcat "$REPS" "zcat X.tar.gz" gzip -dc "$tgz"
	time_cmd -c tarwc "$SLOW_REPS" "tar -xOzf X.tar.gz | wc -w ($UTF8_LOCALE)" \
		sh -c 'tar -xOzf "$1" | LC_ALL=$2 wc -w' sh "$tgz" "$UTF8_LOCALE"
	settle
	time_cmd -p fresh_db first "$REPS" "wcindex scan (every member counted)" \
		"$WCINDEX" --db "$DB" scan -q --no-progress "$BENCH_DIR/targz"
	if have first; then
		DBBYTES=$(db_bytes)
		local members
		members=$(q "SELECT count(*) FROM files WHERE member != ''")
		check "every member counted" "$([ "$members" = "$UTF8_FILES" ] && echo 1)" \
			"$members members, $UTF8_FILES expected"
		rss_row "$members"
	fi
	section "$CORPUS_TITLE; MB/s of the tar stream" zcat zcat "$raw" zcat tarwc first
}

gen_docs() { "$PYTHON3" "$here/gendocs.py" "$BENCH_DIR/$1" "$DOCS"; }

# The converter of the field for each format: it writes the text of the
# file "$1" on stdout.
converter() {
	case $1 in
	docx|epub) echo 'pandoc -t plain "$1"' ;;
	html) echo 'pandoc -f html -t plain "$1"' ;;
	odt) echo 'odt2txt "$1"' ;;
	pdf) echo 'pdftotext -q -enc UTF-8 "$1" -' ;;
	esac
}

# bench_docs: for each format, wcindex's first scan of its documents
# against its converter over the same files, xargs -P$NPROC, into wc -w.
bench_docs() {
	local sum fmt dir conv tool words limit
	sum=$(cksum <"$here/gendocs.py")
	ensure docs "docs per-format=$DOCS seed=1 gendocs=${sum%% *}" gen_docs docs
	for fmt in docx odt epub html pdf; do
		dir=$BENCH_DIR/docs/$fmt
		CORPUS_TITLE="docs: $DOCS $fmt documents"
		note "$CORPUS_TITLE"
		reset_keys
		conv=$(converter "$fmt")
		tool=${conv%% *}
		if command -v "$tool" >/dev/null 2>&1; then
			time_cmd -c conv "$SLOW_REPS" "find | xargs -0 -P$NPROC -n1 $tool | wc -w" \
				sh -c 'find "$1" -type f -print0 | xargs -0 -P"$2" -n1 sh -c "$3" sh | wc -w' \
				sh "$dir" "$NPROC" "$conv"
		else
			LABEL[conv]="$tool"
			FAILED[conv]="skipped: $tool not installed"
			note "$tool not installed: no converter to compare with"
		fi
		settle
		time_cmd -p fresh_db first "$REPS" "wcindex scan (first)" \
			"$WCINDEX" --db "$DB" scan -q --no-progress "$dir"
		section "$CORPUS_TITLE" conv "$tool" "$(du -sb "$dir" | cut -f1)" conv first
		limit=3
		[ "$fmt" != pdf ] || limit=1
		target "$tool / first scan" "$(div "${T[conv]:-}" "${T[first]:-}")" ">=" "$limit"
		words=$(out_words conv)
		[ -n "$words" ] && have first || continue
		WORDS_WCINDEX=$(q "SELECT sum(words) FROM files WHERE format = '$fmt'")
		check "words: wcindex within 1% of $tool" \
			"$(awk -v a="$WORDS_WCINDEX" -v b="$words" 'BEGIN { d = a - b; if (d < 0) d = -d; print (b > 0 && d <= b / 100) ? 1 : 0 }')" \
			"wcindex $WORDS_WCINDEX, $tool $words"
	done
}

# ---------------------------------------------------------------- kernel ----

kernel_out=
run_kernel() {
	local k=$BENCH_BIN/kernel
	CORPUS_TITLE="kernel (in memory)"
	if [ ! -x "$k" ]; then
		kernel_out="bench/kernel was not built: skipped."
		row "$CORPUS_TITLE" "best ASCII GB/s" "-" ">= 10" "- (no bench/kernel)" >>"$targets"
		row "$CORPUS_TITLE" "best mixed UTF-8 GB/s" "-" ">= 3" "- (no bench/kernel)" >>"$targets"
		return 0
	fi
	note "running $k $KERNEL_ARGS"
	local rc=0
	# shellcheck disable=SC2086 # KERNEL_ARGS is a list of words
	kernel_out=$(timeout 900 "$k" $KERNEL_ARGS 2>&1) || rc=$?
	[ "$rc" = 0 ] || kernel_out+=$'\n'"(bench/kernel exited with status $rc)"
	printf '%s\n' "$kernel_out" >&2
	# bench/kernel prints "KERNEL CORPUS MODE MiB BEST MEDIAN" per line:
	# the best GB/s of any kernel on the ascii and the mixed corpus, both
	# counted in UTF-8 mode (the default).
	local a u
	a=$(printf '%s\n' "$kernel_out" | awk '$2 == "ascii" && $3 == "utf8" && $5 + 0 > m { m = $5 + 0 } END { print m ? m : "-" }')
	u=$(printf '%s\n' "$kernel_out" | awk '$2 == "mixed" && $3 == "utf8" && $5 + 0 > m { m = $5 + 0 } END { print m ? m : "-" }')
	target "best ASCII GB/s" "$a" ">=" 10
	target "best mixed UTF-8 GB/s" "$u" ">=" 3
}

# ------------------------------------------------------------------ main ----

# Other jobs on the machine skew everything: the load is reported.
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
t_start=$EPOCHREALTIME
date_start=$(date -u '+%Y-%m-%d %H:%M UTC')
note "corpora in $BENCH_DIR; REPS=$REPS SLOW_REPS=$SLOW_REPS; results to $RESULTS"
for c in $CORPORA; do
	case $c in
	big) bench_big ;;
	small) for n in $FILES; do bench_small "$n"; done ;;
	tree) bench_tree_shape ;;
	utf8) bench_utf8 ;;
	targz) bench_targz ;;
	docs) bench_docs ;;
	esac
done
run_kernel
elapsed=$(awk -v a="$t_start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

# -------------------------------------------------------------- report ----

first_line() { "$@" 2>/dev/null | head -n 1 || true; }
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)
[ -n "$cpu" ] || cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)
flags=$(grep -m1 -o -w -e avx2 -e avx512f -e avx512bw /proc/cpuinfo | sort -u | paste -sd ' ' || true)
mem=$(awk '/^MemTotal:/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
srcrev=$(git -C "$here" describe --always --dirty 2>/dev/null || echo "not a git checkout")
cc_ver=$(first_line "${CC:-cc}" --version)
sqlite_ver=$("$WCINDEX" --version | sed -n 's/.*sqlite \([0-9.]*\).*/\1/p')
la_ver=$(pkg-config --modversion libarchive 2>/dev/null || first_line bsdtar --version)
fs=$(df -T "$BENCH_DIR" 2>/dev/null | awk 'NR == 2 { print $2 }')
locale_note=
locale -a 2>/dev/null | grep -qx "$UTF8_LOCALE" || locale_note=" (not installed: wc fell back to C)"

report() {
	cat <<EOF
# wcindex benchmark results

Written by \`make bench\` (bench/run.sh) on $date_start in ${elapsed} s, with
CORPORA="$CORPORA" FILES="$FILES" BIG=$BIG UTF8_FILES=$UTF8_FILES UTF8_BYTES=$UTF8_BYTES.
Medians of REPS=$REPS timed runs (SLOW_REPS=$SLOW_REPS for wc, xargs,
Python and tar) after one warm-up run, page cache warm; peak RSS is the
largest ru_maxrss of any process of the command (bench/rss); ratios are
"this command's median / the baseline's median" unless named otherwise.

| | |
| --- | --- |
| CPU | $cpu (${flags:-no AVX2}) |
| cores (nproc) | $NPROC |
| memory | $mem |
| kernel | $(uname -sr) |
| load average | $load_start at the start, $load_end at the end (1, 5, 15 min; $NPROC cores) |
| file system | ${fs:-?} ($BENCH_DIR) |
| compiler | $cc_ver (CFLAGS: ${CFLAGS:-?}) |
| SQLite | $sqlite_ver |
| libarchive | $la_ver |
| Python | $(first_line "$PYTHON3" --version 2>&1 | sed 's/^Python //') |
| coreutils | $(first_line wc --version | sed 's/.* //') |
| UTF-8 locale | $UTF8_LOCALE$locale_note |
| wcindex | $("$WCINDEX" --version | sed 's/^wcindex //') (source $srcrev) |

## Targets

EOF
	row "corpus" "measure" "value" "target" "result"
	row "---" "---" "--:" "--:" "---"
	cat "$targets"
	printf '\n## Paired ratios\n\n%s\n\n' "A and B run in turn, A B A B ..., PAIRS=$PAIRS pairs after one untimed run of each (COLD_PAIRS=$COLD_PAIRS for the cold ones, each run after dropping the caches); the ratio of each pair cancels the drift of a shared machine, and the median ratio is the figure."
	row "corpus" "ratio A / B" "median" "range" "median A / B s" "pairs" "target" "result"
	row "---" "---" "--:" "--:" "--:" "--:" "--:" "---"
	cat "$paired"
	printf '\n## Peak RSS and database size\n\n'
	row "corpus" "files" "first scan MiB" "unchanged rescan MiB" "1% rescan MiB" "database bytes" "bytes/file"
	row "---" "--:" "--:" "--:" "--:" "--:" "--:"
	cat "$rsstab"
	printf '\n## Checks\n\n'
	row "corpus" "check" "result" "detail"
	row "---" "---" "---" "---"
	cat "$checks"
	printf '\n## Timings\n'
	cat "$sections"
	printf '\n## Kernel (bench/kernel)\n\n```\n%s\n```\n' "$kernel_out"
}
report >"$work/RESULTS.md"
cat "$work/RESULTS.md"
if cp "$work/RESULTS.md" "$RESULTS" 2>/dev/null; then
	note "wrote $RESULTS (${elapsed} s)"
else
	note "could not write $RESULTS; the report is above"
fi
