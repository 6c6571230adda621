/*
 * The reports: pure writers from the finished scopes to a stream, and the
 * atomic file they go to (docs/reports.md: a temporary file in the same directory,
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
	int all_stacks;			/* JSON: every stack of every section */
	int every_section;		/* JSON: each section its biggest stacks,
					   judged by a limit or not (the HTML
					   page and folded stacks) */
	const char *program;
	char *const *argv;
	const char *policy;		/* NULL without one */
	int exit_status;		/* memsup's */
	int program_status;		/* wait status, -1 unknown */
	int detached;			/* --pid: the process runs on */
	double seconds;
	/* When set, the closing line's time is clock() - started, so that
	 * it covers the reports written before it. */
	double (*clock)(void);
	double started;
};

/*
 * An output file, opened before the program runs so that an unwritable
 * path is a usage error (exit 2) and nothing is run. A regular file (or a
 * new name) is written to an unnamed file (O_TMPFILE) in the same
 * directory, mode 0666 less the umask, which gets a temporary name and is
 * renamed over the name only when the report is complete: nothing is
 * left behind by a memsup that dies, even of SIGKILL. A device, FIFO or
 * socket, and /dev/stdout, /dev/stderr and /dev/fd/N, are written in
 * place. A symbolic link as the final name is refused: memsup never
 * writes through one.
 */
struct report_file {
	char *path;
	char *tmp;		/* the temporary name, while it exists */
	FILE *fp;		/* open from report_file_open() */
	int in_place;
};

/* 0, or -1 with a message printed. */
int report_file_open(struct report_file *rf, const char *path);
/* Whether A and B are one file (the same name, or the same node). */
int report_file_same(const struct report_file *a, const struct report_file *b);
/* The stream to write the report to (RF->fp). */
FILE *report_file_stream(struct report_file *rf);
/* Flushes, syncs and renames into place; 0, or -1 with a message. */
int report_file_commit(struct report_file *rf);
/* Removes the temporary file, if any (nothing to report). */
void report_file_abandon(struct report_file *rf);

/* The program's exit status as the man page passes it through: 128+N for a
 * signal. */
int report_program_exit(int wait_status);

void report_json(FILE *fp, const struct run_info *ri,
		 const struct scope *scopes);
/* The line of a test as it finishes: verdict, name, peak, allocations. */
void report_term_line(FILE *fp, const struct scope *sc, int quiet);
/* The per-process summary on the terminal (stderr). */
void report_term_summary(FILE *fp, const struct run_info *ri,
			 const struct scope *scopes);

/* ---- The terminal report and JUnit XML (docs/reports.md) ---- */

enum report_term_flags {
	REPORT_TERM_COLOR = 1 << 0,	/* ANSI colours (the caller decides:
					   --color, NO_COLOR, isatty) */
	REPORT_TERM_QUIET = 1 << 1,	/* verdicts and the summary only */
	REPORT_TERM_VERBOSE = 1 << 2,	/* the MEMSUP REPORT section too */
};

/*
 * The line of a test as it finishes (report_term_line() with colour):
 * "memsup: FAILED     test_x  peak 117.2KiB, 30 allocations, 0.0B leaked
 * [limit_memory]"; with REPORT_TERM_QUIET, "memsup: FAILED test_x".
 */
void report_term_test(FILE *fp, const struct scope *sc, unsigned flags);

/*
 * The report at the end of a run, pytest-memray's shape: FAILURES (each
 * failed or unfinished scope, its messages, call stacks, histogram and
 * biggest allocating functions), MEMSUP REPORT (every scope, with
 * REPORT_TERM_VERBOSE), the short summary, and the closing line
 * "memsup: 9 tests: 5 passed, 3 failed, 1 unfinished (2.31 s)". With
 * REPORT_TERM_QUIET only the closing line. FLAGS: enum report_term_flags
 * (1 is REPORT_TERM_COLOR, so a colour boolean may be passed).
 */
void report_term_report(FILE *fp, const struct run_info *ri,
			const struct scope *scopes, unsigned flags);

/*
 * The detail of failure F of SC, uncoloured, as the terminal prints it
 * under the message and the JUnit <failure> holds it: the allocations at
 * the high watermark (limit_memory), the leaking call stacks
 * (limit_leaks), the call stacks that allocated most (max_allocations,
 * max_allocated), the descriptors left open (limit_fds).
 */
void report_term_failure(FILE *fp, const struct run_info *ri,
			 const struct scope *sc, const struct scope_failure *f);
/* What an unfinished scope's figures mean (two lines). */
void report_term_unfinished(FILE *fp, const struct scope *sc);

/*
 * JUnit XML (docs/reports.md): one <testsuite> per executable, one <testcase>
 * per scope. XUNIT1 = 0 validates against junit-10.xsd (the default,
 * --junit-family=xunit2); XUNIT1 = 1 adds file and line attributes to
 * each <testcase>. Strings are escaped for XML 1.0: control bytes as
 * "#xNN" (pytest's spelling), invalid UTF-8 as U+FFFD.
 */
void report_junit(FILE *fp, const struct run_info *ri,
		  const struct scope *scopes, int xunit1);

/*
 * A name from the program on the terminal: control bytes as \xNN (they
 * could move the cursor), other bytes as they are; and the columns that
 * takes (a code point each, 4 per escape). NULL prints "(null)".
 */
void term_puts(FILE *fp, const char *s);
size_t term_width(const char *s);

#endif
