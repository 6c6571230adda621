#!/bin/sh
# Where the in-process engine cannot place its recorder, or must place it
# later than the attach, the program is never harmed and the figures are
# the breakpoint engine's.
#
# 1. No room: samples/harm/placement crowd reserves every free page within
#    2 GiB of libc (PROT_NONE, MAP_FIXED_NOREPLACE), then memsup --pid
#    attaches. memsup must say that the recorder cannot be placed, why (no
#    free range within jump range), and that every allocator entry gets a
#    breakpoint; map nothing of its own in the process; give the test the
#    figures the sample computes from its own constants (placement -e);
#    and, once detached (SIGINT), leave the program running, its code
#    (text_dump) and libc's allocator entries byte for byte as before the
#    attach, its reservations untouched, and its results those of a native
#    run (placement -n).
# 2. Too early: samples/harm/placement stopped starts a program stopped
#    right after its exec, before the dynamic linker has mapped libc, and
#    memsup --pid attaches there (what an attach racing a program's start
#    sees). With either engine the program must run its entry point and
#    end as natively (an attach once took that for a return to memsup's
#    trampoline and gave the program SIGSEGV), with exact figures; the
#    in-process engine places its recorder once libc is mapped and
#    redirects libc's entries (placed near the executable at the attach,
#    libc would have been out of jump range).
# 3. One entry refused: samples/harm/placement nested allocates through a
#    policy allocator whose first instruction branches into its own first
#    five bytes (no jump can be written there) and which calls malloc.
#    Redirected, malloc would see the calls the breakpoint counts already:
#    memsup must say that every allocator entry gets a breakpoint instead,
#    and count each call once, as the breakpoint engine does.
. "${0%/*}/lib.sh"
require_memsup
require_prog python3 readelf
P=samples/harm/placement
require_sample $P
POL=samples/harm/placement.yaml

$P -e >"$WORK/expected" || hard_error "$P -e failed"
fig()
{
	sed -n "s/^$1 //p" "$WORK/expected"
}
FIGS=$(jq -nc --argjson a "$(fig allocations)" --argjson f "$(fig frees)" \
	--argjson b "$(fig allocated_bytes)" --argjson p "$(fig peak_bytes)" \
	'{allocations: $a, frees: $f, allocated_bytes: $b, peak_bytes: $p,
	  leaked_bytes: 0, unknown_frees: 0}') || hard_error "$P -e gave no figures"

# ---- 1. no room within jump range of libc ----

$P -n >"$WORK/native.out" 2>"$WORK/native.err" || hard_error "$P -n failed: $(cat "$WORK/native.err")"
grep -E '^(sum|bad|reserved) ' "$WORK/native.out" >"$WORK/native.results"

$P crowd >"$WORK/crowd.out" 2>"$WORK/crowd.err" </dev/null &
pid=$!
AT_EXIT="kill -9 $pid 2>/dev/null; $AT_EXIT"
wait_for "$WORK/crowd.out" '^ready$'
grep -qx 'free 0' "$WORK/crowd.out" ||
    skip "the window around libc could not be filled in this layout: $(grep '^free' "$WORK/crowd.out") pages left (the stack lies within 2 GiB of libc)"

libc_entries "$pid" "$WORK/entries" &&
    entry_bytes "$pid" "$WORK/entries" "$WORK/entries.before" &&
    text_dump "$pid" "$WORK/before.text" ||
    hard_error "cannot read process $pid"
grep -q '^malloc ' "$WORK/entries.before" || hard_error "malloc not found in libc's symbols"

run_memsup_bg --engine=inject --policy "$POL" --json "$WORK/crowd.json" --pid "$pid"
wait_for "$WORK/crowd.out" '^tested$' 30
grep -q memsup-recorder "/proc/$pid/maps" &&
    { show_run; fail "memsup mapped its recorder in process $pid, which has no room for it: $(grep memsup-recorder "/proc/$pid/maps")"; }
kill -INT "$MEMSUP_PID"
wait_memsup 60
expect_status 0
expect_stderr "cannot place the recorder in process $pid \\(map its code near malloc \\(0x[0-9a-f]+\\): no free address range within jump range \\(2 GiB\\)\\): every allocator entry of the process gets a breakpoint instead"
grep -Eq 'no call pending|SIGSEGV|cannot redirect' "$WORK/stderr" && { show_run; fail "memsup reported trouble beyond the fallback"; }
match_metrics "$WORK/crowd.json" '.name == "crowded_test" and .status == "passed"' "$FIGS"

# Detached: the program runs on, as it was.
wait_for "$WORK/crowd.out" '^waiting$' 30
expect_untraced "$pid"
entry_bytes "$pid" "$WORK/entries" "$WORK/entries.after" &&
    text_dump "$pid" "$WORK/after.text" ||
    fail "cannot read process $pid after the detach"
if ! cmp -s "$WORK/entries.before" "$WORK/entries.after"; then
	diff "$WORK/entries.before" "$WORK/entries.after" >&2
	fail "libc's allocator entries differ from what they were before the attach"
fi
if ! cmp -s "$WORK/before.text" "$WORK/after.text"; then
	text_diff "$WORK/before.text" "$WORK/after.text" >&2
	fail "the code of process $pid differs after the detach"
fi
grep -q memsup-recorder "/proc/$pid/maps" && fail "a recorder mapping left in process $pid"
kill -USR1 "$pid"
wait "$pid"
prc=$?
AT_EXIT=
[ $prc = 0 ] || fail "process $pid exited with status $prc: $(cat "$WORK/crowd.err")"
[ -s "$WORK/crowd.err" ] && fail "process $pid reported: $(cat "$WORK/crowd.err")"
grep -E '^(sum|bad|reserved) ' "$WORK/crowd.out" >"$WORK/crowd.results"
if ! cmp -s "$WORK/native.results" "$WORK/crowd.results"; then
	diff "$WORK/native.results" "$WORK/crowd.results" >&2
	fail "the program's results under memsup differ from its native ones"
fi

# ---- 2. attached before the dynamic linker has run ----

$P run >"$WORK/run.native" 2>&1 || hard_error "$P run failed: $(cat "$WORK/run.native")"
for engine in inject breakpoint; do
	rm -f "$WORK/early.out"
	$P stopped $P run >"$WORK/early.out" 2>"$WORK/early.err" </dev/null &
	launcher=$!
	AT_EXIT="kill -9 $launcher 2>/dev/null; $AT_EXIT"
	wait_for "$WORK/early.out" '^pid [0-9]+$'
	child=$(sed -n 's/^pid //p' "$WORK/early.out")
	AT_EXIT="kill -9 $child 2>/dev/null; $AT_EXIT"
	grep -q 'libc\.so' "/proc/$child/maps" && hard_error "$engine: libc is mapped in process $child already"
	run_memsup_bg -v --engine=$engine --policy "$POL" --json "$WORK/early.json" --pid "$child"
	# the program stays stopped under memsup until SIGCONT
	# (docs/supervisor.md, "Stopped programs")
	wait_traced "$child" 10 "$engine"
	kill -CONT "$child" 2>/dev/null
	wait_memsup 60
	wait "$launcher"
	lrc=$?
	expect_status 0
	grep -Eq 'no call pending|SIGSEGV' "$WORK/stderr" && { show_run; fail "$engine: the program was harmed"; }
	[ $lrc = 0 ] && grep -qx 'status 0' "$WORK/early.out" ||
	    { show_run; fail "$engine: the program ended with $(tail -n 1 "$WORK/early.out") (launcher status $lrc)"; }
	grep -E '^(sum|bad) ' "$WORK/early.out" >"$WORK/early.results"
	if ! cmp -s "$WORK/run.native" "$WORK/early.results"; then
		diff "$WORK/run.native" "$WORK/early.results" >&2
		fail "$engine: the program's results under memsup differ from its native ones"
	fi
	match_metrics "$WORK/early.json" '.name == "crowded_test" and .status == "passed"' "$FIGS"
	if [ $engine = inject ]; then
		grep -q 'cannot redirect\|cannot place' "$WORK/stderr" && { show_run; fail "inject: an entry fell back to a breakpoint"; }
		expect_stderr "process $child: the C library is not mapped yet: the recorder is placed once it is"
		for f in malloc free calloc; do
			expect_stderr "process $child: $f at 0x[0-9a-f]+ redirected to the recorder"
		done
	fi
	AT_EXIT=
done

# ---- 3. an entry the in-process engine cannot redirect ----

NFIGS=$(jq -nc --argjson a "$(fig nested_allocations)" --argjson f "$(fig nested_frees)" \
	--argjson b "$(fig nested_allocated_bytes)" --argjson p "$(fig nested_peak_bytes)" \
	'{allocations: $a, frees: $f, allocated_bytes: $b, peak_bytes: $p,
	  leaked_bytes: 0, unknown_frees: 0}') || hard_error "$P -e gave no nested figures"
$P nested >"$WORK/nested.native" 2>&1 || hard_error "$P nested failed: $(cat "$WORK/nested.native")"
for engine in inject breakpoint; do
	run_memsup --engine=$engine --policy samples/harm/placement-refused.yaml \
		--json "$WORK/nested.json" $P nested
	expect_status 0
	if ! cmp -s "$WORK/nested.native" "$WORK/stdout"; then
		diff "$WORK/nested.native" "$WORK/stdout" >&2
		fail "$engine: the program's results under memsup differ from its native ones"
	fi
	match_metrics "$WORK/nested.json" '.name == "nested_test" and .status == "passed"' "$NFIGS"
	[ $engine = inject ] &&
	    expect_stderr "cannot redirect refused_alloc at 0x[0-9a-f]+ to the recorder \([^)]+\): every allocator entry of the process gets a breakpoint instead, as with --engine=breakpoint"
done
exit 0
