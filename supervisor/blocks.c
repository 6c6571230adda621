/*
 * Live-block hash table. The hash is a multiplicative mix of the address:
 * allocator addresses share their low 4 bits and cluster by size class, so
 * the identity hash would probe long runs.
 */
#include <stdlib.h>
#include <string.h>

#include "supervisor/blocks.h"
#include "supervisor/xmalloc.h"

#define BLOCKS_MIN_CAPACITY 1024

static size_t slot_of(const struct blocks *bl, uint64_t addr)
{
	uint64_t h = addr * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & bl->mask;
}

void blocks_init(struct blocks *bl)
{
	bl->slot = xcalloc(BLOCKS_MIN_CAPACITY, sizeof(*bl->slot));
	bl->mask = BLOCKS_MIN_CAPACITY - 1;
	bl->count = 0;
	bl->bytes = 0;
}

void blocks_release(struct blocks *bl)
{
	free(bl->slot);
	bl->slot = NULL;
	bl->mask = 0;
	bl->count = 0;
	bl->bytes = 0;
}

void blocks_copy(struct blocks *dst, const struct blocks *src)
{
	size_t cap = src->mask + 1;

	dst->slot = xmalloc(cap * sizeof(*dst->slot));
	memcpy(dst->slot, src->slot, cap * sizeof(*dst->slot));
	dst->mask = src->mask;
	dst->count = src->count;
	dst->bytes = src->bytes;
}

static void grow(struct blocks *bl)
{
	struct block *old = bl->slot;
	size_t oldcap = bl->mask + 1, i;

	bl->slot = xcalloc(oldcap * 2, sizeof(*bl->slot));
	bl->mask = oldcap * 2 - 1;
	for (i = 0; i < oldcap; i++) {
		size_t j;

		if (!old[i].addr)
			continue;
		for (j = slot_of(bl, old[i].addr); bl->slot[j].addr;
		     j = (j + 1) & bl->mask)
			;
		bl->slot[j] = old[i];
	}
	free(old);
}

int blocks_insert(struct blocks *bl, const struct block *b, struct block *old)
{
	size_t i;

	if ((bl->count + 1) * 10 > (bl->mask + 1) * 7)
		grow(bl);
	for (i = slot_of(bl, b->addr); bl->slot[i].addr; i = (i + 1) & bl->mask) {
		if (bl->slot[i].addr == b->addr) {
			*old = bl->slot[i];
			bl->bytes += b->size - old->size;
			bl->slot[i] = *b;
			return 1;
		}
	}
	bl->slot[i] = *b;
	bl->count++;
	bl->bytes += b->size;
	return 0;
}

const struct block *blocks_find(const struct blocks *bl, uint64_t addr)
{
	size_t i;

	for (i = slot_of(bl, addr); bl->slot[i].addr; i = (i + 1) & bl->mask)
		if (bl->slot[i].addr == addr)
			return &bl->slot[i];
	return NULL;
}

int blocks_remove(struct blocks *bl, uint64_t addr, struct block *out)
{
	size_t i, j;

	for (i = slot_of(bl, addr); bl->slot[i].addr; i = (i + 1) & bl->mask)
		if (bl->slot[i].addr == addr)
			break;
	if (!bl->slot[i].addr)
		return -1;
	*out = bl->slot[i];
	bl->count--;
	bl->bytes -= out->size;

	/*
	 * Backward-shift deletion: move later members of the probe run into
	 * the hole when their home slot does not lie cyclically in (i, j].
	 */
	for (j = (i + 1) & bl->mask; bl->slot[j].addr; j = (j + 1) & bl->mask) {
		size_t home = slot_of(bl, bl->slot[j].addr);

		if (((j - home) & bl->mask) >= ((j - i) & bl->mask)) {
			bl->slot[i] = bl->slot[j];
			i = j;
		}
	}
	bl->slot[i].addr = 0;
	return 0;
}

int blocks_foreach(const struct blocks *bl,
		   int (*fn)(const struct block *b, void *arg), void *arg)
{
	size_t i;
	int r;

	for (i = 0; i <= bl->mask; i++) {
		if (!bl->slot[i].addr)
			continue;
		r = fn(&bl->slot[i], arg);
		if (r)
			return r;
	}
	return 0;
}
