/*
 * threads: THREADS threads allocate at the same time, with exact totals.
 *
 * Thread t (0..THREADS-1) mallocs PER_THREAD blocks of 64*(t+1) bytes and
 * waits at a barrier until every thread holds all its blocks, so that the
 * four run at once. main joins them all, which is the peak, then frees all
 * but the last block of each thread.
 *   allocations THREADS*PER_THREAD + THREADS (DTVs, below) = 204
 *   allocated   PER_THREAD*64*(1+2+3+4) + THREADS*DTV_BYTES = 32000 + 1088
 *   frees       THREADS*(PER_THREAD-1) = 196
 *   peak        = allocated = 33088 (nothing is freed before the joins)
 *   leaked      THREADS*DTV_BYTES + 64*(1+2+3+4) = 1728 in 8 blocks
 *
 * Besides the threads' own calls, each pthread_create() makes one
 * allocation of its own: glibc 2.36 maps the thread's stack with mmap, but
 * _dl_allocate_tls() callocs the new thread's DTV, (dtv length + 2) * 16
 * bytes = (1 module + 14 surplus + 2) * 16 = 272 bytes (seen with valgrind
 * --trace-malloc=yes and with gdb: calloc(17, 16) from allocate_dtv). The
 * DTV stays with the cached stack after the join, so it is live at exit.
 *
 * And each thread's exit frees its tcache: the first malloc of a thread
 * carves the tcache with _int_malloc (not through malloc's entry, so no
 * supervisor sees it allocated), and tcache_thread_shutdown() gives it back
 * with __libc_free, which is free's entry. A breakpoint on free sees one free
 * of an address that was never allocated per thread: THREADS unknown frees.
 * (tcache_thread_shutdown also __libc_frees every chunk left in the thread's
 * tcache bins, blocks already freed once; that is why the threads free
 * nothing themselves: their bins stay empty.) valgrind replaces malloc whole,
 * so there is no tcache under valgrind.
 */
#include <pthread.h>
#include <stdlib.h>

#include "../common/say.h"

#define THREADS		4
#define PER_THREAD	50
#define BLOCK(t)	(64 * ((t) + 1))
#define DTV_BYTES	272	/* calloc(17, 16) per pthread_create */

static pthread_barrier_t all_allocated;
static void *blocks[THREADS][PER_THREAD];

__attribute__((noinline)) static void *worker(void *arg)
{
	int t = (int)(long)arg;
	int i;

	for (i = 0; i < PER_THREAD; i++)
		if (!(blocks[t][i] = malloc(BLOCK(t))))
			abort();
	pthread_barrier_wait(&all_allocated);
	return NULL;
}

int main(void)
{
	pthread_t tid[THREADS];
	long t;
	int i;

	if (pthread_barrier_init(&all_allocated, NULL, THREADS))
		abort();
	for (t = 0; t < THREADS; t++)
		if (pthread_create(&tid[t], NULL, worker, (void *)t))
			abort();
	for (t = 0; t < THREADS; t++)
		pthread_join(tid[t], NULL);
	for (t = 0; t < THREADS; t++)
		for (i = 0; i < PER_THREAD - 1; i++)
			free(blocks[t][i]);
	say_str(1, "threads: done\n");
	return 0;
}
