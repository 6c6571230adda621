#!/bin/sh
# fork: every forked child is a scope of its own, counted from the fork; the
# parent's scope ends last (samples/fork/fork.c, FORK_* in expect.sh).
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/fork/fork

run_memsup --json "$WORK/fork.json" samples/fork/fork
expect_status 0
J=$WORK/fork.json
EXE=$(abspath samples/fork/fork)

# The sample prints "parent PID" and "child I PID" lines (11 in all).
parent=$(sed -n 's/^parent \([0-9]*\)$/\1/p' "$WORK/stdout")
[ -n "$parent" ] || { show_run; fail "no 'parent PID' line from the sample"; }
[ "$(grep -c '^child [0-9]* [0-9]*$' "$WORK/stdout")" = $FORK_CHILDREN ] ||
	{ show_run; fail "expected $FORK_CHILDREN 'child I PID' lines"; }

match_json "$J" '.scopes | length' $((FORK_CHILDREN + 1))
match_json "$J" '[.scopes[] | .name] | unique' '["fork"]'
match_json "$J" '[.scopes[] | .status] | unique' '["passed"]'
match_json "$J" "[.scopes[] | .executable] | unique" "[\"$EXE\"]"
match_json "$J" '[.scopes[] | .pid] | unique | length' $((FORK_CHILDREN + 1))

# The parent's scope ended last, after all its children's.
match_json "$J" '.scopes[-1].pid' "$parent"
match_metrics "$J" ".pid == $parent" "$(metrics_json $FORK_PARENT_ALLOCATIONS \
	$FORK_PARENT_FREES $FORK_PARENT_ALLOCATED $FORK_PARENT_PEAK \
	$FORK_PARENT_LEAKED_BYTES $FORK_PARENT_LEAKED_BLOCKS)"

# Each child by its pid: its own allocations only, its free of the inherited
# block counted as a free without lowering its peak (fork_child_metrics).
i=0
while [ $i -lt $FORK_CHILDREN ]; do
	pid=$(sed -n "s/^child $i \\([0-9]*\\)\$/\\1/p" "$WORK/stdout")
	[ -n "$pid" ] || fail "no pid for child $i"
	match_metrics "$J" ".pid == $pid" "$(fork_child_metrics $i)"
	i=$((i + 1))
done

# The same, without pids: the children's leaked bytes, as a set.
expected_leaks=$(i=0; while [ $i -lt $FORK_CHILDREN ]; do
	k=$((i + 1)); echo $(((k + 1) / 2 * 100 * k)); i=$k; done | sort -n |
	paste -sd, -)
match_json "$J" "[.scopes[:-1][] | .metrics.leaked_bytes] | sort" "[$expected_leaks]"
expect_pids_gone "$J"
exit 0
