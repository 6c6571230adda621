#!/bin/sh
# threads: four threads allocate at the same time; no event may be lost
# (samples/threads/threads.c, THREADS_* in expect.sh). Run a few times: a
# lost or doubled event under concurrency shows as a wrong count.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/threads/threads

for run in 1 2 3; do
	J=$WORK/threads.$run.json
	run_memsup --json "$J" samples/threads/threads
	expect_status 0
	expect_stdout "threads: done"
	# One process, one scope: threads are not scopes of their own.
	match_json "$J" '[.scopes[] | {name, status}]' \
		'[{"name": "threads", "status": "passed"}]'
	# The 4 unknown frees are the threads' tcaches, freed at thread exit
	# through free's entry but carved with _int_malloc (expect.sh).
	match_metrics "$J" '.name == "threads"' "$(metrics_json \
		$THREADS_ALLOCATIONS $THREADS_FREES $THREADS_ALLOCATED \
		$THREADS_PEAK $THREADS_LEAKED_BYTES $THREADS_LEAKED_BLOCKS \
		$THREADS_UNKNOWN_FREES)"
	expect_pids_gone "$J"
done
exit 0
