/* The heap work of the basic sample, one step per function (see basic.h). */
#include <stdlib.h>

#include "basic.h"

__attribute__((noinline)) void basic_allocate(struct basic_blocks *bl)
{
	bl->a = malloc(100);
	bl->b = malloc(200);
	bl->c = malloc(300);
	bl->d = calloc(10, 20);
}

__attribute__((noinline)) void basic_resize(struct basic_blocks *bl)
{
	void *volatile null = NULL;
	void *r;

	bl->a = realloc(bl->a, 1000);		/* grow */
	bl->b = realloc(bl->b, 50);		/* shrink */
	bl->e = realloc(null, 64);		/* same as malloc(64) */
	r = realloc(bl->c, 0);			/* glibc: frees c, returns NULL */
	if (r)
		abort();			/* not the glibc this sample is for */
	bl->c = NULL;
	free(null);				/* nothing at all */
	free(bl->c);
}

__attribute__((noinline)) void basic_aligned(struct basic_blocks *bl)
{
	if (posix_memalign(&bl->f, 16, 256) != 0)
		abort();
	bl->g = aligned_alloc(64, 512);
	bl->h = malloc(4000);
}

__attribute__((noinline)) void basic_release(struct basic_blocks *bl)
{
	free(bl->h);
	free(bl->d);
	free(bl->e);
	free(bl->f);
	free(bl->b);
	/* a and g stay live: BASIC_LEAKED_BYTES in BASIC_LEAKED_BLOCKS */
}
