#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/msg.h"
#include "supervisor/report.h"
#include "supervisor/xmalloc.h"

int report_file_open(struct report_file *rf, const char *path)
{
	int fd;

	memset(rf, 0, sizeof(*rf));
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
	failed = fflush(rf->fp) != 0 || ferror(rf->fp) ||
		 fsync(fileno(rf->fp)) != 0;
	if (fclose(rf->fp) != 0)
		failed = 1;
	rf->fp = NULL;
	if (!failed && rename(rf->tmp, rf->path) < 0)
		failed = 1;
	if (failed) {
		perror_msg("cannot write '%s'", rf->path);
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
