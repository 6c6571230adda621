/*
 * When the leak scan runs (docs/leaks.md): at the close of a scope whose
 * blocks are still live, at the program's exit, and before a detach.
 *
 * A scope that closes at a ptrace stop of a live process is scanned then,
 * with the process's other threads held stopped by the caller. When the
 * memory is about to go (exit_group, detach), the scan is made first and
 * kept in the process (proc->final_scan) for the scopes closed afterwards.
 * A scope closed without either (the process died, exec'd, or the scope
 * is unfinished) has its blocks LEAK_UNSCANNED.
 */
#ifndef MEMSUP_LEAKCHECK_H
#define MEMSUP_LEAKCHECK_H

#include "supervisor/tracee.h"

/* Whether closing SC in live PROC will scan it (it owns live bytes, and
 * MEMSUP_LEAK_SCAN is not 0): the caller then holds the other threads. */
int leakcheck_will_scan(const struct process *proc, const struct scope *sc);

/*
 * heap_close_scope() for SC in PROC, its leaks classified. ALIVE: the
 * process is in a ptrace stop and its memory can be read.
 */
void leakcheck_close_scope(struct process *proc, struct scope *sc,
			   enum scope_status status, char *reason, int alive);

/*
 * The process is about to lose its memory (its last thread is in
 * PTRACE_EVENT_EXIT of an exit_group, or memsup detaches with every
 * thread stopped): scans it now, for the scopes that close afterwards.
 * Does nothing when no scope is open.
 */
void leakcheck_final_scan(struct process *proc);

#endif
