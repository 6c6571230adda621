/*
 * Comparing runs: `memsup compare BASE.json NEW.json`, `memsup compare`
 * over more runs, and a run's `--baseline FILE.json --fail-on
 * FIELD:THRESHOLD`.
 *
 * All read the JSON report_json() writes (docs/reports.md) with json-c,
 * match tests by executable basename and name (the k-th scope of a name
 * with the k-th: a program's processes share its name), and compare four
 * figures: peak (peak_bytes), allocated (allocated_bytes), allocations
 * and leaked (leaked_bytes). A threshold is a percent ("peak:10%": fail
 * when new > base * 1.10, so any growth from 0 fails) or an absolute
 * ("peak:5MiB", "allocations:100": fail when new - base > threshold).
 * Tests in one file only are listed as new or gone and never fail a gate.
 * docs/reports.md has the table and the rules.
 */
#ifndef MEMSUP_COMPARE_H
#define MEMSUP_COMPARE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/units.h"
#include "supervisor/scope.h"

enum compare_field {
	COMPARE_PEAK,
	COMPARE_ALLOCATED,
	COMPARE_ALLOCATIONS,
	COMPARE_LEAKED,
	COMPARE_NFIELDS,
};

struct fail_on {
	enum compare_field field;
	struct threshold th;
	const char *spec;		/* as given, borrowed */
};

/*
 * Parses SPEC, "FIELD:THRESHOLD". Returns 0, or -1 with *why set to a
 * static description (the caller names the option and the value).
 * allocations takes a count or a percent, not a size.
 */
int compare_parse_fail_on(const char *spec, struct fail_on *out,
			  const char **why);

/* Whether NEW is over BASE by more than TH allows. */
int compare_exceeds(const struct threshold *th, uint64_t base, uint64_t new);

/* The field's name as --fail-on spells it: "peak", ... */
const char *compare_field_name(enum compare_field field);

/*
 * Compares the JSON files BASE_PATH and NEW_PATH: the table on OUT, then
 * a line per figure over a threshold of FAIL (N of them) and a summary.
 * Returns 0, 1 when a threshold is exceeded, 2 when a file cannot be read
 * or is not memsup JSON (a message on stderr names the file and what is
 * wrong).
 */
int compare_files(const char *base_path, const char *new_path,
		  const struct fail_on *fail, size_t n, FILE *out);

/*
 * `memsup compare RUN.json... [--metric M] [--stat S] [--sort K]
 * [--csv FILE] [--html FILE] [--fail-on FIELD:THRESHOLD]...`, ARGV[0]
 * being "compare". Two runs and none of the options but --fail-on: the
 * table of compare_files(); otherwise the table of one figure over every
 * run (compare_load.h, compare_runs.c). The table goes to stdout.
 * Returns the exit status: 0, 1 (a threshold exceeded), 2 (usage or bad
 * input).
 */
int compare_main(int argc, char **argv);

/*
 * Whether BASELINE_PATH can be read as memsup JSON: 0, or -1 with a
 * message. For checking --baseline before the program runs.
 */
int compare_check_baseline(const char *baseline_path);

/*
 * The --baseline gate at the end of a run: SCOPES (the finished list)
 * against BASELINE_PATH under the N --fail-on specs FAIL_ON. Writes a
 * line per figure over its threshold and a summary line to OUT. Returns
 * 0, 1 when a threshold is exceeded, -1 when the baseline or a spec is
 * bad (a message on stderr).
 */
int compare_gate(const char *baseline_path, const struct scope *scopes,
		 const char *const *fail_on, size_t n, FILE *out);

#endif
