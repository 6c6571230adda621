#!/bin/sh
# A test that switches stacks is not abandoned: a ucontext coroutine that
# yields from inside a test to a scheduler running above it (on the main
# stack), and a test on a thread with a stack the program mapped whose
# SA_ONSTACK handler allocates on an alternate stack above it. Both
# programs exit 0 under memsup, every test passes, with exactly the
# figures the samples print from their own constants. When the switch
# cannot be told from a longjmp (the coroutine's stack carved out of the
# main stack), the test is closed early but its late return still goes
# back to its caller: the program finishes, memsup says so, nothing is
# killed. Both engines, the same figures. samples/harm/coroutine.c,
# samples/harm/altstack.c.
. "${0%/*}/lib.sh"
require_memsup
require_prog jq

# check_expected JSON STDOUT: every "expect NAME ..." line of the program
# matches its scope in JSON, which passed.
check_expected()
{
	n=0
	while read -r _ name _ alloc _ frees _ allocated _ peak _ leaked; do
		n=$((n + 1))
		match_json "$1" "[.scopes[] | select(.name == \"$name\")][0].status" '"passed"'
		match_metrics "$1" ".name == \"$name\"" \
		    "$(metrics_json "$alloc" "$frees" "$allocated" "$peak" "$leaked" 0)"
	done <<-EOF2
	$(grep '^expect ' "$2")
	EOF2
	[ $n -gt 0 ] || fail "the program printed no expected figures"
}

# figures PROG ENGINE: every scope's status and figures, for the engines'
# comparison.
figures()
{
	jq -c '[.scopes[] | [.name, .status, .metrics.allocations,
		.metrics.frees, .metrics.allocated_bytes, .metrics.peak_bytes,
		.metrics.leaked_bytes]]' "$WORK/$1.$2.json"
}

# Both engines judge a frame abandoned by the stack pointer's height only
# on the frame's own stack (the mapping its return slot is in), or when
# its slot holds another return address: the same figures, exactly.
for engine in breakpoint inject; do
	for prog in coroutine altstack; do
		P=samples/harm/$prog
		require_sample $P
		run_memsup --engine=$engine --policy samples/harm/stacks.yaml \
			--json "$WORK/$prog.$engine.json" $P
		expect_status 0
		grep -q 'killing\|trampoline\|returned after all' "$WORK/stderr" &&
			{ show_run; fail "$prog ($engine): memsup lost a return"; }
		check_expected "$WORK/$prog.$engine.json" "$WORK/stdout"
	done

	# The switch memsup cannot see: the coroutine's stack is in the main
	# stack's own mapping.
	run_memsup --engine=$engine --policy samples/harm/stacks.yaml \
		--json "$WORK/onstack.$engine.json" samples/harm/coroutine onstack
	expect_status 0
	grep -q '^expect later_test' "$WORK/stdout" ||
		{ show_run; fail "onstack ($engine): the program did not finish"; }
	expect_stderr 'returned after all'
	match_json "$WORK/onstack.$engine.json" \
		'[.scopes[] | select(.name == "coro_test")][0].status' '"unfinished"'
	grep '^expect later_test' "$WORK/stdout" >"$WORK/later.expect"
	check_expected "$WORK/onstack.$engine.json" "$WORK/later.expect"
done
for prog in coroutine altstack onstack; do
	[ "$(figures $prog breakpoint)" = "$(figures $prog inject)" ] || {
		figures $prog breakpoint
		figures $prog inject
		fail "$prog: the engines' figures differ"
	}
done
exit 0
