#!/bin/sh
# basic: the C allocator family with known figures (samples/basic/basic.h,
# BASIC_* in expect.sh); the JSON document's top level; exit status and
# stdout pass through; the baseline (-n) is empty.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/basic/basic

BASIC=samples/basic/basic
EXE=$(abspath $BASIC)

# Plain run: the program's exit status 0 and its stdout, untouched.
run_memsup --json "$WORK/basic.json" ./$BASIC
expect_status 0
expect_stdout "basic: done"
J=$WORK/basic.json
match_json "$J" '.memsup_version | type' '"string"'
match_json "$J" '.program' '"./samples/basic/basic"'
match_json "$J" '.argv' '["./samples/basic/basic"]'
match_json "$J" '.policy' 'null'
match_json "$J" '.exit_status' 0
match_json "$J" '.program_exit_status' 0
match_json "$J" '.scopes | length' 1
match_json "$J" '.scopes[0] | {name, classname, executable, command, status, reason}' \
	"{\"name\": \"basic\", \"classname\": \"basic\", \"executable\": \"$EXE\",
	  \"command\": \"./samples/basic/basic\", \"status\": \"passed\", \"reason\": null}"
match_json "$J" '.scopes[0].pid | type' '"number"'
match_metrics "$J" '.name == "basic"' "$(metrics_json $BASIC_ALLOCATIONS \
	$BASIC_FREES $BASIC_ALLOCATED $BASIC_PEAK $BASIC_LEAKED_BYTES \
	$BASIC_LEAKED_BLOCKS)"
expect_pids_gone "$J"

# Its own exit status passes through, and the arguments reach the program.
run_memsup --json "$WORK/status.json" -- ./$BASIC 5
expect_status 5
expect_stdout "basic: done"
J=$WORK/status.json
match_json "$J" '[.exit_status, .program_exit_status]' '[5, 5]'
match_json "$J" '.argv' '["./samples/basic/basic", "5"]'
match_json "$J" '.scopes[0] | [.name, .command, .status]' \
	'["basic", "./samples/basic/basic 5", "passed"]'
match_metrics "$J" 'true' "$(metrics_json $BASIC_ALLOCATIONS $BASIC_FREES \
	$BASIC_ALLOCATED $BASIC_PEAK $BASIC_LEAKED_BYTES $BASIC_LEAKED_BLOCKS)"
expect_pids_gone "$J"

# An option after PROGRAM is the program's: -n, no heap work at all. Nothing
# before main allocates in a dynamic C program on glibc 2.36 (valgrind: 0
# allocs), so every figure is 0.
run_memsup --json "$WORK/idle.json" $BASIC -n
expect_status 0
expect_stdout "basic: done"
match_json "$WORK/idle.json" '.argv' '["samples/basic/basic", "-n"]'
match_metrics "$WORK/idle.json" '.name == "basic"' "$(metrics_json 0 0 0 0 0 0)"
expect_pids_gone "$WORK/idle.json"

# Without --json the report goes to stderr only: stdout is the program's.
run_memsup ./$BASIC 3
expect_status 3
expect_stdout "basic: done"
[ -s "$WORK/stderr" ] || fail "memsup printed no report on stderr"
exit 0
