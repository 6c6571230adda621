/*
 * allocshape: the size and the freed block of policy allocators' calls,
 * for every shape, with the impossible sizes.
 */
#include <stdint.h>
#include <string.h>

#include <check.h>

#include "config/allocshape.h"
#include "suites.h"

/* Names as the policy owns them (char *, not string literals). */
static char f[] = "f", g[] = "g", xcalloc_[] = "xcalloc", xfree_[] = "xfree",
	    pool_new[] = "pool_new";

static const uint64_t args[6] = { 0x5555deadbeef, 3, 40, 4, 5, 6 };

START_TEST(shape_size_arg)
{
	struct allocator_spec a = { .alloc = f, .size_arg = 3 };
	uint64_t size;

	ck_assert_int_eq(allocshape_size(&a, args, &size), 0);
	ck_assert_uint_eq(size, 40);
}
END_TEST

START_TEST(shape_count_size)
{
	struct allocator_spec a = { .alloc = f, .size_arg = 3,
				    .count_arg = 2 };
	uint64_t size;

	ck_assert_int_eq(allocshape_size(&a, args, &size), 0);
	ck_assert_uint_eq(size, 3 * 40);
}
END_TEST

START_TEST(shape_fixed)
{
	struct allocator_spec a = { .alloc = f, .fixed_size = 1,
				    .size = 64 };
	struct allocator_spec none = { .alloc = f, .fixed_size = 1 };
	uint64_t size;

	ck_assert_int_eq(allocshape_size(&a, args, &size), 0);
	ck_assert_uint_eq(size, 64);
	ck_assert_int_eq(allocshape_size(&none, args, &size), 0);
	ck_assert_uint_eq(size, 0);
}
END_TEST

START_TEST(shape_impossible)
{
	const uint64_t big[6] = { ALLOCSHAPE_SIZE_MAX + 1, ALLOCSHAPE_SIZE_MAX,
				  UINT64_MAX / 2, 3, 0, 0 };
	struct allocator_spec a = { .alloc = f, .size_arg = 1 };
	struct allocator_spec edge = { .alloc = f, .size_arg = 2 };
	struct allocator_spec over = { .alloc = f, .size_arg = 3,
				       .count_arg = 4 };
	uint64_t size;

	ck_assert_int_eq(allocshape_size(&a, big, &size), -1);
	ck_assert_uint_eq(size, ALLOCSHAPE_SIZE_MAX + 1);
	/* 2^47 itself is the largest size taken */
	ck_assert_int_eq(allocshape_size(&edge, big, &size), 0);
	ck_assert_uint_eq(size, ALLOCSHAPE_SIZE_MAX);
	ck_assert_int_eq(allocshape_size(&over, big, &size), -1);
	ck_assert_uint_eq(size, UINT64_MAX);
}
END_TEST

START_TEST(shape_freed)
{
	struct allocator_spec first = { .alloc = f, .free = g,
					.free_arg = 1 };
	struct allocator_spec second = { .alloc = f, .free = g,
					 .free_arg = 2 };

	ck_assert_uint_eq(allocshape_freed(&first, args), 0x5555deadbeef);
	ck_assert_uint_eq(allocshape_freed(&second, args), 3);
}
END_TEST

START_TEST(shape_describe)
{
	struct allocator_spec a = { .alloc = xcalloc_, .size_arg = 2,
				    .count_arg = 3, .free = xfree_,
				    .free_arg = 2 };
	struct allocator_spec fixed = { .alloc = pool_new, .fixed_size = 1 };
	char buf[128];

	ck_assert_str_eq(allocshape_describe_call(&a, 0, args, buf,
						  sizeof(buf)),
			 "xcalloc(0x5555deadbeef, 0x3, 0x28)");
	ck_assert_str_eq(allocshape_describe_call(&a, 1, args, buf,
						  sizeof(buf)),
			 "xfree(0x5555deadbeef, 0x3)");
	ck_assert_str_eq(allocshape_describe_call(&fixed, 0, args, buf,
						  sizeof(buf)),
			 "pool_new()");
	/* cut short, still a string */
	allocshape_describe_call(&a, 0, args, buf, 10);
	ck_assert_str_eq(buf, "xcalloc(0");
}
END_TEST

Suite *make_allocshape_suite(void)
{
	Suite *s = suite_create("allocshape");
	TCase *tc = tcase_create("shapes");

	tcase_add_test(tc, shape_size_arg);
	tcase_add_test(tc, shape_count_size);
	tcase_add_test(tc, shape_fixed);
	tcase_add_test(tc, shape_impossible);
	tcase_add_test(tc, shape_freed);
	tcase_add_test(tc, shape_describe);
	suite_add_tcase(s, tc);
	return s;
}
