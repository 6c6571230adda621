/*
 * Per-test fixtures inside a test's scope (docs/discovery.md): Check's
 * checked fixtures, and cmocka's per-test setup and teardown (registered
 * by supervisor/runtime.c with the test function as its "TCase").
 *
 * tcase_add_checked_fixture(tc, setup, teardown) registers functions that
 * Check runs in the test's own process around every test of the TCase:
 * setups in the order added, then the test, then teardowns in the reverse
 * order. A test's scope therefore opens at the entry of the first checked
 * setup, is bound to the test when its function is entered (named after
 * it, with its limits), and closes when the last teardown returns. A
 * TCase without teardown closes it when the test function returns; one
 * without setup opens it at the test function. `scope: function` (for the
 * whole policy or the test) keeps the call alone.
 *
 * The registry is learned at run time from the calls of
 * tcase_add_checked_fixture() and _tcase_add_test() (which TCase each
 * test belongs to); addresses are the process's own, per program image.
 */
#ifndef MEMSUP_FIXTURE_H
#define MEMSUP_FIXTURE_H

#include <stdint.h>

#include "breakpoints/discover.h"
#include "supervisor/tracee.h"

enum fixture_role {
	FIXTURE_SETUP = 1,
	FIXTURE_TEARDOWN = 2,
};

/* tcase_add_checked_fixture(TC, SETUP, TEARDOWN) in image IMG; either
 * function may be 0. */
void fixture_add(const void *img, uint64_t tc, uint64_t setup,
		 uint64_t teardown);
/* _tcase_add_test(TC, TTEST, ...) in image IMG. */
void fixture_note_test(const void *img, uint64_t tc, uint64_t ttest);
/* What the function at ADDR is to some TCase of IMG: enum fixture_role
 * bits, 0 when neither. */
unsigned fixture_role(const void *img, uint64_t addr);

/*
 * Between the fixtures and the test the scope is paused: Check's own
 * bookkeeping in the test's process (its messages to the runner) is not
 * the test's. The event loop catches the return of every setup and
 * non-last teardown (fixture_returned() pauses the scope there) and of
 * the test function.
 */

/*
 * The setup at ADDR is entered in PROC: opens the pending scope of the
 * test to come (named after the setup NAME until bound), or resumes it
 * (a later setup of the same test). A pending scope whose first setup
 * runs again belonged to a test that is not a boundary: it is dropped,
 * as it is at a teardown or when the process ends (fixture_drop_pending).
 * A scope left from an earlier test whose last teardown never came
 * (no-fork mode) ends unfinished first. Returns 1 when a scope is open,
 * 0 (`scope: function`) when not.
 */
int fixture_setup_entered(struct session *s, struct process *proc,
			  uint64_t addr, const char *name);

/* PROC ends or execs: a pending scope no test took leaves no result. */
void fixture_drop_pending(struct process *proc);

/*
 * Test boundary B (a Check test, run-time TTest address TTEST) is
 * entered in PROC: returns the pending scope, resumed and now B's, or
 * NULL when there is none (a pending scope is dropped when B's scope is
 * `function`).
 */
struct scope *fixture_take(struct session *s, struct process *proc,
			   const struct boundary *b, uint64_t ttest);

/*
 * SC, B's scope, was opened or taken at B's entry: when B's TCase has a
 * teardown, SC is held open past the test function's return, until the
 * last teardown returns.
 */
void fixture_hold(struct session *s, struct process *proc, struct scope *sc,
		  const struct boundary *b, uint64_t ttest);

/*
 * A setup, a teardown that is not the last, or a test function whose
 * scope is SC returns in PROC: 1 when SC is held (it is paused, not
 * closed), else 0.
 */
int fixture_returned(struct process *proc, struct scope *sc);

/*
 * A checked teardown at ADDR is entered in PROC: the held scope, resumed,
 * or NULL (a pending scope is dropped: its test was not a boundary). *LAST is 1 when this is the last teardown: the scope is
 * released and closes when it returns.
 */
struct scope *fixture_teardown_entered(struct process *proc, uint64_t addr,
				       int *last);

#endif
