/*
 * Process lifecycle (process.h): a new program image and its entry
 * point, exec, forked and cloned children, and the end of a process.
 */
#include <elf.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/arm.h"
#include "supervisor/engine.h"
#include "supervisor/fixture.h"
#include "supervisor/msg.h"
#include "supervisor/notests.h"
#include "supervisor/process.h"
#include "supervisor/session.h"
#include "supervisor/stop.h"
#include "supervisor/trampoline.h"
#include "supervisor/unwind.h"
#include "supervisor/xmalloc.h"

static char *read_proc_cmdline(pid_t pid)
{
	char path[64], buf[4096];
	FILE *fp;
	size_t n, i;

	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return xstrdup("?");
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	while (n && buf[n - 1] == 0)
		n--;
	for (i = 0; i < n; i++)
		if (buf[i] == 0)
			buf[i] = ' ';
	buf[n] = 0;
	return xstrdup(buf);
}

static char *read_proc_exe(pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		return NULL;
	buf[n] = 0;
	return xstrdup(buf);
}

struct auxv_info {
	uint64_t entry;			/* AT_ENTRY */
	uint64_t base;			/* AT_BASE: the interpreter, 0 if none */
};

static int read_auxv(pid_t pid, struct auxv_info *ai)
{
	char path[64];
	Elf64_auxv_t av;
	FILE *fp;

	memset(ai, 0, sizeof(*ai));
	snprintf(path, sizeof(path), "/proc/%d/auxv", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	while (fread(&av, sizeof(av), 1, fp) == 1 && av.a_type != AT_NULL) {
		if (av.a_type == AT_ENTRY)
			ai->entry = av.a_un.a_val;
		else if (av.a_type == AT_BASE)
			ai->base = av.a_un.a_val;
	}
	fclose(fp);
	return ai->entry ? 0 : -1;
}

/*
 * The stack pointer the kernel gave the new image (/proc/PID/stat's
 * startstack: where argc is), which the entry point starts on; 0 when
 * it cannot be read.
 */
static uint64_t read_start_stack(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long v = 0;
	size_t n;
	FILE *fp;
	int field;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = 0;
	/* the command, in parentheses, may hold spaces and ')' */
	p = strrchr(buf, ')');
	if (!p)
		return 0;
	/* field 3 (the state) follows; startstack is field 28 */
	for (field = 2; field < 28 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &v) != 1)
		return 0;
	return v;
}

int process_entry_is_return(const struct tracee *t, uint64_t sp)
{
	const struct aspace *as = t->proc->as;
	const struct pending *p = retstack_top(&t->rs);

	if (as->entry_reached || (p && p->slot == sp - 8))
		return 1;
	/*
	 * Attached: the program may not have run its entry point yet (still
	 * in the dynamic linker, right after its exec). It runs it on the
	 * stack the kernel made; a call returning to the trampoline returns
	 * below it, since its caller's frame is there.
	 */
	return as->start_stack && sp != as->start_stack;
}

static void process_open_program_scope(struct session *s,
				       struct process *proc)
{
	scope_open(s, proc, NULL);
}

int process_new_image(struct session *s, struct process *proc, int started)
{
	struct elf_image *img;
	struct aspace *as;
	struct auxv_info ai;
	struct breakpoint *bp;

	free(proc->exe);
	free(proc->command);
	proc->exe = read_proc_exe(proc->pid);
	proc->command = read_proc_cmdline(proc->pid);
	if (!proc->exe) {
		perror_msg("read /proc/%d/exe", (int)proc->pid);
		return -1;
	}
	img = elf_image_open(proc->exe);
	if (img && (elf_image_class(img) != ELFCLASS64 ||
		    elf_image_machine(img) != EM_X86_64)) {
		error_msg("process %d exec'd '%s', a %s program: memsup "
			  "supervises x86-64 programs only; killing it",
			  (int)proc->pid, proc->exe,
			  elf_image_class(img) == ELFCLASS32 ? "32-bit" :
			  "non-x86-64");
		elf_image_free(img);
		s->failed_exec = 1;
		kill(proc->pid, SIGKILL);
		return -1;
	}
	if (img)
		elf_image_free(img);
	as = proc->as;
	as->img = image_new(s, proc->exe);
	if (s->stack_depth && !as->uw)
		as->uw = unwinder_new(proc->pid, s->unwind_mode);
	if (read_auxv(proc->pid, &ai) < 0) {
		error_msg("cannot find the entry point of '%s' (process %d)",
			  proc->exe, (int)proc->pid);
		return -1;
	}
	as->entry = ai.entry;
	/*
	 * Attached: whether the program has run its entry point is known at
	 * the first hit there (process_entry_is_return()); it may have been
	 * caught in the dynamic linker, right after its exec.
	 */
	as->start_stack = started ? read_start_stack(proc->pid) : 0;
	as->entry_reached = started && !as->start_stack;
	bp = bp_add(&as->bps, &as->mem, as->entry, FN_ENTRY, "entry point");
	if (!bp || bp_arm(&as->bps, &as->mem, bp) < 0) {
		perror_msg("insert a breakpoint at the entry point of '%s' "
			   "(process %d)", proc->exe, (int)proc->pid);
		return -1;
	}
	if (notests_program_scope(s, as->img->bounds))
		process_open_program_scope(s, proc);
	/*
	 * A dynamically linked program is armed when ld.so reports its
	 * initial libraries; a static one has everything mapped already.
	 */
	if (ai.base && arm_watch_interpreter(proc, ai.base) < 0 && !started)
		warning_msg("cannot watch the dynamic linker of '%s' (process "
			    "%d): supervision starts at its entry point",
			    proc->exe, (int)proc->pid);
	if (started || !ai.base) {
		if (process_arm(s, proc) < 0)
			return -1;
		arm_scopes_changed(s, proc, 0);
	}
	return 0;
}

void process_entry(struct session *s, struct tracee *t, struct breakpoint *bp,
		   struct user_regs_struct *regs)
{
	struct process *proc = t->proc;
	struct aspace *as = proc->as;
	struct write_batch wb;

	if (process_entry_is_return(t, regs->rsp)) {
		trampoline_return(s, t, regs);
		return;
	}
	/* The program runs its entry point, once. */
	as->entry_reached = 1;
	if (!as->started && process_arm(s, proc) == 0)
		arm_scopes_changed(s, proc, 0);
	if (engine_of(s)->place_deferred(s, proc, t)) {
		arm_resolve_allocators(s, proc);
		engine_of(s)->enable(proc, proc->heap.nopen > 0);
	}
	batch_init(&wb, &as->mem);
	stop_step_over(t, bp, regs, &wb);
}

void process_close_scopes(struct session *s, struct process *proc,
			  const char *why, int killed)
{
	fixture_drop_pending(proc);
	while (proc->heap.nopen) {
		struct scope *sc = proc->heap.open[proc->heap.nopen - 1];
		enum scope_status st = SCOPE_UNFINISHED;
		char *reason;

		if (sc->is_program) {
			st = killed ? SCOPE_UNFINISHED : SCOPE_PASSED;
			reason = killed ? xstrdup(why) : NULL;
		} else {
			reason = xasprintf("%s inside the test", why);
		}
		scope_finish(s, proc, sc, st, reason, 0);
	}
}

void process_exec(struct session *s, struct tracee *t)
{
	struct process *proc = t->proc;
	unsigned long former = 0;
	struct tracee *o, *next;

	/*
	 * A non-leader thread that execs takes over the leader's tid; the
	 * others are gone (strace maybe_switch_tcbs()).
	 */
	ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &former);
	for (o = proc->threads; o; o = next) {
		next = o->pnext;
		if (o != t)
			tracee_free(s, o);
	}
	retstack_release(&t->rs);
	retstack_init(&t->rs);
	t->nest_ptr = 0;
	t->flags &= ~(TRACEE_STEPPING | TRACEE_HELD | TRACEE_HELD_STOPPED);
	t->has_held_status = 0;
	proc->nstepping = 0;
	if (former && (pid_t)former != t->tid)
		verbose_msg("thread %lu of process %d exec'd", former,
			    (int)proc->pid);

	engine_of(s)->drain(s, proc, 1);
	process_close_scopes(s, proc, "exec'd a new program", 0);
	heap_release(&proc->heap);
	heap_init(&proc->heap);
	aspace_put(proc->as);
	proc->as = aspace_new(proc->pid);
	if (process_new_image(s, proc, 0) < 0)
		error_msg("process %d runs unsupervised after exec",
			  (int)proc->pid);
}

/*
 * A child forked inside a test: the test's scope stays its parent's
 * (docs/discovery.md, a scope belongs to one process).
 */
static void forget_parent_tests(struct tracee *t)
{
	size_t i;

	/* Still returned through (the child's stack holds the trampoline
	 * or the return-site int3), but closing nothing. */
	for (i = 0; i < t->rs.n; i++)
		if (t->rs.v[i].fn == FN_BOUNDARY)
			t->rs.v[i].data = NULL;
}

static struct process *new_child_process(struct session *s,
					 struct tracee *parent_t, pid_t pid,
					 int share_vm)
{
	struct process *parent = parent_t->proc;
	struct process *proc = process_new(s, pid);
	struct tracee *t;

	heap_release(&proc->heap);
	heap_fork(&proc->heap, &parent->heap);
	if (share_vm) {
		proc->as = aspace_get(parent->as);
	} else {
		proc->as = xcalloc(1, sizeof(*proc->as));
		proc->as->refs = 1;
		remote_open(&proc->as->mem, pid);
		bp_table_copy(&proc->as->bps, &parent->as->bps);
		objects_copy(&proc->as->objs, &parent->as->objs);
		proc->as->entry = parent->as->entry;
		proc->as->r_brk = parent->as->r_brk;
		proc->as->started = parent->as->started;
		proc->as->entry_reached = parent->as->entry_reached;
		proc->as->start_stack = parent->as->start_stack;
		proc->as->inj_failed = parent->as->inj_failed;
		proc->as->img = parent->as->img;
		proc->as->bias = parent->as->bias;
		if (parent->as->uw)
			proc->as->uw = unwinder_fork(parent->as->uw, pid);
		engine_of(s)->fork(parent, proc);
	}
	proc->exe = xstrdup(parent->exe ? parent->exe : "?");
	proc->command = xstrdup(parent->command ? parent->command : "?");
	t = tracee_new(s, proc, pid);
	/* The forking thread's pending returns live on in the child's copy
	 * of its stack (uprobes_copy_process). */
	retstack_release(&t->rs);
	retstack_copy(&t->rs, &parent_t->rs);
	if (!share_vm)
		forget_parent_tests(t);
	if (notests_program_scope(s, proc->as->img ?
					 proc->as->img->bounds : NULL))
		process_open_program_scope(s, proc);
	else if (!share_vm)
		arm_scopes_changed(s, proc, parent->heap.nopen);
	/* a vfork child runs in its parent's memory: the allocator
	 * breakpoints there stay as its parent's scopes want them */
	return proc;
}

static int take_early(struct session *s, pid_t pid)
{
	unsigned i;

	for (i = 0; i < s->nearly; i++) {
		if (s->early[i] == pid) {
			s->early[i] = s->early[--s->nearly];
			return 1;
		}
	}
	return 0;
}

static pid_t tgid_of(pid_t tid)
{
	char path[64], line[256];
	pid_t tgid = -1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	while (fgets(line, sizeof(line), fp))
		if (sscanf(line, "Tgid: %d", &tgid) == 1)
			break;
	fclose(fp);
	return tgid;
}

void process_new_child(struct session *s, struct tracee *t, int event)
{
	unsigned long msg = 0;
	struct tracee *child;
	pid_t pid;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &msg) < 0)
		return;
	pid = (pid_t)msg;
	if (event == PTRACE_EVENT_CLONE && tgid_of(pid) == t->proc->pid) {
		child = tracee_new(s, t->proc, pid);
	} else {
		struct process *proc = new_child_process(s, t, pid,
					event == PTRACE_EVENT_VFORK);

		child = proc->threads;
	}
	/* If its first stop came before this event, it waits for us; and
	 * longer while a sibling single-steps over a lifted int3. */
	if (take_early(s, pid)) {
		engine_of(s)->child_ready(s, child);
		if (stop_someone_stepping(child->proc))
			child->flags |= TRACEE_HELD | TRACEE_HELD_STOPPED;
		else
			tracee_resume(child, 0);
	}
}

void process_unknown(struct session *s, pid_t tid, int status)
{
	if (!WIFSTOPPED(status))
		return;
	if (s->nearly < sizeof(s->early) / sizeof(s->early[0])) {
		s->early[s->nearly++] = tid;
		return;
	}
	/* Should not happen: let it run unsupervised rather than hang. */
	error_msg("too many new threads ahead of their parents; thread %d "
		  "runs unsupervised", (int)tid);
	ptrace(PTRACE_DETACH, tid, 0L, 0L);
}

static char *describe_status(int status)
{
	if (WIFSIGNALED(status))
		return xasprintf("killed by signal %s%s",
				 sigabbrev_np(WTERMSIG(status)) ? "SIG" : "",
				 sigabbrev_np(WTERMSIG(status)) ?
				 sigabbrev_np(WTERMSIG(status)) : "?");
	return xasprintf("exited with status %d", WEXITSTATUS(status));
}

int process_leaving(struct tracee *t)
{
	struct user_regs_struct regs;
	unsigned long msg = 0;

	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0L, &msg) < 0 ||
	    !WIFEXITED((int)msg) || tracee_get_regs(t, &regs) < 0)
		return 0;
	return regs.orig_rax == SYS_exit_group ||
	       (regs.orig_rax == SYS_exit && t->proc->nthreads == 1);
}

void process_exit_status(struct session *s, struct tracee *t, int status)
{
	struct process *proc = t->proc;
	char *why;

	if (t->flags & TRACEE_STEPPING) {
		/* Died mid-step (SIGKILL): its siblings must not stay held. */
		t->flags &= ~TRACEE_STEPPING;
		proc->nstepping--;
		stop_release_siblings(s, t);
	}
	if (t->tid != proc->pid) {
		tracee_free(s, t);
		return;
	}
	/* The leader's death is reported last, after every other thread. */
	if (proc->pid == s->main_pid)
		s->main_status = status;
	if (WIFSIGNALED(status) && s->stop_reason)
		why = xstrdup(s->stop_reason);
	else
		why = describe_status(status);
	process_close_scopes(s, proc, why, WIFSIGNALED(status));
	free(why);
	process_finish(s, proc, SCOPE_PASSED, NULL);
}
