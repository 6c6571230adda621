#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "supervisor/remote.h"

int remote_open(struct remote *r, pid_t pid)
{
	char path[64];

	r->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	r->memfd = open(path, O_RDWR | O_CLOEXEC);
	return r->memfd < 0 ? -1 : 0;
}

void remote_close(struct remote *r)
{
	if (r->memfd >= 0)
		close(r->memfd);
	r->memfd = -1;
}

static int mem_pread(const struct remote *r, uint64_t addr, void *buf,
		     size_t len)
{
	ssize_t n;

	if (r->memfd < 0) {
		errno = ESRCH;
		return -1;
	}
	n = pread(r->memfd, buf, len, (off_t)addr);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = EFAULT;
	return -1;
}

int remote_read(const struct remote *r, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	n = process_vm_readv(r->pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	/* Pages the process may not read itself (PROT_NONE guard, text with
	 * no read permission): /proc/PID/mem reads them as the tracer. */
	return mem_pread(r, addr, buf, len);
}

int remote_write(const struct remote *r, uint64_t addr, const void *buf,
		 size_t len)
{
	struct iovec local = { (void *)buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n;

	n = process_vm_writev(r->pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	return remote_poke_text(r, addr, buf, len);
}

int remote_poke_text(const struct remote *r, uint64_t addr, const void *buf,
		     size_t len)
{
	ssize_t n;

	if (r->memfd < 0) {
		errno = ESRCH;
		return -1;
	}
	n = pwrite(r->memfd, buf, len, (off_t)addr);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = EFAULT;
	return -1;
}

int remote_read_string(const struct remote *r, uint64_t addr, char *buf,
		       size_t len)
{
	size_t got = 0;

	/* Page by page: a string may end just before an unmapped page. */
	while (got + 1 < len) {
		size_t chunk = 4096 - ((addr + got) & 4095);
		char *nul;

		if (chunk > len - 1 - got)
			chunk = len - 1 - got;
		if (remote_read(r, addr + got, buf + got, chunk) < 0)
			return -1;
		nul = memchr(buf + got, 0, chunk);
		if (nul)
			return 0;
		got += chunk;
	}
	buf[len - 1] = 0;
	return 0;
}
