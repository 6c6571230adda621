#include <errno.h>
#include <fcntl.h>
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
 * A target that exists and is not a regular file (a device such as
 * /dev/full, a FIFO, or a symbolic link such as /dev/stdout) is written
 * in place: renaming a file over it would replace the node or the link.
 * It is appended to, so that a shell's "> out" behind /dev/stdout keeps
 * the program's own output before the report.
 */
static int open_in_place(struct report_file *rf, const char *path)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);

	if (fd < 0 || !(rf->fp = fdopen(fd, "w"))) {
		perror_msg("cannot write '%s'", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	rf->path = xstrdup(path);
	rf->tmp = NULL;
	return 0;
}

int report_file_open(struct report_file *rf, const char *path)
{
	struct stat st;
	int fd;

	memset(rf, 0, sizeof(*rf));
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		error_msg("cannot write '%s': it is a directory", path);
		return -1;
	}
	if (lstat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return open_in_place(rf, path);
	rf->path = xstrdup(path);
	rf->tmp = xasprintf("%s.tmp.XXXXXX", path);
	/* Close-on-exec: the program must not inherit (and write to) it. */
	fd = mkostemp(rf->tmp, O_CLOEXEC);
	if (fd < 0) {
		perror_msg("cannot write '%s'", path);
		hint_msg("check that its directory exists and is writable");
		free(rf->path);
		free(rf->tmp);
		memset(rf, 0, sizeof(*rf));
		return -1;
	}
	rf->fp = fdopen(fd, "w");
	if (!rf->fp) {
		perror_msg("cannot write '%s'", path);
		close(fd);
		unlink(rf->tmp);
		free(rf->path);
		free(rf->tmp);
		memset(rf, 0, sizeof(*rf));
		return -1;
	}
	return 0;
}

int report_file_commit(struct report_file *rf)
{
	int failed;

	if (!rf->fp)
		return 0;
	failed = fflush(rf->fp) != 0 || ferror(rf->fp);
	/* fsync() fails with EINVAL on a pipe or a terminal: no matter. */
	if (!failed && rf->tmp && fsync(fileno(rf->fp)) != 0)
		failed = 1;
	if (fclose(rf->fp) != 0)
		failed = 1;
	rf->fp = NULL;
	if (!failed && rf->tmp && rename(rf->tmp, rf->path) < 0)
		failed = 1;
	if (failed) {
		perror_msg("cannot write '%s'", rf->path);
		if (errno == ENOSPC)
			hint_msg("the disk is full: free some space or write "
				 "the report elsewhere");
		if (rf->tmp)
			unlink(rf->tmp);
	}
	free(rf->path);
	free(rf->tmp);
	rf->path = rf->tmp = NULL;
	return failed ? -1 : 0;
}

void report_file_abandon(struct report_file *rf)
{
	if (!rf->fp)
		return;
	fclose(rf->fp);
	if (rf->tmp)
		unlink(rf->tmp);
	free(rf->path);
	free(rf->tmp);
	memset(rf, 0, sizeof(*rf));
}

int report_program_exit(int wait_status)
{
	if (wait_status < 0)
		return 0;
	if (WIFSIGNALED(wait_status))
		return 128 + WTERMSIG(wait_status);
	return WEXITSTATUS(wait_status);
}
