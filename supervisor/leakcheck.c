#include <stdlib.h>
#include <string.h>

#include "supervisor/leakcheck.h"
#include "supervisor/leakroots.h"
#include "supervisor/msg.h"
#include "supervisor/xmalloc.h"

static enum leak_kind kind_of(const void *arg, uint64_t addr,
			      uint64_t *indirect)
{
	return leakscan_kind(arg, addr, indirect);
}

/*
 * Whether a block born in SC is still live: else there is nothing to
 * classify, and no reason to stop the process's threads. Its live bytes
 * say so without a walk over the whole table (a scope that leaves only
 * zero-sized blocks is not scanned: they are reported unscanned, and no
 * limit_leaks can be below their 0 bytes).
 */
static int has_leaks(const struct scope *sc)
{
	return sc->m.current > 0;
}

/* MEMSUP_LEAK_SCAN=0 turns the scan off (docs/leaks.md): the bench
 * compares the cost of a suite with and without it. */
static int scan_enabled(void)
{
	const char *v = getenv("MEMSUP_LEAK_SCAN");

	return !v || strcmp(v, "0");
}

static struct leakscan *scan(struct process *proc)
{
	struct leakroots_stats st;
	struct leakscan *ls;
	struct tracee *t;
	pid_t *tids;
	size_t n = 0;

	if (!scan_enabled())
		return NULL;
	tids = xmalloc((proc->nthreads + 1) * sizeof(*tids));
	for (t = proc->threads; t; t = t->pnext)
		tids[n++] = t->tid;
	ls = leakroots_scan(proc->pid, tids, n, proc->returning,
			    &proc->heap.live, &st);
	free(tids);
	if (!ls) {
		verbose_msg("leak scan of process %d: its memory could not "
			    "be read; its leaks are not classified",
			    (int)proc->pid);
		return NULL;
	}
	verbose_msg("leak scan of process %d: %llu blocks (%llu bytes), "
		    "%llu bytes of roots, %llu bytes of blocks read in %llu "
		    "reads, %u threads (%u not stopped), %.3f ms",
		    (int)proc->pid, (unsigned long long)st.blocks,
		    (unsigned long long)st.block_bytes,
		    (unsigned long long)st.root_bytes,
		    (unsigned long long)st.heap_bytes,
		    (unsigned long long)st.syscalls, st.threads, st.skipped,
		    st.seconds * 1e3);
	return ls;
}

int leakcheck_will_scan(const struct process *proc, const struct scope *sc)
{
	return !proc->final_scan && has_leaks(sc) && scan_enabled();
}

void leakcheck_close_scope(struct process *proc, struct scope *sc,
			   enum scope_status status, char *reason, int alive)
{
	struct leakscan *ls = proc->final_scan;

	if (!ls && alive && status != SCOPE_UNFINISHED && has_leaks(sc))
		ls = scan(proc);
	heap_close_scope_kinds(&proc->heap, sc, status, reason,
			       ls ? kind_of : NULL, ls);
	if (ls != proc->final_scan)
		leakroots_free(ls);
}

void leakcheck_final_scan(struct process *proc)
{
	size_t i;
	int any = 0;

	if (proc->final_scan)
		return;
	for (i = 0; i < proc->heap.nopen; i++)
		any |= has_leaks(proc->heap.open[i]);
	if (any)
		proc->final_scan = scan(proc);
}
