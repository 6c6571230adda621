/*
 * The breakpoint engine (engine.h, docs/supervisor.md): an int3 on each
 * allocator entry, armed while a scope is open in the process; at the
 * entry the call's arguments and its caller's stack are read and its
 * return address is replaced by memsup's trampoline (trampoline.h),
 * where its result is read. Two stops per allocation, one per free.
 */
#include <errno.h>

#include "config/allocshape.h"
#include "supervisor/alloc.h"
#include "supervisor/custom_alloc.h"
#include "supervisor/engine.h"
#include "supervisor/msg.h"
#include "supervisor/stop.h"
#include "supervisor/trampoline.h"
#include "supervisor/unwind.h"

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
	if (tracee_stack_word(t, regs->rsp, &ret) < 0)
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
 * Whether T is inside an intercepted allocation call (docs/supervisor.md: one call,
 * one event), dropping frames that were abandoned. A pending call whose
 * slot is SP itself is still live: glibc's realloc(NULL, n) tail-jumps to
 * malloc, which then runs on realloc's frame, the trampoline in its slot.
 */
static int in_allocator(struct session *s, struct tracee *t, uint64_t sp)
{
	struct pending *top;

	trampoline_prune_at_entry(s, t, sp, 0);
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
	stop_step_over(t, bp, regs, &wb);
}

/* The result of a call on_alloc() sent through the trampoline. */
static void bp_returned(struct process *proc, const struct pending *p,
			const struct user_regs_struct *regs)
{
	uint64_t addr = regs->rax;

	if (p->fn == FN_POSIX_MEMALIGN &&
	    ((int)regs->rax != 0 ||
	     remote_read(&proc->as->mem, p->arg[0], &addr,
			 sizeof(addr)) < 0))
		addr = 0;
	alloc_returned(&proc->heap, (enum bp_fn)p->fn, p->arg[0], p->arg[1],
		       addr, (uint32_t)p->arg[2]);
}

/* An int3 on the entry, armed at once if a scope is open. */
static void bp_intercept(struct process *proc, const char *name,
			 uint64_t addr, enum bp_fn fn,
			 const struct allocator_spec *spec)
{
	struct aspace *as = proc->as;
	struct breakpoint *bp;

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

static void bp_enable(struct process *proc, int on)
{
	struct aspace *as = proc->as;

	if (bp_set_allocators(&as->bps, &as->mem, on))
		perror_msg("%s allocator breakpoints in process %d",
			   on ? "insert" : "remove", (int)proc->pid);
}

/* Nothing to place: int3s need no code in the program. */
static int bp_place(struct session *s, struct process *proc,
		    struct tracee *t)
{
	return 0;
}

/* Nothing waits to be drained: each event was accounted at its stop. */
static void bp_drain(struct session *s, struct process *proc, int dead)
{
}

/* Every trap of this engine's is at one of its breakpoints (hit()). */
static int bp_trap(struct session *s, struct tracee *t,
		   struct user_regs_struct *regs)
{
	return 0;
}

/* Nothing in the program reads the calls in flight or the maps. */
static void bp_tracee_nop(struct tracee *t)
{
}

static void bp_process_nop(struct process *proc)
{
}

/* A forked child's int3s are in its copy of the memory already. */
static void bp_fork(struct process *parent, struct process *child)
{
}

static void bp_child_ready(struct session *s, struct tracee *child)
{
}

static int bp_may_trap(const struct process *proc)
{
	return 0;
}

/* The int3s are every breakpoint's: the detach lifts them all. */
static int bp_release(struct process *proc)
{
	return 0;
}

/* No work of its own while the program runs. */
static void bp_session_nop(struct session *s)
{
}

const struct engine_ops bp_engine_ops = {
	.place = bp_place,
	.place_deferred = bp_place,
	.intercept = bp_intercept,
	.enable = bp_enable,
	.drain = bp_drain,
	.trap = bp_trap,
	.hit = on_allocator_entry,
	.returned = bp_returned,
	.calls_moved = bp_tracee_nop,
	.maps_changed = bp_process_nop,
	.fork = bp_fork,
	.child_ready = bp_child_ready,
	.may_trap = bp_may_trap,
	.release = bp_release,
	.loop_start = bp_session_nop,
	.loop_stop = bp_session_nop,
	.wait_begin = bp_session_nop,
	.wait_end = bp_session_nop,
};
