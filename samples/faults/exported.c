/*
 * exported: linked with -rdynamic, so exported_test() is in .dynsym; the
 * stripped copy (exported-stripped, strip --strip-all) has nothing else.
 *   exported_test: malloc(10), malloc(20), malloc(30), free the 20:
 *     3 allocations, 1 free, 60 allocated, peak 60, leaked 40 in 2
 *   main: malloc(4096) outside the test, freed: the whole program (no
 *     policy) 4 / 2 / 4156 / 4156 / 40 in 2 (the 4096 is freed before the
 *     test: peak = 4096; see below)
 * Order in main: m = malloc(4096); free(m); exported_test();
 *   whole program: allocations 4, frees 2, allocated 4156,
 *   peak max(4096, 60) = 4096, leaked 40 in 2.
 */
#include <stdlib.h>

#include "../common/say.h"

static void *keep[2];

__attribute__((noinline)) void exported_test(void)
{
	void *b;

	keep[0] = malloc(10);
	b = malloc(20);
	keep[1] = malloc(30);
	if (!keep[0] || !b || !keep[1])
		abort();
	free(b);
}

int main(void)
{
	void *m = malloc(4096);

	if (!m)
		abort();
	free(m);
	exported_test();
	say_str(1, "exported: done\n");
	return 0;
}
