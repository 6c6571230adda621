/*
 * check-fixture: Check tests whose memory belongs to checked fixtures
 * (tcase_add_checked_fixture: setup and teardown run in the test's own
 * process, around it). Figures, per test, for a test's scope with its
 * fixtures (memsup's default) and for the test function alone (scope:
 * function):
 *
 * TCase "Owned", fixture owned_setup/owned_teardown:
 *   owned_setup      owned = malloc(OWNED_BYTES)
 *   test_replace     free(owned); owned = malloc(REPLACE_BYTES)
 *   owned_teardown   free(owned)
 *     with fixtures: 2 allocations, 2 frees, allocated = 64 + 200,
 *       peak 200, nothing leaked
 *     function only: 1 allocation (200), and the free of owned is of a
 *       block from before the scope: 200 bytes leaked in 1 block
 *   test_keep        keep = malloc(KEEP_BYTES), never freed
 *     with fixtures: 2 allocations, 1 free, allocated 64 + 24, peak 88,
 *       leaked 24 in 1 block (the fixture's block is freed)
 *
 * TCase "Layered", two fixtures: setups run in the order added, teardowns
 * in the reverse order; the scope ends after the last teardown:
 *   outer_setup (a = malloc(32)), inner_setup (b = malloc(48)),
 *   test_layers (c = malloc(16), free(c)), inner_teardown (free(b)),
 *   outer_teardown (free(a))
 *     with fixtures: 3 allocations, 3 frees, allocated 96, peak 96,
 *       nothing leaked
 */
#include <stdlib.h>

#include <check.h>

#define OWNED_BYTES	64
#define REPLACE_BYTES	200
#define KEEP_BYTES	24
#define OUTER_BYTES	32
#define INNER_BYTES	48
#define LAYER_BYTES	16

static void *owned, *keep, *outer, *inner;

static void owned_setup(void)
{
	owned = malloc(OWNED_BYTES);
}

static void owned_teardown(void)
{
	free(owned);
}

static void outer_setup(void)
{
	outer = malloc(OUTER_BYTES);
}

static void outer_teardown(void)
{
	free(outer);
}

static void inner_setup(void)
{
	inner = malloc(INNER_BYTES);
}

static void inner_teardown(void)
{
	free(inner);
}

START_TEST(test_replace)
{
	free(owned);
	owned = malloc(REPLACE_BYTES);
}
END_TEST

START_TEST(test_keep)
{
	keep = malloc(KEEP_BYTES);
}
END_TEST

START_TEST(test_layers)
{
	void *c = malloc(LAYER_BYTES);

	free(c);
}
END_TEST

static Suite *make_suite(void)
{
	Suite *s = suite_create("check-fixture");
	TCase *owned_tc = tcase_create("Owned");
	TCase *layered = tcase_create("Layered");

	tcase_add_checked_fixture(owned_tc, owned_setup, owned_teardown);
	tcase_add_test(owned_tc, test_replace);
	tcase_add_test(owned_tc, test_keep);
	suite_add_tcase(s, owned_tc);
	tcase_add_checked_fixture(layered, outer_setup, outer_teardown);
	tcase_add_checked_fixture(layered, inner_setup, inner_teardown);
	tcase_add_test(layered, test_layers);
	suite_add_tcase(s, layered);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(make_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
