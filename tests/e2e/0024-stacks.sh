#!/bin/sh
# Call stacks in reports: they end at the test function (--full-stacks
# keeps the runner, main and _start), a function GCC split
# (split_me.part.0) shows once, and JSON and JUnit keep the
# --most-allocations biggest stacks per section with the totals of the
# rest (--all-stacks keeps every one). Figures from samples/stacks/stacks.h.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/stacks/stacks
H=samples/stacks/stacks.h
c() { sed -n "s/^#define $1[[:space:]]*\([0-9]*\).*/\1/p" "$H"; }
SITES=$(c LEAK_SITES) UNIT=$(c LEAK_UNIT) SPLIT=$(c SPLIT_SIZE)
[ -n "$SPLIT" ] || hard_error "cannot read the constants of $H"
P=samples/stacks/policy.yaml J=$WORK/s.json X=$WORK/s.xml
NSTACKS=$((SITES + 1))

# The leak sizes, biggest first: SPLIT_SIZE and (i + 1) * LEAK_UNIT.
sizes=$( { echo "$SPLIT"; i=1; while [ $i -le "$SITES" ]; do echo $((i * UNIT)); i=$((i + 1)); done; } | sort -rn)
# omitted N: the stacks past the N biggest, and their bytes
omitted() { echo "$sizes" | awk -v n="$1" 'NR > n { s++; b += $1 } END { printf "{\"leaks\": %d, \"bytes\": %d}", s, b }'; }

# Default: 5 stacks, the rest counted.
run_memsup --policy "$P" --json "$J" --junit-xml "$X" samples/stacks/stacks
expect_status 1
o=$(omitted 5)
match_json "$J" '.scopes[0].leaks | map(.bytes)' "$(echo "$sizes" | head -5 | jq -s -c .)"
match_json "$J" '.scopes[0] | {leaks: .omitted_stacks.leaks, bytes: .omitted_bytes.leaks}' "$o"
match_json "$J" '.scopes[0].metrics.leaked_blocks' "$NSTACKS"
n=$(grep -c 'still reachable here' "$X")
[ "$n" = 5 ] || fail "JUnit: expected 5 leaking stacks, found $n"
grep -q "and $((NSTACKS - 5)) more call stacks over the limit" "$X" ||
	fail "JUnit does not count the $((NSTACKS - 5)) stacks left out"

# Every stack ends at run_test, the test function.
match_json "$J" '[.scopes[0].leaks[].stack[-1].function] | unique' '["run_test"]'
# The split function: one frame named split_me, under split_caller.
match_json "$J" "[.scopes[0].leaks[] | select(.bytes == $SPLIT) | .stack[].function]" \
	'["work", "split_me", "split_caller", "run_test"]'
match_json "$J" "[.scopes[0].leaks[] | select(.bytes == $SPLIT) | .stack[1].line]" \
	"[$(grep -n 'p = work(n, c);' samples/stacks/split.c | cut -d: -f1)]"
if nm samples/stacks/stacks | grep -q ' split_me\.part\.'; then
	:
else
	echo "note: the compiler did not split split_me; the split case is not exercised" >&2
fi
# Frames carry the object-relative offset, the address minus the bias.
match_json "$J" '[.scopes[0].leaks[].stack[] | select(.object != null) | has("offset")] | unique' '[true]'
off=$(json_get "$J" '.scopes[0].leaks[0].stack[0].offset')
fn=$(json_get "$J" '.scopes[0].leaks[0].stack[0].function')
sym=$(nm samples/stacks/stacks | awk -v f="$fn" '$3 == f { print $1 }')
[ -n "$sym" ] || hard_error "nm has no $fn"
[ $((off)) -gt $((0x$sym)) ] && [ $((off)) -lt $((0x$sym + 0x100)) ] ||
	fail "offset $off is not inside $fn (0x$sym)"

# --most-allocations 2 and --all-stacks.
run_memsup --policy "$P" --json "$J" --most-allocations 2 samples/stacks/stacks
o=$(omitted 2)
match_json "$J" '.scopes[0] | {leaks: .omitted_stacks.leaks, bytes: .omitted_bytes.leaks}' "$o"
match_json "$J" '.scopes[0].leaks | length' 2
run_memsup --policy "$P" --json "$J" --junit-xml "$X" --all-stacks samples/stacks/stacks
match_json "$J" '.scopes[0].leaks | length' "$NSTACKS"
match_json "$J" '.scopes[0].omitted_stacks' '{"leaks": 0, "peak_allocations": 0, "top_allocations": 0}'
n=$(grep -c 'still reachable here' "$X")
[ "$n" = "$NSTACKS" ] || fail "JUnit --all-stacks: expected $NSTACKS stacks, found $n"

# --full-stacks: main and _start below the test.
run_memsup --policy "$P" --json "$J" --full-stacks samples/stacks/stacks
match_json "$J" '[.scopes[0].leaks[0].stack[].function] | (index("run_test") < index("main")) and (.[-1] == "_start")' true
exit 0
