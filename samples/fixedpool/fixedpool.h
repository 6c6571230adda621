#ifndef SAMPLES_FIXEDPOOL_H
#define SAMPLES_FIXEDPOOL_H

#include <stddef.h>

/*
 * A fixed-size object pool shaped like libcork's cork_mempool: the pool
 * knows its object size, so fpool_new_object(mp) takes no size, and
 * fpool_free_object(mp, obj) takes the object second. The pool itself
 * (FPOOL_HEADER bytes) and its arena (FPOOL_ARENA bytes) come from
 * malloc; objects are carved from the arena.
 *
 * samples/fixedpool/policy.yaml describes it (size: FPOOL_OBJECT,
 * free_arg: 2). fpool_work(), the test boundary:
 *   mp = fpool_new()             malloc(FPOOL_HEADER), malloc(FPOOL_ARENA)
 *   FPOOL_OBJECTS objects        FPOOL_OBJECTS allocations of FPOOL_OBJECT
 *   free objects 0, 2 and 4      3 frees
 *   fpool_destroy(mp)            free(arena), free(header)
 *   allocations 2 + 5 = 7, frees 3 + 2 = 5,
 *   allocated = peak = 32 + 4096 + 5 * 64 = 4448 (all live before the
 *   first free), leaked: objects 1 and 3, 128 bytes in 2 blocks.
 */
#define FPOOL_HEADER	32
#define FPOOL_ARENA	4096
#define FPOOL_OBJECT	64
#define FPOOL_OBJECTS	5

struct fpool;

struct fpool *fpool_new(void);
void *fpool_new_object(struct fpool *mp);
void fpool_free_object(struct fpool *mp, void *obj);
void fpool_destroy(struct fpool *mp);

void fpool_work(void);

#endif
