/*
 * check-suite: the tests of suite.h, run by Check's own runner.
 *
 *   ./check-suite            fork mode (Check's default): one child a test
 *   CK_FORK=no ./check-suite the same tests in one process
 *   ./check-suite 3>figures  also writes the expected figures to fd 3
 *
 * Exit status: Check's verdict, 1 since test_fail fails by design.
 * Outside test_fail no ck_assert is used (suite.h says why).
 */
#include <fcntl.h>
#include <stdlib.h>

#include <check.h>

#include "../common/say.h"
#include "suite.h"

static void *blocks[PEAK_BLOCKS + CLEAN_BLOCKS + LOOP_MAX_BLOCKS];

START_TEST(test_clean)
{
	alloc_blocks(blocks, CLEAN_BLOCKS, CLEAN_SIZE);
	free_blocks(blocks, CLEAN_BLOCKS);
}
END_TEST

START_TEST(test_leak)
{
	int i;

	for (i = 0; i < NODE_BLOCKS; i++)
		if (!make_node())
			ck_abort_msg("make_node: out of memory");
	for (i = 0; i < LABEL_BLOCKS; i++)
		if (!make_label())
			ck_abort_msg("make_label: out of memory");
	if (!cache_intern())
		ck_abort_msg("cache_intern: out of memory");
}
END_TEST

START_TEST(test_fd)
{
	if (!open_log(FD_PATH))
		ck_abort_msg("cannot open " FD_PATH);
}
END_TEST

START_TEST(test_fail)
{
	alloc_blocks(blocks, FAIL_BLOCKS, FAIL_SIZE);
	ck_assert_int_eq(fail_answer(), FAIL_EXPECTED);
	free_blocks(blocks, FAIL_BLOCKS);	/* not reached */
}
END_TEST

START_TEST(test_peak)
{
	alloc_blocks(blocks, PEAK_BLOCKS, PEAK_SIZE);
	free_blocks(blocks, PEAK_BLOCKS);
}
END_TEST

START_TEST(test_count)
{
	count_pairs(COUNT_BLOCKS, COUNT_SIZE);
}
END_TEST

/* _i is Check's loop index, 0 .. LOOP_ITERATIONS-1. */
START_TEST(test_loop)
{
	size_t n = (size_t)LOOP_BASE * (size_t)(_i + 1);

	alloc_blocks(blocks, n, LOOP_SIZE);
	free_blocks(blocks, n);
}
END_TEST

/* Unchecked fixture: runs once for "Limits", outside every test. */
static void churn_setup(void)
{
	churn(CHURN_BLOCKS, CHURN_SIZE);
}

static void churn_teardown(void)
{
}

static Suite *make_suite(void)
{
	Suite *s = suite_create("check-suite");
	TCase *core = tcase_create("Core");
	TCase *limits = tcase_create("Limits");

	tcase_add_test(core, test_clean);
	tcase_add_test(core, test_leak);
	tcase_add_test(core, test_fd);
	tcase_add_test(core, test_fail);
	suite_add_tcase(s, core);

	tcase_add_unchecked_fixture(limits, churn_setup, churn_teardown);
	tcase_add_test(limits, test_peak);
	tcase_add_test(limits, test_count);
	tcase_add_loop_test(limits, test_loop, 0, LOOP_ITERATIONS);
	suite_add_tcase(s, limits);
	return s;
}

static void say3(const char *test, const char *field, unsigned long long v)
{
	say_str(3, test);
	say_str(3, " ");
	say_kv(3, field, v);
}

/*
 * "TEST FIELD VALUE" lines, without malloc (say.h): the figures memsup
 * must measure for the program's own work in each test (Check's own
 * allocations in test_fail are in expected.md, not here).
 */
static void say_figures(void)
{
	int i;

	say3("test_clean", "allocations", CLEAN_BLOCKS);
	say3("test_clean", "allocated_bytes", CLEAN_BLOCKS * CLEAN_SIZE);
	say3("test_clean", "peak_bytes", CLEAN_BLOCKS * CLEAN_SIZE);
	say3("test_clean", "leaked_bytes", 0);
	say3("test_peak", "allocations", PEAK_BLOCKS);
	say3("test_peak", "peak_bytes", PEAK_BLOCKS * PEAK_SIZE);
	say3("test_peak", "limit_memory", PEAK_LIMIT);
	say3("test_leak", "allocations", NODE_BLOCKS + LABEL_BLOCKS + 1);
	say3("test_leak", "leaked_bytes",
	     NODE_BLOCKS * NODE_SIZE + LABEL_BLOCKS * LABEL_SIZE + CACHE_SIZE);
	say3("test_leak", "leaked_blocks", NODE_BLOCKS + LABEL_BLOCKS + 1);
	say3("test_leak", "make_node_bytes", NODE_BLOCKS * NODE_SIZE);
	say3("test_leak", "make_label_bytes", LABEL_BLOCKS * LABEL_SIZE);
	say3("test_leak", "cache_intern_bytes", CACHE_SIZE);
	say3("test_count", "allocations", COUNT_BLOCKS);
	say3("test_count", "allocated_bytes", COUNT_BLOCKS * COUNT_SIZE);
	say3("test_count", "peak_bytes", COUNT_SIZE);
	say3("test_fd", "fds_leaked", 1);
	say3("test_fd", "allocations", 1);
	say3("test_fd", "leaked_bytes", FD_FILE_SIZE);
	say3("test_fail", "program_allocations", FAIL_BLOCKS);
	say3("test_fail", "program_allocated_bytes", FAIL_BLOCKS * FAIL_SIZE);
	for (i = 0; i < LOOP_ITERATIONS; i++) {
		char name[] = "test_loop[0]";

		name[10] = (char)('0' + i);
		say3(name, "allocations", LOOP_BASE * (i + 1));
		say3(name, "allocated_bytes", LOOP_BASE * (i + 1) * LOOP_SIZE);
		say3(name, "peak_bytes", LOOP_BASE * (i + 1) * LOOP_SIZE);
	}
	say3("fixture", "churn_allocations", CHURN_BLOCKS);
}

int main(void)
{
	SRunner *sr;
	int failed;

	if (fcntl(3, F_GETFD) != -1)
		say_figures();
	sr = srunner_create(make_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
