/*
 * A cache whose block lives until exit, on purpose: memsup sees it as a
 * leak of test_leak, which limits.yaml filters by file ("*cache.c").
 */
#include <stdlib.h>

#include "suite.h"

static void *cache_slot;

__attribute__((noinline)) void *cache_intern(void)
{
	if (!cache_slot)
		cache_slot = malloc(CACHE_SIZE);
	return cache_slot;
}
