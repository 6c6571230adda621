/* Sizes and blocks of policy allocators' calls (allocshape.h). */
#include <stdio.h>

#include "config/allocshape.h"

int allocshape_size(const struct allocator_spec *a, const uint64_t args[6],
		    uint64_t *size)
{
	uint64_t n;

	if (a->fixed_size) {
		*size = a->size;
		return a->size > ALLOCSHAPE_SIZE_MAX ? -1 : 0;
	}
	if (a->size_arg < 1 || a->size_arg > 6) {
		*size = 0;
		return -1;
	}
	n = args[a->size_arg - 1];
	if (a->count_arg >= 1 && a->count_arg <= 6 &&
	    __builtin_mul_overflow(args[a->count_arg - 1], n, &n)) {
		*size = UINT64_MAX;
		return -1;
	}
	*size = n;
	return n > ALLOCSHAPE_SIZE_MAX ? -1 : 0;
}

uint64_t allocshape_freed(const struct allocator_spec *a,
			  const uint64_t args[6])
{
	unsigned i = a->free_arg ? a->free_arg : 1;

	return i <= 6 ? args[i - 1] : 0;
}

char *allocshape_describe_call(const struct allocator_spec *a, int freeing,
			       const uint64_t args[6], char *buf, size_t len)
{
	unsigned last = 0, i;
	size_t off;
	int w;

	if (freeing)
		last = a->free_arg ? a->free_arg : 1;
	else if (!a->fixed_size)
		last = a->size_arg > a->count_arg ? a->size_arg : a->count_arg;
	if (last > 6)
		last = 6;
	w = snprintf(buf, len, "%s(", freeing && a->free ? a->free : a->alloc);
	off = w < 0 ? 0 : (size_t)w;
	for (i = 0; i < last && off < len; i++) {
		w = snprintf(buf + off, len - off, "%s%#llx", i ? ", " : "",
			     (unsigned long long)args[i]);
		off += w < 0 ? 0 : (size_t)w;
	}
	if (off < len)
		snprintf(buf + off, len - off, ")");
	return buf;
}
