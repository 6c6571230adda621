#!/bin/sh
# A program that rewrites code memsup has a breakpoint in keeps its code:
# samples/harm/hotpatch writes a jump over malloc inside its test, while
# malloc's int3 is in place. When the test ends memsup lifts its allocator
# breakpoints, and must write its saved byte back only where its own int3
# still is: the program exits 0 (a byte written over the jump would crash
# it), memsup says it left the program's code alone, and the test's
# figures (the malloc calls before the patch) are exact.
. "${0%/*}/lib.sh"
require_memsup
require_prog jq
P=samples/harm/hotpatch
require_sample $P

# ENGINE: breakpoint (int3s, which memsup writes back) or inject (memsup's
# own jumps); with both the program keeps its patch and the figures are
# exact.
for engine in breakpoint inject; do
	run_memsup --engine=$engine --policy samples/harm/hotpatch.yaml --json "$WORK/hp.json" $P
	expect_status 0
	grep -qx 'patched calls 10' "$WORK/stdout" || { show_run; fail "$engine: the program's patched malloc was not called as expected"; }
	[ $engine = breakpoint ] && expect_stderr 'rewrote the code' 'malloc' 'leaves'
	set -- $(sed -n 's/^expect patch_test allocations \([0-9]*\) frees \([0-9]*\) allocated \([0-9]*\) peak \([0-9]*\) leaked \([0-9]*\)$/\1 \2 \3 \4 \5/p' "$WORK/stdout")
	[ $# = 5 ] || { show_run; fail "the program printed no expected figures"; }
	match_json "$WORK/hp.json" '.scopes[0].status' '"passed"'
	match_metrics "$WORK/hp.json" '.name == "patch_test"' "$(metrics_json "$1" "$2" "$3" "$4" "$5" 0)"
done
exit 0
