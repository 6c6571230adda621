/*
 * The function instances of one DWARF compilation unit by address, read
 * once per unit: every DW_TAG_subprogram, DW_TAG_inlined_subroutine and
 * DW_TAG_entry_point with its address ranges and the function instance
 * it is nested in.
 *
 * libdw's dwarf_getscopes() walks the unit's DIE tree from its root for
 * every address; on a large unit (a test framework's, a generated one)
 * that is milliseconds per pc. With this index the walk happens once
 * per unit and each pc costs a scan of the unit's ranges.
 */
#ifndef MEMSUP_CU_FUNCS_H
#define MEMSUP_CU_FUNCS_H

#include <elfutils/libdw.h>

struct cu_funcs;

/* The index of the unit CUDIE; free with cu_funcs_free(). */
struct cu_funcs *cu_funcs_new(Dwarf_Die *cudie);
void cu_funcs_free(struct cu_funcs *cf);

/*
 * The DIE offsets of the function instances containing ADDR (a DWARF
 * address, bias removed), innermost first, up to and including the
 * first one that is not an inlined call (the concrete function). Writes
 * at most MAX and returns how many; 0 when no function covers ADDR.
 */
unsigned cu_funcs_at(const struct cu_funcs *cf, Dwarf_Addr addr,
		     Dwarf_Off *out, unsigned max);

#endif
