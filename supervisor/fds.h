/*
 * File descriptors of a process, read from /proc/PID/fd at the two
 * boundaries of a scope (docs/supervisor.md).
 */
#ifndef MEMSUP_FDS_H
#define MEMSUP_FDS_H

#include <stddef.h>
#include <sys/types.h>

#include "supervisor/scope.h"

/* The open descriptors of PID, sorted by number; caller frees with
 * fds_free(). -1 when /proc/PID/fd cannot be read. */
int fds_read(pid_t pid, struct fd_entry **out, size_t *n);
void fds_free(struct fd_entry *v, size_t n);
/* Those in NOW that are not in BEFORE (same number and target). */
void fds_diff(const struct fd_entry *before, size_t nbefore,
	      const struct fd_entry *now, size_t nnow,
	      struct fd_entry **out, size_t *nout);

#endif
