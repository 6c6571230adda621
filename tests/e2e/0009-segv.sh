#!/bin/sh
# segv: a program killed by SIGSEGV: exit status 128 + 11, its scope
# unfinished with the signal as reason, its metrics still reported
# (samples/segv/segv.c, SEGV_* in expect.sh).
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/segv/segv
ulimit -c 0	# no core file from the sample

run_memsup --json "$WORK/segv.json" samples/segv/segv
expect_status $SEGV_EXIT
expect_stdout "segv: crashing"
J=$WORK/segv.json
match_json "$J" '[.exit_status, .program_exit_status]' "[$SEGV_EXIT, $SEGV_EXIT]"
match_json "$J" '[.scopes[] | {name, status, reason}]' \
	'[{"name": "segv", "status": "unfinished", "reason": "killed by signal SIGSEGV"}]'
# leaked_* = the blocks live when the process died (2 of the 3).
match_metrics "$J" '.name == "segv"' "$(metrics_json $SEGV_ALLOCATIONS \
	$SEGV_FREES $SEGV_ALLOCATED $SEGV_PEAK $SEGV_LEAKED_BYTES \
	$SEGV_LEAKED_BLOCKS)"
expect_pids_gone "$J"
exit 0
