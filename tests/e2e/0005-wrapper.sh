#!/bin/sh
# wrapper: a shell script that execs samples/basic/basic. The script's shell
# is a scope, and after the exec the basic image is a new scope with the
# same pid and the same figures as when run directly (BASIC_* in expect.sh).
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/wrapper/wrapper samples/basic/basic

run_memsup --json "$WORK/wrapper.json" samples/wrapper/wrapper 4
expect_status 4
expect_stdout "basic: done"
J=$WORK/wrapper.json
match_json "$J" '[.exit_status, .program_exit_status]' '[4, 4]'
match_json "$J" '.program' '"samples/wrapper/wrapper"'
# Two images, in the order they ended: the shell (whatever dash allocates,
# and whatever name memsup gives it) then basic. No fork: one pid.
match_json "$J" '.scopes | length' 2
match_json "$J" '.scopes[-1] | [.name, .classname, .status, .executable]' \
	"[\"basic\", \"basic\", \"passed\", \"$(abspath samples/basic/basic)\"]"
match_json "$J" '.scopes[0].name != "basic"' true
match_json "$J" '.scopes[0].pid == .scopes[1].pid' true
match_metrics "$J" '.name == "basic"' "$(metrics_json $BASIC_ALLOCATIONS \
	$BASIC_FREES $BASIC_ALLOCATED $BASIC_PEAK $BASIC_LEAKED_BYTES \
	$BASIC_LEAKED_BLOCKS)"
expect_pids_gone "$J"
exit 0
