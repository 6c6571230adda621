/*
 * stress: the cases an in-process recorder must survive, with figures the
 * program computes itself (tests/e2e/0018-engine-stress.sh).
 *
 *   stress threads N   8 threads at once, each N pairs of malloc(16..)
 *                      and free, sizes 16 * (1 + i % 8): per thread
 *                      N allocations of (N / 8) * 576 + 16 * (sum 1..N%8)
 *                      bytes, all freed.
 *   stress signals N   N malloc(32)/free pairs while SIGALRM fires every
 *                      100 us; the handler mallocs and frees 2000 bytes.
 *                      It prints how often the handler ran: K. An
 *                      allocation the handler makes while the interrupted
 *                      thread is inside an allocator is part of that call
 *                      (one call, one event), so the run sees between N
 *                      and N + K allocations, and every block is freed.
 *   stress jump N      as signals, but through stress_alloc() and
 *                      stress_free(), an allocator of the sample's own
 *                      (a bump pointer, which a longjmp cannot corrupt as
 *                      it can glibc's), that the policy names; every 8th
 *                      handler run siglongjmps out of the handler back
 *                      into the loop of run_jump(), the test: the call
 *                      it interrupted never returns. Each jump may leave
 *                      one of the loop's blocks unfreed. Then a second
 *                      test, after_jump(), with the timer stopped:
 *                      AFTER_PAIRS stress_alloc(AFTER_SIZE) of which all
 *                      but the first AFTER_LEAKED are freed at once (the
 *                      peak: AFTER_LEAKED + 1 blocks); it prints its
 *                      figures.
 *                      The events recorded around the jumps must neither
 *                      hold its events back nor spill into it.
 *   stress forkexec    in the test function work(): fork a child that
 *                      mallocs 1000 bytes and exits, and vfork + exec of
 *                      /bin/true; the test itself mallocs 64 and frees it.
 *   stress dlopen N    N cycles of dlopen + dlclose of liballoc.so, one
 *                      lib_work() each (samples/dlopen/liballoc.h): its
 *                      leak stack has N * LIB_LEAKED_BLOCKS blocks of
 *                      LIB_BLOCK bytes; the library's constructor block
 *                      is freed by its destructor at each dlclose.
 *
 * The loops run in allocating functions that are noinline so that every
 * stack is several frames deep.
 */
#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/say.h"
#include "../dlopen/liballoc.h"

#define THREADS 8

static unsigned long pairs;
static pthread_barrier_t start;

__attribute__((noinline)) static void pair(unsigned long i)
{
	char *volatile p = malloc(16 * (1 + i % 8));

	if (!p)
		abort();
	p[0] = (char)i;
	free(p);
}

__attribute__((noinline)) static void *worker(void *arg)
{
	unsigned long i;

	pthread_barrier_wait(&start);
	for (i = 0; i < pairs; i++)
		pair(i);
	return arg;
}

__attribute__((noinline)) static int run_threads(void)
{
	pthread_t tid[THREADS];
	pthread_attr_t attr;
	int t;

	/*
	 * 1 MiB stacks: all eight fit glibc's 40 MiB cache of thread stacks
	 * after the joins, so every thread's DTV stays live whatever
	 * "ulimit -s" says (8 MiB stacks would leave only four cached).
	 */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 1 << 20);
	pthread_barrier_init(&start, NULL, THREADS);
	for (t = 0; t < THREADS; t++)
		if (pthread_create(&tid[t], &attr, worker, NULL))
			return 1;
	for (t = 0; t < THREADS; t++)
		pthread_join(tid[t], NULL);
	say_str(1, "stress: threads done\n");
	return 0;
}

static char arena[64 << 20];
static unsigned long bump;

__attribute__((noinline)) void *stress_alloc(size_t n);
__attribute__((noinline)) void *stress_alloc(size_t n)
{
	unsigned long at = __atomic_fetch_add(&bump, (n + 15) & ~15UL,
					      __ATOMIC_RELAXED);

	return at + n <= sizeof(arena) ? arena + at : NULL;
}

__attribute__((noinline)) void stress_free(void *p);
__attribute__((noinline)) void stress_free(void *p)
{
	__asm__ volatile("" : : "r"(p) : "memory");
}

static volatile sig_atomic_t handler_runs, jumps;
static sigjmp_buf back;

static int do_jump;

__attribute__((noinline)) static void in_handler(void)
{
	char *volatile p = do_jump ? stress_alloc(2000) : malloc(2000);

	if (p)
		p[0] = 1;
	if (do_jump)
		stress_free(p);
	else
		free(p);
}

static void on_alarm(int sig)
{
	handler_runs++;
	in_handler();
	if (do_jump && handler_runs % 8 == 0) {
		jumps++;
		siglongjmp(back, 1);
	}
}

__attribute__((noinline)) static void small_pair(void)
{
	char *volatile p = do_jump ? stress_alloc(32) : malloc(32);

	if (!p)
		abort();
	p[0] = 1;
	if (do_jump)
		stress_free(p);
	else
		free(p);
}

__attribute__((noinline)) static int run_signals(int jump)
{
	struct itimerval it = { { 0, 100 }, { 0, 100 } };
	struct sigaction sa;
	volatile unsigned long i = 0;

	/*
	 * Both sizes are in the thread's tcache from here on: the handler's
	 * and the loop's allocations then take no arena lock, so that the
	 * handler cannot deadlock on one the loop holds.
	 */
	do_jump = jump;
	small_pair();
	in_handler();
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	/* the jump's target first: the first handler runs may come at once */
	if (!sigsetjmp(back, 1))
		setitimer(ITIMER_REAL, &it, NULL);
	while (i < pairs) {
		small_pair();
		i++;
	}
	it.it_value.tv_usec = 0;
	it.it_interval.tv_usec = 0;
	setitimer(ITIMER_REAL, &it, NULL);
	/* one still pending must not jump back into a frame that is gone */
	signal(SIGALRM, SIG_IGN);
	say_str(1, "stress: handler ran ");
	say_num(1, (unsigned long long)handler_runs);
	say_str(1, " times, jumped ");
	say_num(1, (unsigned long long)jumps);
	say_str(1, "\n");
	return 0;
}

__attribute__((noinline)) int run_jump(void);
__attribute__((noinline)) int run_jump(void)
{
	return run_signals(1);
}

#define AFTER_PAIRS 1000
#define AFTER_SIZE 48
#define AFTER_LEAKED 3

__attribute__((noinline)) int after_jump(void);
__attribute__((noinline)) int after_jump(void)
{
	unsigned long i;

	for (i = 0; i < AFTER_PAIRS; i++) {
		char *volatile p = stress_alloc(AFTER_SIZE);

		if (!p)
			return 1;
		p[0] = 1;
		if (i >= AFTER_LEAKED)
			stress_free(p);
	}
	say_str(1, "stress: after_jump allocations ");
	say_num(1, AFTER_PAIRS);
	say_str(1, " bytes ");
	say_num(1, AFTER_PAIRS * AFTER_SIZE);
	say_str(1, " peak ");
	say_num(1, (AFTER_LEAKED + 1) * AFTER_SIZE);
	say_str(1, " frees ");
	say_num(1, AFTER_PAIRS - AFTER_LEAKED);
	say_str(1, " leaked ");
	say_num(1, AFTER_LEAKED * AFTER_SIZE);
	say_str(1, " blocks ");
	say_num(1, AFTER_LEAKED);
	say_str(1, "\n");
	return 0;
}

__attribute__((noinline)) int work(void);
__attribute__((noinline)) int work(void)
{
	char *volatile p = malloc(64);
	pid_t pid;
	int status;

	pid = fork();
	if (pid == 0) {
		char *volatile q = malloc(1000);

		q[0] = 1;
		_exit(0);
	}
	waitpid(pid, &status, 0);
	pid = vfork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	free(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

__attribute__((noinline)) static int run_dlopen(const char *self)
{
	char path[4096];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 64);
	char *slash;
	unsigned long i;

	/* an absolute path, as a program's $ORIGIN rpath gives one */
	(void)self;
	if (n <= 0)
		return 1;
	path[n] = 0;
	slash = strrchr(path, '/');
	if (!slash)
		return 1;
	strcpy(slash, "/../dlopen/liballoc.so");
	for (i = 0; i < pairs; i++) {
		void *h = dlopen(path, RTLD_NOW);
		lib_work_fn *fn;

		if (!h)
			return 1;
		fn = (lib_work_fn *)dlsym(h, "lib_work");
		if (!fn)
			return 1;
		fn();
		dlclose(h);
	}
	say_str(1, "stress: dlopen done\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	pairs = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000;
	if (!strcmp(argv[1], "threads"))
		return run_threads();
	if (!strcmp(argv[1], "signals"))
		return run_signals(0);
	if (!strcmp(argv[1], "jump"))
		return run_jump() || after_jump();
	if (!strcmp(argv[1], "forkexec"))
		return work();
	if (!strcmp(argv[1], "dlopen"))
		return run_dlopen(argv[0]);
	return 2;
}
