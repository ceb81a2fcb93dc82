# shellcheck shell=bash
# lib.sh - timing and table helpers of the benchmark harness, sourced by
# bench/run.sh (bash).
#
# time_cmd runs a command once to warm up (caches, page cache, Python's
# imports), then REPS times, each under bench/rss, which gives its wall time
# and peak RSS; it keeps the median wall time (medians, not means: the
# machines here are noisy) and the largest peak RSS.  A command that fails
# is recorded as failed with its exit status and the benchmark goes on.
# The rest formats numbers and Markdown table rows.
#
# Needs: $RSS (the bench/rss program), $work (a scratch directory).

declare -A T=()		# KEY -> median wall seconds
declare -A KIB=()	# KEY -> largest peak RSS (KiB)
declare -A NRUN=()	# KEY -> timed runs
declare -A FAILED=()	# KEY -> why the command failed
declare -A LABEL=()	# KEY -> the row's label in the timing table

# time_cmd [-n] [-c] [-p PREP] KEY REPS LABEL COMMAND [ARG...]
#   -n       no warm-up run (the 1 GiB Python baseline)
#   -c       keep the standard output of the first run in $work/out.KEY
#            (otherwise output goes to /dev/null)
#   -p PREP  run the shell function PREP with the run number (0 for the
#            warm-up, 1..REPS) before each run, untimed
time_cmd() {
	local warm=1 capture=0 prep=
	while :; do
		case $1 in
		-n) warm=0; shift ;;
		-c) capture=1; shift ;;
		-p) prep=$2; shift 2 ;;
		*) break ;;
		esac
	done
	local key=$1 reps=$2 label=$3
	shift 3
	LABEL[$key]=$label
	local times=() peak=0 i first=$((1 - warm)) out t k rc
	printf '  %-44s' "$label" >&2
	for ((i = first; i <= reps; i++)); do
		[ -z "$prep" ] || "$prep" "$i"
		out=/dev/null
		if [ "$capture" = 1 ] && [ "$i" = "$first" ]; then
			out=${work:?}/out.$key
		fi
		rc=0
		"$RSS" -o "$work/rss.out" "$@" >"$out" 2>"$work/err.$key" || rc=$?
		if [ "$rc" != 0 ]; then
			FAILED[$key]="exit $rc: $(head -c 300 "$work/err.$key" | tr '\n' ' ')"
			printf ' FAILED (%s)\n' "${FAILED[$key]}" >&2
			return 0
		fi
		read -r t k <"$work/rss.out"
		((k > peak)) && peak=$k
		((i > 0)) && times+=("$t")
	done
	T[$key]=$(printf '%s\n' "${times[@]}" | sort -g |
		awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
	KIB[$key]=$peak
	NRUN[$key]=$reps
	printf ' %8.3f s  %7.1f MiB\n' "${T[$key]}" "$(mib "$peak")" >&2
}

have() { [ -n "${T[$1]:-}" ]; }

# mib KIB
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# div A B [FORMAT]: A / B, "-" when either is missing
div() {
	awk -v a="${1:-}" -v b="${2:-}" -v f="${3:-%.2f}" \
		'BEGIN { if (a == "" || b == "" || b + 0 == 0) print "-"; else printf f "\n", a / b }'
}

# cmp_ok VALUE OP LIMIT: PASS or FAIL (OP: <= or >=), "-" without a value
cmp_ok() {
	awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
		if (v == "-" || v == "") { print "-"; exit }
		ok = (op == "<=") ? (v + 0 <= l + 0) : (v + 0 >= l + 0)
		print ok ? "PASS" : "FAIL" }'
}

# row CELL...: one Markdown table row
row() {
	local s="|" c
	for c in "$@"; do s+=" ${c//|/\\|} |"; done
	printf '%s\n' "$s"
}

# timing_row KEY BASEKEY BASENAME BYTES: command, median, MB/s (of the
# corpus's bytes; not for rescans and stat walks), ratio to the corpus's
# baseline, peak RSS, runs
timing_row() {
	local key=$1 base=$2 bname=$3 bytes=$4
	if [ -n "${FAILED[$key]:-}" ]; then
		row "${LABEL[$key]}" "failed" "-" "-" "-" "${FAILED[$key]}"
		return
	fi
	have "$key" || return 0
	local mbs=-
	case $key in rescan*|stat) ;; *)	# these read no file contents
		mbs=$(div "$bytes" "$(awk -v t="${T[$key]}" 'BEGIN { print t * 1e6 }')" '%.0f') ;;
	esac
	row "${LABEL[$key]}" "$(printf '%.3f' "${T[$key]}")" "$mbs" \
		"$(div "${T[$key]}" "${T[$base]:-}") × $bname" \
		"$(mib "${KIB[$key]}")" "${NRUN[$key]}"
}

declare -A PAIR=()	# NAME -> median of the pairs' ratios A/B
declare -A PAIRX=()	# NAME -> "min max" of the ratios
declare -A PAIRT=()	# NAME -> "median A s, median B s, pairs"

# median: the median of the numbers on stdin
median() {
	sort -g | awk '{ a[NR] = $1 } END { if (!NR) exit; if (NR % 2) print a[(NR + 1) / 2]; else printf "%.6f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# pair_ratio NAME PAIRS PREP_A PREP_B A... -- B...
#   A and B in turn, A B A B ..., after one untimed run of each; PREP_A
#   before each A and PREP_B before each B (shell functions, ":" for
#   none; each gets the pair number, 0 for the warm-up).  The ratio of
#   each pair, A/B, cancels the drift of a shared machine; their median
#   goes to PAIR[NAME], their range to PAIRX[NAME].
pair_ratio() {
	local name=$1 pairs=$2 prep_a=$3 prep_b=$4 i ta tb
	local a=() ratios=() as=() bs=()
	shift 4
	while [ "$1" != -- ]; do a+=("$1"); shift; done
	shift
	printf '  %-44s' "$name" >&2
	for ((i = 0; i <= pairs; i++)); do
		"$prep_a" "$i"
		"$RSS" -o "$work/rss.out" "${a[@]}" >/dev/null 2>"$work/err.pair" ||
			{ printf ' FAILED (A)\n' >&2; return 0; }
		read -r ta _ <"$work/rss.out"
		"$prep_b" "$i"
		"$RSS" -o "$work/rss.out" "$@" >/dev/null 2>"$work/err.pair" ||
			{ printf ' FAILED (B)\n' >&2; return 0; }
		read -r tb _ <"$work/rss.out"
		((i > 0)) || continue
		ratios+=("$(awk -v a="$ta" -v b="$tb" 'BEGIN { printf "%.4f\n", a / b }')")
		as+=("$ta")
		bs+=("$tb")
	done
	PAIR[$name]=$(printf '%s\n' "${ratios[@]}" | median)
	PAIRX[$name]=$(printf '%s\n' "${ratios[@]}" | sort -g | sed -n '1p;$p' | paste -sd' ')
	PAIRT[$name]="$(printf '%s\n' "${as[@]}" | median) $(printf '%s\n' "${bs[@]}" | median) $pairs"
	printf ' %8.3f (%s)\n' "${PAIR[$name]}" "${PAIRX[$name]}" >&2
}

# pair_row CORPUS NAME OP LIMIT: a row of the paired table, and a target
pair_row() {
	local r=- a b n
	[ -n "${PAIR[$2]:-}" ] || { row "$1" "${2#"$1: "}" "failed" "-" "-" "-" "$3 $4" "-"; return 0; }
	read -r a b n <<<"${PAIRT[$2]}"
	r=$(cmp_ok "${PAIR[$2]}" "$3" "$4")
	row "$1" "${2#"$1: "}" "$(printf '%.2f' "${PAIR[$2]}")" "${PAIRX[$2]// / – }" \
		"$(printf '%.3f / %.3f' "$a" "$b")" "$n" "$3 $4" "**$r**"
	[ "$r" != FAIL ] || note "target missed: $2: ${PAIR[$2]} (want $3 $4)"
}
