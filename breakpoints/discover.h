/*
 * The test boundaries of a program, found in its ELF file without running
 * it (docs/discovery.md): Check tests from their TTest objects, GoogleTest bodies
 * from their symbols, cmocka tests from static CMUnitTest arrays, and any
 * function a policy `tests` key names.
 *
 * Only the executable image itself is read, not its libraries: tests and
 * policy-named functions living in a shared object are not found here
 * (cmocka's group runner, in libcmocka.so, is a boundary with address 0,
 * resolved by name when the program runs).
 * All addresses are link-time addresses: add the executable's load bias.
 *
 * Naming (docs/discovery.md has the rules with examples):
 *  - Check: the name given to START_TEST ("test_leak"), the symbol is
 *    "test_leak_fn", file and line are those of START_TEST.
 *  - GoogleTest: "Suite.Name" as gtest prints it when the class name
 *    "Suite_Name_Test" splits only one way (one '_' before "_Test");
 *    otherwise the demangled "A_B_C_Test::TestBody". A policy key may be
 *    the demangled name, "Suite.Name" for any split, or the mangled symbol.
 *  - cmocka: the name string of the CMUnitTest ("#f").
 *  - policy-named functions: the symbol (C name, or demangled C++ name
 *    without its parameter list).
 *
 * Matching a policy `tests` key: each boundary has candidate names (test
 * name, symbol, demangled symbol with and without parameter list,
 * "Suite.Name" splits). An exact key equal to any candidate wins;
 * otherwise the first glob in file order matching any candidate. A tests
 * glob selects among discovered tests only; an exact tests key is also
 * tried on every other FUNC symbol of the executable, and so is every
 * `functions` key, exact or glob: a match makes that function a boundary
 * (origin FROM_POLICY). A `functions` glob that matches more than
 * DISCOVER_GLOB_MAX functions is refused (b->nrefused, with a message in
 * b->warn naming how many). In every mode, `none` included, a key may name a test
 * of a kind the mode does not discover: it is then a boundary from the
 * policy, with the test's name, file and line. Several functions with
 * the same name (static functions of different files) are all
 * boundaries, with the same name; one address is never two boundaries.
 *
 * Warnings (a key matching nothing, a stripped binary when `discover:
 * check` was asked, no cmocka array found when `discover: cmocka` was
 * asked) are not printed here: they are kept in b->warn for the caller,
 * which prints them with discover_warn_print() (stderr, warning_msg) so
 * that list-tests and a supervised run say the same thing once.
 *
 * Ownership: every string of struct boundaries belongs to it and is freed
 * by boundaries_release(); entry points into the policy passed to
 * discover_boundaries(), which must outlive the boundaries.
 */
#ifndef MEMSUP_DISCOVER_H
#define MEMSUP_DISCOVER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/policy.h"

/* Why a function is a boundary. */
enum boundary_origin {
	DISCOVERED_CHECK,	/* a Check TTest, in check or auto mode */
	DISCOVERED_GTEST,	/* a *_Test::TestBody, in gtest or auto mode */
	DISCOVERED_CMOCKA,	/* in a static CMUnitTest array */
	FROM_POLICY,		/* only because a tests key names it */
};

/*
 * A framework's test runner, whose calls name the tests at run time
 * (supervisor/runtime.h): GoogleTest's testing::TestInfo::Run, one call a
 * test; cmocka's _cmocka_run_group_tests, one call a group. A runner is
 * not a test: its scope is that of the test it runs.
 */
enum boundary_runner {
	RUNNER_NONE = 0,
	RUNNER_GTEST,
	RUNNER_CMOCKA,
};

struct boundary {
	char *name;		/* test name, or the function's name */
	char *symbol;		/* as in the ELF, mangled for C++, no @VERSION */
	uint64_t vaddr;		/* link-time address of the function */
	char *file;		/* source file, NULL when unknown */
	unsigned line;		/* 0 when unknown */
	char *classname;	/* TCase name once learned, gtest suite; or NULL */
	uint64_t ttest_vaddr;	/* Check: link-time address of the TTest; or 0 */
	unsigned runs;		/* Check: calls registered, a loop test's
				 * end - start each time; 0 when unknown */
	const struct test_entry *entry;	/* the policy entry that matched, or NULL */
	struct limits limits;	/* policy_limits_for(pol, entry); none without policy */
	enum boundary_origin origin;
	enum boundary_runner runner;	/* a runner, not a test */
	int learned;		/* a test learned at run time from a runner */
};

struct boundaries {
	struct boundary *v;	/* sorted by file (unknown last), line, name, vaddr */
	size_t n;
	char **warn;		/* one message each, without "warning: " */
	size_t nwarn;
	size_t nrefused;	/* `functions` globs refused (in warn too) */
};

/* A `functions` glob matching more functions than this is refused. */
#define DISCOVER_GLOB_MAX 100

/*
 * Fills OUT (previous content ignored: release it first) with the
 * boundaries of the executable image PATH under POL. POL may be NULL:
 * discover auto, no limits, no policy-named functions. Returns 0, or -1
 * with the message printed (PATH unreadable, not ELF, not x86-64 64-bit)
 * and OUT empty. Allocation failure dies.
 */
int discover_boundaries(const char *path, const struct policy *pol,
			struct boundaries *out);
void boundaries_release(struct boundaries *b);

/* warning_msg() for each of b->warn, in order. */
void discover_warn_print(const struct boundaries *b);

/*
 * The TCase name of Check tests, learned at run time. Check 0.13 to 0.15
 * calls _tcase_add_test(TCase *tc, const TTest *ttest, int signal, int
 * allowed_exit_value, int start, int end) for every tcase_add_*test()
 * macro: on x86-64 tc is in %rdi, ttest in %rsi. struct TCase (Check's
 * src/check_impl.h, private) starts with `const char *name`, the pointer
 * given to tcase_create(), so the name is the string at *(char **)tc.
 * The supervisor reads it and calls this with TTEST_VADDR = %rsi minus
 * the executable's bias, and the loop range START, END (%r8, %r9: 0, 1
 * for a plain test). Sets the classname of every boundary whose
 * ttest_vaddr is TTEST_VADDR (a copy of TCASE_NAME; a later call
 * replaces it) and adds END - START to its runs: a test registered to
 * run more than once is named name[i] from its first run on. Returns how
 * many boundaries were updated (0: not a TTest of the executable, such
 * as one in a shared library).
 */
int discover_set_tcase(struct boundaries *b, uint64_t ttest_vaddr,
		       const char *tcase_name, int start, int end);

/*
 * list-tests output, one line per boundary, fields separated by one tab:
 *	NAME SYMBOL 0xVADDR FILE:LINE ORIGIN LIMITS
 * FILE:LINE is "-" when unknown. ORIGIN is check, gtest, cmocka or
 * policy; a runner's line says gtest-runtime or cmocka-runtime: that
 * framework's tests are named when the program runs, and an address of 0
 * is resolved in the program's libraries then. LIMITS is "unlimited", or the limits set, space-separated in
 * the order limit_memory limit_leaks max_allocations max_allocated
 * limit_fds, as KEY=VALUE with sizes as units_format_size() spells them
 * ("limit_memory=100.0KiB") and counts as integers. Nothing else is
 * printed (no header), so that the output can be cut(1) and diffed.
 */
void discover_print(FILE *fp, const struct boundaries *b);

const char *boundary_origin_name(enum boundary_origin origin);

#endif
