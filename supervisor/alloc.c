/*
 * What one allocator call means to the accounting (alloc.h).
 */
#include "config/allocshape.h"
#include "supervisor/alloc.h"
#include "supervisor/scope.h"

static uint64_t mul_or_zero(uint64_t a, uint64_t b)
{
	uint64_t r;

	/* An overflowing calloc fails in the program: it allocates nothing. */
	if (__builtin_mul_overflow(a, b, &r))
		return 0;
	return r;
}

void alloc_request(enum bp_fn fn, const struct allocator_spec *spec,
		   const uint64_t args[6], uint64_t *old, uint64_t *size)
{
	*old = 0;
	switch (fn) {
	case FN_CALLOC:
		*size = mul_or_zero(args[0], args[1]);
		break;
	case FN_REALLOC:
		*old = args[0];
		*size = args[1];
		break;
	case FN_REALLOCARRAY:
		*old = args[0];
		*size = mul_or_zero(args[1], args[2]);
		break;
	case FN_POSIX_MEMALIGN:
		*old = args[0];		/* void **memptr */
		*size = args[2];
		break;
	case FN_MEMALIGN:
		*size = args[1];
		break;
	case FN_CUSTOM_ALLOC:
		if (!spec || allocshape_size(spec, args, size) < 0)
			*size = 0;
		break;
	default:
		*size = args[0];
		break;
	}
}

void alloc_returned(struct heap *h, enum bp_fn fn, uint64_t old,
		    uint64_t size, uint64_t block, uint32_t stack)
{
	switch (fn) {
	case FN_REALLOC:
	case FN_REALLOCARRAY:
		if (block) {
			heap_free(h, old);
			heap_alloc(h, block, size, stack, 0);
		} else if (!size && old) {
			heap_free(h, old);	/* realloc(p, 0) */
		}
		break;
	case FN_NEW:
		heap_alloc(h, block, size, stack, BLOCK_NEW);
		break;
	case FN_NEW_ARRAY:
		heap_alloc(h, block, size, stack, BLOCK_NEW_ARRAY);
		break;
	default:
		heap_alloc(h, block, size, stack, 0);
		break;
	}
}
