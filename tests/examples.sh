#!/bin/bash
# examples.sh - the scheduling examples work as written: the crontab job and
# the systemd service's command are run the way cron and systemd run them
# (empty environment but for the variables they set, no standard input),
# with only the directory, the database and the binary's location put in
# the test's place.  A good run is silent and fills the database; a run with
# a failing file says so on stderr (cron's mail) and exits with a status the
# service counts as success; SIGTERM gives an exit status the service
# accepts too.  The unit files pass `systemd-analyze verify` where it runs.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${TEST_SRCDIR:-$(dirname "$0")}/lib.sh"

EX=$TEST_SRCDIR/../examples/scheduling
[ -d "$EX" ] || fail "no examples/scheduling next to the tests"
mkdir -p "$TMP/bin" "$TMP/state" "$TMP/docs"
ln -s "$WCINDEX" "$TMP/bin/wcindex"
gen_tree "$TMP/docs" --files 300 --dirs 5 --seed 3 --small
N=$(count_files "$TMP/docs")
DB=$TMP/state/index.db

# The test's places for the examples' own.
localize () {
	sed -e "s|/srv/docs|$TMP/docs|g" \
	    -e "s|/var/lib/wcindex|$TMP/state|g" \
	    -e "s|/usr/local/bin|$TMP/bin|g"
}

# ----------------------------------------------------------------- cron
CRONTAB=$(localize <"$EX/wcindex.crontab")
VARS=$(printf '%s\n' "$CRONTAB" | grep -E '^[A-Z_]+=' | tr '\n' ' ')
JOB=$(printf '%s\n' "$CRONTAB" | grep -Ev '^(#|[A-Z_]+=|$)')
[ "$(printf '%s\n' "$JOB" | wc -l)" = 1 ] || fail "the crontab should hold one job: '$JOB'"
CMD=$(printf '%s\n' "$JOB" | cut -d' ' -f6-)
assert_match '^[0-9*]' "$JOB" "the crontab job starts with its schedule"

# like cron: its variables only, stdin closed, output mailed (captured here)
run_cron () {
	# shellcheck disable=SC2086
	env -i $VARS WCINDEX_TEST_RACY_MARGIN_MS=0 ${FAULT:+WCINDEX_TEST_FAULT=$FAULT} \
		timeout 60 /bin/sh -c "$CMD" <&- >"$TMP/cron.out" 2>"$TMP/cron.err"
}
rc=0; run_cron || rc=$?
assert_eq "0||" "$rc|$(cat "$TMP/cron.out")|$(cat "$TMP/cron.err")" \
	"cron job: exit status|stdout|stderr (silent on success)"
assert_eq "$N" "$(q "SELECT count(*) FROM files")" "files indexed by the cron job"
assert_eq done "$(q "SELECT status FROM last_scan")" "last_scan.status after the cron job"

# a file a worker dies on: mail says so, the database records it
victim=$(cd "$TMP/docs" && find . -type f | LC_ALL=C sort | sed -n 1p)
echo "changed" >>"$TMP/docs/$victim"
ulimit -c 0 2>/dev/null || true
rc=0; FAULT="crash:/$(basename "$victim")" run_cron || rc=$?
assert_eq 1 "$rc" "cron job with a file that crashes a worker: exit status"
assert_eq "" "$(cat "$TMP/cron.out")" "cron job with a failure: stdout"
assert_match "$(basename "$victim")" "$(cat "$TMP/cron.err")" "cron job with a failure: stderr names the file"
assert_eq 1 "$(q "SELECT count(*) FROM errors WHERE scan_id = (SELECT id FROM last_scan)")" \
	"errors of the last scan after a failure"

# -------------------------------------------------------------- systemd
SERVICE=$(localize <"$EX/wcindex-scan.service")
EXEC=$(printf '%s\n' "$SERVICE" | sed -n 's/^ExecStart=//p')
ENVS=$(printf '%s\n' "$SERVICE" | sed -n 's/^Environment=//p' | tr '\n' ' ')
OK=$(printf '%s\n' "$SERVICE" | sed -n 's/^SuccessExitStatus=//p')
[ -n "$EXEC" ] || fail "the service has no ExecStart="
case " $OK " in *" 1 "*) ;; *) fail "SuccessExitStatus should accept 1 (some files failed): '$OK'" ;; esac
case " $OK " in *" 143 "*) ;; *) fail "SuccessExitStatus should accept 143 (systemctl stop): '$OK'" ;; esac

echo "more words here" >>"$TMP/docs/$victim"
rc=0
# shellcheck disable=SC2086
env -i $ENVS WCINDEX_TEST_RACY_MARGIN_MS=0 timeout 60 $EXEC <&- >"$TMP/svc.out" 2>"$TMP/svc.err" || rc=$?
assert_eq "0||" "$rc|$(cat "$TMP/svc.out")|$(cat "$TMP/svc.err")" \
	"service command: exit status|stdout|stderr"
assert_eq "$N" "$(q "SELECT count(*) FROM files WHERE status = 'ok'")" \
	"every file counted after the service ran"

# systemctl stop: SIGTERM to the main process while it works
DB2=$TMP/state/stop.db
ENVS2=$(printf '%s' "$ENVS" | sed "s|$TMP/state/index.db|$DB2|")
# shellcheck disable=SC2086
env -i $ENVS2 WCINDEX_TEST_FAULT="hang:/$(basename "$victim")" timeout 60 $EXEC <&- \
	>/dev/null 2>"$TMP/stop.err" &
pid=$!
for _ in $(seq 100); do
	[ -e "$DB2" ] && "$WCINDEX" --db "$DB2" sql --csv "SELECT count(*) FROM scans" >/dev/null 2>&1 && break
	sleep 0.1
done
sleep 0.5
kill -TERM "$pid" 2>/dev/null || true
rc=0; wait "$pid" || rc=$?
# timeout(1) passes the child's status through
assert_eq 143 "$rc" "exit status of the service command stopped by SIGTERM"
assert_eq interrupted "$("$WCINDEX" --db "$DB2" sql --csv "SELECT status FROM last_scan" | sed 1d)" \
	"last_scan.status after SIGTERM"

if command -v systemd-analyze >/dev/null 2>&1; then
	mkdir "$TMP/units"
	printf '%s\n' "$SERVICE" | sed "s|^ExecStart=$TMP/bin/wcindex|ExecStart=$WCINDEX|" \
		>"$TMP/units/wcindex-scan.service"
	cp "$EX/wcindex-scan.timer" "$TMP/units/"
	if ! out=$(cd "$TMP/units" && systemd-analyze verify --man=no \
			./wcindex-scan.service ./wcindex-scan.timer 2>&1); then
		fail "systemd-analyze verify: $out"
	fi
else
	note "no systemd-analyze: unit files not verified"
fi

pass "the crontab job and the systemd service work as written"
