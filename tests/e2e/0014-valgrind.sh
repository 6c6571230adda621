#!/bin/sh
# The expectations themselves (expect.sh), checked without memsup: valgrind's
# "total heap usage: A allocs, F frees, B bytes allocated" and "in use at
# exit: X bytes in Y blocks" must equal the allocations, frees,
# allocated_bytes, leaked_bytes and leaked_blocks the memsup tests expect,
# and massif's peak (--heap-admin=0, exact peaks) the peak_bytes, for every
# single-process sample (run with --run-libc-freeres=no --run-cxx-freeres=no:
# a real run does not call glibc's and libstdc++'s cleanup). Not covered here:
# the static sample (valgrind cannot replace a static malloc; checked with
# gdb, see expect.sh), the wrapper (dash's own heap), the pool's custom
# allocator (only its malloc part is checked) and unknown_frees (valgrind
# has no tcache).
. "${0%/*}/lib.sh"
require_prog valgrind python3
require_sample samples/basic/basic samples/cxx/cxx samples/threads/threads \
	samples/fork/fork samples/dlopen/dlopen samples/pool/pool \
	samples/segv/segv samples/churn/churn

VG="valgrind --run-libc-freeres=no --run-cxx-freeres=no --child-silent-after-fork=no"

# vg_summary LOG: "A F B X Y" from a valgrind log.
vg_summary()
{
	python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read().replace(",", "")  # 6,682 -> 6682
u = re.search(r"total heap usage: (\d+) allocs (\d+) frees (\d+) bytes allocated", t)
e = re.search(r"in use at exit: (\d+) bytes in (\d+) blocks", t)
if not u or not e:
    sys.exit("no heap summary in " + sys.argv[1])
print(u.group(1), u.group(2), u.group(3), e.group(1), e.group(2))
PY
}

# check_vg NAME "A F B X Y" PROGRAM ARGS...
check_vg()
{
	name=$1 want=$2
	shift 2
	$VG --log-file="$WORK/$name.vg" "$@" >"$WORK/$name.out" 2>&1
	got=$(vg_summary "$WORK/$name.vg") || hard_error "valgrind failed on $*"
	[ "$got" = "$want" ] || fail "$name: valgrind's allocs frees bytes in-use-bytes in-use-blocks
	expected: $want
	valgrind: $got"
}

# check_peak NAME PEAK PROGRAM ARGS...: massif's highest heap snapshot.
check_peak()
{
	name=$1 want=$2
	shift 2
	valgrind --tool=massif --heap-admin=0 --peak-inaccuracy=0.0 --stacks=no \
		--massif-out-file="$WORK/$name.massif" "$@" \
		>"$WORK/$name.mout" 2>&1
	got=$(sed -n 's/^mem_heap_B=//p' "$WORK/$name.massif" | sort -n | tail -n 1)
	[ "$got" = "$want" ] || fail "$name: peak expected $want, massif says $got"
}

check_vg basic "$BASIC_ALLOCATIONS $BASIC_FREES $BASIC_ALLOCATED $BASIC_LEAKED_BYTES $BASIC_LEAKED_BLOCKS" \
	samples/basic/basic
check_peak basic $BASIC_PEAK samples/basic/basic
check_vg basic-idle "0 0 0 0 0" samples/basic/basic -n

# The emergency pool is in the cxx figures (expect.sh): one block, live at
# exit with --run-cxx-freeres=no.
check_vg cxx "$CXX_ALLOCATIONS $CXX_FREES $CXX_ALLOCATED $CXX_LEAKED_BYTES $CXX_LEAKED_BLOCKS" \
	samples/cxx/cxx
check_peak cxx $CXX_PEAK samples/cxx/cxx

check_vg threads "$THREADS_ALLOCATIONS $THREADS_FREES $THREADS_ALLOCATED $THREADS_LEAKED_BYTES $THREADS_LEAKED_BLOCKS" \
	samples/threads/threads
check_peak threads $THREADS_PEAK samples/threads/threads

base=$(dlopen_base_allocated)
check_vg dlopen-idle "$DLOPEN_BASE_ALLOCATIONS $DLOPEN_BASE_FREES $base $DLOPEN_BASE_LEAKED_BYTES $DLOPEN_BASE_LEAKED_BLOCKS" \
	samples/dlopen/dlopen -n
check_peak dlopen-idle "$(dlopen_base_peak)" samples/dlopen/dlopen -n
check_vg dlopen "$((DLOPEN_BASE_ALLOCATIONS + DLOPEN_WORK_ALLOCATIONS)) $((DLOPEN_BASE_FREES + DLOPEN_WORK_FREES)) $((base + DLOPEN_WORK_ALLOCATED)) $((DLOPEN_BASE_LEAKED_BYTES + DLOPEN_WORK_LEAKED_BYTES)) $((DLOPEN_BASE_LEAKED_BLOCKS + DLOPEN_WORK_LEAKED_BLOCKS))" \
	samples/dlopen/dlopen
check_peak dlopen $(($(dlopen_base_peak) + DLOPEN_WORK_PEAK)) samples/dlopen/dlopen

# pool: valgrind sees main's malloc(7) and pool_work's malloc(1000), both
# freed; the pool's blocks are carved from a static arena, not the heap.
check_vg pool "2 2 $((POOL_OUTSIDE_BYTES + 1000)) 0 0" samples/pool/pool

check_vg segv "$SEGV_ALLOCATIONS $SEGV_FREES $SEGV_ALLOCATED $SEGV_LEAKED_BYTES $SEGV_LEAKED_BLOCKS" \
	samples/segv/segv
check_peak segv $SEGV_PEAK samples/segv/segv

check_vg churn "1000 1000 $(churn_allocated 1000) 0 0" samples/churn/churn 1000
check_peak churn "$(churn_peak 1000)" samples/churn/churn 1000

# fork: valgrind follows the forks; each child's summary includes what it
# inherited (the parent's 2 allocations of 96 bytes; 32 still live at exit).
$VG --log-file="$WORK/fork.vg.%p" samples/fork/fork >"$WORK/fork.out" 2>/dev/null ||
	hard_error "samples/fork/fork failed under valgrind"
parent=$(sed -n 's/^parent //p' "$WORK/fork.out")
got=$(vg_summary "$WORK/fork.vg.$parent") || hard_error "no summary for the parent"
want="$FORK_PARENT_ALLOCATIONS $FORK_PARENT_FREES $FORK_PARENT_ALLOCATED $FORK_PARENT_LEAKED_BYTES $FORK_PARENT_LEAKED_BLOCKS"
[ "$got" = "$want" ] || fail "fork parent: expected $want, valgrind $got"
i=0
while [ $i -lt $FORK_CHILDREN ]; do
	pid=$(sed -n "s/^child $i //p" "$WORK/fork.out")
	got=$(vg_summary "$WORK/fork.vg.$pid") || hard_error "no summary for child $i"
	m=$(fork_child_metrics $i)
	want=$(echo "$m" | jq -r --argjson pa 2 --argjson pb 96 --argjson keep 32 \
		'"\(.allocations + $pa) \(.frees) \(.allocated_bytes + $pb) \(.leaked_bytes + $keep) \(.leaked_blocks + 1)"')
	[ "$got" = "$want" ] || fail "fork child $i: expected $want (with the inherited blocks), valgrind $got"
	i=$((i + 1))
done
exit 0
