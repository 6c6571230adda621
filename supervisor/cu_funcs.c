#include <dwarf.h>
#include <stdlib.h>

#include "supervisor/cu_funcs.h"
#include "supervisor/xmalloc.h"

struct cu_func {
	Dwarf_Off off;
	int parent;		/* index of the enclosing instance, -1 none */
	unsigned depth;
	int inlined;
};

struct cu_range {
	Dwarf_Addr lo, hi;
	unsigned func;
};

struct cu_funcs {
	struct cu_func *funcs;
	size_t nfuncs, afuncs;
	struct cu_range *ranges;	/* sorted by lo */
	size_t nranges, aranges;
};

static int is_function(int tag)
{
	return tag == DW_TAG_subprogram || tag == DW_TAG_inlined_subroutine ||
	       tag == DW_TAG_entry_point;
}

/* Records DIE's function instances and those below it (PARENT: the
 * nearest enclosing instance, -1 none). */
static void walk(struct cu_funcs *cf, Dwarf_Die *die, int parent,
		 unsigned depth)
{
	Dwarf_Die child;
	int tag, self = parent;

	tag = dwarf_tag(die);
	if (is_function(tag)) {
		Dwarf_Addr base, lo, hi;
		ptrdiff_t off = 0;
		size_t before = cf->nranges;

		while ((off = dwarf_ranges(die, off, &base, &lo, &hi)) > 0) {
			if (lo >= hi)
				continue;
			cf->ranges = xgrow(cf->ranges, &cf->aranges,
					   cf->nranges + 1, sizeof(*cf->ranges));
			cf->ranges[cf->nranges++] = (struct cu_range){
				.lo = lo, .hi = hi, .func = (unsigned)cf->nfuncs,
			};
		}
		/* A declaration or an abstract instance has no code: its
		 * children (abstract inlined calls) have none either. */
		if (cf->nranges == before)
			return;
		cf->funcs = xgrow(cf->funcs, &cf->afuncs, cf->nfuncs + 1,
				  sizeof(*cf->funcs));
		cf->funcs[cf->nfuncs] = (struct cu_func){
			.off = dwarf_dieoffset(die),
			.parent = parent,
			.depth = depth,
			.inlined = tag == DW_TAG_inlined_subroutine,
		};
		self = (int)cf->nfuncs++;
		depth++;
	}
	if (dwarf_child(die, &child) != 0)
		return;
	do
		walk(cf, &child, self, depth);
	while (dwarf_siblingof(&child, &child) == 0);
}

static int by_lo(const void *a, const void *b)
{
	const struct cu_range *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

struct cu_funcs *cu_funcs_new(Dwarf_Die *cudie)
{
	struct cu_funcs *cf = xcalloc(1, sizeof(*cf));
	Dwarf_Die child;

	if (dwarf_child(cudie, &child) == 0) {
		do
			walk(cf, &child, -1, 0);
		while (dwarf_siblingof(&child, &child) == 0);
	}
	if (cf->nranges)
		qsort(cf->ranges, cf->nranges, sizeof(*cf->ranges), by_lo);
	return cf;
}

void cu_funcs_free(struct cu_funcs *cf)
{
	if (!cf)
		return;
	free(cf->funcs);
	free(cf->ranges);
	free(cf);
}

unsigned cu_funcs_at(const struct cu_funcs *cf, Dwarf_Addr addr,
		     Dwarf_Off *out, unsigned max)
{
	size_t lo = 0, hi = cf->nranges, i;
	int best = -1, f;
	unsigned n = 0;

	/* the ranges starting at or below ADDR: [0, lo) */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cf->ranges[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* the deepest instance covering ADDR is the innermost */
	for (i = 0; i < lo; i++) {
		const struct cu_range *r = &cf->ranges[i];

		if (addr < r->hi &&
		    (best < 0 || cf->funcs[r->func].depth >
				 cf->funcs[best].depth))
			best = (int)r->func;
	}
	for (f = best; f >= 0 && n < max; f = cf->funcs[f].parent) {
		out[n++] = cf->funcs[f].off;
		if (!cf->funcs[f].inlined)
			break;
	}
	return n;
}
