#!/bin/sh
# stepping: four threads call a custom allocator whose first instructions
# (lea; jmp) memsup cannot emulate, so each entry is single-stepped with
# the int3 lifted. Every sibling must be held meanwhile: a thread that ran
# through the lifted breakpoint would lose an event (docs/supervisor.md).
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/stepping/stepping

# samples/stepping/stepping.h: 4 threads x 5000 my_alloc/my_free pairs,
# plus one 272-byte DTV calloc'd by each pthread_create (glibc 2.36).
threads=4 rounds=5000
allocs=$((threads * rounds + threads))
frees=$((threads * rounds))
for run in 1 2 3; do
	J=$WORK/stepping.$run.json
	run_memsup --policy samples/stepping/policy.yaml --json "$J" \
		samples/stepping/stepping
	expect_status 0
	match_json "$J" '[.scopes[] | {name, status, allocations: .metrics.allocations, frees: .metrics.frees, leaked_blocks: .metrics.leaked_blocks, leaked_bytes: .metrics.leaked_bytes}]' \
		"[{\"name\": \"run\", \"status\": \"passed\", \"allocations\": $allocs, \"frees\": $frees, \"leaked_blocks\": $threads, \"leaked_bytes\": $((threads * 272))}]"
	expect_pids_gone "$J"
done
exit 0
