/*
 * pool: a program with its own allocator (pool.h), supervised with
 * samples/pool/policy.yaml, whose only test boundary is pool_work().
 */
#include <stdlib.h>

#include "../common/say.h"
#include "pool.h"

static _Alignas(16) unsigned char arena[64 * 1024];
static struct pool the_pool;
static void *kept[2];

__attribute__((noinline)) void pool_work(struct pool *pl)
{
	void *b[POOL_ALLOCS];
	void *m;
	int i;

	for (i = 0; i < POOL_ALLOCS; i++)
		if (!(b[i] = pool_alloc(pl, POOL_STEP * (i + 1))))
			abort();
	if (!(m = malloc(POOL_MALLOC)))
		abort();
	free(m);
	pool_free(b[0], pl);
	pool_free(b[2], pl);
	pool_free(b[4], pl);
	kept[0] = b[1];
	kept[1] = b[3];
}

int main(void)
{
	void *outside = malloc(OUTSIDE_BYTES);

	pool_init(&the_pool, arena, sizeof(arena));
	pool_work(&the_pool);
	free(outside);
	if (the_pool.live != 2)
		return 1;
	say_str(1, "pool: done\n");
	return 0;
}
