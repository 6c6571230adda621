/*
 * The in-process engine as the event loop sees it (engine.h): a thin
 * layer over inject.c, which places the recorder, redirects the entries
 * and drains the rings (docs/design/inject.md). Where the recorder could
 * not be placed, or an entry could not be redirected, the breakpoint
 * engine's operations serve instead, so that every allocator is seen.
 */
#include "supervisor/engine.h"
#include "supervisor/inject.h"
#include "supervisor/msg.h"
#include "supervisor/recmaps.h"

/*
 * Places the recorder in PROC through T, once per image. A placement
 * that fails leaves the process as it was, and the image to the
 * breakpoint engine alone: no entry of it is redirected later, so that
 * no call is seen half by each engine. One that waits for the C library
 * (inject_place()) is tried again before the next allocators are
 * resolved; the entries resolved meanwhile (the executable's) keep
 * breakpoints.
 */
static void place_now(struct session *s, struct process *proc,
		      struct tracee *t)
{
	struct aspace *as = proc->as;
	struct tracee *u;

	if (as->inj || as->inj_failed)
		return;
	switch (inject_place(s, proc, t)) {
	case 0:
		/* tests in flight already have their returns trampolined */
		for (u = proc->threads; u; u = u->pnext)
			inject_sync_fixups(u);
		break;
	case 1:
		verbose_msg("process %d: the C library is not mapped yet: the "
			    "recorder is placed once it is", (int)proc->pid);
		break;
	default:
		as->inj_failed = 1;
		break;
	}
}

/*
 * Not at an exec stop: the exec's return would overwrite the injected
 * system call's number. A static program then gets its recorder at its
 * entry point, before it runs anything.
 */
static int inj_place(struct session *s, struct process *proc,
		     struct tracee *t)
{
	struct aspace *as = proc->as;

	if (as->inj || as->inj_failed)
		return 0;
	if (s->in_exec) {
		as->inj_deferred = 1;
		return 1;
	}
	place_now(s, proc, t);
	return 0;
}

static int inj_place_deferred(struct session *s, struct process *proc,
			      struct tracee *t)
{
	struct aspace *as = proc->as;

	if (!as->inj_deferred)
		return 0;
	as->inj_deferred = 0;
	place_now(s, proc, t);
	return 1;
}

/*
 * ENTRY cannot be redirected (WHY). A call seen by both engines (operator
 * new's malloc, a policy allocator's free) would count twice: every
 * entry of the image goes to the breakpoint engine then, when every
 * thread is stopped (at the attach, at a program's start, at a dlopen in
 * a program of one thread), so that no entry jumps to the recorder while
 * its bytes are put back. Otherwise this entry alone gets a breakpoint.
 */
static void give_up(struct process *proc, const char *name, uint64_t addr,
		    const char *why)
{
	struct aspace *as = proc->as;

	if (!recmaps_all_stopped(proc)) {
		warning_msg("process %d: cannot redirect %s at %#llx to the "
			    "recorder (%s): a breakpoint instead; a call it "
			    "makes to another allocator of the program, or "
			    "one that calls it, may be counted twice "
			    "(--engine=breakpoint counts it once)",
			    (int)proc->pid, name, (unsigned long long)addr,
			    why);
		return;
	}
	warning_msg("process %d: cannot redirect %s at %#llx to the recorder "
		    "(%s): every allocator entry of the process gets a "
		    "breakpoint instead, as with --engine=breakpoint",
		    (int)proc->pid, name, (unsigned long long)addr, why);
	if (inject_unredirect(proc, bp_engine_ops.intercept) == 0)
		as->inj_failed = 1;
}

/*
 * A jump to the recorder; a breakpoint where there cannot be one (and
 * then everywhere, give_up()).
 */
static void inj_intercept(struct process *proc, const char *name,
			  uint64_t addr, enum bp_fn fn,
			  const struct allocator_spec *spec)
{
	if (inject_redirected(proc, addr))
		return;
	if (proc->as->inj && !proc->as->inj_failed) {
		const char *why;

		if (inject_redirect(proc, addr, fn, spec, name, &why) == 0) {
			verbose_msg("process %d: %s at %#llx redirected to the "
				    "recorder", (int)proc->pid, name,
				    (unsigned long long)addr);
			return;
		}
		give_up(proc, name, addr, why);
	}
	bp_engine_ops.intercept(proc, name, addr, fn, spec);
}

static void inj_enable(struct process *proc, int on)
{
	inject_enable(proc, on);
	bp_engine_ops.enable(proc, on);
}

/*
 * What the recorder has in its ring happened before this stop: it is
 * accounted first, so that scopes see exactly what the breakpoint engine
 * would show them.
 */
static void inj_drain(struct session *s, struct process *proc, int dead)
{
	inject_drain(s, proc, dead);
}

static int inj_trap(struct session *s, struct tracee *t,
		    struct user_regs_struct *regs)
{
	return t->proc->as->inj && inject_on_trap(s, t, regs);
}

/* An entry that kept its breakpoint. */
static void inj_hit(struct session *s, struct tracee *t,
		    struct breakpoint *bp, struct user_regs_struct *regs)
{
	bp_engine_ops.hit(s, t, bp, regs);
}

static void inj_returned(struct process *proc, const struct pending *p,
			 const struct user_regs_struct *regs)
{
	bp_engine_ops.returned(proc, p, regs);
}

/* The recorder's stack walks read the true return addresses of tests. */
static void inj_calls_moved(struct tracee *t)
{
	inject_sync_fixups(t);
}

static void inj_maps_changed(struct process *proc)
{
	inject_flush_rules(proc);
}

/* The child records into its parent's ring until its first stop. */
static void inj_fork(struct process *parent, struct process *child)
{
	if (parent->as->inj)
		child->as->inj_parent = aspace_get(parent->as);
}

/*
 * A forked child stopped for the first time, before it runs anything: it
 * gets a recorder ring of its own (its parent's is still mapped there).
 */
static void inj_child_ready(struct session *s, struct tracee *child)
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

/* The recorder's requests are traps at no breakpoint of memsup's. */
static int inj_may_trap(const struct process *proc)
{
	return proc->as->inj != NULL;
}

static int inj_release(struct process *proc)
{
	return inject_release(proc);
}

/*
 * The rings are also drained by a thread of memsup's while the program
 * runs (inject_drainer_start()); the accounting is then the event loop's
 * only while it waits in wait4().
 */
static void inj_loop_start(struct session *s)
{
	inject_drainer_start(s);
}

static void inj_loop_stop(struct session *s)
{
	inject_drainer_stop(s);
}

static void inj_wait_begin(struct session *s)
{
	inject_unlock(s);
}

static void inj_wait_end(struct session *s)
{
	inject_lock(s);
}

const struct engine_ops inject_engine_ops = {
	.place = inj_place,
	.place_deferred = inj_place_deferred,
	.intercept = inj_intercept,
	.enable = inj_enable,
	.drain = inj_drain,
	.trap = inj_trap,
	.hit = inj_hit,
	.returned = inj_returned,
	.calls_moved = inj_calls_moved,
	.maps_changed = inj_maps_changed,
	.fork = inj_fork,
	.child_ready = inj_child_ready,
	.may_trap = inj_may_trap,
	.release = inj_release,
	.loop_start = inj_loop_start,
	.loop_stop = inj_loop_stop,
	.wait_begin = inj_wait_begin,
	.wait_end = inj_wait_end,
};
