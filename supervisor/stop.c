/*
 * Stop control of traced threads (stop.h): resuming, registers, holding
 * a thread's siblings, and stepping over a breakpoint.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/detach.h"
#include "supervisor/event.h"
#include "supervisor/jobstop.h"
#include "supervisor/msg.h"
#include "supervisor/stop.h"

void tracee_resume(struct tracee *t, int sig)
{
	/* ESRCH: killed under us (SIGKILL, exit_group of a sibling); the
	 * exit is reported by wait4 later. */
	if (ptrace(PTRACE_CONT, t->tid, 0L, (long)sig) < 0 && errno != ESRCH)
		perror_msg("ptrace(PTRACE_CONT, %d)", (int)t->tid);
}

int tracee_get_regs(struct tracee *t, struct user_regs_struct *regs)
{
	if (ptrace(PTRACE_GETREGS, t->tid, 0L, regs) < 0) {
		if (errno != ESRCH)
			perror_msg("ptrace(PTRACE_GETREGS, %d)", (int)t->tid);
		return -1;
	}
	return 0;
}

int tracee_set_regs(struct tracee *t, const struct user_regs_struct *regs)
{
	if (ptrace(PTRACE_SETREGS, t->tid, 0L, regs) < 0) {
		if (errno != ESRCH)
			perror_msg("ptrace(PTRACE_SETREGS, %d)", (int)t->tid);
		return -1;
	}
	return 0;
}

static int batch_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct write_batch *wb = ctx;

	return remote_read(wb->mem, addr, buf, len);
}

int batch_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct write_batch *wb = ctx;

	if (wb->n == 4 || len > sizeof(wb->buf[0]))
		return remote_write(wb->mem, addr, buf, len);
	memcpy(&wb->buf[wb->n], buf, len);
	wb->local[wb->n].iov_base = &wb->buf[wb->n];
	wb->local[wb->n].iov_len = len;
	wb->remote[wb->n].iov_base = (void *)(uintptr_t)addr;
	wb->remote[wb->n].iov_len = len;
	wb->n++;
	return 0;
}

static int batch_flush(struct write_batch *wb)
{
	size_t total = 0;
	unsigned i;
	ssize_t n;

	if (!wb->n)
		return 0;
	for (i = 0; i < wb->n; i++)
		total += wb->local[i].iov_len;
	n = process_vm_writev(wb->mem->pid, wb->local, wb->n, wb->remote,
			      wb->n, 0);
	if (n != (ssize_t)total) {
		for (i = 0; i < wb->n; i++)
			if (remote_write(wb->mem, (uintptr_t)wb->remote[i].iov_base,
					 wb->local[i].iov_base,
					 wb->local[i].iov_len) < 0)
				return -1;
	}
	wb->n = 0;
	return 0;
}

void batch_init(struct write_batch *wb, const struct remote *mem)
{
	wb->mem = mem;
	wb->n = 0;
}

/*
 * While T single-steps over a lifted int3, no other thread of its process
 * may run: it could pass the breakpoint unseen (docs/supervisor.md). They are
 * interrupted, and a stop any of them reports meanwhile is kept for
 * later (session_dispatch() sees TRACEE_HELD).
 */
static int thread_is_dead(pid_t pid, pid_t tid)
{
	char path[96], buf[256], *p;
	FILE *fp;
	int dead = 1;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", (int)pid,
		 (int)tid);
	fp = fopen(path, "re");
	if (!fp)
		return 1;
	if (fgets(buf, sizeof(buf), fp) && (p = strrchr(buf, ')')) &&
	    p[1] == ' ')
		dead = p[2] == 'Z' || p[2] == 'X';
	fclose(fp);
	return dead;
}

/*
 * Records the stop (or exit) HELD tracee O reports, for later. An event
 * stop is the interrupt's, or a group-stop (the program was stopped
 * meanwhile: O is listened in at its release, not resumed).
 */
void stop_hold_status(struct tracee *o, int status)
{
	if (WIFSTOPPED(status) && (unsigned)status >> 16 == PTRACE_EVENT_STOP &&
	    !o->has_held_status) {
		o->flags |= TRACEE_HELD_STOPPED;
		if (jobstop_is_group_stop(status))
			o->flags |= TRACEE_GROUP_STOP;
	} else if (!o->has_held_status) {
		o->held_status = status;
		o->has_held_status = 1;
	}
}

/*
 * PTRACE_INTERRUPT does not stop a thread at once: each held sibling is
 * waited for until it reports a stop. A zombie leader (it called
 * pthread_exit) reports nothing until the others exit, and runs no code:
 * it is not waited for.
 */
void stop_hold_siblings(struct tracee *t)
{
	struct tracee *o;
	int status;
	pid_t r;

	for (o = t->proc->threads; o; o = o->pnext) {
		/* A thread parked for a detach stays stopped as it is. */
		if (o == t || (o->flags & (TRACEE_HELD | TRACEE_PARKED)))
			continue;
		o->flags |= TRACEE_HELD;
		if (ptrace(PTRACE_INTERRUPT, o->tid, 0L, 0L) < 0 &&
		    errno != ESRCH)
			perror_msg("ptrace(PTRACE_INTERRUPT, %d)", (int)o->tid);
	}
	for (o = t->proc->threads; o; o = o->pnext) {
		if (o == t || !(o->flags & TRACEE_HELD) ||
		    (o->flags & TRACEE_HELD_STOPPED) || o->has_held_status)
			continue;
		for (;;) {
			int leader = o->tid == t->proc->pid;

			r = waitpid(o->tid, &status,
				    __WALL | (leader ? WNOHANG : 0));
			if (r == o->tid) {
				stop_hold_status(o, status);
				break;
			}
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 || thread_is_dead(t->proc->pid, o->tid))
				break;
			if (r == 0)
				usleep(50);
		}
	}
}

int stop_someone_stepping(const struct process *proc)
{
	return proc->nstepping > 0;
}

void stop_release_siblings(struct session *s, struct tracee *t)
{
	struct tracee *o, *next;

	for (o = t->proc->threads; o; o = next) {
		int status, had = o->has_held_status, stopped, group;

		next = o->pnext;
		if (!(o->flags & TRACEE_HELD))
			continue;
		/* A released thread's stop made it single-step in turn:
		 * the rest stay held until that step is done. */
		if (stop_someone_stepping(t->proc))
			break;
		stopped = o->flags & TRACEE_HELD_STOPPED;
		group = o->flags & TRACEE_GROUP_STOP;
		status = o->held_status;
		o->flags &= ~(TRACEE_HELD | TRACEE_HELD_STOPPED |
			      TRACEE_GROUP_STOP);
		o->has_held_status = 0;
		if (had)
			session_dispatch(s, o->tid, status);
		else if (stopped && (o->flags & TRACEE_DETACHING))
			detach_stop(s, o);	/* its interrupts were one stop */
		else if (stopped && group)
			jobstop_listen(o);	/* the program is stopped */
		else if (stopped)
			tracee_resume(o, 0);
		/* Else its interrupt stop comes later, and is resumed then. */
	}
}

void stop_release_held(struct session *s, struct tracee *t)
{
	if (!stop_someone_stepping(t->proc))
		stop_release_siblings(s, t);
}

/*
 * Resumes T past the breakpoint BP it stopped at, with REGS as read at the
 * stop. The displaced instruction is emulated when step.c can; otherwise
 * the int3 is lifted for one single-step, with the other threads of the
 * process held, and put back at the trap.
 */
void stop_step_over(struct tracee *t, struct breakpoint *bp,
		    struct user_regs_struct *regs, struct write_batch *wb)
{
	struct aspace *as = t->proc->as;
	struct step_mem sm = { batch_read, batch_write, wb };

	regs->rip = bp->addr;
	if (bp->emulable && step_emulate(&bp->insn, regs, &sm) == 0) {
		if (batch_flush(wb) < 0) {
			if (errno != ESRCH)
				perror_msg("write to process %d",
					   (int)t->proc->pid);
			return;
		}
		if (tracee_set_regs(t, regs) == 0)
			tracee_resume(t, 0);
		return;
	}
	if (batch_flush(wb) < 0 || tracee_set_regs(t, regs) < 0)
		return;
	/* Siblings stop before the int3 is lifted, never after. */
	t->flags |= TRACEE_STEPPING;
	t->proc->nstepping++;
	t->step_bp = bp->addr;
	if (t->proc->nthreads > 1)
		stop_hold_siblings(t);
	if (bp_disarm(&as->bps, &as->mem, bp) < 0)
		perror_msg("lift breakpoint at %#llx in process %d",
			   (unsigned long long)bp->addr, (int)t->proc->pid);
	if (ptrace(PTRACE_SINGLESTEP, t->tid, 0L, 0L) < 0 && errno != ESRCH)
		perror_msg("ptrace(PTRACE_SINGLESTEP, %d)", (int)t->tid);
}

/* Whether BP should carry its int3 now. */
static int bp_wanted(const struct process *proc, const struct breakpoint *bp)
{
	if (FN_IS_ALLOCATOR(bp->fn))
		return proc->heap.nopen > 0;
	if (bp->fn == FN_BOUNDARY_RET)
		return bp->refs > 0;
	return 1;
}

/* T's single-step is over: the int3 goes back, T runs on with SIG, and
 * only then its siblings, which may single-step in turn. */
void stop_step_done(struct session *s, struct tracee *t, int sig)
{
	struct aspace *as = t->proc->as;
	struct breakpoint *bp = bp_find(&as->bps, t->step_bp);

	t->flags &= ~TRACEE_STEPPING;
	t->proc->nstepping--;
	if (bp && bp_wanted(t->proc, bp) && bp_arm(&as->bps, &as->mem, bp) < 0)
		perror_msg("re-insert breakpoint at %#llx in process %d",
			   (unsigned long long)bp->addr, (int)t->proc->pid);
	tracee_resume(t, sig);
	stop_release_siblings(s, t);
}
