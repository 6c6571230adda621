/*
 * The reports: pure writers from the finished scopes to a stream, and the
 * atomic file they go to (SPEC §7: a temporary file in the same directory,
 * renamed over the target once complete, so a reader never sees half).
 */
#ifndef MEMSUP_REPORT_H
#define MEMSUP_REPORT_H

#include <stdio.h>

#include "supervisor/scope.h"
#include "supervisor/symbols.h"

/* Symbolises interned stack STACK (session_symbolize()). */
typedef unsigned (*symbolize_fn)(const void *ctx, uint32_t stack,
				 struct sym_frame *out, unsigned max);

struct run_info {
	symbolize_fn symbolize;		/* NULL: addresses only */
	const void *sym_ctx;
	unsigned most_allocations;	/* sites shown per test */
	const char *program;
	char *const *argv;
	const char *policy;		/* NULL without one */
	int exit_status;		/* memsup's */
	int program_status;		/* wait status, -1 unknown */
	double seconds;
};

/* An output file opened before the program runs, so that an unwritable
 * path is a usage error (exit 2) and nothing is run. */
struct report_file {
	char *path;
	char *tmp;
	FILE *fp;
};

/* 0, or -1 with a message printed. */
int report_file_open(struct report_file *rf, const char *path);
/* Flushes, syncs and renames into place; 0, or -1 with a message. */
int report_file_commit(struct report_file *rf);
/* Removes the temporary file (nothing to report). */
void report_file_abandon(struct report_file *rf);

/* The program's exit status as SPEC §2 passes it through: 128+N for a
 * signal. */
int report_program_exit(int wait_status);

void report_json(FILE *fp, const struct run_info *ri,
		 const struct scope *scopes);
/* The line of a test as it finishes: verdict, name, peak, allocations. */
void report_term_line(FILE *fp, const struct scope *sc, int quiet);
/* The per-process summary on the terminal (stderr). */
void report_term_summary(FILE *fp, const struct run_info *ri,
			 const struct scope *scopes);

#endif
