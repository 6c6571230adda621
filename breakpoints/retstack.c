#include <stdlib.h>
#include <string.h>

#include "breakpoints/retstack.h"
#include "supervisor/xmalloc.h"

void retstack_init(struct retstack *rs)
{
	memset(rs, 0, sizeof(*rs));
}

void retstack_release(struct retstack *rs)
{
	free(rs->v);
	memset(rs, 0, sizeof(*rs));
}

void retstack_copy(struct retstack *dst, const struct retstack *src)
{
	retstack_init(dst);
	if (!src->n)
		return;
	dst->v = xgrow(NULL, &dst->alloc, src->n, sizeof(*dst->v));
	memcpy(dst->v, src->v, src->n * sizeof(*dst->v));
	dst->n = src->n;
	memcpy(dst->gone, src->gone, sizeof(dst->gone));
	dst->ngone = src->ngone;
}

struct pending *retstack_push(struct retstack *rs)
{
	struct pending *p;

	rs->v = xgrow(rs->v, &rs->alloc, rs->n + 1, sizeof(*rs->v));
	p = &rs->v[rs->n++];
	memset(p, 0, sizeof(*p));
	return p;
}

struct pending *retstack_find(const struct retstack *rs, uint64_t slot)
{
	size_t i;

	for (i = rs->n; i-- > 0;)
		if (rs->v[i].slot == slot)
			return &rs->v[i];
	return NULL;
}

void retstack_prune(struct retstack *rs, uint64_t sp,
		    void (*cb)(struct pending *p, void *arg), void *arg)
{
	while (rs->n && rs->v[rs->n - 1].slot < sp) {
		struct pending *p = &rs->v[rs->n - 1];
		unsigned g = rs->ngone++ % RETSTACK_GONE;

		rs->gone[g].slot = p->slot;
		rs->gone[g].ret = p->ret;
		if (cb)
			cb(p, arg);
		rs->n--;
	}
}

void retstack_remove(struct retstack *rs, struct pending *p)
{
	size_t i = (size_t)(p - rs->v);

	if (i >= rs->n)
		return;
	memmove(p, p + 1, (rs->n - i - 1) * sizeof(*p));
	rs->n--;
}

int retstack_take_gone(struct retstack *rs, uint64_t slot, uint64_t *ret)
{
	unsigned i, n = rs->ngone < RETSTACK_GONE ? rs->ngone : RETSTACK_GONE;

	for (i = 0; i < n; i++) {
		if (rs->gone[i].slot == slot && rs->gone[i].ret) {
			*ret = rs->gone[i].ret;
			rs->gone[i].slot = rs->gone[i].ret = 0;
			return 1;
		}
	}
	return 0;
}
