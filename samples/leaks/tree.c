/*
 * tree: a binary tree of seven 16-byte nodes, rooted in a global,
 *
 *            a
 *          /   \
 *         b     c
 *        / \   / \
 *       d   e f   g
 *
 * then b -> d and a -> c are cut: d is lost alone (definite), c is lost
 * with f and g below it (c definite, holding f and g, which are indirect);
 * a, b and e stay reachable.
 */
#include <stdlib.h>

#include "kinds.h"

struct node {
	struct node *left, *right;
};

struct node *top;

static struct node * __attribute__((noinline)) node_new(void)
{
	struct node *n = malloc(sizeof(*n));

	n->left = NULL;
	n->right = NULL;
	return n;
}

static void __attribute__((noinline)) build_and_cut(void)
{
	top = node_new();			/* a */
	top->left = node_new();			/* b */
	top->right = node_new();		/* c */
	top->left->left = node_new();		/* d */
	top->left->right = node_new();		/* e */
	top->right->left = node_new();		/* f */
	top->right->right = node_new();		/* g */
	top->left->left = NULL;			/* d lost */
	top->right = NULL;			/* c, f, g lost */
}

int main(void)
{
	const struct kinds k = {
		.definite = 2,		/* d, c */
		.indirect = 2,		/* f, g */
		.possible = 0,
		.reachable = 3,		/* a, b, e */
	};

	build_and_cut();
	kinds_scrub_stack();
	kinds_say(&k, sizeof(struct node));
	return 0;
}
