#!/bin/sh
# dlopen: allocations made by a library loaded at run time are seen, and so
# are dlopen's own (docs/discovery.md). samples/dlopen, DLOPEN_* in expect.sh.
#
# Exact yet robust: dlopen's own blocks depend on glibc and on the library's
# path, so the library's figures are asserted as the difference between a
# run that calls lib_work() and one that only opens and closes the library
# (-n); the baseline itself is asserted against its glibc 2.36 figures,
# which 0014-valgrind.sh checks independently.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/dlopen/dlopen samples/dlopen/liballoc.so

run_memsup --json "$WORK/base.json" samples/dlopen/dlopen -n
expect_status 0
expect_stdout "dlopen: done"
B=$WORK/base.json
match_json "$B" '[.scopes[] | {name, status}]' '[{"name": "dlopen", "status": "passed"}]'
match_metrics "$B" 'true' "$(metrics_json $DLOPEN_BASE_ALLOCATIONS \
	$DLOPEN_BASE_FREES $(dlopen_base_allocated) $(dlopen_base_peak) \
	$DLOPEN_BASE_LEAKED_BYTES $DLOPEN_BASE_LEAKED_BLOCKS)"
expect_pids_gone "$B"

run_memsup --json "$WORK/dlopen.json" samples/dlopen/dlopen
expect_status 0
expect_stdout "dlopen: done"
J=$WORK/dlopen.json
match_json "$J" '[.scopes[] | {name, status}]' '[{"name": "dlopen", "status": "passed"}]'
# The run with lib_work() = the baseline + lib_work's figures, key by key
# (its blocks are all allocated while the baseline is at its peak).
for key in allocations frees allocated_bytes peak_bytes leaked_bytes \
		leaked_blocks unknown_frees; do
	case $key in
	allocations) d=$DLOPEN_WORK_ALLOCATIONS;;
	frees) d=$DLOPEN_WORK_FREES;;
	allocated_bytes) d=$DLOPEN_WORK_ALLOCATED;;
	peak_bytes) d=$DLOPEN_WORK_PEAK;;
	leaked_bytes) d=$DLOPEN_WORK_LEAKED_BYTES;;
	leaked_blocks) d=$DLOPEN_WORK_LEAKED_BLOCKS;;
	unknown_frees) d=0;;
	esac
	b=$(json_get "$B" ".scopes[0].metrics.$key")
	match_json "$J" ".scopes[0].metrics.$key - $b" "$d"
done
expect_pids_gone "$J"
exit 0
