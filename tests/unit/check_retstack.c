/*
 * breakpoints/retstack.c: per-thread calls in flight, and the frames a
 * rising stack pointer abandons (docs/discovery.md).
 */
#include "breakpoints/retstack.h"
#include "suites.h"

static unsigned pruned;

static void count(struct pending *p, void *arg)
{
	pruned++;
	*(uint64_t *)arg = p->slot;
}

START_TEST(push_find_prune)
{
	struct retstack rs, copy;
	uint64_t last = 0, ret;
	struct pending *p;

	retstack_init(&rs);
	ck_assert_ptr_null(retstack_top(&rs));
	p = retstack_push(&rs);		/* outer: higher on the stack */
	p->slot = 0x7000;
	p->ret = 0x401000;
	p = retstack_push(&rs);
	p->slot = 0x6f00;
	p = retstack_push(&rs);
	p->slot = 0x6e00;
	ck_assert_uint_eq(retstack_top(&rs)->slot, 0x6e00);
	ck_assert_ptr_eq(retstack_find(&rs, 0x6f00), &rs.v[1]);
	ck_assert_ptr_null(retstack_find(&rs, 0x1234));

	retstack_copy(&copy, &rs);

	/* The stack pointer rose to 0x6f00: the innermost frame is gone. */
	pruned = 0;
	retstack_prune(&rs, 0x6f00, count, &last);
	ck_assert_uint_eq(pruned, 1);
	ck_assert_uint_eq(last, 0x6e00);
	ck_assert_uint_eq(rs.n, 2);
	/* Past everything: all gone, innermost first. */
	retstack_prune(&rs, 0x8000, count, &last);
	ck_assert_uint_eq(pruned, 3);
	ck_assert_uint_eq(last, 0x7000);
	ck_assert_uint_eq(rs.n, 0);

	/* The copy (a forked child's) is untouched. */
	ck_assert_uint_eq(copy.n, 3);
	ck_assert_uint_eq(copy.v[0].ret, 0x401000);
	retstack_release(&copy);

	/* A dropped frame's return address is remembered, once. */
	ret = 0;
	ck_assert_int_eq(retstack_take_gone(&rs, 0x7000, &ret), 1);
	ck_assert_uint_eq(ret, 0x401000);
	ck_assert_int_eq(retstack_take_gone(&rs, 0x7000, &ret), 0);
	ck_assert_int_eq(retstack_take_gone(&rs, 0x1234, &ret), 0);
	retstack_release(&rs);
}
END_TEST

/* Frames of two stacks interleaved: one returns from the middle. */
START_TEST(remove_middle)
{
	struct retstack rs;
	uint64_t slots[] = { 0x7000, 0x3000, 0x6f00, 0x2f00 };
	uint64_t ret;
	unsigned i;

	retstack_init(&rs);
	for (i = 0; i < 4; i++)
		retstack_push(&rs)->slot = slots[i];
	retstack_remove(&rs, retstack_find(&rs, 0x3000));
	ck_assert_uint_eq(rs.n, 3);
	ck_assert_uint_eq(rs.v[0].slot, 0x7000);
	ck_assert_uint_eq(rs.v[1].slot, 0x6f00);
	ck_assert_uint_eq(rs.v[2].slot, 0x2f00);
	retstack_remove(&rs, retstack_top(&rs));
	ck_assert_uint_eq(retstack_top(&rs)->slot, 0x6f00);
	/* More drops than the ring holds: the oldest are forgotten. */
	for (i = 0; i < RETSTACK_GONE + 2; i++) {
		struct pending *p = retstack_push(&rs);

		p->slot = 0x100 + i;
		p->ret = 0x500 + i;
		retstack_prune(&rs, 0x100 + i + 1, NULL, NULL);
	}
	ck_assert_int_eq(retstack_take_gone(&rs, 0x100, &ret), 0);
	ck_assert_int_eq(retstack_take_gone(&rs, 0x100 + RETSTACK_GONE + 1,
					    &ret), 1);
	ck_assert_uint_eq(ret, 0x500 + RETSTACK_GONE + 1);
	retstack_release(&rs);
}
END_TEST

Suite *make_retstack_suite(void)
{
	Suite *s = suite_create("retstack");
	TCase *tc = tcase_create("retstack");

	tcase_add_test(tc, push_find_prune);
	tcase_add_test(tc, remove_middle);
	suite_add_tcase(s, tc);
	return s;
}
