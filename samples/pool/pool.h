#ifndef SAMPLES_POOL_H
#define SAMPLES_POOL_H

#include <stddef.h>

/*
 * A bump allocator over a static arena: no malloc inside. Its signatures
 * match samples/pool/policy.yaml: the size is pool_alloc's 2nd argument
 * (size_arg: 2), the block is pool_free's 1st.
 */
struct pool {
	unsigned char *base;
	size_t size, used;
	size_t live;		/* blocks handed out and not freed */
};

void pool_init(struct pool *pl, void *arena, size_t size);
void *pool_alloc(struct pool *pl, size_t n);
void pool_free(void *block, struct pool *pl);

/*
 * pool_work(), the policy's test boundary:
 *   pool_alloc 16, 32, 48, 64, 80          5 allocations, 240 bytes
 *   m = malloc(1000)                       1 allocation, live 1240 = peak
 *   free(m)                                1 free, live 240
 *   pool_free the 16, 48 and 80 blocks     3 frees, live 96
 *   returns with the 32 and 64 blocks live: leaked 96 in 2 blocks
 *   allocations 6, frees 4, allocated 1240, peak 1240, leaked 96 / 2
 * main's own malloc(OUTSIDE_BYTES) before pool_work and its free after are
 * outside the scope.
 */
#define POOL_ALLOCS		5
#define POOL_STEP		16	/* block i is 16 * (i + 1) bytes */
#define POOL_MALLOC		1000
#define OUTSIDE_BYTES		7

void pool_work(struct pool *pl);

#endif
