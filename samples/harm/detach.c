/*
 * detach: four threads allocating without pause, for attach/detach cycles.
 *
 *   detach [SECONDS]            (default 600: a safety limit)
 *
 * Allows any process to ptrace it (PR_SET_PTRACER_ANY, for Yama), writes
 * "ready\n", then runs DETACH_THREADS threads that call round_test() over
 * and over until SIGUSR1 (or SECONDS) says stop. round_test() is the test
 * boundary of samples/harm/detach.yaml: a supervisor attached with that
 * policy has a scope open, and malloc/free armed, nearly all the time.
 *
 * Each round mallocs DETACH_BLOCKS blocks of sizes that depend on the round
 * number, fills them with a byte pattern, folds them into a sum and frees
 * them; the sum is checked against the same sum computed without touching
 * memory. A SIGTRAP handler reports any trap the program did not ask for
 * (a breakpoint's trap delivered after a detach) and exits with status 70:
 * resuming one byte into an instruction would corrupt the stack.
 *
 * At the end it writes "rounds N\nbad M\n" (M: rounds whose sum was wrong)
 * and exits 0 when M is 0, 1 otherwise.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "../common/say.h"

#define DETACH_THREADS	4
#define DETACH_BLOCKS	6

static volatile sig_atomic_t stop;
static unsigned long rounds[DETACH_THREADS], bad[DETACH_THREADS];

static void on_usr1(int sig)
{
	(void)sig;
	stop = 1;
}

static void on_trap(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	say_str(2, "detach: stray SIGTRAP, si_code ");
	say_num(2, (unsigned long long)(unsigned)si->si_code);
	say_str(2, "\n");
	_exit(70);
}

static size_t block_size(unsigned long round, int i)
{
	return 8 + (round * 13 + (unsigned long)i * 97) % 700;
}

/* The test boundary: one round, 0 when its sum is right. */
__attribute__((noinline)) int round_test(unsigned long round);
__attribute__((noinline)) int round_test(unsigned long round)
{
	unsigned char *b[DETACH_BLOCKS];
	uint64_t sum = 0, want = 0;
	int i;

	for (i = 0; i < DETACH_BLOCKS; i++) {
		size_t n = block_size(round, i), k;
		unsigned char c = (unsigned char)(round + (unsigned long)i);

		if (!(b[i] = malloc(n)))
			abort();
		memset(b[i], c, n);
		for (k = 0; k < n; k += 7)
			sum += b[i][k];
		want += (uint64_t)c * ((n + 6) / 7);
	}
	for (i = 0; i < DETACH_BLOCKS; i++)
		free(b[i]);
	return sum != want;
}

static void *worker(void *arg)
{
	int id = (int)(intptr_t)arg;
	unsigned long r;

	for (r = 0; !stop; r++)
		bad[id] += (unsigned long)round_test(r * DETACH_THREADS +
						     (unsigned long)id);
	rounds[id] = r;
	return NULL;
}

int main(int argc, char **argv)
{
	long long seconds = 600;
	pthread_t th[DETACH_THREADS];
	unsigned long total = 0, nbad = 0;
	struct sigaction sa;
	int i;

	if (argc > 1 && (seconds = parse_count(argv[1])) <= 0) {
		say_str(2, "usage: detach [SECONDS]\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = NULL;
	sa.sa_sigaction = on_trap;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGTRAP, &sa, NULL);
#ifdef PR_SET_PTRACER
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0); /* EINVAL without Yama */
#endif
	for (i = 0; i < DETACH_THREADS; i++)
		if (pthread_create(&th[i], NULL, worker, (void *)(intptr_t)i))
			abort();
	say_str(1, "ready\n");
	/* sleep() returns early when SIGUSR1 lands on this thread. */
	while (!stop && seconds-- > 0)
		sleep(1);
	stop = 1;
	for (i = 0; i < DETACH_THREADS; i++) {
		pthread_join(th[i], NULL);
		total += rounds[i];
		nbad += bad[i];
	}
	say_kv(1, "rounds", total);
	say_kv(1, "bad", nbad);
	return nbad != 0;
}
