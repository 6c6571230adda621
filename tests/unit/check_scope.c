/*
 * supervisor/scope.c and judge.c: the figures of docs/supervisor.md from a sequence
 * of allocations and frees, nested scopes, frees of blocks from before a
 * scope, what was live at the peak, leaks per stack, and the verdicts.
 */
#include <stdlib.h>
#include <string.h>

#include "suites.h"
#include "supervisor/judge.h"
#include "supervisor/scope.h"
#include "supervisor/xmalloc.h"

static struct scope *new_scope(const char *name)
{
	struct scope *s = xcalloc(1, sizeof(*s));

	s->name = xstrdup(name);
	return s;
}

/* realloc(p, n) as the supervisor applies it: a free, then an alloc. */
START_TEST(figures)
{
	struct heap h;
	struct scope *s = new_scope("t");

	heap_init(&h);
	heap_alloc(&h, 0x10, 100, 1, 0);	/* before the scope */
	heap_open_scope(&h, s);
	heap_alloc(&h, 0x20, 200, 2, 0);
	heap_alloc(&h, 0x30, 300, 3, 0);	/* peak 500 */
	heap_free(&h, 0x20);
	heap_free(&h, 0x10);			/* not the scope's: peak stays */
	heap_free(&h, 0x999);			/* unknown */
	heap_free(&h, 0);			/* free(NULL): nothing */
	heap_alloc(&h, 0, 50, 4, 0);		/* a failed call */
	heap_free(&h, 0x30);
	heap_alloc(&h, 0x40, 64, 5, 0);		/* realloc(0x30, 64) */
	heap_close_scope(&h, s, SCOPE_PASSED, NULL);

	ck_assert_uint_eq(s->m.allocations, 3);
	ck_assert_uint_eq(s->m.allocated, 564);
	ck_assert_uint_eq(s->m.frees, 3);
	ck_assert_uint_eq(s->m.unknown_frees, 1);
	ck_assert_uint_eq(s->m.peak, 500);
	ck_assert_uint_eq(s->m.leaked_bytes, 64);
	ck_assert_uint_eq(s->m.leaked_blocks, 1);
	ck_assert_uint_eq(s->nleaks, 1);
	ck_assert_uint_eq(s->leaks[0].stack, 5);
	/* At the peak: the blocks of stacks 3 and 2, biggest first. */
	ck_assert_uint_eq(s->npeak_sites, 2);
	ck_assert_uint_eq(s->peak_sites[0].stack, 3);
	ck_assert_uint_eq(s->peak_sites[0].bytes, 300);
	ck_assert_uint_eq(s->peak_sites[1].stack, 2);
	ck_assert_uint_eq(s->peak_sites[1].bytes, 200);
	ck_assert_uint_eq(h.nopen, 0);
	scope_free(s);
	heap_release(&h);
}
END_TEST

/* An allocation counts for every open scope; each owns what it saw born. */
START_TEST(nested)
{
	struct heap h;
	struct scope *outer = new_scope("outer"), *inner = new_scope("inner");

	heap_init(&h);
	heap_open_scope(&h, outer);
	heap_alloc(&h, 0x100, 10, 1, 0);
	heap_open_scope(&h, inner);
	heap_alloc(&h, 0x200, 20, 2, 0);
	heap_free(&h, 0x100);
	heap_close_scope(&h, inner, SCOPE_PASSED, NULL);
	heap_alloc(&h, 0x300, 30, 3, 0);
	heap_close_scope(&h, outer, SCOPE_PASSED, NULL);

	ck_assert_uint_eq(inner->m.allocations, 1);
	ck_assert_uint_eq(inner->m.frees, 1);
	ck_assert_uint_eq(inner->m.peak, 20);
	ck_assert_uint_eq(inner->m.leaked_bytes, 20);
	ck_assert_uint_eq(outer->m.allocations, 3);
	ck_assert_uint_eq(outer->m.peak, 30 + 20);
	ck_assert_uint_eq(outer->m.leaked_bytes, 50);
	ck_assert_uint_eq(outer->m.leaked_blocks, 2);
	scope_free(inner);
	scope_free(outer);
	heap_release(&h);
}
END_TEST

/* A forked child's heap: its parent's blocks, no scope of its own. */
/*
 * A paused scope counts nothing and owns nothing born while paused: a
 * framework's block made and kept across the pause is not a leak of the
 * test, its own blocks still are, and a block of the test freed after
 * the pause lowers its figures as before.
 */
START_TEST(paused)
{
	struct heap h;
	struct scope *s = new_scope("t");

	heap_init(&h);
	heap_open_scope(&h, s);
	heap_alloc(&h, 0x10, 64, 1, 0);		/* setup */
	heap_pause_scope(&h, s);
	heap_alloc(&h, 0x20, 500, 2, 0);	/* the framework's, kept */
	heap_alloc(&h, 0x30, 30, 3, 0);
	heap_free(&h, 0x30);
	heap_free(&h, 0x999);			/* unknown, not counted */
	heap_resume_scope(&h, s);
	ck_assert(!scope_owns(s, 2) && !scope_owns(s, 3));
	ck_assert(scope_owns(s, 1) && scope_owns(s, 4));
	heap_alloc(&h, 0x40, 200, 4, 0);	/* the test */
	heap_free(&h, 0x10);
	heap_free(&h, 0x20);			/* not its own: peak stays */
	heap_pause_scope(&h, s);
	heap_alloc(&h, 0x50, 7, 5, 0);		/* between test and teardown */
	heap_resume_scope(&h, s);
	heap_alloc(&h, 0x60, 8, 6, 0);		/* teardown, kept */
	heap_close_scope(&h, s, SCOPE_PASSED, NULL);

	ck_assert_uint_eq(s->m.allocations, 3);
	ck_assert_uint_eq(s->m.allocated, 64 + 200 + 8);
	ck_assert_uint_eq(s->m.frees, 2);
	ck_assert_uint_eq(s->m.unknown_frees, 0);
	ck_assert_uint_eq(s->m.peak, 264);
	ck_assert_uint_eq(s->m.leaked_bytes, 200 + 8);
	ck_assert_uint_eq(s->m.leaked_blocks, 2);
	ck_assert_uint_eq(s->ngaps, 2);
	scope_free(s);
	heap_release(&h);
}
END_TEST

START_TEST(fork_copy)
{
	struct heap parent, child;
	struct scope *s = new_scope("child");

	heap_init(&parent);
	heap_alloc(&parent, 0x10, 8, 0, 0);
	heap_fork(&child, &parent);
	ck_assert_uint_eq(child.nopen, 0);
	heap_open_scope(&child, s);
	ck_assert_int_eq(heap_free(&child, 0x10), 0);	/* inherited */
	heap_close_scope(&child, s, SCOPE_PASSED, NULL);
	ck_assert_uint_eq(s->m.frees, 1);
	ck_assert_uint_eq(s->m.peak, 0);
	ck_assert_uint_eq(parent.live.count, 1);
	scope_free(s);
	heap_release(&child);
	heap_release(&parent);
}
END_TEST

static int filter_stack_7(uint32_t stack, void *arg)
{
	return stack == 7;
}

START_TEST(judge_limits)
{
	struct heap h;
	struct scope *s = new_scope("t");
	struct limits lim = {
		.set = LIMIT_MEMORY | LIMIT_LEAKS | LIMIT_ALLOCATIONS |
		       LIMIT_ALLOCATED | LIMIT_FDS,
		.memory = 1000, .leaks = 100, .allocations = 2,
		.allocated = 2000, .fds = 0,
	};

	heap_init(&h);
	heap_open_scope(&h, s);
	heap_alloc(&h, 0x1, 120000, 1, 0);
	heap_free(&h, 0x1);
	heap_alloc(&h, 0x2, 150, 7, 0);		/* leaked, filtered */
	heap_alloc(&h, 0x3, 60, 8, 0);		/* leaked, under the limit */
	heap_close_scope(&h, s, SCOPE_PASSED, NULL);
	judge_scope(s, &lim, filter_stack_7, NULL);

	ck_assert_int_eq(s->status, SCOPE_FAILED);
	ck_assert_uint_eq(s->nfailures, 3);
	ck_assert_str_eq(s->failures[0].check, "limit_memory");
	ck_assert_str_eq(s->failures[0].message,
			 "Test was limited to 1000.0B but allocated 117.2KiB");
	ck_assert_str_eq(s->failures[1].check, "max_allocations");
	ck_assert_uint_eq(s->failures[1].value, 3);
	ck_assert_str_eq(s->failures[2].check, "max_allocated");
	ck_assert_uint_eq(s->failures[2].value, 120210);
	ck_assert_uint_eq(s->leaks[0].stack, 7);
	ck_assert_uint_eq(s->leaks[0].filtered, 1);
	ck_assert_uint_eq(s->leaks[1].filtered, 0);
	scope_free(s);
	heap_release(&h);
}
END_TEST

/* Limit and value that round alike print their exact bytes too. */
START_TEST(judge_exact_bytes)
{
	struct heap h;
	struct scope *s = new_scope("t");
	struct limits lim = { .set = LIMIT_MEMORY, .memory = 65536 };

	heap_init(&h);
	heap_open_scope(&h, s);
	heap_alloc(&h, 0x1, 65584, 1, 0);
	heap_free(&h, 0x1);
	heap_close_scope(&h, s, SCOPE_PASSED, NULL);
	judge_scope(s, &lim, NULL, NULL);
	ck_assert_uint_eq(s->nfailures, 1);
	ck_assert_str_eq(s->failures[0].message,
			 "Test was limited to 64.0KiB (65,536 B) but allocated "
			 "64.0KiB (65,584 B)");
	scope_free(s);
	heap_release(&h);
}
END_TEST

/* Unfinished: limits on what was measured, not leaks or descriptors. */
START_TEST(judge_unfinished)
{
	struct heap h;
	struct scope *s = new_scope("t");
	struct limits lim = { .set = LIMIT_LEAKS | LIMIT_MEMORY, .leaks = 0,
			      .memory = 10 };

	heap_init(&h);
	heap_open_scope(&h, s);
	heap_alloc(&h, 0x1, 64, 1, 0);
	heap_close_scope(&h, s, SCOPE_UNFINISHED, xstrdup("killed"));
	judge_scope(s, &lim, NULL, NULL);
	ck_assert_int_eq(s->status, SCOPE_UNFINISHED);
	ck_assert_uint_eq(s->nfailures, 1);
	ck_assert_str_eq(s->failures[0].check, "limit_memory");
	ck_assert_str_eq(s->reason, "killed");
	scope_free(s);
	heap_release(&h);
}
END_TEST

/* Kinds by address for kinds_grouped: a map at 0x100 holding 3 children
 * of stack 2, a cache at 0x500 reachable, 0x600 possible. */
static enum leak_kind fake_kind(const void *arg, uint64_t addr,
				uint64_t *indirect)
{
	*indirect = 0;
	(void)arg;
	switch (addr) {
	case 0x100:
		*indirect = 72;
		return LEAK_DEFINITE;
	case 0x200:
	case 0x300:
	case 0x400:
		return LEAK_INDIRECT;
	case 0x500:
		return LEAK_REACHABLE;
	default:
		return LEAK_POSSIBLE;
	}
}

/*
 * Leaks grouped by stack and kind, definite first with the bytes it
 * holds; per-kind metrics; limit_leaks judges only leak_kinds (by
 * default not the reachable cache, even over the limit).
 */
START_TEST(kinds_grouped)
{
	struct limits lim = { .set = LIMIT_LEAKS, .leaks = 30 };
	struct heap h;
	struct scope *s = new_scope("t"), *s2 = new_scope("t2");

	heap_init(&h);
	heap_alloc(&h, 0x500, 40, 3, 0);	/* before: not the scope's */
	heap_open_scope(&h, s);
	heap_alloc(&h, 0x100, 48, 1, 0);
	heap_alloc(&h, 0x200, 24, 2, 0);
	heap_alloc(&h, 0x300, 24, 2, 0);
	heap_alloc(&h, 0x400, 24, 2, 0);
	heap_alloc(&h, 0x600, 8, 4, 0);
	heap_close_scope_kinds(&h, s, SCOPE_PASSED, NULL, fake_kind, NULL);
	ck_assert_uint_eq(s->nleaks, 3);
	ck_assert_uint_eq(s->leaks[0].kind, LEAK_DEFINITE);
	ck_assert_uint_eq(s->leaks[0].stack, 1);
	ck_assert_uint_eq(s->leaks[0].bytes, 48);
	ck_assert_uint_eq(s->leaks[0].indirect, 72);
	ck_assert_uint_eq(s->leaks[1].kind, LEAK_INDIRECT);
	ck_assert_uint_eq(s->leaks[1].bytes, 72);
	ck_assert_uint_eq(s->leaks[1].blocks, 3);
	ck_assert_uint_eq(s->leaks[2].kind, LEAK_POSSIBLE);
	ck_assert_uint_eq(s->m.leaked_bytes, 128);
	ck_assert_uint_eq(s->m.kind_bytes[LEAK_DEFINITE], 48);
	ck_assert_uint_eq(s->m.kind_blocks[LEAK_INDIRECT], 3);
	ck_assert_uint_eq(s->m.kind_bytes[LEAK_POSSIBLE], 8);
	ck_assert_uint_eq(s->m.kind_blocks[LEAK_REACHABLE], 0);
	judge_scope(s, &lim, NULL, NULL);
	ck_assert_int_eq(s->status, SCOPE_FAILED);
	ck_assert_uint_eq(s->failures[0].value, 72);

	/* The reachable block alone, 40 B over a 30 B limit: judged only
	 * when leak_kinds lists reachable. */
	heap_open_scope(&h, s2);
	heap_free(&h, 0x500);
	heap_alloc(&h, 0x500, 40, 3, 0);
	heap_close_scope_kinds(&h, s2, SCOPE_PASSED, NULL, fake_kind, NULL);
	ck_assert_uint_eq(s2->nleaks, 1);
	ck_assert_uint_eq(s2->leaks[0].kind, LEAK_REACHABLE);
	judge_scope(s2, &lim, NULL, NULL);
	ck_assert_int_eq(s2->status, SCOPE_PASSED);
	ck_assert_uint_eq(s2->leaks[0].unjudged, 1);
	s2->status = SCOPE_OPEN;
	lim.set |= LIMIT_LEAK_KINDS;
	lim.leak_kinds = POLICY_KIND_REACHABLE;
	judge_scope(s2, &lim, NULL, NULL);
	ck_assert_int_eq(s2->status, SCOPE_FAILED);
	ck_assert_uint_eq(s2->leaks[0].unjudged, 0);
	scope_free(s);
	scope_free(s2);
	heap_release(&h);
}
END_TEST

/* Without a scan every block is unscanned, and judged whatever
 * leak_kinds says. */
START_TEST(kinds_unscanned)
{
	struct limits lim = { .set = LIMIT_LEAKS | LIMIT_LEAK_KINDS,
			      .leaks = 0, .leak_kinds = 0 };
	struct heap h;
	struct scope *s = new_scope("t");

	heap_init(&h);
	heap_open_scope(&h, s);
	heap_alloc(&h, 0x100, 48, 1, 0);
	heap_close_scope(&h, s, SCOPE_PASSED, NULL);
	ck_assert_uint_eq(s->nleaks, 1);
	ck_assert_uint_eq(s->leaks[0].kind, LEAK_UNSCANNED);
	ck_assert_uint_eq(s->m.kind_blocks[LEAK_UNSCANNED], 1);
	judge_scope(s, &lim, NULL, NULL);
	ck_assert_int_eq(s->status, SCOPE_FAILED);
	scope_free(s);
	heap_release(&h);
}
END_TEST

Suite *make_scope_suite(void)
{
	Suite *s = suite_create("scope");
	TCase *tc = tcase_create("accounting");

	tcase_add_test(tc, figures);
	tcase_add_test(tc, nested);
	tcase_add_test(tc, paused);
	tcase_add_test(tc, fork_copy);
	tcase_add_test(tc, judge_limits);
	tcase_add_test(tc, judge_exact_bytes);
	tcase_add_test(tc, judge_unfinished);
	tcase_add_test(tc, kinds_grouped);
	tcase_add_test(tc, kinds_unscanned);
	suite_add_tcase(s, tc);
	return s;
}
