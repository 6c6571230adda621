/*
 * Reading and writing a traced process's memory in bulk.
 *
 * Reads use process_vm_readv (one syscall for any length, ~2.5 µs for
 * 8 KiB here, against ~1.4 ms word by word with PTRACE_PEEKDATA). Writes
 * to writable memory (the stack) use process_vm_writev; writes to text,
 * which process_vm_writev refuses, go through /proc/PID/mem, which the
 * kernel lets a ptracer write through read-only mappings (FOLL_FORCE).
 */
#ifndef MEMSUP_REMOTE_H
#define MEMSUP_REMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct remote {
	pid_t pid;			/* any thread of the address space */
	int memfd;			/* /proc/PID/mem, O_RDWR, or -1 */
};

/* 0, or -1 with errno (ESRCH: the process is gone). */
int remote_open(struct remote *r, pid_t pid);
void remote_close(struct remote *r);

/* All LEN bytes or -1 (a partial read is -1 with errno EFAULT). */
int remote_read(const struct remote *r, uint64_t addr, void *buf, size_t len);
/* Stack and data: process_vm_writev, falling back to /proc/PID/mem. */
int remote_write(const struct remote *r, uint64_t addr, const void *buf,
		 size_t len);
/* Text: /proc/PID/mem only. */
int remote_poke_text(const struct remote *r, uint64_t addr, const void *buf,
		     size_t len);
/* A NUL-terminated string of at most LEN - 1 bytes; 0 or -1. */
int remote_read_string(const struct remote *r, uint64_t addr, char *buf,
		       size_t len);

#endif
