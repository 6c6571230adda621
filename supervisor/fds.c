#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "supervisor/fds.h"
#include "supervisor/xmalloc.h"

static int fd_cmp(const void *a, const void *b)
{
	const struct fd_entry *x = a, *y = b;

	return (x->fd > y->fd) - (x->fd < y->fd);
}

int fds_read(pid_t pid, struct fd_entry **out, size_t *n)
{
	char path[64], link[4096];
	struct fd_entry *v = NULL;
	size_t cnt = 0, alloc = 0;
	struct dirent *de;
	DIR *dir;

	*out = NULL;
	*n = 0;
	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		char fdpath[96];
		ssize_t len;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		fd = atoi(de->d_name);
		snprintf(fdpath, sizeof(fdpath), "%s/%d", path, fd);
		len = readlink(fdpath, link, sizeof(link) - 1);
		if (len < 0)
			continue;	/* closed meanwhile */
		link[len] = 0;
		v = xgrow(v, &alloc, cnt + 1, sizeof(*v));
		v[cnt].fd = fd;
		v[cnt].target = xstrdup(link);
		cnt++;
	}
	closedir(dir);
	if (cnt)
		qsort(v, cnt, sizeof(*v), fd_cmp);
	*out = v;
	*n = cnt;
	return 0;
}

void fds_free(struct fd_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].target);
	free(v);
}

void fds_diff(const struct fd_entry *before, size_t nbefore,
	      const struct fd_entry *now, size_t nnow,
	      struct fd_entry **out, size_t *nout)
{
	struct fd_entry *v = NULL;
	size_t i, j = 0, cnt = 0, alloc = 0;

	for (i = 0; i < nnow; i++) {
		while (j < nbefore && before[j].fd < now[i].fd)
			j++;
		if (j < nbefore && before[j].fd == now[i].fd &&
		    !strcmp(before[j].target, now[i].target))
			continue;
		v = xgrow(v, &alloc, cnt + 1, sizeof(*v));
		v[cnt].fd = now[i].fd;
		v[cnt].target = xstrdup(now[i].target);
		cnt++;
	}
	*out = v;
	*nout = cnt;
}
