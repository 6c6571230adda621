/*
 * cycle: rings of three 16-byte nodes (a -> c -> b -> a), lost three
 * ways: two rings apart; two rings, one pointing into the other (the
 * clique of the first is swallowed by the second, whichever lies lower);
 * two rings pointing into each other. Each lost group has one definite
 * head; the other blocks of the group are indirect.
 */
#include <stdlib.h>

#include "kinds.h"

struct node {
	struct node *left, *right;
};

static struct node * __attribute__((noinline)) node_new(struct node *l,
							  struct node *r)
{
	struct node *n = malloc(sizeof(*n));

	n->left = l;
	n->right = r;
	return n;
}

static struct node * __attribute__((noinline)) ring(void)
{
	struct node *a, *b, *c;

	a = node_new(NULL, NULL);
	b = node_new(a, NULL);
	c = node_new(b, NULL);
	a->left = c;
	return a;
}

static void __attribute__((noinline)) lose_rings(void)
{
	struct node *volatile r1, *volatile r2;

	/* two rings apart */
	r1 = ring();
	r2 = ring();
	r1 = r2 = NULL;

	/* one ring points into the other */
	r1 = ring();
	r2 = ring();
	if (r1 < r2)
		r2->right = r1;
	else
		r1->right = r2;
	r1 = r2 = NULL;

	/* two rings point into each other */
	r1 = ring();
	r2 = ring();
	r1->right = r2;
	r2->right = r1;
	r1 = r2 = NULL;
}

int main(void)
{
	const unsigned long rings = 6, per_ring = 3, groups = 4;
	const struct kinds k = {
		.definite = groups,	/* one head per lost group */
		.indirect = rings * per_ring - groups,
		.possible = 0,
		.reachable = 0,
	};

	lose_rings();
	kinds_scrub_stack();
	kinds_say(&k, sizeof(struct node));
	return 0;
}
