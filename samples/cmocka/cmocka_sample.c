/*
 * cmocka: a cmocka group whose test array is local to main (the usual
 * way: no symbol holds it), with group setup and teardown and a test with
 * its own setup and teardown. memsup learns the tests from
 * _cmocka_run_group_tests's arguments when the group runs.
 *
 * Figures per test (bytes; the group's setup block, GROUP_BYTES, is
 * outside every test):
 *   test_hands_to_teardown  fx_setup malloc(SETUP_BYTES); the test frees
 *                           it and mallocs BODY_BYTES; fx_teardown frees
 *                           that: 2 allocations, 2 frees, allocated
 *                           SETUP + BODY, peak BODY, nothing leaked
 *   test_leaks              malloc(LEAK_BYTES), kept: leaked
 *   test_clean              malloc(CLEAN_BYTES), freed
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#define GROUP_BYTES	512
#define SETUP_BYTES	48
#define BODY_BYTES	160
#define LEAK_BYTES	40
#define CLEAN_BYTES	96

static void *fixture_block, *kept;

static int group_setup(void **state)
{
	*state = malloc(GROUP_BYTES);
	return *state ? 0 : -1;
}

static int group_teardown(void **state)
{
	free(*state);
	return 0;
}

static int fx_setup(void **state)
{
	(void)state;
	fixture_block = malloc(SETUP_BYTES);
	return fixture_block ? 0 : -1;
}

static int fx_teardown(void **state)
{
	(void)state;
	free(fixture_block);
	return 0;
}

static void test_hands_to_teardown(void **state)
{
	(void)state;
	free(fixture_block);
	fixture_block = malloc(BODY_BYTES);
	assert_non_null(fixture_block);
}

static void test_leaks(void **state)
{
	(void)state;
	kept = malloc(LEAK_BYTES);
	assert_non_null(kept);
}

static void test_clean(void **state)
{
	void *p = malloc(CLEAN_BYTES);

	(void)state;
	assert_non_null(p);
	free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hands_to_teardown,
						fx_setup, fx_teardown),
		cmocka_unit_test(test_leaks),
		cmocka_unit_test(test_clean),
	};

	return cmocka_run_group_tests_name("fixtures", tests, group_setup,
					   group_teardown);
}
