/*
 * --gen-filters: for each leak a run reported (every leaking call stack
 * that no filter matched, of every scope), a policy leak filter that
 * matches exactly that stack, ready to paste under `leak_filters:`, as
 * valgrind's --gen-suppressions prints suppressions. Each frame of the
 * stack as the reports show it (ending at the test) becomes a frame line:
 * "src:FILE:LINE" when the frame has a source line, else "fun:FUNCTION",
 * else "obj:OBJECT", else "..."; glob characters are escaped.
 */
#ifndef MEMSUP_GENFILTERS_H
#define MEMSUP_GENFILTERS_H

#include <stdio.h>

#include "supervisor/report.h"

void genfilters_print(FILE *fp, const struct run_info *ri,
		      const struct scope *scopes);

#endif
