/*
 * check-suite's allocating helpers, in their own translation unit and
 * never inlined, so that each leaves a frame of its own in memsup's
 * stacks (make_node and make_label are the leak stacks of test_leak).
 */
#include <stdlib.h>

#include "suite.h"

__attribute__((noinline)) void *make_node(void)
{
	return malloc(NODE_SIZE);
}

__attribute__((noinline)) void *make_label(void)
{
	return malloc(LABEL_SIZE);
}

__attribute__((noinline)) void alloc_blocks(void **v, size_t n, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++)
		v[i] = malloc(size);
}

__attribute__((noinline)) void free_blocks(void **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
}

/* N allocations, never more than one block live. */
__attribute__((noinline)) void count_pairs(size_t n, size_t size)
{
	size_t i;

	for (i = 0; i < n; i++) {
		void *volatile p = malloc(size);

		free(p);
	}
}

__attribute__((noinline)) FILE *open_log(const char *path)
{
	return fopen(path, "r");
}

/* Out of line so that the compiler cannot fold test_fail's assertion. */
__attribute__((noinline)) int fail_answer(void)
{
	return FAIL_ANSWER;
}

__attribute__((noinline)) void churn(size_t n, size_t size)
{
	count_pairs(n, size);
}
