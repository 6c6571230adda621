#ifndef SAMPLES_CHURN_H
#define SAMPLES_CHURN_H

#include <stddef.h>

/*
 * Pair i (0..N-1) mallocs churn_sizes[i % CHURN_NSIZES] bytes and frees it
 * at once, from main > churn_run > churn_f1 > ... > churn_f6 > churn_pair
 * (8 frames with main's, 9 with malloc; churn_deeper() adds its DEPTH
 * frames between main and churn_run; with churn_sites 2, the odd pairs
 * from churn_pair_b instead of churn_pair). One block is live at a time:
 *   allocations N, frees N, peak = the largest size used (4096 once N >= 6),
 *   allocated = (N / 8) * 5532 + sum of the first N % 8 sizes, leaked 0
 */
#define CHURN_NSIZES	8
#define CHURN_SIZES	{ 16, 24, 100, 256, 4096, 1000, 33, 7 }
#define CHURN_SIZES_SUM	5532
#define CHURN_DEFAULT_N	100000

void churn_run(unsigned long n);
/* churn_run(N) from DEPTH more frames of churn_deeper() */
void churn_deeper(unsigned long n, unsigned depth);
void churn_f1(unsigned long i);
void churn_f2(unsigned long i);
void churn_f3(unsigned long i);
void churn_f4(unsigned long i);
void churn_f5(unsigned long i);
void churn_f6(unsigned long i);
void churn_pair(unsigned long i);
void churn_pair_b(unsigned long i);
/* 2: the odd pairs come from churn_pair_b() (the default 1: none) */
extern unsigned churn_sites;

#endif
