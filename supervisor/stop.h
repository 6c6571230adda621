/*
 * Stop control of traced threads (docs/supervisor.md, "Breakpoints"):
 * resuming a stopped thread, its registers, the writes one stop makes,
 * holding a thread's siblings stopped, and running a thread past the
 * breakpoint it stopped at.
 *
 * Every function takes a thread memsup holds in a ptrace stop. ESRCH (the
 * thread was killed under memsup) is not an error: its exit comes later
 * through wait4. Other failures are said once, here.
 */
#ifndef MEMSUP_STOP_H
#define MEMSUP_STOP_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <sys/user.h>

#include "supervisor/tracee.h"

/* PTRACE_CONT with signal SIG (0: none). */
void tracee_resume(struct tracee *t, int sig);
/* PTRACE_GETREGS, PTRACE_SETREGS: 0, or -1. */
int tracee_get_regs(struct tracee *t, struct user_regs_struct *regs);
int tracee_set_regs(struct tracee *t, const struct user_regs_struct *regs);

/*
 * Writes made while handling one stop, sent in one process_vm_writev():
 * the emulated push of an allocator's first instruction and the trampoline
 * written over its return address are adjacent stack words. Sent by
 * stop_step_over(); on the stack of the function handling the stop.
 */
struct write_batch {
	const struct remote *mem;
	struct iovec local[4], remote[4];
	uint64_t buf[4];
	unsigned n;
};

void batch_init(struct write_batch *wb, const struct remote *mem);
/* Queues LEN bytes of BUF for ADDR (CTX: the batch); written at once
 * when the batch is full or LEN is more than a word. 0, or -1. */
int batch_write(void *ctx, uint64_t addr, const void *buf, size_t len);

/*
 * Resumes T past the breakpoint BP it stopped at, with REGS as read at
 * the stop, after sending WB. The displaced instruction is emulated
 * when step.c can; otherwise the int3 is lifted for one single-step
 * (TRACEE_STEPPING), with the other threads of the process held, and
 * stop_step_done() puts it back at the step's trap.
 */
void stop_step_over(struct tracee *t, struct breakpoint *bp,
		    struct user_regs_struct *regs, struct write_batch *wb);
/* T's single-step is over: the int3 goes back, T runs on with SIG, and
 * only then its siblings, which may single-step in turn. */
void stop_step_done(struct session *s, struct tracee *t, int sig);
/* Whether a thread of PROC single-steps over a lifted int3. */
int stop_someone_stepping(const struct process *proc);

/*
 * Interrupts every other thread of T's process (TRACEE_HELD) and waits
 * until each has reported a stop, which is kept for later
 * (stop_hold_status()). A thread parked for a detach is left alone.
 */
void stop_hold_siblings(struct tracee *t);
/* Keeps the STATUS that held thread T reported, for its release. */
void stop_hold_status(struct tracee *t, int status);
/*
 * Lets T's held siblings go: each one's kept stop is dispatched, or it
 * is resumed; they stay held while a thread of the process steps.
 */
void stop_release_siblings(struct session *s, struct tracee *t);
/* The same once T runs again, unless a thread of its process steps. */
void stop_release_held(struct session *s, struct tracee *t);

#endif
