/*
 * Test boundaries (boundary.h): a test function's entry opens its scope
 * and its return (through the trampoline, or at its return site after an
 * exception) closes it; Check's TCase names and checked fixtures are
 * read as the suite registers them (docs/discovery.md).
 */
#include <errno.h>

#include "supervisor/arm.h"
#include "supervisor/boundary.h"
#include "supervisor/fixture.h"
#include "supervisor/leakcheck.h"
#include "supervisor/msg.h"
#include "supervisor/runtime.h"
#include "supervisor/session.h"
#include "supervisor/stop.h"
#include "supervisor/trampoline.h"

void boundary_close(struct session *s, struct tracee *t,
		    struct scope *sc)
{
	size_t before = t->proc->heap.nopen;

	if (leakcheck_will_scan(t->proc, sc))
		stop_hold_siblings(t);
	t->proc->returning = t->tid;
	scope_finish(s, t->proc, sc, SCOPE_PASSED, NULL, 1);
	t->proc->returning = 0;
	arm_scopes_changed(s, t->proc, before);
}

void boundary_unref_return_site(struct process *proc, uint64_t ret)
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

/*
 * A thread enters a test function: a scope opens until that call returns
 * to the trampoline, or its frame is abandoned. A recursive call opens
 * none (docs/discovery.md: one scope, at the outermost call).
 */
void boundary_enter(struct session *s, struct tracee *t,
		    struct breakpoint *bp, struct user_regs_struct *regs)
{
	struct process *proc = t->proc;
	struct aspace *as = proc->as;
	const struct boundary *b = bp->data;
	struct write_batch wb;
	uint64_t ret;
	size_t i;

	batch_init(&wb, &as->mem);
	trampoline_prune_at_entry(s, t, regs->rsp, 1);
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
		size_t before = proc->heap.nopen;
		struct scope *sc = fixture_take(s, proc, b, key);
		struct pending *p;

		if (!sc)
			sc = scope_open(s, proc, b);
		fixture_hold(s, proc, sc, b, key);
		arm_scopes_changed(s, proc, before);
		p = retstack_push(&t->rs);
		p->slot = regs->rsp;
		p->ret = ret;
		p->fn = FN_BOUNDARY;
		p->data = sc;
		batch_write(&wb, regs->rsp, &as->entry, sizeof(as->entry));
	}
	stop_step_over(t, bp, regs, &wb);
}

/*
 * An exception is being raised on T. Every call in flight on T that
 * returns to the trampoline gets its real return address back, since
 * the unwinder reads them: the entry point as a return address would end
 * its walk and call std::terminate(). A test call then has its return
 * caught at the return site instead (P_RETSITE); an allocator call
 * raising (operator new's bad_alloc) allocates nothing and is dropped.
 */
void boundary_unwind(struct session *s, struct tracee *t,
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
	stop_step_over(t, bp, regs, &wb);
}

/* A test function returns: its scope closes (docs/discovery.md). */
void boundary_return(struct session *s, struct tracee *t,
		     struct breakpoint *bp,
		     struct user_regs_struct *regs)
{
	struct process *proc = t->proc;
	struct aspace *as = proc->as;
	uint64_t slot = regs->rsp - 8;
	struct write_batch wb;
	struct pending *p;
	int held = 0;

	trampoline_prune(s, t, slot);
	p = retstack_top(&t->rs);
	if (p && p->fn == FN_BOUNDARY && p->arg[0] == P_RETSITE &&
	    p->slot == slot && p->ret == bp->addr) {
		if (p->data && !fixture_returned(proc, p->data)) {
			boundary_close(s, t, p->data);
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
		if (tracee_set_regs(t, regs) == 0)
			tracee_resume(t, 0);
	} else {
		/* Another thread's test returns here too: keep the int3. */
		batch_init(&wb, &as->mem);
		stop_step_over(t, bp, regs, &wb);
	}
	if (held)
		stop_release_held(s, t);
}

/*
 * _tcase_add_test(TCase *tc, const TTest *ttest, int signal,
 * int allowed_exit_value, int start, int end): Check 0.15's struct TCase
 * begins with its name (check_impl.h), TTest is the test's static
 * object, which discovery found by its link-time address, and a loop
 * test runs for _i from start to end - 1 (tcase_add_test: 0, 1).
 */
void boundary_tcase(struct session *s, struct tracee *t,
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
	stop_step_over(t, bp, regs, &wb);
}

/*
 * tcase_add_checked_fixture(TCase *tc, SFun setup, SFun teardown): the
 * functions are watched from now on, in this process and its children.
 */
void boundary_fixture_add(struct session *s, struct tracee *t,
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
	stop_step_over(t, bp, regs, &wb);
}

/* A checked setup or teardown is entered (fixture.h). */
void boundary_fixture(struct session *s, struct tracee *t,
		      struct breakpoint *bp, struct user_regs_struct *regs)
{
	struct process *proc = t->proc;
	struct aspace *as = proc->as;
	unsigned role = fixture_role(as->img, bp->addr);
	struct write_batch wb;
	struct scope *sc = NULL;
	struct sym_frame fr;
	uint64_t ret;
	size_t before = proc->heap.nopen;
	int last = 0;

	batch_init(&wb, &as->mem);
	trampoline_prune_at_entry(s, t, regs->rsp, 1);
	if (role & FIXTURE_TEARDOWN)
		sc = fixture_teardown_entered(proc, bp->addr, &last);
	if (!sc && (role & FIXTURE_SETUP)) {
		if (!as->img || !symbolizer_lookup(as->img->sym, bp->addr, 0,
						     &fr, 1))
			fr.function = NULL;
		if (fixture_setup_entered(s, proc, bp->addr, fr.function))
			sc = proc->fixture;
		arm_scopes_changed(s, proc, before);
	}
	if (sc && remote_read(&as->mem, regs->rsp, &ret, sizeof(ret)) == 0) {
		/* Its return closes the scope (the last teardown) or pauses
		 * it until the next fixture or the test. */
		struct pending *p = retstack_push(&t->rs);

		p->slot = regs->rsp;
		p->ret = ret;
		p->fn = last ? FN_BOUNDARY : FN_FIXTURE;
		p->data = sc;
		batch_write(&wb, regs->rsp, &as->entry, sizeof(as->entry));
	}
	stop_step_over(t, bp, regs, &wb);
}
