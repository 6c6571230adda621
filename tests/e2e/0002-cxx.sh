#!/bin/sh
# cxx: operator new/delete, new[]/delete[], std::vector<int> growth
# (samples/cxx/cxx.cc, CXX_* in expect.sh). operator new calling malloc is
# one allocation, operator delete calling free one free.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/cxx/cxx

run_memsup --json "$WORK/cxx.json" samples/cxx/cxx
expect_status 0
expect_stdout "cxx: done"
J=$WORK/cxx.json
match_json "$J" '[.scopes[] | {name, status}]' '[{"name": "cxx", "status": "passed"}]'
# libstdc++'s emergency pool (malloc(72704), never freed) is in these
# figures: its constructor runs before the entry point but after ld.so has
# mapped libc, when memsup arms the allocators (expect.sh).
match_metrics "$J" '.name == "cxx"' "$(metrics_json $CXX_ALLOCATIONS \
	$CXX_FREES $CXX_ALLOCATED $CXX_PEAK $CXX_LEAKED_BYTES $CXX_LEAKED_BLOCKS)"
expect_pids_gone "$J"
exit 0
