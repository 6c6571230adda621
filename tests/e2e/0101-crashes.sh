#!/bin/sh
# Programs that fail inside and outside a test (docs/discovery.md):
# SIGSEGV, abort(), a double free (glibc aborts), exit() inside a test,
# _exit() in a child forked inside a test, a longjmp out of a test, a C++
# exception thrown through a test boundary. The program's status passes
# through (128+N for a signal); a test the fault interrupted is unfinished
# with the reason, its figures still reported; the tests that finished are
# reported in full. samples/faults/faults.c (figures in its comment),
# samples/faults/throw.cc.
. "${0%/*}/lib.sh"
require_memsup
F=samples/faults/faults
POL=samples/faults/faults.yaml
require_sample $F samples/faults/throw
ulimit -c 0	# no core files

# fault_test's heap work before any fault: 3 / 1 / 600 / 600 / 500 in 2.
FAULT=$(metrics_json 3 1 600 600 500 2)
LATER=$(metrics_json 1 1 1000 1000 0 0)

# run_fault MODE STATUS: memsup with the policy on faults MODE exits STATUS;
# J is the JSON, X the JUnit XML (when memsup writes it).
run_fault()
{
	J=$WORK/$1.json X=$WORK/$1.xml
	# shellcheck disable=SC2046
	run_memsup --policy $POL --json "$J" $(junit_opt "$X") $F "$1"
	expect_status "$2"
	match_json "$J" '[.exit_status, .program_exit_status]' "[$2, $2]"
}

# SIGSEGV inside the test: unfinished, the signal named, figures kept.
run_fault segv-in 139
match_json "$J" '[.scopes[] | .name]' '["fault_test"]'
match_json "$J" '.scopes[0] | [.status, (.reason | test("SIGSEGV"))]' '["unfinished", true]'
match_metrics "$J" '.name == "fault_test"' "$FAULT"
expect_junit "$X" 1
expect_pids_gone "$J"

# SIGSEGV outside any test: the test before it passed, in full.
run_fault segv-out 139
match_json "$J" '[.scopes[] | {name, status}]' '[{"name": "fault_test", "status": "passed"}]'
match_metrics "$J" '.name == "fault_test"' "$FAULT"
match_json "$J" '.scopes[0].leaks | map(.bytes) | sort' '[200, 300]'
expect_junit "$X" 0
expect_pids_gone "$J"
# ... and without a policy: the process's scope is unfinished.
run_memsup --json "$WORK/segv-nopol.json" $F segv-out
expect_status 139
J=$WORK/segv-nopol.json
match_json "$J" '.scopes[0] | [.status, (.reason | test("SIGSEGV"))]' '["unfinished", true]'
match_metrics "$J" 'true' "$FAULT"
expect_pids_gone "$J"

# abort(): SIGABRT, 134.
run_fault abort 134
match_json "$J" '.scopes[0] | [.name, .status, (.reason | test("SIGABRT"))]' \
	'["fault_test", "unfinished", true]'
match_metrics "$J" '.name == "fault_test"' "$FAULT"
expect_junit "$X" 1
expect_pids_gone "$J"

# A double free: glibc detects it and aborts (134). Not hidden: glibc's
# own message reaches stderr, and the second free of b is a free memsup
# did not see allocated (unknown_frees 1); b's 200 bytes were freed once.
run_fault double-free 134
expect_stderr 'double free'
match_json "$J" '.scopes[0] | [.name, .status, (.reason | test("SIGABRT"))]' \
	'["fault_test", "unfinished", true]'
match_metrics "$J" '.name == "fault_test"' "$(metrics_json 3 2 600 600 300 1 1)"
expect_junit "$X" 1
expect_pids_gone "$J"

# exit(7) inside the test: 7 passes through, the reason says so.
run_fault exit-in 7
match_json "$J" '[.scopes[] | {name, status, reason}]' \
	'[{"name": "fault_test", "status": "unfinished", "reason": "exited with status 7 inside the test"}]'
match_metrics "$J" '.name == "fault_test"' "$FAULT"
expect_junit "$X" 1
expect_pids_gone "$J"

# A longjmp out of the test: unfinished (abandoned frame), and the next
# test is measured exactly; the program goes on to exit 0.
run_fault longjmp 0
expect_stdout "$(sed -n 1p "$WORK/stdout")
longjmp: back in main
faults: done"
match_json "$J" '[.scopes[] | {name, status}]' \
	'[{"name": "fault_test", "status": "unfinished"}, {"name": "later_test", "status": "passed"}]'
match_json "$J" '.scopes[0].reason | test("abandon|longjmp")' true
match_metrics "$J" '.name == "fault_test"' "$FAULT"
match_metrics "$J" '.name == "later_test"' "$LATER"
expect_junit "$X" 1
expect_pids_gone "$J"

# A child forked inside the test mallocs 256 and _exit(3)s there. The
# parent's test passes in full. The child's side is checked at the end of
# this file.
run_fault fork-exit 0
grep -qx 'child status 3' "$WORK/stdout" || { show_run; fail "the child's status did not reach the parent"; }
ppid=$(sed -n 's/^pid //p' "$WORK/stdout")
match_json "$J" "[.scopes[] | select(.pid == $ppid) | {name, status}]" \
	'[{"name": "fault_test", "status": "passed"}, {"name": "later_test", "status": "passed"}]'
match_metrics "$J" ".name == \"fault_test\" and .pid == $ppid" "$FAULT"
match_metrics "$J" ".name == \"later_test\"" "$LATER"
expect_pids_gone "$J"
FORK_J=$J FORK_PPID=$ppid	# the child's scope: checked last, below
# Without a policy: two processes, the child's own figures exact.
run_memsup --json "$WORK/fork-nopol.json" $F fork-exit
expect_status 0
J=$WORK/fork-nopol.json
ppid=$(sed -n 's/^pid //p' "$WORK/stdout")
match_json "$J" '.scopes | length' 2
match_metrics "$J" ".pid != $ppid" "$(metrics_json 1 0 256 256 256 1)"
match_metrics "$J" ".pid == $ppid" "$(metrics_json 4 2 1600 1500 500 2)"
expect_pids_gone "$J"

# A C++ exception thrown through a test boundary: the program is not
# terminated (its caller catches), the test is unfinished with a reason
# that names the abandoned frame or the exception, and the next test is
# measured exactly. throwing_test made at least its two new[] (the
# exception object and the runtime_error's string are libstdc++'s).
J=$WORK/throw.json X=$WORK/throw.xml
# shellcheck disable=SC2046
run_memsup --policy samples/faults/throw.yaml --json "$J" $(junit_opt "$X") \
	samples/faults/throw
expect_status 0
expect_stdout "caught
throw: done"
match_json "$J" '[.scopes[] | {name, status}]' \
	'[{"name": "throwing_test", "status": "unfinished"}, {"name": "later_test", "status": "passed"}]'
match_json "$J" '.scopes[0].reason | test("abandon|exception")' true
match_json "$J" '.scopes[0].metrics | [.allocations >= 2, .allocated_bytes >= 300]' '[true, true]'
match_metrics "$J" '.name == "later_test"' "$LATER"
expect_junit "$X" 1
expect_pids_gone "$J"

# The child forked inside fault_test: a scope belongs to one process
# (docs/discovery.md), so with a policy the child has no copy of the test and no
# scope of its own (docs/supervisor.md "Follow"); its exit inside the
# test did not disturb the parent's results above.
match_json "$FORK_J" "[.scopes[] | select(.pid != $FORK_PPID)] | length" 0
exit 0
