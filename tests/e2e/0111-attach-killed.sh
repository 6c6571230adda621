#!/bin/sh
# A process memsup attached to (--pid) is never killed by memsup's death:
# memsup is SIGKILLed while attached to "sleep", which must then run on,
# untraced, and end as it would have (exit 0). Launched programs are the
# other way round: killing memsup kills the program it started (no
# program runs on trapped), as the last part checks.
. "${0%/*}/lib.sh"
require_memsup
require_prog sleep

sleep 4 &
pid=$!
AT_EXIT="kill -9 $pid 2>/dev/null; $AT_EXIT"
run_memsup_bg --pid "$pid"
wait_traced "$pid"
sleep 0.2
kill -KILL "$MEMSUP_PID"
wait "$MEMSUP_PID" 2>/dev/null
sleep 0.2
kill -0 "$pid" 2>/dev/null || fail "sleep (process $pid) died with memsup"
expect_untraced "$pid" "sleep, memsup killed"
wait "$pid"
prc=$?
[ $prc = 0 ] || fail "sleep (process $pid) exited with status $prc after memsup was killed"

# A detach (SIGINT) of the same kind: the summary speaks of what is live
# at the detach, not at an exit that has not happened.
sleep 4 &
pid=$!
AT_EXIT="kill -9 $pid 2>/dev/null; $AT_EXIT"
run_memsup_bg --pid "$pid"
wait_traced "$pid"
kill -INT "$MEMSUP_PID"
wait_memsup 30
expect_status 0
expect_stderr 'still live at the detach'
grep -q 'live at exit' "$WORK/stderr" && { show_run; fail "the summary speaks of an exit of a process that runs on"; }
kill "$pid"

# memsup asked to attach to itself (exec keeps the shell's pid): a clear
# refusal, not a ptrace hint.
SAVED=$MEMSUP MEMSUP=sh
run_memsup -c 'exec "$0" --pid $$' "$SAVED"
MEMSUP=$SAVED
expect_status 3
expect_stderr 'this memsup'
grep -q 'ptrace_scope' "$WORK/stderr" && { show_run; fail "a ptrace hint for an attach to memsup itself"; }

# Launched: the program dies with memsup.
run_memsup_bg -- sleep 30
i=0
until child=$(pgrep -P "$MEMSUP_PID" -x sleep); do
	i=$((i + 1))
	[ $i -le 200 ] || { show_run; fail "memsup did not start sleep within 10 s"; }
	sleep 0.05
done
kill -KILL "$MEMSUP_PID"
wait "$MEMSUP_PID" 2>/dev/null
i=0
while kill -0 "$child" 2>/dev/null; do
	i=$((i + 1))
	[ $i -le 100 ] || fail "sleep (process $child), launched by memsup, outlived it"
	sleep 0.05
done
exit 0
