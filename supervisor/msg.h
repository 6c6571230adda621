/*
 * Diagnostics on stderr in git's voice: "memsup: what failed: why", lowercase,
 * no final period, with an optional "hint:" line the user can act on.
 * die() runs the registered cleanup first (disarm, detach or kill, write the
 * reports for what finished), as docs/supervisor.md requires.
 */
#ifndef MEMSUP_MSG_H
#define MEMSUP_MSG_H

#include <stdarg.h>

#define ATTR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define ATTR_NORETURN __attribute__((noreturn))

/* Exit statuses of the man page, one table (eu-stack's EXIT_*). */
enum memsup_exit {
	EXIT_USAGE = 2,		/* usage or policy error, unwritable output */
	EXIT_SUPERVISION = 3,	/* ptrace refused, program not found, ... */
	EXIT_INTERRUPTED = 130,	/* memsup's own SIGINT: 128 + SIGINT */
};

void error_msg(const char *fmt, ...) ATTR_PRINTF(1, 2);
/* error_msg() followed by ": strerror(errno)". */
void perror_msg(const char *fmt, ...) ATTR_PRINTF(1, 2);
void warning_msg(const char *fmt, ...) ATTR_PRINTF(1, 2);
void hint_msg(const char *fmt, ...) ATTR_PRINTF(1, 2);
/* Printed only with -v. */
void verbose_msg(const char *fmt, ...) ATTR_PRINTF(1, 2);
void die(int status, const char *fmt, ...) ATTR_PRINTF(2, 3) ATTR_NORETURN;
void die_perror(int status, const char *fmt, ...) ATTR_PRINTF(2, 3) ATTR_NORETURN;

/* The cleanup die() runs once before exiting; it may be NULL. */
void msg_set_cleanup(void (*fn)(int status));
void msg_set_verbosity(int level);
int msg_verbosity(void);

#define BUG_ON(cond)                                                     \
	do {                                                             \
		if (cond)                                                \
			die(EXIT_SUPERVISION, "BUG at %s:%d: %s", __FILE__, \
			    __LINE__, #cond);                            \
	} while (0)

#endif
