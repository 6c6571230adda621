#!/bin/sh
# memsup --pid interrupted (docs/supervisor.md): SIGINT (then SIGTERM) while
# attached makes memsup detach and exit 0 (as with --timeout, 0010-attach;
# 130/143 are for an interrupted launch, docs/supervisor.md); the process runs on, untraced,
# with every int3 gone: each executable mapping (its own text, libc's
# malloc/free, ld.so), read from /proc/PID/mem, is byte-identical before the
# attach and after the detach; and it finishes with the right checksum.
# samples/attach/attach.c.
. "${0%/*}/lib.sh"
require_memsup
require_prog python3
A=samples/attach/attach
require_sample $A

# attach_and_interrupt SIG: one round on a fresh process.
attach_and_interrupt()
{
	ITER=60		# 100 ms each: 6 s
	native=$($A $ITER 0 | sed -n 's/^checksum //p')
	[ -n "$native" ] || hard_error "$A gave no checksum natively"
	$A $ITER >"$WORK/attach.out" 2>"$WORK/attach.err" </dev/null &
	pid=$!
	AT_EXIT="kill -9 $pid 2>/dev/null; $AT_EXIT"
	wait_for "$WORK/attach.out" '^ready$'
	text_dump "$pid" "$WORK/before.text" || hard_error "cannot read the text of process $pid"

	run_memsup_bg --pid "$pid" --json "$WORK/attach-$1.json"
	# attached: the process is traced by memsup, and some rounds of heap
	# work (with malloc's int3 in place) go by
	wait_traced "$pid" 5 "SIG$1"
	sleep 1
	text_dump "$pid" "$WORK/during.text" 2>/dev/null &&
	    cmp -s "$WORK/before.text" "$WORK/during.text" &&
		echo "note: no breakpoint seen in process $pid's text while attached" >&2

	kill -"$1" "$MEMSUP_PID"
	wait_memsup 30
	kill -0 "$pid" 2>/dev/null ||
		fail "SIG$1: process $pid is gone after memsup detached: $(cat "$WORK/attach.err")"
	expect_untraced "$pid" "SIG$1"
	text_dump "$pid" "$WORK/after.text" || fail "cannot read the text of process $pid after memsup"
	if ! cmp -s "$WORK/before.text" "$WORK/after.text"; then
		text_diff "$WORK/before.text" "$WORK/after.text" >&2
		fail "SIG$1: the code of process $pid differs after memsup detached (an int3 left?)"
	fi

	J=$WORK/attach-$1.json
	match_json "$J" "[.scopes[] | select(.pid == $pid and .metrics.allocations > 0)] | length > 0" true

	wait "$pid"
	prc=$?
	[ $prc = 0 ] || fail "SIG$1: process $pid exited with status $prc after the detach"
	printf 'ready\nchecksum %s\n' "$native" >"$WORK/attach.expected"
	if ! cmp -s "$WORK/attach.expected" "$WORK/attach.out"; then
		diff -u "$WORK/attach.expected" "$WORK/attach.out" >&2
		fail "SIG$1: process $pid computed a different checksum under memsup"
	fi
	# Last: a detach is a clean end, exit status 0 (docs/supervisor.md:
	# 130/143 are for an interrupted launch), in the JSON too.
	expect_status 0
	match_json "$J" '.exit_status' 0
}

attach_and_interrupt INT
attach_and_interrupt TERM
exit 0
