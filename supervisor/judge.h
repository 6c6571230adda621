/*
 * Checking a closed scope against its limits (docs/policy.md): a pure
 * function of the scope's figures, its limits and a leak filter.
 */
#ifndef MEMSUP_JUDGE_H
#define MEMSUP_JUDGE_H

#include <stdint.h>

#include "config/policy.h"
#include "supervisor/scope.h"

/* Whether leaks from STACK are to be ignored (a leak filter matched). */
typedef int (*leak_filter_fn)(uint32_t stack, void *arg);

/*
 * Records a failure per broken limit and sets the status: FAILED when any
 * limit broke, else PASSED; an UNFINISHED scope stays so, and its leaks
 * and descriptors are not judged (its frame did not return). FILTERED may
 * be NULL (nothing filtered); it marks each leak site it matches. Only
 * leak groups of the kinds in the limits' leak_kinds (by default
 * definite, indirect and possible; unscanned always) count for
 * limit_leaks; the others are marked unjudged.
 */
void judge_scope(struct scope *s, const struct limits *lim,
		 leak_filter_fn filtered, void *arg);

#endif
