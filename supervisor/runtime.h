/*
 * Tests named by their framework at run time (docs/discovery.md), from
 * the calls of a runner boundary (breakpoints/discover.h):
 *
 *  - GoogleTest: testing::TestInfo::Run(this) runs one test: constructs
 *    the fixture, SetUp, TestBody, TearDown, destroys it. Its scope is the
 *    test's, named "Suite.Name" from the TestInfo's registered suite and
 *    test names (typed "TypedSuite/0.Name", parameterised
 *    "Prefix/Suite.Name/3"), exactly as gtest's XML has them: classname
 *    the suite, name the test.
 *  - cmocka: _cmocka_run_group_tests(group, tests, count, group_setup,
 *    group_teardown) runs a group: each CMUnitTest {name, test_func,
 *    setup_func, teardown_func, initial_state} becomes a boundary named
 *    as cmocka prints it (classname: the group), with its setup and
 *    teardown as fixtures of its scope (supervisor/fixture.h). The group's
 *    own setup and teardown are outside every test.
 *
 * struct TestInfo is read with libstdc++'s layout of gtest 1.10 to 1.14
 * (two std::string first, then type_param_, value_param_, CodeLocation,
 * fixture_class_id_, should_run_): a test that should not run (disabled,
 * filtered out) is no result;
 * struct CMUnitTest with cmocka 1.x's (five pointers).
 *
 * Boundaries made here live until runtime_release(); the policy's `tests`
 * keys select among them by their names as among discovered tests.
 */
#ifndef MEMSUP_RUNTIME_H
#define MEMSUP_RUNTIME_H

#include <sys/user.h>

#include "breakpoints/discover.h"
#include "supervisor/tracee.h"

/*
 * Runner boundary R is entered in T's process (REGS at its entry): the
 * test this call runs, whose scope opens now, or NULL (a cmocka group:
 * its tests are armed and open their own scopes; a test whose policy
 * scope is `function`: its TestBody opens it).
 */
const struct boundary *runtime_enter(struct session *s, struct tracee *t,
				     const struct boundary *r,
				     const struct user_regs_struct *regs);

/*
 * Whether boundary B, entered on T, is inside a scope that already holds
 * it: a GoogleTest TestBody inside the TestInfo::Run of its test.
 */
int runtime_covers(const struct tracee *t, const struct boundary *b);

/* The key of B's fixtures (fixture.h) in a process of load bias BIAS:
 * Check, its TTest; cmocka, its function; else 0 (none). */
uint64_t runtime_fixture_key(const struct boundary *b, uint64_t bias);

void runtime_release(void);

#endif
