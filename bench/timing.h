/*
 * timing.h: the clock and the sort the microbenchmarks (ptrace-cost.c,
 * unwind-bench.c) take their medians and percentiles with.
 */
#ifndef MEMSUP_BENCH_TIMING_H
#define MEMSUP_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

/* Microseconds on the monotonic clock. */
static inline double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* Sorts N samples in place, for percentiles by index. */
static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static inline void sort_samples(double *t, size_t n)
{
	qsort(t, n, sizeof(*t), cmp_double);
}

#endif
