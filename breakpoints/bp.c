/*
 * Breakpoint table. int3 bytes are written through /proc/PID/mem, which
 * the kernel lets a tracer write into read-only text (copy-on-write: a
 * shared library's pages stay clean for other processes).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "breakpoints/bp.h"
#include "supervisor/msg.h"
#include "supervisor/xmalloc.h"

#define INT3 0xcc

static unsigned hash_addr(uint64_t addr)
{
	return (unsigned)((addr * 0x9e3779b97f4a7c15ULL) >> 56) % BP_HASH_SIZE;
}

void bp_table_init(struct bp_table *tab)
{
	memset(tab, 0, sizeof(*tab));
}

void bp_table_release(struct bp_table *tab)
{
	unsigned i;

	for (i = 0; i < BP_HASH_SIZE; i++) {
		struct breakpoint *bp = tab->hash[i], *next;

		for (; bp; bp = next) {
			next = bp->next;
			free(bp->name);
			free(bp);
		}
	}
	memset(tab, 0, sizeof(*tab));
}

void bp_table_copy(struct bp_table *dst, const struct bp_table *src)
{
	unsigned i;

	bp_table_init(dst);
	for (i = 0; i < BP_HASH_SIZE; i++) {
		const struct breakpoint *bp;

		for (bp = src->hash[i]; bp; bp = bp->next) {
			struct breakpoint *c = xmalloc(sizeof(*c));

			*c = *bp;
			c->name = bp->name ? xstrdup(bp->name) : NULL;
			c->next = dst->hash[i];
			dst->hash[i] = c;
		}
	}
	dst->count = src->count;
	dst->narmed_alloc = src->narmed_alloc;
}

struct breakpoint *bp_find(const struct bp_table *tab, uint64_t addr)
{
	struct breakpoint *bp;

	for (bp = tab->hash[hash_addr(addr)]; bp; bp = bp->next)
		if (bp->addr == addr)
			return bp;
	return NULL;
}

struct breakpoint *bp_add(struct bp_table *tab, const struct remote *mem,
			  uint64_t addr, enum bp_fn fn, const char *name)
{
	struct breakpoint *bp = bp_find(tab, addr);
	unsigned h;
	size_t n;

	if (bp)
		return bp;
	bp = xcalloc(1, sizeof(*bp));
	bp->addr = addr;
	bp->fn = fn;
	bp->name = name ? xstrdup(name) : NULL;
	/* Read what can be read: the function may end near a page end. */
	for (n = sizeof(bp->orig); n > 0; n--)
		if (remote_read(mem, addr, bp->orig, n) == 0)
			break;
	if (n == 0) {
		int saved = errno;

		free(bp->name);
		free(bp);
		errno = saved;
		return NULL;
	}
	bp->emulable = step_decode(bp->orig, n, &bp->insn) == 0;
	h = hash_addr(addr);
	bp->next = tab->hash[h];
	tab->hash[h] = bp;
	tab->count++;
	return bp;
}

/* The program wrote over BP's first byte (it holds NOW): say so, once. */
static void changed_by_program(const struct remote *mem,
			       struct breakpoint *bp, uint8_t now)
{
	bp->changed = 1;
	warning_msg("process %d rewrote the code at %#llx (%s: %#04x, was "
		    "%#04x) while memsup watched it; memsup leaves the "
		    "program's code as it is and stops watching there",
		    (int)mem->pid, (unsigned long long)bp->addr,
		    bp->name ? bp->name : bp_fn_name(bp->fn), now,
		    bp->orig[0]);
}

int bp_arm(struct bp_table *tab, const struct remote *mem,
	   struct breakpoint *bp)
{
	static const uint8_t int3 = INT3;
	uint8_t now;

	if (bp->armed || bp->changed)
		return 0;
	if (remote_read(mem, bp->addr, &now, 1) == 0 && now != bp->orig[0]) {
		changed_by_program(mem, bp, now);
		return 0;
	}
	if (remote_poke_text(mem, bp->addr, &int3, 1) < 0)
		return -1;
	bp->armed = 1;
	if (FN_IS_ALLOCATOR(bp->fn))
		tab->narmed_alloc++;
	return 0;
}

int bp_disarm(struct bp_table *tab, const struct remote *mem,
	      struct breakpoint *bp)
{
	uint8_t now;

	if (!bp->armed)
		return 0;
	if (remote_read(mem, bp->addr, &now, 1) == 0 && now != INT3)
		changed_by_program(mem, bp, now);
	else if (remote_poke_text(mem, bp->addr, bp->orig, 1) < 0)
		return -1;
	bp->armed = 0;
	if (FN_IS_ALLOCATOR(bp->fn))
		tab->narmed_alloc--;
	return 0;
}

int bp_set_allocators(struct bp_table *tab, const struct remote *mem, int on)
{
	unsigned i;
	int failed = 0;

	for (i = 0; i < BP_HASH_SIZE; i++) {
		struct breakpoint *bp;

		for (bp = tab->hash[i]; bp; bp = bp->next) {
			if (!FN_IS_ALLOCATOR(bp->fn))
				continue;
			if ((on ? bp_arm : bp_disarm)(tab, mem, bp) < 0)
				failed++;
		}
	}
	return failed;
}

int bp_disarm_all(struct bp_table *tab, const struct remote *mem)
{
	unsigned i;
	int failed = 0;

	for (i = 0; i < BP_HASH_SIZE; i++) {
		struct breakpoint *bp;

		for (bp = tab->hash[i]; bp; bp = bp->next)
			if (bp_disarm(tab, mem, bp) < 0)
				failed++;
	}
	return failed;
}

const char *bp_fn_name(enum bp_fn fn)
{
	static const char *const names[] = {
		[FN_MALLOC] = "malloc",
		[FN_CALLOC] = "calloc",
		[FN_REALLOC] = "realloc",
		[FN_REALLOCARRAY] = "reallocarray",
		[FN_POSIX_MEMALIGN] = "posix_memalign",
		[FN_MEMALIGN] = "memalign",
		[FN_VALLOC] = "valloc",
		[FN_NEW] = "operator new",
		[FN_NEW_ARRAY] = "operator new[]",
		[FN_CUSTOM_ALLOC] = "custom allocator",
		[FN_FREE] = "free",
		[FN_DELETE] = "operator delete",
		[FN_DELETE_ARRAY] = "operator delete[]",
		[FN_CUSTOM_FREE] = "custom free",
		[FN_ENTRY] = "entry point",
		[FN_RBRK] = "r_brk",
		[FN_BOUNDARY] = "boundary",
		[FN_TCASE] = "_tcase_add_test",
		[FN_BOUNDARY_RET] = "test return",
		[FN_UNWIND] = "exception unwinder",
		[FN_FIXTURE_ADD] = "tcase_add_checked_fixture",
		[FN_FIXTURE] = "checked fixture",
	};

	return (unsigned)fn < sizeof(names) / sizeof(names[0]) ? names[fn] : "?";
}
