/*
 * threads: THREADS threads at once, each making PAIRS malloc/free pairs
 * with some arithmetic between them (WORK rounds per pair): a parallel
 * program, which memsup's default (one CPU) serialises.
 *
 *   threads [PAIRS [WORK]]     default 2500 pairs, 50000 rounds
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define THREADS		4

static long pairs = 2500, work = 50000;
static volatile double sink[THREADS];

__attribute__((noinline)) static double step(char *p, long i)
{
	double acc = 0;
	long k;

	for (k = 0; k < work; k++)
		acc += (double)((k * 2654435761UL) ^ (unsigned long)i) * 1e-12;
	p[0] = (char)acc;
	return acc;
}

static void *worker(void *arg)
{
	long t = (long)arg, i;
	double acc = 0;

	for (i = 0; i < pairs; i++) {
		char *p = malloc(32 + (size_t)(i % 8) * 48);

		if (!p)
			abort();
		acc += step(p, i);
		free(p);
	}
	sink[t] = acc;
	return NULL;
}

int main(int argc, char **argv)
{
	pthread_t tid[THREADS];
	char line[64];
	long t;
	int n;

	if (argc > 1)
		pairs = atol(argv[1]);
	if (argc > 2)
		work = atol(argv[2]);
	for (t = 0; t < THREADS; t++)
		if (pthread_create(&tid[t], NULL, worker, (void *)t))
			return 1;
	for (t = 0; t < THREADS; t++)
		pthread_join(tid[t], NULL);
	n = snprintf(line, sizeof(line), "threads: %d x %ld pairs\n",
		     THREADS, pairs);
	return write(1, line, (size_t)n) == n ? 0 : 1;
}
