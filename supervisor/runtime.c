/* Tests named by their framework at run time (runtime.h). */
#include <stdlib.h>
#include <string.h>

#include "breakpoints/bp.h"
#include "supervisor/fixture.h"
#include "supervisor/msg.h"
#include "supervisor/remote.h"
#include "supervisor/runtime.h"
#include "supervisor/scope.h"
#include "supervisor/xmalloc.h"

/* struct TestInfo (gtest.h), x86-64 libstdc++: std::string is 32 bytes,
 * its data pointer first and its length next. */
#define TI_SUITE	0
#define TI_NAME		32
#define TI_FILE		80	/* location_.file */
#define TI_LINE		112	/* location_.line */
#define TI_SHOULD_RUN	128	/* should_run_, after fixture_class_id_ */

/* struct CMUnitTest of cmocka 1.x: five pointers. */
#define CMUNIT_SIZE	40
#define CMUNIT_MAX	100000

#define NAME_MAX_LEN	4096

struct learned {
	struct learned *next;
	const void *img;
	struct boundary b;
};

static struct learned *learned;

/* The learned boundary of IMG called NAME, made on first use. */
static struct boundary *learned_get(struct session *s, const void *img,
				    const char *name, int *made)
{
	struct learned *l;

	*made = 0;
	for (l = learned; l; l = l->next)
		if (l->img == img && !strcmp(l->b.name, name))
			return &l->b;
	l = xcalloc(1, sizeof(*l));
	l->img = img;
	l->b.name = xstrdup(name);
	l->b.learned = 1;
	l->b.entry = policy_match(s->pol, name);
	if (s->pol)
		policy_limits_for(s->pol, l->b.entry, &l->b.limits);
	l->next = learned;
	learned = l;
	*made = 1;
	return &l->b;
}

/* The std::string at ADDR of PROC, newly allocated, or NULL. */
static char *read_std_string(struct process *proc, uint64_t addr)
{
	uint64_t ptr, len;
	char *v;

	if (remote_read(&proc->as->mem, addr, &ptr, sizeof(ptr)) < 0 ||
	    remote_read(&proc->as->mem, addr + 8, &len, sizeof(len)) < 0 ||
	    len > NAME_MAX_LEN)
		return NULL;
	v = xmalloc(len + 1);
	if (len && remote_read(&proc->as->mem, ptr, v, len) < 0) {
		free(v);
		return NULL;
	}
	v[len] = 0;
	return v;
}

static const struct boundary *gtest_test(struct session *s,
					 struct process *proc,
					 const struct boundary *r,
					 uint64_t info)
{
	char *suite, *name;
	struct boundary *b = NULL;
	char *full;
	int made, line;
	unsigned char run;

	/* A disabled or filtered-out test returns at once: not a test run. */
	if (remote_read(&proc->as->mem, info + TI_SHOULD_RUN, &run,
			sizeof(run)) == 0 && !run)
		return NULL;
	suite = read_std_string(proc, info + TI_SUITE);
	name = read_std_string(proc, info + TI_NAME);
	if (!suite || !name || !*suite || !*name) {
		free(suite);
		free(name);
		return NULL;
	}
	full = xasprintf("%s.%s", suite, name);
	b = learned_get(s, proc->as->img, full, &made);
	if (made) {
		b->symbol = xstrdup(r->symbol);
		b->vaddr = r->vaddr;
		b->classname = xstrdup(suite);
		b->origin = DISCOVERED_GTEST;
		b->file = read_std_string(proc, info + TI_FILE);
		if (b->file && !*b->file) {
			free(b->file);
			b->file = NULL;
		}
		if (remote_read(&proc->as->mem, info + TI_LINE, &line,
				sizeof(line)) == 0 && line > 0)
			b->line = (unsigned)line;
	}
	free(full);
	free(suite);
	free(name);
	if (policy_scope_for(s->pol, b->entry) == SCOPE_FUNCTION)
		return NULL;	/* its TestBody opens the scope */
	return b;
}

/* A function of PROC watched with KIND (unless something is there). */
static struct breakpoint *watch(struct process *proc, uint64_t addr,
				enum bp_fn kind, const char *name)
{
	struct aspace *as = proc->as;
	struct breakpoint *bp;

	if (!addr)
		return NULL;
	bp = bp_find(&as->bps, addr);
	if (bp)
		return bp->fn == kind ? bp : NULL;
	bp = bp_add(&as->bps, &as->mem, addr, kind, name);
	if (!bp || bp_arm(&as->bps, &as->mem, bp) < 0) {
		perror_msg("insert a breakpoint on %s in process %d", name,
			   (int)proc->pid);
		return NULL;
	}
	return bp;
}

static void cmocka_group(struct session *s, struct process *proc,
			 const struct user_regs_struct *regs)
{
	struct aspace *as = proc->as;
	uint64_t group = regs->rdi, tests = regs->rsi, n = regs->rdx, i;
	char gname[NAME_MAX_LEN], tname[NAME_MAX_LEN];

	if (!group || remote_read_string(&as->mem, group, gname,
					 sizeof(gname)) < 0)
		strcpy(gname, "cmocka");
	if (n > CMUNIT_MAX)
		n = CMUNIT_MAX;
	for (i = 0; tests && i < n; i++) {
		uint64_t t[4];
		struct breakpoint *bp;
		struct boundary *b;
		int made;

		if (remote_read(&as->mem, tests + i * CMUNIT_SIZE, t,
				sizeof(t)) < 0)
			break;
		if (!t[0] || !t[1] || remote_read_string(&as->mem, t[0], tname,
							 sizeof(tname)) < 0)
			continue;
		b = learned_get(s, as->img, tname, &made);
		if (made) {
			b->symbol = xstrdup(tname);
			b->vaddr = t[1] - as->bias;
			b->classname = xstrdup(gname);
			b->origin = DISCOVERED_CMOCKA;
		}
		/* A test of a static array has its boundary already. */
		bp = watch(proc, t[1], FN_BOUNDARY, tname);
		if (bp && !bp->data)
			bp->data = b;
		if (bp && bp->data)
			b = bp->data;
		if (t[2] || t[3]) {
			fixture_add(as->img, t[1], t[2], t[3]);
			fixture_note_test(as->img, t[1], t[1]);
			watch(proc, t[2], FN_FIXTURE, "cmocka setup");
			watch(proc, t[3], FN_FIXTURE, "cmocka teardown");
		}
		if (msg_verbosity() > 1)
			verbose_msg("process %d: cmocka group '%s' test '%s'",
				    (int)proc->pid, gname, b->name);
	}
}

const struct boundary *runtime_enter(struct session *s, struct tracee *t,
				     const struct boundary *r,
				     const struct user_regs_struct *regs)
{
	switch (r->runner) {
	case RUNNER_GTEST:
		return gtest_test(s, t->proc, r, regs->rdi);
	case RUNNER_CMOCKA:
		cmocka_group(s, t->proc, regs);
		return NULL;
	case RUNNER_NONE:
		break;
	}
	return r;
}

int runtime_covers(const struct tracee *t, const struct boundary *b)
{
	size_t i;

	if (b->origin != DISCOVERED_GTEST || b->learned || b->runner)
		return 0;
	for (i = 0; i < t->rs.n; i++) {
		const struct scope *sc = t->rs.v[i].data;
		const struct boundary *o;

		if (t->rs.v[i].fn != FN_BOUNDARY || !sc)
			continue;
		o = sc->boundary;
		if (o && o->learned && o->origin == DISCOVERED_GTEST)
			return 1;
	}
	return 0;
}

uint64_t runtime_fixture_key(const struct boundary *b, uint64_t bias)
{
	if (b->ttest_vaddr)	/* a Check test, discovered or named */
		return b->ttest_vaddr + bias;
	if (b->origin == DISCOVERED_CMOCKA && !b->runner)
		return b->vaddr + bias;
	return 0;
}

void runtime_release(void)
{
	while (learned) {
		struct learned *l = learned;

		learned = l->next;
		free(l->b.name);
		free(l->b.symbol);
		free(l->b.file);
		free(l->b.classname);
		free(l);
	}
}
