/*
 * The table is three arrays: records indexed by id - 1, an open-addressing
 * index of ids (linear probing, kept at most half full, rebuilt from the
 * stored hashes when it grows), and an arena of pcs in fixed chunks so
 * that a stack's pcs never move once stored.
 */
#include <stdlib.h>
#include <string.h>

#include "supervisor/msg.h"
#include "supervisor/stacks.h"
#include "supervisor/xmalloc.h"

/* 256 Ki pcs (2 MiB) a chunk; a stack never spans two. */
#define CHUNK_PCS ((size_t)1 << 18)
#define INITIAL_INDEX 1024u

struct stack_rec {
	const uint64_t *pcs;
	uint32_t hash;
	uint32_t image;
	uint32_t n;
};

void stacks_init(struct stacks *st)
{
	memset(st, 0, sizeof(*st));
}

void stacks_release(struct stacks *st)
{
	size_t i;

	for (i = 0; i < st->nchunks; i++)
		free(st->chunks[i]);
	free(st->chunks);
	free(st->recs);
	free(st->index);
	memset(st, 0, sizeof(*st));
}

static uint64_t mix(uint64_t h)
{
	/* splitmix64's finaliser */
	h ^= h >> 30;
	h *= 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 27;
	h *= 0x94d049bb133111ebULL;
	h ^= h >> 31;
	return h;
}

static uint32_t stack_hash(uint32_t image, const uint64_t *pcs, unsigned n)
{
	uint64_t h = mix(((uint64_t)image << 32) | n);
	unsigned i;

	for (i = 0; i < n; i++)
		h = mix(h ^ pcs[i]) + i;
	return (uint32_t)(h ^ (h >> 32));
}

static void index_grow(struct stacks *st)
{
	uint32_t size = st->mask ? (st->mask + 1) * 2 : INITIAL_INDEX;
	uint32_t i, id;

	BUG_ON(size == 0);
	free(st->index);
	st->index = xcalloc(size, sizeof(*st->index));
	st->mask = size - 1;
	for (id = 1; id <= st->nrecs; id++) {
		i = st->recs[id - 1].hash & st->mask;
		while (st->index[i])
			i = (i + 1) & st->mask;
		st->index[i] = id;
	}
}

static uint64_t *arena_store(struct stacks *st, const uint64_t *pcs,
			     unsigned n)
{
	uint64_t *p;

	if (!st->nchunks || st->chunk_used + n > CHUNK_PCS) {
		st->chunks = xgrow(st->chunks, &st->achunks, st->nchunks + 1,
				   sizeof(*st->chunks));
		st->chunks[st->nchunks++] =
			xmalloc(CHUNK_PCS * sizeof(uint64_t));
		st->chunk_used = 0;
	}
	p = st->chunks[st->nchunks - 1] + st->chunk_used;
	memcpy(p, pcs, n * sizeof(*pcs));
	st->chunk_used += n;
	st->npcs += n;
	return p;
}

uint32_t stacks_intern(struct stacks *st, uint32_t image,
		       const uint64_t *pcs, unsigned n)
{
	struct stack_rec *rec;
	uint32_t hash, i, id;
	size_t arecs;

	if (!n)
		return 0;
	if (n > STACKS_MAX_DEPTH)
		n = STACKS_MAX_DEPTH;
	hash = stack_hash(image, pcs, n);
	if (!st->index)
		index_grow(st);
	for (i = hash & st->mask; (id = st->index[i]); i = (i + 1) & st->mask) {
		rec = &st->recs[id - 1];
		if (rec->hash == hash && rec->image == image && rec->n == n &&
		    !memcmp(rec->pcs, pcs, n * sizeof(*pcs)))
			return id;
	}

	BUG_ON(st->nrecs >= UINT32_MAX - 1);
	arecs = st->arecs;
	st->recs = xgrow(st->recs, &arecs, (size_t)st->nrecs + 1,
			 sizeof(*st->recs));
	st->arecs = (uint32_t)arecs;
	rec = &st->recs[st->nrecs];
	rec->pcs = arena_store(st, pcs, n);
	rec->hash = hash;
	rec->image = image;
	rec->n = n;
	id = ++st->nrecs;
	st->index[i] = id;
	/* at most half full, so that probes stay short */
	if ((uint64_t)st->nrecs * 2 > (uint64_t)st->mask + 1)
		index_grow(st);
	return id;
}

const uint64_t *stacks_get(const struct stacks *st, uint32_t id,
			   unsigned *n)
{
	if (!id || id > st->nrecs) {
		*n = 0;
		return NULL;
	}
	*n = st->recs[id - 1].n;
	return st->recs[id - 1].pcs;
}

uint32_t stacks_image(const struct stacks *st, uint32_t id)
{
	if (!id || id > st->nrecs)
		return 0;
	return st->recs[id - 1].image;
}

uint32_t stacks_count(const struct stacks *st)
{
	return st->nrecs;
}
