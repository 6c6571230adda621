/*
 * memsup --repeat N (repeat.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "breakpoints/discover.h"
#include "config/units.h"
#include "supervisor/event.h"
#include "supervisor/signals.h"
#include "supervisor/judge.h"
#include "supervisor/msg.h"
#include "supervisor/repeat.h"
#include "supervisor/report.h"
#include "supervisor/session.h"
#include "supervisor/xmalloc.h"

/*
 * The earlier runs. A stack id of a scope taken from earlier run K
 * (0-based) carries K + 1 in its top bits, so that the reports, which
 * know one session, symbolise it with the right one.
 */
#define RUN_SHIFT 24
#define STACK_MASK ((1u << RUN_SHIFT) - 1)
#define MAX_EARLIER ((1u << (32 - RUN_SHIFT)) - 1)

static struct session **earlier;
static unsigned nearlier;
static int merged;

int repeat_before(struct session *template, char **prog_argv, unsigned n,
		  int quiet)
{
	double t0 = template->t0;
	unsigned k;
	int err;

	if (n - 1 > MAX_EARLIER)
		n = MAX_EARLIER + 1;
	earlier = xcalloc(n, sizeof(*earlier));
	for (k = 0; k + 1 < n; k++) {
		struct session *s = xmalloc(sizeof(*s));

		if (!quiet)
			fprintf(stderr, "memsup: run %u of %u\n", k + 1, n);
		session_init(s);
		s->pol = template->pol;
		s->pin = template->pin;
		s->engine = template->engine;
		s->term_flags = template->term_flags;
		s->stack_depth = template->stack_depth;
		s->full_stacks = template->full_stacks;
		s->unwind_mode = template->unwind_mode;
		earlier[nearlier++] = s;
		if (session_launch(s, prog_argv) < 0)
			return -1;
		if (session_run(s) < 0) {
			error_msg("supervision failed in run %u of %u", k + 1,
				  n);
			return -1;
		}
		err = session_launch_error(s);
		if (err) {
			errno = err;
			perror_msg("cannot run '%s'", prog_argv[0]);
			return -1;
		}
		if (s->failed_exec)
			return -1;
		if (session_stop_signal())
			return 128 + session_stop_signal();
		session_number_results(s);
	}
	if (!quiet)
		fprintf(stderr, "memsup: run %u of %u\n", n, n);
	/* The run's time counts every repeat. */
	template->t0 = t0;
	return 0;
}

static const char *exe_base(const struct scope *sc)
{
	const char *e = sc->executable ? sc->executable : "", *slash;

	slash = strrchr(e, '/');
	return slash ? slash + 1 : e;
}

static int same_test(const struct scope *a, const struct scope *b)
{
	return !strcmp(exe_base(a), exe_base(b)) &&
	       !strcmp(a->name ? a->name : "", b->name ? b->name : "");
}

/* The link (pointer to the pointer) to the OCC-th scope of LIST that is
 * the same test as SC, or NULL. */
static struct scope **find_test(struct scope **list, const struct scope *sc,
				unsigned occ)
{
	struct scope **link;

	for (link = list; *link; link = &(*link)->next)
		if (same_test(*link, sc) && !occ--)
			return link;
	return NULL;
}

static void tag_sites(struct site *v, size_t n, uint32_t tag)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].stack)
			v[i].stack |= tag;
}

/* SC came from earlier run K: its stacks say so. The site tables of a
 * closed scope are only read from now on (site_table_sorted()), so their
 * keys may change. */
static void tag_scope(struct scope *sc, unsigned k)
{
	uint32_t tag = (uint32_t)(k + 1) << RUN_SHIFT;

	tag_sites(sc->peak_sites, sc->npeak_sites, tag);
	tag_sites(sc->leaks, sc->nleaks, tag);
	if (sc->allocs.v)
		tag_sites(sc->allocs.v, sc->allocs.mask + 1, tag);
}

/* The limits checked again on SC's headline figures. */
static void rejudge(struct scope *sc)
{
	const struct boundary *b = sc->boundary;
	size_t i;

	if (!b)
		return;
	for (i = 0; i < sc->nfailures; i++)
		free(sc->failures[i].message);
	free(sc->failures);
	sc->failures = NULL;
	sc->nfailures = 0;
	/* The leak filters marked the leaks already. */
	judge_scope(sc, &b->limits, NULL, NULL);
}

static void swap_in(struct session *last, struct scope **link_last,
		    struct session *from, struct scope **link_from)
{
	struct scope *a = *link_last, *b = *link_from, *an = a->next;

	*link_last = b;
	*link_from = a;
	a->next = b->next;
	b->next = an;
	if (last->done_tail == &a->next)
		last->done_tail = &b->next;
	if (from->done_tail == &b->next)
		from->done_tail = &a->next;
}

void repeat_merge(struct session *last)
{
	struct scope **link, *sc, *u;
	unsigned k;

	if (!nearlier || merged)
		return;
	merged = 1;
	session_number_results(last);
	for (link = &last->done; *link; link = &(*link)->next) {
		struct scope_repeats *r;
		struct scope **best_link = NULL, **l;
		unsigned occ = 0, best = nearlier;
		uint64_t alloc_min, count_min;

		sc = *link;
		for (u = last->done; u != sc; u = u->next)
			occ += same_test(u, sc);
		r = xcalloc(1, sizeof(*r));
		r->peak = xcalloc(nearlier + 1, sizeof(uint64_t));
		r->allocated = xcalloc(nearlier + 1, sizeof(uint64_t));
		r->allocations = xcalloc(nearlier + 1, sizeof(uint64_t));
		alloc_min = sc->m.allocated;
		count_min = sc->m.allocations;
		for (k = 0; k <= nearlier; k++) {
			l = k < nearlier ? find_test(&earlier[k]->done, sc, occ) :
			    link;
			if (!l)
				continue;
			u = *l;
			r->peak[r->n] = u->m.peak;
			r->allocated[r->n] = u->m.allocated;
			r->allocations[r->n] = u->m.allocations;
			r->n++;
			if (u->m.allocated < alloc_min)
				alloc_min = u->m.allocated;
			if (u->m.allocations < count_min)
				count_min = u->m.allocations;
			/* the smallest peak; the latest run on a tie */
			if (k < nearlier && u->m.peak < sc->m.peak &&
			    (!best_link || u->m.peak < (*best_link)->m.peak) &&
			    stacks_count(&earlier[k]->stacks) <= STACK_MASK) {
				best_link = l;
				best = k;
			}
		}
		if (best_link) {
			uint64_t order = sc->order;

			swap_in(last, link, earlier[best], best_link);
			sc = *link;
			tag_scope(sc, best);
			/* numbered again with the last run's scopes */
			(*best_link)->order = sc->order;
			sc->order = order;
		}
		sc->repeats = r;
		sc->m.allocated = alloc_min;
		sc->m.allocations = count_min;
		rejudge(sc);
	}
}

unsigned repeat_symbolize(const struct session *last, uint32_t stack,
			  struct sym_frame *out, unsigned max)
{
	unsigned k = stack >> RUN_SHIFT;

	if (!k || k > nearlier)
		return session_symbolize(last, stack, out, max);
	return session_symbolize(earlier[k - 1], stack & STACK_MASK, out, max);
}

static void spread(const uint64_t *v, size_t n, uint64_t *lo, uint64_t *hi)
{
	size_t i;

	*lo = *hi = n ? v[0] : 0;
	for (i = 1; i < n; i++) {
		if (v[i] < *lo)
			*lo = v[i];
		if (v[i] > *hi)
			*hi = v[i];
	}
}

void repeat_report(FILE *fp, const struct scope *scopes)
{
	const struct scope *sc;

	for (sc = scopes; sc; sc = sc->next) {
		const struct scope_repeats *r = sc->repeats;
		uint64_t lo[3], hi[3];
		char a[32], b[32];
		int any = 0;

		if (!r)
			continue;
		spread(r->peak, r->n, &lo[0], &hi[0]);
		spread(r->allocated, r->n, &lo[1], &hi[1]);
		spread(r->allocations, r->n, &lo[2], &hi[2]);
		if (lo[0] == hi[0] && lo[1] == hi[1] && lo[2] == hi[2])
			continue;
		fputs("memsup: ", fp);
		term_puts(fp, sc->name);
		fprintf(fp, " over %zu runs:", r->n);
		if (lo[0] != hi[0]) {
			units_format_size(a, sizeof(a), lo[0]);
			units_format_size(b, sizeof(b), hi[0]);
			fprintf(fp, " peak %s to %s", a, b);
			any = 1;
		}
		if (lo[1] != hi[1]) {
			units_format_size(a, sizeof(a), lo[1]);
			units_format_size(b, sizeof(b), hi[1]);
			fprintf(fp, "%s allocated %s to %s", any ? "," : "", a, b);
			any = 1;
		}
		if (lo[2] != hi[2])
			fprintf(fp, "%s %" PRIu64 " to %" PRIu64 " allocations",
				any ? "," : "", lo[2], hi[2]);
		fputs("; the minimum is reported\n", fp);
	}
}
