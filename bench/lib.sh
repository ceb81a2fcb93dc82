# lib.sh - shared by the benchmark scripts (sourced, bash).
#
# time_cmd NAME CMD...: run CMD once to warm up, then REPS times, and keep
# the median wall time in median[NAME].  Medians, not means: the machines
# here are noisy.

declare -A median
time_cmd() {
	local name=$1; shift
	local times=()
	"$@" >/dev/null 2>&1 || true
	for _ in $(seq "$REPS"); do
		local t0 t1
		t0=$(date +%s.%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s.%N)
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
	done
	median[$name]=$(printf '%s\n' "${times[@]}" | sort -g |
		awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
}
