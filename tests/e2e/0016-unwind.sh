#!/bin/sh
# unwind: the cached CFI rules (supervisor/unwind.c) against libunwind.
#
# MEMSUP_UNWIND=check unwinds every stack both ways, reports libunwind's
# and warns where the two differ; -v counts, per process, the stacks
# unwound, those done by the rules alone and the differences. On every
# dynamic sample the two must agree on every stack, and the figures of
# every scope must be those of the default run (leak filters and
# per-stack limits read the stacks). On the static sample libunwind 1.6.2
# loses the frames under main, and the rules must give the whole chain
# down to _start (docs/design/stacks.md). Also: thread stacks reach
# __clone3, and an allocation costs one process_vm_readv.
. "${0%/*}/lib.sh"
require_memsup
for p in basic cxx threads fork dlopen pool churn stepping gtest-like \
	recursion check-suite; do
	require_sample samples/$p/$p
done
require_sample samples/static/basic-static

# The scopes' figures, in a form to compare between runs (processes end
# in any order; with threads, the peak depends on their interleaving).
figures()
{
	jq -S --argjson racy "${RACY:-0}" '[.scopes[] |
		{name, status, reason,
		 metrics: (if $racy == 1 then .metrics | del(.peak_bytes)
			   else .metrics end),
		leaks: [.leaks[]? | {bytes, blocks, filtered,
			stack: [.stack[] | [.function, .file, .line]]}]}] | sort' "$1"
}

# compare_modes NAME STATUS MEMSUP-ARGS...: the default run and the check
# run exit with STATUS, agree on every stack and report the same figures.
compare_modes()
{
	cm_name=$1 cm_status=$2
	shift 2
	run_memsup --json "$WORK/$cm_name-rules.json" "$@"
	expect_status "$cm_status"
	MEMSUP_UNWIND=check run_memsup -v --json "$WORK/$cm_name-check.json" "$@"
	expect_status "$cm_status"
	if grep -q "the CFI rules give" "$WORK/stderr"; then
		show_run
		fail "$cm_name: the CFI rules and libunwind differ"
	fi
	grep "stacks unwound" "$WORK/stderr" >"$WORK/$cm_name-unwound" ||
		{ show_run; fail "$cm_name: -v does not count the stacks unwound"; }
	if grep -v ", 0 differences$" "$WORK/$cm_name-unwound"; then
		show_run
		fail "$cm_name: a process counts differences"
	fi
	figures "$WORK/$cm_name-rules.json" >"$WORK/$cm_name-rules.fig"
	figures "$WORK/$cm_name-check.json" >"$WORK/$cm_name-check.fig"
	if ! cmp -s "$WORK/$cm_name-rules.fig" "$WORK/$cm_name-check.fig"; then
		diff -u "$WORK/$cm_name-rules.fig" "$WORK/$cm_name-check.fig" | head -40
		fail "$cm_name: the figures differ between the rules and libunwind"
	fi
}

compare_modes basic 0 samples/basic/basic
# Every frame of basic's stacks (basic, libc, _start) has a CFA of the
# plain form: all of them are unwound by the rules alone.
unwound=$(sed -n 's/.*: \([0-9]*\) stacks unwound, \([0-9]*\) by CFI rules alone.*/\1 \2/p' \
	"$WORK/basic-unwound")
set -- $unwound
[ $# = 2 ] && [ "$1" -gt 0 ] && [ "$1" = "$2" ] ||
	fail "basic: not every stack was unwound by the rules alone: $unwound"

compare_modes cxx 0 samples/cxx/cxx
RACY=1 compare_modes threads 0 samples/threads/threads
# Every thread's stack reaches the bottom of the thread, however close
# glibc mapped it to libc's text (a guess that cut a pc within 64 MiB
# of the stack pointer once ended them at worker).
match_json "$WORK/threads-rules.json" \
	'[.scopes[0].leaks[] | select(.stack[0].function == "worker") |
	  [.stack[].function]] | unique' \
	'[["worker", "start_thread", "__clone3"]]'
compare_modes fork 0 samples/fork/fork
compare_modes dlopen 0 samples/dlopen/dlopen
compare_modes pool 0 --policy samples/pool/policy.yaml samples/pool/pool
compare_modes churn 0 samples/churn/churn 200
RACY=1 compare_modes stepping 0 --policy samples/stepping/policy.yaml \
	samples/stepping/stepping
compare_modes gtest-like 1 --policy samples/gtest-like/policy.yaml \
	samples/gtest-like/gtest-like
compare_modes recursion 1 --policy samples/recursion/policy.yaml \
	samples/recursion/recursion
compare_modes check-suite 1 --policy samples/check-suite/limits.yaml \
	samples/check-suite/check-suite

# Breakpoint engine: one copy of the stack per allocation: the return
# address, the unwind and every other word the event reads come from one
# process_vm_readv. 1000 more malloc/free pairs of churn (no policy: no
# test slot to read; a free reads nothing) are exactly 1000 more reads
# (strace on memsup). The in-process engine reads nothing per event: the
# stacks are walked in the program, so 1000 more pairs are 0 more reads.
if command -v strace >/dev/null 2>&1; then
	reads() {
		strace -c -e trace=process_vm_readv -o "$WORK/readv.$1.$2" \
			"$MEMSUP" -q --engine="$2" samples/churn/churn "$1" \
			>/dev/null 2>&1
		awk '$NF == "process_vm_readv" { print $4 }' "$WORK/readv.$1.$2"
	}
	for engine in breakpoint inject; do
		r100=$(reads 100 $engine) r1100=$(reads 1100 $engine)
		[ -n "$r100" ] && [ -n "$r1100" ] ||
			hard_error "strace -c counted no process_vm_readv ($engine)"
		want=1000
		[ $engine = inject ] && want=0
		[ $((r1100 - r100)) = $want ] ||
			fail "$engine: 1000 more allocations made $((r1100 - r100)) more reads ($r100, $r1100)"
	done
fi

# Static: main's leak (basic_resize, samples/basic/heap.c) is unwound
# through glibc's start code to _start, which has no caller
# (--full-stacks; by default the report ends the stack at main).
run_memsup --full-stacks --all-stacks --json "$WORK/static.json" samples/static/basic-static
expect_status 0
match_json "$WORK/static.json" \
	'[.scopes[0].leaks[] | select(.stack[0].function == "basic_resize") |
	  [.stack[].function]]' \
	'[["basic_resize", "main", "__libc_start_call_main",
	   "__libc_start_main_impl", "_start"]]'
run_memsup --all-stacks --json "$WORK/static.json" samples/static/basic-static
match_json "$WORK/static.json" \
	'[.scopes[0].leaks[] | select(.stack[0].function == "basic_resize") |
	  [.stack[].function]]' '[["basic_resize", "main"]]'

# MEMSUP_UNWIND=libunwind: the same figures on a dynamic program.
run_memsup --json "$WORK/lu.json" samples/basic/basic
figures "$WORK/lu.json" >"$WORK/lu-rules.fig"
MEMSUP_UNWIND=libunwind run_memsup --json "$WORK/lu.json" samples/basic/basic
expect_status 0
figures "$WORK/lu.json" >"$WORK/lu-libunwind.fig"
cmp -s "$WORK/lu-rules.fig" "$WORK/lu-libunwind.fig" ||
	fail "MEMSUP_UNWIND=libunwind: other figures than the rules"

# A value memsup does not know is a usage error, before the program runs.
MEMSUP_UNWIND=fast run_memsup --json "$WORK/fast.json" samples/basic/basic
expect_status 2
expect_stderr "MEMSUP_UNWIND=fast: not an unwinder" "rules.*libunwind.*check"
expect_no_program_run "$WORK/fast.json"
exit 0
