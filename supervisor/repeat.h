/*
 * memsup --repeat N (docs/reports.md): the program is run N times, one
 * session each, and each test is reported once, from the run in which
 * its peak was smallest (its stacks, leaks, descriptors and time are
 * that run's), with the minimum over the runs as its allocated bytes
 * and allocations too; its series (each figure in every run it ran in,
 * oldest first) goes to the JSON as "repeats". The limits are checked
 * again on those headline figures, as benchmem's gate reads its minimum.
 * Tests are matched across runs by executable basename, name and
 * occurrence (the k-th result of a name with the k-th).
 *
 * The last run is the caller's own session (main.c's), so that without
 * repeats nothing changes; the earlier runs stay alive until memsup
 * exits, for their symbols.
 */
#ifndef MEMSUP_REPEAT_H
#define MEMSUP_REPEAT_H

#include <stdio.h>

#include "supervisor/symbols.h"
#include "supervisor/tracee.h"

/*
 * Runs PROG_ARGV N - 1 times, each in a new session configured as
 * TEMPLATE (policy, engine, pinning, stack depth, unwinder, terminal),
 * before
 * the caller's last run. Prints "memsup: run K of N" before each run,
 * the last included, unless QUIET. Returns 0; -1 when a run could not be
 * supervised (a message says why: exit 3); 128 + N when memsup was
 * stopped by signal N during a run.
 */
int repeat_before(struct session *template, char **prog_argv, unsigned n,
		  int quiet);

/* After the last run LAST: numbers its results and gives each of its
 * scopes the figures and the series of every run, as above. Once: later
 * calls do nothing (and nothing without repeats). */
void repeat_merge(struct session *last);

/* session_symbolize() for the stacks of the scopes repeat_merge() took
 * from earlier runs, and of LAST's own. */
unsigned repeat_symbolize(const struct session *last, uint32_t stack,
			  struct sym_frame *out, unsigned max);

/* On FP, a line per test whose figures differed between the runs:
 * "memsup: test_vary over 3 runs: peak 4.0KiB to 6.0KiB, ...". */
void repeat_report(FILE *fp, const struct scope *scopes);

#endif
