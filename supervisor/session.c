#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/fds.h"
#include "supervisor/frames.h"
#include "supervisor/judge.h"
#include "supervisor/leakcheck.h"
#include "supervisor/msg.h"
#include "supervisor/notests.h"
#include "supervisor/report.h"
#include "supervisor/session.h"
#include "supervisor/xmalloc.h"

struct image *image_new(struct session *s, const char *exe)
{
	struct image *img = xcalloc(1, sizeof(*img));

	img->id = ++s->nimages;
	img->exe = xstrdup(exe);
	img->sym = symbolizer_new();
	img->next = s->images;
	s->images = img;
	if (s->pol)
		img->bounds = session_boundaries(s, exe);
	img->cut = frame_cut_new(img->bounds, exe);
	return img;
}

void image_add_objects(struct image *img, const struct objects *objs)
{
	size_t i;

	for (i = 0; i < objs->n; i++)
		symbolizer_add_object(img->sym, objs->v[i].path,
				      objs->v[i].bias);
}

const struct boundaries *session_boundaries(struct session *s,
					    const char *exe)
{
	struct discovered *d;

	for (d = s->discovered; d; d = d->next)
		if (!strcmp(d->path, exe))
			return &d->b;
	d = xcalloc(1, sizeof(*d));
	d->path = xstrdup(exe);
	if (discover_boundaries(exe, s->pol, &d->b) < 0)
		memset(&d->b, 0, sizeof(d->b));
	d->next = s->discovered;
	s->discovered = d;
	notests_discovered(s, d);
	return &d->b;
}

static const struct image *image_by_id(const struct session *s, uint32_t id)
{
	const struct image *img;

	for (img = s->images; img; img = img->next)
		if (img->id == id)
			return img;
	return NULL;
}

/* FULL: every frame (split functions once); else as the reports show. */
static unsigned symbolize(const struct session *s, uint32_t stack,
			  struct sym_frame *out, unsigned max, int full)
{
	const struct image *img;
	const uint64_t *pcs;
	unsigned n, i, k = 0;

	if (!stack)
		return 0;
	pcs = stacks_get(&s->stacks, stack, &n);
	img = image_by_id(s, stacks_image(&s->stacks, stack));
	if (!pcs || !img)
		return 0;
	for (i = 0; i < n && k < max; i++)
		k += symbolizer_lookup(img->sym, pcs[i], 1, out + k, max - k);
	return frames_tidy(out, k, img->cut, full || s->full_stacks);
}

unsigned session_symbolize(const struct session *s, uint32_t stack,
			   struct sym_frame *out, unsigned max)
{
	return symbolize(s, stack, out, max, 0);
}

static char *stem_of(const char *path)
{
	const char *base = strrchr(path, '/');
	char *stem, *dot;

	stem = xstrdup(base ? base + 1 : path);
	dot = strrchr(stem, '.');
	if (dot && dot != stem)
		*dot = 0;
	return stem;
}

static size_t name_hash(const char *name, size_t cap)
{
	uint64_t h = 0xcbf29ce484222325ULL;	/* FNV-1a */

	for (; *name; name++)
		h = (h ^ (unsigned char)*name) * 0x100000001b3ULL;
	return (size_t)h & (cap - 1);
}

/* The slot of NAME in S's counts: its own, or the empty one it takes. */
static struct name_count *name_slot(struct name_count *v, size_t cap,
				    const char *name)
{
	size_t i;

	for (i = name_hash(name, cap); v[i].name && strcmp(v[i].name, name);
	     i = (i + 1) & (cap - 1))
		;
	return &v[i];
}

/* How many scopes of test NAME were opened before this one. */
static unsigned next_seq(struct session *s, const char *name)
{
	struct name_count *slot;
	size_t i, cap;

	if ((s->names_n + 1) * 2 > s->names_cap) {
		struct name_count *old = s->names;

		cap = s->names_cap ? s->names_cap * 2 : 64;
		s->names = xcalloc(cap, sizeof(*s->names));
		for (i = 0; i < s->names_cap; i++)
			if (old[i].name)
				*name_slot(s->names, cap, old[i].name) = old[i];
		free(old);
		s->names_cap = cap;
	}
	slot = name_slot(s->names, s->names_cap, name);
	if (!slot->name) {
		slot->name = xstrdup(name);
		s->names_n++;
	}
	return slot->n++;
}

/* Names SC after boundary B (SPEC-style name[i] numbering, classname). */
static void scope_name(struct session *s, struct process *proc,
		       struct scope *sc, const struct boundary *b)
{
	const char *base = strrchr(proc->exe, '/');
	const char *exe_base = base ? base + 1 : proc->exe;
	/*
	 * A test run more than once is name[0], name[1], ... Named so from
	 * its first run when Check registered it to run more than once (a
	 * loop test), so that the line printed as it finishes already says
	 * which; session_number_results() settles the names once the run is
	 * over.
	 */
	unsigned seq = next_seq(s, b->name);

	free(sc->base);
	free(sc->name);
	free(sc->file);
	free(sc->classname);
	sc->boundary = b;
	sc->base = xstrdup(b->name);
	if (seq || b->runs > 1)
		sc->name = xasprintf("%s[%u]", b->name, seq);
	else
		sc->name = xstrdup(b->name);
	sc->file = b->file ? xstrdup(b->file) : NULL;
	sc->line = b->line;
	/* The TCase name, else source file stem, else the executable. */
	if (b->classname)
		sc->classname = xstrdup(b->classname);
	else if (b->file)
		sc->classname = stem_of(b->file);
	else
		sc->classname = xstrdup(exe_base);
}

static struct scope *scope_new(struct session *s, struct process *proc)
{
	struct scope *sc = xcalloc(1, sizeof(*sc));

	sc->executable = xstrdup(proc->exe);
	sc->command = xstrdup(proc->command ? proc->command : "");
	sc->pid = proc->pid;
	sc->order = s->scope_order++;
	sc->start = now_seconds();
	return sc;
}

struct scope *scope_open(struct session *s, struct process *proc,
			 const struct boundary *b)
{
	struct scope *sc = scope_new(s, proc);
	const char *base = strrchr(proc->exe, '/');
	const char *exe_base = base ? base + 1 : proc->exe;

	if (b) {
		scope_name(s, proc, sc, b);
		fds_read(proc->pid, &sc->fds_open, &sc->nfds_open);
	} else {
		sc->is_program = 1;
		sc->name = xstrdup(exe_base);
		sc->classname = xstrdup(exe_base);
	}
	heap_open_scope(&proc->heap, sc);
	return sc;
}

struct scope *scope_open_pending(struct session *s, struct process *proc,
				 const char *what)
{
	struct scope *sc = scope_new(s, proc);
	const char *base = strrchr(proc->exe, '/');

	sc->name = xstrdup(what);
	sc->classname = xstrdup(base ? base + 1 : proc->exe);
	fds_read(proc->pid, &sc->fds_open, &sc->nfds_open);
	heap_open_scope(&proc->heap, sc);
	return sc;
}

void scope_bind(struct session *s, struct process *proc, struct scope *sc,
		const struct boundary *b)
{
	scope_name(s, proc, sc, b);
}

void scope_discard(struct process *proc, struct scope *sc)
{
	heap_close_scope(&proc->heap, sc, SCOPE_PASSED, NULL);
	scope_free(sc);
}

/* ---- leak filters ---- */

/* A glob on a path: the whole path, or its basename when the pattern has
 * no slash ("libfontconfig.so*", "x.c"). */
static int path_match(const char *pattern, const char *path)
{
	const char *base;

	if (!path)
		return 0;
	if (!fnmatch(pattern, path, 0))
		return 1;
	if (strchr(pattern, '/'))
		return 0;
	base = strrchr(path, '/');
	return base && !fnmatch(pattern, base + 1, 0);
}

static int frame_matches(const struct leak_filter *f,
			 const struct sym_frame *fr)
{
	if (f->function && (!fr->function || fnmatch(f->function,
						     fr->function, 0)))
		return 0;
	if (f->file && !path_match(f->file, fr->file))
		return 0;
	if (f->object && !path_match(f->object, fr->object))
		return 0;
	return 1;
}

struct filter_ctx {
	const struct session *s;
	const struct leak_filter *lists[2];
	size_t counts[2];
};

/* FILTER on the frames FR[0 .. N), as the policy describes it. */
static int filter_matches(const struct leak_filter *f,
			  const struct sym_frame *fr,
			  const struct supp_view *view, unsigned n)
{
	unsigned i;

	if (f->stack && !supp_match_frames(f->stack, f->nstack, view, n))
		return 0;
	if (!f->function && !f->file && !f->object)
		return 1;
	for (i = 0; i < n; i++)
		if (frame_matches(f, &fr[i]))
			return 1;
	return 0;
}

/*
 * Filters and suppressions see the whole stack (split functions shown
 * once, as the reports show them), not the one trimmed at the test: a
 * filter may name the runner.
 */
static int leak_filtered(uint32_t stack, void *arg)
{
	struct filter_ctx *fc = arg;
	struct sym_frame frames[POLICY_MAX_STACK_DEPTH * 2];
	struct supp_view view[POLICY_MAX_STACK_DEPTH * 2];
	static const struct supp_list none;
	const struct supp_list *supps = fc->s->pol ? &fc->s->pol->supps :
						     &none;
	unsigned n, i;
	size_t l, j;

	if (!fc->counts[0] && !fc->counts[1] && !supps->n)
		return 0;
	n = symbolize(fc->s, stack, frames,
		      sizeof(frames) / sizeof(frames[0]), 1);
	for (i = 0; i < n; i++)
		view[i] = (struct supp_view){
			.function = frames[i].function,
			.file = frames[i].file,
			.object = frames[i].object,
			.line = frames[i].line,
		};
	for (l = 0; l < 2; l++)
		for (j = 0; j < fc->counts[l]; j++)
			if (filter_matches(&fc->lists[l][j], frames, view, n))
				return 1;
	for (j = 0; j < supps->n; j++)
		if (supp_match(&supps->v[j], view, n))
			return 1;
	return 0;
}

void scope_finish(struct session *s, struct process *proc, struct scope *sc,
		  enum scope_status status, char *reason, int alive)
{
	const struct boundary *b = sc->boundary;
	struct filter_ctx fc = { .s = s };
	struct limits program;

	if ((b || !sc->is_program) && alive && status != SCOPE_UNFINISHED) {
		struct fd_entry *now;
		size_t n;

		if (fds_read(proc->pid, &now, &n) == 0) {
			fds_diff(sc->fds_open, sc->nfds_open, now, n,
				 &sc->fds_leaked, &sc->nfds_leaked);
			fds_free(now, n);
		}
	}
	leakcheck_close_scope(proc, sc, status, reason, alive);
	if (s->pol) {
		fc.lists[0] = s->pol->filters;
		fc.counts[0] = s->pol->nfilters;
		if (b && b->entry) {
			fc.lists[1] = b->entry->filters;
			fc.counts[1] = b->entry->nfilters;
		}
	}
	if (sc->is_program)
		notests_program_limits(s, &program);
	else if (!b && s->pol)
		policy_limits_for(s->pol, NULL, &program);
	else
		memset(&program, 0, sizeof(program));
	judge_scope(sc, b ? &b->limits : &program, leak_filtered, &fc);
	session_add_done(s, sc);
	if (!sc->is_program)
		report_term_test(stderr, sc, s->term_flags);
}

/* ---- naming ---- */

/* By the test's unnumbered name, then in the order the scopes opened. */
static int by_base_order(const void *a, const void *b)
{
	const struct scope *x = *(struct scope *const *)a;
	const struct scope *y = *(struct scope *const *)b;
	int c = strcmp(x->base, y->base);

	if (c)
		return c;
	return (x->order > y->order) - (x->order < y->order);
}

void session_number_results(struct session *s)
{
	struct scope *sc, **v;
	size_t n = 0, i, j, k;

	for (sc = s->done; sc; sc = sc->next)
		n += sc->base != NULL;
	if (!n)
		return;
	v = xmalloc(n * sizeof(*v));
	for (sc = s->done, i = 0; sc; sc = sc->next)
		if (sc->base)
			v[i++] = sc;
	qsort(v, n, sizeof(*v), by_base_order);
	/* Each test's scopes in opening order; a test that ran once keeps
	 * its plain name (a loop test whose other runs never came). */
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && !strcmp(v[j]->base, v[i]->base); j++)
			;
		for (k = i; k < j; k++) {
			free(v[k]->name);
			v[k]->name = j - i < 2 ? xstrdup(v[k]->base) :
				     xasprintf("%s[%zu]", v[k]->base, k - i);
		}
	}
	free(v);
}
