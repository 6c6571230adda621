/*
 * Error and hint printing (strace's error_prints.c in spirit).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/msg.h"

static void (*cleanup_fn)(int status);
static int verbosity;

static void __attribute__((format(printf, 2, 0)))
vmsg(const char *prefix, const char *fmt, va_list ap,
		 int errnum)
{
	fputs("memsup: ", stderr);
	if (prefix)
		fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	if (errnum)
		fprintf(stderr, ": %s", strerror(errnum));
	fputc('\n', stderr);
}

void error_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap, 0);
	va_end(ap);
}

void perror_msg(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap, saved);
	va_end(ap);
	errno = saved;
}

void warning_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("warning: ", fmt, ap, 0);
	va_end(ap);
}

void hint_msg(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("hint: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

void verbose_msg(const char *fmt, ...)
{
	va_list ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	vmsg(NULL, fmt, ap, 0);
	va_end(ap);
}

static void run_cleanup(int status)
{
	void (*fn)(int) = cleanup_fn;

	/* Once: a die() inside the cleanup must not recurse. */
	cleanup_fn = NULL;
	if (fn)
		fn(status);
}

void die(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap, 0);
	va_end(ap);
	run_cleanup(status);
	exit(status);
}

void die_perror(int status, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap, saved);
	va_end(ap);
	run_cleanup(status);
	exit(status);
}

void msg_set_cleanup(void (*fn)(int status))
{
	cleanup_fn = fn;
}

void msg_set_verbosity(int level)
{
	verbosity = level;
}

int msg_verbosity(void)
{
	return verbosity;
}
