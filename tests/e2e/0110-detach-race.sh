#!/bin/sh
# Detach is exact under load: memsup --pid attaches to a process whose four
# threads call a test function (policy boundary) and malloc/free without
# pause, and is interrupted, DETACH_CYCLES times in a row on the same
# process. A thread that hits an int3 (an allocator's, a test's or the
# return trampoline) just as memsup interrupts it for the detach has its
# breakpoint's SIGTRAP still queued: memsup must rewind it and discard that
# trap. The program has a SIGTRAP handler that reports any trap it receives
# and exits 70; at the end every round's checksum must be right (it prints
# "bad 0"), it must exit 0, and its code must be byte-identical to what it
# was before the first attach. samples/harm/detach.c.
#
# The breakpoint engine's int3s are what a detach can catch in flight;
# every other cycle runs the in-process engine, whose recorder must let a
# later attach place a recorder of its own (the threads' states are
# forgotten at each detach) and whose jumps must all be taken back.
#
# DETACH_CYCLES defaults to 40 (make check); make check-harm runs 200.
. "${0%/*}/lib.sh"
require_memsup
require_prog python3
D=samples/harm/detach
require_sample $D
CYCLES=${DETACH_CYCLES:-40}

$D >"$WORK/detach.out" 2>"$WORK/detach.err" </dev/null &
pid=$!
AT_EXIT="kill -9 $pid 2>/dev/null; $AT_EXIT"
wait_for "$WORK/detach.out" '^ready$'
text_dump "$pid" "$WORK/before.text" || hard_error "cannot read the text of process $pid"

alive()
{
	kill -0 "$pid" 2>/dev/null &&
	    [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$pid/status" 2>/dev/null)" != Z ]
}

c=0
while [ $c -lt "$CYCLES" ]; do
	c=$((c + 1))
	engine=breakpoint
	[ $((c % 2)) = 1 ] && engine=inject
	run_memsup_bg -q --engine=$engine --policy samples/harm/detach.yaml --pid "$pid"
	wait_traced "$pid" 10 "cycle $c"
	# Attached for a varying while: some tests run, with malloc armed.
	sleep "0.$((c % 5 + 1))"
	kill -INT "$MEMSUP_PID"
	wait_memsup 60
	[ "$RC" = 0 ] || { show_run; fail "cycle $c ($engine): memsup exited $RC after the detach"; }
	grep -Ev "^memsup: (PASSED|UNFINISHED) round_test|^memsup: [0-9]+ tests?: " "$WORK/stderr" | grep -q . &&
	    { show_run; fail "cycle $c ($engine): memsup said something on a clean detach"; }
	# A trap delivered after the detach kills the program at once (its
	# handler exits 70): give it a moment to show.
	sleep 0.05
	alive || fail "cycle $c: process $pid is gone after the detach: $(cat "$WORK/detach.err")"
	expect_untraced "$pid" "cycle $c"
done

text_dump "$pid" "$WORK/after.text" || fail "cannot read the text of process $pid after $CYCLES detaches"
if ! cmp -s "$WORK/before.text" "$WORK/after.text"; then
	text_diff "$WORK/before.text" "$WORK/after.text" >&2
	fail "the code of process $pid differs after $CYCLES detaches (an int3 left?)"
fi
kill -USR1 "$pid"
wait "$pid"
prc=$?
[ -s "$WORK/detach.err" ] && fail "process $pid reported: $(cat "$WORK/detach.err")"
[ $prc = 0 ] || fail "process $pid exited with status $prc after $CYCLES detaches"
grep -qx 'bad 0' "$WORK/detach.out" || fail "some rounds had a wrong checksum: $(cat "$WORK/detach.out")"
rounds=$(sed -n 's/^rounds //p' "$WORK/detach.out")
[ "${rounds:-0}" -gt 0 ] || fail "process $pid ran no rounds"
echo "$CYCLES attach/detach cycles, $rounds rounds, no stray trap"
exit 0
