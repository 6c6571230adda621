/*
 * threads: the process ends while threads allocate.
 *
 *   threads exit     16 threads malloc(64)+free in a loop, all at once;
 *                    a 17th thread waits until they have made
 *                    EXIT_AFTER = 1600 allocations between them, says
 *                    "exiting after N" (N >= 1600, the allocations finished
 *                    so far) and calls exit(9) while they go on.
 *   threads main     main starts MAIN_THREADS = 4 threads and calls
 *                    pthread_exit; thread t (0..3) mallocs 50 blocks of
 *                    64*(t+1) bytes, frees the first 25, keeps the rest,
 *                    and returns; the last thread's end is the process's
 *                    exit, status 0.
 *     figures (main):  allocations 4*50 + 4 DTVs (calloc(17, 16) per
 *                      pthread_create, 272 bytes) = 204; frees 4*25 = 100;
 *                      allocated 50*64*(1+2+3+4) + 4*272 = 33088;
 *                      peak: every thread's 50 blocks can be live at once
 *                      only if none has freed yet, so it depends on the
 *                      schedule (not asserted); live at exit:
 *                      25*64*(1+2+3+4) + 4*272 = 17088 in 104 blocks.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../common/say.h"

#define LOOP_THREADS	16
#define EXIT_AFTER	1600
#define MAIN_THREADS	4
#define MAIN_BLOCKS	50

static atomic_long made;
static pthread_barrier_t start;

static void *looper(void *arg)
{
	pthread_barrier_wait(&start);
	for (;;) {
		void *p = malloc(64);

		if (!p)
			abort();
		atomic_fetch_add(&made, 1);
		free(p);
	}
	return NULL;
}

static void *exiter(void *arg)
{
	long n;

	pthread_barrier_wait(&start);
	while ((n = atomic_load(&made)) < EXIT_AFTER)
		usleep(1000);
	say_kv(1, "exiting after", (unsigned long long)n);
	exit(9);
}

static void *worker(void *arg)
{
	long t = (long)arg;
	void *b[MAIN_BLOCKS];
	int i;

	pthread_barrier_wait(&start);
	for (i = 0; i < MAIN_BLOCKS; i++)
		if (!(b[i] = malloc((size_t)(64 * (t + 1)))))
			abort();
	for (i = 0; i < MAIN_BLOCKS / 2; i++)
		free(b[i]);
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t th;
	long t;

	if (argc > 1 && !strcmp(argv[1], "exit")) {
		pthread_barrier_init(&start, NULL, LOOP_THREADS + 1);
		for (t = 0; t < LOOP_THREADS; t++)
			if (pthread_create(&th, NULL, looper, NULL))
				abort();
		if (pthread_create(&th, NULL, exiter, NULL))
			abort();
		for (;;)
			pause();
	}
	pthread_barrier_init(&start, NULL, MAIN_THREADS);
	for (t = 0; t < MAIN_THREADS; t++)
		if (pthread_create(&th, NULL, worker, (void *)t))
			abort();
	say_str(1, "main: pthread_exit\n");
	pthread_exit(NULL);
}
