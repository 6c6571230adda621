/*
 * stacks: see stacks.h. main -> run_test (the policy's boundary) -> the
 * leaking call sites; no stdio (it would malloc its buffer).
 */
#include <stdlib.h>

#include "../common/say.h"
#include "stacks.h"

static void *keep[LEAK_SITES + 1];

__attribute__((noinline)) void *leak_one(size_t size)
{
	return malloc(size);
}

/* One call site per line: LEAK_SITES distinct call stacks. */
__attribute__((noinline)) void run_test(void)
{
	keep[0] = leak_one(1 * LEAK_UNIT);
	keep[1] = leak_one(2 * LEAK_UNIT);
	keep[2] = leak_one(3 * LEAK_UNIT);
	keep[3] = leak_one(4 * LEAK_UNIT);
	keep[4] = leak_one(5 * LEAK_UNIT);
	keep[5] = leak_one(6 * LEAK_UNIT);
	keep[6] = leak_one(7 * LEAK_UNIT);
	keep[7] = leak_one(8 * LEAK_UNIT);
	keep[8] = split_caller(SPLIT_SIZE);
}

int main(void)
{
	run_test();
	say_str(1, "stacks: done\n");
	return keep[0] ? 0 : 1;
}
