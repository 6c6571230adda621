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
		if (cb)
			cb(&rs->v[rs->n - 1], arg);
		rs->n--;
	}
}
