#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "config/units.h"
#include "supervisor/judge.h"

/* 65584 as "65,584": the exact figure, grouped by thousands. */
static void group_digits(char *buf, size_t len, uint64_t v)
{
	char digits[32];
	size_t n, i, k = 0;

	n = (size_t)snprintf(digits, sizeof(digits), "%" PRIu64, v);
	for (i = 0; i < n && k + 2 < len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[k++] = ',';
		buf[k++] = digits[i];
	}
	buf[k] = 0;
}

/*
 * LIMIT and VALUE as the messages print them: "64.0KiB", with the exact
 * bytes added to both when rounding makes them print alike ("64.0KiB
 * (65,536 B)" and "64.0KiB (65,584 B)"): a message must show why a value
 * is over its limit.
 */
static void format_pair(char *a, char *b, size_t len, uint64_t limit,
			uint64_t value)
{
	char ga[32], gb[32];
	size_t n;

	units_format_size(a, len, limit);
	units_format_size(b, len, value);
	if (strcmp(a, b))
		return;
	group_digits(ga, sizeof(ga), limit);
	group_digits(gb, sizeof(gb), value);
	n = strlen(a);
	snprintf(a + n, len - n, " (%s B)", ga);
	n = strlen(b);
	snprintf(b + n, len - n, " (%s B)", gb);
}
_Static_assert(POLICY_KIND_DEFINITE == 1u << LEAK_DEFINITE &&
	       POLICY_KIND_INDIRECT == 1u << LEAK_INDIRECT &&
	       POLICY_KIND_POSSIBLE == 1u << LEAK_POSSIBLE &&
	       POLICY_KIND_REACHABLE == 1u << LEAK_REACHABLE,
	       "leak_kinds bits follow enum leak_kind");

void judge_scope(struct scope *s, const struct limits *lim,
		 leak_filter_fn filtered, void *arg)
{
	char a[64], b[64];
	uint64_t worst = 0;
	size_t i, over = 0;
	int finished = s->status != SCOPE_UNFINISHED;
	unsigned kinds;

	s->judged = lim->set;
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
		format_pair(a, b, sizeof(a), lim->memory, s->m.peak);
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
		format_pair(a, b, sizeof(a), lim->allocated, s->m.allocated);
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
			format_pair(a, b, sizeof(a), lim->leaks, worst);
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
