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
# killed. samples/harm/coroutine.c, samples/harm/altstack.c.
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

# The breakpoint engine sees each frame's return slot and stack: exact.
for prog in coroutine altstack; do
	P=samples/harm/$prog
	require_sample $P
	run_memsup --engine=breakpoint --policy samples/harm/stacks.yaml --json "$WORK/$prog.json" $P
	expect_status 0
	grep -q 'killing\|trampoline' "$WORK/stderr" && { show_run; fail "$prog: memsup lost a return"; }
	check_expected "$WORK/$prog.json" "$WORK/stdout"
done

# The switch memsup cannot see: the coroutine's stack is in the main
# stack's own mapping.
run_memsup --engine=breakpoint --policy samples/harm/stacks.yaml --json "$WORK/onstack.json" samples/harm/coroutine onstack
expect_status 0
grep -q '^expect later_test' "$WORK/stdout" || { show_run; fail "the program did not finish"; }
expect_stderr 'returned after all'
match_json "$WORK/onstack.json" '[.scopes[] | select(.name == "coro_test")][0].status' '"unfinished"'
grep '^expect later_test' "$WORK/stdout" >"$WORK/later.expect"
check_expected "$WORK/onstack.json" "$WORK/later.expect"

# The in-process engine: the programs finish as natively and the tests
# after the switch are exact (the recorder judges a frame by the stack
# pointer's height alone: a test that switched stacks may be closed early).
for args in coroutine altstack "coroutine onstack"; do
	# shellcheck disable=SC2086
	set -- $args
	run_memsup --engine=inject --policy samples/harm/stacks.yaml --json "$WORK/inject.json" samples/harm/$1 ${2:-}
	expect_status 0
	grep '^expect later_test' "$WORK/stdout" >"$WORK/later.expect"
	check_expected "$WORK/inject.json" "$WORK/later.expect"
done
exit 0
