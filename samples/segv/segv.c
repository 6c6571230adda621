/*
 * segv: SEGV_BLOCKS mallocs of SEGV_BLOCK bytes, frees one, then writes
 * through a NULL pointer and dies of SIGSEGV (exit status 128 + 11 = 139).
 *   allocations 3, frees 1, allocated 3*111 = 333, peak 333,
 *   live when it died: 2*111 = 222 in 2 blocks
 */
#include <stdlib.h>

#include "../common/say.h"

#define SEGV_BLOCKS	3
#define SEGV_BLOCK	111

static void *blocks[SEGV_BLOCKS];

__attribute__((noinline)) static void crash(int *volatile p)
{
	*p = 42;
}

int main(void)
{
	int i;

	for (i = 0; i < SEGV_BLOCKS; i++)
		if (!(blocks[i] = malloc(SEGV_BLOCK)))
			abort();
	free(blocks[0]);
	say_str(1, "segv: crashing\n");
	crash(NULL);
	say_str(1, "segv: survived\n");
	return 0;
}
