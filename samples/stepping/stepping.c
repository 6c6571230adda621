/*
 * stepping: a custom allocator whose first instructions memsup cannot
 * emulate, called by four threads at once, so that every entry takes the
 * single-step fallback while siblings run (docs/supervisor.md: no thread may pass a
 * lifted breakpoint unseen).
 *
 *   my_alloc  lea (%rdi),%rdi; jmp malloc    (lea is not emulated)
 *   my_free   jmp free                       (built -O2: a tail jump)
 *
 * Figures, with the policy samples/stepping/policy.yaml (test: run):
 *   allocations  STEPPING_THREADS * STEPPING_ROUNDS my_alloc calls, plus
 *                one 272-byte DTV calloc per pthread_create (glibc 2.36)
 *   frees        STEPPING_THREADS * STEPPING_ROUNDS (every block freed)
 *   unknown_frees  what glibc's tcache_thread_shutdown frees at each
 *                thread's exit (chunks the program freed already)
 */
#include <pthread.h>
#include <stdlib.h>

#include "stepping.h"

__attribute__((naked, noinline)) void *my_alloc(size_t n)
{
	__asm__("lea 0(%rdi), %rdi\n\tjmp malloc\n");
}

__attribute__((noinline)) void my_free(void *p)
{
	free(p);
}

static void *work(void *arg)
{
	int i;

	for (i = 0; i < STEPPING_ROUNDS; i++)
		my_free(my_alloc(16 + (size_t)(i % 64)));
	return arg;
}

__attribute__((noinline)) void run(void)
{
	pthread_t t[STEPPING_THREADS];
	int i;

	for (i = 0; i < STEPPING_THREADS; i++)
		if (pthread_create(&t[i], NULL, work, NULL))
			abort();
	for (i = 0; i < STEPPING_THREADS; i++)
		pthread_join(t[i], NULL);
}

int main(void)
{
	run();
	return 0;
}
