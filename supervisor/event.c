/*
 * The event loop: one wait4(-1, __WALL) at a time, each stop classified
 * once and handled to completion before its thread is resumed (strace's
 * next_event()/dispatch_event()). Breakpoint hits of different threads
 * are independent stops; a thread's in-flight calls live in its own
 * retstack, never in state shared between threads.
 */
#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "supervisor/arm.h"
#include "supervisor/boundary.h"
#include "supervisor/detach.h"
#include "supervisor/engine.h"
#include "supervisor/event.h"
#include "supervisor/jobstop.h"
#include "supervisor/leakcheck.h"
#include "supervisor/msg.h"
#include "supervisor/process.h"
#include "supervisor/signals.h"
#include "supervisor/stop.h"

/*
 * A SIGTRAP of T: the engine's, one of memsup's breakpoints, or the
 * program's own (0: delivered to it).
 */
static int on_sigtrap(struct session *s, struct tracee *t)
{
	const struct engine_ops *eng = engine_of(s);
	struct aspace *as = t->proc->as;
	struct user_regs_struct regs;
	struct breakpoint *bp;

	if (t->flags & TRACEE_STEPPING) {
		stop_step_done(s, t, 0);
		return 1;
	}
	if (tracee_get_regs(t, &regs) < 0)
		return 1;
	if (eng->trap(s, t, &regs))
		return 1;
	bp = bp_find(&as->bps, regs.rip - 1);
	if (!bp)
		return 0;	/* the program's own SIGTRAP */
	if (!bp->armed) {
		/* Disarmed while this hit waited in the queue: rerun the
		 * original instruction (uprobes handle_swbp). */
		if (msg_verbosity() > 1)
			verbose_msg("thread %d: hit of the lifted breakpoint "
				    "on %s", (int)t->tid, bp->name);
		regs.rip = bp->addr;
		if (tracee_set_regs(t, &regs) == 0)
			tracee_resume(t, 0);
		return 1;
	}
	switch (bp->fn) {
	case FN_ENTRY:
		process_entry(s, t, bp, &regs);
		break;
	case FN_RBRK:
		arm_r_brk(s, t, bp, &regs);
		break;
	case FN_BOUNDARY:
		boundary_enter(s, t, bp, &regs);
		break;
	case FN_TCASE:
		boundary_tcase(s, t, bp, &regs);
		break;
	case FN_BOUNDARY_RET:
		boundary_return(s, t, bp, &regs);
		break;
	case FN_UNWIND:
		boundary_unwind(s, t, bp, &regs);
		break;
	case FN_FIXTURE_ADD:
		boundary_fixture_add(s, t, bp, &regs);
		break;
	case FN_FIXTURE:
		boundary_fixture(s, t, bp, &regs);
		break;
	default:
		eng->hit(s, t, bp, &regs);	/* an allocator's entry */
		return 1;
	}
	/* Test returns moved: the recorder's walks must know */
	eng->calls_moved(t);
	return 1;
}

void session_dispatch(struct session *s, pid_t tid, int status)
{
	const struct engine_ops *eng = engine_of(s);
	struct tracee *t = tracee_find(s, tid);
	int sig, event;

	if (!t) {
		process_unknown(s, tid, status);
		return;
	}
	/*
	 * What the engine recorded without stopping the program happened
	 * before this stop: account for it first, so that scopes see
	 * exactly what the breakpoint engine would show them.
	 */
	s->cur = t;
	eng->drain(s, t->proc, (WIFEXITED(status) || WIFSIGNALED(status)) &&
				t->tid == t->proc->pid);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		process_exit_status(s, t, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	sig = WSTOPSIG(status);
	event = (unsigned)status >> 16;
	/* A thread that appeared while a sibling single-steps is held too. */
	if (!(t->flags & (TRACEE_HELD | TRACEE_STEPPING)) &&
	    stop_someone_stepping(t->proc))
		t->flags |= TRACEE_HELD;
	if (t->flags & TRACEE_HELD) {
		stop_hold_status(t, status);
		return;
	}
	if (t->flags & TRACEE_DRAINING) {
		detach_drain_stop(t, event, sig);
		return;
	}
	/*
	 * A signal arrived before the single-step trapped: the instruction
	 * has not run. Put the int3 back and let the handler run; the thread
	 * comes back to the breakpoint afterwards (a repeated allocator
	 * entry in the same slot is seen as nested).
	 */
	if ((t->flags & TRACEE_STEPPING) && event == 0 && sig != SIGTRAP) {
		stop_step_done(s, t, sig);
		return;
	}
	switch (event) {
	case 0:
		break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		process_new_child(s, t, event);
		tracee_resume(t, 0);
		return;
	case PTRACE_EVENT_EXEC:
		s->in_exec = 1;
		process_exec(s, t);
		s->in_exec = 0;
		tracee_resume(t, 0);
		return;
	case PTRACE_EVENT_EXIT:
		/* The memory is still there: the leak scan at exit. */
		if (process_leaving(t))
			leakcheck_final_scan(t->proc);
		tracee_resume(t, 0);
		return;
	case PTRACE_EVENT_STOP:
		eng->child_ready(s, t);
		if (t->flags & TRACEE_DETACHING) {
			detach_stop(s, t);
			return;
		}
		/*
		 * A stale PTRACE_INTERRUPT (from holding siblings earlier)
		 * can fire as the single-step starts, before the step: go
		 * on stepping, never run free with the int3 lifted.
		 */
		if ((t->flags & TRACEE_STEPPING) && sig == SIGTRAP) {
			if (ptrace(PTRACE_SINGLESTEP, tid, 0L, 0L) < 0 &&
			    errno != ESRCH)
				perror_msg("ptrace(PTRACE_SINGLESTEP, %d)",
					   (int)tid);
			return;
		}
		if (jobstop_is_group_stop(status)) {
			/* Group-stop: stay stopped without blocking us, until
			 * SIGCONT (PTRACE_LISTEN needs PTRACE_SEIZE). */
			jobstop_listen(t);
			return;
		}
		tracee_resume(t, 0);
		return;
	default:
		tracee_resume(t, 0);
		return;
	}
	if (sig == SIGTRAP && on_sigtrap(s, t))
		return;
	/* Signal-delivery-stop: the signal goes to the program unchanged. */
	tracee_resume(t, sig);
}

static void kill_all(struct session *s)
{
	struct process *proc;

	for (proc = s->procs; proc; proc = proc->next)
		kill(proc->pid, SIGKILL);
}

static void begin_stop(struct session *s)
{
	int sig = session_stop_signal();

	session_stop_seen();
	s->stopping = 1;
	if (sig == SIGALRM)
		s->stop_reason = "killed by memsup after --timeout";
	else
		s->stop_reason = "memsup was interrupted";
	if (s->mode == MODE_ATTACH)
		return;		/* session_detach() does the rest */
	kill_all(s);
}

/*
 * The engine may work while the program runs (the in-process engine
 * drains its rings from a thread of memsup's): the accounting is then
 * this loop's except while it waits in wait4().
 */
int session_run(struct session *s)
{
	const struct engine_ops *eng = engine_of(s);
	int status, ret = 0;
	pid_t tid;

	eng->loop_start(s);
	while (s->procs) {
		if (session_stop_signal() && !s->stopping) {
			begin_stop(s);
			if (s->mode == MODE_ATTACH)
				break;
		}
		eng->wait_begin(s);
		tid = wait4(-1, &status, __WALL, NULL);
		eng->wait_end(s);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			perror_msg("wait4");
			ret = -1;
			break;
		}
		session_dispatch(s, tid, status);
	}
	eng->loop_stop(s);
	return ret;
}
