/*
 * The Check suites of the unit-test runner, one make_<module>_suite() per
 * tests/unit/check_<module>.c. Declared weak so that the runner links while
 * a module and its tests are being written; main.c skips a missing one.
 */
#ifndef MEMSUP_TESTS_SUITES_H
#define MEMSUP_TESTS_SUITES_H

#include <check.h>

#define SUITES(X) \
	X(units) \
	X(policy) \
	X(step) \
	X(elfsym) \
	X(blocks) \
	X(scope) \
	X(stacks) \
	X(retstack) \
	X(discover) \
	X(report) \
	X(relocate) \
	X(cli) \
	X(leakscan) \
	X(allocshape) \
	X(recmaps)

#define DECLARE_SUITE(name) Suite *make_##name##_suite(void) __attribute__((weak));
SUITES(DECLARE_SUITE)
#undef DECLARE_SUITE

#endif
