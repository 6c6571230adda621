/*
 * Detach (detach.h, docs/supervisor.md "A hit in flight at the detach"):
 * every thread stopped and parked, then every change memsup made to the
 * process undone, then PTRACE_DETACH.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "supervisor/detach.h"
#include "supervisor/engine.h"
#include "supervisor/event.h"
#include "supervisor/leakcheck.h"
#include "supervisor/msg.h"
#include "supervisor/process.h"
#include "supervisor/signals.h"
#include "supervisor/stop.h"
#include "supervisor/trampoline.h"

/*
 * Whether T has a SIGTRAP of the kernel's queued (si_code > 0: an int3's
 * SI_KERNEL, a single-step's TRAP_TRACE or TRAP_BRKPT), not one that
 * kill() or raise() sent (si_code <= 0). A trap queued without its
 * siginfo (the kernel could not allocate one) shows only in the thread's
 * pending set, /proc/TID/status SigPnd: that counts too.
 */
static int kernel_trap_queued(const struct tracee *t)
{
	struct __ptrace_peeksiginfo_args a = { 0, 0, 16 };
	siginfo_t si[16];
	char path[64], line[256];
	unsigned long long pnd = 0;
	long n, i;
	FILE *fp;

	n = ptrace(PTRACE_PEEKSIGINFO, t->tid, &a, si);
	for (i = 0; i < n; i++)
		if (si[i].si_signo == SIGTRAP)
			return si[i].si_code > 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)t->tid);
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "SigPnd: %llx", &pnd) == 1)
			break;
	fclose(fp);
	return (pnd >> (SIGTRAP - 1)) & 1;
}

/*
 * Whether T, with SP its stack pointer and BP's int3 just run (or about
 * to run), came there by returning to the trampoline: the same test as
 * process_entry()'s.
 */
static int at_trampoline(const struct tracee *t, const struct breakpoint *bp,
			 uint64_t sp)
{
	return bp->fn == FN_ENTRY && process_entry_is_return(t, sp);
}

/*
 * T reports its stop for the detach (the event-stop of the interrupt).
 *
 * The kernel reports that stop before a signal already queued: a thread
 * that ran one of memsup's int3s just as it was interrupted stops with
 * rip one past the int3 and the breakpoint's SIGTRAP still pending. Once
 * detached it would take that SIGTRAP untraced: killed, or, with a
 * handler, resumed one byte into an instruction (gdb's "moribund
 * locations" problem). Such a thread is rewound to the breakpoint's
 * address (the original instruction has not run; at the trampoline the
 * call is completed instead, and it goes on at the caller) and resumed
 * only to take that SIGTRAP, before any of its code runs; detach_drain_stop()
 * parks it at that signal-delivery-stop, which PTRACE_DETACH then
 * cancels (signal 0).
 *
 * A thread single-stepping over a lifted int3 finishes the step first:
 * stop_step_done() puts the int3 back and resumes it and the siblings it
 * held, and session_detach() interrupts it again; so does a thread with
 * a trap of the in-process engine's queued, which is taken normally. A
 * thread that returned to the trampoline and stopped before running its
 * int3 gets its real return address. Any other thread is parked as it
 * is.
 */
void detach_stop(struct session *s, struct tracee *t)
{
	struct aspace *as = t->proc->as;
	struct user_regs_struct regs;
	struct breakpoint *bp;
	int held = 0;

	t->flags &= ~TRACEE_DETACHING;
	if (t->flags & TRACEE_STEPPING) {
		if (ptrace(PTRACE_SINGLESTEP, t->tid, 0L, 0L) < 0 &&
		    errno != ESRCH)
			perror_msg("ptrace(PTRACE_SINGLESTEP, %d)", (int)t->tid);
		return;
	}
	t->flags |= TRACEE_PARKED;
	if (tracee_get_regs(t, &regs) < 0)
		return;
	bp = bp_find(&as->bps, regs.rip - 1);
	if (bp && kernel_trap_queued(t)) {
		if (!at_trampoline(t, bp, regs.rsp))
			regs.rip = bp->addr;
		else if (trampoline_complete(s, t, &regs, &held) < 0)
			error_msg("process %d thread %d returned to the "
				  "trampoline with no call pending: it will "
				  "rerun the program's entry point",
				  (int)t->proc->pid, (int)t->tid);
		if (tracee_set_regs(t, &regs) < 0)
			return;
		if (held)
			stop_release_held(s, t);
		if (msg_verbosity() > 1)
			verbose_msg("thread %d: caught in a hit of %s by the "
				    "detach; its trap is discarded", (int)t->tid,
				    bp->name);
		t->flags = (t->flags & ~TRACEE_PARKED) | TRACEE_DRAINING;
		tracee_resume(t, 0);
		return;
	}
	if (!bp && engine_of(s)->may_trap(t->proc) && kernel_trap_queued(t)) {
		/*
		 * A trap of the in-process engine's recorder (or the
		 * program's own int3): taken as at any other time, through
		 * session_dispatch(); session_detach() then interrupts T again.
		 */
		t->flags &= ~TRACEE_PARKED;
		tracee_resume(t, 0);
		return;
	}
	bp = bp_find(&as->bps, regs.rip);
	if (bp && regs.rip == as->entry && at_trampoline(t, bp, regs.rsp) &&
	    trampoline_complete(s, t, &regs, &held) == 0) {
		tracee_set_regs(t, &regs);
		if (held)
			stop_release_held(s, t);
	}
}

/*
 * A stop of T, resumed by detach_stop() to take its queued SIGTRAP: that
 * trap's signal-delivery-stop parks it (the detach discards the signal).
 * A signal of the program's dequeued first goes on to it (its handler's
 * frame is set up, the trap comes next, before the handler runs); a
 * second interrupt's stop is passed over.
 */
void detach_drain_stop(struct tracee *t, int event, int sig)
{
	if (event == 0 && sig == SIGTRAP) {
		t->flags = (t->flags & ~TRACEE_DRAINING) | TRACEE_PARKED;
		return;
	}
	tracee_resume(t, event == 0 ? sig : 0);
}

/* Interrupts every tracee not parked yet; whether any is still running. */
static int interrupt_unparked(struct session *s)
{
	struct process *proc;
	struct tracee *t;
	int running = 0;

	for (proc = s->procs; proc; proc = proc->next) {
		for (t = proc->threads; t; t = t->pnext) {
			if (t->flags & TRACEE_PARKED)
				continue;
			running = 1;
			if (t->flags & (TRACEE_DETACHING | TRACEE_DRAINING))
				continue;
			t->flags |= TRACEE_DETACHING;
			if (ptrace(PTRACE_INTERRUPT, t->tid, 0L, 0L) < 0 &&
			    errno != ESRCH)
				perror_msg("ptrace(PTRACE_INTERRUPT, %d)",
					   (int)t->tid);
		}
	}
	return running;
}

static void release_process(struct session *s, struct process *proc)
{
	struct aspace *as = proc->as;
	struct tracee *t;
	size_t i;

	if (engine_of(s)->release(proc))
		error_msg("could not restore every allocator entry of process "
			  "%d", (int)proc->pid);
	/* Calls in flight return to their callers, not to the trampoline. */
	for (t = proc->threads; t; t = t->pnext)
		for (i = 0; i < t->rs.n; i++)
			if (!(t->rs.v[i].fn == FN_BOUNDARY &&
			      t->rs.v[i].arg[0] == P_RETSITE) &&
			    remote_write(&as->mem, t->rs.v[i].slot,
					 &t->rs.v[i].ret, 8) < 0 &&
			    errno != ESRCH)
				perror_msg("restore a return address in "
					   "process %d", (int)proc->pid);
	if (bp_disarm_all(&as->bps, &as->mem))
		error_msg("could not remove every breakpoint from process "
			  "%d; it may stop with SIGTRAP", (int)proc->pid);
	for (t = proc->threads; t; t = t->pnext)
		if (ptrace(PTRACE_DETACH, t->tid, 0L, 0L) < 0 &&
		    errno != ESRCH)
			perror_msg("ptrace(PTRACE_DETACH, %d)", (int)t->tid);
}

void session_detach(struct session *s)
{
	int status;
	pid_t tid;

	session_stop_seen();
	/*
	 * Every thread must be stopped before the first int3 is lifted:
	 * one still running could be between a hit and its report, and
	 * would come back to a breakpoint that no longer exists.
	 */
	while (interrupt_unparked(s)) {
		tid = wait4(-1, &status, __WALL, NULL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno != ECHILD)
				perror_msg("wait4");
			break;
		}
		session_dispatch(s, tid, status);
	}
	while (s->procs) {
		struct process *proc = s->procs;

		/* Every thread is parked: the leak check of a live process. */
		leakcheck_final_scan(proc);
		release_process(s, proc);
		process_close_scopes(s, proc, "memsup detached", 0);
		process_finish(s, proc, SCOPE_PASSED, NULL);
	}
}
