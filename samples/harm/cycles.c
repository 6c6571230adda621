/*
 * cycles: four threads allocating together inside one test per round, for
 * attach/detach cycles with exact figures (tests/e2e/0118-attach-cycles.sh).
 *
 *   cycles                 run rounds until SIGUSR1 (or 600 s); SIGUSR2
 *                          writes "state ROUNDS BAD CHECKSUM"
 *   cycles -n R1 [R2 ...]  natively: run rounds without pause and write
 *                          "checksum R CHECKSUM" after R1, R2, ... rounds
 *   cycles -e              write the figures of one round, as memsup must
 *                          report them for each test it saw whole
 *
 * SIGHUP, a first time: a fifth thread calls held_alloc() (an allocator of
 * the policy's) inside the next round, which waits until it has entered
 * it and writes "held"; held_alloc() then blocks. SIGHUP again: it
 * returns NULL (no block: nothing to count) and the thread writes
 * "released". So a thread is inside an allocator, called from memsup's
 * recorder, for as long as the test wants: across a detach and a whole
 * later attach.
 *
 * Allows any process to ptrace it (PR_SET_PTRACER_ANY, for Yama) and writes
 * "ready\n" before the first round.
 *
 * A round is one call of round_test() (the test of samples/harm/cycles.yaml)
 * by the leader thread, and the four threads allocate inside it: the leader
 * opens the round at a barrier, each thread makes CHURN malloc/free pairs,
 * then holds a calloc'd, a malloc'd and a malloc'd-then-grown block until
 * every thread holds its three, then frees them; the leader returns once
 * every thread is done. No thread allocates outside round_test(), so memsup
 * must count, for each round, exactly what share() does four times, and the
 * heap's peak is reached when the four threads hold their blocks.
 *
 * Every block is filled with a pattern that depends on the round, the
 * thread and the block, and summed; each sum is checked against the same
 * sum computed without touching memory (BAD counts the wrong ones), and
 * the round's sums are folded into CHECKSUM, which depends on the number
 * of rounds only: "cycles -n R" gives the native value for R rounds.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "../common/say.h"

#define THREADS		4
#define CHURN		24
#define STRIDE		5
#define PAUSE_NS	1000000L		/* between rounds, outside the test */

static volatile sig_atomic_t stop_sig, report_sig, hold_sig;
/* the holder: asked (hold_pipe), let go by the leader (hold_go), inside
 * held_alloc (hold_in), released (release_pipe) */
static int hold_pipe[2], release_pipe[2], hold_go, hold_in, hold_asked;
static int stop;			/* the leader's word to the workers */
static pthread_barrier_t start_b, held_b, done_b;
static unsigned long cur_round;
static uint64_t sums[THREADS], wants[THREADS];

/* Published by the leader after each round. */
static pthread_mutex_t state_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long st_rounds, st_bad;
static uint64_t st_hash = 1469598103934665603ULL;

static size_t churn_size(int t, int k)
{
	return 16 + (size_t)((t * 37 + k * 53) % 480);
}

/* The blocks each thread holds at the barrier: calloc, malloc, and a
 * malloc of grow_from grown to grow_to by realloc. */
static size_t calloc_size(int t) { return 600 + (size_t)t * 40; }
static size_t malloc_size(int t) { return 1000 + (size_t)t * 24; }
static size_t grow_from(int t) { return 200 + (size_t)t * 8; }
static size_t grow_to(int t) { return 2000 + (size_t)t * 16; }

static unsigned char pattern(unsigned long round, int t, int k)
{
	return (unsigned char)(round * 7 + (unsigned long)t * 3 +
			       (unsigned long)k + 1);
}

/* Fills P[FROM..N) with C, and sums every STRIDE-th byte of P[0..N). */
static uint64_t fill_sum(unsigned char *p, size_t from, size_t n,
			 unsigned char c)
{
	uint64_t s = 0;
	size_t i;

	memset(p + from, c, n - from);
	for (i = 0; i < n; i += STRIDE)
		s += p[i];
	return s;
}

/* The same sum, without memory: N bytes of C from FROM, D before it. */
static uint64_t want_sum(size_t from, size_t n, unsigned char d,
			 unsigned char c)
{
	uint64_t s = 0;
	size_t i;

	for (i = 0; i < n; i += STRIDE)
		s += i < from ? d : c;
	return s;
}

/* One thread's share of a round; its sum and expected sum. */
static void share(int t, unsigned long round)
{
	uint64_t sum = 0, want = 0;
	unsigned char *p, *a, *b, *g;
	size_t i;
	int k;

	for (k = 0; k < CHURN; k++) {
		size_t n = churn_size(t, k);

		if (!(p = malloc(n)))
			abort();
		sum += fill_sum(p, 0, n, pattern(round, t, k));
		want += want_sum(0, n, 0, pattern(round, t, k));
		free(p);
	}
	if (!(a = calloc(calloc_size(t), 1)) || !(b = malloc(malloc_size(t))) ||
	    !(g = malloc(grow_from(t))))
		abort();
	for (i = 0; i < calloc_size(t); i++)
		sum += a[i];		/* zeroes: adds nothing when right */
	sum += fill_sum(a, 0, calloc_size(t), pattern(round, t, 100));
	want += want_sum(0, calloc_size(t), 0, pattern(round, t, 100));
	sum += fill_sum(b, 0, malloc_size(t), pattern(round, t, 101));
	want += want_sum(0, malloc_size(t), 0, pattern(round, t, 101));
	memset(g, pattern(round, t, 102), grow_from(t));
	if (!(g = realloc(g, grow_to(t))))
		abort();
	/* the grown block keeps its first grow_from bytes */
	sum += fill_sum(g, grow_from(t), grow_to(t), pattern(round, t, 103));
	want += want_sum(grow_from(t), grow_to(t), pattern(round, t, 102),
			 pattern(round, t, 103));
	pthread_barrier_wait(&held_b);
	free(a);
	free(b);
	free(g);
	sums[t] = sum;
	wants[t] = want;
}

/* The policy's allocator: blocks until released; no block. */
__attribute__((noinline)) void *held_alloc(size_t n);
__attribute__((noinline)) void *held_alloc(size_t n)
{
	char c;

	(void)n;
	__atomic_store_n(&hold_in, 1, __ATOMIC_RELEASE);
	while (read(release_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static void *holder(void *arg)
{
	struct timespec ms = { 0, 1000000L };
	char c;

	(void)arg;
	while (read(hold_pipe[0], &c, 1) < 0 && errno == EINTR)
		;
	if (c != 'h')
		return NULL;
	__atomic_store_n(&hold_asked, 1, __ATOMIC_RELEASE);
	while (!__atomic_load_n(&hold_go, __ATOMIC_ACQUIRE))
		nanosleep(&ms, NULL);
	if (held_alloc(64))
		abort();
	say_str(1, "released\n");
	return NULL;
}

/* The test boundary: one round, by the leader. */
__attribute__((noinline)) int round_test(unsigned long round);
__attribute__((noinline)) int round_test(unsigned long round)
{
	struct timespec ms = { 0, 1000000L };

	/* the holder enters held_alloc while this test is open */
	if (__atomic_load_n(&hold_asked, __ATOMIC_ACQUIRE) &&
	    !__atomic_load_n(&hold_go, __ATOMIC_RELAXED)) {
		__atomic_store_n(&hold_go, 1, __ATOMIC_RELEASE);
		while (!__atomic_load_n(&hold_in, __ATOMIC_ACQUIRE))
			nanosleep(&ms, NULL);
		say_str(1, "held\n");
	}
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

/* Runs round ROUND and folds it into the published state. */
static void run_round(unsigned long round)
{
	uint64_t h;
	unsigned long bad = 0;
	int t;

	round_test(round);
	pthread_mutex_lock(&state_lock);
	h = st_hash;
	for (t = 0; t < THREADS; t++) {
		bad += sums[t] != wants[t];
		h = (h ^ sums[t]) * 1099511628211ULL;
	}
	st_hash = h;
	st_bad += bad;
	st_rounds = round + 1;
	pthread_mutex_unlock(&state_lock);
}

static void *leader(void *arg)
{
	const long long *marks = arg;
	struct timespec pause = { 0, PAUSE_NS };
	unsigned long r;

	for (r = 0; marks ? *marks > 0 : !stop_sig; r++) {
		run_round(r);
		if (marks && (long long)r + 1 == *marks) {
			say_str(1, "checksum ");
			say_num(1, r + 1);
			say_str(1, " ");
			say_num(1, st_hash);
			say_str(1, "\n");
			marks++;
		}
		if (!marks)
			nanosleep(&pause, NULL);
	}
	__atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
	pthread_barrier_wait(&start_b);
	return NULL;
}

static void on_signal(int sig)
{
	if (sig == SIGUSR1)
		stop_sig = 1;
	else if (sig == SIGUSR2)
		report_sig = 1;
	else
		hold_sig = 1;
}

static void report(void)
{
	unsigned long rounds, bad;
	uint64_t h;

	pthread_mutex_lock(&state_lock);
	rounds = st_rounds;
	bad = st_bad;
	h = st_hash;
	pthread_mutex_unlock(&state_lock);
	say_str(1, "state ");
	say_num(1, rounds);
	say_str(1, " ");
	say_num(1, bad);
	say_str(1, " ");
	say_num(1, h);
	say_str(1, "\n");
}

static int usage(void)
{
	say_str(2, "usage: cycles [-e | -n ROUNDS...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	pthread_t th[THREADS], hold_th;
	int holds = 0;
	long long *marks = NULL, seconds = 600;
	struct sigaction sa;
	sigset_t block, old;
	int i, t;

	if (argc == 2 && !strcmp(argv[1], "-e")) {
		unsigned long long allocs = 0, bytes = 0, peak = 0;

		for (t = 0; t < THREADS; t++) {
			for (i = 0; i < CHURN; i++)
				bytes += churn_size(t, i);
			allocs += CHURN + 4;	/* + calloc, 2 malloc, realloc */
			bytes += calloc_size(t) + malloc_size(t) +
				 grow_from(t) + grow_to(t);
			peak += calloc_size(t) + malloc_size(t) + grow_to(t);
		}
		say_kv(1, "allocations", allocs);
		say_kv(1, "frees", allocs);	/* realloc frees grow_from */
		say_kv(1, "allocated_bytes", bytes);
		say_kv(1, "peak_bytes", peak);
		return 0;
	}
	if (argc > 1) {
		if (strcmp(argv[1], "-n") || argc < 3)
			return usage();
		marks = calloc((size_t)argc - 1, sizeof(*marks));
		if (!marks)
			abort();
		for (i = 2; i < argc; i++) {
			marks[i - 2] = parse_count(argv[i]);
			if (marks[i - 2] <= 0 ||
			    (i > 2 && marks[i - 2] < marks[i - 3]))
				return usage();
		}
	}
	if (pthread_barrier_init(&start_b, NULL, THREADS) ||
	    pthread_barrier_init(&held_b, NULL, THREADS) ||
	    pthread_barrier_init(&done_b, NULL, THREADS))
		abort();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (pipe(hold_pipe) || pipe(release_pipe))
		abort();
#ifdef PR_SET_PTRACER
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0); /* EINVAL without Yama */
#endif
	/* the signals are the main thread's */
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGUSR2);
	sigaddset(&block, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	for (t = 1; t < THREADS; t++)
		if (pthread_create(&th[t], NULL, worker, (void *)(intptr_t)t))
			abort();
	if (pthread_create(&th[0], NULL, leader, marks) ||
	    pthread_create(&hold_th, NULL, holder, NULL))
		abort();
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!marks) {
		say_str(1, "ready\n");
		/* sleep() returns early when a signal comes */
		while (!stop_sig && seconds-- > 0) {
			sleep(1);
			if (report_sig) {
				report_sig = 0;
				report();
			}
			if (hold_sig) {
				hold_sig = 0;
				/* ask, then release */
				if (write(holds++ ? release_pipe[1] :
					  hold_pipe[1], "h", 1) != 1)
					abort();
			}
		}
		stop_sig = 1;
	}
	for (t = 0; t < THREADS; t++)
		pthread_join(th[t], NULL);
	/* a holder never asked ends now; one held is released */
	if (write(holds ? release_pipe[1] : hold_pipe[1], "x", 1) != 1)
		abort();
	pthread_join(hold_th, NULL);
	if (!marks)
		report();
	free(marks);
	return st_bad != 0;
}
