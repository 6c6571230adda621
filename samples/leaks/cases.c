/*
 * cases: the nine ways a root r, a block A and a block B can be linked,
 * each with a start pointer (--->) or an interior pointer (-?->), every
 * block 16 bytes (two words: an interior pointer to the second word
 * stays inside the block):
 *
 *   1  r ---> A            A reachable
 *   2  r ---> A ---> B     A, B reachable
 *   3         A            A definite
 *   4         A ---> B     A definite, B indirect
 *   5  r -?-> A            A possible
 *   6  r ---> A -?-> B     A reachable, B possible
 *   7  r -?-> A ---> B     A, B possible
 *   8  r -?-> A -?-> B     A, B possible
 *   9         A -?-> B     A definite, B indirect
 */
#include <stdlib.h>

#include "kinds.h"

struct cell {
	struct cell *link;
	long spare;
};

struct cell *r1, *r2, *r3, *r4, *r5, *r6, *r7, *r8, *r9;

static struct cell * __attribute__((noinline)) cell_new(struct cell *link)
{
	struct cell *c = malloc(sizeof(*c));

	c->link = link;
	c->spare = 0;
	return c;
}

/* A pointer to the second word of C. */
static struct cell * __attribute__((noinline)) inside(struct cell *c)
{
	return (struct cell *)(void *)&c->spare;
}

static void __attribute__((noinline)) link_cases(void)
{
	r1 = cell_new(NULL);
	r2 = cell_new(cell_new(NULL));
	(void)cell_new(NULL);
	(void)cell_new(cell_new(NULL));
	r5 = inside(cell_new(NULL));
	r6 = cell_new(cell_new(NULL));
	r6->link = inside(r6->link);
	r7 = inside(cell_new(cell_new(NULL)));
	r8 = cell_new(cell_new(NULL));
	r8->link = inside(r8->link);
	r8 = inside(r8);
	r9 = cell_new(cell_new(NULL));
	r9->link = inside(r9->link);
	r9 = NULL;
}

int main(void)
{
	/* Per case: definite, indirect, possible, reachable blocks. */
	static const unsigned char c[9][4] = {
		{ 0, 0, 0, 1 }, { 0, 0, 0, 2 }, { 1, 0, 0, 0 },
		{ 1, 1, 0, 0 }, { 0, 0, 1, 0 }, { 0, 0, 1, 1 },
		{ 0, 0, 2, 0 }, { 0, 0, 2, 0 }, { 1, 1, 0, 0 },
	};
	struct kinds k = { 0, 0, 0, 0 };
	unsigned i;

	for (i = 0; i < 9; i++) {
		k.definite += c[i][0];
		k.indirect += c[i][1];
		k.possible += c[i][2];
		k.reachable += c[i][3];
	}
	link_cases();
	kinds_scrub_stack();
	kinds_say(&k, sizeof(struct cell));
	return 0;
}
