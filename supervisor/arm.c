/*
 * Arming (arm.h): the allocators an engine intercepts, the test
 * boundaries, and the dynamic linker's r_brk, which tells when the link
 * map changed (docs/supervisor.md, "Breakpoints").
 */
#include <stdio.h>
#include <stdlib.h>

#include "supervisor/arm.h"
#include "supervisor/engine.h"
#include "supervisor/msg.h"
#include "supervisor/session.h"
#include "supervisor/stop.h"
#include "supervisor/unwind.h"
#include "supervisor/xmalloc.h"

/* An allocator entry NAME, if a loaded object defines it, goes to the
 * engine, once. */
static void add_allocator(struct session *s, struct process *proc,
			  const char *name, enum bp_fn fn,
			  const struct allocator_spec *spec)
{
	struct aspace *as = proc->as;
	uint64_t addr;

	addr = objects_resolve(&as->objs, name);
	if (!addr || bp_find(&as->bps, addr))
		return;
	engine_of(s)->intercept(proc, name, addr, fn, spec);
}

void arm_resolve_allocators(struct session *s, struct process *proc)
{
	static const char *const unwinders[] = {
		"_Unwind_RaiseException", "_Unwind_Resume_or_Rethrow",
		"_Unwind_ForcedUnwind",
	};
	struct aspace *as = proc->as;
	size_t i;

	for (i = 0; i < nallocator_symbols; i++)
		add_allocator(s, proc, allocator_symbols[i].name,
			      allocator_symbols[i].fn, NULL);
	/* Exceptions must see true return addresses (boundary_unwind()). */
	for (i = 0; i < sizeof(unwinders) / sizeof(unwinders[0]); i++) {
		uint64_t addr = objects_resolve(&as->objs, unwinders[i]);
		struct breakpoint *bp;

		if (!addr || bp_find(&as->bps, addr))
			continue;
		bp = bp_add(&as->bps, &as->mem, addr, FN_UNWIND, unwinders[i]);
		if (!bp || bp_arm(&as->bps, &as->mem, bp) < 0)
			perror_msg("watch %s in process %d (an exception "
				   "through a test would end the program)",
				   unwinders[i], (int)proc->pid);
	}
	if (!s->pol)
		return;
	for (i = 0; i < s->pol->nallocators; i++) {
		const struct allocator_spec *a = &s->pol->allocators[i];

		add_allocator(s, proc, a->alloc, FN_CUSTOM_ALLOC, a);
		if (a->free)
			add_allocator(s, proc, a->free, FN_CUSTOM_FREE, a);
	}
}

static void watch_r_brk(struct process *proc)
{
	struct aspace *as = proc->as;
	struct breakpoint *bp;
	uint64_t brk = objects_r_brk(&as->objs, &as->mem);

	if (!brk || brk == as->r_brk)
		return;
	as->r_brk = brk;
	bp = bp_add(&as->bps, &as->mem, brk, FN_RBRK, "_dl_debug_state");
	if (!bp || bp_arm(&as->bps, &as->mem, bp) < 0)
		perror_msg("watch the dynamic linker of process %d (dlopen'd "
			   "libraries will not be supervised)", (int)proc->pid);
}

/* Test boundaries: always armed, they open the scopes. */
static void arm_boundaries(struct process *proc, uint64_t bias)
{
	struct aspace *as = proc->as;
	const struct boundaries *bs = as->img ? as->img->bounds : NULL;
	struct breakpoint *bp;
	uint64_t addr;
	size_t i;

	/*
	 * Check's TCase names are known only at run time: every test is
	 * registered through _tcase_add_test(TCase *, const TTest *, ...)
	 * before the suite runs.
	 */
	as->bias = bias;
	for (i = 0; bs && i < bs->n; i++)
		if (bs->v[i].ttest_vaddr)
			break;
	if (bs && i < bs->n &&
	    (addr = objects_resolve(&as->objs, "_tcase_add_test")) &&
	    (!(bp = bp_add(&as->bps, &as->mem, addr, FN_TCASE,
			   "_tcase_add_test")) ||
	     bp_arm(&as->bps, &as->mem, bp) < 0))
		perror_msg("watch Check's _tcase_add_test in process %d (test "
			   "classnames fall back to file names)",
			   (int)proc->pid);
	/* Checked fixtures join their tests' scopes (fixture.h). */
	if (bs && i < bs->n &&
	    (addr = objects_resolve(&as->objs, "tcase_add_checked_fixture")) &&
	    (!(bp = bp_add(&as->bps, &as->mem, addr, FN_FIXTURE_ADD,
			   "tcase_add_checked_fixture")) ||
	     bp_arm(&as->bps, &as->mem, bp) < 0))
		perror_msg("watch Check's tcase_add_checked_fixture in process "
			   "%d (checked fixtures stay outside their tests' "
			   "scopes)", (int)proc->pid);

	for (i = 0; bs && i < bs->n; i++) {
		const struct boundary *b = &bs->v[i];

		/* A runner in a library: found by name, once it is mapped. */
		addr = b->vaddr ? bias + b->vaddr :
		       objects_resolve(&as->objs, b->symbol);
		if (!addr)
			continue;
		bp = bp_add(&as->bps, &as->mem, addr, FN_BOUNDARY,
			    b->symbol);
		if (!bp || bp_arm(&as->bps, &as->mem, bp) < 0) {
			perror_msg("insert a breakpoint on test '%s' in "
				   "process %d", b->name, (int)proc->pid);
			continue;
		}
		/* Two names at one address (aliases): the first is used. */
		if (!bp->data)
			bp->data = (void *)b;
	}
}

int process_arm(struct session *s, struct process *proc)
{
	struct aspace *as = proc->as;
	struct elf_image *img;
	uint64_t bias;

	img = elf_image_open(proc->exe);
	if (!img) {
		error_msg("cannot read the executable '%s' of process %d: %s",
			  proc->exe, (int)proc->pid, elfsym_error());
		return -1;
	}
	bias = as->entry - elf_image_entry(img);
	elf_image_free(img);
	if (objects_start(&as->objs, &as->mem, proc->exe, bias) < 0)
		return -1;
	objects_refresh(&as->objs, &as->mem);
	if (as->img)
		image_add_objects(as->img, &as->objs);
	/* At an exec stop, the engine may have to wait for the entry
	 * point (process_entry()). */
	if (engine_of(s)->place(s, proc, s->cur && s->cur->proc == proc ?
					 s->cur : proc->threads) == 0)
		arm_resolve_allocators(s, proc);
	arm_boundaries(proc, bias);
	watch_r_brk(proc);
	as->started = 1;
	return 0;
}

void arm_r_brk(struct session *s, struct tracee *t, struct breakpoint *bp,
	       struct user_regs_struct *regs)
{
	struct aspace *as = t->proc->as;
	uint64_t ret;

	/* RT_CONSISTENT: the link map is complete again. */
	if (objects_r_state(&as->objs, &as->mem) == 0) {
		if (!as->started) {
			if (process_arm(s, t->proc) == 0)
				arm_scopes_changed(s, t->proc, 0);
		} else if (objects_refresh(&as->objs, &as->mem) > 0) {
			if (as->img)
				image_add_objects(as->img, &as->objs);
			if (as->uw)
				unwinder_flush(as->uw);
			engine_of(s)->maps_changed(t->proc);
			/* a placement that waited for the C library */
			engine_of(s)->place(s, t->proc, t);
			arm_resolve_allocators(s, t->proc);
		}
	}
	/* _dl_debug_state is a bare "ret" in glibc 2.36. */
	if (bp->orig[0] == 0xc3 &&
	    remote_read(&as->mem, regs->rsp, &ret, sizeof(ret)) == 0) {
		regs->rip = ret;
		regs->rsp += 8;
		if (tracee_set_regs(t, regs) == 0)
			tracee_resume(t, 0);
		return;
	}
	{
		struct write_batch wb;

		batch_init(&wb, &as->mem);
		stop_step_over(t, bp, regs, &wb);
	}
}

/* The path of the object mapped at file offset 0 at START, or NULL. */
static char *mapped_path(pid_t pid, uint64_t start)
{
	char path[64], line[4352], file[4096];
	unsigned long long lo, hi, off;
	char *found = NULL;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return NULL;
	while (!found && fgets(line, sizeof(line), fp)) {
		file[0] = 0;
		if (sscanf(line, "%llx-%llx %*s %llx %*s %*s %4095[^\n]", &lo,
			   &hi, &off, file) >= 3 &&
		    lo == start && off == 0 && file[0] == '/')
			found = xstrdup(file);
	}
	fclose(fp);
	return found;
}

int arm_watch_interpreter(struct process *proc, uint64_t base)
{
	struct aspace *as = proc->as;
	struct elf_image *img;
	struct elf_sym sym;
	char *interp = mapped_path(proc->pid, base);
	int ret = -1;

	if (!interp)
		return -1;
	img = elf_image_open(interp);
	if (img && elf_image_lookup(img, "_r_debug", ELFSYM_DYNSYM |
				    ELFSYM_SYMTAB, &sym) == 0)
		as->objs.r_debug = base + sym.value;
	if (img && elf_image_lookup(img, "_dl_debug_state", ELFSYM_DYNSYM |
				    ELFSYM_SYMTAB, &sym) == 0) {
		struct breakpoint *bp;

		as->r_brk = base + sym.value;
		bp = bp_add(&as->bps, &as->mem, as->r_brk, FN_RBRK,
			    "_dl_debug_state");
		if (bp && bp_arm(&as->bps, &as->mem, bp) == 0)
			ret = 0;
	}
	if (img)
		elf_image_free(img);
	free(interp);
	return ret;
}

void arm_scopes_changed(struct session *s, struct process *proc,
			size_t before)
{
	int on = proc->heap.nopen > 0;

	if (!proc->as->started || (before > 0) == on)
		return;
	engine_of(s)->enable(proc, on);
}
