/*
 * The report files (report.h): opened before the program runs, unnamed
 * in the target's directory until complete, never through a symbolic
 * link.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/msg.h"
#include "supervisor/report.h"
#include "supervisor/xmalloc.h"

/*
 * Temporary names that exist right now, for the fatal-signal handler: a
 * memsup that crashes, aborts or is killed by a signal it can catch leaves
 * no "*.tmp.*" behind. (An unnamed O_TMPFILE file has a name only between
 * linkat() and rename(); the named fallback for file systems without
 * O_TMPFILE has one from the start.)
 */
#define MAX_LIVE_TMP 4
static char *volatile live_tmp[MAX_LIVE_TMP];
static const int fatal_signals[] = {
	SIGSEGV, SIGBUS, SIGABRT, SIGILL, SIGFPE, SIGQUIT, SIGUSR1, SIGUSR2,
	SIGXCPU, SIGXFSZ, SIGPIPE,
};

static void on_fatal(int sig)
{
	unsigned i;

	for (i = 0; i < MAX_LIVE_TMP; i++)
		if (live_tmp[i])
			unlink(live_tmp[i]);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void track_tmp(char *tmp, int on)
{
	static int installed;
	unsigned i;

	for (i = 0; i < MAX_LIVE_TMP; i++) {
		if (on && !live_tmp[i]) {
			live_tmp[i] = tmp;
			break;
		}
		if (!on && live_tmp[i] == tmp) {
			live_tmp[i] = NULL;
			break;
		}
	}
	if (on && !installed) {
		struct sigaction sa, old;

		installed = 1;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_fatal;
		sigemptyset(&sa.sa_mask);
		sa.sa_flags = SA_RESETHAND;
		for (i = 0; i < sizeof(fatal_signals) / sizeof(fatal_signals[0]);
		     i++) {
			/* An ignored SIGPIPE stays ignored (a write gets EPIPE). */
			if (sigaction(fatal_signals[i], NULL, &old) == 0 &&
			    old.sa_handler == SIG_DFL)
				sigaction(fatal_signals[i], &sa, NULL);
		}
	}
}

/* The names a shell or a runner uses for a descriptor it already has. */
static int names_a_descriptor(const char *path)
{
	return !strcmp(path, "/dev/stdout") || !strcmp(path, "/dev/stderr") ||
	       !strncmp(path, "/dev/fd/", 8) ||
	       !strncmp(path, "/proc/self/fd/", 14);
}

/*
 * Writes in place: a device (/dev/full, /dev/null), a FIFO, a socket, or
 * a descriptor's name (/dev/stdout behind a shell's "> out"), appended to
 * so that the program's own output before the report is kept. A name that
 * is not a descriptor's is opened O_NOFOLLOW: one swapped for a link since
 * it was looked at is refused. An empty write checks it takes data now
 * (/dev/full does not): the program does not run for nothing.
 */
static int open_in_place(struct report_file *rf, const char *path)
{
	int flags = O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY;
	struct stat st;
	int fd;

	if (!names_a_descriptor(path))
		flags |= O_NOFOLLOW;
	fd = open(path, flags);
	if (fd < 0) {
		perror_msg("cannot write '%s'", path);
		return -1;
	}
	if (fstat(fd, &st) == 0 && !S_ISSOCK(st.st_mode) &&
	    write(fd, "", 0) < 0) {
		perror_msg("cannot write '%s'", path);
		if (errno == ENOSPC)
			hint_msg("the device is full: write the report "
				 "elsewhere");
		close(fd);
		return -1;
	}
	rf->fp = fdopen(fd, "w");
	if (!rf->fp) {
		perror_msg("cannot write '%s'", path);
		close(fd);
		return -1;
	}
	rf->path = xstrdup(path);
	rf->in_place = 1;
	return 0;
}

/* Creates the temporary file next to RF->path, mode 0666 less the umask;
 * its descriptor, or -1 (errno set). */
static int create_tmp(struct report_file *rf)
{
	mode_t mask = umask(0);
	int fd;

	umask(mask);
	rf->tmp = xasprintf("%s.tmp.XXXXXX", rf->path);
	/* O_EXCL: a new file, never one that (or a link that) was there.
	 * Close-on-exec: the program must not inherit it. */
	fd = mkostemp(rf->tmp, O_CLOEXEC);
	if (fd < 0) {
		free(rf->tmp);
		rf->tmp = NULL;
		return -1;
	}
	track_tmp(rf->tmp, 1);
	if (fchmod(fd, 0666 & ~mask) < 0) {
		int err = errno;

		close(fd);
		unlink(rf->tmp);
		track_tmp(rf->tmp, 0);
		free(rf->tmp);
		rf->tmp = NULL;
		errno = err;
		return -1;
	}
	return fd;
}

static void release(struct report_file *rf)
{
	if (rf->tmp) {
		unlink(rf->tmp);
		track_tmp(rf->tmp, 0);
	}
	free(rf->path);
	free(rf->tmp);
	memset(rf, 0, sizeof(*rf));
}

/* The directory part of PATH ("." for none), allocated. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xasprintf("%.*s", (int)(slash - path), path);
}

/*
 * An unnamed file in RF->path's directory (O_TMPFILE, mode 0666 less the
 * umask): nothing is left to remove if memsup dies, even of SIGKILL; it
 * gets a name only when the report is complete. Where the file system
 * has no O_TMPFILE, a named temporary file, removed by every exit memsup
 * can catch. The descriptor, or -1 (errno set).
 */
static int open_unnamed(struct report_file *rf)
{
	char *dir = dir_of(rf->path);
	int fd;

	fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	free(dir);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR &&
			errno != EINVAL))
		return fd;
	return create_tmp(rf);
}

/* Gives RF's unnamed file a temporary name next to RF->path; 0 or -1. */
static int name_unnamed(struct report_file *rf)
{
	char proc[64];
	unsigned i;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fileno(rf->fp));
	for (i = 0; i < 100; i++) {
		rf->tmp = xasprintf("%s.tmp.%d.%u", rf->path, (int)getpid(), i);
		track_tmp(rf->tmp, 1);
		if (linkat(AT_FDCWD, proc, AT_FDCWD, rf->tmp,
			   AT_SYMLINK_FOLLOW) == 0)
			return 0;
		track_tmp(rf->tmp, 0);
		free(rf->tmp);
		rf->tmp = NULL;
		if (errno != EEXIST)
			return -1;
	}
	return -1;
}

int report_file_open(struct report_file *rf, const char *path)
{
	struct stat st;
	int fd;

	memset(rf, 0, sizeof(*rf));
	if (!*path) {
		error_msg("an output file name is empty");
		return -1;
	}
	if (names_a_descriptor(path))
		return open_in_place(rf, path);
	if (lstat(path, &st) == 0) {
		if (S_ISLNK(st.st_mode)) {
			error_msg("cannot write '%s': it is a symbolic link, "
				  "and memsup does not write through one", path);
			hint_msg("remove the link, or name the file it points "
				 "to");
			return -1;
		}
		if (S_ISDIR(st.st_mode)) {
			error_msg("cannot write '%s': it is a directory", path);
			return -1;
		}
		if (!S_ISREG(st.st_mode))
			return open_in_place(rf, path);
	}
	rf->path = xstrdup(path);
	fd = open_unnamed(rf);
	if (fd < 0 || !(rf->fp = fdopen(fd, "w"))) {
		perror_msg("cannot write '%s'", path);
		hint_msg("check that its directory exists and is writable");
		if (fd >= 0)
			close(fd);
		release(rf);
		return -1;
	}
	return 0;
}

/* The name RF will end up as, its directory resolved; NULL if unknown. */
static char *final_name(const struct report_file *rf)
{
	const char *slash = strrchr(rf->path, '/');
	char *dir = dir_of(rf->path), *real, *name;

	real = realpath(dir, NULL);
	free(dir);
	if (!real)
		return NULL;
	name = xasprintf("%s/%s", real, slash ? slash + 1 : rf->path);
	free(real);
	return name;
}

int report_file_same(const struct report_file *a, const struct report_file *b)
{
	struct stat sa, sb;
	char *na, *nb;
	int same;

	if (!a->path || !b->path)
		return 0;
	/* /dev/null twice is fine: a device keeps no file to overwrite. */
	if (stat(a->path, &sa) == 0 && S_ISCHR(sa.st_mode))
		return 0;
	if (!strcmp(a->path, b->path))
		return 1;
	if (stat(a->path, &sa) == 0 && stat(b->path, &sb) == 0 &&
	    sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
		return 1;	/* two names of one file */
	na = final_name(a);
	nb = final_name(b);
	same = na && nb && !strcmp(na, nb);
	free(na);
	free(nb);
	return same;
}

FILE *report_file_stream(struct report_file *rf)
{
	return rf->fp;
}

int report_file_commit(struct report_file *rf)
{
	int failed;

	if (!rf->fp) {
		release(rf);
		return 0;
	}
	failed = fflush(rf->fp) != 0 || ferror(rf->fp);
	/* fsync() fails with EINVAL on a pipe or a terminal: no matter. */
	if (!failed && !rf->in_place && fsync(fileno(rf->fp)) != 0)
		failed = 1;
	if (!failed && !rf->in_place && !rf->tmp && name_unnamed(rf) < 0)
		failed = 1;
	if (fclose(rf->fp) != 0)
		failed = 1;
	rf->fp = NULL;
	if (!failed && rf->tmp && rename(rf->tmp, rf->path) < 0)
		failed = 1;
	if (!failed) {
		track_tmp(rf->tmp, 0);
		free(rf->tmp);
		rf->tmp = NULL;
	}
	if (failed) {
		perror_msg("cannot write '%s'", rf->path);
		if (errno == ENOSPC)
			hint_msg("the disk is full: free some space or write "
				 "the report elsewhere");
	}
	release(rf);
	return failed ? -1 : 0;
}

void report_file_abandon(struct report_file *rf)
{
	if (rf->fp)
		fclose(rf->fp);
	rf->fp = NULL;
	release(rf);
}

int report_program_exit(int wait_status)
{
	if (wait_status < 0)
		return 0;
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return WEXITSTATUS(wait_status);
}
