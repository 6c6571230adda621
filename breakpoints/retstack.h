/*
 * Per-thread pending returns (uprobes' return_instance): an intercepted
 * call whose result is read when it returns. At entry the return address
 * in the thread's stack slot is replaced by the process's trampoline (an
 * int3 that is never executed otherwise); the return then stops there and
 * the saved address is put back into rip.
 *
 * A frame whose slot lies below the current stack pointer, on the same
 * stack, has been abandoned (longjmp, exception): retstack_prune() drops
 * it, the caller having checked the stack.
 */
#ifndef MEMSUP_RETSTACK_H
#define MEMSUP_RETSTACK_H

#include <stddef.h>
#include <stdint.h>

/* pending.arg[0] of a test call (FN_BOUNDARY): how its return is seen. */
enum pending_mode {
	P_TRAMPOLINE = 0,		/* its slot holds the trampoline */
	P_RETSITE = 1,			/* an int3 at its return address */
};

struct pending {
	uint64_t slot;			/* stack address of the return address */
	uint64_t ret;			/* the real return address */
	uint64_t arg[3];		/* what the call needs at return */
	int fn;				/* enum bp_fn */
	void *data;			/* FN_BOUNDARY: its scope */
};

/*
 * The last frames dropped as abandoned, kept so that one that returns
 * after all (its thread switched stacks in a way the stack pointer could
 * not show) can still be sent to its real return address.
 */
#define RETSTACK_GONE 16

struct retstack {
	struct pending *v;
	size_t n, alloc;
	struct { uint64_t slot, ret; } gone[RETSTACK_GONE];
	unsigned ngone;			/* entries written, ever (ring) */
};

void retstack_init(struct retstack *rs);
void retstack_release(struct retstack *rs);
void retstack_copy(struct retstack *dst, const struct retstack *src);
struct pending *retstack_push(struct retstack *rs);
static inline struct pending *retstack_top(const struct retstack *rs)
{
	return rs->n ? &rs->v[rs->n - 1] : NULL;
}
/* The entry whose slot is SLOT, or NULL. */
struct pending *retstack_find(const struct retstack *rs, uint64_t slot);
/*
 * Pops every entry whose frame is gone at stack pointer SP (slot < SP:
 * the stack grows down, a live frame's return slot is at or above SP);
 * CB, if given, is called for each before it is dropped.
 */
void retstack_prune(struct retstack *rs, uint64_t sp,
		    void (*cb)(struct pending *p, void *arg), void *arg);
/* Removes entry P, wherever it is (P points into RS->v). */
void retstack_remove(struct retstack *rs, struct pending *p);
/* Whether a frame dropped by retstack_prune() had SLOT; if so its real
 * return address goes to *RET and it is forgotten. */
int retstack_take_gone(struct retstack *rs, uint64_t slot, uint64_t *ret);

#endif
