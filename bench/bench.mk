# bench.mk: the benchmark's own programs, built into build/bench/.
#
# Run by bench/run.sh as "make -f bench/bench.mk" from the top directory;
# self-contained (it does not need the top Makefile). unwind-bench links
# the supervisor's objects, which "make memsup" builds first.

BENCH_OUT := build/bench
BENCH_CC ?= cc
BENCH_CXX ?= c++
BENCH_WARN := -Wall -Wextra -Wno-unused-parameter -Werror
BENCH_CFLAGS := -std=c11 -D_GNU_SOURCE -O2 -g -fno-omit-frame-pointer $(BENCH_WARN)
BENCH_CXXFLAGS := -std=c++17 -O2 -g -fno-omit-frame-pointer $(BENCH_WARN)
BENCH_UNWIND_OBJS := $(addprefix build/obj/supervisor/,unwind.o remote.o msg.o xmalloc.o)

BENCH_PROGS := $(addprefix $(BENCH_OUT)/,compute leaky cxx threads events liveheap \
	ptrace-cost checkheavy checkalloc)

.PHONY: bench-build bench-unwind
bench-build: $(BENCH_PROGS)

$(BENCH_OUT)/%: bench/workloads/%.c
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_CFLAGS) -o $@ $< -pthread

$(BENCH_OUT)/checkheavy: bench/workloads/checkheavy.c
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags check) -o $@ $< \
		$(shell pkg-config --libs check)

$(BENCH_OUT)/checkalloc: bench/workloads/checkalloc.c
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_CFLAGS) $(shell pkg-config --cflags check) -o $@ $< \
		$(shell pkg-config --libs check)

$(BENCH_OUT)/cxx: bench/workloads/cxx.cc
	@mkdir -p $(@D)
	$(BENCH_CXX) $(BENCH_CXXFLAGS) -o $@ $<

$(BENCH_OUT)/ptrace-cost: bench/ptrace-cost.c bench/timing.h
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_CFLAGS) -o $@ $<

# Optional: needs build/obj from "make memsup" and libunwind-ptrace.
bench-unwind: $(BENCH_OUT)/unwind-bench
$(BENCH_OUT)/unwind-bench: bench/unwind-bench.c bench/timing.h $(BENCH_UNWIND_OBJS)
	@mkdir -p $(@D)
	$(BENCH_CC) $(BENCH_CFLAGS) -I. $(shell pkg-config --cflags libunwind-ptrace) \
		-o $@ $< $(BENCH_UNWIND_OBJS) \
		$(shell pkg-config --libs libunwind-ptrace libdw libelf)
