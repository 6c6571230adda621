/*
 * Policy allocators in the accounting: a call's size and freed block
 * come from config/allocshape.h; what cannot be right is reported once
 * per allocator as a probably misdescribed allocator, and not counted.
 */
#ifndef MEMSUP_CUSTOM_ALLOC_H
#define MEMSUP_CUSTOM_ALLOC_H

#include <stdint.h>
#include <sys/types.h>

#include "config/policy.h"
#include "supervisor/scope.h"

/*
 * The size allocator A's call with ARGS (its six integer arguments) asks
 * for in the process PID whose heap is H, into *SIZE. Returns 0 to count
 * the call; -1 when the size is impossible (over 2^47 bytes, or the
 * address of a block live in H: a pointer read as a size): the call is
 * not counted, and the first time for A a warning names A, the call and
 * its arguments.
 */
int custom_alloc_size(const struct heap *h, const struct allocator_spec *a,
		      const uint64_t args[6], pid_t pid, uint64_t *size);

/*
 * A call of A's free function with ARGS in process PID whose heap is H:
 * the block it frees leaves H (0). An address H does not know is
 * ignored (1): a block returned before any scope opened. The same
 * unknown address freed twice in a row by A is a block A never returned:
 * the argument read is not the block; the first time for A it is
 * reported as a probably misdescribed allocator (-1).
 */
int custom_free(struct heap *h, const struct allocator_spec *a,
		const uint64_t args[6], pid_t pid);

/* How many allocators were reported as misdescribed so far. */
unsigned custom_alloc_misdescribed(void);

#endif
