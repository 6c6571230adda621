/*
 * stacks.c (interning), unwind.c (a forked child stopped on an int3 at
 * the first instruction of a function, as at an allocator breakpoint) and
 * symbols.c (this runner's own functions and lines, libc, nothing).
 * Properties, not addresses: the child is a fork of this runner, so its
 * functions are at our addresses.
 */
#include <dlfcn.h>
#include <errno.h>
#include <link.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <check.h>

#include "supervisor/demangle.h"
#include "supervisor/stacks.h"
#include "supervisor/symbols.h"
#include "supervisor/unwind.h"
#include "suites.h"

/* ---- stacks ---- */

START_TEST(test_stacks_dedupe)
{
	static const uint64_t a[] = { 0x401000, 0x401100, 0x401200 };
	static const uint64_t b[] = { 0x401000, 0x401100, 0x401201 };
	struct stacks st;
	const uint64_t *p;
	uint32_t ia, ib;
	unsigned n;

	stacks_init(&st);
	ck_assert_uint_eq(stacks_intern(&st, 1, a, 0), 0);
	ia = stacks_intern(&st, 1, a, 3);
	ib = stacks_intern(&st, 1, b, 3);
	ck_assert_uint_eq(ia, 1);
	ck_assert_uint_eq(ib, 2);
	ck_assert_uint_eq(stacks_intern(&st, 1, a, 3), ia);
	ck_assert_uint_eq(stacks_intern(&st, 1, b, 3), ib);
	/* a prefix is another stack */
	ck_assert_uint_eq(stacks_intern(&st, 1, a, 2), 3);
	/* so is the same stack in another exec image */
	ck_assert_uint_eq(stacks_intern(&st, 2, a, 3), 4);
	ck_assert_uint_eq(stacks_image(&st, 4), 2);
	ck_assert_uint_eq(stacks_image(&st, 1), 1);
	ck_assert_uint_eq(stacks_count(&st), 4);

	p = stacks_get(&st, ia, &n);
	ck_assert_uint_eq(n, 3);
	ck_assert(!memcmp(p, a, sizeof(a)));
	ck_assert_ptr_null(stacks_get(&st, 0, &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(stacks_get(&st, 5, &n));
	ck_assert_uint_eq(stacks_image(&st, 5), 0);
	stacks_release(&st);
}
END_TEST

START_TEST(test_stacks_deep)
{
	uint64_t pcs[STACKS_MAX_DEPTH + 10];
	struct stacks st;
	const uint64_t *p;
	uint32_t id;
	unsigned i, n;

	for (i = 0; i < STACKS_MAX_DEPTH + 10; i++)
		pcs[i] = 0x7f0000000000ULL + i * 16;
	stacks_init(&st);
	id = stacks_intern(&st, 0, pcs, STACKS_MAX_DEPTH + 10);
	p = stacks_get(&st, id, &n);
	ck_assert_uint_eq(n, STACKS_MAX_DEPTH);
	ck_assert(!memcmp(p, pcs, STACKS_MAX_DEPTH * sizeof(*pcs)));
	/* cut to the same innermost frames: the same stack */
	ck_assert_uint_eq(stacks_intern(&st, 0, pcs, STACKS_MAX_DEPTH), id);
	stacks_release(&st);
}
END_TEST

#define MANY 100000u

static unsigned many_depth(uint32_t i)
{
	return 1 + i % 24;
}

static void many_pcs(uint32_t i, uint64_t *pcs, unsigned n)
{
	unsigned j;

	for (j = 0; j < n; j++)
		pcs[j] = 0x555555554000ULL + (uint64_t)i * 8 + j * 0x1000;
}

START_TEST(test_stacks_many)
{
	const uint64_t *first, *p;
	uint64_t pcs[32];
	struct stacks st;
	unsigned n, d;
	uint32_t i;

	stacks_init(&st);
	many_pcs(0, pcs, many_depth(0));
	ck_assert_uint_eq(stacks_intern(&st, 7, pcs, many_depth(0)), 1);
	first = stacks_get(&st, 1, &n);
	for (i = 1; i < MANY; i++) {
		d = many_depth(i);
		many_pcs(i, pcs, d);
		ck_assert_uint_eq(stacks_intern(&st, 7, pcs, d), i + 1);
	}
	ck_assert_uint_eq(stacks_count(&st), MANY);
	/* after all that growth: same ids, same contents, same pointers */
	ck_assert_ptr_eq(stacks_get(&st, 1, &n), first);
	for (i = 0; i < MANY; i++) {
		d = many_depth(i);
		many_pcs(i, pcs, d);
		ck_assert_uint_eq(stacks_intern(&st, 7, pcs, d), i + 1);
		p = stacks_get(&st, i + 1, &n);
		ck_assert_uint_eq(n, d);
		ck_assert(!memcmp(p, pcs, d * sizeof(*pcs)));
	}
	ck_assert_uint_eq(stacks_count(&st), MANY);
	stacks_release(&st);
}
END_TEST

/* ---- functions the tests unwind and symbolise ---- */

void stacks_test_breakpoint(void);
void stacks_test_f1(void);
void stacks_test_f2(void);
void stacks_test_f3(void);
void stacks_test_child(void);
int stacks_test_recurse(int depth);
uint64_t stacks_test_return_address(void);
uint64_t stacks_test_site(unsigned *line);
uint64_t stacks_test_inline_site(unsigned *inner, unsigned *outer);

/* An armed breakpoint: an int3 on a function's first instruction. */
__asm__(".text\n"
	".globl stacks_test_breakpoint\n"
	".type stacks_test_breakpoint, @function\n"
	"stacks_test_breakpoint:\n"
	".cfi_startproc\n"
	"int3\n"
	"ret\n"
	".cfi_endproc\n"
	".size stacks_test_breakpoint, .-stacks_test_breakpoint\n");

static volatile int sink;

/* sink++ after each call: no tail calls, every frame stays */
__attribute__((noinline)) void stacks_test_f3(void)
{
	stacks_test_breakpoint();
	sink++;
}

__attribute__((noinline)) void stacks_test_f2(void)
{
	stacks_test_f3();
	sink++;
}

__attribute__((noinline)) void stacks_test_f1(void)
{
	stacks_test_f2();
	sink++;
}

__attribute__((noinline)) void stacks_test_child(void)
{
	stacks_test_f1();
	sink++;
}

__attribute__((noinline)) int stacks_test_recurse(int depth)
{
	int r;

	if (depth <= 0) {
		stacks_test_breakpoint();
		return 0;
	}
	r = stacks_test_recurse(depth - 1);
	sink += r;
	return r + 1;
}

__attribute__((noinline)) uint64_t stacks_test_return_address(void)
{
	return (uint64_t)(uintptr_t)__builtin_return_address(0);
}

__attribute__((noinline)) uint64_t stacks_test_site(unsigned *line)
{
	uint64_t pc = stacks_test_return_address(); *line = __LINE__;

	sink++;
	return pc;
}

static inline __attribute__((always_inline)) uint64_t
stacks_test_inlined(unsigned *line)
{
	uint64_t pc = stacks_test_return_address(); *line = __LINE__;

	return pc;
}

__attribute__((noinline)) uint64_t stacks_test_inline_site(unsigned *inner,
							    unsigned *outer)
{
	uint64_t pc = stacks_test_inlined(inner); *outer = __LINE__;

	sink++;
	return pc;
}

/* ---- a traced child stopped at stacks_test_breakpoint ---- */

struct stopped {
	pid_t pid;
	struct user_regs_struct regs;
};

/* depth < 0: stacks_test_child(); else stacks_test_recurse(depth). */
static void stopped_start(struct stopped *s, int depth)
{
	int status;

	s->pid = fork();
	ck_assert_int_ge(s->pid, 0);
	if (!s->pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		if (depth < 0)
			stacks_test_child();
		else
			stacks_test_recurse(depth);
		_exit(0);
	}
	ck_assert_int_eq(waitpid(s->pid, &status, 0), s->pid);
	ck_assert(WIFSTOPPED(status));
	ck_assert_int_eq(WSTOPSIG(status), SIGTRAP);
	ck_assert_int_eq(ptrace(PTRACE_GETREGS, s->pid, NULL, &s->regs), 0);
	/* rip is just past the int3 */
	ck_assert_uint_eq(s->regs.rip,
			  (uint64_t)(uintptr_t)stacks_test_breakpoint + 1);
}

/* Reaped before the test returns: nothing traced is left for LSan. */
static void stopped_end(struct stopped *s)
{
	int status;

	kill(s->pid, SIGKILL);
	ck_assert_int_eq(waitpid(s->pid, &status, 0), s->pid);
}

/* ---- this runner's objects, as struct objects would list them ---- */

static int add_object(struct dl_phdr_info *info, size_t size, void *data)
{
	struct symbolizer *sym = data;
	char exe[4096];
	ssize_t n;

	if (!info->dlpi_name || !*info->dlpi_name) {
		n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		if (n <= 0)
			return 0;
		exe[n] = '\0';
		ck_assert_int_ge(symbolizer_add_object(sym, exe,
						       info->dlpi_addr), 0);
	} else {
		symbolizer_add_object(sym, info->dlpi_name, info->dlpi_addr);
	}
	return 0;
}

static struct symbolizer *self_symbolizer(void)
{
	struct symbolizer *sym = symbolizer_new();

	dl_iterate_phdr(add_object, sym);
	return sym;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n, m = strlen(suffix);

	if (!s)
		return 0;
	n = strlen(s);
	return n >= m && !strcmp(s + n - m, suffix);
}

static uint64_t fn_addr(void (*fn)(void))
{
	return (uint64_t)(uintptr_t)fn;
}

/* ---- unwind ---- */

START_TEST(test_unwind_chain)
{
	static const char *const expect[] = {
		"stacks_test_f3", "stacks_test_f2", "stacks_test_f1",
		"stacks_test_child",
	};
	uint64_t pcs[64];
	struct sym_frame f;
	struct symbolizer *sym;
	struct unwinder *uw;
	struct stopped s;
	unsigned n, i;

	stopped_start(&s, -1);
	uw = unwinder_new(s.pid, (enum unwind_mode)_i);
	ck_assert_ptr_nonnull(uw);
	n = unwinder_unwind(uw, s.pid, &s.regs, pcs, 64);
	/* the four functions, then the test runner and libc down to main */
	ck_assert_uint_ge(n, 6);
	ck_assert_uint_gt(pcs[0], fn_addr(stacks_test_f3));
	ck_assert_uint_gt(pcs[1], fn_addr(stacks_test_f2));
	ck_assert_uint_gt(pcs[2], fn_addr(stacks_test_f1));
	ck_assert_uint_gt(pcs[3], fn_addr(stacks_test_child));
	/* the same stack again, from the cache */
	for (i = 0; i < 3; i++) {
		uint64_t again[64];

		ck_assert_uint_eq(unwinder_unwind(uw, s.pid, &s.regs, again,
						  64), n);
		ck_assert(!memcmp(again, pcs, n * sizeof(*pcs)));
	}
	/* at most MAX */
	ck_assert_uint_eq(unwinder_unwind(uw, s.pid, &s.regs, pcs, 2), 2);
	ck_assert_uint_eq(unwinder_unwind(uw, s.pid, &s.regs, pcs, 0), 0);
	n = unwinder_unwind(uw, s.pid, &s.regs, pcs, 64);
	unwinder_free(uw);
	stopped_end(&s);

	/* symbolised after the process is gone, from the files */
	sym = self_symbolizer();
	for (i = 0; i < 4; i++) {
		ck_assert_uint_eq(symbolizer_lookup(sym, pcs[i], 1, &f, 1), 1);
		ck_assert_ptr_nonnull(f.function);
		ck_assert_str_eq(f.function, expect[i]);
		ck_assert_ptr_nonnull(f.file);
		ck_assert(ends_with(f.file, "check_stacks.c"));
	}
	/* and main is on the stack, further out */
	for (i = 4; i < n; i++) {
		ck_assert_uint_ge(symbolizer_lookup(sym, pcs[i], 1, &f, 1), 1);
		if (f.function && !strcmp(f.function, "main"))
			break;
	}
	ck_assert_uint_lt(i, n);
	symbolizer_free(sym);
}
END_TEST

START_TEST(test_unwind_deep)
{
	struct unwind_stats stats;
	uint64_t pcs[256];
	struct unwinder *uw;
	struct stopped s;
	unsigned n, i;

	stopped_start(&s, 100);
	uw = unwinder_new(s.pid, (enum unwind_mode)_i);
	ck_assert_ptr_nonnull(uw);
	n = unwinder_unwind(uw, s.pid, &s.regs, pcs, 256);
	ck_assert_uint_ge(n, 101);
	for (i = 0; i <= 100; i++)
		ck_assert_uint_gt(pcs[i], (uint64_t)(uintptr_t)
						  stacks_test_recurse);
	/* 101 identical return addresses: a loop guard must not stop it */
	for (i = 1; i < 100; i++)
		ck_assert_uint_eq(pcs[i], pcs[1]);
	ck_assert_uint_eq(unwinder_unwind(uw, s.pid, &s.regs, pcs, 50), 50);
	unwinder_stats(uw, &stats);
	ck_assert_uint_eq(stats.unwinds, 2);
	ck_assert_uint_eq(stats.frames, n + 50);
	ck_assert_uint_eq(stats.read_failures, 0);
	unwinder_flush(uw);
	ck_assert_uint_eq(unwinder_unwind(uw, s.pid, &s.regs, pcs, 256), n);
	unwinder_free(uw);
	stopped_end(&s);
}
END_TEST

START_TEST(test_unwind_bad_regs)
{
	struct user_regs_struct regs;
	struct unwinder *uw;
	struct stopped s;
	uint64_t pcs[16];

	stopped_start(&s, -1);
	uw = unwinder_new(s.pid, (enum unwind_mode)_i);
	ck_assert_ptr_nonnull(uw);
	/* an unmapped stack pointer: nothing, and no crash */
	regs = s.regs;
	regs.rsp = 0x10;
	ck_assert_uint_eq(unwinder_unwind(uw, s.pid, &regs, pcs, 16), 0);
	/* a stack of garbage: a few frames at most, then a clean stop */
	regs = s.regs;
	regs.rsp = (uint64_t)(uintptr_t)stacks_test_f1;
	regs.rbp = 0;
	ck_assert_uint_le(unwinder_unwind(uw, s.pid, &regs, pcs, 16), 16);
	/* and the real one still works */
	ck_assert_uint_ge(unwinder_unwind(uw, s.pid, &s.regs, pcs, 16), 6);
	unwinder_free(uw);
	stopped_end(&s);
	/* a process that is gone */
	uw = unwinder_new(s.pid, (enum unwind_mode)_i);
	if (uw) {
		ck_assert_uint_eq(unwinder_unwind(uw, s.pid, &s.regs, pcs,
						  16), 0);
		unwinder_free(uw);
	}
}
END_TEST

/* The rules and libunwind: the same frames, and check mode agrees. */
START_TEST(test_unwind_modes_agree)
{
	uint64_t a[64], b[64], c[64];
	struct unwind_stats st;
	struct unwinder *rules, *lu, *both;
	struct stopped s;
	unsigned na, nb, nc;

	stopped_start(&s, 7);
	rules = unwinder_new(s.pid, UNWIND_RULES);
	lu = unwinder_new(s.pid, UNWIND_LIBUNWIND);
	both = unwinder_new(s.pid, UNWIND_CHECK);
	ck_assert_ptr_nonnull(rules);
	ck_assert_ptr_nonnull(lu);
	ck_assert_ptr_nonnull(both);
	na = unwinder_unwind(rules, s.pid, &s.regs, a, 64);
	nb = unwinder_unwind(lu, s.pid, &s.regs, b, 64);
	nc = unwinder_unwind(both, s.pid, &s.regs, c, 64);
	/* 8 frames of stacks_test_recurse, the runner, libc, _start */
	ck_assert_uint_ge(na, 10);
	ck_assert_uint_eq(na, nb);
	ck_assert_uint_eq(na, nc);
	ck_assert(!memcmp(a, b, na * sizeof(*a)));
	ck_assert(!memcmp(a, c, na * sizeof(*a)));

	unwinder_stats(rules, &st);
	ck_assert_uint_eq(st.unwinds, 1);
	ck_assert_uint_eq(st.by_rules, 1);
	ck_assert_uint_eq(st.proc_info_misses, 0);
	ck_assert_uint_eq(st.reads, 1);
	/* every distinct return address once; the 7 returns from the
	 * recursive calls are one */
	ck_assert_uint_eq(st.rule_misses, na - 6);
	unwinder_stats(lu, &st);
	ck_assert_uint_eq(st.by_rules, 0);
	ck_assert_uint_gt(st.proc_info_misses, 0);
	unwinder_stats(both, &st);
	ck_assert_uint_eq(st.by_rules, 1);
	ck_assert_uint_eq(st.mismatches, 0);
	unwinder_free(rules);
	unwinder_free(lu);
	unwinder_free(both);
	stopped_end(&s);
}
END_TEST

/* A forked child's unwinder starts with its parent's rules, and a flush
 * gives it a table of its own without touching the parent's. */
START_TEST(test_unwind_fork_shares)
{
	struct unwind_stats st;
	struct unwinder *parent, *child;
	struct stopped s;
	uint64_t pcs[64];
	unsigned n;

	stopped_start(&s, -1);
	parent = unwinder_new(s.pid, UNWIND_RULES);
	ck_assert_ptr_nonnull(parent);
	n = unwinder_unwind(parent, s.pid, &s.regs, pcs, 64);
	ck_assert_uint_ge(n, 6);
	child = unwinder_fork(parent, s.pid);
	ck_assert_ptr_nonnull(child);
	ck_assert_uint_eq(unwinder_unwind(child, s.pid, &s.regs, pcs, 64), n);
	unwinder_stats(child, &st);
	ck_assert_uint_eq(st.rule_misses, 0);
	ck_assert_uint_eq(st.by_rules, 1);

	unwinder_flush(child);
	ck_assert_uint_eq(unwinder_unwind(child, s.pid, &s.regs, pcs, 64), n);
	unwinder_stats(child, &st);
	ck_assert_uint_eq(st.rule_misses, n);
	/* the parent kept its table */
	ck_assert_uint_eq(unwinder_unwind(parent, s.pid, &s.regs, pcs, 64),
			  n);
	unwinder_stats(parent, &st);
	ck_assert_uint_eq(st.rule_misses, n);
	/* freed in either order */
	unwinder_free(parent);
	unwinder_free(child);
	stopped_end(&s);
}
END_TEST

/* One copy of the stack for a stop: peeks and the unwind share it. */
START_TEST(test_unwind_snapshot)
{
	struct unwind_stats st;
	struct unwinder *uw;
	struct stopped s;
	uint64_t pcs[64], w, ret;

	stopped_start(&s, -1);
	uw = unwinder_new(s.pid, UNWIND_RULES);
	ck_assert_ptr_nonnull(uw);
	/* outside a snapshot: nothing */
	ck_assert_int_eq(unwinder_peek(uw, s.regs.rsp, &w), -1);
	errno = 0;
	ret = (uint64_t)ptrace(PTRACE_PEEKDATA, s.pid,
			       (void *)(uintptr_t)s.regs.rsp, NULL);
	ck_assert_int_eq(errno, 0);

	unwinder_begin(uw, s.pid, s.regs.rsp);
	ck_assert_int_eq(unwinder_peek(uw, s.regs.rsp, &w), 0);
	ck_assert_uint_eq(w, ret);
	ck_assert_int_eq(unwinder_peek(uw, s.regs.rsp + 8, &w), 0);
	ck_assert_uint_ge(unwinder_unwind(uw, s.pid, &s.regs, pcs, 64), 6);
	ck_assert_uint_eq(pcs[0], ret);
	unwinder_end(uw);
	unwinder_stats(uw, &st);
	ck_assert_uint_eq(st.reads, 1);
	ck_assert_int_eq(unwinder_peek(uw, s.regs.rsp, &w), -1);

	/* a new stop reads again */
	unwinder_begin(uw, s.pid, s.regs.rsp);
	ck_assert_int_eq(unwinder_peek(uw, s.regs.rsp, &w), 0);
	unwinder_end(uw);
	unwinder_stats(uw, &st);
	ck_assert_uint_eq(st.reads, 2);
	unwinder_free(uw);
	stopped_end(&s);
}
END_TEST

START_TEST(test_unwind_mode_parse)
{
	ck_assert_int_eq(unwind_mode_parse(NULL), UNWIND_RULES);
	ck_assert_int_eq(unwind_mode_parse(""), UNWIND_RULES);
	ck_assert_int_eq(unwind_mode_parse("rules"), UNWIND_RULES);
	ck_assert_int_eq(unwind_mode_parse("libunwind"), UNWIND_LIBUNWIND);
	ck_assert_int_eq(unwind_mode_parse("check"), UNWIND_CHECK);
	ck_assert_int_eq(unwind_mode_parse("Rules"), -1);
	ck_assert_int_eq(unwind_mode_parse("fast"), -1);
}
END_TEST

/* ---- symbols ---- */

START_TEST(test_symbols_self)
{
	struct sym_frame f[4], g[4];
	struct symbolizer *sym = self_symbolizer();
	char exe[4096];
	unsigned line, n;
	uint64_t pc;
	ssize_t len;

	pc = stacks_test_site(&line);
	n = symbolizer_lookup(sym, pc, 1, f, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(f[0].function, "stacks_test_site");
	ck_assert(ends_with(f[0].file, "tests/unit/check_stacks.c"));
	ck_assert_uint_eq(f[0].line, line);
	ck_assert_int_eq(f[0].inlined, 0);
	ck_assert_uint_eq(f[0].pc, pc);
	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ck_assert_int_gt(len, 0);
	exe[len] = '\0';
	ck_assert_str_eq(f[0].object, exe);
	ck_assert_uint_lt(f[0].offset, pc);

	/* cached: the same strings */
	ck_assert_uint_eq(symbolizer_lookup(sym, pc, 1, g, 4), 1);
	ck_assert_ptr_eq(g[0].function, f[0].function);
	ck_assert_ptr_eq(g[0].file, f[0].file);

	/* the function's entry, not a return address */
	n = symbolizer_lookup(sym, fn_addr(stacks_test_f2), 0, f, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(f[0].function, "stacks_test_f2");
	symbolizer_free(sym);
}
END_TEST

START_TEST(test_symbols_inlined)
{
	struct symbolizer *sym = self_symbolizer();
	unsigned inner, outer, n;
	struct sym_frame f[4];
	uint64_t pc;

	pc = stacks_test_inline_site(&inner, &outer);
	n = symbolizer_lookup(sym, pc, 1, f, 4);
	ck_assert_uint_eq(n, 2);
	ck_assert_str_eq(f[0].function, "stacks_test_inlined");
	ck_assert_int_eq(f[0].inlined, 1);
	ck_assert(ends_with(f[0].file, "check_stacks.c"));
	ck_assert_uint_eq(f[0].line, inner);
	ck_assert_str_eq(f[1].function, "stacks_test_inline_site");
	ck_assert_int_eq(f[1].inlined, 0);
	ck_assert(ends_with(f[1].file, "check_stacks.c"));
	ck_assert_uint_eq(f[1].line, outer);
	ck_assert_ptr_eq(f[1].object, f[0].object);
	ck_assert_uint_eq(f[1].pc, pc);
	/* MAX cuts the list, innermost kept */
	ck_assert_uint_eq(symbolizer_lookup(sym, pc, 1, f, 1), 1);
	ck_assert_str_eq(f[0].function, "stacks_test_inlined");
	ck_assert_uint_eq(symbolizer_lookup(sym, pc, 1, f, 0), 0);
	symbolizer_free(sym);
}
END_TEST

START_TEST(test_symbols_libc)
{
	struct symbolizer *sym = self_symbolizer();
	void *libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
	struct sym_frame f[4];
	uint64_t pc;
	unsigned n;

	ck_assert_ptr_nonnull(libc);
	pc = (uint64_t)(uintptr_t)dlsym(libc, "getpid");
	dlclose(libc);
	ck_assert_uint_ne(pc, 0);
	n = symbolizer_lookup(sym, pc + 1, 1, f, 4);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_nonnull(f[0].function);
	ck_assert_ptr_nonnull(strstr(f[0].function, "getpid"));
	ck_assert_ptr_nonnull(f[0].object);
	ck_assert(ends_with(f[0].object, "/libc.so.6"));
	ck_assert_uint_lt(f[0].offset, pc);
	/* Debian's libc has no line table unless libc6-dbg is installed */
	if (access("/usr/lib/debug/.build-id", F_OK))
		ck_assert_ptr_null(f[0].file);
	symbolizer_free(sym);
}
END_TEST

START_TEST(test_symbols_unknown)
{
	struct symbolizer *sym = self_symbolizer();
	struct sym_frame f[4];

	ck_assert_uint_eq(symbolizer_lookup(sym, 0x10, 1, f, 4), 1);
	ck_assert_ptr_null(f[0].function);
	ck_assert_ptr_null(f[0].file);
	ck_assert_ptr_null(f[0].object);
	ck_assert_uint_eq(f[0].line, 0);
	ck_assert_uint_eq(f[0].pc, 0x10);
	ck_assert_uint_eq(f[0].offset, 0x10);
	ck_assert_uint_eq(symbolizer_lookup(sym, 0, 1, f, 4), 1);
	ck_assert_ptr_null(f[0].function);
	symbolizer_free(sym);

	/* nothing registered at all */
	sym = symbolizer_new();
	ck_assert_uint_eq(symbolizer_lookup(sym, fn_addr(stacks_test_f1), 0,
					    f, 4), 1);
	ck_assert_ptr_null(f[0].object);
	symbolizer_free(sym);
}
END_TEST

START_TEST(test_symbols_objects)
{
	struct symbolizer *sym = symbolizer_new();
	int id;

	ck_assert_int_eq(symbolizer_add_object(sym, "linux-vdso.so.1", 0x1000),
			 -1);
	ck_assert_int_eq(symbolizer_add_object(sym, "/nonexistent/libx.so", 0),
			 -1);
	ck_assert_int_eq(symbolizer_add_object(sym, "", 0), -1);
	ck_assert_int_eq(symbolizer_add_object(sym, NULL, 0), -1);
	id = symbolizer_add_object(sym, "/proc/self/exe", 0x1000);
	ck_assert_int_ge(id, 0);
	ck_assert_int_eq(symbolizer_add_object(sym, "/proc/self/exe", 0x1000),
			 id);
	ck_assert_int_ne(symbolizer_add_object(sym, "/proc/self/exe", 0x2000),
			 id);
	symbolizer_free(sym);
}
END_TEST

static const struct {
	const char *in, *out;
} demangle_cases[] = {
	{ "_ZN3foo3barEi", "foo::bar(int)" },
	{ "_Znwm", "operator new(unsigned long)" },
	{ "_ZdlPvm", "operator delete(void*, unsigned long)" },
	{ "_ZNSt6vectorIiSaIiEE9push_backERKi",
	  "std::vector<int, std::allocator<int> >::push_back(int const&)" },
	{ "_ZL6helperv.constprop.0", "helper() [clone .constprop.0]" },
	{ "main", NULL },
	{ "malloc", NULL },
	{ "_Z", NULL },
	{ "_Zgarbage!", NULL },
	{ "", NULL },
};

START_TEST(test_symbols_demangle)
{
	char *s = demangle(demangle_cases[_i].in);

	if (demangle_cases[_i].out) {
		ck_assert_ptr_nonnull(s);
		ck_assert_str_eq(s, demangle_cases[_i].out);
	} else {
		ck_assert_ptr_null(s);
	}
	free(s);
}
END_TEST

Suite *make_stacks_suite(void)
{
	Suite *s = suite_create("stacks");
	TCase *tc;

	tc = tcase_create("intern");
	tcase_add_test(tc, test_stacks_dedupe);
	tcase_add_test(tc, test_stacks_deep);
	tcase_add_test(tc, test_stacks_many);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("unwind");
	/* each in the three modes, _i being the enum unwind_mode */
	tcase_add_loop_test(tc, test_unwind_chain, UNWIND_RULES,
			    UNWIND_CHECK + 1);
	tcase_add_loop_test(tc, test_unwind_deep, UNWIND_RULES,
			    UNWIND_CHECK + 1);
	tcase_add_loop_test(tc, test_unwind_bad_regs, UNWIND_RULES,
			    UNWIND_CHECK + 1);
	tcase_add_test(tc, test_unwind_modes_agree);
	tcase_add_test(tc, test_unwind_fork_shares);
	tcase_add_test(tc, test_unwind_snapshot);
	tcase_add_test(tc, test_unwind_mode_parse);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);

	tc = tcase_create("symbols");
	tcase_add_test(tc, test_symbols_self);
	tcase_add_test(tc, test_symbols_inlined);
	tcase_add_test(tc, test_symbols_libc);
	tcase_add_test(tc, test_symbols_unknown);
	tcase_add_test(tc, test_symbols_objects);
	tcase_add_loop_test(tc, test_symbols_demangle, 0,
			    sizeof(demangle_cases) / sizeof(demangle_cases[0]));
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return s;
}
