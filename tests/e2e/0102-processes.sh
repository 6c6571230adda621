#!/bin/sh
# Many processes and threads (docs/discovery.md): 200 children forked
# as fast as the parent can; fork + exec /bin/true in each child; vfork +
# exec; a process made with a raw clone3 syscall; 16 threads allocating
# while another thread calls exit(); a main thread that calls pthread_exit
# while the others allocate. No hang, no event lost, exact figures.
# samples/faults/faults.c and threads.c (figures in their comments).
. "${0%/*}/lib.sh"
require_memsup
F=samples/faults/faults
T=samples/faults/threads
require_sample $F $T
EXE=$(abspath $F)
TRUE=$(readlink -f /bin/true)

# 200 children: 201 scopes. The parent: malloc(48) kept. Child i: its scope
# starts at the fork (the 48 bytes it inherits are not its own), one
# malloc(8*(i+1)) kept: 1 / 0 / 8(i+1) / 8(i+1) / 8(i+1) in 1. Children
# are told apart by their size: the set of sizes is exactly 8, 16, ... 1600.
N=200
run_memsup --json "$WORK/fork.json" $F fork $N
expect_status 0
ppid=$(sed -n 's/^pid //p' "$WORK/stdout")
expect_stdout "pid $ppid
children $N"
J=$WORK/fork.json
match_json "$J" '.scopes | length' $((N + 1))
match_json "$J" "[.scopes[] | select(.executable != \"$EXE\" or .name != \"faults\" or .status != \"passed\")] | length" 0
match_metrics "$J" ".pid == $ppid" "$(metrics_json 1 0 48 48 48 1)"
match_json "$J" "[.scopes[] | select(.pid != $ppid) | .metrics
	| select(.allocations == 1 and .frees == 0 and .unknown_frees == 0
		 and .peak_bytes == .allocated_bytes and .leaked_bytes == .allocated_bytes
		 and .leaked_blocks == 1) | .allocated_bytes] | sort" \
	"[range(1; $((N + 1))) | . * 8]"
match_json "$J" '[.scopes[].pid] | unique | length' $((N + 1))
expect_pids_gone "$J"

# fork + exec /bin/true in 20 children: each child is two images, the
# fork's (nothing allocated before the exec) and true's (a C program that
# allocates nothing in the C locale); 1 + 2*20 scopes.
N=20
run_memsup --json "$WORK/forkexec.json" $F forkexec $N
expect_status 0
J=$WORK/forkexec.json
match_json "$J" '.scopes | length' $((1 + 2 * N))
match_json "$J" "[.scopes[] | select(.executable == \"$TRUE\")] | length" $N
match_json "$J" "[.scopes[] | select(.executable == \"$TRUE\") | .status] | unique" '["passed"]'
match_metrics "$J" ".pid == $(sed -n 's/^pid //p' "$WORK/stdout")" "$(metrics_json 1 0 48 48 48 1)"
match_json "$J" "[.scopes[] | select(.metrics.allocations > 0)] | length" 1
expect_pids_gone "$J"

# vfork + exec: the child shares the parent's memory (and breakpoints)
# until its exec; three scopes: parent, vfork child, true.
run_memsup --json "$WORK/vfork.json" $F vfork
expect_status 0
grep -qx 'vfork: done' "$WORK/stdout" || { show_run; fail "vfork: the parent did not finish"; }
J=$WORK/vfork.json
match_json "$J" '[.scopes[] | .executable] | sort' "[\"$EXE\", \"$EXE\", \"$TRUE\"] | sort"
match_json "$J" '[.scopes[] | .status] | unique' '["passed"]'
match_json "$J" '[.scopes[] | .metrics.allocations] | add' 0
expect_pids_gone "$J"

# clone3 (a process: no CLONE_VM): followed like a fork; the child's
# malloc(700) is its own, its _exit(5) reaches the parent.
run_memsup --json "$WORK/clone3.json" $F clone3
expect_status 0
grep -qx 'clone3: child status 5' "$WORK/stdout" || { show_run; fail "clone3: the child's status did not reach the parent"; }
ppid=$(sed -n 's/^pid //p' "$WORK/stdout")
J=$WORK/clone3.json
match_json "$J" '.scopes | length' 2
match_metrics "$J" ".pid == $ppid" "$(metrics_json 0 0 0 0 0 0)"
match_metrics "$J" ".pid != $ppid" "$(metrics_json 1 0 700 700 700 1)"
expect_pids_gone "$J"

# 16 threads allocating at once (malloc(64) + free, forever) while a 17th
# calls exit(9) after at least 1600 of their allocations: no hang, 9 passes
# through, and memsup saw at least the allocations the program had counted
# when it exited. Three runs (the race differs each time), pinned and not.
for opt in "" "" --no-pin; do
	run_memsup --json "$WORK/texit.json" $opt $T exit
	expect_status 9
	made=$(sed -n 's/^exiting after //p' "$WORK/stdout")
	[ -n "$made" ] || { show_run; fail "threads exit: the program did not say how many it made"; }
	J=$WORK/texit.json
	match_json "$J" '[.exit_status, .program_exit_status]' '[9, 9]'
	match_json "$J" '.scopes | length' 1
	match_json "$J" ".scopes[0].metrics | [.allocations >= $made, .frees >= $made - 16,
		.allocations - .frees <= 16 + 17, .allocated_bytes == 64 * (.allocations - 17) + 17 * 272]" \
		'[true, true, true, true]'
	expect_pids_gone "$J"
done

# The main thread calls pthread_exit while 4 threads allocate; the last
# thread's end is the process's exit (0). pthread_exit loads libgcc_s.so.1
# to unwind the main thread (like dlopen: 7 blocks, 4134 bytes, one freed at
# once: 36 + 1238 + 36 + 56 + 19*24 + 8 + 2304; valgrind sees the same
# "211 allocs, 101 frees, 37,222 bytes"). Threads: 4*50 + 4 DTVs; frees
# 4*25 + 1; allocated 33088 + 4134; live at exit 17088 + 4126 in 104 + 6.
for opt in "" --no-pin; do
	run_memsup --json "$WORK/tmain.json" $opt $T main
	expect_status 0
	expect_stdout "main: pthread_exit"
	J=$WORK/tmain.json
	match_json "$J" '.scopes | length' 1
	match_json "$J" '.scopes[0].metrics | {allocations, frees, allocated_bytes, leaked_bytes, leaked_blocks}' \
		'{"allocations": 211, "frees": 101, "allocated_bytes": 37222, "leaked_bytes": 21214, "leaked_blocks": 110}'
	expect_pids_gone "$J"
done
exit 0
