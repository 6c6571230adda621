#!/bin/sh
# --collapsed FILE and memsup report RUN.json --collapsed FILE: folded
# stacks of the Check sample, one line per call stack, "[peak]" and
# "[leaked]" sections that add up per test to the JSON's peak_bytes and
# leaked_bytes and to the figures of samples/check-suite/suite.h, frames
# outermost first as the symbolizer names them, and the same file again
# from the saved JSON. Bad uses of memsup report are usage errors.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/check-suite/check-suite
H=samples/check-suite/suite.h
c() { sed -n "s/^#define $1[[:space:]]*\([0-9]*\).*/\1/p" "$H"; }
PEAK_BLOCKS=$(c PEAK_BLOCKS) PEAK_SIZE=$(c PEAK_SIZE)
NODE_BLOCKS=$(c NODE_BLOCKS) NODE_SIZE=$(c NODE_SIZE)
LABEL_BLOCKS=$(c LABEL_BLOCKS) LABEL_SIZE=$(c LABEL_SIZE) CACHE_SIZE=$(c CACHE_SIZE)
[ -n "$CACHE_SIZE" ] && [ -n "$PEAK_SIZE" ] || hard_error "cannot read the constants of $H"

J=$WORK/run.json F=$WORK/run.folded
run_memsup --policy samples/check-suite/limits.yaml --json "$J" \
	--collapsed "$F" samples/check-suite/check-suite
expect_status 1
[ -s "$F" ] || { show_run; fail "no folded stacks written to $F"; }

# Every line: TEST;[peak]|[leaked];FRAMES... BYTES (BYTES > 0).
if grep -v '^[^;]*;\[\(peak\|leaked\)\]\(;[^;]*\)* [1-9][0-9]*$' "$F" >"$WORK/bad"; then
	cat "$WORK/bad" >&2
	fail "lines of $F not in the folded format"
fi

# Per test and section, the lines' bytes add up to the JSON's figure.
sums() {
	awk -v want="$2" '{
		n = split($0, w, " "); b = w[n]
		split($0, f, ";")
		if (f[2] == want) s[f[1]] += b
	} END { for (t in s) print t, s[t] }' "$1" | sort
}
json_sums() {
	jq -r ".scopes[] | select(.metrics.$2 > 0) | \"\(.name) \(.metrics.$2)\"" "$1" | sort
}
sums "$F" '[peak]' >"$WORK/peak.folded"
json_sums "$J" peak_bytes >"$WORK/peak.json"
cmp -s "$WORK/peak.folded" "$WORK/peak.json" || {
	diff "$WORK/peak.json" "$WORK/peak.folded" >&2
	fail "[peak] sums differ from the JSON's peak_bytes"
}
sums "$F" '[leaked]' >"$WORK/leaked.folded"
json_sums "$J" leaked_bytes >"$WORK/leaked.json"
cmp -s "$WORK/leaked.folded" "$WORK/leaked.json" || {
	diff "$WORK/leaked.json" "$WORK/leaked.folded" >&2
	fail "[leaked] sums differ from the JSON's leaked_bytes"
}
[ "$(wc -l <"$WORK/peak.json")" -ge 9 ] || fail "fewer than 9 tests with a peak"

# ... and to the sample's own constants.
grep -qx "test_peak $((PEAK_BLOCKS * PEAK_SIZE))" "$WORK/peak.folded" ||
	fail "test_peak's [peak] lines do not add up to $((PEAK_BLOCKS * PEAK_SIZE))"
grep -qx "test_leak $((NODE_BLOCKS * NODE_SIZE + LABEL_BLOCKS * LABEL_SIZE + CACHE_SIZE))" \
	"$WORK/leaked.folded" || fail "test_leak's [leaked] lines do not add up"

# One line per leaking stack, frames outermost first, named by the
# symbolizer: make_node's leak, called from the test function, where the
# stack ends (the runner, main and _start below it are not shown).
grep -q "^test_leak;\[leaked\];test_leak_fn;make_node $((NODE_BLOCKS * NODE_SIZE))\$" "$F" ||
	fail "no [leaked] line for make_node <- test_leak_fn with $((NODE_BLOCKS * NODE_SIZE)) bytes"
grep -q "^test_leak;\[leaked\];test_leak_fn;make_label $((LABEL_BLOCKS * LABEL_SIZE))\$" "$F" ||
	fail "no [leaked] line for make_label"
[ "$(grep -c '^test_leak;\[leaked\];' "$F")" = 3 ] || fail "test_leak: expected 3 leaking stacks"

# The same folded stacks from the saved JSON.
F2=$WORK/again.folded
run_memsup report "$J" --collapsed "$F2"
expect_status 0
cmp -s "$F" "$F2" || { diff "$F" "$F2" >&2; fail "memsup report gives other folded stacks"; }

# Bad uses: nothing to write, no run, a file that is not memsup JSON, an
# unwritable output (before the program runs).
run_memsup report "$J"
expect_status 2
expect_stderr 'nothing to write'
run_memsup report --collapsed "$F2"
expect_status 2
expect_stderr 'no run given'
echo '{"x": 1}' >"$WORK/other.json"
run_memsup report "$WORK/other.json" --collapsed "$F2"
expect_status 2
expect_stderr 'is not memsup JSON'
run_memsup report "$WORK/missing.json" --collapsed "$F2"
expect_status 2
expect_stderr 'cannot read'
run_memsup --collapsed "$WORK/no/such/dir/x.folded" samples/check-suite/check-suite
expect_status 2
expect_stderr 'cannot write'
[ -s "$WORK/stdout" ] && fail "the program ran although --collapsed cannot be written"
exit 0
