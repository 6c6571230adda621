/*
 * Allocator resolution through the dynamic linker's link map (elfutils
 * link_map.c reads the same structures to report modules of a live pid).
 */
#include <elf.h>
#include <link.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "breakpoints/resolve.h"
#include "supervisor/msg.h"
#include "supervisor/xmalloc.h"

const struct allocator_symbol allocator_symbols[] = {
	{ "malloc", FN_MALLOC },
	{ "calloc", FN_CALLOC },
	{ "realloc", FN_REALLOC },
	{ "reallocarray", FN_REALLOCARRAY },
	{ "free", FN_FREE },
	{ "posix_memalign", FN_POSIX_MEMALIGN },
	{ "aligned_alloc", FN_MEMALIGN },
	{ "memalign", FN_MEMALIGN },
	{ "valloc", FN_VALLOC },
	{ "pvalloc", FN_VALLOC },
	/* operator new (size_t [, align_val_t] [, nothrow_t const &]) */
	{ "_Znwm", FN_NEW },
	{ "_ZnwmRKSt9nothrow_t", FN_NEW },
	{ "_ZnwmSt11align_val_t", FN_NEW },
	{ "_ZnwmSt11align_val_tRKSt9nothrow_t", FN_NEW },
	{ "_Znam", FN_NEW_ARRAY },
	{ "_ZnamRKSt9nothrow_t", FN_NEW_ARRAY },
	{ "_ZnamSt11align_val_t", FN_NEW_ARRAY },
	{ "_ZnamSt11align_val_tRKSt9nothrow_t", FN_NEW_ARRAY },
	/* operator delete (void * [, size_t] [, align_val_t] [, nothrow]) */
	{ "_ZdlPv", FN_DELETE },
	{ "_ZdlPvm", FN_DELETE },
	{ "_ZdlPvRKSt9nothrow_t", FN_DELETE },
	{ "_ZdlPvSt11align_val_t", FN_DELETE },
	{ "_ZdlPvmSt11align_val_t", FN_DELETE },
	{ "_ZdlPvSt11align_val_tRKSt9nothrow_t", FN_DELETE },
	{ "_ZdaPv", FN_DELETE_ARRAY },
	{ "_ZdaPvm", FN_DELETE_ARRAY },
	{ "_ZdaPvRKSt9nothrow_t", FN_DELETE_ARRAY },
	{ "_ZdaPvSt11align_val_t", FN_DELETE_ARRAY },
	{ "_ZdaPvmSt11align_val_t", FN_DELETE_ARRAY },
	{ "_ZdaPvSt11align_val_tRKSt9nothrow_t", FN_DELETE_ARRAY },
};
const size_t nallocator_symbols =
	sizeof(allocator_symbols) / sizeof(allocator_symbols[0]);

void objects_init(struct objects *objs)
{
	memset(objs, 0, sizeof(*objs));
}

static void object_release(struct object *o)
{
	free(o->path);
	if (o->img && !--*o->img_refs) {
		elf_image_free(o->img);
		free(o->img_refs);
	}
}

void objects_release(struct objects *objs)
{
	size_t i;

	for (i = 0; i < objs->n; i++)
		object_release(&objs->v[i]);
	free(objs->v);
	memset(objs, 0, sizeof(*objs));
}

void objects_copy(struct objects *dst, const struct objects *src)
{
	size_t i;

	objects_init(dst);
	dst->v = xgrow(NULL, &dst->alloc, src->n ? src->n : 1,
		       sizeof(*dst->v));
	for (i = 0; i < src->n; i++) {
		dst->v[i].path = xstrdup(src->v[i].path);
		dst->v[i].bias = src->v[i].bias;
		/* Shared: a fork must not read every library again. */
		dst->v[i].img = src->v[i].img;
		dst->v[i].img_refs = src->v[i].img_refs;
		if (dst->v[i].img)
			(*dst->v[i].img_refs)++;
	}
	dst->n = src->n;
	dst->r_debug = src->r_debug;
	dst->generation = src->generation;
}

static struct object *objects_append(struct objects *objs, const char *path,
				     uint64_t bias, struct elf_image *img)
{
	struct object *o;

	objs->v = xgrow(objs->v, &objs->alloc, objs->n + 1, sizeof(*objs->v));
	o = &objs->v[objs->n++];
	o->path = xstrdup(path);
	o->bias = bias;
	o->img = img;
	o->img_refs = NULL;
	if (img) {
		o->img_refs = xmalloc(sizeof(*o->img_refs));
		*o->img_refs = 1;
	}
	objs->generation++;
	return o;
}

/* DT_DEBUG of the executable's dynamic section in memory: &_r_debug. */
static uint64_t find_r_debug(const struct object *exe, const struct remote *mem)
{
	uint64_t dyn = elf_image_dynamic_vaddr(exe->img);
	Elf64_Dyn d;
	unsigned i;

	if (!dyn)
		return 0;
	for (i = 0; i < 4096; i++) {
		if (remote_read(mem, exe->bias + dyn + i * sizeof(d), &d,
				sizeof(d)) < 0)
			return 0;
		if (d.d_tag == DT_NULL)
			return 0;
		if (d.d_tag == DT_DEBUG)
			return d.d_un.d_ptr;
	}
	return 0;
}

int objects_start(struct objects *objs, const struct remote *mem,
		  const char *exe, uint64_t bias)
{
	struct elf_image *img = elf_image_open(exe);

	if (!img) {
		error_msg("cannot read the executable '%s': %s", exe,
			  elfsym_error());
		return -1;
	}
	objects_append(objs, exe, bias, img);
	if (!objs->r_debug)
		objs->r_debug = find_r_debug(&objs->v[0], mem);
	return 0;
}

static int read_ptr(const struct remote *mem, uint64_t addr, uint64_t *out)
{
	return remote_read(mem, addr, out, sizeof(*out));
}

int objects_refresh(struct objects *objs, const struct remote *mem)
{
	uint64_t lm, next;
	unsigned guard;
	int added = 0;

	if (!objs->n)
		return 0;
	if (!objs->r_debug)
		objs->r_debug = find_r_debug(&objs->v[0], mem);
	if (!objs->r_debug ||
	    read_ptr(mem, objs->r_debug + offsetof(struct r_debug, r_map),
		     &lm) < 0)
		return 0;

	/* The first link_map entry is the executable itself. */
	for (guard = 0; lm && guard < 65536; lm = next, guard++) {
		uint64_t l_addr, l_name;
		char name[4096];
		size_t i;
		int known = 0;

		if (read_ptr(mem, lm + offsetof(struct link_map, l_addr),
			     &l_addr) < 0 ||
		    read_ptr(mem, lm + offsetof(struct link_map, l_name),
			     &l_name) < 0 ||
		    read_ptr(mem, lm + offsetof(struct link_map, l_next),
			     &next) < 0)
			break;
		if (guard == 0)
			continue;
		if (!l_name ||
		    remote_read_string(mem, l_name, name, sizeof(name)) < 0 ||
		    name[0] != '/')
			continue;	/* the vDSO has no file */
		for (i = 0; i < objs->n; i++)
			if (objs->v[i].bias == l_addr &&
			    !strcmp(objs->v[i].path, name))
				known = 1;
		if (known)
			continue;
		objects_append(objs, name, l_addr, elf_image_open(name));
		added++;
	}
	return added;
}

uint64_t objects_r_brk(const struct objects *objs, const struct remote *mem)
{
	uint64_t brk;

	if (!objs->r_debug ||
	    read_ptr(mem, objs->r_debug + offsetof(struct r_debug, r_brk),
		     &brk) < 0)
		return 0;
	return brk;
}

int objects_r_state(const struct objects *objs, const struct remote *mem)
{
	int state = -1;

	if (!objs->r_debug ||
	    remote_read(mem, objs->r_debug + offsetof(struct r_debug, r_state),
			&state, sizeof(state)) < 0)
		return -1;
	return state;
}

uint64_t objects_resolve(const struct objects *objs, const char *name)
{
	static const unsigned passes[] = { ELFSYM_DYNSYM, ELFSYM_SYMTAB };
	size_t p, i;

	for (p = 0; p < 2; p++) {
		for (i = 0; i < objs->n; i++) {
			struct elf_sym sym;

			if (!objs->v[i].img ||
			    elf_image_lookup(objs->v[i].img, name, passes[p],
					     &sym) < 0)
				continue;
			/* An IFUNC's symbol is its resolver, not the code. */
			if (sym.type == STT_GNU_IFUNC || sym.type == STT_OBJECT)
				continue;
			return objs->v[i].bias + sym.value;
		}
	}
	return 0;
}
