# Samples: built unsanitised, -O0 -g, so that memsup sees plain frames.
# DWARF 4: valgrind 3.19 (tests/e2e/0014) cannot read clang 14's DWARF 5.
#
# Included by the top Makefile after "SAMPLES :="; every binary built here is
# appended to SAMPLES ("make samples" builds them, "make clean" removes them).
# Their expected figures are in each sample's source and in tests/e2e/.

SAMPLE_WARN := -Wall -Wextra -Wno-unused-parameter
ifeq ($(WERROR),1)
SAMPLE_WARN += -Werror
endif
SAMPLE_CFLAGS := -std=c11 -D_GNU_SOURCE -O0 -g -gdwarf-4 -fno-omit-frame-pointer $(SAMPLE_WARN)
SAMPLE_CXXFLAGS := -std=c++17 -O0 -g -gdwarf-4 -fno-omit-frame-pointer $(SAMPLE_WARN)
SAMPLE_COMMON := samples/common/say.h

# basic: the C allocator family with known figures (samples/basic/basic.h)
BASIC_SRCS := samples/basic/basic.c samples/basic/heap.c
SAMPLES += samples/basic/basic
samples/basic/basic: $(BASIC_SRCS) samples/basic/basic.h $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $(BASIC_SRCS)

# static: the same program linked with libc.a (libc6-dev); its directory
# holds only the binary, so it may not exist yet
SAMPLES += samples/static/basic-static
samples/static/basic-static: $(BASIC_SRCS) samples/basic/basic.h $(SAMPLE_COMMON)
	@mkdir -p $(@D)
	$(CC) $(SAMPLE_CFLAGS) -static -o $@ $(BASIC_SRCS)

# stacks: many leaking call stacks and a function GCC splits
# (samples/stacks/stacks.h); split.c is built -O2 on purpose
SAMPLES += samples/stacks/stacks
samples/stacks/stacks: samples/stacks/stacks.c samples/stacks/split.c \
		samples/stacks/stacks.h $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -c -o samples/stacks/stacks.o samples/stacks/stacks.c
	$(CC) $(SAMPLE_CFLAGS) -O2 -c -o samples/stacks/split.o samples/stacks/split.c
	$(CC) -o $@ samples/stacks/stacks.o samples/stacks/split.o
	rm -f samples/stacks/stacks.o samples/stacks/split.o

# sanitized: the one sample built with AddressSanitizer (memsup's warning
# about LeakSanitizer under ptrace); libasan comes with gcc
SAMPLES += samples/sanitized/sanitized
samples/sanitized/sanitized: samples/sanitized/sanitized.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -fsanitize=address -o $@ $<

# cxx: operator new/delete and std::vector growth
SAMPLES += samples/cxx/cxx
samples/cxx/cxx: samples/cxx/cxx.cc
	$(CXX) $(SAMPLE_CXXFLAGS) -o $@ $<

# threads: four threads allocating at once
SAMPLES += samples/threads/threads
samples/threads/threads: samples/threads/threads.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -pthread -o $@ $<

# fork: ten children, each with its own figures
SAMPLES += samples/fork/fork
samples/fork/fork: samples/fork/fork.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# dlopen: a library loaded at run time that allocates
SAMPLES += samples/dlopen/dlopen samples/dlopen/liballoc.so
samples/dlopen/liballoc.so: samples/dlopen/liballoc.c samples/dlopen/liballoc.h
	$(CC) $(SAMPLE_CFLAGS) -fPIC -shared -o $@ $<
samples/dlopen/dlopen: samples/dlopen/dlopen.c samples/dlopen/liballoc.h \
		$(SAMPLE_COMMON) | samples/dlopen/liballoc.so
	$(CC) $(SAMPLE_CFLAGS) -Wl,-rpath,'$$ORIGIN' -o $@ $< -ldl

# pool: a custom allocator named by samples/pool/policy.yaml
POOL_SRCS := samples/pool/main.c samples/pool/pool.c
SAMPLES += samples/pool/pool
samples/pool/pool: $(POOL_SRCS) samples/pool/pool.h $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $(POOL_SRCS)

# fixedpool: a fixed-size pool (no size argument, block freed as the 2nd)
SAMPLES += samples/fixedpool/fixedpool
samples/fixedpool/fixedpool: samples/fixedpool/fixedpool.c \
		samples/fixedpool/fixedpool.h $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# boxfree: a policy allocator whose free takes the block second and
# calls free() on it itself
SAMPLES += samples/boxfree/boxfree
samples/boxfree/boxfree: samples/boxfree/boxfree.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# segv: dies of SIGSEGV with blocks live
SAMPLES += samples/segv/segv
samples/segv/segv: samples/segv/segv.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# attach: a long-running program for --pid
SAMPLES += samples/attach/attach
samples/attach/attach: samples/attach/attach.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# churn: malloc+free pairs from a deep stack (also the benchmark's load)
CHURN_SRCS := samples/churn/churn.c samples/churn/frames.c
SAMPLES += samples/churn/churn
samples/churn/churn: $(CHURN_SRCS) samples/churn/churn.h $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $(CHURN_SRCS)

# faults: the fault matrix (tests/e2e/0100-*.sh)
include samples/faults/build.mk
include samples/check-suite/build.mk
include samples/harm/build.mk

# stepping: threads through allocators whose first instruction is
# single-stepped, not emulated (built -O2 so my_free is a tail jump)
SAMPLES += samples/stepping/stepping
samples/stepping/stepping: samples/stepping/stepping.c samples/stepping/stepping.h
	$(CC) $(filter-out -O0,$(SAMPLE_CFLAGS)) -O2 -pthread -o $@ $<

# gtest-like: *_Test::TestBody classes, discover: gtest
SAMPLES += samples/gtest-like/gtest-like
samples/gtest-like/gtest-like: samples/gtest-like/gtest-like.cc
	$(CXX) $(SAMPLE_CXXFLAGS) -o $@ $<

# repeat: a peak that changes from run to run (memsup --repeat)
SAMPLES += samples/repeat/repeat
samples/repeat/repeat: samples/repeat/repeat.c
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# recursion: a recursive boundary, a longjmp out of one, repeated calls
SAMPLES += samples/recursion/recursion
samples/recursion/recursion: samples/recursion/recursion.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# stress: what the in-process engine must survive (samples/stress/stress.c)
SAMPLES += samples/stress/stress
samples/stress/stress: samples/stress/stress.c samples/dlopen/liballoc.h \
		$(SAMPLE_COMMON) | samples/dlopen/liballoc.so
	$(CC) $(SAMPLE_CFLAGS) -pthread -o $@ $< -ldl

# leaks: valgrind's leak-kind shapes (a tree, rings, the nine pointer
# chains), and the tree built under --pid; each writes its kinds on fd 3
LEAKS_SAMPLES := tree cycle cases hold
SAMPLES += $(LEAKS_SAMPLES:%=samples/leaks/%)
$(LEAKS_SAMPLES:%=samples/leaks/%): samples/leaks/%: samples/leaks/%.c samples/leaks/kinds.h $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<

# reachable: per-thread error state and a static cache (reachable) next to
# a lost tree (definite and indirect); policy.yaml, policy-all.yaml
REACHABLE_SRCS := samples/reachable/main.c samples/reachable/lib.c
SAMPLES += samples/reachable/reachable
samples/reachable/reachable: $(REACHABLE_SRCS) samples/reachable/reachable.h samples/leaks/kinds.h $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -pthread -o $@ $(REACHABLE_SRCS)
# gtest: a GoogleTest suite against Debian's libgtest-dev (static libgtest,
# gtest_main), fixtures that free in TearDown and destructors, typed and
# parameterised tests (samples/gtest/gtest_sample.cc)
SAMPLES += samples/gtest/gtest-sample
samples/gtest/gtest-sample: samples/gtest/gtest_sample.cc
	$(CXX) $(SAMPLE_CXXFLAGS) -pthread -o $@ $< -lgtest_main -lgtest

# cmocka: a group with its test array local to main, group and per-test
# setup and teardown, against libcmocka-dev (samples/cmocka/cmocka_sample.c)
SAMPLES += samples/cmocka/cmocka-sample
samples/cmocka/cmocka-sample: samples/cmocka/cmocka_sample.c
	$(CC) $(SAMPLE_CFLAGS) -o $@ $< -lcmocka

# manyfns: 120 small functions, for policy globs under functions
SAMPLES += samples/manyfns/manyfns
samples/manyfns/manyfns: samples/manyfns/manyfns.c $(SAMPLE_COMMON)
	$(CC) $(SAMPLE_CFLAGS) -o $@ $<
