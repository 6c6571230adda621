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
#define SIZE_BITS 48
#define SEQ_BITS 40
#define STACK_LIMIT (1u << 24)
#define MARK_OLD (1ULL << 56)		/* during growth: not placed yet */

/* blocks_prefetch() computes the same */
static size_t home_of(size_t mask, uint64_t addr)
{
	uint64_t h = addr * 0x9e3779b97f4a7c15ULL;

	return (size_t)(h >> 20) & mask;
}

static void pack(struct block_slot *s, const struct block *b)
{
	s->addr = b->addr;
	s->size_flags = (b->size & ((1ULL << SIZE_BITS) - 1)) |
			((uint64_t)(b->flags & 0xff) << SIZE_BITS);
	s->seq_stack = (b->seq & ((1ULL << SEQ_BITS) - 1)) |
		       ((uint64_t)(b->stack < STACK_LIMIT ? b->stack : 0)
			<< SEQ_BITS);
}

static void unpack(const struct block_slot *s, struct block *b)
{
	b->addr = s->addr;
	b->size = s->size_flags & ((1ULL << SIZE_BITS) - 1);
	b->flags = (uint32_t)(s->size_flags >> SIZE_BITS) & 0xff;
	b->seq = s->seq_stack & ((1ULL << SEQ_BITS) - 1);
	b->stack = (uint32_t)(s->seq_stack >> SEQ_BITS);
}

static uint64_t slot_size(const struct block_slot *s)
{
	return s->size_flags & ((1ULL << SIZE_BITS) - 1);
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

/*
 * Doubles the table in place. The entries are marked "old" and placed
 * again one by one from their new homes; an insertion that meets an old
 * entry takes its slot and carries the old one on. A placed entry thus
 * never probes past an old one, so lifting an old entry out of its slot
 * never breaks a placed entry's probe run, and no second table is needed
 * (glibc's realloc of a large block is an mremap).
 */
static void grow(struct blocks *bl)
{
	size_t oldcap = bl->mask + 1, cap = oldcap * 2, i, j;

	bl->slot = xrealloc(bl->slot, cap * sizeof(*bl->slot));
	memset(bl->slot + oldcap, 0, oldcap * sizeof(*bl->slot));
	bl->mask = cap - 1;
	for (i = 0; i < oldcap; i++)
		if (bl->slot[i].addr)
			bl->slot[i].size_flags |= MARK_OLD;
	for (i = 0; i < cap; i++) {
		struct block_slot carry;

		if (!bl->slot[i].addr || !(bl->slot[i].size_flags & MARK_OLD))
			continue;
		carry = bl->slot[i];
		bl->slot[i].addr = 0;
		carry.size_flags &= ~MARK_OLD;
		for (;;) {
			for (j = home_of(bl->mask, carry.addr);
			     bl->slot[j].addr &&
			     !(bl->slot[j].size_flags & MARK_OLD);
			     j = (j + 1) & bl->mask)
				;
			if (!bl->slot[j].addr) {
				bl->slot[j] = carry;
				break;
			}
			/* An old entry: take its place, carry it on. */
			{
				struct block_slot next = bl->slot[j];

				bl->slot[j] = carry;
				carry = next;
				carry.size_flags &= ~MARK_OLD;
			}
		}
	}
}

int blocks_insert(struct blocks *bl, const struct block *b, struct block *old)
{
	size_t i;

	if ((bl->count + 1) * 10 > (bl->mask + 1) * 7)
		grow(bl);
	for (i = home_of(bl->mask, b->addr); bl->slot[i].addr;
	     i = (i + 1) & bl->mask) {
		if (bl->slot[i].addr == b->addr) {
			unpack(&bl->slot[i], old);
			bl->bytes += b->size - old->size;
			pack(&bl->slot[i], b);
			return 1;
		}
	}
	pack(&bl->slot[i], b);
	bl->count++;
	bl->bytes += b->size;
	return 0;
}

static size_t find_slot(const struct blocks *bl, uint64_t addr)
{
	size_t i;

	for (i = home_of(bl->mask, addr); bl->slot[i].addr;
	     i = (i + 1) & bl->mask)
		if (bl->slot[i].addr == addr)
			return i;
	return (size_t)-1;
}

int blocks_find(const struct blocks *bl, uint64_t addr, struct block *out)
{
	size_t i = find_slot(bl, addr);

	if (i == (size_t)-1)
		return -1;
	if (out)
		unpack(&bl->slot[i], out);
	return 0;
}

int blocks_remove(struct blocks *bl, uint64_t addr, struct block *out)
{
	size_t i = find_slot(bl, addr), j;

	if (i == (size_t)-1)
		return -1;
	unpack(&bl->slot[i], out);
	bl->count--;
	bl->bytes -= slot_size(&bl->slot[i]);

	/*
	 * Backward-shift deletion: move later members of the probe run into
	 * the hole when their home slot does not lie cyclically in (i, j].
	 */
	for (j = (i + 1) & bl->mask; bl->slot[j].addr; j = (j + 1) & bl->mask) {
		size_t home = home_of(bl->mask, bl->slot[j].addr);

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
	struct block b;
	size_t i;
	int r;

	for (i = 0; i <= bl->mask; i++) {
		if (!bl->slot[i].addr)
			continue;
		unpack(&bl->slot[i], &b);
		r = fn(&b, arg);
		if (r)
			return r;
	}
	return 0;
}
