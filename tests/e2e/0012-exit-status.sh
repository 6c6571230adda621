#!/bin/sh
# Exit statuses of memsup itself (the man page): 2 for a usage error (nothing is
# run), 3 when supervision fails (program not found, not executable, ptrace
# refused), each with a message on stderr. The program's own statuses are in
# 0001-basic.sh (0, 3, 5) and 0009-segv.sh (139).
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/basic/basic

# expect_refusal STATUS ARGS...: memsup ARGS exits STATUS, says why on
# stderr and runs nothing (the basic sample would print "basic: done").
expect_refusal()
{
	want=$1
	shift
	run_memsup "$@"
	expect_status "$want"
	[ -s "$WORK/stderr" ] || fail "memsup $*: exit status $want but no message on stderr"
	if [ -s "$WORK/stdout" ]; then
		show_run
		fail "memsup $*: the program ran although memsup refused"
	fi
}

# Usage errors: 2.
expect_refusal 2
expect_refusal 2 --no-such-option ./samples/basic/basic
expect_refusal 2 --json
expect_refusal 2 --pid
expect_refusal 2 --pid not-a-pid
expect_refusal 2 --timeout soon --pid 1

# Supervision fails: 3.
expect_refusal 3 ./samples/no-such-program
expect_refusal 3 --json "$WORK/x.json" ./samples/no-such-program
expect_refusal 3 memsup-no-such-command-in-path
expect_refusal 3 samples/basic/basic.c		# exists, not executable
expect_refusal 3 samples/basic			# a directory

# --pid of a process that does not exist: pid_max is never a pid.
expect_refusal 3 --pid "$(cat /proc/sys/kernel/pid_max)"

# --pid of a process someone else already traces: ptrace refused (EPERM).
if command -v strace >/dev/null 2>&1; then
	# The traced shell writes its pid, then becomes sleep (same pid).
	strace -o /dev/null sh -c 'echo $$ >"$1"; exec sleep 30' sh \
		"$WORK/traced.pid" </dev/null >/dev/null 2>&1 &
	spid=$! tpid=
	AT_EXIT='kill $spid $tpid 2>/dev/null'
	i=0
	until tpid=$(cat "$WORK/traced.pid" 2>/dev/null) && [ -n "$tpid" ] &&
	    [ "$(readlink "/proc/$tpid/exe")" = "$(readlink -f "$(command -v sleep)")" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "strace did not start sleep"
		sleep 0.05
	done
	expect_refusal 3 --pid "$tpid" --timeout 1
	kill -0 "$tpid" 2>/dev/null || fail "memsup's refused attach killed process $tpid"
	kill "$tpid"
	wait "$spid"
	AT_EXIT=
fi
exit 0
