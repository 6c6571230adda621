/* Policy allocators in the accounting (custom_alloc.h). */
#include <stdlib.h>

#include "config/allocshape.h"
#include "config/units.h"
#include "supervisor/blocks.h"
#include "supervisor/custom_alloc.h"
#include "supervisor/msg.h"
#include "supervisor/xmalloc.h"

/* What the run learned about one policy allocator. */
struct seen {
	const struct allocator_spec *a;
	int reported;			/* its one message was given */
	uint64_t last_unknown;		/* the last unknown address it freed */
};

static struct seen *seen;
static size_t nseen, aseen;
static unsigned nreported;

static struct seen *seen_of(const struct allocator_spec *a)
{
	size_t i;

	for (i = 0; i < nseen; i++)
		if (seen[i].a == a)
			return &seen[i];
	seen = xgrow(seen, &aseen, nseen + 1, sizeof(*seen));
	seen[nseen].a = a;
	seen[nseen].reported = 0;
	seen[nseen].last_unknown = 0;
	return &seen[nseen++];
}

/* 1 the first time A is reported, 0 after. */
static int first_report(struct seen *sn)
{
	if (sn->reported)
		return 0;
	sn->reported = 1;
	nreported++;
	return 1;
}

int custom_alloc_size(const struct heap *h, const struct allocator_spec *a,
		      const uint64_t args[6], pid_t pid, uint64_t *size)
{
	char call[256], sz[32];
	const char *why;
	int bad = allocshape_size(a, args, size) < 0;

	/* A pointer read as a size: the address of a live block. */
	if (!bad && *size >= 4096 && blocks_find(&h->live, *size, NULL) == 0)
		bad = 2;
	if (!bad)
		return 0;
	if (!first_report(seen_of(a)))
		return -1;
	allocshape_describe_call(a, 0, args, call, sizeof(call));
	if (*size == UINT64_MAX)
		snprintf(sz, sizeof(sz), "more than 16 EiB");
	else
		units_format_size(sz, sizeof(sz), *size);
	why = bad == 2 ? "the address of a live block, not a size" :
			 "more than a process can hold";
	warning_msg("allocator '%s' (policy line %u) is probably "
		    "misdescribed: process %d called %s, which the policy "
		    "reads as a block of %s, %s; such calls are not counted",
		    a->alloc, a->line, (int)pid, call, sz, why);
	hint_msg("check its size_arg, count_arg or size (a fixed-size pool "
		 "takes 'size: N' or 'size: none')");
	return -1;
}

int custom_free(struct heap *h, const struct allocator_spec *a,
		const uint64_t args[6], pid_t pid)
{
	uint64_t ptr = allocshape_freed(a, args);
	struct seen *sn;
	char call[256];

	if (!ptr)
		return 1;
	if (heap_free(h, ptr) == 0)
		return 0;
	/*
	 * An address unknown to the heap may be a block returned before
	 * any scope opened. The same unknown address freed twice in a row
	 * was returned by no one in between: the argument read is not the
	 * block (a pool pointer where the block is another argument).
	 */
	sn = seen_of(a);
	if (sn->last_unknown != ptr) {
		sn->last_unknown = ptr;
		return 1;
	}
	if (first_report(sn)) {
		allocshape_describe_call(a, 1, args, call, sizeof(call));
		warning_msg("allocator '%s' (policy line %u) is probably "
			    "misdescribed: process %d called %s, freeing "
			    "%#llx (argument %u) a second time, which '%s' "
			    "never returned; such frees are not counted",
			    a->alloc, a->line, (int)pid, call,
			    (unsigned long long)ptr, a->free_arg, a->alloc);
		hint_msg("check its free_arg: the argument of '%s' that holds "
			 "the block", a->free);
	}
	return -1;
}

unsigned custom_alloc_misdescribed(void)
{
	return nreported;
}
