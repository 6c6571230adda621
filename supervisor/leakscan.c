/*
 * The marking of the leak scan, valgrind's memcheck algorithm
 * (mc_leakcheck.c) over a sorted array, restated:
 *
 * 1. From the roots: a start pointer from a root, or from a block marked
 *    reachable, makes a block reachable; any other pointer makes an
 *    unreached block possible. A block whose mark rises is scanned
 *    (again), until nothing changes.
 * 2. Every block still unreached, in address order, leads a clique: the
 *    unreached blocks that it reaches through unreached blocks become
 *    indirect and add their sizes (and the indirect bytes of a former
 *    leader they swallow) to its indirect bytes. A leader stays definite.
 */
#include <stdlib.h>
#include <string.h>

#include "supervisor/leakscan.h"
#include "supervisor/xmalloc.h"

/* Block states, rising during the first pass. */
enum {
	ST_UNREACHED = 0,
	ST_INDIRECT,
	ST_POSSIBLE,
	ST_REACHABLE,
};

/* Bytes read at once: big enough to make a read cheap per byte, small
 * enough to stay in the cache while its words are looked up. */
#define BATCH_BYTES (1u << 20)
#define BATCH_SPANS 1024		/* process_vm_readv's IOV_MAX */

static const char *const kind_names[LEAK_NKINDS] = {
	[LEAK_DEFINITE] = "definite",
	[LEAK_INDIRECT] = "indirect",
	[LEAK_POSSIBLE] = "possible",
	[LEAK_REACHABLE] = "reachable",
	[LEAK_UNSCANNED] = "unscanned",
};

const char *leak_kind_name(enum leak_kind k)
{
	return (unsigned)k < LEAK_NKINDS ? kind_names[k] : "unknown";
}

int leak_kind_parse(const char *name)
{
	int k;

	for (k = 0; k < LEAK_UNSCANNED; k++)
		if (!strcmp(name, kind_names[k]))
			return k;
	return -1;
}

void leakscan_init(struct leakscan *ls, unsigned flags)
{
	memset(ls, 0, sizeof(*ls));
	ls->flags = flags;
	ls->clique = -1;
}

void leakscan_release(struct leakscan *ls)
{
	free(ls->addrs);
	free(ls->bucket);
	free(ls->b);
	free(ls->stack);
	memset(ls, 0, sizeof(*ls));
}

void leakscan_add(struct leakscan *ls, uint64_t addr, uint64_t size)
{
	struct leakscan_block *b;

	ls->b = xgrow(ls->b, &ls->alloc, ls->n + 1, sizeof(*ls->b));
	b = &ls->b[ls->n++];
	memset(b, 0, sizeof(*b));
	b->addr = addr;
	b->size = size;
}

static int by_addr(const void *x, const void *y)
{
	const struct leakscan_block *a = x, *b = y;

	return (a->addr > b->addr) - (a->addr < b->addr);
}

#define BUCKET_SHIFT 20

static struct leakscan_bucket *bucket_of(const struct leakscan *ls,
					 uint64_t key)
{
	size_t i;

	for (i = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 20) & ls->bmask;
	     ls->bucket[i].key; i = (i + 1) & ls->bmask)
		if (ls->bucket[i].key == key)
			return &ls->bucket[i];
	return &ls->bucket[i];
}

/* The index of leakscan_lookup(): dense addresses, megabyte buckets. */
static void build_index(struct leakscan *ls)
{
	size_t i, nb = 0, cap = 16;

	free(ls->addrs);
	free(ls->bucket);
	ls->addrs = xmalloc((ls->n ? ls->n : 1) * sizeof(*ls->addrs));
	for (i = 0; i < ls->n; i++) {
		ls->addrs[i] = ls->b[i].addr;
		if (!i || (ls->addrs[i] >> BUCKET_SHIFT) !=
			  (ls->addrs[i - 1] >> BUCKET_SHIFT))
			nb++;
	}
	while (cap < nb * 2)
		cap *= 2;
	ls->bucket = xcalloc(cap, sizeof(*ls->bucket));
	ls->bmask = cap - 1;
	for (i = 0; i < ls->n; i++) {
		struct leakscan_bucket *bk =
			bucket_of(ls, (ls->addrs[i] >> BUCKET_SHIFT) + 1);

		if (!bk->key) {
			bk->key = (ls->addrs[i] >> BUCKET_SHIFT) + 1;
			bk->first = i;
		}
		bk->n++;
	}
}

void leakscan_sort(struct leakscan *ls)
{
	size_t i;

	qsort(ls->b, ls->n, sizeof(*ls->b), by_addr);
	ls->lo = ls->n ? ls->b[0].addr : 0;
	ls->hi = 0;
	for (i = 0; i < ls->n; i++) {
		uint64_t end = ls->b[i].addr + (ls->b[i].size ? ls->b[i].size : 1);

		if (end > ls->hi)
			ls->hi = end;
	}
	build_index(ls);
}

/* The last index in [LO, HI) whose address is at or below ADDR, or LO - 1
 * (as a long) when there is none. */
static long last_at_or_below(const uint64_t *a, size_t lo, size_t hi,
			     uint64_t addr)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (a[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (long)lo - 1;
}

long leakscan_lookup(const struct leakscan *ls, uint64_t addr)
{
	const struct leakscan_block *b;
	const struct leakscan_bucket *bk;
	long i;

	if (addr < ls->lo || addr >= ls->hi || !ls->addrs)
		return -1;
	/*
	 * The last block starting at or below ADDR: within the blocks that
	 * start in ADDR's megabyte, or the one before them (a block that
	 * began earlier and may reach into it); when none starts there,
	 * over all blocks.
	 */
	bk = bucket_of(ls, (addr >> BUCKET_SHIFT) + 1);
	if (bk->key)
		i = last_at_or_below(ls->addrs, bk->first, bk->first + bk->n,
				     addr);
	else
		i = last_at_or_below(ls->addrs, 0, ls->n, addr);
	if (i < 0)
		return -1;
	b = &ls->b[i];
	if (b->addr > addr)
		return -1;
	if (addr - b->addr < b->size || addr == b->addr)
		return i;
	return -1;
}

static void push(struct leakscan *ls, size_t i)
{
	ls->stack = xgrow(ls->stack, &ls->astack, ls->nstack + 1,
			  sizeof(*ls->stack));
	ls->stack[ls->nstack++] = i;
}

/* Where glibc's next chunk header sits, when it is inside block B. */
static int glibc_chunk_header(const struct leakscan_block *b, uint64_t ptr)
{
	uint64_t chunk = (b->size + 8 + 15) & ~(uint64_t)15;

	if (chunk < 32)
		chunk = 32;
	return ptr == b->addr - 16 + chunk;
}

/* A pointer seen in the first pass, from a root or a marked block. */
static void reach(struct leakscan *ls, uint64_t ptr, int prior_definite,
		  int from_root)
{
	long i = leakscan_lookup(ls, ptr);
	struct leakscan_block *b;

	if (i < 0)
		return;
	b = &ls->b[i];
	if (b->state == ST_REACHABLE)
		return;
	if (ptr != b->addr && from_root && (ls->flags & LEAKSCAN_GLIBC_CHUNKS) &&
	    glibc_chunk_header(b, ptr))
		return;
	if (ptr == b->addr && prior_definite) {
		b->state = ST_REACHABLE;
		push(ls, (size_t)i);
	} else if (b->state == ST_UNREACHED) {
		b->state = ST_POSSIBLE;
		push(ls, (size_t)i);
	}
}

/* A pointer seen in the second pass, from a block of clique LEADER. */
static void gather(struct leakscan *ls, uint64_t ptr)
{
	long i = leakscan_lookup(ls, ptr);
	struct leakscan_block *b, *lead;

	if (i < 0 || i == ls->clique)
		return;
	b = &ls->b[i];
	if (b->state != ST_UNREACHED)
		return;
	lead = &ls->b[ls->clique];
	lead->indirect += b->size + b->indirect;
	b->indirect = 0;
	b->state = ST_INDIRECT;
	push(ls, (size_t)i);
}

void leakscan_root(struct leakscan *ls, const uint64_t *words, size_t nwords)
{
	size_t i;

	ls->root_bytes += nwords * 8;
	for (i = 0; i < nwords; i++)
		if (words[i] >= ls->lo && words[i] < ls->hi)
			reach(ls, words[i], 1, 1);
}

/* The words of a block's contents, read into BUF; PRIOR is the state of
 * the block when it was taken off the stack. */
static void scan_words(struct leakscan *ls, const uint8_t *buf, size_t len,
		       uint32_t prior)
{
	const uint64_t *w = (const uint64_t *)(const void *)buf;
	size_t i, n = len / 8;
	uint64_t lo = ls->lo, hi = ls->hi;

	for (i = 0; i < n; i++) {
		if (w[i] < lo || w[i] >= hi)
			continue;
		if (ls->clique < 0)
			reach(ls, w[i], prior != ST_POSSIBLE, 0);
		else
			gather(ls, w[i]);
	}
}

/* The aligned words of block B: [*from, *to). */
static void block_words(const struct leakscan_block *b, uint64_t *from,
			uint64_t *to)
{
	*from = (b->addr + 7) & ~(uint64_t)7;
	*to = (b->addr + b->size) & ~(uint64_t)7;
	if (*to < *from)
		*to = *from;
}

/* A block bigger than a batch, read and scanned piece by piece. */
static int scan_big(struct leakscan *ls, size_t i, uint8_t *buf,
		    leakscan_read_fn read, void *arg)
{
	uint32_t prior = ls->b[i].state;
	uint64_t from, to, at;

	block_words(&ls->b[i], &from, &to);
	for (at = from; at < to; at += BATCH_BYTES) {
		struct leakscan_span sp = { at, to - at, buf };

		if (sp.len > BATCH_BYTES)
			sp.len = BATCH_BYTES;
		ls->reads++;
		if (read(arg, &sp, 1) < 0)
			return -1;
		ls->heap_bytes += sp.len;
		scan_words(ls, buf, (size_t)sp.len, prior);
	}
	return 0;
}

/*
 * Empties the mark stack. Blocks are taken off in batches read with one
 * call; a block already scanned in its current state is not read again
 * (its pointers were followed with the same strength).
 */
static int drain(struct leakscan *ls, leakscan_read_fn read, void *arg)
{
	struct leakscan_span spans[BATCH_SPANS];
	uint32_t prior[BATCH_SPANS];
	uint8_t *buf = xmalloc(BATCH_BYTES);
	int ret = 0;

	while (ls->nstack && !ret) {
		size_t n = 0, used = 0, k;

		while (ls->nstack && n < BATCH_SPANS) {
			size_t i = ls->stack[ls->nstack - 1];
			struct leakscan_block *b = &ls->b[i];
			uint64_t from, to;

			block_words(b, &from, &to);
			if (ls->clique < 0 && b->pad == b->state + 1) {
				ls->nstack--;
				continue;
			}
			if (to - from > BATCH_BYTES) {
				if (n)
					break;
				ls->nstack--;
				b->pad = b->state + 1;
				ret = scan_big(ls, i, buf, read, arg);
				break;
			}
			if (used + (to - from) > BATCH_BYTES)
				break;
			ls->nstack--;
			b->pad = b->state + 1;
			if (to == from)
				continue;
			spans[n].addr = from;
			spans[n].len = to - from;
			spans[n].buf = buf + used;
			prior[n] = b->state;
			used += (size_t)(to - from);
			n++;
		}
		if (!n || ret)
			continue;
		ls->reads++;
		if (read(arg, spans, n) < 0) {
			ret = -1;
			break;
		}
		ls->heap_bytes += used;
		for (k = 0; k < n; k++)
			scan_words(ls, spans[k].buf, (size_t)spans[k].len,
				   prior[k]);
	}
	free(buf);
	return ret;
}

int leakscan_mark(struct leakscan *ls, leakscan_read_fn read, void *arg)
{
	ls->clique = -1;
	return drain(ls, read, arg);
}

int leakscan_finish(struct leakscan *ls, leakscan_read_fn read, void *arg)
{
	size_t i;

	if (leakscan_mark(ls, read, arg) < 0)
		return -1;
	for (i = 0; i < ls->n; i++) {
		if (ls->b[i].state != ST_UNREACHED)
			continue;
		ls->clique = (long)i;
		push(ls, i);
		if (drain(ls, read, arg) < 0)
			return -1;
	}
	ls->clique = -1;
	return 0;
}

enum leak_kind leakscan_kind(const struct leakscan *ls, uint64_t addr,
			     uint64_t *indirect)
{
	long i = leakscan_lookup(ls, addr);
	const struct leakscan_block *b;

	if (indirect)
		*indirect = 0;
	if (i < 0 || ls->b[i].addr != addr)
		return LEAK_UNSCANNED;
	b = &ls->b[i];
	switch (b->state) {
	case ST_REACHABLE:
		return LEAK_REACHABLE;
	case ST_POSSIBLE:
		return LEAK_POSSIBLE;
	case ST_INDIRECT:
		return LEAK_INDIRECT;
	default:
		if (indirect)
			*indirect = b->indirect;
		return LEAK_DEFINITE;
	}
}
