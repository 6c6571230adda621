/*
 * Bookkeeping of tracees, processes and address spaces.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "supervisor/frames.h"
#include "supervisor/leakcheck.h"
#include "supervisor/leakroots.h"
#include "supervisor/msg.h"
#include "supervisor/runtime.h"
#include "supervisor/tracee.h"
#include "supervisor/inject.h"
#include "supervisor/unwind.h"
#include "supervisor/symbols.h"
#include "supervisor/xmalloc.h"

#define TID_HASH(tid) ((unsigned)(tid) % 1024)

double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct tracee *tracee_find(const struct session *s, pid_t tid)
{
	struct tracee *t;

	for (t = s->tids[TID_HASH(tid)]; t; t = t->hnext)
		if (t->tid == tid)
			return t;
	return NULL;
}

struct tracee *tracee_new(struct session *s, struct process *proc, pid_t tid)
{
	struct tracee *t = xcalloc(1, sizeof(*t));

	t->tid = tid;
	t->proc = proc;
	retstack_init(&t->rs);
	t->hnext = s->tids[TID_HASH(tid)];
	s->tids[TID_HASH(tid)] = t;
	t->pnext = proc->threads;
	proc->threads = t;
	proc->nthreads++;
	return t;
}

void tracee_free(struct session *s, struct tracee *t)
{
	struct tracee **pp;

	for (pp = &s->tids[TID_HASH(t->tid)]; *pp; pp = &(*pp)->hnext) {
		if (*pp == t) {
			*pp = t->hnext;
			break;
		}
	}
	for (pp = &t->proc->threads; *pp; pp = &(*pp)->pnext) {
		if (*pp == t) {
			*pp = t->pnext;
			t->proc->nthreads--;
			break;
		}
	}
	if (t->flags & TRACEE_STEPPING)
		t->proc->nstepping--;
	retstack_release(&t->rs);
	free(t);
}

struct aspace *aspace_new(pid_t pid)
{
	struct aspace *as = xcalloc(1, sizeof(*as));

	as->refs = 1;
	remote_open(&as->mem, pid);
	bp_table_init(&as->bps);
	objects_init(&as->objs);
	return as;
}

struct aspace *aspace_get(struct aspace *as)
{
	as->refs++;
	return as;
}

/* -v: how the stacks of an address space were unwound. */
static void unwind_report(const struct unwinder *uw)
{
	struct unwind_stats st;

	if (msg_verbosity() < 1)
		return;
	unwinder_stats(uw, &st);
	if (!st.unwinds)
		return;
	verbose_msg("process %d: %llu stacks unwound, %llu by CFI rules "
		    "alone (%llu rules computed), %llu process_vm_readv, "
		    "%llu libunwind unwind-info lookups, %llu differences",
		    (int)unwinder_pid(uw), (unsigned long long)st.unwinds,
		    (unsigned long long)st.by_rules,
		    (unsigned long long)st.rule_misses,
		    (unsigned long long)st.reads,
		    (unsigned long long)st.proc_info_misses,
		    (unsigned long long)st.mismatches);
}

void aspace_put(struct aspace *as)
{
	if (!as || --as->refs)
		return;
	remote_close(&as->mem);
	if (as->uw) {
		unwind_report(as->uw);
		unwinder_free(as->uw);
	}
	bp_table_release(&as->bps);
	objects_release(&as->objs);
	inject_free(as->inj);
	aspace_put(as->inj_parent);
	free(as);
}

struct process *process_new(struct session *s, pid_t pid)
{
	struct process *proc = xcalloc(1, sizeof(*proc));

	proc->pid = pid;
	heap_init(&proc->heap);
	proc->next = s->procs;
	s->procs = proc;
	return proc;
}

void session_add_done(struct session *s, struct scope *sc)
{
	sc->end = now_seconds();
	sc->next = NULL;
	*s->done_tail = sc;
	s->done_tail = &sc->next;
}

void process_finish(struct session *s, struct process *proc,
		    enum scope_status status, const char *reason)
{
	struct process **pp;

	/* Innermost first, so nested scopes end before their parents. */
	while (proc->heap.nopen) {
		struct scope *sc = proc->heap.open[proc->heap.nopen - 1];

		leakcheck_close_scope(proc, sc, status,
				      reason ? xstrdup(reason) : NULL, 0);
		session_add_done(s, sc);
	}
	while (proc->threads) {
		struct tracee *t = proc->threads;

		/* unlinked first; tracee_free() then finds it gone */
		proc->threads = t->pnext;
		proc->nthreads--;
		tracee_free(s, t);
	}
	for (pp = &s->procs; *pp; pp = &(*pp)->next) {
		if (*pp == proc) {
			*pp = proc->next;
			break;
		}
	}
	heap_release(&proc->heap);
	inject_report_stats(proc);
	leakroots_free(proc->final_scan);
	aspace_put(proc->as);
	free(proc->exe);
	free(proc->command);
	free(proc);
}

void session_init(struct session *s)
{
	memset(s, 0, sizeof(*s));
	stacks_init(&s->stacks);
	s->done_tail = &s->done;
	s->main_status = -1;
	s->exec_errfd = -1;
	s->t0 = now_seconds();
}

void session_release(struct session *s)
{
	struct scope *sc, *next;
	size_t i;

	while (s->procs)
		process_finish(s, s->procs, SCOPE_UNFINISHED, NULL);
	for (sc = s->done; sc; sc = next) {
		next = sc->next;
		scope_free(sc);
	}
	s->done = NULL;
	s->done_tail = &s->done;
	while (s->images) {
		struct image *img = s->images;

		s->images = img->next;
		symbolizer_free(img->sym);
		frame_cut_free(img->cut);
		free(img->exe);
		free(img);
	}
	while (s->discovered) {
		struct discovered *d = s->discovered;

		s->discovered = d->next;
		boundaries_release(&d->b);
		free(d->path);
		free(d);
	}
	free(s->program_path);
	s->program_path = NULL;
	runtime_release();
	for (i = 0; i < s->names_cap; i++)
		free(s->names[i].name);
	free(s->names);
	s->names = NULL;
	s->names_cap = s->names_n = 0;
	stacks_release(&s->stacks);
}
