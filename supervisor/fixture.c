/* Check's checked fixtures inside a test's scope (fixture.h). */
#include <stdlib.h>
#include <string.h>

#include "supervisor/fds.h"
#include "supervisor/fixture.h"
#include "supervisor/scope.h"
#include "supervisor/session.h"
#include "supervisor/xmalloc.h"

/* One TCase with checked fixtures. */
struct tcase_fx {
	const void *img;
	uint64_t tc;
	uint64_t *setups;		/* in the order added (= run order) */
	size_t nsetups, asetups;
	uint64_t *teardowns;		/* in the order added (run: reverse) */
	size_t nteardowns, ateardowns;
};

/* A Check test and its TCase. */
struct test_tc {
	const void *img;
	uint64_t ttest, tc;
};

static struct tcase_fx *tcases;
static size_t ntcases, atcases;
static struct test_tc *tests;
static size_t ntests, atests;

static struct tcase_fx *tcase_of(const void *img, uint64_t tc, int add)
{
	size_t i;

	for (i = 0; i < ntcases; i++)
		if (tcases[i].img == img && tcases[i].tc == tc)
			return &tcases[i];
	if (!add)
		return NULL;
	tcases = xgrow(tcases, &atcases, ntcases + 1, sizeof(*tcases));
	memset(&tcases[ntcases], 0, sizeof(*tcases));
	tcases[ntcases].img = img;
	tcases[ntcases].tc = tc;
	return &tcases[ntcases++];
}

static void push(uint64_t **v, size_t *n, size_t *a, uint64_t x)
{
	*v = xgrow(*v, a, *n + 1, sizeof(**v));
	(*v)[(*n)++] = x;
}

void fixture_add(const void *img, uint64_t tc, uint64_t setup,
		 uint64_t teardown)
{
	struct tcase_fx *t = tcase_of(img, tc, 1);

	if (setup)
		push(&t->setups, &t->nsetups, &t->asetups, setup);
	if (teardown)
		push(&t->teardowns, &t->nteardowns, &t->ateardowns, teardown);
}

void fixture_note_test(const void *img, uint64_t tc, uint64_t ttest)
{
	size_t i;

	for (i = 0; i < ntests; i++) {
		if (tests[i].img == img && tests[i].ttest == ttest) {
			tests[i].tc = tc;
			return;
		}
	}
	tests = xgrow(tests, &atests, ntests + 1, sizeof(*tests));
	tests[ntests].img = img;
	tests[ntests].ttest = ttest;
	tests[ntests].tc = tc;
	ntests++;
}

unsigned fixture_role(const void *img, uint64_t addr)
{
	unsigned role = 0;
	size_t i, j;

	for (i = 0; i < ntcases; i++) {
		if (tcases[i].img != img)
			continue;
		for (j = 0; j < tcases[i].nsetups; j++)
			if (tcases[i].setups[j] == addr)
				role |= FIXTURE_SETUP;
		for (j = 0; j < tcases[i].nteardowns; j++)
			if (tcases[i].teardowns[j] == addr)
				role |= FIXTURE_TEARDOWN;
	}
	return role;
}

/* The TCase of test TTEST in IMG, or NULL. */
static const struct tcase_fx *tcase_of_test(const void *img, uint64_t ttest)
{
	size_t i;

	for (i = 0; i < ntests; i++)
		if (tests[i].img == img && tests[i].ttest == ttest)
			return tcase_of(img, tests[i].tc, 0);
	return NULL;
}

/*
 * The descriptors of a paused scope's process when it paused: those
 * opened before it resumes are the framework's (Check's message file in
 * no-fork mode), not the test's.
 */
struct pause_fds {
	const struct scope *sc;
	struct fd_entry *fds;
	size_t n;
	int valid;
};

static struct pause_fds *pauses;
static size_t npauses, apauses;

static struct pause_fds *pause_of(const struct scope *sc)
{
	size_t i;

	for (i = 0; i < npauses; i++)
		if (pauses[i].sc == sc)
			return &pauses[i];
	pauses = xgrow(pauses, &apauses, npauses + 1, sizeof(*pauses));
	memset(&pauses[npauses], 0, sizeof(*pauses));
	pauses[npauses].sc = sc;
	return &pauses[npauses++];
}

static void pause_forget(const struct scope *sc)
{
	size_t i;

	for (i = 0; i < npauses; i++) {
		if (pauses[i].sc != sc)
			continue;
		if (pauses[i].valid)
			fds_free(pauses[i].fds, pauses[i].n);
		pauses[i] = pauses[--npauses];
		return;
	}
}

static void scope_pause(struct process *proc, struct scope *sc)
{
	struct pause_fds *pf;

	if (sc->paused)
		return;
	heap_pause_scope(&proc->heap, sc);
	pf = pause_of(sc);
	if (pf->valid)
		fds_free(pf->fds, pf->n);
	pf->valid = fds_read(proc->pid, &pf->fds, &pf->n) == 0;
}

/* E into the sorted baseline of SC, replacing an entry of its number. */
static void baseline_put(struct scope *sc, const struct fd_entry *e)
{
	size_t i, j;

	for (i = 0; i < sc->nfds_open && sc->fds_open[i].fd < e->fd; i++)
		;
	if (i < sc->nfds_open && sc->fds_open[i].fd == e->fd) {
		free(sc->fds_open[i].target);
		sc->fds_open[i].target = xstrdup(e->target);
		return;
	}
	sc->fds_open = xrealloc(sc->fds_open, (sc->nfds_open + 1) *
				sizeof(*sc->fds_open));
	for (j = sc->nfds_open; j > i; j--)
		sc->fds_open[j] = sc->fds_open[j - 1];
	sc->fds_open[i].fd = e->fd;
	sc->fds_open[i].target = xstrdup(e->target);
	sc->nfds_open++;
}

static void scope_resume(struct process *proc, struct scope *sc)
{
	struct pause_fds *pf;
	struct fd_entry *now, *opened;
	size_t n, nopened, i;

	if (!sc->paused)
		return;
	heap_resume_scope(&proc->heap, sc);
	pf = pause_of(sc);
	if (pf->valid && fds_read(proc->pid, &now, &n) == 0) {
		fds_diff(pf->fds, pf->n, now, n, &opened, &nopened);
		for (i = 0; i < nopened; i++)
			baseline_put(sc, &opened[i]);
		fds_free(opened, nopened);
		fds_free(now, n);
	}
	pause_forget(sc);
}

/* Whether SC is still open in PROC (a scope may have ended without us:
 * its process exited, its frame was abandoned). */
static int still_open(const struct process *proc, const struct scope *sc)
{
	size_t i;

	for (i = 0; i < proc->heap.nopen; i++)
		if (proc->heap.open[i] == sc)
			return 1;
	return 0;
}

/* PROC's fixture scope when it is still open, else forgotten. */
static struct scope *live_fixture(struct process *proc)
{
	if (proc->fixture && !still_open(proc, proc->fixture)) {
		pause_forget(proc->fixture);
		proc->fixture = NULL;
		proc->fixture_closer = 0;
	}
	return proc->fixture;
}

/* Drops PROC's pending scope, unbound: its test was not a boundary. */
static void drop_pending(struct process *proc)
{
	struct scope *sc = live_fixture(proc);

	if (!sc || proc->fixture_closer)
		return;
	pause_forget(sc);
	scope_discard(proc, sc);
	proc->fixture = NULL;
	proc->fixture_opener = 0;
}

void fixture_drop_pending(struct process *proc)
{
	drop_pending(proc);
}

int fixture_setup_entered(struct session *s, struct process *proc,
			  uint64_t addr, const char *name)
{
	struct scope *old = live_fixture(proc);
	char *what;

	if (old && !proc->fixture_closer && addr != proc->fixture_opener) {
		/* A later setup of the same test. */
		scope_resume(proc, old);
		return 1;
	}
	if (old && !proc->fixture_closer) {
		/* Its first setup again: a new test; the last was none of
		 * ours (or its setup failed, in no-fork mode). */
		drop_pending(proc);
	} else if (old) {
		/* The test ran, its last teardown never came. */
		scope_resume(proc, old);
		scope_finish(s, proc, old, SCOPE_UNFINISHED,
			     xstrdup("its checked teardown did not finish"), 1);
	}
	proc->fixture = NULL;
	proc->fixture_closer = 0;
	proc->fixture_opener = 0;
	if (s->pol && s->pol->scope == SCOPE_FUNCTION)
		return 0;
	what = xasprintf("%s (checked setup)", name ? name : "?");
	proc->fixture = scope_open_pending(s, proc, what);
	proc->fixture_opener = addr;
	free(what);
	return 1;
}

struct scope *fixture_take(struct session *s, struct process *proc,
			   const struct boundary *b, uint64_t ttest)
{
	struct scope *sc = live_fixture(proc);

	if (!sc || proc->fixture_closer || !ttest)
		return NULL;
	proc->fixture = NULL;
	scope_resume(proc, sc);
	if (policy_scope_for(s->pol, b->entry) == SCOPE_FUNCTION ||
	    !tcase_of_test(proc->as->img, ttest)) {
		scope_discard(proc, sc);
		return NULL;
	}
	scope_bind(s, proc, sc, b);
	return sc;
}

void fixture_hold(struct session *s, struct process *proc, struct scope *sc,
		  const struct boundary *b, uint64_t ttest)
{
	const struct tcase_fx *t;

	if (!ttest || policy_scope_for(s->pol, b->entry) == SCOPE_FUNCTION)
		return;
	t = tcase_of_test(proc->as->img, ttest);
	if (!t || !t->nteardowns)
		return;
	proc->fixture = sc;
	/* Teardowns run in the reverse order: the first added runs last. */
	proc->fixture_closer = t->teardowns[0];
}

int fixture_returned(struct process *proc, struct scope *sc)
{
	if (!sc || live_fixture(proc) != sc)
		return 0;
	scope_pause(proc, sc);
	return 1;
}

struct scope *fixture_teardown_entered(struct process *proc, uint64_t addr,
				       int *last)
{
	struct scope *sc = live_fixture(proc);

	*last = 0;
	if (sc && !proc->fixture_closer) {
		/* A test that is not a boundary ran after its setup. */
		drop_pending(proc);
		return NULL;
	}
	if (!sc)
		return NULL;
	scope_resume(proc, sc);
	if (proc->fixture_closer != addr)
		return sc;
	*last = 1;
	proc->fixture = NULL;
	proc->fixture_closer = 0;
	return sc;
}
