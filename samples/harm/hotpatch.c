/*
 * hotpatch: a program that patches malloc while a supervisor has a
 * breakpoint on it.
 *
 * patch_test, the test boundary (samples/harm/hotpatch.yaml), mallocs and
 * frees PATCH_A bytes, then makes malloc's page writable and writes over
 * malloc's first bytes "movabs $my_malloc, %rax; jmp *%rax": from then on
 * every malloc call lands in my_malloc, a bump allocator over a static
 * array. It mallocs PATCH_N more blocks (my_malloc's) and returns. After
 * the test (when a supervisor lifts its allocator breakpoints) it mallocs
 * PATCH_N more: a supervisor that wrote its saved byte back over the jump
 * would crash it here. It prints "expect patch_test allocations 1 frees 1
 * allocated A peak A leaked 0" (what any supervisor sees: the calls after
 * the patch are not malloc's) and "patched calls N", and exits 0.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../common/say.h"

#define PATCH_A		400
#define PATCH_N		5

static unsigned char arena[64 * 1024];
static size_t used;
static unsigned long patched_calls;

static void *my_malloc(size_t n)
{
	void *p;

	n = (n + 15) & ~(size_t)15;
	if (used + n > sizeof(arena))
		return NULL;
	p = arena + used;
	used += n;
	patched_calls++;
	return p;
}

static int patch(void *fn, void *to)
{
	long page = sysconf(_SC_PAGESIZE);
	uintptr_t start = (uintptr_t)fn & ~(uintptr_t)(page - 1);
	unsigned char code[12] = { 0x48, 0xb8 };	/* movabs $to, %rax */
	uint64_t target = (uint64_t)(uintptr_t)to;

	memcpy(code + 2, &target, 8);
	code[10] = 0xff;				/* jmp *%rax */
	code[11] = 0xe0;
	if (mprotect((void *)start, (size_t)page * 2,
		     PROT_READ | PROT_WRITE | PROT_EXEC) < 0)
		return -1;
	memcpy(fn, code, sizeof(code));
	return mprotect((void *)start, (size_t)page * 2, PROT_READ | PROT_EXEC);
}

__attribute__((noinline)) int patch_test(void);
__attribute__((noinline)) int patch_test(void)
{
	/* volatile: the compiler must call malloc, not fold it away */
	void *(*volatile m)(size_t) = malloc;
	char *a = m(PATCH_A);
	int i;

	if (!a)
		abort();
	a[0] = 0;
	free(a);
	if (patch((void *)m, (void *)my_malloc) < 0)
		abort();
	for (i = 0; i < PATCH_N; i++)
		if (!m(32))
			abort();
	return 0;
}

int main(void)
{
	void *(*volatile m)(size_t) = malloc;
	int i;

	patch_test();
	for (i = 0; i < PATCH_N; i++)
		if (!m(16))
			abort();
	say_str(1, "expect patch_test allocations 1 frees 1 allocated ");
	say_num(1, PATCH_A);
	say_str(1, " peak ");
	say_num(1, PATCH_A);
	say_str(1, " leaked 0\n");
	say_kv(1, "patched calls", patched_calls);
	return patched_calls == 2 * PATCH_N ? 0 : 1;
}
