/*
 * The event loop: one wait4(-1, __WALL) at a time, each stop classified
 * once and handled to completion before its thread is resumed (strace's
 * next_event()/dispatch_event()). Breakpoint hits of different threads
 * are independent stops; a thread's in-flight calls live in its own
 * retstack, never in state shared between threads.
 */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config/allocshape.h"
#include "supervisor/custom_alloc.h"
#include "supervisor/event.h"
#include "supervisor/alloc.h"
#include "supervisor/inject.h"
#include "supervisor/leakcheck.h"
#include "supervisor/fixture.h"
#include "supervisor/notests.h"
#include "supervisor/runtime.h"
#include "supervisor/session.h"
#include "supervisor/stackmap.h"
#include "supervisor/unwind.h"
#include "supervisor/msg.h"
#include "supervisor/xmalloc.h"

static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t stop_seen;

/*
 * A signal that lands between the loop's check and its entry into wait4()
 * would not interrupt the wait; the handler therefore re-arms a 20 ms
 * timer until the loop has seen the request, so that wait4() is always
 * interrupted soon after.
 */
static void poke_loop(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 20000 } };

	setitimer(ITIMER_REAL, &it, NULL);
}

static void on_signal(int signo, siginfo_t *si, void *uc)
{
	(void)uc;
	/* SIGALRM is memsup's own timer's (SI_KERNEL): one that kill()
	 * sent (si_code <= 0) is not a --timeout. */
	if (signo == SIGALRM && si && si->si_code <= 0)
		return;
	if (!stop_signal)
		stop_signal = signo;
	if (!stop_seen)
		poke_loop();
}

/*
 * The dispositions memsup inherited for the signals it changes: the
 * program gets them back (session_restore_signals()) before its exec, so
 * that it sees what it would see natively (a SIGPIPE that memsup ignores,
 * a SIGINT that "cmd &" ignores).
 */
static const int own_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGALRM, SIGPIPE };
static struct sigaction inherited[sizeof(own_signals) / sizeof(own_signals[0])];

void session_restore_signals(void)
{
	size_t i;

	for (i = 0; i < sizeof(own_signals) / sizeof(own_signals[0]); i++)
		sigaction(own_signals[i], &inherited[i], NULL);
}

void session_install_signals(unsigned timeout)
{
	struct sigaction sa;
	size_t i;

	for (i = 0; i < sizeof(own_signals) / sizeof(own_signals[0]); i++)
		sigaction(own_signals[i], NULL, &inherited[i]);
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_signal;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: wait4() must return EINTR. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	/* A closed terminal or pipe is an error memsup reports (EPIPE). */
	signal(SIGPIPE, SIG_IGN);
	if (timeout) {
		struct itimerval it = { { 0, 0 }, { (time_t)timeout, 0 } };

		setitimer(ITIMER_REAL, &it, NULL);
	}
}

int session_stop_signal(void)
{
	return stop_signal;
}

/* ---- resuming ---- */

static void resume(struct tracee *t, int sig)
{
	/* ESRCH: killed under us (SIGKILL, exit_group of a sibling); the
	 * exit is reported by wait4 later. */
	if (ptrace(PTRACE_CONT, t->tid, 0L, (long)sig) < 0 && errno != ESRCH)
		perror_msg("ptrace(PTRACE_CONT, %d)", (int)t->tid);
}

static int get_regs(struct tracee *t, struct user_regs_struct *regs)
{
	if (ptrace(PTRACE_GETREGS, t->tid, 0L, regs) < 0) {
		if (errno != ESRCH)
			perror_msg("ptrace(PTRACE_GETREGS, %d)", (int)t->tid);
		return -1;
	}
	return 0;
}

static int set_regs(struct tracee *t, const struct user_regs_struct *regs)
{
	if (ptrace(PTRACE_SETREGS, t->tid, 0L, regs) < 0) {
		if (errno != ESRCH)
			perror_msg("ptrace(PTRACE_SETREGS, %d)", (int)t->tid);
		return -1;
	}
	return 0;
}

/*
 * Writes made while handling one stop, sent in one process_vm_writev():
 * the emulated push of an allocator's first instruction and the trampoline
 * written over its return address are adjacent stack words.
 */
struct write_batch {
	const struct remote *mem;
	struct iovec local[4], remote[4];
	uint64_t buf[4];
	unsigned n;
};

static int batch_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	struct write_batch *wb = ctx;

	return remote_read(wb->mem, addr, buf, len);
}

static int batch_write(void *ctx, uint64_t addr, const void *buf, size_t len)
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

static void batch_init(struct write_batch *wb, const struct remote *mem)
{
	wb->mem = mem;
	wb->n = 0;
}

/*
 * While T single-steps over a lifted int3, no other thread of its process
 * may run: it could pass the breakpoint unseen (docs/supervisor.md). They are
 * interrupted, and a stop any of them reports meanwhile is kept for
 * later (dispatch() sees TRACEE_HELD).
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

/* Records the stop (or exit) HELD tracee O reports, for later. */
static void held_stopped(struct tracee *o, int status)
{
	if (WIFSTOPPED(status) && (unsigned)status >> 16 == PTRACE_EVENT_STOP &&
	    !o->has_held_status) {
		o->flags |= TRACEE_HELD_STOPPED;
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
static void hold_siblings(struct tracee *t)
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
				held_stopped(o, status);
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

static void dispatch(struct session *s, pid_t tid, int status);
static void detach_stop(struct session *s, struct tracee *t);

static int someone_stepping(const struct process *proc)
{
	return proc->nstepping > 0;
}

static void release_siblings(struct session *s, struct tracee *t)
{
	struct tracee *o, *next;

	for (o = t->proc->threads; o; o = next) {
		int status, had = o->has_held_status, stopped;

		next = o->pnext;
		if (!(o->flags & TRACEE_HELD))
			continue;
		/* A released thread's stop made it single-step in turn:
		 * the rest stay held until that step is done. */
		if (someone_stepping(t->proc))
			break;
		stopped = o->flags & TRACEE_HELD_STOPPED;
		status = o->held_status;
		o->flags &= ~(TRACEE_HELD | TRACEE_HELD_STOPPED);
		o->has_held_status = 0;
		if (had)
			dispatch(s, o->tid, status);
		else if (stopped && (o->flags & TRACEE_DETACHING))
			detach_stop(s, o);	/* its interrupts were one stop */
		else if (stopped)
			resume(o, 0);
		/* Else its interrupt stop comes later, and is resumed then. */
	}
}

static void scopes_changed(struct process *proc, size_t before);

/*
 * A scope closes at T's stop. Its leak scan reads every thread's
 * registers and stack, so the other threads are held stopped for it (a
 * running thread could move a pointer from memory not read yet to memory
 * already read), and let go by release_held() once T runs again: a held
 * stop dispatched while T is still stopped could try to hold T in turn.
 */
static void finish_held(struct session *s, struct tracee *t,
			struct scope *sc)
{
	size_t before = t->proc->heap.nopen;

	if (leakcheck_will_scan(t->proc, sc))
		hold_siblings(t);
	t->proc->returning = t->tid;
	scope_finish(s, t->proc, sc, SCOPE_PASSED, NULL, 1);
	t->proc->returning = 0;
	scopes_changed(t->proc, before);
}

static void release_held(struct session *s, struct tracee *t)
{
	if (!someone_stepping(t->proc))
		release_siblings(s, t);
}

/*
 * Resumes T past the breakpoint BP it stopped at, with REGS as read at the
 * stop. The displaced instruction is emulated when step.c can; otherwise
 * the int3 is lifted for one single-step, with the other threads of the
 * process held, and put back at the trap.
 */
static void step_over(struct tracee *t, struct breakpoint *bp,
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
		if (set_regs(t, regs) == 0)
			resume(t, 0);
		return;
	}
	if (batch_flush(wb) < 0 || set_regs(t, regs) < 0)
		return;
	/* Siblings stop before the int3 is lifted, never after. */
	t->flags |= TRACEE_STEPPING;
	t->proc->nstepping++;
	t->step_bp = bp->addr;
	if (t->proc->nthreads > 1)
		hold_siblings(t);
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

/* A test call returning to RET no longer will: drop its claim on the
 * return-site breakpoint. */
static void unref_return_site(struct process *proc, uint64_t ret)
{
	struct aspace *as = proc->as;
	struct breakpoint *bp = bp_find(&as->bps, ret);

	if (!bp || bp->fn != FN_BOUNDARY_RET || !bp->refs)
		return;
	if (!--bp->refs && bp_disarm(&as->bps, &as->mem, bp) < 0 &&
	    errno != ESRCH)
		perror_msg("remove a breakpoint from process %d",
			   (int)proc->pid);
}

/* T's single-step is over: the int3 goes back, T runs on with SIG, and
 * only then its siblings, which may single-step in turn. */
static void step_done(struct session *s, struct tracee *t, int sig)
{
	struct aspace *as = t->proc->as;
	struct breakpoint *bp = bp_find(&as->bps, t->step_bp);

	t->flags &= ~TRACEE_STEPPING;
	t->proc->nstepping--;
	if (bp && bp_wanted(t->proc, bp) && bp_arm(&as->bps, &as->mem, bp) < 0)
		perror_msg("re-insert breakpoint at %#llx in process %d",
			   (unsigned long long)bp->addr, (int)t->proc->pid);
	resume(t, sig);
	release_siblings(s, t);
}

/* ---- allocator events ---- */

static void scopes_changed(struct process *proc, size_t before);

/* The six integer arguments of the call stopped at its entry. */
static void call_args(const struct user_regs_struct *regs, uint64_t args[6])
{
	args[0] = regs->rdi;
	args[1] = regs->rsi;
	args[2] = regs->rdx;
	args[3] = regs->rcx;
	args[4] = regs->r8;
	args[5] = regs->r9;
}

/*
 * Whether this free-class call is the inner part of the free-class call in
 * progress on T: free() inside operator delete or a custom free, or one
 * delete variant calling or tail-jumping to another (then on the same
 * frame). The outer call is still running only while its return slot
 * holds the return address it had at entry; a new call from the same
 * caller at the same depth is a different function entry. PTR is this
 * call's block (a policy free's free_arg), compared with the outer's.
 */
static int nested_free(struct tracee *t, struct breakpoint *bp,
		       const struct user_regs_struct *regs, uint64_t ptr)
{
	uint64_t v;

	if (!t->nest_ptr || ptr != t->nest_ptr ||
	    regs->rsp > t->nest_sp || bp->addr == t->nest_bp)
		return 0;
	return remote_read(&t->proc->as->mem, t->nest_sp, &v, sizeof(v)) == 0 &&
	       v == t->nest_ret;
}

static void on_free(struct tracee *t, struct breakpoint *bp,
		    const struct user_regs_struct *regs)
{
	uint64_t ptr = regs->rdi, args[6];
	int gone;

	if (bp->fn == FN_CUSTOM_FREE && bp->data) {
		call_args(regs, args);
		ptr = allocshape_freed(bp->data, args);
	}
	if (nested_free(t, bp, regs, ptr))
		return;
	t->nest_ptr = 0;
	if (!ptr)
		return;
	if (bp->fn == FN_CUSTOM_FREE && bp->data)
		gone = custom_free(&t->proc->heap, bp->data, args,
				   t->proc->pid) == 0 ? 0 : -1;
	else
		gone = heap_free(&t->proc->heap, ptr);
	if (gone < 0 && msg_verbosity() > 1)
		verbose_msg("process %d thread %d: %s(%#llx) of an unknown "
			    "block", (int)t->proc->pid, (int)t->tid, bp->name,
			    (unsigned long long)ptr);
	if (bp->fn != FN_FREE &&
	    remote_read(&t->proc->as->mem, regs->rsp, &t->nest_ret,
			sizeof(t->nest_ret)) == 0) {
		t->nest_ptr = ptr;
		t->nest_sp = regs->rsp;
		t->nest_bp = bp->addr;
	}
}

/*
 * A word of T's stack at this stop: from the unwinder's copy when
 * on_allocator_entry() opened one, else read on its own.
 */
static int stack_word(struct tracee *t, uint64_t addr, uint64_t *v)
{
	struct aspace *as = t->proc->as;

	if (as->uw && unwinder_peek(as->uw, addr, v) == 0)
		return 0;
	return remote_read(&as->mem, addr, v, sizeof(*v));
}

unsigned tracee_unwind(struct tracee *t, const struct user_regs_struct *regs,
		       uint64_t *pcs, unsigned max)
{
	struct unwinder *uw = t->proc->as->uw;
	struct unwind_fixup fx[16];
	unsigned n, nfx = 0;
	size_t i;

	/* The trampoline in return slots is memsup's: show the callers. */
	for (i = t->rs.n; i-- > 0 && nfx < 16;) {
		const struct pending *p = &t->rs.v[i];

		if (p->fn == FN_BOUNDARY && p->arg[0] == P_RETSITE)
			continue;
		fx[nfx].slot = p->slot;
		fx[nfx].value = p->ret;
		nfx++;
	}
	unwinder_set_fixups(uw, fx, nfx);
	n = unwinder_unwind(uw, t->tid, regs, pcs, max);
	unwinder_set_fixups(uw, NULL, 0);
	return n;
}

/* The caller's stack of the allocation T is entering, interned; 0 when
 * stacks are off or nothing could be unwound. */
static uint32_t capture_stack(struct session *s, struct tracee *t,
			      const struct user_regs_struct *regs)
{
	struct aspace *as = t->proc->as;
	uint64_t pcs[POLICY_MAX_STACK_DEPTH];
	unsigned n;

	if (!s->stack_depth || !as->uw || !as->img)
		return 0;
	n = tracee_unwind(t, regs, pcs, s->stack_depth);
	return n ? stacks_intern(&s->stacks, as->img->id, pcs, n) : 0;
}

static int on_alloc(struct session *s, struct tracee *t,
		    struct breakpoint *bp, const struct user_regs_struct *regs,
		    struct write_batch *wb)
{
	struct aspace *as = t->proc->as;
	struct pending *p;
	uint64_t ret, size, args[6];

	call_args(regs, args);
	if (bp->fn == FN_CUSTOM_ALLOC && bp->data &&
	    custom_alloc_size(&t->proc->heap, bp->data, args, t->proc->pid,
			      &size) < 0)
		return 0;	/* a misdescribed allocator: not counted */
	if (stack_word(t, regs->rsp, &ret) < 0)
		return -1;
	p = retstack_push(&t->rs);
	p->slot = regs->rsp;
	p->ret = ret;
	p->fn = (int)bp->fn;
	p->arg[2] = capture_stack(s, t, regs);
	alloc_request(bp->fn, bp->data, args, &p->arg[0], &p->arg[1]);
	/* The call now returns to the trampoline. */
	return batch_write(wb, regs->rsp, &as->entry, sizeof(as->entry));
}

/*
 * A frame on T's retstack was abandoned: a longjmp or an exception went
 * past it. A test scope opened there closes, unfinished (docs/discovery.md).
 */
struct prune_ctx {
	struct session *s;
	struct tracee *t;
};

static void on_abandoned(struct pending *p, void *arg)
{
	struct prune_ctx *pc = arg;
	struct process *proc = pc->t->proc;
	size_t before = proc->heap.nopen;

	if (p->fn != FN_BOUNDARY)
		return;
	if (p->arg[0] == P_RETSITE)
		unref_return_site(proc, p->ret);
	if (!p->data)
		return;
	scope_finish(pc->s, proc, p->data, SCOPE_UNFINISHED,
		     xstrdup("the test's frame was abandoned (longjmp or "
			     "exception past it)"), 1);
	scopes_changed(proc, before);
}

/*
 * Drops the calls in flight on T that can no longer return at stack
 * pointer SP: those whose return slot lies below SP on SP's own stack.
 * A slot in another mapping is on another stack (a coroutine's, an
 * alternate signal stack, a stack the program mapped): the thread
 * switched stacks and the frame still returns when it switches back.
 */
static void prune(struct session *s, struct tracee *t, uint64_t sp)
{
	struct prune_ctx pc = { s, t };
	struct pending *top = retstack_top(&t->rs);

	if (top && top->slot < sp &&
	    stackmap_same(t->proc->pid, top->slot, sp))
		retstack_prune(&t->rs, sp, on_abandoned, &pc);
}

void session_abandoned(struct session *s, struct tracee *t, uint64_t slot)
{
	prune(s, t, slot + 1);
}

/* What the return slot of a live call P holds. */
static uint64_t pending_slot_value(const struct tracee *t,
				   const struct pending *p)
{
	if (p->fn == FN_BOUNDARY && p->arg[0] == P_RETSITE)
		return p->ret;
	return t->proc->as->entry;
}

/*
 * While a call is live nothing writes its return slot; once abandoned
 * (longjmp past it), the stack below the landing frame is reused by the
 * next calls, which write their own return addresses there. Checking the
 * innermost test's slot at each event therefore closes an abandoned test
 * before later allocations are counted in it, even when the stack pointer
 * never rises above its frame (Check's no-fork runner after a failed
 * assertion calls on at the depth the test ran at).
 */
static void validate_frames(struct session *s, struct tracee *t)
{
	size_t i;
	uint64_t v;

	for (i = t->rs.n; i-- > 0;) {
		struct pending *p = &t->rs.v[i];

		if (p->fn != FN_BOUNDARY)
			continue;
		if (stack_word(t, p->slot, &v) == 0 &&
		    v != pending_slot_value(t, p))
			prune(s, t, p->slot + 1);
		return;
	}
}

/*
 * At a function's entry, SP is the slot of its own return address. A call
 * pending in that same slot is either abandoned (a longjmp back to the
 * caller, which then called again at the same depth: Check's no-fork mode
 * after a failed assertion) or is tail-jumping here and still running.
 * An allocator call in flight has the trampoline in its slot. A test
 * function may tail-jump to an allocator (free() at its end, at -O2): its
 * real return address is still there; but it never tail-jumps into
 * another test, so at a BOUNDARY's entry the same slot means abandoned.
 */
static void prune_at_entry(struct session *s, struct tracee *t, uint64_t sp,
			   int boundary)
{
	struct pending *top;
	uint64_t ret, live;

	prune(s, t, sp);
	top = retstack_top(&t->rs);
	if (!top)
		return;
	if (top->slot != sp) {
		validate_frames(s, t);
		return;
	}
	live = pending_slot_value(t, top);
	if ((top->fn == FN_BOUNDARY && boundary) ||
	    (stack_word(t, sp, &ret) == 0 && ret != live))
		prune(s, t, sp + 1);
}

/*
 * Whether T is inside an intercepted allocation call (docs/supervisor.md: one call,
 * one event), dropping frames that were abandoned. A pending call whose
 * slot is SP itself is still live: glibc's realloc(NULL, n) tail-jumps to
 * malloc, which then runs on realloc's frame, the trampoline in its slot.
 */
static int in_allocator(struct session *s, struct tracee *t, uint64_t sp)
{
	struct pending *top;

	prune_at_entry(s, t, sp, 0);
	top = retstack_top(&t->rs);
	return top && FN_IS_ALLOCATOR(top->fn);
}

static void on_allocator_entry(struct session *s, struct tracee *t,
			       struct breakpoint *bp,
			       struct user_regs_struct *regs)
{
	/*
	 * One copy of the stack for the reads below and the unwind. A free
	 * reads one word at most: a read of its own is cheaper than pages.
	 */
	struct unwinder *uw = FN_IS_FREE(bp->fn) ? NULL : t->proc->as->uw;
	struct write_batch wb;

	batch_init(&wb, &t->proc->as->mem);
	if (uw)
		unwinder_begin(uw, t->tid, regs->rsp);
	if (!in_allocator(s, t, regs->rsp) && t->proc->heap.nopen) {
		if (FN_IS_FREE(bp->fn))
			on_free(t, bp, regs);
		else if (on_alloc(s, t, bp, regs, &wb) < 0 && errno != ESRCH)
			perror_msg("read the return address of %s in process %d",
				   bp->name, (int)t->proc->pid);
	}
	if (uw)
		unwinder_end(uw);
	step_over(t, bp, regs, &wb);
}

/*
 * An intercepted call returned to the trampoline (REGS: T at the
 * trampoline, its return address popped): its effect is recorded and
 * REGS->rip set to where the call really returns; *HELD says whether
 * T's siblings are held for a test's close (release_held() once T runs).
 * -1 when no call in flight on T had that slot.
 */
static int complete_return(struct session *s, struct tracee *t,
			   struct user_regs_struct *regs, int *held)
{
	struct process *proc = t->proc;
	uint64_t slot = regs->rsp - 8, addr;
	uint32_t stack;
	struct pending *p;

	*held = 0;
	prune(s, t, slot);
	/* Not the innermost call when T runs on several stacks: a call on
	 * one returns while calls on another are still in flight. */
	p = retstack_find(&t->rs, slot);
	if (!p) {
		/*
		 * A call that was taken for abandoned (its thread switched
		 * stacks in a way the stack pointer did not show) returns
		 * after all: it goes back to its caller; its scope was
		 * closed early, with a reason.
		 */
		if (!retstack_take_gone(&t->rs, slot, &addr))
			return -1;
		regs->rip = addr;
		warning_msg("process %d thread %d: a call memsup had taken "
			    "for abandoned returned after all; its test, if "
			    "any, was closed early", (int)proc->pid,
			    (int)t->tid);
		return 0;
	}
	stack = (uint32_t)p->arg[2];
	if (msg_verbosity() > 1 && regs->rax && p->fn != FN_BOUNDARY &&
	    blocks_find(&proc->heap.live, regs->rax, NULL) == 0)
		verbose_msg("thread %d: %s returned %#llx, still live: a free "
			    "was not seen", (int)t->tid, bp_fn_name(p->fn),
			    (unsigned long long)regs->rax);
	if (p->fn == FN_BOUNDARY) {
		if (p->data && !fixture_returned(proc, p->data)) {
			finish_held(s, t, p->data);
			*held = 1;
		}
	} else if (p->fn == FN_FIXTURE) {
		fixture_returned(proc, p->data);
	} else {
		addr = regs->rax;
		if (p->fn == FN_POSIX_MEMALIGN &&
		    ((int)regs->rax != 0 ||
		     remote_read(&proc->as->mem, p->arg[0], &addr,
				 sizeof(addr)) < 0))
			addr = 0;
		alloc_returned(&proc->heap, (enum bp_fn)p->fn, p->arg[0],
			       p->arg[1], addr, stack);
	}
	regs->rip = p->ret;
	retstack_remove(&t->rs, p);
	return 0;
}

/* The trampoline: an intercepted call returns. */
static void on_return(struct session *s, struct tracee *t,
		      struct user_regs_struct *regs)
{
	struct process *proc = t->proc;
	int held;

	if (complete_return(s, t, regs, &held) < 0) {
		/*
		 * Nothing tells where this thread should go: memsup lost
		 * track of the call. It is said, and the program gets the
		 * SIGSEGV of a wild return, as natively a return to a
		 * clobbered address would; memsup does not kill it.
		 */
		error_msg("process %d thread %d returned to memsup's "
			  "trampoline with no call pending (memsup lost track "
			  "of it): it gets SIGSEGV", (int)proc->pid,
			  (int)t->tid);
		if (set_regs(t, regs) == 0)
			resume(t, SIGSEGV);
		return;
	}
	if (set_regs(t, regs) == 0)
		resume(t, 0);
	if (held)
		release_held(s, t);
}

/* ---- arming ---- */

static void add_allocator(struct process *proc, const char *name,
			  enum bp_fn fn, const struct allocator_spec *spec)
{
	struct aspace *as = proc->as;
	struct breakpoint *bp;
	uint64_t addr;

	addr = objects_resolve(&as->objs, name);
	if (!addr || bp_find(&as->bps, addr) || inject_redirected(proc, addr))
		return;
	if (as->inj) {
		const char *why;

		if (inject_redirect(proc, addr, fn, spec, name, &why) == 0) {
			verbose_msg("process %d: %s at %#llx redirected to the "
				    "recorder", (int)proc->pid, name,
				    (unsigned long long)addr);
			return;
		}
		warning_msg("process %d: cannot redirect %s at %#llx to the "
			    "recorder (%s): a breakpoint instead",
			    (int)proc->pid, name, (unsigned long long)addr, why);
	}
	bp = bp_add(&as->bps, &as->mem, addr, fn, name);
	if (!bp) {
		perror_msg("read %s at %#llx in process %d", name,
			   (unsigned long long)addr, (int)proc->pid);
		return;
	}
	bp->data = (void *)spec;
	verbose_msg("process %d: %s at %#llx%s", (int)proc->pid, name,
		    (unsigned long long)addr, bp->emulable ? "" :
		    " (first instruction single-stepped)");
	if (proc->heap.nopen && bp_arm(&as->bps, &as->mem, bp) < 0)
		perror_msg("insert breakpoint on %s in process %d", name,
			   (int)proc->pid);
}

/* Resolves every allocator name not bound yet and arms what is new. */
static void resolve_allocators(struct session *s, struct process *proc)
{
	static const char *const unwinders[] = {
		"_Unwind_RaiseException", "_Unwind_Resume_or_Rethrow",
		"_Unwind_ForcedUnwind",
	};
	struct aspace *as = proc->as;
	struct breakpoint *bp;
	uint64_t addr;
	size_t i;

	for (i = 0; i < nallocator_symbols; i++)
		add_allocator(proc, allocator_symbols[i].name,
			      allocator_symbols[i].fn, NULL);
	/* Exceptions must see true return addresses (on_unwind()). */
	for (i = 0; i < sizeof(unwinders) / sizeof(unwinders[0]); i++) {
		addr = objects_resolve(&as->objs, unwinders[i]);
		if (!addr || bp_find(&as->bps, addr))
			continue;
		bp = bp_add(&as->bps, &as->mem, addr, FN_UNWIND, unwinders[i]);
		if (!bp || bp_arm(&as->bps, &as->mem, bp) < 0)
			perror_msg("watch %s in process %d (an exception "
				   "through a test would end the program)",
				   unwinders[i], (int)proc->pid);
	}
	if (!s->pol)
		return;
	for (i = 0; i < s->pol->nallocators; i++) {
		const struct allocator_spec *a = &s->pol->allocators[i];

		add_allocator(proc, a->alloc, FN_CUSTOM_ALLOC, a);
		if (a->free)
			add_allocator(proc, a->free, FN_CUSTOM_FREE, a);
	}
}

static void watch_r_brk(struct process *proc)
{
	struct aspace *as = proc->as;
	struct breakpoint *bp;
	uint64_t brk = objects_r_brk(&as->objs, &as->mem);

	if (!brk || brk == as->r_brk)
		return;
	as->r_brk = brk;
	bp = bp_add(&as->bps, &as->mem, brk, FN_RBRK, "_dl_debug_state");
	if (!bp || bp_arm(&as->bps, &as->mem, bp) < 0)
		perror_msg("watch the dynamic linker of process %d (dlopen'd "
			   "libraries will not be supervised)", (int)proc->pid);
}

/* Test boundaries: always armed, they open the scopes. */
static void arm_boundaries(struct process *proc, uint64_t bias)
{
	struct aspace *as = proc->as;
	const struct boundaries *bs = as->img ? as->img->bounds : NULL;
	struct breakpoint *bp;
	uint64_t addr;
	size_t i;

	/*
	 * Check's TCase names are known only at run time: every test is
	 * registered through _tcase_add_test(TCase *, const TTest *, ...)
	 * before the suite runs.
	 */
	as->bias = bias;
	for (i = 0; bs && i < bs->n; i++)
		if (bs->v[i].ttest_vaddr)
			break;
	if (bs && i < bs->n &&
	    (addr = objects_resolve(&as->objs, "_tcase_add_test")) &&
	    (!(bp = bp_add(&as->bps, &as->mem, addr, FN_TCASE,
			   "_tcase_add_test")) ||
	     bp_arm(&as->bps, &as->mem, bp) < 0))
		perror_msg("watch Check's _tcase_add_test in process %d (test "
			   "classnames fall back to file names)",
			   (int)proc->pid);
	/* Checked fixtures join their tests' scopes (fixture.h). */
	if (bs && i < bs->n &&
	    (addr = objects_resolve(&as->objs, "tcase_add_checked_fixture")) &&
	    (!(bp = bp_add(&as->bps, &as->mem, addr, FN_FIXTURE_ADD,
			   "tcase_add_checked_fixture")) ||
	     bp_arm(&as->bps, &as->mem, bp) < 0))
		perror_msg("watch Check's tcase_add_checked_fixture in process "
			   "%d (checked fixtures stay outside their tests' "
			   "scopes)", (int)proc->pid);

	for (i = 0; bs && i < bs->n; i++) {
		const struct boundary *b = &bs->v[i];

		/* A runner in a library: found by name, once it is mapped. */
		addr = b->vaddr ? bias + b->vaddr :
		       objects_resolve(&as->objs, b->symbol);
		if (!addr)
			continue;
		bp = bp_add(&as->bps, &as->mem, addr, FN_BOUNDARY,
			    b->symbol);
		if (!bp || bp_arm(&as->bps, &as->mem, bp) < 0) {
			perror_msg("insert a breakpoint on test '%s' in "
				   "process %d", b->name, (int)proc->pid);
			continue;
		}
		/* Two names at one address (aliases): the first is used. */
		if (!bp->data)
			bp->data = (void *)b;
	}
}

int process_arm(struct session *s, struct process *proc)
{
	struct aspace *as = proc->as;
	struct elf_image *img;
	uint64_t bias;

	img = elf_image_open(proc->exe);
	if (!img) {
		error_msg("cannot read the executable '%s' of process %d: %s",
			  proc->exe, (int)proc->pid, elfsym_error());
		return -1;
	}
	bias = as->entry - elf_image_entry(img);
	elf_image_free(img);
	if (objects_start(&as->objs, &as->mem, proc->exe, bias) < 0)
		return -1;
	objects_refresh(&as->objs, &as->mem);
	if (as->img)
		image_add_objects(as->img, &as->objs);
	/*
	 * Not at an exec stop: the exec's return would overwrite the
	 * injected system call's number. A static program then gets its
	 * recorder at its entry point, before it runs anything.
	 */
	if (s->engine == ENGINE_INJECT && !as->inj && s->in_exec) {
		as->inj_deferred = 1;
	} else {
		if (s->engine == ENGINE_INJECT && !as->inj)
			inject_place(s, proc, s->cur && s->cur->proc == proc ?
					       s->cur : proc->threads);
		resolve_allocators(s, proc);
	}
	arm_boundaries(proc, bias);
	watch_r_brk(proc);
	as->started = 1;
	return 0;
}

static void on_r_brk(struct session *s, struct tracee *t,
		     struct breakpoint *bp, struct user_regs_struct *regs)
{
	struct aspace *as = t->proc->as;
	uint64_t ret;

	/* RT_CONSISTENT: the link map is complete again. */
	if (objects_r_state(&as->objs, &as->mem) == 0) {
		if (!as->started) {
			if (process_arm(s, t->proc) == 0)
				scopes_changed(t->proc, 0);
		} else if (objects_refresh(&as->objs, &as->mem) > 0) {
			if (as->img)
				image_add_objects(as->img, &as->objs);
			if (as->uw)
				unwinder_flush(as->uw);
			inject_flush_rules(t->proc);
			resolve_allocators(s, t->proc);
		}
	}
	/* _dl_debug_state is a bare "ret" in glibc 2.36. */
	if (bp->orig[0] == 0xc3 &&
	    remote_read(&as->mem, regs->rsp, &ret, sizeof(ret)) == 0) {
		regs->rip = ret;
		regs->rsp += 8;
		if (set_regs(t, regs) == 0)
			resume(t, 0);
		return;
	}
	{
		struct write_batch wb;

		batch_init(&wb, &as->mem);
		step_over(t, bp, regs, &wb);
	}
}

/* ---- scopes ---- */

static char *read_proc_cmdline(pid_t pid)
{
	char path[64], buf[4096];
	FILE *fp;
	size_t n, i;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return xstrdup("?");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	while (n && buf[n - 1] == 0)
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == 0)
			buf[i] = ' ';
	buf[n] = 0;
	return xstrdup(buf);
}

static char *read_proc_exe(pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	return xstrdup(buf);
}

struct auxv_info {
	uint64_t entry;			/* AT_ENTRY */
	uint64_t base;			/* AT_BASE: the interpreter, 0 if none */
};

static int read_auxv(pid_t pid, struct auxv_info *ai)
{
	char path[64];
	Elf64_auxv_t av;
	FILE *fp;

	memset(ai, 0, sizeof(*ai));
	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	while (fread(&av, sizeof(av), 1, fp) == 1 && av.a_type != AT_NULL) {
		if (av.a_type == AT_ENTRY)
			ai->entry = av.a_un.a_val;
		else if (av.a_type == AT_BASE)
			ai->base = av.a_un.a_val;
	}
	fclose(fp);
	return ai->entry ? 0 : -1;
}

/* The path of the object mapped at file offset 0 at START, or NULL. */
static char *mapped_path(pid_t pid, uint64_t start)
{
	char path[64], line[4352], file[4096];
	unsigned long long lo, hi, off;
	char *found = NULL;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return NULL;
	while (!found && fgets(line, sizeof(line), fp)) {
		file[0] = 0;
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %4095[^\n]", &lo,
			   &hi, &off, file) >= 3 &&
		    lo == start && off == 0 && file[0] == '/')
			found = xstrdup(file);
	}
	fclose(fp);
	return found;
}

/*
 * Watches the dynamic linker from the start: its _dl_debug_state (r_brk)
 * is called with RT_CONSISTENT once every initial library is mapped, before
 * any of their constructors runs (libstdc++'s allocates its emergency
 * pool there), and again after each dlopen and dlclose.
 */
static int watch_interpreter(struct process *proc, uint64_t base)
{
	struct aspace *as = proc->as;
	struct elf_image *img;
	struct elf_sym sym;
	struct breakpoint *bp;
	char *interp = mapped_path(proc->pid, base);
	int ret = -1;

	if (!interp)
		return -1;
	img = elf_image_open(interp);
	if (img && elf_image_lookup(img, "_r_debug", ELFSYM_DYNSYM |
				    ELFSYM_SYMTAB, &sym) == 0)
		as->objs.r_debug = base + sym.value;
	if (img && elf_image_lookup(img, "_dl_debug_state", ELFSYM_DYNSYM |
				    ELFSYM_SYMTAB, &sym) == 0) {
		as->r_brk = base + sym.value;
		bp = bp_add(&as->bps, &as->mem, as->r_brk, FN_RBRK,
			    "_dl_debug_state");
		if (bp && bp_arm(&as->bps, &as->mem, bp) == 0)
			ret = 0;
	}
	if (img)
		elf_image_free(img);
	free(interp);
	return ret;
}

static void process_open_program_scope(struct session *s,
				       struct process *proc)
{
	scope_open(s, proc, NULL);
}

/* Arms allocators on the 0 -> 1 transition of open scopes. */
static void scopes_changed(struct process *proc, size_t before)
{
	struct aspace *as = proc->as;
	int on = proc->heap.nopen > 0;

	if (!as->started || (before > 0) == on)
		return;
	inject_enable(proc, on);
	if (bp_set_allocators(&as->bps, &as->mem, on))
		perror_msg("%s allocator breakpoints in process %d",
			   on ? "insert" : "remove", (int)proc->pid);
}

/*
 * A new program image in PROC (after exec, or at launch or attach): reads
 * what it is and where its entry point is, and puts the int3 there. When
 * STARTED the image is already running (attach): arm at once.
 */
int process_new_image(struct session *s, struct process *proc, int started)
{
	struct elf_image *img;
	struct aspace *as;
	struct auxv_info ai;
	struct breakpoint *bp;

	free(proc->exe);
	free(proc->command);
	proc->exe = read_proc_exe(proc->pid);
	proc->command = read_proc_cmdline(proc->pid);
	if (!proc->exe) {
		perror_msg("read /proc/%d/exe", (int)proc->pid);
		return -1;
	}
	img = elf_image_open(proc->exe);
	if (img && (elf_image_class(img) != ELFCLASS64 ||
		    elf_image_machine(img) != EM_X86_64)) {
		error_msg("process %d exec'd '%s', a %s program: memsup "
			  "supervises x86-64 programs only; killing it",
			  (int)proc->pid, proc->exe,
			  elf_image_class(img) == ELFCLASS32 ? "32-bit" :
			  "non-x86-64");
		elf_image_free(img);
		s->failed_exec = 1;
		kill(proc->pid, SIGKILL);
		return -1;
	}
	if (img)
		elf_image_free(img);
	as = proc->as;
	as->img = image_new(s, proc->exe);
	if (s->stack_depth && !as->uw)
		as->uw = unwinder_new(proc->pid, s->unwind_mode);
	if (read_auxv(proc->pid, &ai) < 0) {
		error_msg("cannot find the entry point of '%s' (process %d)",
			  proc->exe, (int)proc->pid);
		return -1;
	}
	as->entry = ai.entry;
	as->entry_reached = started;
	bp = bp_add(&as->bps, &as->mem, as->entry, FN_ENTRY, "entry point");
	if (!bp || bp_arm(&as->bps, &as->mem, bp) < 0) {
		perror_msg("insert a breakpoint at the entry point of '%s' "
			   "(process %d)", proc->exe, (int)proc->pid);
		return -1;
	}
	if (notests_program_scope(s, as->img->bounds))
		process_open_program_scope(s, proc);
	/*
	 * A dynamically linked program is armed when ld.so reports its
	 * initial libraries; a static one has everything mapped already.
	 */
	if (ai.base && watch_interpreter(proc, ai.base) < 0 && !started)
		warning_msg("cannot watch the dynamic linker of '%s' (process "
			    "%d): supervision starts at its entry point",
			    proc->exe, (int)proc->pid);
	if (started || !ai.base) {
		if (process_arm(s, proc) < 0)
			return -1;
		scopes_changed(proc, 0);
	}
	return 0;
}

static void on_entry(struct session *s, struct tracee *t,
		     struct breakpoint *bp, struct user_regs_struct *regs)
{
	struct process *proc = t->proc;
	struct aspace *as = proc->as;
	struct pending *p = retstack_top(&t->rs);
	struct write_batch wb;

	if (as->entry_reached || (p && p->slot == regs->rsp - 8)) {
		on_return(s, t, regs);
		return;
	}
	/* The program runs its entry point, once. */
	as->entry_reached = 1;
	if (!as->started && process_arm(s, proc) == 0)
		scopes_changed(proc, 0);
	if (as->inj_deferred) {
		as->inj_deferred = 0;
		inject_place(s, proc, t);
		resolve_allocators(s, proc);
		inject_enable(proc, proc->heap.nopen > 0);
	}
	batch_init(&wb, &as->mem);
	step_over(t, bp, regs, &wb);
}

/* ---- process events ---- */

/*
 * The process's image ends (exit, signal, exec) with scopes open. The
 * whole-program scope ends normally unless a signal killed it; a test
 * scope did not return, so it is unfinished with the reason (docs/discovery.md).
 */
static void close_scopes(struct session *s, struct process *proc,
			 const char *why, int killed)
{
	fixture_drop_pending(proc);
	while (proc->heap.nopen) {
		struct scope *sc = proc->heap.open[proc->heap.nopen - 1];
		enum scope_status st = SCOPE_UNFINISHED;
		char *reason;

		if (sc->is_program) {
			st = killed ? SCOPE_UNFINISHED : SCOPE_PASSED;
			reason = killed ? xstrdup(why) : NULL;
		} else {
			reason = xasprintf("%s inside the test", why);
		}
		scope_finish(s, proc, sc, st, reason, 0);
	}
}

static void on_exec(struct session *s, struct tracee *t)
{
	struct process *proc = t->proc;
	unsigned long former = 0;
	struct tracee *o, *next;

	/*
	 * A non-leader thread that execs takes over the leader's tid; the
	 * others are gone (strace maybe_switch_tcbs()).
	 */
	ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &former);
	for (o = proc->threads; o; o = next) {
		next = o->pnext;
		if (o != t)
			tracee_free(s, o);
	}
	retstack_release(&t->rs);
	retstack_init(&t->rs);
	t->nest_ptr = 0;
	t->flags &= ~(TRACEE_STEPPING | TRACEE_HELD | TRACEE_HELD_STOPPED);
	t->has_held_status = 0;
	proc->nstepping = 0;
	if (former && (pid_t)former != t->tid)
		verbose_msg("thread %lu of process %d exec'd", former,
			    (int)proc->pid);

	inject_drain(s, proc, 1);
	close_scopes(s, proc, "exec'd a new program", 0);
	heap_release(&proc->heap);
	heap_init(&proc->heap);
	aspace_put(proc->as);
	proc->as = aspace_new(proc->pid);
	if (process_new_image(s, proc, 0) < 0)
		error_msg("process %d runs unsupervised after exec",
			  (int)proc->pid);
}

/*
 * A child forked inside a test: the test's scope stays its parent's
 * (docs/discovery.md, a scope belongs to one process).
 */
static void forget_parent_tests(struct tracee *t)
{
	size_t i;

	/* Still returned through (the child's stack holds the trampoline
	 * or the return-site int3), but closing nothing. */
	for (i = 0; i < t->rs.n; i++)
		if (t->rs.v[i].fn == FN_BOUNDARY)
			t->rs.v[i].data = NULL;
}

static struct process *new_child_process(struct session *s,
					 struct tracee *parent_t, pid_t pid,
					 int share_vm)
{
	struct process *parent = parent_t->proc;
	struct process *proc = process_new(s, pid);
	struct tracee *t;

	heap_release(&proc->heap);
	heap_fork(&proc->heap, &parent->heap);
	if (share_vm) {
		proc->as = aspace_get(parent->as);
	} else {
		proc->as = xcalloc(1, sizeof(*proc->as));
		proc->as->refs = 1;
		remote_open(&proc->as->mem, pid);
		bp_table_copy(&proc->as->bps, &parent->as->bps);
		objects_copy(&proc->as->objs, &parent->as->objs);
		proc->as->entry = parent->as->entry;
		proc->as->r_brk = parent->as->r_brk;
		proc->as->started = parent->as->started;
		proc->as->entry_reached = parent->as->entry_reached;
		proc->as->img = parent->as->img;
		proc->as->bias = parent->as->bias;
		if (parent->as->uw)
			proc->as->uw = unwinder_fork(parent->as->uw, pid);
		if (parent->as->inj)
			proc->as->inj_parent = aspace_get(parent->as);
	}
	proc->exe = xstrdup(parent->exe ? parent->exe : "?");
	proc->command = xstrdup(parent->command ? parent->command : "?");
	t = tracee_new(s, proc, pid);
	/* The forking thread's pending returns live on in the child's copy
	 * of its stack (uprobes_copy_process). */
	retstack_release(&t->rs);
	retstack_copy(&t->rs, &parent_t->rs);
	if (!share_vm)
		forget_parent_tests(t);
	if (notests_program_scope(s, proc->as->img ?
					 proc->as->img->bounds : NULL))
		process_open_program_scope(s, proc);
	else if (!share_vm)
		scopes_changed(proc, parent->heap.nopen);
	/* a vfork child runs in its parent's memory: the allocator
	 * breakpoints there stay as its parent's scopes want them */
	return proc;
}

static int take_early(struct session *s, pid_t pid)
{
	unsigned i;

	for (i = 0; i < s->nearly; i++) {
		if (s->early[i] == pid) {
			s->early[i] = s->early[--s->nearly];
			return 1;
		}
	}
	return 0;
}

static pid_t tgid_of(pid_t tid)
{
	char path[64], line[256];
	pid_t tgid = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(fp);
	return tgid;
}

/*
 * A forked child stopped for the first time, before it runs anything: it
 * gets a recorder ring of its own (its parent's is still mapped there).
 */
static void child_ready(struct session *s, struct tracee *child)
{
	struct aspace *as = child->proc->as, *parent = as->inj_parent;
	struct process *pp;

	if (!parent)
		return;
	as->inj_parent = NULL;
	for (pp = s->procs; pp && pp->as != parent; pp = pp->next)
		;
	if (pp)
		inject_fork(s, pp, child->proc, child);
	aspace_put(parent);
	inject_sync_fixups(child);
}

static void on_new_child(struct session *s, struct tracee *t, int event)
{
	unsigned long msg = 0;
	struct tracee *child;
	pid_t pid;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &msg) < 0)
		return;
	pid = (pid_t)msg;
	if (event == PTRACE_EVENT_CLONE && tgid_of(pid) == t->proc->pid) {
		child = tracee_new(s, t->proc, pid);
	} else {
		struct process *proc = new_child_process(s, t, pid,
				event == PTRACE_EVENT_VFORK);

		child = proc->threads;
	}
	/* If its first stop came before this event, it waits for us; and
	 * longer while a sibling single-steps over a lifted int3. */
	if (take_early(s, pid)) {
		child_ready(s, child);
		if (someone_stepping(child->proc))
			child->flags |= TRACEE_HELD | TRACEE_HELD_STOPPED;
		else
			resume(child, 0);
	}
}

/* A stop of a tid we do not know: a new child ahead of its parent's event. */
static void on_unknown(struct session *s, pid_t tid, int status)
{
	if (!WIFSTOPPED(status))
		return;
	if (s->nearly < sizeof(s->early) / sizeof(s->early[0])) {
		s->early[s->nearly++] = tid;
		return;
	}
	/* Should not happen: let it run unsupervised rather than hang. */
	error_msg("too many new threads ahead of their parents; thread %d "
		  "runs unsupervised", (int)tid);
	ptrace(PTRACE_DETACH, tid, 0L, 0L);
}

static char *describe_status(int status)
{
	if (WIFSIGNALED(status))
		return xasprintf("killed by signal %s%s",
				 sigabbrev_np(WTERMSIG(status)) ? "SIG" : "",
				 sigabbrev_np(WTERMSIG(status)) ?
				 sigabbrev_np(WTERMSIG(status)) : "?");
	return xasprintf("exited with status %d", WEXITSTATUS(status));
}

/*
 * Whether T, in PTRACE_EVENT_EXIT, takes its process's memory with it:
 * it called exit_group (the other threads are being killed and run no
 * more user code), or it is the last thread and calls exit. A thread
 * killed by a signal is not: the scopes it ends are unfinished.
 */
static int leaving_process(struct tracee *t)
{
	struct user_regs_struct regs;
	unsigned long msg = 0;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &msg) < 0 ||
	    !WIFEXITED((int)msg) || get_regs(t, &regs) < 0)
		return 0;
	return regs.orig_rax == SYS_exit_group ||
	       (regs.orig_rax == SYS_exit && t->proc->nthreads == 1);
}

static void on_exit_status(struct session *s, struct tracee *t, int status)
{
	struct process *proc = t->proc;
	char *why;

	if (t->flags & TRACEE_STEPPING) {
		/* Died mid-step (SIGKILL): its siblings must not stay held. */
		t->flags &= ~TRACEE_STEPPING;
		proc->nstepping--;
		release_siblings(s, t);
	}
	if (t->tid != proc->pid) {
		tracee_free(s, t);
		return;
	}
	/* The leader's death is reported last, after every other thread. */
	if (proc->pid == s->main_pid)
		s->main_status = status;
	if (WIFSIGNALED(status) && s->stop_reason)
		why = xstrdup(s->stop_reason);
	else
		why = describe_status(status);
	close_scopes(s, proc, why, WIFSIGNALED(status));
	free(why);
	process_finish(s, proc, SCOPE_PASSED, NULL);
}

/*
 * A thread enters a test function: a scope opens until that call returns
 * to the trampoline, or its frame is abandoned. A recursive call opens
 * none (docs/discovery.md: one scope, at the outermost call).
 */
static void on_boundary(struct session *s, struct tracee *t,
			struct breakpoint *bp, struct user_regs_struct *regs)
{
	struct process *proc = t->proc;
	struct aspace *as = proc->as;
	const struct boundary *b = bp->data;
	struct write_batch wb;
	struct pending *p;
	struct scope *sc;
	uint64_t ret;
	size_t i, before;

	batch_init(&wb, &as->mem);
	prune_at_entry(s, t, regs->rsp, 1);
	/* A framework's runner: the test it runs, named at run time. */
	if (b && b->runner)
		b = runtime_enter(s, t, b, regs);
	for (i = 0; i < t->rs.n; i++) {
		const struct scope *open = t->rs.v[i].data;

		if (t->rs.v[i].fn == FN_BOUNDARY && open &&
		    open->boundary == b)
			break;
	}
	if (b && i == t->rs.n && !runtime_covers(t, b) &&
	    remote_read(&as->mem, regs->rsp, &ret, sizeof(ret)) == 0) {
		uint64_t key = runtime_fixture_key(b, as->bias);

		before = proc->heap.nopen;
		sc = fixture_take(s, proc, b, key);
		if (!sc)
			sc = scope_open(s, proc, b);
		fixture_hold(s, proc, sc, b, key);
		scopes_changed(proc, before);
		p = retstack_push(&t->rs);
		p->slot = regs->rsp;
		p->ret = ret;
		p->fn = FN_BOUNDARY;
		p->data = sc;
		batch_write(&wb, regs->rsp, &as->entry, sizeof(as->entry));
	}
	step_over(t, bp, regs, &wb);
}

/*
 * An exception is being raised on T. Every call in flight on T that
 * returns to the trampoline gets its real return address back, since
 * the unwinder reads them: the entry point as a return address would end
 * its walk and call std::terminate(). A test call then has its return
 * caught at the return site instead (P_RETSITE); an allocator call
 * raising (operator new's bad_alloc) allocates nothing and is dropped.
 */
static void on_unwind(struct session *s, struct tracee *t,
		      struct breakpoint *bp, struct user_regs_struct *regs)
{
	struct aspace *as = t->proc->as;
	struct breakpoint *rbp;
	struct write_batch wb;
	size_t i, k = 0;

	batch_init(&wb, &as->mem);
	for (i = 0; i < t->rs.n; i++) {
		struct pending *p = &t->rs.v[i];

		if (p->fn == FN_BOUNDARY && p->arg[0] == P_RETSITE) {
			t->rs.v[k++] = *p;
			continue;
		}
		if (remote_write(&as->mem, p->slot, &p->ret, sizeof(p->ret)) < 0)
			continue;
		if (p->fn != FN_BOUNDARY)
			continue;
		rbp = bp_add(&as->bps, &as->mem, p->ret, FN_BOUNDARY_RET,
			     "test return");
		if (rbp && rbp->fn == FN_BOUNDARY_RET &&
		    bp_arm(&as->bps, &as->mem, rbp) == 0) {
			rbp->refs++;
			p->arg[0] = P_RETSITE;
		}
		t->rs.v[k++] = *p;
	}
	t->rs.n = k;
	step_over(t, bp, regs, &wb);
}

/* A test function returns: its scope closes (docs/discovery.md). */
static void on_boundary_return(struct session *s, struct tracee *t,
			       struct breakpoint *bp,
			       struct user_regs_struct *regs)
{
	struct process *proc = t->proc;
	struct aspace *as = proc->as;
	uint64_t slot = regs->rsp - 8;
	struct write_batch wb;
	struct pending *p;
	int held = 0;

	prune(s, t, slot);
	p = retstack_top(&t->rs);
	if (p && p->fn == FN_BOUNDARY && p->arg[0] == P_RETSITE &&
	    p->slot == slot && p->ret == bp->addr) {
		if (p->data && !fixture_returned(proc, p->data)) {
			finish_held(s, t, p->data);
			held = 1;
		}
		t->rs.n--;
		bp->refs--;
	}
	regs->rip = bp->addr;
	if (!bp->refs) {
		/* The original instruction is back: run it for real. */
		if (bp_disarm(&as->bps, &as->mem, bp) < 0 && errno != ESRCH)
			perror_msg("remove a breakpoint from process %d",
				   (int)proc->pid);
		if (set_regs(t, regs) == 0)
			resume(t, 0);
	} else {
		/* Another thread's test returns here too: keep the int3. */
		batch_init(&wb, &as->mem);
		step_over(t, bp, regs, &wb);
	}
	if (held)
		release_held(s, t);
}

/*
 * _tcase_add_test(TCase *tc, const TTest *ttest, int signal,
 * int allowed_exit_value, int start, int end): Check 0.15's struct TCase
 * begins with its name (check_impl.h), TTest is the test's static
 * object, which discovery found by its link-time address, and a loop
 * test runs for _i from start to end - 1 (tcase_add_test: 0, 1).
 */
static void on_tcase(struct session *s, struct tracee *t,
		     struct breakpoint *bp, struct user_regs_struct *regs)
{
	struct aspace *as = t->proc->as;
	struct write_batch wb;
	uint64_t name_ptr;
	char name[256];

	if (as->img && as->img->bounds &&
	    remote_read(&as->mem, regs->rdi, &name_ptr, sizeof(name_ptr)) == 0 &&
	    remote_read_string(&as->mem, name_ptr, name, sizeof(name)) == 0)
		discover_set_tcase((struct boundaries *)as->img->bounds,
				   regs->rsi - as->bias, name, (int)regs->r8,
				   (int)regs->r9);
	fixture_note_test(as->img, regs->rdi, regs->rsi);
	batch_init(&wb, &as->mem);
	step_over(t, bp, regs, &wb);
}

/*
 * tcase_add_checked_fixture(TCase *tc, SFun setup, SFun teardown): the
 * functions are watched from now on, in this process and its children.
 */
static void on_fixture_add(struct session *s, struct tracee *t,
			   struct breakpoint *bp,
			   struct user_regs_struct *regs)
{
	struct aspace *as = t->proc->as;
	const uint64_t fns[2] = { regs->rsi, regs->rdx };
	struct breakpoint *fbp;
	struct write_batch wb;
	size_t i;

	(void)s;
	fixture_add(as->img, regs->rdi, regs->rsi, regs->rdx);
	for (i = 0; i < 2; i++) {
		if (!fns[i] || bp_find(&as->bps, fns[i]))
			continue;
		fbp = bp_add(&as->bps, &as->mem, fns[i], FN_FIXTURE,
			     i ? "checked teardown" : "checked setup");
		if (!fbp || bp_arm(&as->bps, &as->mem, fbp) < 0)
			perror_msg("insert a breakpoint on a checked fixture "
				   "in process %d", (int)t->proc->pid);
	}
	batch_init(&wb, &as->mem);
	step_over(t, bp, regs, &wb);
}

/* A checked setup or teardown is entered (fixture.h). */
static void on_fixture(struct session *s, struct tracee *t,
		       struct breakpoint *bp, struct user_regs_struct *regs)
{
	struct process *proc = t->proc;
	struct aspace *as = proc->as;
	unsigned role = fixture_role(as->img, bp->addr);
	struct write_batch wb;
	struct scope *sc = NULL;
	struct sym_frame fr;
	struct pending *p;
	uint64_t ret;
	size_t before = proc->heap.nopen;
	int last = 0;

	batch_init(&wb, &as->mem);
	prune_at_entry(s, t, regs->rsp, 1);
	if (role & FIXTURE_TEARDOWN)
		sc = fixture_teardown_entered(proc, bp->addr, &last);
	if (!sc && (role & FIXTURE_SETUP)) {
		if (!as->img || !symbolizer_lookup(as->img->sym, bp->addr, 0,
						     &fr, 1))
			fr.function = NULL;
		if (fixture_setup_entered(s, proc, bp->addr, fr.function))
			sc = proc->fixture;
		scopes_changed(proc, before);
	}
	if (sc && remote_read(&as->mem, regs->rsp, &ret, sizeof(ret)) == 0) {
		/* Its return closes the scope (the last teardown) or pauses
		 * it until the next fixture or the test. */
		p = retstack_push(&t->rs);
		p->slot = regs->rsp;
		p->ret = ret;
		p->fn = last ? FN_BOUNDARY : FN_FIXTURE;
		p->data = sc;
		batch_write(&wb, regs->rsp, &as->entry, sizeof(as->entry));
	}
	step_over(t, bp, regs, &wb);
}

/* ---- detach: a thread caught in the middle of a hit ---- */

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
 * on_entry()'s.
 */
static int at_trampoline(const struct tracee *t, const struct breakpoint *bp,
			 uint64_t sp)
{
	const struct pending *p = retstack_top(&t->rs);

	return bp->fn == FN_ENTRY &&
	       (t->proc->as->entry_reached || (p && p->slot == sp - 8));
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
 * only to take that SIGTRAP, before any of its code runs; drain_stop()
 * parks it at that signal-delivery-stop, which PTRACE_DETACH then
 * cancels (signal 0).
 *
 * A thread single-stepping over a lifted int3 finishes the step first:
 * step_done() puts the int3 back and resumes it and the siblings it
 * held, and session_detach() interrupts it again; so does a thread with
 * a trap of the in-process engine's queued, which is taken normally. A
 * thread that returned to the trampoline and stopped before running its
 * int3 gets its real return address. Any other thread is parked as it
 * is.
 */
static void detach_stop(struct session *s, struct tracee *t)
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
	if (get_regs(t, &regs) < 0)
		return;
	bp = bp_find(&as->bps, regs.rip - 1);
	if (bp && kernel_trap_queued(t)) {
		if (!at_trampoline(t, bp, regs.rsp))
			regs.rip = bp->addr;
		else if (complete_return(s, t, &regs, &held) < 0)
			error_msg("process %d thread %d returned to the "
				  "trampoline with no call pending: it will "
				  "rerun the program's entry point",
				  (int)t->proc->pid, (int)t->tid);
		if (set_regs(t, &regs) < 0)
			return;
		if (held)
			release_held(s, t);
		if (msg_verbosity() > 1)
			verbose_msg("thread %d: caught in a hit of %s by the "
				    "detach; its trap is discarded", (int)t->tid,
				    bp->name);
		t->flags = (t->flags & ~TRACEE_PARKED) | TRACEE_DRAINING;
		resume(t, 0);
		return;
	}
	if (!bp && as->inj && kernel_trap_queued(t)) {
		/*
		 * A trap of the in-process engine's recorder (or the
		 * program's own int3): taken as at any other time, through
		 * dispatch(); session_detach() then interrupts T again.
		 */
		t->flags &= ~TRACEE_PARKED;
		resume(t, 0);
		return;
	}
	bp = bp_find(&as->bps, regs.rip);
	if (bp && regs.rip == as->entry && at_trampoline(t, bp, regs.rsp) &&
	    complete_return(s, t, &regs, &held) == 0) {
		set_regs(t, &regs);
		if (held)
			release_held(s, t);
	}
}

/*
 * A stop of T, resumed by detach_stop() to take its queued SIGTRAP: that
 * trap's signal-delivery-stop parks it (the detach discards the signal).
 * A signal of the program's dequeued first goes on to it (its handler's
 * frame is set up, the trap comes next, before the handler runs); a
 * second interrupt's stop is passed over.
 */
static void drain_stop(struct tracee *t, int event, int sig)
{
	if (event == 0 && sig == SIGTRAP) {
		t->flags = (t->flags & ~TRACEE_DRAINING) | TRACEE_PARKED;
		return;
	}
	resume(t, event == 0 ? sig : 0);
}

/* ---- dispatch ---- */

static int on_sigtrap(struct session *s, struct tracee *t)
{
	struct aspace *as = t->proc->as;
	struct user_regs_struct regs;
	struct breakpoint *bp;

	if (t->flags & TRACEE_STEPPING) {
		step_done(s, t, 0);
		return 1;
	}
	if (get_regs(t, &regs) < 0)
		return 1;
	if (as->inj && inject_on_trap(s, t, &regs))
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
		if (set_regs(t, &regs) == 0)
			resume(t, 0);
		return 1;
	}
	switch (bp->fn) {
	case FN_ENTRY:
		on_entry(s, t, bp, &regs);
		break;
	case FN_RBRK:
		on_r_brk(s, t, bp, &regs);
		break;
	case FN_BOUNDARY:
		on_boundary(s, t, bp, &regs);
		break;
	case FN_TCASE:
		on_tcase(s, t, bp, &regs);
		break;
	case FN_BOUNDARY_RET:
		on_boundary_return(s, t, bp, &regs);
		break;
	case FN_UNWIND:
		on_unwind(s, t, bp, &regs);
		break;
	case FN_FIXTURE_ADD:
		on_fixture_add(s, t, bp, &regs);
		break;
	case FN_FIXTURE:
		on_fixture(s, t, bp, &regs);
		break;
	default:
		on_allocator_entry(s, t, bp, &regs);
		return 1;
	}
	/* Test returns moved: the recorder's walks must know */
	inject_sync_fixups(t);
	return 1;
}

static void dispatch(struct session *s, pid_t tid, int status)
{
	struct tracee *t = tracee_find(s, tid);
	int sig, event;

	if (!t) {
		on_unknown(s, tid, status);
		return;
	}
	/*
	 * What the recorder has in its ring happened before this stop:
	 * account for it first, so that scopes see exactly what the
	 * breakpoint engine would show them.
	 */
	s->cur = t;
	inject_drain(s, t->proc, (WIFEXITED(status) || WIFSIGNALED(status)) &&
			       t->tid == t->proc->pid);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		on_exit_status(s, t, status);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	sig = WSTOPSIG(status);
	event = (unsigned)status >> 16;
	/* A thread that appeared while a sibling single-steps is held too. */
	if (!(t->flags & (TRACEE_HELD | TRACEE_STEPPING)) &&
	    someone_stepping(t->proc))
		t->flags |= TRACEE_HELD;
	if (t->flags & TRACEE_HELD) {
		held_stopped(t, status);
		return;
	}
	if (t->flags & TRACEE_DRAINING) {
		drain_stop(t, event, sig);
		return;
	}
	/*
	 * A signal arrived before the single-step trapped: the instruction
	 * has not run. Put the int3 back and let the handler run; the thread
	 * comes back to the breakpoint afterwards (a repeated allocator
	 * entry in the same slot is seen as nested).
	 */
	if ((t->flags & TRACEE_STEPPING) && event == 0 && sig != SIGTRAP) {
		step_done(s, t, sig);
		return;
	}
	switch (event) {
	case 0:
		break;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		on_new_child(s, t, event);
		resume(t, 0);
		return;
	case PTRACE_EVENT_EXEC:
		s->in_exec = 1;
		on_exec(s, t);
		s->in_exec = 0;
		resume(t, 0);
		return;
	case PTRACE_EVENT_EXIT:
		/* The memory is still there: the leak scan at exit. */
		if (leaving_process(t))
			leakcheck_final_scan(t->proc);
		resume(t, 0);
		return;
	case PTRACE_EVENT_STOP:
		if (t->proc->as->inj_parent)
			child_ready(s, t);
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
		if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
		    sig == SIGTTOU) {
			/* Group-stop: stay stopped without blocking us, until
			 * SIGCONT (PTRACE_LISTEN needs PTRACE_SEIZE). */
			if (ptrace(PTRACE_LISTEN, tid, 0L, 0L) < 0 &&
			    errno != ESRCH)
				perror_msg("ptrace(PTRACE_LISTEN, %d)", (int)tid);
			return;
		}
		resume(t, 0);
		return;
	default:
		resume(t, 0);
		return;
	}
	if (sig == SIGTRAP && on_sigtrap(s, t))
		return;
	/* Signal-delivery-stop: the signal goes to the program unchanged. */
	resume(t, sig);
}

static void kill_all(struct session *s)
{
	struct process *proc;

	for (proc = s->procs; proc; proc = proc->next)
		kill(proc->pid, SIGKILL);
}

static void begin_stop(struct session *s)
{
	int sig = stop_signal;

	stop_seen = 1;
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
 * The in-process engine's rings are also drained by a thread of memsup's
 * while the program runs (inject_drainer_start()); the accounting is
 * then this loop's only while it waits in wait4().
 */
int session_run(struct session *s)
{
	int status, ret = 0;
	pid_t tid;

	inject_drainer_start(s);
	while (s->procs) {
		if (stop_signal && !s->stopping) {
			begin_stop(s);
			if (s->mode == MODE_ATTACH)
				break;
		}
		inject_unlock(s);
		tid = wait4(-1, &status, __WALL, NULL);
		inject_lock(s);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			perror_msg("wait4");
			ret = -1;
			break;
		}
		dispatch(s, tid, status);
	}
	inject_drainer_stop(s);
	return ret;
}

/* ---- detach ---- */

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

static void release_process(struct process *proc)
{
	struct aspace *as = proc->as;
	struct tracee *t;
	size_t i;

	if (inject_release(proc))
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

	stop_seen = 1;
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
		dispatch(s, tid, status);
	}
	while (s->procs) {
		struct process *proc = s->procs;

		/* Every thread is parked: the leak check of a live process. */
		leakcheck_final_scan(proc);
		release_process(proc);
		close_scopes(s, proc, "memsup detached", 0);
		process_finish(s, proc, SCOPE_PASSED, NULL);
	}
}
