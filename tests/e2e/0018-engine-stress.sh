#!/bin/sh
# engine-stress: what the in-process engine must survive, with counts the
# program's own constants give (samples/stress/stress.c): 8 threads
# allocating at once, a signal handler that allocates while the loop is
# inside an allocator (and one that longjmps out of it), fork and
# vfork+exec inside a test, dlopen/dlclose cycles, and the CPU count the
# program sees.
. "${0%/*}/lib.sh"
require_memsup
require_sample samples/stress/stress samples/dlopen/liballoc.so
S=samples/stress/stress

# 8 threads x 500,000 malloc/free pairs: 1,000,000 events each. Sizes
# 16 * (1 + i % 8): 576 bytes per 8 pairs. Each pthread_create callocs a
# 272-byte DTV that stays live (samples/threads/threads.c says why).
N=500000
run_memsup --json "$WORK/threads.json" $S threads $N
expect_status 0
expect_stdout "stress: threads done"
match_json "$WORK/threads.json" '.scopes[0].metrics |
	[.allocations, .frees, .allocated_bytes, .leaked_bytes, .leaked_blocks]' \
	"[$((8 * N + 8)), $((8 * N)), $((8 * (N / 8) * 576 + 8 * 272)), \
	  $((8 * 272)), 8]"

# SIGALRM every 100 us during 300,000 malloc(32)/free pairs; the handler
# mallocs and frees 2000 bytes. Two warm-up pairs come first. A handler
# allocation inside an interrupted allocator call is part of that call.
N=300000
run_memsup --json "$WORK/signals.json" $S signals $N
expect_status 0
k=$(sed -n 's/^stress: handler ran \([0-9]*\) times.*/\1/p' "$WORK/stdout")
[ -n "$k" ] && [ "$k" -gt 0 ] || { show_run; fail "signals: the handler never ran"; }
match_json "$WORK/signals.json" ".scopes[0].metrics |
	[.allocations >= $N + 2, .allocations <= $N + 2 + $k,
	 .frees == .allocations, .leaked_bytes]" '[true, true, true, 0]'

# The same through stress_alloc()/stress_free(), a policy allocator, with
# every 8th handler run siglongjmp'ing back into the loop of run_jump():
# the call it interrupted never returns, the recorder's reservation in
# flight with it (docs/design/inject.md, Holes). The loop makes its N
# pairs whatever the jumps (a jumped pair is made again), plus the two
# warm-up calls; a handler run adds one allocation, none when it
# interrupted an allocation in flight (one call, one event); a jump may
# leave the block of the pair it cut unfreed, never a handler's block.
# Every block recorded is freed or leaked, no free is of an unknown
# block. after_jump(), the next test, prints its own exact figures: the
# jumps must neither hold its events back nor spill into it.
cat >"$WORK/jump.yaml" <<'YAML'
discover: none
tests:
  run_jump: {}
  after_jump: {}
allocators:
  - alloc: stress_alloc
    free: stress_free
YAML
N=300000
run_memsup --policy "$WORK/jump.yaml" --json "$WORK/jump.json" $S jump $N
expect_status 0
k=$(sed -n 's/^stress: handler ran \([0-9]*\) times.*/\1/p' "$WORK/stdout")
j=$(sed -n 's/.*, jumped \([0-9]*\)$/\1/p' "$WORK/stdout")
[ -n "$k" ] && [ -n "$j" ] && [ "$j" -gt 0 ] ||
	{ show_run; fail "jump: the handler never jumped"; }
grep -q 'not recorded' "$WORK/stderr" && { show_run; fail "jump: events were lost"; }
match_json "$WORK/jump.json" "[.scopes[] | select(.name == \"run_jump\")][0] |
	[.status, (.metrics | .allocations >= $N + 2,
	 .allocations <= $N + 2 + $k + $j, .frees == .allocations - .leaked_blocks,
	 .leaked_blocks <= $j, .unknown_frees)]" '["passed", true, true, true, true, 0]'
read -r _ _ _ a _ bytes _ peak _ frees _ leaked _ blocks <<EOF
$(grep '^stress: after_jump allocations ' "$WORK/stdout")
EOF
[ -n "$blocks" ] || { show_run; fail "jump: after_jump printed no figures"; }
match_json "$WORK/jump.json" \
	'[.scopes[] | select(.name == "after_jump")][0].status' '"passed"'
match_metrics "$WORK/jump.json" '.name == "after_jump"' \
	"$(metrics_json "$a" "$frees" "$bytes" "$peak" "$leaked" "$blocks")"

# fork and vfork + exec inside a test: the test's own 64 bytes only; the
# child's 1000 bytes are its own process's (no test there).
cat >"$WORK/work.yaml" <<'YAML'
discover: none
tests:
  work: {}
YAML
for engine in inject breakpoint; do
	run_memsup --engine=$engine --policy "$WORK/work.yaml" \
		--json "$WORK/forkexec.$engine.json" $S forkexec
	expect_status 0
	match_json "$WORK/forkexec.$engine.json" \
		'[.scopes[] | select(.name == "work") | .status,
		  (.metrics | .allocations, .allocated_bytes, .frees,
		   .leaked_bytes)]' '["passed", 1, 64, 1, 0]'
done

# 200 dlopen/dlclose cycles of liballoc.so, lib_work() in each: its leak
# stack holds 200 * 2 blocks of 120 bytes; the library's constructor
# block is freed by its destructor at each dlclose. (The stack's groups
# are summed: its blocks are left uninitialised, so a stale word in one
# can make another indirect rather than definite.)
N=200
run_memsup --json "$WORK/dlopen.json" $S dlopen $N
expect_status 0
expect_stdout "stress: dlopen done"
match_json "$WORK/dlopen.json" '[.scopes[0].leaks[] |
	select(.stack[0].function == "lib_work")] |
	[(map(.bytes) | add), (map(.blocks) | add)]' \
	"[$((N * 2 * 120)), $((N * 2))]"

# A static program gets the recorder too (at its entry point: an exec
# stop cannot run system calls for memsup), malloc in the executable.
require_sample samples/static/basic-static
run_memsup -v samples/static/basic-static
expect_status 0
grep -q "malloc at 0x[0-9a-f]* redirected to the recorder" "$WORK/stderr" ||
	{ show_run; fail "static: malloc was not redirected to the recorder"; }

# The program sees the CPUs it would see natively: nothing is pinned.
run_memsup -q -- nproc
expect_status 0
expect_stdout "$(nproc)"
exit 0
