/*
 * altstack: a test on a thread with a stack of its own, whose SA_ONSTACK
 * signal handler allocates on an alternate stack above the test's frame.
 *
 * The program mmaps the alternate signal stack first and the thread's
 * stack after it (so, with mmap growing down, the thread's stack lies
 * below), and starts the thread with pthread_attr_setstack(). The thread
 * sets its sigaltstack and runs alt_test, the test boundary
 * (samples/harm/stacks.yaml): it mallocs ALT_A bytes and raises SIGUSR1,
 * whose SA_ONSTACK handler mallocs and frees ALT_B bytes on the alternate
 * stack; back in the test, it mallocs ALT_C bytes, frees both and returns.
 * The test's frame was never abandoned. Then later_test (ALT_D bytes).
 *
 * It prints "expect NAME allocations N frees N allocated N peak N leaked
 * N" for each test, from its own constants, then exits 0.
 */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "../common/say.h"

/* A stack as glibc maps a thread's: a PROT_NONE guard page below it,
 * which also keeps it a mapping of its own. */
static void *map_stack(size_t size)
{
	char *p = mmap(NULL, size + 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

	if (p == MAP_FAILED || mprotect(p, 4096, PROT_NONE) < 0)
		return NULL;
	return p + 4096;
}

#define ALT_A		2000
#define ALT_B		700
#define ALT_C		300
#define ALT_D		48
#define ALT_STACK	(256 * 1024)

static void *altstack;

static void on_usr1(int sig)
{
	/* Not async-signal-safe in general; here the signal is raised
	 * synchronously, outside any allocator call. */
	char *b = malloc(ALT_B);

	(void)sig;
	if (!b)
		abort();
	b[0] = 0;
	free(b);
}

__attribute__((noinline)) int alt_test(void);
__attribute__((noinline)) int alt_test(void)
{
	char *a = malloc(ALT_A), *c;

	if (!a)
		abort();
	a[0] = 1;
	raise(SIGUSR1);
	c = malloc(ALT_C);
	if (!c)
		abort();
	c[0] = a[0];
	free(a);
	free(c);
	return 0;
}

__attribute__((noinline)) int later_test(void);
__attribute__((noinline)) int later_test(void)
{
	char *d = malloc(ALT_D);

	if (!d)
		abort();
	d[0] = 0;
	free(d);
	return 0;
}

static void *thread_main(void *arg)
{
	stack_t ss;

	(void)arg;
	ss.ss_sp = altstack;
	ss.ss_size = ALT_STACK;
	ss.ss_flags = 0;
	if (sigaltstack(&ss, NULL) < 0)
		abort();
	alt_test();
	return NULL;
}

static void expect(const char *name, unsigned long long allocations,
		   unsigned long long frees, unsigned long long allocated,
		   unsigned long long peak)
{
	say_str(1, "expect ");
	say_str(1, name);
	say_str(1, " allocations ");
	say_num(1, allocations);
	say_str(1, " frees ");
	say_num(1, frees);
	say_str(1, " allocated ");
	say_num(1, allocated);
	say_str(1, " peak ");
	say_num(1, peak);
	say_str(1, " leaked 0\n");
}

int main(void)
{
	struct sigaction sa;
	pthread_attr_t attr;
	pthread_t th;
	void *stack;

	altstack = map_stack(ALT_STACK);
	stack = map_stack(ALT_STACK);
	if (!altstack || !stack)
		return 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_ONSTACK;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	/* The thread's creation allocates nothing: its stack is ours. */
	if (pthread_attr_init(&attr) ||
	    pthread_attr_setstack(&attr, stack, ALT_STACK) ||
	    pthread_create(&th, &attr, thread_main, NULL) ||
	    pthread_join(th, NULL))
		return 1;
	later_test();
	expect("alt_test", 3, 3, ALT_A + ALT_B + ALT_C,
	       ALT_A + (ALT_B > ALT_C ? ALT_B : ALT_C));
	expect("later_test", 1, 1, ALT_D, ALT_D);
	return 0;
}
