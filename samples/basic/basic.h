#ifndef SAMPLES_BASIC_H
#define SAMPLES_BASIC_H

#include <stddef.h>

/*
 * What the heap work of basic.c does, call by call (docs/supervisor.md counting), with
 * the bytes live after each call:
 *
 *    a = malloc(100)                 alloc 100              live  100
 *    b = malloc(200)                 alloc 200              live  300
 *    c = malloc(300)                 alloc 300              live  600
 *    d = calloc(10, 20)              alloc 200              live  800
 *    a = realloc(a, 1000)   (grow)   free 100, alloc 1000   live 1700
 *    b = realloc(b, 50)     (shrink) free 200, alloc 50     live 1550
 *    e = realloc(NULL, 64)           alloc 64               live 1614
 *    realloc(c, 0) -> NULL           free 300 (glibc frees, returns NULL)
 *                                                           live 1314
 *    free(NULL), free(NULL)          nothing
 *    posix_memalign(&f, 16, 256)     alloc 256 (glibc: calls malloc inside)
 *                                                           live 1570
 *    g = aligned_alloc(64, 512)      alloc 512              live 2082
 *    h = malloc(4000)                alloc 4000             live 6082 = peak
 *    free(h), free(d), free(e), free(f), free(b)
 *                                    5 frees                live 1512
 *    exit with a (1000) and g (512) still live
 *
 * The peak is reached by a plain malloc, well above anything a realloc could
 * momentarily hold (1800 at most), so it does not depend on whether a
 * supervisor books realloc's free before or after its allocation.
 */
#define BASIC_ALLOCATIONS	10	/* a b c d a' b' e f g h */
#define BASIC_FREES		8	/* a b c via realloc; h d e f b' */
#define BASIC_ALLOCATED		6682	/* 100+200+300+200+1000+50+64+256+512+4000 */
#define BASIC_PEAK		6082	/* 1000+50+64+200+256+512+4000 */
#define BASIC_LEAKED_BYTES	1512	/* 1000 + 512 */
#define BASIC_LEAKED_BLOCKS	2

struct basic_blocks {
	void *a, *b, *c, *d, *e, *f, *g, *h;
};

void basic_allocate(struct basic_blocks *bl);
void basic_resize(struct basic_blocks *bl);
void basic_aligned(struct basic_blocks *bl);
void basic_release(struct basic_blocks *bl);

#endif
