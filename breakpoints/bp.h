/*
 * Software breakpoints (int3) in one address space, keyed by address
 * (uprobes' shape: idempotent arm/disarm, original bytes kept).
 *
 * A breakpoint exists from bp_add() to bp_table_release(); it is "armed"
 * while its int3 is in the process's memory. Allocator breakpoints are
 * armed only while a scope is open in the process (docs/performance.md); the entry
 * trampoline and the dynamic linker's r_brk stay armed throughout.
 */
#ifndef MEMSUP_BP_H
#define MEMSUP_BP_H

#include <stddef.h>
#include <stdint.h>

#include "breakpoints/step.h"
#include "supervisor/remote.h"

/* What a breakpoint intercepts. */
enum bp_fn {
	FN_MALLOC,
	FN_CALLOC,
	FN_REALLOC,
	FN_REALLOCARRAY,
	FN_POSIX_MEMALIGN,
	FN_MEMALIGN,		/* memalign, aligned_alloc: (align, size) */
	FN_VALLOC,		/* valloc, pvalloc */
	FN_NEW,			/* every operator new variant: size in arg 1 */
	FN_NEW_ARRAY,
	FN_CUSTOM_ALLOC,	/* shape in bp->data */
	FN_FREE,
	FN_DELETE,		/* every operator delete variant */
	FN_DELETE_ARRAY,
	FN_CUSTOM_FREE,
	FN_ENTRY,		/* the program's entry point, then the return
				 * trampoline */
	FN_RBRK,		/* r_debug.r_brk: objects were (un)loaded */
	FN_BOUNDARY,		/* a test function's entry */
	FN_TCASE,		/* Check's _tcase_add_test: TCase names */
	FN_BOUNDARY_RET,	/* where a test function returns to, once an
				 * exception is on its way */
	FN_UNWIND,		/* libgcc's _Unwind_RaiseException & co. */
	FN_FIXTURE_ADD,		/* Check's tcase_add_checked_fixture */
	FN_FIXTURE,		/* a checked setup or teardown function */
};

#define FN_IS_ALLOC(fn) ((fn) <= FN_CUSTOM_ALLOC)
#define FN_IS_FREE(fn) ((fn) >= FN_FREE && (fn) <= FN_CUSTOM_FREE)
#define FN_IS_ALLOCATOR(fn) ((fn) <= FN_CUSTOM_FREE)

struct breakpoint {
	struct breakpoint *next;	/* hash chain */
	uint64_t addr;
	uint8_t orig[STEP_MAX_INSN];	/* the bytes under the int3 */
	struct step_insn insn;
	int emulable;			/* step_decode() accepted orig */
	int armed;
	enum bp_fn fn;
	char *name;			/* symbol, for diagnostics */
	void *data;			/* FN_BOUNDARY: the boundary;
					 * FN_CUSTOM_*: its allocator_spec */
	unsigned refs;			/* FN_BOUNDARY_RET: calls returning here */
	int changed;			/* the program rewrote its first byte:
					 * never written again */
};

#define BP_HASH_SIZE 256

struct bp_table {
	struct breakpoint *hash[BP_HASH_SIZE];
	size_t count;
	size_t narmed_alloc;		/* armed allocator breakpoints */
};

void bp_table_init(struct bp_table *tab);
/* Frees every breakpoint without touching memory (the image is gone). */
void bp_table_release(struct bp_table *tab);
/* DST becomes a copy of SRC: a forked child, whose memory holds the same
 * int3s as its parent's at the fork. */
void bp_table_copy(struct bp_table *dst, const struct bp_table *src);

struct breakpoint *bp_find(const struct bp_table *tab, uint64_t addr);
/*
 * A breakpoint at ADDR, reading the original bytes now (not armed yet).
 * An existing one at ADDR is returned as is: two names with one address
 * (aligned_alloc and memalign in glibc) are one breakpoint.
 */
struct breakpoint *bp_add(struct bp_table *tab, const struct remote *mem,
			  uint64_t addr, enum bp_fn fn, const char *name);

/*
 * 0, or -1 with errno (the message is the caller's). Both write only over
 * what memsup expects there: bp_arm() over the original byte, bp_disarm()
 * over its own int3. A program that rewrote the code (a hot patch, a jump
 * written over an allocator) keeps it: the breakpoint is marked changed,
 * never written again, and a warning says so.
 */
int bp_arm(struct bp_table *tab, const struct remote *mem,
	   struct breakpoint *bp);
int bp_disarm(struct bp_table *tab, const struct remote *mem,
	      struct breakpoint *bp);
/* Arm or disarm every allocator breakpoint; returns how many failed. */
int bp_set_allocators(struct bp_table *tab, const struct remote *mem, int on);
/* Disarm everything (detach): how many failed. */
int bp_disarm_all(struct bp_table *tab, const struct remote *mem);


const char *bp_fn_name(enum bp_fn fn);

#endif
