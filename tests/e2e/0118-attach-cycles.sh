#!/bin/sh
# Attach/detach cycles with the in-process engine alone: memsup --pid
# attaches ATTACH_CYCLES times in a row to one process whose four threads
# allocate together inside each round_test() call, and is interrupted.
# After each cycle:
#
# - every test memsup saw whole has exactly the figures of one round
#   (samples/harm/cycles -e computes them from the sample's constants), and
#   no test is cut but the one running at the detach;
# - the allocator entries memsup redirected (malloc, free, calloc, realloc
#   and the rest of libc's, located from libc's symbol table, not from
#   memsup) hold the bytes they held before the first attach, as does
#   every other byte of the process's code; while attached, malloc, free,
#   calloc and realloc begin with the recorder's jmp rel32;
# - the program's own checks of its sums (computed again without touching
#   memory) found nothing wrong, and its running checksum after R rounds
#   is the one the same program computes natively for R rounds;
# - the recorder's mappings left in the process (/proc/PID/maps,
#   "memsup-recorder") never add up to more than one recorder: an earlier
#   attach's recorder is unmapped at the detach, or at the next attach,
#   once no thread can be inside it (docs/design/inject.md).
#
# In cycle 2 a fifth thread enters held_alloc (a policy allocator that
# blocks) through the recorder and stays there: that recorder must stay
# mapped after the detach and through all of cycle 3 (two recorders while
# attached), the call must return normally once the test releases it
# after cycle 3, and cycle 4's attach must unmap that recorder.
#
# ATTACH_CYCLES defaults to 10 (make check); make check-harm runs 100.
. "${0%/*}/lib.sh"
require_memsup
require_prog python3 readelf
C=samples/harm/cycles
require_sample $C
CYCLES=${ATTACH_CYCLES:-10}

# One round's figures, from the sample's own constants.
$C -e >"$WORK/expected" || hard_error "$C -e failed"
fig()
{
	sed -n "s/^$1 //p" "$WORK/expected"
}
ALLOCS=$(fig allocations) FREES=$(fig frees) BYTES=$(fig allocated_bytes) PEAK=$(fig peak_bytes)
[ -n "$ALLOCS" ] && [ -n "$PEAK" ] || hard_error "$C -e gave no figures"

$C >"$WORK/cycles.out" 2>"$WORK/cycles.err" </dev/null &
pid=$!
AT_EXIT="kill -9 $pid 2>/dev/null; $AT_EXIT"
wait_for "$WORK/cycles.out" '^ready$'

# probe OUT: the state of process PID that the cycles must leave as it
# was: entry_bytes of libc's allocator entries (lib.sh; found once with
# libc_entries), then "recorder MAPPINGS BYTES MEMFDS" for the mappings
# named memsup-recorder.
cat >"$WORK/recorder.py" <<'PY'
import sys
pid, out = sys.argv[1:3]
n = size = 0
fds = set()
for line in open(f"/proc/{pid}/maps").read().splitlines():
    f = line.split()
    if "memsup-recorder" in line:
        lo, hi = (int(x, 16) for x in f[0].split("-"))
        n, size = n + 1, size + hi - lo
        fds.add(f[4])
with open(out, "a") as o:
    o.write(f"recorder {n} {size} {len(fds)}\n")
PY
probe()
{
	entry_bytes "$pid" "$WORK/entries" "$1" &&
	    python3 "$WORK/recorder.py" "$pid" "$1"
}

alive()
{
	kill -0 "$pid" 2>/dev/null &&
	    [ "$(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$pid/status" 2>/dev/null)" != Z ]
}

libc_entries "$pid" "$WORK/entries" ||
    hard_error "cannot find libc's allocator entries in process $pid"
grep -q '^malloc ' "$WORK/entries" || hard_error "malloc not found in libc's symbols"
probe "$WORK/before" && text_dump "$pid" "$WORK/before.text" ||
    hard_error "cannot read process $pid"
grep -qx 'recorder 0 0 0' "$WORK/before" || hard_error "process $pid has recorder mappings before any attach"
grep -v '^recorder ' "$WORK/before" >"$WORK/entries.before"

one_size=
kept=0
: >"$WORK/marks"
c=0
while [ $c -lt "$CYCLES" ]; do
	c=$((c + 1))
	run_memsup_bg -q --engine=inject --policy samples/harm/cycles.yaml \
		--json "$WORK/cycle.json" --pid "$pid"
	wait_traced "$pid" 10 "cycle $c"
	# Attached for a varying while, rounds running; the jumps are in place.
	sleep "0.$((c % 4 + 2))"
	if [ $c = 2 ] && [ "$CYCLES" -ge 4 ]; then
		kill -HUP "$pid"
		wait_for "$WORK/cycles.out" '^held$'
	fi
	# How many recorders: one, and the one held in cycle 3.
	want=1
	[ $c = 3 ] && [ "$CYCLES" -ge 4 ] && want=2
	probe "$WORK/attached" || fail "cycle $c: cannot read process $pid"
	for f in malloc free calloc realloc; do
		grep -q "^$f 0x[0-9a-f]* e9" "$WORK/attached" ||
		    { show_run; fail "cycle $c: $f is not redirected while attached: $(grep "^$f " "$WORK/attached")"; }
	done
	set -- $(sed -n 's/^recorder //p' "$WORK/attached")
	[ "$3" = $want ] || fail "cycle $c: $3 recorders mapped while attached ($want expected): $(grep memsup-recorder "/proc/$pid/maps")"
	[ -n "$one_size" ] || one_size=$2
	[ "$2" = $((want * one_size)) ] || fail "cycle $c: the recorders take $2 bytes, $one_size each in cycle 1"
	kill -INT "$MEMSUP_PID"
	wait_memsup 60
	[ "$RC" = 0 ] || { show_run; fail "cycle $c: memsup exited $RC after the detach"; }
	grep -Ev "^memsup: (PASSED|UNFINISHED) round_test|^memsup: [0-9]+ tests?: " "$WORK/stderr" | grep -q . &&
	    { show_run; fail "cycle $c: memsup said something on a clean detach"; }
	alive || fail "cycle $c: process $pid is gone after the detach: $(cat "$WORK/cycles.err")"
	expect_untraced "$pid" "cycle $c"

	# The figures of every test seen whole.
	sum=$(jq -c --argjson a "$ALLOCS" --argjson f "$FREES" --argjson b "$BYTES" --argjson p "$PEAK" '
		[.scopes[] | select(.name | startswith("round_test["))] as $t |
		{ passed: [$t[] | select(.status == "passed")] | length,
		  wrong: [$t[] | select(.status == "passed") | .metrics |
			select(.allocations != $a or .frees != $f or
			       .allocated_bytes != $b or .peak_bytes != $p or
			       .leaked_bytes != 0 or .unknown_frees != 0)] | length,
		  cut: [$t[] | select(.status != "passed")] | length,
		  other: (([.scopes[]] | length) - ($t | length)) }' "$WORK/cycle.json") ||
	    fail "cycle $c: no JSON report"
	[ "$(echo "$sum" | jq '.wrong')" = 0 ] || {
		jq -c --argjson a "$ALLOCS" '[.scopes[] | select(.status == "passed" and .metrics.allocations != $a)][0] | .metrics' "$WORK/cycle.json" >&2
		fail "cycle $c: tests with other figures than one round's ($ALLOCS allocations, $FREES frees, $BYTES bytes, peak $PEAK): $sum"; }
	[ "$(echo "$sum" | jq '.passed > 0 and .cut <= 1 and .other == 0')" = true ] ||
	    fail "cycle $c: expected whole tests, at most one cut by the detach, no other scope: $sum"
	cp "$WORK/cycle.json" "$WORK/last.json"

	# The patched entries and the rest of the code are as they were.
	probe "$WORK/after" && text_dump "$pid" "$WORK/after.text" ||
	    fail "cycle $c: cannot read process $pid"
	grep -v '^recorder ' "$WORK/after" >"$WORK/entries.after"
	if ! cmp -s "$WORK/entries.before" "$WORK/entries.after"; then
		diff "$WORK/entries.before" "$WORK/entries.after" >&2
		fail "cycle $c: allocator entries differ from what they were before the first attach"
	fi
	if ! cmp -s "$WORK/before.text" "$WORK/after.text"; then
		text_diff "$WORK/before.text" "$WORK/after.text" >&2
		fail "cycle $c: the code of process $pid differs after the detach"
	fi

	# At most one recorder's mappings stay (one a thread may be inside);
	# the held one stays.
	set -- $(sed -n 's/^recorder //p' "$WORK/after")
	least=0
	[ "$want" = 2 ] || { [ $c = 2 ] && [ "$CYCLES" -ge 4 ]; } && least=1
	[ "$3" -le "$want" ] && [ "$3" -ge $least ] && [ "$2" -le $(($3 * one_size)) ] ||
	    fail "cycle $c: $1 recorder mappings ($2 bytes, $3 recorders) left after the detach, $least to $want recorders expected: $(grep memsup-recorder "/proc/$pid/maps")"
	[ "$3" -le $least ] || kept=$((kept + 1))
	if [ "$want" = 2 ]; then
		# the held call returns through the recorder left in cycle 2
		kill -HUP "$pid"
		wait_for "$WORK/cycles.out" '^released$'
	fi

	# The program's own checks, and its checksum so far.
	n=$(grep -c '^state ' "$WORK/cycles.out")
	kill -USR2 "$pid"
	wait_for "$WORK/cycles.out" "^state " 5
	i=0
	while [ "$(grep -c '^state ' "$WORK/cycles.out")" -le "$n" ]; do
		i=$((i + 1))
		[ $i -le 100 ] || fail "cycle $c: process $pid did not report its state"
		sleep 0.05
	done
	set -- $(grep '^state ' "$WORK/cycles.out" | tail -n 1)
	[ "$3" = 0 ] || fail "cycle $c: $3 rounds computed a wrong sum"
	echo "$2 $4" >>"$WORK/marks"
done

kill -USR1 "$pid"
wait "$pid"
prc=$?
AT_EXIT=
[ -s "$WORK/cycles.err" ] && fail "process $pid reported: $(cat "$WORK/cycles.err")"
[ $prc = 0 ] || fail "process $pid exited with status $prc after $CYCLES detaches"
set -- $(grep '^state ' "$WORK/cycles.out" | tail -n 1)
[ "$3" = 0 ] || fail "$3 rounds computed a wrong sum"
echo "$2 $4" >>"$WORK/marks"

# The same program, natively, after the same numbers of rounds.
sort -n -u "$WORK/marks" >"$WORK/marks.sorted"
$C -n $(cut -d' ' -f1 "$WORK/marks.sorted") | sed 's/^checksum //' >"$WORK/native" ||
    hard_error "$C -n failed"
if ! cmp -s "$WORK/marks.sorted" "$WORK/native"; then
	diff "$WORK/native" "$WORK/marks.sorted" >&2
	fail "the checksums under memsup differ from the native ones (rounds checksum)"
fi
echo "$CYCLES attach/detach cycles, $(tail -n 1 "$WORK/marks.sorted" | cut -d' ' -f1) rounds, a recorder a thread may be inside left $kept times"
exit 0
