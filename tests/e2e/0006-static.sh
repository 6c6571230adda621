#!/bin/sh
# static: basic linked with libc.a, whose allocator is in the executable
# (.symtab). A static glibc allocates for its dlopen support after the entry
# point (expect.sh, STATIC_BASE_*), so the figures are basic's on top of
# that baseline, which "-n" (no heap work) measures alone.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/static/basic-static

S=samples/static/basic-static
# Under check-valgrind, memsup's environment carries valgrind's LD_PRELOAD
# to the program, and a static glibc allocates more at startup for it:
# the exact baseline holds only for a plain run.
[ -n "${MEMSUP_VALGRIND:-}" ] && skip "static baseline differs with valgrind's LD_PRELOAD in the environment"
run_memsup --json "$WORK/base.json" $S -n
expect_status 0
expect_stdout "basic: done"
B=$WORK/base.json
match_json "$B" '[.scopes[] | {name, status}]' '[{"name": "basic-static", "status": "passed"}]'
# The baseline: 5 blocks, none freed, so all live from the start to the end.
base=$(static_base_allocated)
match_metrics "$B" 'true' "$(metrics_json $STATIC_BASE_ALLOCATIONS 0 \
	$base $base $base $STATIC_BASE_ALLOCATIONS)"
expect_pids_gone "$B"

run_memsup --json "$WORK/static.json" $S 6
expect_status 6
expect_stdout "basic: done"
J=$WORK/static.json
match_json "$J" '[.scopes[] | {name, status}]' '[{"name": "basic-static", "status": "passed"}]'
match_metrics "$J" 'true' "$(metrics_json \
	$((STATIC_BASE_ALLOCATIONS + BASIC_ALLOCATIONS)) $BASIC_FREES \
	$((base + BASIC_ALLOCATED)) $((base + BASIC_PEAK)) \
	$((base + BASIC_LEAKED_BYTES)) \
	$((STATIC_BASE_ALLOCATIONS + BASIC_LEAKED_BLOCKS)))"
expect_pids_gone "$J"
exit 0
