#!/bin/sh
# engines: the in-process engine (the default) and the breakpoint engine
# give the same figures, statuses and leak stacks for every sample: the
# same calls count, the same blocks leak, from the same frames. Check's
# fork and no-fork modes both. Addresses differ between runs (ASLR), so
# frames are compared by function, file and line.
. "${0%/*}/lib.sh"
require_memsup
require_prog jq

norm='[.exit_status, .program_exit_status,
	(.scopes | sort_by(.name, .pid) | map({name, classname, status, reason,
		metrics, checks: [.failures[].check],
		leaks: [.leaks[] | {bytes, blocks, filtered,
			stack: [.stack[] | {function, file, line}]}]}))]'

compare()
{
	label=$1
	shift
	for engine in inject breakpoint; do
		run_memsup --engine=$engine --json "$WORK/$label.$engine.json" "$@"
		[ -s "$WORK/$label.$engine.json" ] || {
			show_run
			fail "$label: no JSON from the $engine engine"
		}
		jq -S "$norm" "$WORK/$label.$engine.json" \
			>"$WORK/$label.$engine.norm" ||
			hard_error "$label: jq failed on the $engine engine's JSON"
	done
	diff -u "$WORK/$label.breakpoint.norm" "$WORK/$label.inject.norm" \
		>"$WORK/$label.diff" ||
		fail "$label: the engines differ: $(head -40 "$WORK/$label.diff")"
	# something was measured, or the comparison proves nothing
	[ "$(jq '[.scopes[].metrics.allocations] | add' \
		"$WORK/$label.inject.json")" -gt 0 ] ||
		fail "$label: no allocation seen by either engine"
}

for sample in basic/basic cxx/cxx threads/threads fork/fork dlopen/dlopen \
	churn/churn; do
	require_sample samples/$sample
	compare "${sample%%/*}" samples/$sample
done
compare static samples/static/basic-static 6
compare pool --policy samples/pool/policy.yaml samples/pool/pool
compare gtest --policy samples/gtest-like/policy.yaml \
	samples/gtest-like/gtest-like
compare recursion --policy samples/recursion/policy.yaml \
	samples/recursion/recursion
compare check-fork --policy samples/check-suite/limits.yaml \
	samples/check-suite/check-suite
export CK_FORK=no
compare check-nofork --policy samples/check-suite/limits.yaml \
	samples/check-suite/check-suite
exit 0
