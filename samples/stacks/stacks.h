/*
 * stacks: one supervised function, run_test(), leaking from LEAK_SITES
 * distinct call stacks (site i leaks (i + 1) * LEAK_UNIT bytes in one
 * block) and from one more through split_caller() and split_me(),
 * which split.c is built so that GCC splits (split_me.part.0):
 * SPLIT_SIZE bytes in one block.
 * For the reports' stack caps (--most-allocations, --all-stacks), the
 * end of a stack at the test (--full-stacks) and split functions.
 */
#ifndef SAMPLES_STACKS_H
#define SAMPLES_STACKS_H

#include <stddef.h>

#define LEAK_SITES	8
#define LEAK_UNIT	100
#define SPLIT_SIZE	1000

void *leak_one(size_t size);
void *split_me(size_t n, int c);
void *split_caller(size_t n);
void *work(size_t n, int c);

#endif
