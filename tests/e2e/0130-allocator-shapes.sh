#!/bin/sh
# Policy allocators of other shapes (samples/fixedpool, FPOOL_* in
# expect.sh): a fixed-size pool (size: 64, no size argument) whose free
# takes the block second (free_arg: 2) gives exact figures; described as
# malloc-shaped, or with the block read from the wrong argument, memsup
# says once that the allocator is probably misdescribed, naming it and the
# call, and counts none of those calls. Both engines alike.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/fixedpool/fixedpool samples/fixedpool/policy.yaml

for engine in inject breakpoint; do
	run_memsup --engine=$engine --json "$WORK/ok.json" --policy samples/fixedpool/policy.yaml \
		samples/fixedpool/fixedpool
	expect_status 0
	expect_stdout "fixedpool: done"
	match_metrics "$WORK/ok.json" '.name == "fpool_work"' "$(metrics_json \
		$FPOOL_ALLOCATIONS $FPOOL_FREES $FPOOL_ALLOCATED $FPOOL_PEAK \
		$FPOOL_LEAKED_BYTES $FPOOL_LEAKED_BLOCKS)"
	grep -q misdescribed "$WORK/stderr" && fail "a right description was called misdescribed"

	# The pool pointer read as the size: the address of a live block.
	run_memsup --engine=$engine --json "$WORK/bad.json" --policy samples/fixedpool/misdescribed.yaml \
		samples/fixedpool/fixedpool
	expect_status 0
	n=$(grep -c "allocator 'fpool_new_object' (policy line 9) is probably misdescribed" "$WORK/stderr")
	[ "$n" = 1 ] || { show_run; fail "expected one misdescribed message, got $n"; }
	grep -q "called fpool_new_object(0x[0-9a-f]*), which the policy reads as a block of .*, the address of a live block, not a size" \
		"$WORK/stderr" || { show_run; fail "the message does not name the call and its argument"; }
	# No object is counted, only the two mallocs. The first
	# fpool_free_object(mp, obj) reads as a free of the header mp (argument 1);
	# the next two and the final free(mp) are then of an unknown block.
	match_metrics "$WORK/bad.json" '.name == "fpool_work"' "$(metrics_json \
		2 2 $((32 + 4096)) $((32 + 4096)) 0 0 3)"

	# The right size, the block read from argument 1 (the pool).
	run_memsup --engine=$engine --json "$WORK/free.json" --policy samples/fixedpool/wrong-free.yaml \
		samples/fixedpool/fixedpool
	expect_status 0
	n=$(grep -c "probably misdescribed" "$WORK/stderr")
	[ "$n" = 1 ] || { show_run; fail "expected one misdescribed message, got $n"; }
	grep -q "called fpool_free_object(0x[0-9a-f]*), freeing 0x[0-9a-f]* (argument 1) a second time, which 'fpool_new_object' never returned" \
		"$WORK/stderr" || { show_run; fail "the free's message does not name the call"; }
	grep -q "hint: check its free_arg" "$WORK/stderr" || fail "no hint about free_arg"
done
exit 0
