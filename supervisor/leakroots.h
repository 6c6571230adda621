/*
 * The leak scan of a stopped process (docs/leaks.md): its roots read out
 * of the process, its live blocks classified by leakscan.c.
 *
 * Roots:
 *   - every thread's general registers (PTRACE_GETREGS), except for the
 *     thread whose boundary function is returning (a scope's close): its
 *     scratch and return-value registers hold what the function last
 *     computed, dead or not stored anywhere yet, so only the registers a
 *     function must preserve for its caller count (rbx, rbp, r12 to r15);
 *   - every thread's stack, from its stack pointer to the end of the
 *     mapping that holds it; a thread other than the main one has its
 *     static TLS and thread descriptor at the top of that mapping (glibc
 *     allocates them with the stack), so they are scanned with it;
 *   - the mapping that holds a thread's thread pointer (fs_base) when it
 *     is not a stack: the main thread's static TLS block, which the
 *     dynamic loader allocates in an anonymous mapping of its own;
 *   - the writable segments of every loaded object: its rw-p file
 *     mappings (.data, .got), the read-only mapping just before them
 *     (RELRO: .data.rel.ro, .dynamic, .got after relocation) and the
 *     anonymous rw-p mapping just after them (the .bss past the file).
 * An anonymous mapping that holds a live block (an allocator's arena that
 * happens to sit there) is never a root, nor is the brk heap, a shared
 * mapping or anything without both read and write permission.
 *
 * Memory is read with process_vm_readv in bulk: roots a megabyte at a
 * time, blocks through a cache of 64 KiB windows (neighbouring blocks,
 * such as the nodes of a list, are read by one call).
 */
#ifndef MEMSUP_LEAKROOTS_H
#define MEMSUP_LEAKROOTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "supervisor/blocks.h"
#include "supervisor/leakscan.h"

struct leakroots_stats {
	double seconds;			/* the whole scan */
	uint64_t blocks, block_bytes;	/* live blocks scanned */
	uint64_t root_bytes;		/* root memory read */
	uint64_t heap_bytes;		/* block contents read */
	uint64_t syscalls;		/* process_vm_readv calls */
	unsigned threads;		/* whose registers were read */
	unsigned skipped;		/* threads not stopped: skipped */
};

/*
 * Classifies the blocks of LIVE, the live blocks of process PID, whose
 * threads TIDS (N of them) are in a ptrace stop; a thread that is not
 * (it is running, or gone) adds no root, and is counted in ST->skipped.
 * RETURNING is the thread stopped at its boundary function's return, or
 * 0.
 * Returns the classification (leakscan_kind()), which the caller frees
 * with leakroots_free(), or NULL when the process's memory can no longer
 * be read. ST may be NULL.
 */
struct leakscan *leakroots_scan(pid_t pid, const pid_t *tids, size_t n,
				pid_t returning, const struct blocks *live,
				struct leakroots_stats *st);
void leakroots_free(struct leakscan *ls);

#endif
