/*
 * What one allocator call means to the accounting (SPEC-level rules of
 * docs/supervisor.md: realloc as a free and an allocation, calloc's
 * product, the block of posix_memalign), shared by both engines so that
 * they give the same figures by construction.
 */
#ifndef MEMSUP_ALLOC_H
#define MEMSUP_ALLOC_H

#include <stdint.h>

#include "breakpoints/bp.h"
#include "config/policy.h"

struct heap;

/*
 * From the arguments ARGS (rdi, rsi, rdx, rcx, r8, r9) of an
 * allocation-class call of FN: *OLD, the block it may free or where its
 * result goes (realloc's pointer, posix_memalign's memptr), and *SIZE,
 * the bytes requested. SPEC is FN_CUSTOM_ALLOC's policy allocator: its
 * size comes from config/allocshape.h (a call custom_alloc_size() found
 * impossible is not to be counted at all).
 */
void alloc_request(enum bp_fn fn, const struct allocator_spec *spec,
		   const uint64_t args[6], uint64_t *old, uint64_t *size);

/*
 * The call returned BLOCK (0: it failed; for posix_memalign the block
 * it stored, 0 if it failed): applies it to H with its interned STACK.
 */
void alloc_returned(struct heap *h, enum bp_fn fn, uint64_t old,
		    uint64_t size, uint64_t block, uint32_t stack);

#endif
