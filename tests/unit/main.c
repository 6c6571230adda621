/*
 * One runner for every unit suite (Check's check_check_main.c shape).
 * Run from tests/unit so that suites find their data files by relative path.
 */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
	SRunner *sr = srunner_create(NULL);
	int failed;

#define ADD_SUITE(name) \
	if (make_##name##_suite) \
		srunner_add_suite(sr, make_##name##_suite());
	SUITES(ADD_SUITE)
#undef ADD_SUITE

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
