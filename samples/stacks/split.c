/*
 * Built with -O2: split_me() has a cheap, likely early exit and an
 * expensive rest, which GCC's partial inlining moves out into
 * split_me.part.0; split_caller() gets the early exit inlined and calls
 * the piece. memsup shows split_me once.
 */
#include <stdio.h>
#include <stdlib.h>

#include "stacks.h"

static int counter;

__attribute__((noinline)) void *work(size_t n, int c)
{
	char *p = malloc(n);

	if (p)
		p[0] = (char)c;
	return p;
}

void *split_me(size_t n, int c)
{
	void *p;

	if (__builtin_expect(n == 0, 1))
		return NULL;
	p = work(n, c);
	counter += c;
	if (counter > 1000) {
		fprintf(stderr, "a%d\n", counter);
		fprintf(stderr, "b%d\n", counter);
		fprintf(stderr, "c%d\n", counter);
		fprintf(stderr, "d%d\n", counter);
	}
	return p;
}

/* Not a tail call: split_caller keeps a frame of its own. */
__attribute__((noinline)) void *split_caller(size_t n)
{
	void *p = split_me(n, 1);

	counter++;
	return p;
}
