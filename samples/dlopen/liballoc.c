/* liballoc.so: allocates from its constructor and from lib_work(). */
#include <stdlib.h>

#include "liballoc.h"

static void *ctor_block;
static void *kept[LIB_LEAKED_BLOCKS];

void lib_work(void);

__attribute__((constructor)) static void lib_init(void)
{
	ctor_block = malloc(LIB_CTOR_BYTES);
}

__attribute__((destructor)) static void lib_fini(void)
{
	free(ctor_block);
}

__attribute__((noinline)) void lib_work(void)
{
	void *blocks[LIB_BLOCKS];
	int i;

	for (i = 0; i < LIB_BLOCKS; i++)
		if (!(blocks[i] = malloc(LIB_BLOCK)))
			abort();
	for (i = 0; i < LIB_BLOCKS - LIB_LEAKED_BLOCKS; i++)
		free(blocks[i]);
	for (i = 0; i < LIB_LEAKED_BLOCKS; i++)
		kept[i] = blocks[LIB_BLOCKS - LIB_LEAKED_BLOCKS + i];
}
