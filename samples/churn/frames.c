/* churn's call chain, each frame a real noinline call (churn.h). */
#include <stdlib.h>

#include "churn.h"

static const size_t churn_sizes[CHURN_NSIZES] = CHURN_SIZES;

__attribute__((noinline)) void churn_pair(unsigned long i)
{
	char *volatile p = malloc(churn_sizes[i % CHURN_NSIZES]);

	if (!p)
		abort();
	p[0] = (char)i;
	free(p);
}

/* the odd pairs with churn_sites == 2: the same, from a call site of its
 * own */
__attribute__((noinline)) void churn_pair_b(unsigned long i)
{
	char *volatile p = malloc(churn_sizes[i % CHURN_NSIZES]);

	if (!p)
		abort();
	p[0] = (char)i;
	free(p);
}

unsigned churn_sites = 1;

__attribute__((noinline)) void churn_f6(unsigned long i)
{
	if (churn_sites == 2 && (i & 1))
		churn_pair_b(i);
	else
		churn_pair(i);
}

__attribute__((noinline)) void churn_f5(unsigned long i) { churn_f6(i); }
__attribute__((noinline)) void churn_f4(unsigned long i) { churn_f5(i); }
__attribute__((noinline)) void churn_f3(unsigned long i) { churn_f4(i); }
__attribute__((noinline)) void churn_f2(unsigned long i) { churn_f3(i); }
__attribute__((noinline)) void churn_f1(unsigned long i) { churn_f2(i); }

__attribute__((noinline)) void churn_run(unsigned long n)
{
	unsigned long i;

	for (i = 0; i < n; i++)
		churn_f1(i);
}

static volatile unsigned churn_sink;

__attribute__((noinline)) void churn_deeper(unsigned long n, unsigned depth)
{
	if (depth)
		churn_deeper(n, depth - 1);
	else
		churn_run(n);
	churn_sink++;		/* no tail call: a frame of its own */
}
