/*
 * stopped: four threads allocating together inside one test per round,
 * writing a line per round, for job-control stops (SIGSTOP, SIGCONT) of a
 * supervised or attached process (tests/e2e/0138-attach-stopped.sh).
 *
 *   stopped ROUNDS [PAUSE_MS]  run ROUNDS rounds, PAUSE_MS (default 20)
 *                              apart
 *   stopped -e                 write the figures of one round, as memsup
 *                              must report them for each test it saw whole
 *
 * Allows any process to ptrace it (PR_SET_PTRACER_ANY, for Yama), writes
 * "ready" before the first round, "round R" after round R (from 1), and
 * at the end "checksum C" and "bad M" (rounds whose sums were wrong).
 * Exit status 0 when M is 0, 1 otherwise. The output depends on ROUNDS
 * only: a run with PAUSE_MS 0 gives the native output of any other.
 *
 * A round is one call of stopped_test() (the test of
 * samples/harm/stopped.yaml) by the leader thread; the four threads
 * allocate inside it. Each thread mallocs and frees CHURN blocks, waits
 * for the others, then holds a calloc'd block and HELD malloc'd ones
 * until every thread holds its own, and frees them: the round's peak is
 * the sum of the held blocks of the four threads. Every block is filled
 * with a pattern that depends on the round, the thread and the block;
 * the sums of the filled bytes are checked against the same sums computed
 * without touching memory and folded into the checksum.
 *
 * Prints with write(2): stdio would allocate.
 */
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "../common/say.h"

#define THREADS		4
#define CHURN		5
#define HELD		3

static pthread_barrier_t start_b, churned_b, held_b, done_b;
static unsigned long cur_round;
static int stop;
static uint64_t sums[THREADS], wants[THREADS];

static size_t churn_size(int t, int k)
{
	return 24 + (size_t)((t * 31 + k * 57) % 200);
}

static size_t calloc_size(int t)
{
	return 320 + (size_t)t * 16;
}

static size_t held_size(int t, int k)
{
	return 700 + (size_t)(t * 40 + k * 104);
}

static unsigned char pattern(unsigned long round, int t, int k)
{
	return (unsigned char)(round * 11 + (unsigned long)t * 5 +
			       (unsigned long)k + 1);
}

/* Fills N bytes of P with C; the sum of every byte. */
static uint64_t fill_sum(unsigned char *p, size_t n, unsigned char c)
{
	uint64_t s = 0;
	size_t i;

	memset(p, c, n);
	for (i = 0; i < n; i++)
		s += p[i];
	return s;
}

/* One thread's share of round ROUND. */
static void share(int t, unsigned long round)
{
	unsigned char *held[HELD], *z, *p;
	uint64_t sum = 0, want = 0;
	size_t i;
	int k;

	for (k = 0; k < CHURN; k++) {
		if (!(p = malloc(churn_size(t, k))))
			abort();
		sum += fill_sum(p, churn_size(t, k), pattern(round, t, k));
		want += (uint64_t)churn_size(t, k) * pattern(round, t, k);
		free(p);
	}
	pthread_barrier_wait(&churned_b);
	if (!(z = calloc(calloc_size(t), 1)))
		abort();
	for (i = 0; i < calloc_size(t); i++)
		sum += z[i];		/* zeroes: adds nothing when right */
	for (k = 0; k < HELD; k++) {
		if (!(held[k] = malloc(held_size(t, k))))
			abort();
		sum += fill_sum(held[k], held_size(t, k),
				pattern(round, t, 100 + k));
		want += (uint64_t)held_size(t, k) * pattern(round, t, 100 + k);
	}
	pthread_barrier_wait(&held_b);
	free(z);
	for (k = 0; k < HELD; k++)
		free(held[k]);
	sums[t] = sum;
	wants[t] = want;
}

/* The test boundary: one round, by the leader. */
__attribute__((noinline)) int stopped_test(unsigned long round);
__attribute__((noinline)) int stopped_test(unsigned long round)
{
	cur_round = round;
	pthread_barrier_wait(&start_b);
	share(0, round);
	pthread_barrier_wait(&done_b);
	return 0;
}

static void *worker(void *arg)
{
	int t = (int)(intptr_t)arg;

	for (;;) {
		pthread_barrier_wait(&start_b);
		if (__atomic_load_n(&stop, __ATOMIC_ACQUIRE))
			return NULL;
		share(t, cur_round);
		pthread_barrier_wait(&done_b);
	}
}

static void pause_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int usage(void)
{
	say_str(2, "usage: stopped ROUNDS [PAUSE_MS] | stopped -e\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t hash = 1469598103934665603ULL;
	unsigned long bad = 0, r;
	long long rounds, pause = 20;
	pthread_t th[THREADS];
	int k, t;

	if (argc == 2 && !strcmp(argv[1], "-e")) {
		unsigned long long allocs = 0, bytes = 0, peak = 0;

		for (t = 0; t < THREADS; t++) {
			for (k = 0; k < CHURN; k++)
				bytes += churn_size(t, k);
			bytes += calloc_size(t);
			peak += calloc_size(t);
			for (k = 0; k < HELD; k++) {
				bytes += held_size(t, k);
				peak += held_size(t, k);
			}
			allocs += CHURN + 1 + HELD;
		}
		say_kv(1, "allocations", allocs);
		say_kv(1, "frees", allocs);
		say_kv(1, "allocated_bytes", bytes);
		say_kv(1, "peak_bytes", peak);
		return 0;
	}
	if (argc < 2 || argc > 3 || (rounds = parse_count(argv[1])) <= 0 ||
	    (argc == 3 && (pause = parse_count(argv[2])) < 0))
		return usage();
	if (pthread_barrier_init(&start_b, NULL, THREADS) ||
	    pthread_barrier_init(&churned_b, NULL, THREADS) ||
	    pthread_barrier_init(&held_b, NULL, THREADS) ||
	    pthread_barrier_init(&done_b, NULL, THREADS))
		abort();
#ifdef PR_SET_PTRACER
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0); /* EINVAL without Yama */
#endif
	for (t = 1; t < THREADS; t++)
		if (pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t))
			abort();
	say_str(1, "ready\n");
	for (r = 0; r < (unsigned long)rounds; r++) {
		stopped_test(r);
		for (t = 0; t < THREADS; t++) {
			bad += sums[t] != wants[t];
			hash = (hash ^ sums[t]) * 1099511628211ULL;
		}
		say_kv(1, "round", r + 1);
		if (pause)
			pause_ms((long)pause);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_barrier_wait(&start_b);
	for (t = 1; t < THREADS; t++)
		pthread_join(th[t], NULL);
	say_kv(1, "checksum", hash);
	say_kv(1, "bad", bad);
	return bad != 0;
}
