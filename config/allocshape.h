/*
 * What a call of a policy allocator means, from its arguments: the size of
 * the block it returns, and which argument of its free function is the
 * block. Pure functions over struct allocator_spec (config/policy.h), so
 * that every allocation engine reads a policy allocator the same way.
 *
 * ARGS are the call's six integer arguments in order (on x86-64: rdi,
 * rsi, rdx, rcx, r8, r9).
 */
#ifndef MEMSUP_ALLOCSHAPE_H
#define MEMSUP_ALLOCSHAPE_H

#include <stddef.h>
#include <stdint.h>

#include "config/policy.h"

/*
 * No process can hold a block this large: x86-64 user space spans 2^47
 * bytes. A larger size means the policy describes the allocator wrongly
 * (a pointer read as a size, a count and a size swapped).
 */
#define ALLOCSHAPE_SIZE_MAX (1ULL << 47)

/*
 * The size of the block a call of allocator A with ARGS asks for, into
 * *SIZE: the fixed size, the size argument, or count x size. Returns 0,
 * or -1 when the size is impossible (over ALLOCSHAPE_SIZE_MAX, or a
 * count x size that overflows 64 bits); *SIZE is then the size read
 * (UINT64_MAX for an overflow).
 */
int allocshape_size(const struct allocator_spec *a, const uint64_t args[6],
		    uint64_t *size);

/* The block a call of A's free function with ARGS frees. */
uint64_t allocshape_freed(const struct allocator_spec *a,
			  const uint64_t args[6]);

/*
 * "NAME(0x1, 0x2)": the call with the arguments its description uses
 * (alloc: the size and count arguments, free: up to free_arg), for a
 * message. FREEING: the call is of A's free function. Returns BUF.
 */
char *allocshape_describe_call(const struct allocator_spec *a, int freeing,
			       const uint64_t args[6], char *buf,
			       size_t len);

#endif
