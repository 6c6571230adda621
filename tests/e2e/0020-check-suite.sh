#!/bin/sh
# check-suite: a real Check suite under its policy (docs/discovery.md). Per
# test: the exact figures of samples/check-suite/suite.h, the verdicts of
# limits.yaml, the classnames (TCase), the leak stacks' top frames and
# source lines, the filtered leaks not judged, loop tests as name[i] (in
# the reports and in the line each prints as it finishes), and the same
# figures in fork mode and with CK_FORK=no.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/check-suite/check-suite
H=samples/check-suite/suite.h

# The constants of suite.h, read from the header rather than copied.
c() { sed -n "s/^#define $1[[:space:]]*\([0-9]*\).*/\1/p" "$H"; }
CLEAN_BLOCKS=$(c CLEAN_BLOCKS) CLEAN_SIZE=$(c CLEAN_SIZE)
PEAK_BLOCKS=$(c PEAK_BLOCKS) PEAK_SIZE=$(c PEAK_SIZE) PEAK_LIMIT=$(c PEAK_LIMIT)
NODE_BLOCKS=$(c NODE_BLOCKS) NODE_SIZE=$(c NODE_SIZE)
LABEL_BLOCKS=$(c LABEL_BLOCKS) LABEL_SIZE=$(c LABEL_SIZE)
CACHE_SIZE=$(c CACHE_SIZE) LEAK_LIMIT=$(c LEAK_LIMIT)
COUNT_BLOCKS=$(c COUNT_BLOCKS) COUNT_SIZE=$(c COUNT_SIZE) COUNT_LIMIT=$(c COUNT_LIMIT)
FD_FILE_SIZE=$(c FD_FILE_SIZE)
FAIL_BLOCKS=$(c FAIL_BLOCKS) FAIL_SIZE=$(c FAIL_SIZE)
LOOP_BASE=$(c LOOP_BASE) LOOP_SIZE=$(c LOOP_SIZE) LOOP_LIMIT=$(c LOOP_LIMIT)
LOOP_ITERATIONS=$(c LOOP_ITERATIONS)
[ -n "$LOOP_LIMIT" ] && [ -n "$LOOP_ITERATIONS" ] || hard_error "cannot read the constants of $H"

check_run() {
	J=$1
	# name, classname, verdict, failed checks, in the order tests ran.
	match_json "$J" '[.scopes[] | {name, classname, status, checks: [.failures[].check]}]' \
	'[{"name": "test_clean", "classname": "Core", "status": "passed", "checks": []},
	  {"name": "test_leak", "classname": "Core", "status": "failed", "checks": ["limit_leaks"]},
	  {"name": "test_fd", "classname": "Core", "status": "failed", "checks": ["limit_fds"]},
	  {"name": "test_fail", "classname": "Core", "status": "unfinished", "checks": []},
	  {"name": "test_peak", "classname": "Limits", "status": "failed", "checks": ["limit_memory"]},
	  {"name": "test_count", "classname": "Limits", "status": "failed", "checks": ["max_allocations"]},
	  {"name": "test_loop[0]", "classname": "Limits", "status": "passed", "checks": []},
	  {"name": "test_loop[1]", "classname": "Limits", "status": "passed", "checks": []},
	  {"name": "test_loop[2]", "classname": "Limits", "status": "failed", "checks": ["max_allocated"]}]'

	# allocations frees allocated peak leaked_bytes leaked_blocks
	n=$CLEAN_BLOCKS b=$((CLEAN_BLOCKS * CLEAN_SIZE))
	match_metrics "$J" '.name == "test_clean"' "$(metrics_json $n $n $b $b 0 0)"
	n=$PEAK_BLOCKS b=$((PEAK_BLOCKS * PEAK_SIZE))
	match_metrics "$J" '.name == "test_peak"' "$(metrics_json $n $n $b $b 0 0)"
	n=$((NODE_BLOCKS + LABEL_BLOCKS + 1))
	b=$((NODE_BLOCKS * NODE_SIZE + LABEL_BLOCKS * LABEL_SIZE + CACHE_SIZE))
	match_metrics "$J" '.name == "test_leak"' "$(metrics_json $n 0 $b $b $b $n)"
	# One malloc+free pair at a time: the peak is one block.
	n=$COUNT_BLOCKS b=$((COUNT_BLOCKS * COUNT_SIZE))
	match_metrics "$J" '.name == "test_count"' "$(metrics_json $n $n $b $COUNT_SIZE 0 0)"
	match_metrics "$J" '.name == "test_fd"' \
		"$(metrics_json 1 0 $FD_FILE_SIZE $FD_FILE_SIZE $FD_FILE_SIZE 1 0 1)"
	for i in 0 1 2; do
		n=$((LOOP_BASE * (i + 1))) b=$((LOOP_BASE * (i + 1) * LOOP_SIZE))
		match_metrics "$J" ".name == \"test_loop[$i]\"" "$(metrics_json $n $n $b $b 0 0)"
	done

	# The failures' figures.
	match_json "$J" '[.scopes[] | .failures[] | {check, limit, value}]' \
	"[{\"check\": \"limit_leaks\", \"limit\": $LEAK_LIMIT, \"value\": $((NODE_BLOCKS * NODE_SIZE))},
	  {\"check\": \"limit_fds\", \"limit\": 0, \"value\": 1},
	  {\"check\": \"limit_memory\", \"limit\": $PEAK_LIMIT, \"value\": $((PEAK_BLOCKS * PEAK_SIZE))},
	  {\"check\": \"max_allocations\", \"limit\": $COUNT_LIMIT, \"value\": $COUNT_BLOCKS},
	  {\"check\": \"max_allocated\", \"limit\": $LOOP_LIMIT, \"value\": $((3 * LOOP_BASE * LOOP_SIZE))}]"

	# test_leak's three call stacks: the top frame is the helper that
	# called malloc, at its line (heap.c, cache.c); make_label's is
	# filtered for this test, cache.c's by the top-level filter.
	line_of() { grep -n "$2" "samples/check-suite/$1" | head -1 | cut -d: -f1; }
	match_json "$J" '[.scopes[] | select(.name == "test_leak") | .leaks[] | {bytes, blocks, filtered, function: .stack[0].function, file: (.stack[0].file | split("/") | last), line: .stack[0].line}]' \
	"[{\"bytes\": $((NODE_BLOCKS * NODE_SIZE)), \"blocks\": $NODE_BLOCKS, \"filtered\": false, \"function\": \"make_node\", \"file\": \"heap.c\", \"line\": $(line_of heap.c 'malloc(NODE_SIZE)')},
	  {\"bytes\": $((LABEL_BLOCKS * LABEL_SIZE)), \"blocks\": $LABEL_BLOCKS, \"filtered\": true, \"function\": \"make_label\", \"file\": \"heap.c\", \"line\": $(line_of heap.c 'malloc(LABEL_SIZE)')},
	  {\"bytes\": $CACHE_SIZE, \"blocks\": 1, \"filtered\": true, \"function\": \"cache_intern\", \"file\": \"cache.c\", \"line\": $(line_of cache.c 'malloc(CACHE_SIZE)')}]"
	# ... called from test_leak_fn, the test's own function.
	match_json "$J" '[.scopes[] | select(.name == "test_leak") | .leaks[].stack[1].function] | unique' '["test_leak_fn"]'

	# test_fd: the descriptor left open, and its FILE filtered (libc).
	match_json "$J" '[.scopes[] | select(.name == "test_fd") | .fds[] | .target]' '["/dev/null"]'
	match_json "$J" '[.scopes[] | select(.name == "test_fd") | .leaks[].filtered]' '[true]'

	# test_fail exits inside the test: unfinished, its own blocks still
	# counted as live (not judged), its reason says why.
	match_json "$J" '[.scopes[] | select(.name == "test_fail") | .reason]' \
		'["exited with status 1 inside the test"]'
	match_json "$J" "[.scopes[] | select(.name == \"test_fail\") | .leaks[] | select(.stack[0].function == \"alloc_blocks\") | {bytes, blocks}]" \
		"[{\"bytes\": $((FAIL_BLOCKS * FAIL_SIZE)), \"blocks\": $FAIL_BLOCKS}]"
}

# Fork mode (Check's default): each test in a child of its own.
J=$WORK/fork.json X=$WORK/fork.xml
run_memsup --policy samples/check-suite/limits.yaml --json "$J" \
	--junit-xml "$X" samples/check-suite/check-suite
expect_status 1		# --error-exitcode: limits failed
check_run "$J"
expect_pids_gone "$J"

# The line each test prints as it finishes already names the loop's
# runs: Check registered test_loop for LOOP_ITERATIONS runs, so its
# first is test_loop[0], not test_loop.
live_loop_lines() {
	grep -o '^memsup: [A-Z]* *test_loop[^ ]*' "$WORK/stderr" |
		sed 's/^memsup: [A-Z]* *//' | tr '\n' ' '
}
LOOP_NAMES=$(i=0; while [ $i -lt "$LOOP_ITERATIONS" ]; do
	printf 'test_loop[%d] ' $i; i=$((i + 1)); done)
[ "$(live_loop_lines)" = "$LOOP_NAMES" ] || {
	show_run
	fail "the lines printed as the loop's runs finish: $(live_loop_lines)"
}

# The JUnit file: valid against junit-10.xsd, and read by a CI-style
# reader with the counts of the verdicts above: 9 tests, 5 failed limits,
# 1 unfinished (an error).
schema=tests/junit/junit-10.xsd
xmllint --noout --schema "$schema" "$X" 2>"$WORK/xmllint.err" ||
	{ cat "$WORK/xmllint.err"; fail "$X does not validate against junit-10.xsd"; }
counts=$(/usr/bin/python3 "${0%/*}/junit-counts.py" "$X") ||
	fail "python3-junitparser cannot read $X"
[ "$counts" = "check-suite 9 5 1
counted 9 5 1" ] || fail "junitparser reads $X as: $counts"
grep -q 'classname="Limits" name="test_loop\[2\]"\|name="test_loop\[2\]" classname="Limits"' "$X" ||
	fail "$X has no testcase test_loop[2] in Limits"

# CK_FORK=no: the same tests in one process, the same figures; test_fail's
# failed assertion longjmps out of the test instead of exiting.
J=$WORK/nofork.json
CK_FORK=no run_memsup --policy samples/check-suite/limits.yaml --json "$J" \
	samples/check-suite/check-suite
expect_status 1
match_json "$J" '[.scopes[] | select(.name == "test_fail") | .reason | test("abandoned")]' '[true]'
[ "$(live_loop_lines)" = "$LOOP_NAMES" ] || {
	show_run
	fail "CK_FORK=no: the lines printed as the loop's runs finish: $(live_loop_lines)"
}
# Everything else as in fork mode: rewrite the one reason and compare.
jq '(.scopes[] | select(.name == "test_fail") | .reason) = "exited with status 1 inside the test"' \
	"$J" >"$WORK/nofork.norm.json" || hard_error "jq failed"
check_run "$WORK/nofork.norm.json"
expect_pids_gone "$J"
exit 0
