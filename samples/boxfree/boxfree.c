/*
 * boxfree: policy allocators whose free takes the block as its second
 * argument and releases it with free() itself (samples/boxfree/policy.yaml:
 * box_alloc and box_make with size_arg 2, box_free and box_release with
 * free_arg 2). box_free(st, p) hands the block to box_release(st, p),
 * which free()s it: both inner calls are part of the box_free() call (one
 * call, one event), each block is freed once.
 *
 * box_work(), the test:
 *   box_make(&stats, BOX_SIZE / 2), box_release() of it  1 + 1
 *   BOX_N boxes of BOX_SIZE * (i + 1) bytes, box_alloc()   BOX_N
 *   boxes 0 .. BOX_FREED - 1: box_free(&stats, p)          BOX_FREED
 *   box BOX_FREED: box_free(NULL, p) (no statistics: the
 *     first argument is NULL, the block is not)            1
 *   box_free(&stats, NULL): nothing
 *   the boxes after BOX_FREED leak.
 * Every box is live before the first box is freed, and the first block
 * is gone by then: the peak is the boxes' sum. The program prints the
 * figures it expects:
 *   "expect box_work allocations N frees N allocated N peak N leaked N
 *    blocks N" (on one line; blocks: the leaked ones)
 */
#include <stdlib.h>

#include "../common/say.h"

#define BOX_N 4
#define BOX_SIZE 100
#define BOX_FREED 2		/* freed with statistics */

struct box_stats {
	unsigned long allocs, frees;
};

static struct box_stats stats;

__attribute__((noinline)) void *box_alloc(struct box_stats *st, size_t n);
__attribute__((noinline)) void *box_alloc(struct box_stats *st, size_t n)
{
	void *p = malloc(n);

	if (st && p)
		st->allocs++;
	return p;
}

__attribute__((noinline)) void *box_make(struct box_stats *st, size_t n);
__attribute__((noinline)) void *box_make(struct box_stats *st, size_t n)
{
	return malloc(n);
}

__attribute__((noinline)) void box_release(struct box_stats *st, void *p);
__attribute__((noinline)) void box_release(struct box_stats *st, void *p)
{
	free(p);
}

__attribute__((noinline)) void box_free(struct box_stats *st, void *p);
__attribute__((noinline)) void box_free(struct box_stats *st, void *p)
{
	if (!p)
		return;
	if (st)
		st->frees++;
	box_release(st, p);
}

__attribute__((noinline)) void box_work(void);
__attribute__((noinline)) void box_work(void)
{
	void *box[BOX_N], *q = box_make(&stats, BOX_SIZE / 2);
	int i;

	if (!q)
		abort();
	box_release(&stats, q);
	for (i = 0; i < BOX_N; i++)
		if (!(box[i] = box_alloc(&stats, BOX_SIZE * (i + 1))))
			abort();
	for (i = 0; i < BOX_FREED; i++)
		box_free(&stats, box[i]);
	box_free(NULL, box[BOX_FREED]);
	box_free(&stats, NULL);
}

static void expect(const char *name, unsigned long long allocations,
		   unsigned long long frees, unsigned long long allocated,
		   unsigned long long peak, unsigned long long leaked,
		   unsigned long long blocks)
{
	say_str(1, "expect ");
	say_str(1, name);
	say_str(1, " allocations ");
	say_num(1, allocations);
	say_str(1, " frees ");
	say_num(1, frees);
	say_str(1, " allocated ");
	say_num(1, allocated);
	say_str(1, " peak ");
	say_num(1, peak);
	say_str(1, " leaked ");
	say_num(1, leaked);
	say_str(1, " blocks ");
	say_num(1, blocks);
	say_str(1, "\n");
}

int main(void)
{
	unsigned long long boxes = 0, leaked = 0, blocks = 0;
	int i;

	box_work();
	if (stats.allocs != BOX_N || stats.frees != BOX_FREED)
		return 1;
	for (i = 0; i < BOX_N; i++) {
		boxes += BOX_SIZE * (i + 1);
		if (i > BOX_FREED) {
			leaked += BOX_SIZE * (i + 1);
			blocks++;
		}
	}
	expect("box_work", BOX_N + 1, BOX_FREED + 2, boxes + BOX_SIZE / 2,
	       boxes, leaked, blocks);
	return 0;
}
