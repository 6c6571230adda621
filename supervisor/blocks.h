/*
 * The live blocks of one process: address -> {size, sequence, stack}.
 * Open addressing with linear probing and backward-shift deletion, sized
 * for millions of blocks: 24 bytes a slot, at most 70% full, grown in
 * place (realloc of a large table is an mremap: no second copy lives
 * while it doubles), so a block costs 34 to 69 bytes, 48 on average.
 *
 * "seq" is the process's allocation counter at the block's birth: a scope
 * that opened at sequence S owns exactly the blocks with seq >= S (docs/supervisor.md:
 * frees of blocks from before the scope do not lower its peak).
 *
 * Packing limits: a size below 2^48 (256 TiB), a sequence below 2^40
 * (10^12 allocations in one process), a stack id below 2^24; a block whose
 * stack id is larger keeps no stack (0).
 */
#ifndef MEMSUP_BLOCKS_H
#define MEMSUP_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

/* A block as callers see it (unpacked). */
struct block {
	uint64_t addr;			/* never 0 */
	uint64_t size;
	uint64_t seq;
	uint32_t stack;			/* interned stack id, 0 = none */
	uint32_t flags;			/* enum block_flags */
};

enum block_flags {
	BLOCK_NEW_ARRAY = 1 << 0,	/* from operator new[] */
	BLOCK_NEW = 1 << 1,		/* from operator new */
};

/* A slot of the table: 0 addr means empty. */
struct block_slot {
	uint64_t addr;
	uint64_t size_flags;		/* size:48, flags:8, mark:8 */
	uint64_t seq_stack;		/* seq:40, stack:24 */
};

struct blocks {
	struct block_slot *slot;
	size_t mask;			/* capacity - 1, capacity a power of 2 */
	size_t count;
	uint64_t bytes;			/* sum of sizes */
};

void blocks_init(struct blocks *bl);
void blocks_release(struct blocks *bl);
/* DST becomes a copy of SRC (a forked child's heap). */
void blocks_copy(struct blocks *dst, const struct blocks *src);
/* Insert B; an existing entry at the same address is replaced and its old
 * value returned in *OLD (1), else 0. */
int blocks_insert(struct blocks *bl, const struct block *b, struct block *old);
/* Remove ADDR into *OUT; 0, or -1 when unknown. */
int blocks_remove(struct blocks *bl, uint64_t addr, struct block *out);
/* The block at ADDR into *OUT (may be NULL); 0, or -1 when unknown. */
int blocks_find(const struct blocks *bl, uint64_t addr, struct block *out);
/* Starts bringing ADDR's home slot into the cache: a caller that knows
 * the addresses of its next few operations hides the misses of a large
 * table. */
static inline void blocks_prefetch(const struct blocks *bl, uint64_t addr)
{
	uint64_t h = addr * 0x9e3779b97f4a7c15ULL;

	__builtin_prefetch(&bl->slot[(size_t)(h >> 20) & bl->mask], 1);
}
/* FN for every live block; stops at a non-zero return. */
int blocks_foreach(const struct blocks *bl,
		   int (*fn)(const struct block *b, void *arg), void *arg);

#endif
