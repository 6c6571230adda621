/*
 * checkalloc: a Check suite whose one test allocates heavily inside the
 * test, so that every event is one a memory supervisor must account to
 * the test: N allocations of mixed sizes (a quarter of them calloc), each
 * freed at once but for a window of the last 64, which stays live until
 * the loop ends; all freed before the test asserts.
 *
 *   in the test   N allocations, N frees (one assertion, after the loop)
 *
 *   checkalloc [N]     default 1500000
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#define WINDOW 64

static long nallocs = 1500000;
static volatile unsigned long sink;

static const size_t sizes[8] = { 16, 40, 24, 200, 64, 1024, 8, 96 };

__attribute__((noinline)) static void *make(long i)
{
	size_t size = sizes[i & 7];
	char *p = (i & 3) == 3 ? calloc(1, size) : malloc(size);

	if (p)
		memset(p, (int)i, size);
	return p;
}

__attribute__((noinline)) static long churn(long n)
{
	void *window[WINDOW] = { 0 };
	long i, made = 0;

	for (i = 0; i < n; i++) {
		void *p = make(i);

		made += p != NULL;
		free(window[i % WINDOW]);
		window[i % WINDOW] = p;
	}
	for (i = 0; i < WINDOW; i++)
		free(window[i]);
	return made;
}

START_TEST(test_alloc)
{
	long made = churn(nallocs);

	sink += (unsigned long)made;
	ck_assert_int_eq(made, nallocs);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *s = suite_create("checkalloc");
	TCase *tc = tcase_create("Alloc");
	SRunner *sr;
	int failed;

	if (argc > 1)
		nallocs = atol(argv[1]);
	if (nallocs < WINDOW)
		nallocs = WINDOW;
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, test_alloc);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
