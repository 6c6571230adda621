/*
 * fixedpool: a fixed-size pool allocator (fixedpool.h), supervised with
 * samples/fixedpool/policy.yaml; fpool_work() is the test boundary.
 */
#include <stdlib.h>

#include "../common/say.h"
#include "fixedpool.h"

/*
 * The arena starts with a chunk header, as real pools keep one: no object
 * shares the arena's address (the heap knows one block per address).
 */
#define FPOOL_CHUNK_HEADER 16

struct fpool {
	unsigned char *arena;
	size_t used;
	size_t live;
	unsigned char pad[FPOOL_HEADER - 2 * sizeof(size_t) - sizeof(void *)];
};

_Static_assert(sizeof(struct fpool) == FPOOL_HEADER, "header size");

static size_t left_live;

__attribute__((noinline)) struct fpool *fpool_new(void)
{
	struct fpool *mp = malloc(sizeof(*mp));

	if (!mp || !(mp->arena = malloc(FPOOL_ARENA)))
		abort();
	mp->used = FPOOL_CHUNK_HEADER;	/* objects start past it */
	mp->live = 0;
	return mp;
}

__attribute__((noinline)) void *fpool_new_object(struct fpool *mp)
{
	void *p;

	if (FPOOL_ARENA - mp->used < FPOOL_OBJECT)
		return NULL;
	p = mp->arena + mp->used;
	mp->used += FPOOL_OBJECT;
	mp->live++;
	return p;
}

__attribute__((noinline)) void fpool_free_object(struct fpool *mp, void *obj)
{
	if (obj)
		mp->live--;
}

__attribute__((noinline)) void fpool_destroy(struct fpool *mp)
{
	left_live = mp->live;
	free(mp->arena);
	free(mp);
}

__attribute__((noinline)) void fpool_work(void)
{
	struct fpool *mp = fpool_new();
	void *obj[FPOOL_OBJECTS];
	int i;

	for (i = 0; i < FPOOL_OBJECTS; i++)
		if (!(obj[i] = fpool_new_object(mp)))
			abort();
	fpool_free_object(mp, obj[0]);
	fpool_free_object(mp, obj[2]);
	fpool_free_object(mp, obj[4]);
	fpool_destroy(mp);
}

int main(void)
{
	fpool_work();
	if (left_live != 2)
		return 1;
	say_str(1, "fixedpool: done\n");
	return 0;
}
