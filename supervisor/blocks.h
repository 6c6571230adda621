/*
 * The live blocks of one process: address -> {size, sequence, stack}.
 * Open addressing with linear probing and backward-shift deletion, sized
 * for millions of blocks: 32 bytes a slot, at most 70% full.
 *
 * "seq" is the process's allocation counter at the block's birth: a scope
 * that opened at sequence S owns exactly the blocks with seq >= S (SPEC §5:
 * frees of blocks from before the scope do not lower its peak).
 */
#ifndef MEMSUP_BLOCKS_H
#define MEMSUP_BLOCKS_H

#include <stddef.h>
#include <stdint.h>

struct block {
	uint64_t addr;			/* 0: empty slot */
	uint64_t size;
	uint64_t seq;
	uint32_t stack;			/* interned stack id, 0 = none */
	uint32_t flags;			/* enum block_flags */
};

enum block_flags {
	BLOCK_NEW_ARRAY = 1 << 0,	/* from operator new[] */
	BLOCK_NEW = 1 << 1,		/* from operator new */
};

struct blocks {
	struct block *slot;
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
const struct block *blocks_find(const struct blocks *bl, uint64_t addr);
/* FN for every live block; stops at a non-zero return. */
int blocks_foreach(const struct blocks *bl,
		   int (*fn)(const struct block *b, void *arg), void *arg);

#endif
