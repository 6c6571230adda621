#!/bin/sh
# pool: a custom allocator named by the policy (allocators: pool_alloc with
# size_arg 2, pool_free), counted like malloc in the test boundary pool_work
# (samples/pool, POOL_* in expect.sh). main's own malloc and free outside
# pool_work are not in the scope.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/pool/pool samples/pool/policy.yaml

run_memsup --json "$WORK/pool.json" --policy samples/pool/policy.yaml \
	samples/pool/pool
expect_status 0
expect_stdout "pool: done"
J=$WORK/pool.json
match_json "$J" '.policy' '"samples/pool/policy.yaml"'
match_json "$J" '[.scopes[] | select(.name == "pool_work") | .status]' '["passed"]'
match_json "$J" '[.scopes[] | select(.name == "pool_work") | .executable]' \
	"[\"$(abspath samples/pool/pool)\"]"
match_metrics "$J" '.name == "pool_work"' "$(metrics_json $POOL_ALLOCATIONS \
	$POOL_FREES $POOL_ALLOCATED $POOL_PEAK $POOL_LEAKED_BYTES \
	$POOL_LEAKED_BLOCKS)"
expect_pids_gone "$J"
exit 0
