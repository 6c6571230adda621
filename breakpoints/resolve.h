/*
 * Which function a process really calls for each allocator name, and where.
 *
 * The objects of an address space in the dynamic linker's search order
 * come from r_debug's link map (the executable first, then its libraries
 * in load order, dlopen'd ones appended). A name binds to the first object
 * whose .dynsym defines it; a name no object exports (a static binary, a
 * custom allocator private to the executable) is looked up in .symtab in
 * the same order.
 */
#ifndef MEMSUP_RESOLVE_H
#define MEMSUP_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "breakpoints/bp.h"
#include "breakpoints/elfsym.h"
#include "supervisor/remote.h"

struct object {
	char *path;
	uint64_t bias;			/* load address - link-time address */
	struct elf_image *img;		/* NULL when it could not be opened */
	unsigned *img_refs;		/* IMG is shared by forked copies */
};

struct objects {
	struct object *v;
	size_t n, alloc;
	uint64_t r_debug;		/* 0: none (static, or not yet) */
	unsigned generation;		/* bumped whenever the list changes */
};

/* The standard allocator entry points of docs/supervisor.md. */
struct allocator_symbol {
	const char *name;
	enum bp_fn fn;
};
extern const struct allocator_symbol allocator_symbols[];
extern const size_t nallocator_symbols;

void objects_init(struct objects *objs);
void objects_release(struct objects *objs);
void objects_copy(struct objects *dst, const struct objects *src);

/*
 * Starts the list with the executable EXE loaded at BIAS. Unless
 * objs->r_debug was set already (from the dynamic linker's _r_debug), it
 * is found through the executable's DT_DEBUG, which ld.so fills in before
 * the entry point runs. 0, or -1 when EXE cannot be read (message printed).
 */
int objects_start(struct objects *objs, const struct remote *mem,
		  const char *exe, uint64_t bias);
/* Re-reads the link map; returns how many objects were added. */
int objects_refresh(struct objects *objs, const struct remote *mem);
/* The r_brk address (_dl_debug_state) to watch for dlopen, or 0. */
uint64_t objects_r_brk(const struct objects *objs, const struct remote *mem);
/* r_debug.r_state (RT_CONSISTENT = 0), or -1. */
int objects_r_state(const struct objects *objs, const struct remote *mem);

/* Run-time address of the definition NAME binds to, or 0. */
uint64_t objects_resolve(const struct objects *objs, const char *name);

#endif
