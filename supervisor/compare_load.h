/*
 * Inside compare: the runs as compare.c reads them from memsup JSON, for
 * the two-run table (compare.c) and the table over several runs
 * (compare_runs.c). Not for other modules: compare.h is the interface.
 */
#ifndef MEMSUP_COMPARE_LOAD_H
#define MEMSUP_COMPARE_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "supervisor/compare.h"

struct cmp_test {
	char *exe;			/* basename of the executable, or "" */
	char *name;
	unsigned occ;			/* its index among same exe and name */
	uint64_t v[COMPARE_NFIELDS];	/* the headline figures */
	/* Per figure, the values of each run of --repeat N (the headline
	 * alone for a run without repeats). */
	double *series[COMPARE_NFIELDS];
	size_t nseries[COMPARE_NFIELDS];
	int matched;
};

struct cmp_run {
	struct cmp_test *t;
	size_t n;
};

/* Reads PATH: 0, or -1 with a message naming the file. */
int cmp_load_run(const char *path, struct cmp_run *r);
void cmp_run_release(struct cmp_run *r);
const char *cmp_base_name(const char *path);
/* Whether FIELD counts bytes (peak, allocated, leaked) or calls. */
int compare_field_is_size(enum compare_field field);

/* What `memsup compare` was asked for beyond the two-run table. */
enum compare_stat {
	STAT_HEADLINE = 0,		/* no --stat: the run's own figure */
	STAT_MIN, STAT_MAX, STAT_MEAN, STAT_MEDIAN, STAT_STDDEV,
};

enum compare_sort { SORT_NAME, SORT_VALUE, SORT_CHANGE };

struct compare_opts {
	enum compare_field metric;
	enum compare_stat stat;
	enum compare_sort sort;
	const char *csv_path;
	const char *html_path;
	const struct fail_on *fail;
	size_t nfail;
};

/*
 * The table of OPTS->metric over the N runs PATHS (oldest first) on OUT,
 * the CSV and HTML files when asked for, and a line per figure over a
 * --fail-on threshold (first run against the last). Returns 0, 1 (a
 * threshold exceeded) or 2 (a file cannot be read or written).
 */
int compare_series(const char *const *paths, size_t n,
		   const struct compare_opts *opts, FILE *out);

#endif
