/*
 * Leak kinds: which live blocks the program can still reach (docs/leaks.md).
 *
 * The pure core of the reachability scan, with no ptrace: a sorted array
 * of the live blocks, marked from root words that the caller reads out of
 * the process (registers, stacks, writable segments, TLS; leakroots.c),
 * then through the blocks' own contents, which it reads through a callback
 * in batches. The kinds follow valgrind's memcheck and LeakSanitizer:
 *
 *   reachable  a start pointer from a root, or from a reachable block
 *   possible   reached, but only through an interior pointer somewhere
 *              on the way (or from a possible block)
 *   indirect   not reached, but pointed to (start or interior) from a
 *              block that is not reached either
 *   definite   not reached and pointed to by no other lost block: the
 *              head of what was lost; it holds the indirect bytes of the
 *              blocks reached only through it
 *
 * A pointer is an aligned 8-byte word whose value lies in [addr, addr +
 * size) of a block (a zero-sized block: equal to addr).
 *
 * Use: leakscan_init(), leakscan_add() every block, leakscan_sort(),
 * leakscan_root() for every root region, leakscan_mark(), leakscan_finish(),
 * then leakscan_kind() per block; leakscan_release() frees everything.
 */
#ifndef MEMSUP_LEAKSCAN_H
#define MEMSUP_LEAKSCAN_H

#include <stddef.h>
#include <stdint.h>

enum leak_kind {
	LEAK_DEFINITE = 0,
	LEAK_INDIRECT,
	LEAK_POSSIBLE,
	LEAK_REACHABLE,
	LEAK_UNSCANNED,		/* the memory could not be read any more
				 * (the process was gone): not classified */
	LEAK_NKINDS,
};

/* leak_kinds: in the policy, as bits (1 << enum leak_kind). Unscanned
 * blocks are judged whatever the policy says: nothing shows them
 * reachable. */
#define LEAK_KINDS_DEFAULT                                              \
	((1u << LEAK_DEFINITE) | (1u << LEAK_INDIRECT) |               \
	 (1u << LEAK_POSSIBLE))
#define LEAK_KINDS_ALL                                                  \
	(LEAK_KINDS_DEFAULT | (1u << LEAK_REACHABLE))

/* "definite", "indirect", "possible", "reachable", "unscanned". */
const char *leak_kind_name(enum leak_kind k);
/* The kind called NAME, or -1. */
int leak_kind_parse(const char *name);

struct leakscan_block {
	uint64_t addr, size;
	uint64_t indirect;		/* definite: bytes it holds */
	uint32_t state;			/* internal; see leakscan_kind() */
	uint32_t pad;
};

/* A range to read for the marking: LEN bytes at ADDR, into BUF. */
struct leakscan_span {
	uint64_t addr;
	uint64_t len;
	uint8_t *buf;
};

/*
 * Reads every span of SPANS (N of them) into its buffer. A span that
 * cannot be read is filled with zeros (its words point nowhere). Returns
 * 0, or -1 when nothing can be read any more (the process is gone).
 */
typedef int (*leakscan_read_fn)(void *arg, struct leakscan_span *spans,
				size_t n);

enum leakscan_flags {
	/*
	 * glibc's malloc keeps pointers to chunk headers (the top chunk,
	 * its bins) in libc's data. A chunk header lies in the last 8
	 * bytes of the block before it when that block's size is 16k+1 ..
	 * 16k+8: such a root word would look like an interior pointer. With
	 * this flag a root word at exactly that place is not a pointer.
	 */
	LEAKSCAN_GLIBC_CHUNKS = 1 << 0,
};

struct leakscan {
	struct leakscan_block *b;	/* sorted by address */
	size_t n, alloc;
	uint64_t lo, hi;		/* [lowest addr, highest end] */
	/* The lookup's index (leakscan_sort()): the addresses alone, dense
	 * for the binary search, and per megabyte of address space the
	 * blocks that start in it (open addressing on addr >> 20). */
	uint64_t *addrs;
	struct leakscan_bucket {
		uint64_t key;		/* addr >> 20, + 1 (0: empty) */
		size_t first, n;
	} *bucket;
	size_t bmask;
	unsigned flags;			/* enum leakscan_flags */
	/* the mark stack: indexes into b */
	size_t *stack;
	size_t nstack, astack;
	long clique;			/* -1: from the roots; else the leader */
	/* figures for the bench and -v */
	uint64_t root_bytes;		/* root words read */
	uint64_t heap_bytes;		/* block contents read */
	uint64_t reads;			/* read callbacks */
};

void leakscan_init(struct leakscan *ls, unsigned flags);
void leakscan_release(struct leakscan *ls);

/* Adds a live block; then leakscan_sort() once all are in. */
void leakscan_add(struct leakscan *ls, uint64_t addr, uint64_t size);
void leakscan_sort(struct leakscan *ls);

/* The index of the block that ADDR points into, or -1. */
long leakscan_lookup(const struct leakscan *ls, uint64_t addr);

/*
 * NWORDS words of a root (values only: where they were read does not
 * matter). Marks the blocks they point to; leakscan_mark() follows them.
 */
void leakscan_root(struct leakscan *ls, const uint64_t *words, size_t nwords);

/*
 * Follows the blocks marked so far through their contents, read with
 * READ in batches of up to about a megabyte. 0, or -1 when READ failed.
 */
int leakscan_mark(struct leakscan *ls, leakscan_read_fn read, void *arg);

/*
 * After the roots: groups what was not reached into definite leaders and
 * the indirect blocks they hold, in address order as valgrind does (a
 * cycle's leader is its lowest block). 0, or -1 when READ failed.
 */
int leakscan_finish(struct leakscan *ls, leakscan_read_fn read, void *arg);

/*
 * The kind of the block at exactly ADDR, and for a definite block the
 * bytes of the indirect blocks it holds (*INDIRECT, may be NULL);
 * LEAK_UNSCANNED when ADDR is not one of the blocks.
 */
enum leak_kind leakscan_kind(const struct leakscan *ls, uint64_t addr,
			     uint64_t *indirect);

#endif
