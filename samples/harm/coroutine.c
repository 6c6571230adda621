/*
 * coroutine: a test that switches stacks (ucontext) in the middle.
 *
 * coro_test, the test boundary (samples/harm/stacks.yaml), runs on a
 * coroutine whose stack this program mmaps, below the main stack. It
 * mallocs CORO_A bytes and yields to the scheduler (main(), on the main
 * stack: above the test's frame), which mallocs and frees CORO_B bytes and
 * resumes it; the test then mallocs CORO_C bytes, frees both its blocks and
 * returns. The test's frame was never abandoned: memsup must count all of
 * it in coro_test and let the program finish. later_test then mallocs and
 * frees CORO_D bytes on the main stack.
 *
 * It prints "expect NAME allocations N frees N allocated N peak N leaked
 * N" for each test, from its own constants, then exits 0.
 *
 *   coroutine onstack   the coroutine's stack is an array in main()'s own
 *                       frame instead: the same mapping as the scheduler's
 *                       stack, where a supervisor cannot tell the switch
 *                       from a longjmp; the program must still finish.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>

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

#define CORO_A		1000
#define CORO_B		3000
#define CORO_C		500
#define CORO_D		64
#define CORO_STACK	(256 * 1024)
#define CORO_ONSTACK	(128 * 1024)

static ucontext_t sched_ctx, co_ctx;

static void yield(void)
{
	swapcontext(&co_ctx, &sched_ctx);
}

__attribute__((noinline)) int coro_test(void);
__attribute__((noinline)) int coro_test(void)
{
	char *a = malloc(CORO_A), *c;

	if (!a)
		abort();
	a[0] = 1;
	yield();
	c = malloc(CORO_C);
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
	char *d = malloc(CORO_D);

	if (!d)
		abort();
	d[0] = 0;
	free(d);
	return 0;
}

static void coro_main(void)
{
	coro_test();
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

/*
 * onstack: the coroutine's stack is the lower half of a block alloca'd
 * here, on the main stack; once this returns, the scheduler runs above
 * the test's frame in the same mapping (the upper half keeps its calls
 * off the coroutine's frames).
 */
static __attribute__((noinline)) void start_on_main_stack(void)
{
	char *area = __builtin_alloca(CORO_ONSTACK);

	if (getcontext(&co_ctx) < 0)
		abort();
	co_ctx.uc_stack.ss_sp = area;
	co_ctx.uc_stack.ss_size = CORO_ONSTACK / 2;
	co_ctx.uc_link = &sched_ctx;
	makecontext(&co_ctx, coro_main, 0);
	swapcontext(&sched_ctx, &co_ctx);	/* runs until the yield */
}

int main(int argc, char **argv)
{
	char *b;

	if (argc > 1 && !strcmp(argv[1], "onstack")) {
		start_on_main_stack();
	} else {
		void *stack = map_stack(CORO_STACK);

		if (!stack || getcontext(&co_ctx) < 0)
			return 1;
		co_ctx.uc_stack.ss_sp = stack;
		co_ctx.uc_stack.ss_size = CORO_STACK;
		co_ctx.uc_link = &sched_ctx;
		makecontext(&co_ctx, coro_main, 0);
		swapcontext(&sched_ctx, &co_ctx);	/* until the yield */
	}
	b = malloc(CORO_B);			/* the scheduler's own work */
	if (!b)
		abort();
	b[0] = 0;
	free(b);
	swapcontext(&sched_ctx, &co_ctx);	/* the test finishes */
	later_test();
	expect("coro_test", 3, 3, CORO_A + CORO_B + CORO_C,
	       CORO_A + (CORO_B > CORO_C ? CORO_B : CORO_C));
	expect("later_test", 1, 1, CORO_D, CORO_D);
	return 0;
}
