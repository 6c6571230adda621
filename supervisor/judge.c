#include <inttypes.h>

#include "config/units.h"
#include "supervisor/judge.h"

_Static_assert(POLICY_KIND_DEFINITE == 1u << LEAK_DEFINITE &&
	       POLICY_KIND_INDIRECT == 1u << LEAK_INDIRECT &&
	       POLICY_KIND_POSSIBLE == 1u << LEAK_POSSIBLE &&
	       POLICY_KIND_REACHABLE == 1u << LEAK_REACHABLE,
	       "leak_kinds bits follow enum leak_kind");

void judge_scope(struct scope *s, const struct limits *lim,
		 leak_filter_fn filtered, void *arg)
{
	char a[32], b[32];
	uint64_t worst = 0;
	size_t i, over = 0;
	int finished = s->status != SCOPE_UNFINISHED;
	unsigned kinds;

	/* Blocks that could not be classified are judged whatever the
	 * policy says: nothing shows them reachable. */
	kinds = ((lim->set & LIMIT_LEAK_KINDS) ? lim->leak_kinds :
		 LEAK_KINDS_DEFAULT) | (1u << LEAK_UNSCANNED);
	for (i = 0; i < s->nleaks; i++) {
		if (filtered && filtered(s->leaks[i].stack, arg))
			s->leaks[i].filtered = 1;
		s->leaks[i].unjudged = !(kinds & (1u << s->leaks[i].kind));
	}

	if ((lim->set & LIMIT_MEMORY) && s->m.peak > lim->memory) {
		units_format_size(a, sizeof(a), lim->memory);
		units_format_size(b, sizeof(b), s->m.peak);
		scope_add_failure(s, "limit_memory", lim->memory, s->m.peak,
				  "Test was limited to %s but allocated %s", a,
				  b);
	}
	if ((lim->set & LIMIT_ALLOCATIONS) &&
	    s->m.allocations > lim->allocations)
		scope_add_failure(s, "max_allocations", lim->allocations,
				  s->m.allocations,
				  "Test was limited to %" PRIu64 " allocations "
				  "but made %" PRIu64, lim->allocations,
				  s->m.allocations);
	if ((lim->set & LIMIT_ALLOCATED) && s->m.allocated > lim->allocated) {
		units_format_size(a, sizeof(a), lim->allocated);
		units_format_size(b, sizeof(b), s->m.allocated);
		scope_add_failure(s, "max_allocated", lim->allocated,
				  s->m.allocated,
				  "Test was limited to %s allocated in total but "
				  "allocated %s", a, b);
	}
	if (finished && (lim->set & LIMIT_LEAKS)) {
		for (i = 0; i < s->nleaks; i++) {
			if (s->leaks[i].filtered || s->leaks[i].unjudged ||
			    s->leaks[i].bytes <= lim->leaks)
				continue;
			over++;
			if (s->leaks[i].bytes > worst)
				worst = s->leaks[i].bytes;
		}
		if (over) {
			units_format_size(a, sizeof(a), lim->leaks);
			units_format_size(b, sizeof(b), worst);
			scope_add_failure(s, "limit_leaks", lim->leaks, worst,
					  "Test was limited to %s of leaked memory "
					  "per call stack but leaked %s from one "
					  "(%zu call stack%s over the limit)", a, b,
					  over, over == 1 ? "" : "s");
		}
	}
	if (finished && (lim->set & LIMIT_FDS) && s->nfds_leaked > lim->fds)
		scope_add_failure(s, "limit_fds", lim->fds, s->nfds_leaked,
				  "Test was limited to %" PRIu64 " file "
				  "descriptors left open but left %zu open",
				  lim->fds, s->nfds_leaked);
	if (finished)
		s->status = s->nfailures ? SCOPE_FAILED : SCOPE_PASSED;
}
