#!/bin/sh
# Signals (docs/supervisor.md): memsup's own SIGINT, SIGTERM and SIGHUP
# while it runs a program (the program is killed, whatever it does with
# those signals, and the reports are written: 130, 143, 129); a program
# that stops itself with SIGSTOP (continued by someone else: it runs on);
# --timeout while it is stopped and on a program that never ends (killed,
# its test unfinished, 128 + SIGKILL = 137). samples/faults/faults.c.
. "${0%/*}/lib.sh"
require_memsup
F=samples/faults/faults
POL=samples/faults/faults.yaml
require_sample $F
FAULT=$(metrics_json 3 1 600 600 500 2)

# interrupted SIG STATUS MODE: start memsup on faults MODE, wait until the
# program says "ready" (inside fault_test), send SIG to memsup only; memsup
# exits STATUS, the program is gone, fault_test is unfinished and the
# reports are complete.
interrupted()
{
	J=$WORK/$1-$3.json X=$WORK/$1-$3.xml
	# shellcheck disable=SC2046
	run_memsup_bg --policy $POL --json "$J" $(junit_opt "$X") $F "$3"
	wait_for "$WORK/stdout" '^ready$'
	ppid=$(sed -n 's/^pid //p' "$WORK/stdout")
	AT_EXIT="kill -9 $ppid 2>/dev/null; $AT_EXIT"
	kill -"$1" "$MEMSUP_PID"
	wait_memsup 30
	expect_status "$2"
	expect_stderr 'interrupt|SIG'"$1"
	match_json "$J" '.exit_status' "$2"
	match_json "$J" '[.scopes[] | {name, status}]' '[{"name": "fault_test", "status": "unfinished"}]'
	match_json "$J" '.scopes[0].reason | test("interrupt|SIG'"$1"'|killed")' true
	match_metrics "$J" '.name == "fault_test"' "$FAULT"
	expect_junit "$X" 1
	expect_pids_gone "$J"
	[ -d "/proc/$ppid" ] && fail "SIG$1: the program (pid $ppid) is still there"
	return 0
}

# A program that sleeps, one that ignores SIGINT/SIGTERM/SIGHUP, one that
# blocks them: memsup's signal ends each.
for mode in forever ignore block; do
	interrupted INT 130 $mode
	interrupted TERM 143 $mode
done
interrupted HUP 129 forever

# A program stops itself (SIGSTOP inside fault_test); another process
# sends it SIGCONT: it runs on to the end, both tests reported in full.
run_memsup_bg --policy $POL --json "$WORK/stop.json" $F stop
wait_for "$WORK/stdout" '^stopping$'
ppid=$(sed -n 's/^pid //p' "$WORK/stdout")
AT_EXIT="kill -9 $ppid 2>/dev/null; $AT_EXIT"
i=0
until grep -Eq '^State:[[:space:]]*[Tt]' "/proc/$ppid/status" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "the program (pid $ppid) did not stop"
	sleep 0.05
done
sleep 0.5
grep -qx continued "$WORK/stdout" && fail "the program went on before SIGCONT"
sh -c 'kill -CONT "$1"' sh "$ppid"
wait_memsup 30
expect_status 0
expect_stdout "pid $ppid
stopping
continued
faults: done"
J=$WORK/stop.json
match_json "$J" '[.scopes[] | {name, status}]' \
	'[{"name": "fault_test", "status": "passed"}, {"name": "later_test", "status": "passed"}]'
match_metrics "$J" '.name == "fault_test"' "$FAULT"
match_metrics "$J" '.name == "later_test"' "$(metrics_json 1 1 1000 1000 0 0)"
expect_pids_gone "$J"

# --timeout 2 while the program is stopped: killed (137), reports written.
# (run_memsup takes 137 for its own timeout's kill: run it in the background.)
# shellcheck disable=SC2046
run_memsup_bg --timeout 2 --policy $POL --json "$WORK/stopped.json" \
	$(junit_opt "$WORK/stopped.xml") $F stop
wait_memsup 60
expect_status 137
J=$WORK/stopped.json
match_json "$J" '[.exit_status, .program_exit_status]' '[137, 137]'
match_json "$J" '[.scopes[] | {name, status, reason}]' \
	'[{"name": "fault_test", "status": "unfinished", "reason": "killed by memsup after --timeout inside the test"}]'
match_metrics "$J" '.name == "fault_test"' "$FAULT"
expect_junit "$WORK/stopped.xml" 1
expect_pids_gone "$J"

# A program that never ends, --timeout 1: killed within a few seconds.
start=$(date +%s)
# shellcheck disable=SC2046
run_memsup_bg --timeout 1 --policy $POL --json "$WORK/forever.json" \
	$(junit_opt "$WORK/forever.xml") $F forever
wait_memsup 60
expect_status 137
[ $(($(date +%s) - start)) -le 10 ] || fail "--timeout 1 took $(($(date +%s) - start)) s"
expect_stderr 'timeout'
J=$WORK/forever.json
match_json "$J" '[.exit_status, .program_exit_status]' '[137, 137]'
match_json "$J" '[.scopes[] | {name, status, reason}]' \
	'[{"name": "fault_test", "status": "unfinished", "reason": "killed by memsup after --timeout inside the test"}]'
match_metrics "$J" '.name == "fault_test"' "$FAULT"
expect_junit "$WORK/forever.xml" 1
expect_pids_gone "$J"
exit 0
