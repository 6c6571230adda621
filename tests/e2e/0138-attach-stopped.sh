#!/bin/sh
# Job-control stops and memsup --pid (docs/supervisor.md, "Stopped
# programs"): memsup never runs a program that someone stopped.
# samples/harm/stopped runs ROUNDS rounds of stopped_test(), inside which
# four threads allocate, and writes "round R" after each. With each engine:
#
# 1. The program is stopped (kill -STOP; every thread T in /proc/PID/stat),
#    memsup --pid attaches: it says the program is stopped, and for a
#    second every thread stays stopped (t or T, never R, S or D) and no
#    round goes by. Interrupted (SIGINT) there, memsup writes its report
#    (no test) and detaches, and the program is left stopped (T), traced
#    by no one.
# 2. A second memsup attaches to the same stopped program, which stays
#    stopped until kill -CONT; then rounds go by, supervised.
# 3. kill -STOP during the run: every thread stops and stays stopped.
# 4. SIGINT to memsup while the program is stopped: memsup detaches, exits
#    0 and writes its reports: each test it saw whole has exactly the
#    figures of one round (stopped -e computes them from the sample's
#    constants), and they are as many as the rounds run while attached
#    (within one at each end: a round may have been in flight at the
#    attach or at the stop); at most one test, cut by the detach, is
#    unfinished. The program stays stopped (T), traced by no one.
# 5. kill -CONT: the program runs to its end, exit status 0, its output
#    that of a native run (its checksum depends on ROUNDS only).
# 6. Stops that land anywhere: attached to the stopped program and
#    continued, it is stopped and continued CYCLES times at varying
#    moments (some with breakpoints hit and siblings held, for the
#    breakpoint engine); each time every thread stops and stays stopped.
#    It then runs to its end under memsup, which exits with its status 0;
#    every test seen whole has exact figures, and they are all the rounds
#    after the attach (within one: a round may have been in flight).
# 7. Stops among single-steps: samples/stepping (launched, breakpoint
#    engine) has four threads calling an allocator whose entry memsup
#    single-steps with the int3 lifted and the siblings held. Stopped and
#    continued 6 times, every thread stops and stays stopped, and the
#    figures are still exact (those of 0015-stepping).
. "${0%/*}/lib.sh"
require_memsup
S=samples/harm/stopped
require_sample $S
POL=samples/harm/stopped.yaml
ROUNDS=120	# 20 ms apart: 2.4 s of running

$S -e >"$WORK/expected" || hard_error "$S -e failed"
fig()
{
	sed -n "s/^$1 //p" "$WORK/expected"
}
ALLOCS=$(fig allocations) FREES=$(fig frees) BYTES=$(fig allocated_bytes) PEAK=$(fig peak_bytes)
[ -n "$ALLOCS" ] && [ -n "$PEAK" ] || hard_error "$S -e gave no figures"
$S $ROUNDS 0 >"$WORK/native.out" || hard_error "$S $ROUNDS 0 failed natively"

# states PID: the state letter of each thread of PID (/proc/PID/task/*/stat).
states()
{
	for st_f in /proc/"$1"/task/*/stat; do
		sed -n 's/.*) \(.\).*/\1/p' "$st_f" 2>/dev/null
	done | tr -d '\n'
}

# rounds: how many rounds the program has written.
rounds()
{
	grep -c '^round ' "$WORK/prog.out"
}

# wait_stopped PID LETTERS WHAT: until every thread's letter is one of
# LETTERS (5 s at most).
wait_stopped()
{
	ws_i=0
	until [ -n "$(states "$1")" ] && [ -z "$(states "$1" | tr -d "$2")" ]; do
		ws_i=$((ws_i + 1))
		kill -0 "$1" 2>/dev/null || { show_run; fail "$3: process $1 is gone"; }
		[ $ws_i -le 100 ] || { show_run; fail "$3: the threads of process $1 are '$(states "$1")', not all in [$2]"; }
		sleep 0.05
	done
}

# start_stopped WHAT ARGS...: start the sample with ARGS in the
# background (its output in $WORK/prog.out), let it write round 3, stop
# it with SIGSTOP; $pid is its pid.
start_stopped()
{
	sst_what=$1
	shift
	$S "$@" >"$WORK/prog.out" 2>"$WORK/prog.err" </dev/null &
	pid=$!
	AT_EXIT="kill -9 $pid 2>/dev/null; $AT_EXIT"
	wait_for "$WORK/prog.out" '^round 3$'
	kill -STOP "$pid"
	wait_stopped "$pid" T "$sst_what: kill -STOP before the attach"
}

# stays_stopped PID LETTERS WHAT [TENTHS]: for TENTHS tenths of a second
# (default 10) every thread's letter is one of LETTERS and no round goes by.
stays_stopped()
{
	ss_n=$(rounds) ss_i=0
	while [ $ss_i -lt "${4:-10}" ]; do
		ss_s=$(states "$1")
		[ -n "$ss_s" ] && [ -z "$(echo "$ss_s" | tr -d "$2")" ] ||
		    { show_run; fail "$3: process $1 runs: its threads are '$ss_s' (stopped: all in [$2])"; }
		ss_i=$((ss_i + 1))
		sleep 0.1
	done
	[ "$(rounds)" = "$ss_n" ] ||
	    { show_run; fail "$3: process $1 ran rounds $ss_n to $(rounds) while stopped"; }
}

for engine in inject breakpoint; do
	start_stopped "$engine" $ROUNDS

	# 1. attached while stopped, then interrupted: left stopped
	run_memsup_bg --engine=$engine --policy "$POL" --json "$WORK/first.json" --pid "$pid"
	wait_traced "$pid" 10 "$engine"
	wait_for "$WORK/stderr" "process $pid is stopped"
	expect_stderr "kill -CONT $pid"
	stays_stopped "$pid" tT "$engine: attached to a stopped process"
	kill -INT "$MEMSUP_PID"
	wait_memsup 30
	expect_status 0
	expect_untraced "$pid" "$engine: first detach"
	stays_stopped "$pid" T "$engine: detached from a stopped process"
	match_json "$WORK/first.json" '[.scopes[] | select(.name | startswith("stopped_test"))] | length' 0

	# 2. attached again while stopped; runs once continued
	run_memsup_bg --engine=$engine --policy "$POL" --json "$WORK/$engine.json" --pid "$pid"
	wait_traced "$pid" 10 "$engine"
	wait_for "$WORK/stderr" "process $pid is stopped"
	stays_stopped "$pid" tT "$engine: attached again"
	n0=$(rounds)
	kill -CONT "$pid"
	wait_for "$WORK/prog.out" "^round $((n0 + 10))\$"

	# 3. stopped during the run: every thread, until SIGCONT
	kill -STOP "$pid"
	wait_stopped "$pid" tT "$engine: kill -STOP while supervised"
	stays_stopped "$pid" tT "$engine: stopped while supervised"
	n1=$(rounds)
	[ "$n1" -lt $ROUNDS ] || fail "$engine: the program ended before it was stopped; raise ROUNDS"

	# 4. interrupted while the program is stopped: reports, left stopped
	kill -INT "$MEMSUP_PID"
	wait_memsup 30
	expect_status 0
	expect_untraced "$pid" "$engine: detach from a stopped process"
	stays_stopped "$pid" T "$engine: detached while stopped"
	expect_stderr "[0-9]+ tests?: [0-9]+ passed"
	J=$WORK/$engine.json
	sum=$(jq -c --argjson a "$ALLOCS" --argjson f "$FREES" --argjson b "$BYTES" --argjson p "$PEAK" '
		[.scopes[] | select(.name | startswith("stopped_test"))] as $t |
		{ passed: [$t[] | select(.status == "passed")] | length,
		  wrong: [$t[] | select(.status == "passed") | .metrics |
			select(.allocations != $a or .frees != $f or
			       .allocated_bytes != $b or .peak_bytes != $p or
			       .leaked_bytes != 0 or .unknown_frees != 0)] | length,
		  unfinished: [$t[] | select(.status == "unfinished")] | length,
		  other: [$t[] | select(.status != "passed" and .status != "unfinished")] | length }' "$J") ||
	    { show_run; fail "$engine: no JSON report"; }
	validate_json "$J"
	[ "$(echo "$sum" | jq '.wrong')" = 0 ] || {
		show_run
		fail "$engine: tests with other figures than one round's ($ALLOCS allocations, $FREES frees, $BYTES bytes, peak $PEAK): $sum"; }
	passed=$(echo "$sum" | jq '.passed')
	[ "$passed" -ge $((n1 - n0 - 1)) ] && [ "$passed" -le $((n1 - n0 + 1)) ] || {
		show_run
		fail "$engine: $passed whole tests reported, $((n1 - n0)) rounds (within one) ran while attached: $sum"; }
	[ "$(echo "$sum" | jq '.unfinished <= 1 and .other == 0')" = true ] ||
	    { show_run; fail "$engine: at most one test cut by the detach expected: $sum"; }

	# 5. continued: runs to its end as natively
	kill -CONT "$pid"
	wait "$pid"
	prc=$?
	AT_EXIT=
	[ $prc = 0 ] || fail "$engine: process $pid exited with status $prc: $(cat "$WORK/prog.err")"
	[ -s "$WORK/prog.err" ] && fail "$engine: process $pid reported: $(cat "$WORK/prog.err")"
	if ! cmp -s "$WORK/native.out" "$WORK/prog.out"; then
		diff "$WORK/native.out" "$WORK/prog.out" >&2
		fail "$engine: the program's output differs from its native output"
	fi
	echo "$engine: $passed tests seen whole, rounds $n0 to $n1 attached"
done

CYCLES=${STOP_CYCLES:-8}
LONG=600	# 5 ms apart
$S $LONG 0 >"$WORK/native-long.out" || hard_error "$S $LONG 0 failed natively"
for engine in inject breakpoint; do
	start_stopped "$engine" $LONG 5
	run_memsup_bg --engine=$engine --policy "$POL" --json "$WORK/$engine-cycles.json" --pid "$pid"
	wait_traced "$pid" 10 "$engine"
	wait_for "$WORK/stderr" "process $pid is stopped"
	n0=$(rounds)
	kill -CONT "$pid"
	c=0
	while [ $c -lt "$CYCLES" ]; do
		c=$((c + 1))
		n=$(rounds)
		[ "$n" -lt $((LONG - 10)) ] || fail "$engine: the program is near its end before stop $c; raise LONG"
		wait_for "$WORK/prog.out" "^round $((n + 2))\$"
		sleep "0.0$((c * 7 % 10))"
		kill -STOP "$pid"
		wait_stopped "$pid" tT "$engine: stop $c"
		stays_stopped "$pid" tT "$engine: stop $c" 3
		kill -CONT "$pid"
	done
	wait "$pid"
	prc=$?
	AT_EXIT=
	wait_memsup 60
	expect_status 0
	[ $prc = 0 ] || fail "$engine: process $pid exited with status $prc: $(cat "$WORK/prog.err")"
	if ! cmp -s "$WORK/native-long.out" "$WORK/prog.out"; then
		diff "$WORK/native-long.out" "$WORK/prog.out" >&2
		fail "$engine: the program's output differs from its native output after $CYCLES stops"
	fi
	J=$WORK/$engine-cycles.json
	match_json "$J" '[.exit_status, .program_exit_status]' '[0, 0]'
	sum=$(jq -c --argjson a "$ALLOCS" --argjson f "$FREES" --argjson b "$BYTES" --argjson p "$PEAK" '
		[.scopes[] | select(.name | startswith("stopped_test"))] as $t |
		{ passed: [$t[] | select(.status == "passed")] | length,
		  wrong: [$t[] | select(.status == "passed") | .metrics |
			select(.allocations != $a or .frees != $f or
			       .allocated_bytes != $b or .peak_bytes != $p or
			       .leaked_bytes != 0 or .unknown_frees != 0)] | length,
		  other: [$t[] | select(.status != "passed")] | length }' "$J") ||
	    { show_run; fail "$engine: no JSON report"; }
	passed=$(echo "$sum" | jq '.passed')
	[ "$(echo "$sum" | jq '.wrong == 0 and .other == 0')" = true ] &&
	    [ "$passed" -ge $((LONG - n0 - 1)) ] && [ "$passed" -le $((LONG - n0)) ] || {
		show_run
		fail "$engine: after $CYCLES stops, $((LONG - n0)) rounds (or one less) after the attach, each with one round's figures ($ALLOCS allocations, $FREES frees, $BYTES bytes, peak $PEAK) expected: $sum"; }
	echo "$engine: $CYCLES stops, $passed tests seen whole"
done

# samples/stepping/stepping.h: 4 threads x 5000 my_alloc/my_free pairs,
# plus one 272-byte DTV calloc'd by each pthread_create (glibc 2.36).
require_sample samples/stepping/stepping
threads=4 steps=5000
J=$WORK/stepping.json
run_memsup_bg --engine=breakpoint --policy samples/stepping/policy.yaml --json "$J" \
	samples/stepping/stepping
i=0
until child=$(pgrep -P "$MEMSUP_PID"); do
	i=$((i + 1))
	[ $i -le 200 ] || { show_run; fail "stepping: memsup did not start the program within 10 s"; }
	sleep 0.05
done
AT_EXIT="kill -9 $child 2>/dev/null; $AT_EXIT"
c=0
while [ $c -lt 6 ]; do
	c=$((c + 1))
	sleep 0.2
	[ "$(states "$child" | tr -d Z)" ] || fail "stepping: the program ended before stop $c (it runs for seconds under the breakpoint engine)"
	kill -STOP "$child"
	wait_stopped "$child" tT "stepping: stop $c"
	ss_i=0
	while [ $ss_i -lt 5 ]; do
		ss_s=$(states "$child")
		[ -z "$(echo "$ss_s" | tr -d tT)" ] ||
		    { show_run; fail "stepping: stop $c: process $child runs: its threads are '$ss_s'"; }
		ss_i=$((ss_i + 1))
		sleep 0.1
	done
	kill -CONT "$child"
done
wait_memsup 60
expect_status 0
match_json "$J" '[.scopes[] | {name, status, allocations: .metrics.allocations, frees: .metrics.frees, leaked_blocks: .metrics.leaked_blocks, leaked_bytes: .metrics.leaked_bytes}]' \
	"[{\"name\": \"run\", \"status\": \"passed\", \"allocations\": $((threads * steps + threads)), \"frees\": $((threads * steps)), \"leaked_blocks\": $threads, \"leaked_bytes\": $((threads * 272))}]"
expect_pids_gone "$J"
echo "stepping: 6 stops, figures exact"
exit 0
