/*
 * Interned call stacks: each distinct stack of return addresses is stored
 * once and named by a small id, so that a live block costs 4 bytes of
 * stack, not 8 per frame, and grouping leaks by stack compares integers.
 *
 * One table serves the whole session. A forked child runs the same image
 * as its parent, so an id taken in the parent means the same stack in the
 * child; the key includes an image number supplied by the caller (the
 * exec generation), so that stacks of different exec images never share
 * an id even when their addresses coincide.
 *
 * Pure: no ptrace, no I/O. Allocation failure dies (xmalloc).
 */
#ifndef MEMSUP_STACKS_H
#define MEMSUP_STACKS_H

#include <stddef.h>
#include <stdint.h>

/* Deeper stacks are cut to their innermost STACKS_MAX_DEPTH frames. */
#define STACKS_MAX_DEPTH 256

struct stack_rec;

struct stacks {
	struct stack_rec *recs;		/* id - 1 -> record */
	uint32_t nrecs, arecs;
	uint32_t *index;		/* open addressing: id, 0 = empty */
	uint32_t mask;			/* index size - 1 (a power of two) */
	uint64_t **chunks;		/* the arena of pcs, never moved */
	size_t nchunks, achunks;
	size_t chunk_used;		/* pcs used in the last chunk */
	size_t npcs;			/* pcs stored, for statistics */
};

void stacks_init(struct stacks *st);
/* Frees everything; every pointer stacks_get() returned becomes invalid. */
void stacks_release(struct stacks *st);

/*
 * The id (>= 1) of the stack PCS[0..N) of exec image IMAGE, innermost
 * frame first; equal (IMAGE, PCS) give the same id. N == 0 gives 0, "no
 * stack"; N > STACKS_MAX_DEPTH keeps the innermost STACKS_MAX_DEPTH.
 * Ids are dense (1, 2, 3, ... in order of first appearance) and stay
 * valid until stacks_release().
 */
uint32_t stacks_intern(struct stacks *st, uint32_t image,
		       const uint64_t *pcs, unsigned n);

/*
 * The pcs of stack ID and their number in *N, or NULL with *N = 0 for id
 * 0 or an id never returned. The array is owned by the table and stays
 * valid (it never moves) until stacks_release().
 */
const uint64_t *stacks_get(const struct stacks *st, uint32_t id,
			   unsigned *n);
/* The image number stack ID was interned with; 0 for an invalid id. */
uint32_t stacks_image(const struct stacks *st, uint32_t id);
/* How many distinct stacks: valid ids are 1 .. stacks_count(). */
uint32_t stacks_count(const struct stacks *st);

#endif
