/* The pool allocator (pool.h). */
#include <stdlib.h>

#include "pool.h"

void pool_init(struct pool *pl, void *arena, size_t size)
{
	pl->base = arena;
	pl->size = size;
	pl->used = 0;
	pl->live = 0;
}

__attribute__((noinline)) void *pool_alloc(struct pool *pl, size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (n > pl->size - pl->used)
		return NULL;
	p = pl->base + pl->used;
	pl->used += n;
	pl->live++;
	return p;
}

__attribute__((noinline)) void pool_free(void *block, struct pool *pl)
{
	if (block)
		pl->live--;
}
