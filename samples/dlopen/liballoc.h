#ifndef SAMPLES_LIBALLOC_H
#define SAMPLES_LIBALLOC_H

/*
 * lib_work(): LIB_BLOCKS mallocs of LIB_BLOCK bytes, frees all but
 * LIB_LEAKED_BLOCKS of them, returns. All allocated before any is freed:
 *   allocations 5, frees 3, allocated 5*120 = 600, peak 600,
 *   leaked 2*120 = 240 in 2 blocks
 */
#define LIB_BLOCKS		5
#define LIB_BLOCK		120
#define LIB_LEAKED_BLOCKS	2

/* The library's constructor mallocs LIB_CTOR_BYTES, its destructor frees it. */
#define LIB_CTOR_BYTES		4000

typedef void lib_work_fn(void);

#endif
