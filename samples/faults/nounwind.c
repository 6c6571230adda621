/*
 * nounwind: built -O2 -fomit-frame-pointer -fno-asynchronous-unwind-tables
 * -fno-unwind-tables: no .eh_frame for its own code, no frame pointer. The
 * allocations happen 4 calls deep; an unwinder must stop cleanly.
 *   NOUNWIND_ROUNDS = 100 rounds of: malloc(24), malloc(48) then free the 24
 *   allocations 200, frees 100, allocated 100*72 = 7200,
 *   peak 100*48 + 24 = 4824, leaked 100*48 = 4800 in 100 blocks
 */
#include <stdlib.h>

#include "../common/say.h"

#define NOUNWIND_ROUNDS 100

static void *keep[NOUNWIND_ROUNDS];

__attribute__((noinline)) static void *level3(size_t n)
{
	void *p = malloc(n);

	if (!p)
		abort();
	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

__attribute__((noinline)) static void *level2(size_t n)
{
	void *p = level3(n);

	__asm__ volatile("" : : "r"(p) : "memory");
	return p;
}

__attribute__((noinline)) static void level1(int i)
{
	void *a = level2(24);

	keep[i] = level2(48);
	free(a);
	__asm__ volatile("" : : : "memory");
}

int main(void)
{
	int i;

	for (i = 0; i < NOUNWIND_ROUNDS; i++)
		level1(i);
	say_str(1, "nounwind: done\n");
	return 0;
}
