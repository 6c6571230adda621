/*
 * Calls in flight (trampoline.h): the intercepted calls whose return
 * address memsup replaced by its trampoline (the program's entry point),
 * kept per thread in its retstack; their returns, and the frames a
 * longjmp or an exception abandoned.
 */
#include <signal.h>

#include "supervisor/arm.h"
#include "supervisor/boundary.h"
#include "supervisor/engine.h"
#include "supervisor/fixture.h"
#include "supervisor/msg.h"
#include "supervisor/session.h"
#include "supervisor/stackmap.h"
#include "supervisor/stop.h"
#include "supervisor/trampoline.h"
#include "supervisor/unwind.h"
#include "supervisor/xmalloc.h"

int tracee_stack_word(struct tracee *t, uint64_t addr, uint64_t *v)
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

struct prune_ctx {
	struct session *s;
	struct tracee *t;
};

/*
 * A frame on T's retstack was abandoned: a longjmp or an exception went
 * past it. A test scope opened there closes, unfinished (docs/discovery.md).
 */
static void on_abandoned(struct pending *p, void *arg)
{
	struct prune_ctx *pc = arg;
	struct process *proc = pc->t->proc;
	size_t before = proc->heap.nopen;

	if (p->fn != FN_BOUNDARY)
		return;
	if (p->arg[0] == P_RETSITE)
		boundary_unref_return_site(proc, p->ret);
	if (!p->data)
		return;
	scope_finish(pc->s, proc, p->data, SCOPE_UNFINISHED,
		     xstrdup("the test's frame was abandoned (longjmp or "
			     "exception past it)"), 1);
	arm_scopes_changed(pc->s, proc, before);
}

void trampoline_prune(struct session *s, struct tracee *t, uint64_t sp)
{
	struct prune_ctx pc = { s, t };
	struct pending *top = retstack_top(&t->rs);

	if (top && top->slot < sp &&
	    stackmap_same(t->proc->pid, top->slot, sp))
		retstack_prune(&t->rs, sp, on_abandoned, &pc);
}

void session_abandoned(struct session *s, struct tracee *t, uint64_t slot)
{
	trampoline_prune(s, t, slot + 1);
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
		if (tracee_stack_word(t, p->slot, &v) == 0 &&
		    v != pending_slot_value(t, p))
			trampoline_prune(s, t, p->slot + 1);
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
void trampoline_prune_at_entry(struct session *s, struct tracee *t, uint64_t sp,
			       int boundary)
{
	struct pending *top;
	uint64_t ret, live;

	trampoline_prune(s, t, sp);
	top = retstack_top(&t->rs);
	if (!top)
		return;
	if (top->slot != sp) {
		validate_frames(s, t);
		return;
	}
	live = pending_slot_value(t, top);
	if ((top->fn == FN_BOUNDARY && boundary) ||
	    (tracee_stack_word(t, sp, &ret) == 0 && ret != live))
		trampoline_prune(s, t, sp + 1);
}

int trampoline_complete(struct session *s, struct tracee *t,
			struct user_regs_struct *regs, int *held)
{
	struct process *proc = t->proc;
	uint64_t slot = regs->rsp - 8, addr;
	struct pending *p;

	*held = 0;
	trampoline_prune(s, t, slot);
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
	if (msg_verbosity() > 1 && regs->rax && p->fn != FN_BOUNDARY &&
	    blocks_find(&proc->heap.live, regs->rax, NULL) == 0)
		verbose_msg("thread %d: %s returned %#llx, still live: a free "
			    "was not seen", (int)t->tid, bp_fn_name(p->fn),
			    (unsigned long long)regs->rax);
	if (p->fn == FN_BOUNDARY) {
		if (p->data && !fixture_returned(proc, p->data)) {
			boundary_close(s, t, p->data);
			*held = 1;
		}
	} else if (p->fn == FN_FIXTURE) {
		fixture_returned(proc, p->data);
	} else {
		/* an allocator call, which only the engine's hit() pushes */
		engine_of(s)->returned(proc, p, regs);
	}
	regs->rip = p->ret;
	retstack_remove(&t->rs, p);
	return 0;
}

void trampoline_return(struct session *s, struct tracee *t,
		       struct user_regs_struct *regs)
{
	struct process *proc = t->proc;
	int held;

	if (trampoline_complete(s, t, regs, &held) < 0) {
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
		if (tracee_set_regs(t, regs) == 0)
			tracee_resume(t, SIGSEGV);
		return;
	}
	if (tracee_set_regs(t, regs) == 0)
		tracee_resume(t, 0);
	if (held)
		stop_release_held(s, t);
}
