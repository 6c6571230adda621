#!/bin/sh
# --repeat N: samples/repeat/repeat allocates a size taken from a counter
# file, so its peak changes from run to run. With --repeat 3 each test's
# headline peak, allocated and allocations are the minimum over the runs,
# the JSON keeps the series, the limits are checked on the minimum, the
# stacks are those of the run with the smallest peak (the folded [peak]
# lines add up to it), and the terminal shows the spread.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/repeat/repeat
S=samples/repeat/repeat.c P=samples/repeat/policy.yaml
c() { sed -n "s/^#define $1[[:space:]]*\([0-9]*\).*/\1/p" "$S"; }
BASE=$(c VARY_BASE) STEP=$(c VARY_STEP) SMALL=$(c VARY_SMALL) STEADY=$(c STEADY_SIZE)
LIMIT_KB=$(sed -n 's/^ *limit_memory: *\([0-9]*\) KB.*/\1/p' "$P")
[ -n "$BASE" ] && [ -n "$STEADY" ] && [ -n "$LIMIT_KB" ] || hard_error "cannot read $S or $P"
LIMIT=$((LIMIT_KB * 1024))

# Run C (0, 1, 2): V = (C + 2) % 3; peak = allocated = BASE + STEP * V +
# (C + 1) * SMALL; allocations = 2 + C.
peak() { echo $((BASE + STEP * (($1 + 2) % 3) + ($1 + 1) * SMALL)); }
P0=$(peak 0) P1=$(peak 1) P2=$(peak 2)
MIN=$P0
for p in $P1 $P2; do [ "$p" -lt "$MIN" ] && MIN=$p; done
MAX=$P0
for p in $P1 $P2; do [ "$p" -gt "$MAX" ] && MAX=$p; done
# The sample is built so that the first run fails the limit and the
# smallest passes it.
[ "$P0" -gt "$LIMIT" ] && [ "$MIN" -le "$LIMIT" ] || hard_error "the sample's sizes do not straddle its limit"

J=$WORK/run.json F=$WORK/run.folded CNT=$WORK/counter
run_memsup --repeat 3 --policy "$P" --json "$J" --collapsed "$F" \
	samples/repeat/repeat "$CNT"
expect_status 0
[ "$(cat "$CNT")" = 3 ] || fail "the program did not run 3 times (counter $(cat "$CNT"))"
match_json "$J" '[.scopes[].name]' '["test_vary", "test_steady"]'
match_json "$J" '.scopes[0].repeats' \
	"{\"peak_bytes\": [$P0, $P1, $P2], \"allocated_bytes\": [$P0, $P1, $P2],
	  \"allocations\": [2, 3, 4]}"
match_metrics "$J" '.name == "test_vary"' \
	"{\"peak_bytes\": $MIN, \"allocated_bytes\": $MIN, \"allocations\": 2}"
match_json "$J" '.scopes[0] | [.status, .failures]' '["passed", []]'
match_json "$J" '.scopes[1].repeats' \
	"{\"peak_bytes\": [$STEADY, $STEADY, $STEADY],
	  \"allocated_bytes\": [$STEADY, $STEADY, $STEADY], \"allocations\": [1, 1, 1]}"
# The stacks of the run with the smallest peak, symbolised.
sum=$(awk '/^test_vary;\[peak\];/ { n = split($0, w, " "); s += w[n] } END { print s + 0 }' "$F")
[ "$sum" = "$MIN" ] || fail "test_vary's [peak] lines add up to $sum, not $MIN"
grep -q '^test_vary;\[peak\];test_vary [0-9]*$' "$F" ||
	fail "test_vary's stacks are not symbolised"
# The terminal: each run announced, the spread of test_vary only.
for k in 1 2 3; do expect_stderr "^memsup: run $k of 3\$"; done
expect_stderr '^memsup: test_vary over 3 runs: peak [0-9.]+KiB to [0-9.]+KiB, allocated .*, 2 to 4 allocations; the minimum is reported$'
grep -q 'test_steady over' "$WORK/stderr" && fail "a spread printed for test_steady, which has none"

# One run: the first one's figures, over the limit.
rm -f "$CNT"
run_memsup --policy "$P" --json "$J" samples/repeat/repeat "$CNT"
expect_status 1
match_metrics "$J" '.name == "test_vary"' "{\"peak_bytes\": $P0}"
match_json "$J" '[.scopes[] | has("repeats")]' '[false, false]'
rm -f "$CNT"
run_memsup --repeat 1 --policy "$P" --json "$J" samples/repeat/repeat "$CNT"
expect_status 1
match_json "$J" '[.scopes[] | has("repeats")]' '[false, false]'

# Bad uses.
run_memsup --repeat 0 samples/repeat/repeat "$CNT"
expect_status 2
expect_stderr 'at least 1'
run_memsup --repeat x samples/repeat/repeat "$CNT"
expect_status 2
run_memsup --repeat 2 --pid 1
expect_status 2
expect_stderr 'cannot be used with --pid'
exit 0
