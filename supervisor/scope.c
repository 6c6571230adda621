#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/fds.h"
#include "supervisor/scope.h"
#include "supervisor/xmalloc.h"

void heap_init(struct heap *h)
{
	memset(h, 0, sizeof(*h));
	blocks_init(&h->live);
	h->next_seq = 1;
}

void heap_fork(struct heap *h, const struct heap *parent)
{
	memset(h, 0, sizeof(*h));
	blocks_copy(&h->live, &parent->live);
	h->next_seq = parent->next_seq;
}

void heap_release(struct heap *h)
{
	blocks_release(&h->live);
	free(h->open);
	memset(h, 0, sizeof(*h));
}

void heap_open_scope(struct heap *h, struct scope *s)
{
	h->open = xgrow(h->open, &h->aopen, h->nopen + 1, sizeof(*h->open));
	s->open_seq = h->next_seq;
	s->status = SCOPE_OPEN;
	h->open[h->nopen++] = s;
}

void heap_pause_scope(struct heap *h, struct scope *s)
{
	if (s->paused)
		return;
	s->gaps = xgrow(s->gaps, &s->agaps, s->ngaps + 1, sizeof(*s->gaps));
	s->gaps[s->ngaps][0] = h->next_seq;
	s->gaps[s->ngaps][1] = 0;
	s->ngaps++;
	s->paused = 1;
}

void heap_resume_scope(struct heap *h, struct scope *s)
{
	if (!s->paused)
		return;
	s->gaps[s->ngaps - 1][1] = h->next_seq;
	s->paused = 0;
}

int scope_owns(const struct scope *s, uint64_t seq)
{
	size_t i;

	if (seq < s->open_seq)
		return 0;
	for (i = 0; i < s->ngaps; i++)
		if (seq >= s->gaps[i][0] &&
		    (!s->gaps[i][1] || seq < s->gaps[i][1]))
			return 0;
	return 1;
}

struct leak_walk {
	const struct scope *s;
	uint64_t since, peak_seq;
	uint64_t bytes, blocks;
	struct site_table leaks[LEAK_NKINDS], peak;
	struct site_table held;		/* definite: indirect bytes by stack */
	struct scope_metrics *m;
	block_kind_fn kind;
	const void *arg;
};

static int walk_live(const struct block *b, void *arg)
{
	struct leak_walk *lw = arg;
	enum leak_kind k = LEAK_UNSCANNED;
	uint64_t held = 0;

	if (b->seq < lw->since || (lw->s->ngaps && !scope_owns(lw->s, b->seq)))
		return 0;
	if (lw->kind)
		k = lw->kind(lw->arg, b->addr, &held);
	lw->bytes += b->size;
	lw->blocks++;
	lw->m->kind_bytes[k] += b->size;
	lw->m->kind_blocks[k]++;
	site_table_add(&lw->leaks[k], b->stack, b->size);
	if (k == LEAK_DEFINITE && held)
		site_table_add_n(&lw->held, b->stack, held, 1);
	if (b->seq <= lw->peak_seq)
		site_table_add(&lw->peak, b->stack, b->size);
	return 0;
}

static uint64_t site_table_bytes(const struct site_table *t, uint32_t stack)
{
	size_t i;

	if (!t->count)
		return 0;
	for (i = (stack * 2654435761u) & t->mask; t->v[i].blocks;
	     i = (i + 1) & t->mask)
		if (t->v[i].stack == stack)
			return t->v[i].bytes;
	return 0;
}

/* The groups of every kind, one array, definite first. */
static void leaks_by_kind(struct scope *s, struct leak_walk *lw)
{
	size_t k, i, n, total = 0;
	struct site *v;

	for (k = 0; k < LEAK_NKINDS; k++)
		total += lw->leaks[k].count;
	s->leaks = total ? xmalloc(total * sizeof(*s->leaks)) : NULL;
	s->nleaks = 0;
	for (k = 0; k < LEAK_NKINDS; k++) {
		v = site_table_sorted(&lw->leaks[k], &n);
		for (i = 0; i < n; i++) {
			v[i].kind = (uint32_t)k;
			if (k == LEAK_DEFINITE)
				v[i].indirect = site_table_bytes(&lw->held,
								 v[i].stack);
			s->leaks[s->nleaks++] = v[i];
		}
		free(v);
		site_table_release(&lw->leaks[k]);
	}
	site_table_release(&lw->held);
}

void heap_close_scope(struct heap *h, struct scope *s,
		      enum scope_status status, char *reason)
{
	heap_close_scope_kinds(h, s, status, reason, NULL, NULL);
}

void heap_close_scope_kinds(struct heap *h, struct scope *s,
			    enum scope_status status, char *reason,
			    block_kind_fn kind, const void *arg)
{
	struct leak_walk lw;
	size_t i;

	memset(&lw, 0, sizeof(lw));
	lw.s = s;
	lw.since = s->open_seq;
	lw.peak_seq = s->m.peak_seq;
	lw.m = &s->m;
	lw.kind = kind;
	lw.arg = arg;
	/*
	 * What was live at the peak: the blocks born by then that are still
	 * live, and those freed since (logged by heap_free), without a copy
	 * of the live set at every new peak.
	 */
	blocks_foreach(&h->live, walk_live, &lw);
	for (i = 0; s->pfreed.v && i <= s->pfreed.mask; i++)
		if (s->pfreed.v[i].blocks)
			site_table_add_n(&lw.peak, s->pfreed.v[i].stack,
					 s->pfreed.v[i].bytes,
					 s->pfreed.v[i].blocks);
	site_table_release(&s->pfreed);
	s->m.leaked_bytes = lw.bytes;
	s->m.leaked_blocks = lw.blocks;
	leaks_by_kind(s, &lw);
	s->peak_sites = site_table_sorted(&lw.peak, &s->npeak_sites);
	site_table_release(&lw.peak);
	s->status = status;
	s->reason = reason;
	for (i = 0; i < h->nopen; i++) {
		if (h->open[i] == s) {
			memmove(&h->open[i], &h->open[i + 1],
				(h->nopen - i - 1) * sizeof(*h->open));
			h->nopen--;
			break;
		}
	}
}

void heap_alloc(struct heap *h, uint64_t addr, uint64_t size,
		uint32_t stack, uint32_t flags)
{
	struct block b = { addr, size, h->next_seq++, stack, flags }, old;
	size_t i;

	if (!addr)
		return;
	/*
	 * An address handed out twice without a free in between: the first
	 * block was released behind our back (a free we did not see, such as
	 * one inside an allocator we do not intercept). Drop it first.
	 */
	if (blocks_insert(&h->live, &b, &old)) {
		for (i = 0; i < h->nopen; i++)
			if (!h->open[i]->paused &&
			    scope_owns(h->open[i], old.seq))
				h->open[i]->m.current -= old.size;
	}
	for (i = 0; i < h->nopen; i++) {
		struct scope *s = h->open[i];
		struct scope_metrics *m = &s->m;

		if (s->paused)
			continue;
		m->allocations++;
		m->allocated += size;
		m->current += size;
		site_table_add(&s->allocs, stack, size);
		if (m->current > m->peak) {
			m->peak = m->current;
			m->peak_seq = b.seq;
			if (s->pfreed.count)
				site_table_clear(&s->pfreed);
		}
	}
}

int heap_free(struct heap *h, uint64_t addr)
{
	struct block b;
	size_t i;

	if (!addr)
		return 0;
	if (blocks_remove(&h->live, addr, &b) < 0) {
		for (i = 0; i < h->nopen; i++)
			if (!h->open[i]->paused)
				h->open[i]->m.unknown_frees++;
		return -1;
	}
	for (i = 0; i < h->nopen; i++) {
		struct scope *s = h->open[i];

		if (s->paused)
			continue;
		s->m.frees++;
		if (!scope_owns(s, b.seq))
			continue;
		s->m.current -= b.size;
		if (b.seq <= s->m.peak_seq)
			site_table_add(&s->pfreed, b.stack, b.size);
	}
	return 0;
}

const char *scope_status_name(enum scope_status st)
{
	switch (st) {
	case SCOPE_OPEN:
		return "open";
	case SCOPE_PASSED:
		return "passed";
	case SCOPE_FAILED:
		return "failed";
	case SCOPE_UNFINISHED:
		return "unfinished";
	}
	return "unknown";
}

void site_table_add(struct site_table *t, uint32_t stack, uint64_t bytes)
{
	site_table_add_n(t, stack, bytes, 1);
}

void site_table_clear(struct site_table *t)
{
	/*
	 * A scope's table of stacks freed since its peak is emptied at every
	 * new peak: wiping a table grown large once for the few entries it
	 * holds now would cost its whole size each time.
	 */
	if (t->v && t->count * 8 < t->mask + 1 && t->mask + 1 > 64) {
		site_table_release(t);
		return;
	}
	if (t->v)
		memset(t->v, 0, (t->mask + 1) * sizeof(*t->v));
	t->count = 0;
}

void site_table_add_n(struct site_table *t, uint32_t stack, uint64_t bytes,
		      uint64_t blocks)
{
	size_t i;

	if ((t->count + 1) * 2 > t->mask + 1) {
		struct site *old = t->v;
		size_t oldcap = t->v ? t->mask + 1 : 0, cap, j;

		cap = oldcap ? oldcap * 2 : 16;
		t->v = xcalloc(cap, sizeof(*t->v));
		t->mask = cap - 1;
		for (j = 0; j < oldcap; j++) {
			if (!old[j].blocks)
				continue;
			for (i = (old[j].stack * 2654435761u) & t->mask;
			     t->v[i].blocks; i = (i + 1) & t->mask)
				;
			t->v[i] = old[j];
		}
		free(old);
	}
	for (i = (stack * 2654435761u) & t->mask; t->v[i].blocks;
	     i = (i + 1) & t->mask) {
		if (t->v[i].stack == stack) {
			t->v[i].bytes += bytes;
			t->v[i].blocks += blocks;
			return;
		}
	}
	t->v[i].stack = stack;
	t->v[i].bytes = bytes;
	t->v[i].blocks = blocks;
	t->count++;
}

static int site_cmp(const void *a, const void *b)
{
	const struct site *x = a, *y = b;

	if (x->bytes != y->bytes)
		return x->bytes < y->bytes ? 1 : -1;
	if (x->blocks != y->blocks)
		return x->blocks < y->blocks ? 1 : -1;
	return x->stack < y->stack ? -1 : x->stack > y->stack;
}

struct site *site_table_sorted(const struct site_table *t, size_t *n)
{
	struct site *v;
	size_t i, k = 0;

	*n = 0;
	if (!t->count)
		return NULL;
	v = xmalloc(t->count * sizeof(*v));
	for (i = 0; i <= t->mask; i++)
		if (t->v[i].blocks)
			v[k++] = t->v[i];
	qsort(v, k, sizeof(*v), site_cmp);
	*n = k;
	return v;
}

void site_table_release(struct site_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

void scope_add_failure(struct scope *s, const char *check, uint64_t limit,
		       uint64_t value, const char *fmt, ...)
{
	struct scope_failure *f;
	va_list ap;
	int n;

	s->failures = xrealloc(s->failures,
			       (s->nfailures + 1) * sizeof(*s->failures));
	f = &s->failures[s->nfailures++];
	f->check = check;
	f->limit = limit;
	f->value = value;
	va_start(ap, fmt);
	n = vasprintf(&f->message, fmt, ap);
	va_end(ap);
	if (n < 0)
		f->message = xstrdup(check);
}

void scope_free(struct scope *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nfailures; i++)
		free(s->failures[i].message);
	free(s->failures);
	site_table_release(&s->allocs);
	site_table_release(&s->pfreed);
	free(s->peak_sites);
	free(s->leaks);
	fds_free(s->fds_open, s->nfds_open);
	fds_free(s->fds_leaked, s->nfds_leaked);
	if (s->repeats) {
		free(s->repeats->peak);
		free(s->repeats->allocated);
		free(s->repeats->allocations);
		free(s->repeats);
	}
	free(s->classname);
	free(s->file);
	free(s->name);
	free(s->base);
	free(s->executable);
	free(s->command);
	free(s->reason);
	free(s->gaps);
	free(s);
}
