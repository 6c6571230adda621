# expect.sh: the figures each sample must produce, sourced by lib.sh.
#
# One place, so that the memsup tests (NNNN-<sample>.sh) and the test that
# checks these figures against valgrind (0014-valgrind.sh) use the same
# numbers. Each is derived from the sample's own constants, with the
# arithmetic written out; the sample's source says the same in its comments.
#
# Counting rules (docs/supervisor.md): allocations = successful allocation calls (one
# call, one event: posix_memalign calling malloc, operator new calling malloc
# and realloc(p, 0) calling free are each one event); allocated = bytes
# requested; realloc(p, n) = a free of p and an allocation of n; free(NULL) =
# nothing; peak = high watermark of the scope's bytes not yet freed; leaked =
# the scope's blocks still live at its end.
#
# How each set was verified outside memsup (glibc 2.36, valgrind 3.19, Debian
# 12, x86_64): valgrind --run-libc-freeres=no --run-cxx-freeres=no "total
# heap usage" and "in use at exit" for counts and bytes, massif
# (--heap-admin=0 --peak-inaccuracy=0) for peaks, gdb breakpoints on the
# allocator entries for what valgrind cannot see (static binaries, glibc's
# internal frees); 0014-valgrind.sh repeats the valgrind part on every run.

# samples/basic/basic.h. Calls: a=malloc(100) b=malloc(200) c=malloc(300)
# d=calloc(10,20) a=realloc(a,1000) b=realloc(b,50) e=realloc(NULL,64)
# realloc(c,0) free(NULL) free(NULL) posix_memalign(&f,16,256)
# g=aligned_alloc(64,512) h=malloc(4000) free(h,d,e,f,b)
BASIC_ALLOCATIONS=$((3 + 1 + 2 + 1 + 1 + 1 + 1))		# 10: a b c, d, a' b', e, f, g, h
BASIC_FREES=$((3 + 5))					# 8: a b c by realloc, h d e f b'
BASIC_ALLOCATED=$((100 + 200 + 300 + 10 * 20 + 1000 + 50 + 64 + 256 + 512 + 4000))	# 6682
BASIC_PEAK=$((1000 + 50 + 64 + 10 * 20 + 256 + 512 + 4000))	# 6082: all but c live when h is made
BASIC_LEAKED_BYTES=$((1000 + 512))			# 1512: a' and g
BASIC_LEAKED_BLOCKS=2

# samples/cxx/cxx.cc: new int, new int[10], new Pair (16 bytes), new Pair[3]
# (3*16 + 8 bytes of array cookie, Pair has a destructor), all deleted;
# vector<int> push_back 0..99 grows 1,2,4,...,128: 8 buffers of 4..512 bytes,
# 7 freed by the growth and 1 by the destructor; new char[333] leaked.
# Plus libstdc++'s emergency exception pool, malloc(72704) (libstdc++ 12),
# never freed: it is made by libstdc++.so's constructor, which ld.so's
# _dl_init runs *before* the executable's entry point (gdb: the malloc is hit
# before "break _start", called from call_init in dl-init.c). memsup arms
# the allocators when ld.so reports the initial libraries mapped, before any
# constructor (docs/supervisor.md), so it counts the pool, as valgrind does.
CXX_EMERGENCY_POOL=72704
CXX_ALLOCATIONS=$((1 + 4 + 8 + 1))			# 14: pool, scalars, vector, leak
CXX_FREES=$((4 + 8))					# 12
CXX_ALLOCATED=$((72704 + 4 + 40 + 16 + (3 * 16 + 8) + (4 + 8 + 16 + 32 + 64 + 128 + 256 + 512) + 333))	# 74173
CXX_PEAK=$((72704 + 256 + 512))				# 73472: growth from 64 to 128 ints holds both
CXX_LEAKED_BYTES=$((72704 + 333))			# 73037
CXX_LEAKED_BLOCKS=2

# samples/threads/threads.c: 4 threads x 50 mallocs of 64*(t+1) bytes, main
# frees all but one block per thread after the joins; each pthread_create
# callocs the new thread's DTV, calloc(17, 16) = 272 bytes, live at exit
# (kept with the cached stack). Each thread's exit frees its tcache with
# __libc_free though it was never allocated through malloc's entry (gdb: one
# free from tcache_thread_shutdown per thread): 4 unknown frees for memsup,
# none for valgrind, which has no tcache. The threads' exits also call
# free(NULL) twice each (__glibc_tls_internal_free): nothing.
THREADS_DTV=$((17 * 16))				# 272
THREADS_ALLOCATIONS=$((4 * 50 + 4))			# 204
THREADS_FREES=$((4 * 49))				# 196
THREADS_ALLOCATED=$((50 * 64 * (1 + 2 + 3 + 4) + 4 * 272))	# 33088
THREADS_PEAK=$THREADS_ALLOCATED				# nothing freed before the joins
THREADS_LEAKED_BYTES=$((64 * (1 + 2 + 3 + 4) + 4 * 272))	# 1728
THREADS_LEAKED_BLOCKS=$((4 + 4))			# 8
THREADS_UNKNOWN_FREES=4

# samples/fork/fork.c. Parent: shared = malloc(64), keep = malloc(32), fork
# 10 children, wait, free(shared), exit with keep live.
FORK_CHILDREN=10
FORK_PARENT_ALLOCATIONS=2
FORK_PARENT_FREES=1
FORK_PARENT_ALLOCATED=$((64 + 32))			# 96
FORK_PARENT_PEAK=96
FORK_PARENT_LEAKED_BYTES=32
FORK_PARENT_LEAKED_BLOCKS=1
# Child i (0..9), k = i + 1 blocks of s = 100 * k bytes: frees the inherited
# shared block (a free, not the child's allocation, no effect on its peak),
# mallocs k blocks, frees k / 2 of them, _exit(0).
#   allocations k, frees k/2 + 1, allocated k*s, peak k*s,
#   leaked ((k+1)/2)*s bytes in (k+1)/2 blocks
fork_child_metrics()
{
	k=$(($1 + 1)); s=$((100 * k))
	metrics_json $k $((k / 2 + 1)) $((k * s)) $((k * s)) \
		$(((k + 1) / 2 * s)) $(((k + 1) / 2))
}

# samples/dlopen: lib_work() in liballoc.so, liballoc.h: 5 mallocs of 120
# bytes, 3 freed, all allocated before the first free.
DLOPEN_WORK_ALLOCATIONS=5
DLOPEN_WORK_FREES=3
DLOPEN_WORK_ALLOCATED=$((5 * 120))			# 600
DLOPEN_WORK_PEAK=600	# on top of the baseline's peak (below)
DLOPEN_WORK_LEAKED_BYTES=$((2 * 120))			# 240
DLOPEN_WORK_LEAKED_BLOCKS=2
# "dlopen -n" (open and close only), glibc 2.36, measured with valgrind and
# with ltrace -x malloc+free+calloc natively (same calls): dlopen makes
# malloc(L+1), calloc(1236, 1) (link map for "liballoc.so"), malloc(L+1),
# malloc(56), calloc(3, 24), malloc(8), malloc(2304), free(the 8); the
# library's constructor malloc(4000); dlclose frees all of dlopen's blocks
# but the 2304 one (6 frees) and the destructor frees the 4000. L is the
# length of the library's real path (found through $ORIGIN).
dlopen_path_len()
{
	readlink -f samples/dlopen/liballoc.so | tr -d '\n' | wc -c
}
DLOPEN_BASE_ALLOCATIONS=$((7 + 1))			# 8
DLOPEN_BASE_FREES=$((6 + 1))				# 7
dlopen_base_allocated()
{
	L=$(dlopen_path_len)
	echo $((2 * (L + 1) + 1236 + 56 + 3 * 24 + 8 + 2304 + 4000))
}
dlopen_base_peak()		# everything but the freed 8 bytes, after the constructor
{
	echo $(($(dlopen_base_allocated) - 8))
}
DLOPEN_BASE_LEAKED_BYTES=2304
DLOPEN_BASE_LEAKED_BLOCKS=1

# samples/pool (pool.h), scope pool_work: pool_alloc 16, 32, 48, 64, 80;
# malloc(1000), free it; pool_free the 16, 48 and 80 blocks.
POOL_ALLOCATIONS=$((5 + 1))				# 6
POOL_FREES=$((1 + 3))					# 4
POOL_ALLOCATED=$((16 + 32 + 48 + 64 + 80 + 1000))	# 1240
POOL_PEAK=$POOL_ALLOCATED				# all live after the malloc
POOL_LEAKED_BYTES=$((32 + 64))				# 96
POOL_LEAKED_BLOCKS=2
# Outside the scope, main's malloc(7) and its free (valgrind sees those and
# the malloc(1000), not the pool).
POOL_OUTSIDE_BYTES=7

# samples/fixedpool (fixedpool.h), scope fpool_work: malloc the pool header
# and its arena, 5 fixed-size objects (size: 64, no size argument), free
# objects 0, 2 and 4 (the block is free's 2nd argument), free arena, header.
FPOOL_ALLOCATIONS=$((2 + 5))				# 7
FPOOL_FREES=$((3 + 2))					# 5
FPOOL_ALLOCATED=$((32 + 4096 + 5 * 64))			# 4448
FPOOL_PEAK=$FPOOL_ALLOCATED				# all live before the first free
FPOOL_LEAKED_BYTES=$((2 * 64))				# 128: objects 1 and 3
FPOOL_LEAKED_BLOCKS=2

# samples/check-fixture/fixture.c: tests with their checked fixtures.
# test_replace: setup malloc(64); test free(owned), malloc(200); teardown
# frees the 200.
FX_REPLACE_ALLOCATIONS=2
FX_REPLACE_FREES=2
FX_REPLACE_ALLOCATED=$((64 + 200))			# 264
FX_REPLACE_PEAK=200					# 64 freed before the 200
# test_replace, the test function alone: malloc(200) kept for teardown.
FX_REPLACE_FN_LEAKED=200
# test_keep: setup malloc(64); test malloc(24), kept; teardown frees 64.
FX_KEEP_ALLOCATIONS=2
FX_KEEP_FREES=1
FX_KEEP_ALLOCATED=$((64 + 24))				# 88
FX_KEEP_PEAK=$FX_KEEP_ALLOCATED
FX_KEEP_LEAKED=24
# test_layers: setups malloc(32), malloc(48); test malloc(16), free;
# teardowns free 48 then 32.
FX_LAYERS_ALLOCATIONS=3
FX_LAYERS_FREES=3
FX_LAYERS_ALLOCATED=$((32 + 48 + 16))			# 96
FX_LAYERS_PEAK=$FX_LAYERS_ALLOCATED

# samples/gtest/gtest_sample.cc: a test's scope is its whole life as gtest
# runs it; every fixture frees what it owns (TearDown, destructor), so the
# one leak is Plain.Leaks' new[LEAK]. With scope: function, the bodies of
# the Buffer tests leave their new[BODY] to TearDown or the destructor.
GT_LEAK=24
GT_BODY=136
GT_TESTS=8	# 2 Buffer, 1 Plain, 2 typed, 3 parameterised

# samples/cmocka/cmocka_sample.c: group "fixtures", tests learned at run
# time. test_hands_to_teardown: fx_setup malloc(48), the test frees it and
# mallocs 160, fx_teardown frees that. The group's malloc(512) is in no test.
CM_HANDS_ALLOCATIONS=2
CM_HANDS_FREES=2
CM_HANDS_ALLOCATED=$((48 + 160))			# 208
CM_HANDS_PEAK=160					# the 48 is freed first
CM_BODY=160
CM_LEAK=40
CM_CLEAN=96

# samples/segv/segv.c: 3 mallocs of 111 bytes, 1 freed, then SIGSEGV.
SEGV_ALLOCATIONS=3
SEGV_FREES=1
SEGV_ALLOCATED=$((3 * 111))				# 333
SEGV_PEAK=333
SEGV_LEAKED_BYTES=$((2 * 111))				# 222, live when it died
SEGV_LEAKED_BLOCKS=2
SEGV_EXIT=$((128 + 11))					# 139

# samples/churn (churn.h): N pairs, sizes cycling through
# 16 24 100 256 4096 1000 33 7 (sum 5532), one block live at a time.
churn_allocated()
{
	n=$1 sum=0 i=0
	for sz in 16 24 100 256 4096 1000 33 7; do
		[ $i -lt $((n % 8)) ] && sum=$((sum + sz))
		i=$((i + 1))
	done
	echo $((n / 8 * 5532 + sum))
}
# With SITES 2 the odd pairs come from churn_pair_b: the bytes of the pairs
# of parity P (0 even, 1 odd) out of N, whose sizes are those at the even
# (16 100 4096 33) or odd (24 256 1000 7) places.
churn_allocated_parity()
{
	n=$1 p=$2 sum=0 per=0 i=0
	for sz in 16 24 100 256 4096 1000 33 7; do
		if [ $((i % 2)) = "$p" ]; then
			per=$((per + sz))
			[ $i -lt $((n % 8)) ] && sum=$((sum + sz))
		fi
		i=$((i + 1))
	done
	echo $((n / 8 * per + sum))
}
churn_peak()		# the biggest of the first N sizes: 4096 once N >= 5
{
	n=$1 peak=0 i=0
	for sz in 16 24 100 256 4096 1000 33 7; do
		[ $i -lt $n ] && [ $sz -gt $peak ] && peak=$sz
		i=$((i + 1))
	done
	echo $peak
}

# samples/static (basic linked with libc.a): a static glibc sets up dlopen
# support in __libc_start_main, after the entry point (gdb, glibc 2.36):
# _dl_non_dynamic_init mallocs the origin directory (_dl_get_origin:
# dirname of /proc/self/exe with its '/' + NUL), callocs the vDSO's link
# map (1225 bytes), mallocs 40 and 320 for the search paths and 160 for
# _dl_find_object; none is freed. basic's own figures come on top.
STATIC_BASE_ALLOCATIONS=5
static_base_allocated()
{
	D=$(dirname "$(readlink -f samples/static/basic-static)" | tr -d '\n' | wc -c)
	echo $(((D + 2) + 1225 + 40 + 320 + 160))
}
