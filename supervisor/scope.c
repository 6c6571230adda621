#include <stdlib.h>
#include <string.h>

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
	s->depth = (unsigned)h->nopen;
	s->status = SCOPE_OPEN;
	h->open[h->nopen++] = s;
}

struct leak_count {
	uint64_t since;
	uint64_t bytes, blocks;
};

static int count_leak(const struct block *b, void *arg)
{
	struct leak_count *lc = arg;

	if (b->seq >= lc->since) {
		lc->bytes += b->size;
		lc->blocks++;
	}
	return 0;
}

void heap_close_scope(struct heap *h, struct scope *s,
		      enum scope_status status, char *reason)
{
	struct leak_count lc = { .since = s->open_seq };
	size_t i;

	blocks_foreach(&h->live, count_leak, &lc);
	s->m.leaked_bytes = lc.bytes;
	s->m.leaked_blocks = lc.blocks;
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
			if (old.seq >= h->open[i]->open_seq)
				h->open[i]->m.current -= old.size;
	}
	for (i = 0; i < h->nopen; i++) {
		struct scope_metrics *m = &h->open[i]->m;

		m->allocations++;
		m->allocated += size;
		m->current += size;
		if (m->current > m->peak) {
			m->peak = m->current;
			m->peak_seq = b.seq;
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
			h->open[i]->m.unknown_frees++;
		return -1;
	}
	for (i = 0; i < h->nopen; i++) {
		struct scope *s = h->open[i];

		s->m.frees++;
		if (b.seq >= s->open_seq)
			s->m.current -= b.size;
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

void scope_free(struct scope *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->executable);
	free(s->command);
	free(s->reason);
	free(s);
}
