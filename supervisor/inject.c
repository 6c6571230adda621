/*
 * The in-process engine (inject.h, docs/design/inject.md).
 *
 * Placing the recorder. memsup runs system calls in the stopped thread
 * (compel's way: registers saved, rip on a syscall instruction, one
 * single-step, registers restored): memfd_create, ftruncate, mmap of the
 * code region within rel32 reach of the objects whose functions it
 * redirects and of the data region, close. memsup maps the same memfd
 * through /proc/PID/fd before the close. Nothing is preloaded, nothing
 * is written to disk, and no descriptor is left in the program. At a
 * detach the mappings go when no thread can run the recorder any more,
 * else at the next placement (recmaps.h).
 *
 * Redirecting an entry. The whole instructions under a 5-byte jump are
 * relocated into a stub of the code region (breakpoints/relocate.c); the
 * jump is written int3 first, then its other four bytes, then its
 * opcode, so that a thread running through the entry meanwhile either
 * traps (and is sent back to the entry) or runs the original.
 *
 * Draining. Events are applied in ring order, which is the order in
 * which they were reserved: a free is reserved before its block is
 * released, an allocation after its block is returned. A realloc that
 * moves a block frees the old one before it returns: its old block is
 * held aside from the event that says the realloc began, so that
 * another thread's allocation at the same address can come first.
 */
#include <cpuid.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <linux/futex.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "breakpoints/relocate.h"
#include "recorder/shared.h"
#include "supervisor/alloc.h"
#include "supervisor/custom_alloc.h"
#include "supervisor/trampoline.h"
#include "supervisor/inject.h"
#include "supervisor/msg.h"
#include "supervisor/recmaps.h"
#include "supervisor/session.h"
#include "supervisor/stackmap.h"
#include "supervisor/unwind.h"
#include "supervisor/xmalloc.h"

extern const uint8_t memsup_recorder_blob[], memsup_recorder_blob_end[];

#define PAGE 4096u
#define STUB_HDR 32u
#define STUB_SIZE (STUB_HDR + RELOC_MAX_OUT)
#define STUB_AREA (REC_MAX_ENTRIES * STUB_SIZE)
#define MAX_MAPS 4
/* A code mapping serves functions within this distance. */
#define REACH ((1ULL << 31) - (64ULL << 20))

#define RING_SLOTS 2048u
/* A writer asks for the line of the slot this many events on: unless the
 * ring is nearly full, the drainer read it a ring ago and is done with
 * it (if not, the drainer's read costs a miss, nothing else) */
#define RING_PREFETCH 16u
#define RULES_CAP 32768u
#define TSTATE_CAP 4096u
#define MAX_PENDING 64
#define LAST_STACKS 4

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#ifndef MFD_CLOEXEC
#define MFD_CLOEXEC 1u
#endif

/* The code region: shared by a process and the children it forks. */
struct inj_code {
	unsigned refs;
	uint8_t *local;			/* memsup's mapping */
	size_t size;
	uint32_t stub_next;		/* offset of the next free stub */
	const struct rec_code_header *hdr;
};

struct inj_entry {
	uint64_t fn;
	uint8_t orig[RELOC_JMP_LEN];
	enum bp_fn id;
	const struct allocator_spec *spec;	/* a policy allocator's */
	char *name;
};

/* A realloc in flight: its old block, until it returns. */
struct inj_pending {
	uint64_t thread;
	uint64_t old;
	int freed;			/* another allocation took its address */
};

struct inject {
	struct process *proc;		/* whose accounting the events go to */
	struct inj_code *code;
	uint64_t maps[MAX_MAPS];	/* code region mappings in the process */
	unsigned nmaps;
	uint8_t *data;			/* memsup's mapping of the data region */
	size_t data_size;
	uint64_t data_addr;		/* in the process */
	struct rec_control *ctl;
	struct inj_entry entries[REC_MAX_ENTRIES];
	unsigned nentries;
	struct inj_pending pend[MAX_PENDING];
	unsigned npend;
	uint64_t events, rule_traps, unwind_traps, full_traps, holes;
	uint64_t by_id;			/* events naming their stack by id */
	uint64_t seen_head;		/* head at the drainer's last look */
	uint64_t stuck_tail;		/* tail at the last full-ring trap */
	unsigned stuck;			/* full-ring traps it stayed there */
	uint64_t idle_tail;		/* the drainer's: a tail it found stuck */
	unsigned idle;			/* its looks that found it there */
	uint64_t lost_warned;
	/* each thread's last few stacks: a loop allocating from a few
	 * places gives the same ones again, compared rather than hashed */
	struct {
		uint64_t thread;
		uint32_t image, next;
		uint32_t stack[LAST_STACKS];
	} last[64];
	uint32_t dropped_warned;
};

/* ---- the data region ---- */

/* Whole cache lines: two threads filling neighbouring slots on two CPUs
 * must not write the same line. */
static size_t event_size(unsigned depth)
{
	return (sizeof(struct rec_event) + depth * 8 + 63) & ~(size_t)63;
}

static size_t data_layout(unsigned depth, struct rec_control *c)
{
	size_t off = (sizeof(struct rec_control) + PAGE - 1) & ~(size_t)(PAGE - 1);

	if (c) {
		c->rules_off = off;
		c->rules_cap = RULES_CAP;
	}
	off += RULES_CAP * sizeof(struct rec_rule);
	/* the states' fields memsup writes have cache lines of their own */
	off = (off + _Alignof(struct rec_tstate) - 1) &
	      ~(size_t)(_Alignof(struct rec_tstate) - 1);
	if (c) {
		c->tstate_off = off;
		c->tstate_cap = TSTATE_CAP;
	}
	off += TSTATE_CAP * sizeof(struct rec_tstate);
	off = (off + PAGE - 1) & ~(size_t)(PAGE - 1);
	if (c) {
		c->ring_off = off;
		c->ring_slots = RING_SLOTS;
		c->event_size = (uint32_t)event_size(depth);
	}
	off += RING_SLOTS * event_size(depth);
	return (off + PAGE - 1) & ~(size_t)(PAGE - 1);
}

/* ---- system calls in the process ---- */

/*
 * Runs system call NR with ARGS in the stopped thread T, on the syscall
 * instruction at AT, and puts its registers back. Signals that arrive
 * meanwhile are sent again afterwards. 0 and *RET, or -1.
 */
static int remote_syscall(struct tracee *t, uint64_t at, long nr,
			  const uint64_t args[6], int64_t *ret)
{
	struct user_regs_struct saved, r;
	int status, sigs[8], nsigs = 0, i;
	pid_t w;

	if (ptrace(PTRACE_GETREGS, t->tid, 0L, &saved) < 0)
		return -1;
	r = saved;
	r.rax = (uint64_t)nr;
	/* not a syscall restart: the kernel must not rewind rip */
	r.orig_rax = (uint64_t)-1;
	r.rdi = args[0];
	r.rsi = args[1];
	r.rdx = args[2];
	r.r10 = args[3];
	r.r8 = args[4];
	r.r9 = args[5];
	r.rip = at;
	if (ptrace(PTRACE_SETREGS, t->tid, 0L, &r) < 0)
		return -1;
	for (;;) {
		if (ptrace(PTRACE_SINGLESTEP, t->tid, 0L, 0L) < 0)
			goto restore;
		/* memsup's SIGINT and its timer interrupt waits (no
		 * SA_RESTART): the thread must get its registers back */
		while ((w = waitpid(t->tid, &status, __WALL)) < 0 &&
		       errno == EINTR)
			;
		if (w < 0)
			goto restore;
		if (!WIFSTOPPED(status)) {
			errno = ESRCH;
			return -1;
		}
		if (WSTOPSIG(status) == SIGTRAP && !(status >> 16))
			break;
		if (!(status >> 16) && nsigs < 8)
			sigs[nsigs++] = WSTOPSIG(status);
		if (ptrace(PTRACE_GETREGS, t->tid, 0L, &r) < 0)
			goto restore;
		if (r.rip != at)
			break;		/* stepped, with an event stop first */
	}
	if (ptrace(PTRACE_GETREGS, t->tid, 0L, &r) < 0)
		goto restore;
	*ret = (int64_t)r.rax;
	if (ptrace(PTRACE_SETREGS, t->tid, 0L, &saved) < 0)
		return -1;
	for (i = 0; i < nsigs; i++)
		syscall(SYS_tgkill, (int)t->proc->pid, (int)t->tid, sigs[i]);
	return 0;
restore:
	i = errno;
	ptrace(PTRACE_SETREGS, t->tid, 0L, &saved);
	errno = i;
	return -1;
}

static int64_t rsys(struct tracee *t, uint64_t at, long nr, uint64_t a0,
		    uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
		    uint64_t a5)
{
	const uint64_t args[6] = { a0, a1, a2, a3, a4, a5 };
	int64_t ret;

	if (remote_syscall(t, at, nr, args, &ret) < 0)
		return -ESRCH;
	return ret;
}

/* Makes a memfd of SIZE bytes in the process; its number, or -errno. */
static int64_t remote_memfd(struct tracee *t, uint64_t at, uint64_t size)
{
	static const char name[] = "memsup-recorder";
	struct user_regs_struct r;
	uint8_t was[sizeof(name)];
	uint64_t where;
	int64_t fd, rc;

	if (ptrace(PTRACE_GETREGS, t->tid, 0L, &r) < 0)
		return -errno;
	/* below the red zone of the interrupted code, and put back */
	where = ((r.rsp - 512) & ~15ULL) - sizeof(name);
	if (remote_read(&t->proc->as->mem, where, was, sizeof(was)) < 0 ||
	    remote_write(&t->proc->as->mem, where, name, sizeof(name)) < 0)
		return -errno;
	fd = rsys(t, at, SYS_memfd_create, where, MFD_CLOEXEC, 0, 0, 0, 0);
	remote_write(&t->proc->as->mem, where, was, sizeof(was));
	if (fd < 0)
		return fd;
	rc = rsys(t, at, SYS_ftruncate, (uint64_t)fd, size, 0, 0, 0, 0);
	if (rc < 0) {
		rsys(t, at, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
		return rc;
	}
	return fd;
}

/* memsup's own mapping of descriptor FD of process PID. */
static void *map_local(pid_t pid, int64_t fd, size_t size, off_t off)
{
	char path[64];
	void *p;
	int lfd;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, (int)fd);
	lfd = open(path, O_RDWR | O_CLOEXEC);
	if (lfd < 0)
		return NULL;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, lfd, off);
	close(lfd);
	return p == MAP_FAILED ? NULL : p;
}

/*
 * A free range of SIZE bytes in PID within REACH of NEAR, closest first,
 * or 0. Mappings are read from /proc/PID/maps, sorted by address.
 */
static uint64_t free_near(pid_t pid, uint64_t near, size_t size)
{
	char path[64], line[512];
	unsigned long long lo, hi, prev_hi = 0x10000;
	uint64_t best = 0, cand, dist, best_dist = ~0ULL;
	int whole = 1;
	FILE *fp;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		int head = whole;

		/* the rest of a long line (a long path) is no mapping */
		whole = strchr(line, '\n') != NULL;
		if (!head || sscanf(line, "%llx-%llx", &lo, &hi) != 2)
			continue;
		if (lo > prev_hi && lo - prev_hi >= size + 2 * PAGE) {
			/* the end of the gap nearest NEAR */
			cand = near >= lo ? lo - PAGE - size : prev_hi + PAGE;
			dist = cand > near ? cand - near : near - cand;
			if (dist < best_dist) {
				best_dist = dist;
				best = cand;
			}
		}
		prev_hi = hi;
	}
	fclose(fp);
	return best_dist < REACH ? best : 0;
}

/* ---- placement ---- */

static struct inject *inject_new(struct process *proc)
{
	struct inject *inj = xcalloc(1, sizeof(*inj));

	inj->proc = proc;
	return inj;
}

static void code_put(struct inj_code *code)
{
	if (!code || --code->refs)
		return;
	munmap(code->local, code->size);
	free(code);
}

/* the doorbell the drainer sleeps on (under acct_lock) */
static uint32_t *drainer_bell;
/* the data region of a ring released while the drainer slept on it */
static struct {
	uint8_t *data;
	size_t size;
} graveyard;

static void graveyard_clear(void)
{
	if (graveyard.data)
		munmap(graveyard.data, graveyard.size);
	graveyard.data = NULL;
}

static void futex_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

void inject_free(struct inject *inj)
{
	unsigned i;

	if (!inj)
		return;
	for (i = 0; i < inj->nentries; i++)
		free(inj->entries[i].name);
	if (inj->ctl && drainer_bell == &inj->ctl->drainer_sleeps) {
		/*
		 * The drainer sleeps on this ring, or is about to: it may
		 * not wait on a word unmapped under it. It unmaps the
		 * region itself when it looks again.
		 */
		futex_wake(drainer_bell);
		drainer_bell = NULL;
		if (graveyard.data)
			munmap(graveyard.data, graveyard.size);
		graveyard.data = inj->data;
		graveyard.size = inj->data_size;
		inj->data = NULL;
	}
	if (inj->data)
		munmap(inj->data, inj->data_size);
	code_put(inj->code);
	free(inj);
}

/*
 * Maps the code region (descriptor FD) near NEAR, unless a mapping of it
 * is within reach already; 0, or -1 with *WHY. Nothing is left mapped in
 * the process on failure: a kernel that takes MAP_FIXED_NOREPLACE for a
 * hint maps elsewhere, and that mapping goes again.
 */
static int map_code_near(struct inject *inj, struct tracee *t, uint64_t at,
			 int64_t fd, uint64_t near, const char **why)
{
	uint64_t hint;
	int64_t addr = 0;
	unsigned i;

	for (i = 0; i < inj->nmaps; i++) {
		uint64_t d = inj->maps[i] > near ? inj->maps[i] - near :
						   near - inj->maps[i];

		if (d < REACH)
			return 0;
	}
	if (inj->nmaps == MAX_MAPS) {
		*why = "no mapping of the code left";
		return -1;
	}
	/* a thread of the program that runs meanwhile may map the range
	 * found: looked for again, a few times */
	for (i = 0; i < 3; i++) {
		hint = free_near(t->proc->pid, near, inj->code->size);
		if (!hint) {
			*why = "no free address range within jump range "
			       "(2 GiB)";
			return -1;
		}
		addr = rsys(t, at, SYS_mmap, hint, inj->code->size,
			    PROT_READ | PROT_EXEC,
			    MAP_SHARED | MAP_FIXED_NOREPLACE, (uint64_t)fd, 0);
		if (addr >= 0 && (uint64_t)addr != hint)
			rsys(t, at, SYS_munmap, (uint64_t)addr,
			     inj->code->size, 0, 0, 0, 0);
		if ((uint64_t)addr == hint) {
			inj->maps[inj->nmaps++] = hint;
			return 0;
		}
		if (addr != -EEXIST)
			break;
	}
	*why = addr == -EEXIST ? "the free ranges found were taken meanwhile" :
				 "mmap at the free range found failed";
	return -1;
}

/*
 * Where a thread's kernel tid is, from %fs: libthread_db's descriptor
 * of struct pthread's tid, which glibc exports for debuggers as
 * _thread_db_pthread_tid {bits, count, offset}. 0 when not found.
 */
static uint32_t thread_tid_offset(const struct process *proc)
{
	const struct objects *objs = &proc->as->objs;
	uint64_t addr = 0;
	uint32_t desc[3];
	struct elf_sym sym;
	size_t i;

	for (i = 0; i < objs->n && !addr; i++)
		if (objs->v[i].img &&
		    elf_image_lookup(objs->v[i].img, "_thread_db_pthread_tid",
				     ELFSYM_DYNSYM | ELFSYM_SYMTAB, &sym) == 0 &&
		    sym.type == STT_OBJECT)
			addr = objs->v[i].bias + sym.value;

	if (!addr || remote_read(&proc->as->mem, addr, desc, sizeof(desc)) < 0 ||
	    desc[0] != 32 || desc[2] < 0x40 || desc[2] > 0x10000)
		return 0;
	return desc[2];
}

/*
 * Whether this CPU (the program's) has prefetchw (cpuid 0x80000001, ecx
 * bit 8): on those without, its opcode need not be a no-op.
 */
static int cpu_has_prefetchw(void)
{
	unsigned a, b, c, d;

	return __get_cpuid(0x80000001, &a, &b, &c, &d) && (c & bit_PRFCHW);
}

static void control_init(struct inject *inj, struct session *s,
			 const struct process *proc)
{
	struct rec_control *c = inj->ctl;

	c->magic = REC_MAGIC;
	c->depth = s->stack_depth;
	c->trampoline = proc->as->entry;
	data_layout(s->stack_depth, c);
	c->enabled = proc->heap.nopen > 0;
	c->tid_off = thread_tid_offset(proc);
	c->prefetch = cpu_has_prefetchw() ? RING_PREFETCH : 0;
}

/* ---- recorders an earlier attach left ---- */

/* Unmaps SET in the process, through T standing on a syscall at AT;
 * how many of its mappings could not be. */
static unsigned unmap_set(struct tracee *t, uint64_t at,
			  const struct rec_set *set)
{
	unsigned i, failed = 0;

	if (rsys(t, at, SYS_munmap, set->data, set->data_size, 0, 0, 0, 0))
		failed++;
	for (i = 0; i < set->ncode; i++)
		if (rsys(t, at, SYS_munmap, set->code[i], set->code_size, 0, 0,
			 0, 0))
			failed++;
	return failed;
}

/*
 * A recorder left by an earlier attach (whose detach found a thread
 * inside it) is unmapped if no thread can run its code any more; a
 * thread's state word pointing into one is cleared either way, so that
 * the new recorder gives the thread a state of its own. Only with every
 * thread stopped: the answer holds then alone.
 */
static void reclaim(struct process *proc, struct tracee *t, uint64_t at,
		    uint64_t code_size)
{
	size_t blob = (size_t)(memsup_recorder_blob_end - memsup_recorder_blob);
	struct rec_set sets[8];
	unsigned others;
	pid_t who;
	int n, i;

	n = recmaps_find(proc->pid, &proc->as->mem, memsup_recorder_blob, blob,
			 code_size, 0, sets, 8, &others);
	if (others)
		verbose_msg("process %d: %u mappings named memsup-recorder are "
			    "not this memsup's recorder; left as they are",
			    (int)proc->pid, others);
	if (n <= 0)
		return;
	if (!recmaps_all_stopped(proc)) {
		verbose_msg("process %d: %d recorders of an earlier attach "
			    "left mapped (not every thread is stopped)",
			    (int)proc->pid, n);
		return;
	}
	for (i = 0; i < n; i++) {
		int used = recmaps_in_use(proc, &sets[i], &who);

		recmaps_forget_threads(proc, &sets[i]);
		if (used && who) {
			verbose_msg("process %d: the recorder of an earlier "
				    "attach (data at %#llx) stays mapped: "
				    "thread %d may still be inside it",
				    (int)proc->pid,
				    (unsigned long long)sets[i].data,
				    (int)who);
			continue;
		}
		if (used) {
			verbose_msg("process %d: the recorder of an earlier "
				    "attach (data at %#llx) stays mapped: its "
				    "memsup did not take every jump back, or a "
				    "call may be in flight in it",
				    (int)proc->pid,
				    (unsigned long long)sets[i].data);
			continue;
		}
		if (unmap_set(t, at, &sets[i]))
			warning_msg("process %d: could not unmap the recorder "
				    "an earlier attach left at %#llx",
				    (int)proc->pid,
				    (unsigned long long)sets[i].data);
		else
			verbose_msg("process %d: the recorder an earlier "
				    "attach left (%llu KiB) unmapped",
				    (int)proc->pid, (unsigned long long)
				    (sets[i].data_size + sets[i].ncode *
				     sets[i].code_size) >> 10);
	}
}

int inject_place(struct session *s, struct process *proc, struct tracee *t)
{
	struct aspace *as = proc->as;
	size_t blob = (size_t)(memsup_recorder_blob_end - memsup_recorder_blob);
	size_t code_size = ((blob + PAGE - 1) & ~(size_t)(PAGE - 1)) + STUB_AREA;
	size_t data_size = data_layout(s->stack_depth, NULL);
	struct user_regs_struct regs;
	static const uint8_t sys_insn[2] = { 0x0f, 0x05 };
	uint8_t saved[2];
	struct inject *inj;
	uint64_t at, near;
	int64_t fd, addr;
	const char *fail = NULL, *why = NULL;
	char what[128];
	unsigned i;
	int err = 0;

	if (as->inj)
		return 0;
	/*
	 * Near libc's malloc, and near the executable. A dynamic program
	 * attached to before its dynamic linker mapped the C library (right
	 * after its exec) gets its recorder once the link map holds it: one
	 * placed near the executable now would leave libc out of reach.
	 */
	near = objects_resolve(&as->objs, "malloc");
	if (!near && as->r_brk)
		return 1;
	if (!near && as->objs.n)
		near = as->objs.v[0].bias + 0x1000;
	if (ptrace(PTRACE_GETREGS, t->tid, 0L, &regs) < 0) {
		err = errno;
		snprintf(what, sizeof(what), "read the registers of thread %d",
			 (int)t->tid);
		fail = what;
		goto said;
	}
	/* A syscall instruction where the thread stands, for a moment. */
	at = regs.rip;
	if (remote_read(&as->mem, at, saved, sizeof(saved)) < 0 ||
	    remote_poke_text(&as->mem, at, sys_insn, sizeof(sys_insn)) < 0) {
		err = errno;
		snprintf(what, sizeof(what), "write a system call at %#llx",
			 (unsigned long long)at);
		fail = what;
		goto said;
	}
	reclaim(proc, t, at, code_size);
	inj = inject_new(proc);
	inj->code = xcalloc(1, sizeof(*inj->code));
	inj->code->refs = 1;
	inj->code->size = code_size;
	inj->code->stub_next = (uint32_t)(code_size - STUB_AREA);
	fd = remote_memfd(t, at, code_size + data_size);
	if (fd < 0) {
		err = (int)-fd;
		fail = "make its memfd";
		goto undo;
	}
	inj->code->local = map_local(proc->pid, fd, code_size + data_size, 0);
	if (!inj->code->local) {
		err = errno;
		fail = "map its memfd here";
		goto close_fd;
	}
	/* memsup's one mapping holds both: the data follows the code */
	memcpy(inj->code->local, memsup_recorder_blob, blob);
	inj->code->hdr = (const struct rec_code_header *)inj->code->local;
	if (!near || map_code_near(inj, t, at, fd, near, &why) < 0) {
		snprintf(what, sizeof(what), "map its code near malloc (%#llx): "
			 "%s", (unsigned long long)near,
			 why ? why : "no object to place it near");
		fail = what;
		goto close_fd;
	}
	/* the executable's own allocators, if any: a breakpoint each, said
	 * then, if it stays out of reach */
	if (as->objs.n)
		map_code_near(inj, t, at, fd, as->objs.v[0].bias + 0x1000,
			      &why);
	/* not populated: most of the region (threads' states for 4096
	 * threads) is never touched, and the ring's hundred pages fault in
	 * once */
	addr = rsys(t, at, SYS_mmap, 0, data_size, PROT_READ | PROT_WRITE,
		    MAP_SHARED, (uint64_t)fd, code_size);
	if (addr < 0) {
		err = (int)-addr;
		fail = "map its data region";
		goto close_fd;
	}
	inj->data_addr = (uint64_t)addr;
	rsys(t, at, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	remote_poke_text(&as->mem, at, saved, sizeof(saved));
	inj->data = inj->code->local + code_size;
	inj->data_size = data_size;
	inj->ctl = (struct rec_control *)inj->data;
	control_init(inj, s, proc);
	((struct rec_code_header *)inj->code->local)->data = inj->data_addr;
	as->inj = inj;
	verbose_msg("process %d: recorder placed: code at %#llx, data at "
		    "%#llx (%zu KiB)", (int)proc->pid,
		    (unsigned long long)inj->maps[0],
		    (unsigned long long)inj->data_addr,
		    (code_size + data_size) >> 10);
	return 0;

close_fd:
	/* the process as it was: no mapping, no descriptor, its code back */
	for (i = 0; i < inj->nmaps; i++)
		rsys(t, at, SYS_munmap, inj->maps[i], code_size, 0, 0, 0, 0);
	rsys(t, at, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
undo:
	remote_poke_text(&as->mem, at, saved, sizeof(saved));
	if (inj->code->local)
		munmap(inj->code->local, code_size + data_size);
	free(inj->code);
	free(inj);
said:
	if (err)
		warning_msg("cannot place the recorder in process %d (%s: %s): "
			    "every allocator entry of the process gets a "
			    "breakpoint instead, as with --engine=breakpoint",
			    (int)proc->pid, fail, strerror(err));
	else
		warning_msg("cannot place the recorder in process %d (%s): "
			    "every allocator entry of the process gets a "
			    "breakpoint instead, as with --engine=breakpoint",
			    (int)proc->pid, fail);
	return -1;
}

/*
 * Every stopped thread of PROC whose rip lies in [LO, HI) is single-
 * stepped until it leaves: it was inside the instructions a jump is about
 * to cover (it had run some of them when it stopped), and would resume in
 * the middle of the jump. A signal reported meanwhile is sent again.
 */
static void step_out_of(struct process *proc, uint64_t lo, uint64_t hi)
{
	struct user_regs_struct r;
	int status, sigs[8], nsigs, i, n;
	struct tracee *t;
	pid_t w;

	for (t = proc->threads; t; t = t->pnext) {
		nsigs = 0;
		for (n = 0; n < 16; n++) {
			if (ptrace(PTRACE_GETREGS, t->tid, 0L, &r) < 0 ||
			    r.rip < lo || r.rip >= hi)
				break;
			if (ptrace(PTRACE_SINGLESTEP, t->tid, 0L, 0L) < 0)
				break;
			while ((w = waitpid(t->tid, &status, __WALL)) < 0 &&
			       errno == EINTR)
				;
			if (w < 0 || !WIFSTOPPED(status))
				break;
			if (WSTOPSIG(status) != SIGTRAP && !(status >> 16) &&
			    nsigs < 8)
				sigs[nsigs++] = WSTOPSIG(status);
		}
		for (i = 0; i < nsigs; i++)
			syscall(SYS_tgkill, (int)proc->pid, (int)t->tid, sigs[i]);
	}
}

/* ---- redirecting entry points ---- */

static enum rec_entry_kind entry_kind(enum bp_fn fn)
{
	switch (fn) {
	case FN_POSIX_MEMALIGN:
		return REC_POSIX_MEMALIGN;
	case FN_REALLOC:
	case FN_REALLOCARRAY:
		return REC_REALLOC;
	case FN_NEW:
	case FN_NEW_ARRAY:
		return REC_NEW;
	case FN_FREE:
		return REC_FREE;
	case FN_DELETE:
	case FN_DELETE_ARRAY:
	case FN_CUSTOM_FREE:
		return REC_FREE_OUTER;
	default:
		return REC_ALLOC;
	}
}

static void put32(uint8_t *p, int64_t v)
{
	int32_t w = (int32_t)v;

	memcpy(p, &w, 4);
}

int inject_redirected(const struct process *proc, uint64_t addr)
{
	const struct inject *inj = proc->as->inj;
	unsigned i;

	for (i = 0; inj && i < inj->nentries; i++)
		if (inj->entries[i].fn == addr)
			return 1;
	return 0;
}

int inject_redirect(struct process *proc, uint64_t addr, enum bp_fn fn,
		    const struct allocator_spec *spec, const char *name,
		    const char **why)
{
	struct aspace *as = proc->as;
	struct inject *inj = as->inj;
	struct inj_code *code;
	uint8_t bytes[32], out[RELOC_MAX_OUT], *stub, jmp[RELOC_JMP_LEN];
	uint64_t map = 0, stub_addr, reloc_addr, d, common;
	size_t out_len, covered;
	enum rec_entry_kind kind = entry_kind(fn);
	struct rec_entry *e;
	unsigned i, idx;
	const uint8_t cc = 0xcc;

	*why = NULL;
	if (!inj) {
		*why = "the recorder is not placed";
		return -1;
	}
	if (inject_redirected(proc, addr))
		return 0;
	code = inj->code;
	if (inj->nentries == REC_MAX_ENTRIES ||
	    code->stub_next + STUB_SIZE > code->size) {
		*why = "no room for another stub";
		return -1;
	}
	for (i = 0; i < inj->nmaps; i++) {
		d = inj->maps[i] > addr ? inj->maps[i] - addr :
					  addr - inj->maps[i];
		if (d < REACH) {
			map = inj->maps[i];
			break;
		}
	}
	if (!map) {
		*why = "no code page of memsup's within jump range";
		return -1;
	}
	if (remote_read(&as->mem, addr, bytes, sizeof(bytes)) < 0) {
		*why = "its code cannot be read";
		return -1;
	}
	if (bytes[0] == 0xcc) {
		*why = "a breakpoint is already there";
		return -1;
	}
	stub_addr = map + code->stub_next;
	reloc_addr = stub_addr + STUB_HDR;
	if (reloc_prologue(bytes, sizeof(bytes), addr, reloc_addr, out,
			   &out_len, &covered, why) < 0)
		return -1;
	if (reloc_jmp32(jmp, addr, stub_addr) < 0) {
		*why = "the stub is out of jump range";
		return -1;
	}
	idx = inj->nentries;
	stub = code->local + code->stub_next;
	common = map + (kind == REC_ALLOC || kind == REC_POSIX_MEMALIGN ||
			kind == REC_REALLOC ? code->hdr->off_common_alloc :
					      code->hdr->off_common_tail);
	/* mov data(%rip), %r11 */
	stub[0] = 0x4c;
	stub[1] = 0x8b;
	stub[2] = 0x1d;
	put32(stub + 3, (int64_t)(map + offsetof(struct rec_code_header, data)) -
			(int64_t)(stub_addr + 7));
	/* cmpl $0, enabled(%r11) */
	stub[7] = 0x41;
	stub[8] = 0x83;
	stub[9] = 0x7b;
	stub[10] = (uint8_t)offsetof(struct rec_control, enabled);
	stub[11] = 0;
	/* je reloc */
	stub[12] = 0x0f;
	stub[13] = 0x84;
	put32(stub + 14, (int64_t)reloc_addr - (int64_t)(stub_addr + 18));
	/* mov $idx, %r11d */
	stub[18] = 0x41;
	stub[19] = 0xbb;
	put32(stub + 20, idx);
	/* jmp common */
	stub[24] = 0xe9;
	put32(stub + 25, (int64_t)common - (int64_t)(stub_addr + 29));
	memset(stub + 29, 0xcc, STUB_HDR - 29);
	memcpy(stub + STUB_HDR, out, out_len);

	e = &inj->ctl->entries[idx];
	e->fn = addr;
	e->target = reloc_addr;
	e->kind = (uint16_t)kind;
	e->block_arg = fn == FN_CUSTOM_FREE && spec && spec->free_arg >= 1 &&
		       spec->free_arg <= 6 ? (uint8_t)(spec->free_arg - 1) : 0;
	e->nargs = fn == FN_CUSTOM_ALLOC || fn == FN_CUSTOM_FREE ? 6 :
		   REC_EV_ARGS_LINE;
	e->id = fn;
	__atomic_store_n(&inj->ctl->nentries, idx + 1, __ATOMIC_RELEASE);
	code->stub_next += STUB_SIZE;

	inj->entries[idx].fn = addr;
	memcpy(inj->entries[idx].orig, bytes, RELOC_JMP_LEN);
	inj->entries[idx].id = fn;
	inj->entries[idx].spec = spec;
	inj->entries[idx].name = xstrdup(name);
	inj->nentries++;

	/* a stopped thread between the first instructions it covers would
	 * resume in the middle of the jump */
	step_out_of(proc, addr + 1, addr + covered);
	/* int3 first: a thread passing meanwhile traps, and is sent back */
	if (remote_poke_text(&as->mem, addr, &cc, 1) < 0 ||
	    remote_poke_text(&as->mem, addr + 1, jmp + 1, 4) < 0 ||
	    remote_poke_text(&as->mem, addr, jmp, 1) < 0) {
		remote_poke_text(&as->mem, addr, bytes, RELOC_JMP_LEN);
		inj->nentries--;
		inj->ctl->nentries = idx;
		*why = "its code cannot be written";
		return -1;
	}
	return 0;
}

unsigned inject_unredirect(struct process *proc,
			   void (*each)(struct process *proc, const char *name,
					uint64_t addr, enum bp_fn fn,
					const struct allocator_spec *spec))
{
	struct aspace *as = proc->as;
	struct inject *inj = as->inj;
	uint8_t now[RELOC_JMP_LEN], jmp[RELOC_JMP_LEN];
	unsigned i, kept = 0;

	if (!inj)
		return 0;
	for (i = 0; i < inj->nentries; i++) {
		struct inj_entry *e = &inj->entries[i];

		if (remote_read(&as->mem, e->fn, now, sizeof(now)) < 0 ||
		    reloc_jmp32(jmp, e->fn, inj->ctl->entries[i].target -
				STUB_HDR) < 0 || memcmp(now, jmp, sizeof(jmp)) ||
		    remote_poke_text(&as->mem, e->fn, e->orig,
				     RELOC_JMP_LEN) < 0) {
			/* the program changed it, or it cannot be written:
			 * left as it is, with the stub it leads to */
			warning_msg("process %d: cannot put back the first "
				    "bytes of %s at %#llx; it stays redirected "
				    "to the recorder", (int)proc->pid, e->name,
				    (unsigned long long)e->fn);
			kept++;
			continue;
		}
		each(proc, e->name, e->fn, e->id, e->spec);
	}
	if (kept)
		return kept;
	/* a call in flight in the recorder finishes there, and its event
	 * is drained as any other; no jump leads there any more */
	for (i = 0; i < inj->nentries; i++)
		free(inj->entries[i].name);
	inj->nentries = 0;
	return 0;
}

void inject_enable(struct process *proc, int on)
{
	struct inject *inj = proc->as->inj;

	if (inj && inj->proc == proc)
		__atomic_store_n(&inj->ctl->enabled, on ? 1u : 0u,
				 __ATOMIC_RELEASE);
}

/* ---- draining ---- */

static struct inj_pending *pending_find(struct inject *inj, uint64_t thread)
{
	unsigned i;

	for (i = 0; i < inj->npend; i++)
		if (inj->pend[i].thread == thread)
			return &inj->pend[i];
	return NULL;
}

/* A block came back at ADDR: a realloc in flight that freed it did. */
static void pending_taken(struct inject *inj, uint64_t addr)
{
	unsigned i;

	for (i = 0; i < inj->npend; i++) {
		if (inj->pend[i].old == addr && !inj->pend[i].freed) {
			heap_free(&inj->proc->heap, addr);
			inj->pend[i].freed = 1;
		}
	}
}

/* The stack id of EV's pcs. */
static uint32_t intern(struct session *s, struct inject *inj,
		       const struct rec_event *ev)
{
	unsigned k = (unsigned)((ev->thread * 0x9e3779b97f4a7c15ULL) >> 58), n, i;
	uint32_t id, image = inj->proc->as->img->id;
	const uint64_t *pcs;

	if (inj->last[k].thread != ev->thread || inj->last[k].image != image) {
		memset(&inj->last[k], 0, sizeof(inj->last[k]));
		inj->last[k].thread = ev->thread;
		inj->last[k].image = image;
	}
	for (i = 0; i < LAST_STACKS; i++) {
		if (!(id = inj->last[k].stack[i]))
			continue;
		pcs = stacks_get(&s->stacks, id, &n);
		if (n == ev->npcs && pcs[0] == ev->pcs[0] &&
		    !memcmp(pcs, ev->pcs, n * sizeof(*pcs)))
			return id;
	}
	id = stacks_intern(&s->stacks, image, ev->pcs, ev->npcs);
	inj->last[k].stack[inj->last[k].next++ % LAST_STACKS] = id;
	return id;
}

/*
 * An event whose pcs are a walk memo's (REC_EVF_MEMO): its thread's
 * later replays of that memo may send STACK instead of the pcs.
 */
static void memo_ack(struct inject *inj, const struct rec_event *ev,
		     uint32_t stack)
{
	const struct rec_control *c = inj->ctl;
	uint64_t off = ev->thread - inj->data_addr - c->tstate_off;
	unsigned b = REC_EVF_MEMO_BUF(ev->flags);
	struct rec_tstate *ts;

	if (ev->thread < inj->data_addr + c->tstate_off ||
	    off / sizeof(*ts) >= c->tstate_cap || off % sizeof(*ts) ||
	    b > REC_MEMO_WALKS)
		return;
	ts = (struct rec_tstate *)(inj->data + c->tstate_off + off);
	__atomic_store_n(&ts->memo_ack[b], (uint64_t)ev->aux << 32 | stack,
			 __ATOMIC_RELEASE);
}

/* A stack id the recorder sends back (REC_EVF_STACK): memsup's own, for
 * this image; 0 for anything else. */
static uint32_t known_stack(struct session *s, const struct inject *inj,
			    uint32_t id)
{
	const struct image *img = inj->proc->as->img;

	if (!img || !id || id > stacks_count(&s->stacks) ||
	    stacks_image(&s->stacks, id) != img->id)
		return 0;
	return id;
}

static void apply(struct session *s, struct inject *inj,
		  const struct rec_event *ev)
{
	struct process *proc = inj->proc;
	const struct inj_entry *e;
	struct inj_pending *p;
	uint64_t old, size, block = ev->result;
	uint32_t stack = 0;
	struct tracee *t;

	if (ev->entry >= inj->nentries)
		return;
	/* a test left by longjmp or an exception ends before this event */
	if ((ev->flags & REC_EVF_ABANDONED) && ev->abandoned &&
	    (t = tracee_find(s, (pid_t)ev->aux)) &&
	    t->proc == proc)
		session_abandoned(s, t, ev->abandoned);
	e = &inj->entries[ev->entry];
	inj->events++;
	switch (ev->kind) {
	case REC_EV_HOLE:
		return;
	case REC_EV_FREE:
		if (e->id == FN_CUSTOM_FREE && e->spec) {
			custom_free(&proc->heap, e->spec, ev->args, proc->pid);
			return;
		}
		if (heap_free(&proc->heap, ev->args[0]) < 0 &&
		    msg_verbosity() > 1)
			verbose_msg("process %d: %s(%#llx) of an unknown block",
				    (int)proc->pid, e->name,
				    (unsigned long long)ev->args[0]);
		return;
	case REC_EV_REALLOC_FREE:
		if (inj->npend < MAX_PENDING) {
			p = &inj->pend[inj->npend++];
			p->thread = ev->thread;
			p->old = ev->args[0];
			p->freed = 0;
		}
		return;
	}
	if (ev->flags & REC_EVF_STACK) {
		stack = known_stack(s, inj, ev->aux);
		inj->by_id++;
	}
	else if (ev->npcs && proc->as->img)
		stack = intern(s, inj, ev);
	if ((ev->flags & REC_EVF_MEMO) && stack)
		memo_ack(inj, ev, stack);
	if (e->id == FN_CUSTOM_ALLOC && e->spec &&
	    custom_alloc_size(&proc->heap, e->spec, ev->args, proc->pid,
			      &size) < 0)
		return;		/* a misdescribed allocator: not counted */
	alloc_request(e->id, e->spec, ev->args, &old, &size);
	if (ev->kind == REC_EV_REALLOC) {
		p = pending_find(inj, ev->thread);
		if (p) {
			int freed = p->freed;

			*p = inj->pend[--inj->npend];
			if (freed) {
				/* its old block went to someone else already */
				old = 0;
			}
		}
	}
	if (block)
		pending_taken(inj, block);
	alloc_returned(&proc->heap, e->id, old, size, block, stack);
}

/*
 * The live-block slot that the event SEQ will look up, asked for now:
 * with a million blocks live each lookup misses the caches, and the
 * events a few slots ahead are already there to read.
 */
#define DRAIN_PREFETCH 8

static void prefetch_ahead(const struct inject *inj, uint64_t seq)
{
	const struct rec_control *c = inj->ctl;
	const struct rec_event *ev = (const struct rec_event *)
		(inj->data + c->ring_off +
		 (seq & (c->ring_slots - 1)) * c->event_size);

	if (__atomic_load_n(&ev->ready, __ATOMIC_ACQUIRE) != seq + 1)
		return;
	blocks_prefetch(&inj->proc->heap.live, ev->kind == REC_EV_FREE ||
			ev->kind == REC_EV_REALLOC_FREE ? ev->args[0] :
			ev->result);
}

/*
 * Slot SEQ was taken (it is below the head) and is still empty: if no
 * thread claims it (claims are in the thread states, recorder.c's
 * emit()), its writer was longjmp'd away by a signal handler between
 * taking it and filling it, and no later call of its thread marked it a
 * hole yet. A writer claims its slot before it takes its number and
 * until it has filled it, so nothing else is that way: it becomes a
 * hole, or every later event would wait behind it. A claim made before
 * its number was known covers the numbers from the head it saw on only,
 * so an older slot does not wait for it. 1 if it is a hole now.
 */
static int orphan(struct inject *inj, uint64_t seq)
{
	struct rec_control *c = inj->ctl;
	const struct rec_tstate *ts =
		(const struct rec_tstate *)(inj->data + c->tstate_off);
	uint64_t want = seq + 1, used = c->tstate_used, i;
	struct rec_event *ev;
	unsigned k;

	if (seq >= __atomic_load_n(&c->head, __ATOMIC_ACQUIRE))
		return 0;
	if (used > c->tstate_cap)
		used = c->tstate_cap;
	for (i = 0; i < used; i++)
		for (k = 0; k < REC_MAX_NEST; k++) {
			uint64_t w = __atomic_load_n(&ts[i].wseq[k],
						     __ATOMIC_ACQUIRE);

			if (w == want || ((w & REC_RESERVING) &&
					  (w & ~REC_RESERVING) <= want))
				return 0;
		}
	ev = (struct rec_event *)(inj->data + c->ring_off +
				  (seq & (c->ring_slots - 1)) *
				  c->event_size);
	if (__atomic_load_n(&ev->ready, __ATOMIC_ACQUIRE) == want)
		return 0;
	ev->kind = REC_EV_HOLE;
	ev->npcs = 0;
	ev->flags = 0;
	__atomic_store_n(&ev->ready, want, __ATOMIC_RELEASE);
	inj->holes++;
	return 1;
}

unsigned long inject_drain(struct session *s, struct process *proc, int dead)
{
	struct inject *inj = proc->as->inj;
	struct rec_control *c;
	uint64_t tail, mask, head, first;

	if (!inj || inj->proc != proc)
		return 0;
	c = inj->ctl;
	tail = first = c->tail;
	mask = c->ring_slots - 1;
	for (;;) {
		const struct rec_event *ev = (const struct rec_event *)
			(inj->data + c->ring_off + (tail & mask) * c->event_size);

		if (__atomic_load_n(&ev->ready, __ATOMIC_ACQUIRE) != tail + 1) {
			/* at a stop: a test's events must not wait behind
			 * a slot whose writer is gone */
			if (dead == 0 && orphan(inj, tail))
				continue;
			/*
			 * A thread killed between reserving this slot and
			 * filling it (exit_group, exec): once nothing runs
			 * any more, the events after it still count.
			 */
			head = __atomic_load_n(&c->head, __ATOMIC_ACQUIRE);
			if (dead <= 0 || tail >= head ||
			    tail - c->tail > c->ring_slots)
				break;
			tail++;
			continue;
		}
		/* closing a scope is the event loop's (ptrace is its) */
		if (dead < 0 && (ev->flags & REC_EVF_ABANDONED))
			break;
		prefetch_ahead(inj, tail + DRAIN_PREFETCH);
		apply(s, inj, ev);
		tail++;
		/* the writers read tail: publish it now and then, not per
		 * event, so that its cache line stays put */
		if (!(tail & (mask >> 4)))
			__atomic_store_n(&c->tail, tail, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&c->tail, tail, __ATOMIC_SEQ_CST);
	if (tail != first && __atomic_load_n(&c->writers_wait, __ATOMIC_SEQ_CST)) {
		/* writers wait for room on tail's low half */
		__atomic_store_n(&c->writers_wait, 0, __ATOMIC_RELAXED);
		syscall(SYS_futex, &c->tail, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
	}
	if (c->lost > inj->lost_warned) {
		warning_msg("process %d: %llu allocator calls not recorded "
			    "(more than %u threads at once)", (int)proc->pid,
			    (unsigned long long)(c->lost - inj->lost_warned),
			    TSTATE_CAP);
		inj->lost_warned = c->lost;
	}
	if (c->dropped > inj->dropped_warned) {
		warning_msg("process %d: %llu allocator calls in signal "
			    "handlers not recorded (the call each interrupted "
			    "held the oldest slot of a full ring)",
			    (int)proc->pid,
			    (unsigned long long)(c->dropped -
						 inj->dropped_warned));
		inj->dropped_warned = c->dropped;
	}
	return (unsigned long)(tail - first);
}

/* ---- the drainer thread ---- */

static pthread_mutex_t acct_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_t drainer;
static int drainer_on;
/* a futex too: the drainer waits on it while there is no ring */
static uint32_t drainer_quit;

void inject_lock(struct session *s)
{
	if (drainer_on)
		pthread_mutex_lock(&acct_lock);
}

void inject_unlock(struct session *s)
{
	if (drainer_on)
		pthread_mutex_unlock(&acct_lock);
}

/* The events waiting in the fullest ring; *NRINGS the count of rings. */
static uint64_t rings_waiting(struct session *s, unsigned *nrings)
{
	uint64_t most = 0, w;

	*nrings = 0;
	for (struct process *proc = s->procs; proc; proc = proc->next) {
		struct inject *inj = proc->as->inj;

		if (!inj || inj->proc != proc)
			continue;
		++*nrings;
		/* writers waiting for room have taken their numbers: head
		 * may be more than a ring ahead */
		w = __atomic_load_n(&inj->ctl->head, __ATOMIC_SEQ_CST) -
		    inj->ctl->tail;
		if (w > most)
			most = w;
	}
	return most;
}

static void unblock(struct session *s, struct inject *inj, int dead);
static void unblock_idle(struct session *s, struct process *proc);

/*
 * The doorbell to sleep on: that of the ring whose threads recorded the
 * most since the last look (a forked test's, say), else the one slept on
 * before, else the first; NULL if there is no ring.
 */
static uint32_t *busiest_bell(struct session *s)
{
	uint32_t *bell = NULL, *first = NULL, *before = NULL;
	uint64_t most = 0, h;

	for (struct process *proc = s->procs; proc; proc = proc->next) {
		struct inject *inj = proc->as->inj;

		if (!inj || inj->proc != proc)
			continue;
		if (!first)
			first = &inj->ctl->drainer_sleeps;
		if (&inj->ctl->drainer_sleeps == drainer_bell)
			before = drainer_bell;
		h = __atomic_load_n(&inj->ctl->head, __ATOMIC_RELAXED);
		if (h - inj->seen_head > most) {
			most = h - inj->seen_head;
			bell = &inj->ctl->drainer_sleeps;
		}
		inj->seen_head = h;
	}
	return bell ? bell : before ? before : first;
}

/*
 * Drains the rings when one holds a quarter of its slots: fewer, larger
 * batches keep the ring's cache lines with the writing CPU longer, and a
 * small ring stays in the caches. In between the drainer sleeps on the
 * doorbell of the busiest ring, a futex word that the writer filling a
 * quarter of that ring rings; the rings of other processes (a fork's
 * parent, waiting for it) are looked at every millisecond. Events left below a quarter wait for the next
 * look or the next stop of the program, which drains every ring first.
 *
 * The rings come and go with the processes (under acct_lock): the
 * doorbell is only written under the lock, and a futex wait on a word
 * unmapped meanwhile fails harmlessly.
 */
static void *drain_loop(void *arg)
{
	struct session *s = arg;
	struct timespec ts;
	struct process *proc;
	unsigned long n;
	unsigned nrings;
	uint32_t *bell;

	while (!__atomic_load_n(&drainer_quit, __ATOMIC_ACQUIRE)) {
		uint64_t waiting;

		pthread_mutex_lock(&acct_lock);
		graveyard_clear();
		waiting = rings_waiting(s, &nrings);
		bell = NULL;
		if (waiting < RING_SLOTS / 4 && (bell = busiest_bell(s))) {
			/* asleep first, then a last look: a writer filling
			 * the quarter now either sees the flag or is seen */
			__atomic_store_n(bell, 1, __ATOMIC_SEQ_CST);
			waiting = rings_waiting(s, &nrings);
		}
		if (waiting >= RING_SLOTS / 4) {
			for (n = 0, proc = s->procs; proc; proc = proc->next)
				n += inject_drain(s, proc, -1);
			pthread_mutex_unlock(&acct_lock);
			if (!n) {
				/* a slot not filled yet: wait a little */
				ts.tv_sec = 0;
				ts.tv_nsec = 50000;
				nanosleep(&ts, NULL);
				pthread_mutex_lock(&acct_lock);
				for (proc = s->procs; proc; proc = proc->next)
					unblock_idle(s, proc);
				pthread_mutex_unlock(&acct_lock);
			}
			continue;
		}
		drainer_bell = bell;
		pthread_mutex_unlock(&acct_lock);
		ts.tv_sec = 0;
		ts.tv_nsec = nrings > 1 ? 1000000 : 10000000;
		if (bell)
			syscall(SYS_futex, bell, FUTEX_WAIT, 1, &ts, NULL, 0);
		else
			syscall(SYS_futex, &drainer_quit, FUTEX_WAIT_PRIVATE, 0,
				&ts, NULL, 0);
	}
	return NULL;
}

void inject_drainer_start(struct session *s)
{
	sigset_t all, old;

	if (s->engine != ENGINE_INJECT || drainer_on)
		return;
	/* memsup's signals (SIGINT, the --timeout alarm) must interrupt the
	 * loop's wait4, never land in this thread */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	drainer_quit = 0;
	drainer_bell = NULL;
	if (pthread_create(&drainer, NULL, drain_loop, s) == 0) {
		drainer_on = 1;
		pthread_mutex_lock(&acct_lock);
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

void inject_drainer_stop(struct session *s)
{
	if (!drainer_on)
		return;
	__atomic_store_n(&drainer_quit, 1, __ATOMIC_RELEASE);
	futex_wake(&drainer_quit);
	if (drainer_bell)
		futex_wake(drainer_bell);
	pthread_mutex_unlock(&acct_lock);
	pthread_join(drainer, NULL);
	drainer_on = 0;
	graveyard_clear();
}

/*
 * The ring is full and its oldest slot stays empty: if it is an orphan
 * (orphan()), it becomes a hole and the ring drains on.
 */
static void unblock(struct session *s, struct inject *inj, int dead)
{
	struct rec_control *c = inj->ctl;

	if (!orphan(inj, c->tail))
		return;
	inj->stuck = 0;
	inject_drain(s, inj->proc, dead);
}

/*
 * The drainer found PROC's oldest slot taken and empty, three looks
 * 50 us apart: the same as two full-ring traps there. A writer that a
 * signal handler keeps longjmp'ing away from its wait never stays long
 * enough to trap, and a test's events must not wait for the next stop.
 */
static void unblock_idle(struct session *s, struct process *proc)
{
	struct inject *inj = proc->as->inj;
	struct rec_control *c;

	if (!inj || inj->proc != proc)
		return;
	c = inj->ctl;
	if (__atomic_load_n(&c->head, __ATOMIC_ACQUIRE) == c->tail ||
	    c->tail != inj->idle_tail) {
		inj->idle_tail = c->tail;
		inj->idle = 0;
		return;
	}
	if (++inj->idle >= 3) {
		inj->idle = 0;
		unblock(s, inj, -1);
	}
}

/* ---- the recorder's traps ---- */

static void resume(struct tracee *t)
{
	if (ptrace(PTRACE_CONT, t->tid, 0L, 0L) < 0 && errno != ESRCH)
		perror_msg("ptrace(PTRACE_CONT, %d)", (int)t->tid);
}

static uint64_t rule_hash(uint64_t pc, uint64_t cap)
{
	return ((pc * 0x9e3779b97f4a7c15ULL) >> 32) & (cap - 1);
}

static void rule_add(struct inject *inj, struct unwinder *uw, uint64_t pc)
{
	struct rec_control *c = inj->ctl;
	struct rec_rule *v = (struct rec_rule *)(inj->data + c->rules_off);
	struct unwind_rule r;
	uint64_t i, n;
	static const uint8_t kinds[] = {
		[UNWIND_RULE_SLOW] = REC_RULE_SLOW,
		[UNWIND_RULE_NOCODE] = REC_RULE_NOCODE,
		[UNWIND_RULE_END] = REC_RULE_END,
		[UNWIND_RULE_CFA_RSP] = REC_RULE_CFA_RSP,
		[UNWIND_RULE_CFA_RBP] = REC_RULE_CFA_RBP,
		[UNWIND_RULE_SIGNAL] = REC_RULE_SIGNAL,
	};
	static const uint8_t rbps[] = {
		[UNWIND_RBP_SAME] = REC_RBP_SAME,
		[UNWIND_RBP_SAVED] = REC_RBP_SAVED,
		[UNWIND_RBP_LOST] = REC_RBP_LOST,
	};

	unwinder_rule(uw, pc, &r);
	for (i = rule_hash(pc, c->rules_cap), n = 0; n < c->rules_cap / 2;
	     i = (i + 1) & (c->rules_cap - 1), n++) {
		if (v[i].pc == pc)
			return;
		if (v[i].pc)
			continue;
		v[i].cfa_off = r.cfa_off;
		v[i].ra_off = r.ra_off;
		v[i].rbp_off = r.rbp_off;
		v[i].kind = kinds[r.kind];
		v[i].rbp = rbps[r.rbp];
		__atomic_store_n(&v[i].pc, pc, __ATOMIC_RELEASE);
		return;
	}
	/* full: the recorder asks memsup to unwind such stacks */
}

/* The stack F's call entered, unwound here as the breakpoint engine
 * would, minus the SKIP frames of an operator new in flight. */
static void unwind_for(struct session *s, struct tracee *t,
		       const struct rec_frame *f, uint64_t *pcs, unsigned *n)
{
	struct aspace *as = t->proc->as;
	struct inject *inj = as->inj;
	struct user_regs_struct regs;
	uint64_t buf[POLICY_MAX_STACK_DEPTH + 8];
	unsigned got, skip = (unsigned)f->missing_pc;

	*n = 0;
	if (!as->uw || f->entry >= inj->nentries)
		return;
	memset(&regs, 0, sizeof(regs));
	regs.rsp = f->entry_rsp;
	regs.rbp = f->rbp;
	regs.rbx = f->rbx;
	regs.r12 = f->r12;
	regs.r13 = f->r13;
	regs.r14 = f->r14;
	regs.r15 = f->r15;
	regs.rdi = f->args[0];
	regs.rsi = f->args[1];
	regs.rdx = f->args[2];
	regs.rcx = f->args[3];
	regs.r8 = f->args[4];
	regs.r9 = f->args[5];
	regs.rip = inj->entries[f->entry].fn;
	if (skip > 8)
		skip = 1;
	got = tracee_unwind(t, &regs, buf, s->stack_depth + skip);
	if (got <= skip)
		return;
	*n = got - skip;
	memcpy(pcs, buf + skip, *n * sizeof(*pcs));
}

int inject_on_trap(struct session *s, struct tracee *t,
		   struct user_regs_struct *regs)
{
	struct aspace *as = t->proc->as;
	struct inject *inj = as->inj;
	uint64_t pc = regs->rip - 1, off = 0;
	struct rec_frame f;
	uint64_t pcs[POLICY_MAX_STACK_DEPTH];
	unsigned i, n;

	if (!inj)
		return 0;
	for (i = 0; i < inj->nentries; i++) {
		if (inj->entries[i].fn == pc) {
			/* passed while its jump was being written */
			regs->rip = pc;
			if (ptrace(PTRACE_SETREGS, t->tid, 0L, regs) == 0)
				resume(t);
			return 1;
		}
	}
	for (i = 0; i < inj->nmaps; i++) {
		if (pc >= inj->maps[i] && pc < inj->maps[i] + inj->code->size) {
			off = pc - inj->maps[i];
			break;
		}
	}
	if (i == inj->nmaps)
		return 0;
	if (off == inj->code->hdr->off_trap_full) {
		inj->full_traps++;
		/* drained before this stop was handled */
		if (inj->ctl->tail == inj->stuck_tail && ++inj->stuck >= 2)
			unblock(s, inj, 0);
		else if (inj->ctl->tail != inj->stuck_tail)
			inj->stuck = 0;
		inj->stuck_tail = inj->ctl->tail;
		resume(t);
		return 1;
	}
	if (off != inj->code->hdr->off_trap_rule &&
	    off != inj->code->hdr->off_trap_unwind)
		return 0;
	if (remote_read(&as->mem, regs->rdi, &f, sizeof(f)) < 0) {
		resume(t);
		return 1;
	}
	if (off == inj->code->hdr->off_trap_rule) {
		inj->rule_traps++;
		if (as->uw)
			rule_add(inj, as->uw, f.missing_pc);
	} else {
		inj->unwind_traps++;
		unwind_for(s, t, &f, pcs, &n);
		if (n > s->stack_depth)
			n = s->stack_depth;
		f.npcs = n;
		if ((n && remote_write(&as->mem, f.pcs_addr, pcs,
				       n * sizeof(*pcs)) < 0) ||
		    remote_write(&as->mem, regs->rdi +
				 offsetof(struct rec_frame, npcs), &f.npcs,
				 sizeof(f.npcs)) < 0)
			perror_msg("answer the recorder in process %d",
				   (int)t->proc->pid);
	}
	resume(t);
	return 1;
}

/* ---- processes ---- */

int inject_fork(struct session *s, struct process *parent,
		struct process *child, struct tracee *t)
{
	struct inject *pi = parent->as->inj, *inj;
	uint64_t at, used;
	int64_t fd, addr;

	if (!pi)
		return 0;
	inject_drain(s, parent, 0);
	at = pi->maps[0] + pi->code->hdr->off_syscall;
	fd = remote_memfd(t, at, pi->data_size);
	if (fd < 0)
		goto fail;
	addr = rsys(t, at, SYS_mmap, pi->data_addr, pi->data_size,
		    PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_FIXED, (uint64_t)fd, 0);
	inj = inject_new(child);
	inj->data = map_local(child->pid, fd, pi->data_size, 0);
	rsys(t, at, SYS_close, (uint64_t)fd, 0, 0, 0, 0, 0);
	if (addr != (int64_t)pi->data_addr || !inj->data) {
		if (inj->data)
			munmap(inj->data, pi->data_size);
		free(inj);
		goto fail;
	}
	inj->code = pi->code;
	inj->code->refs++;
	memcpy(inj->maps, pi->maps, sizeof(inj->maps));
	inj->nmaps = pi->nmaps;
	inj->data_size = pi->data_size;
	inj->data_addr = pi->data_addr;
	inj->ctl = (struct rec_control *)inj->data;
	/* the control, the rules and the threads' states in use; the pages
	 * beyond are untouched on both sides */
	used = pi->ctl->tstate_used < pi->ctl->tstate_cap ?
	       pi->ctl->tstate_used : pi->ctl->tstate_cap;
	memcpy(inj->data, pi->data, pi->ctl->tstate_off +
	       used * sizeof(struct rec_tstate));
	inj->ctl->head = 0;
	inj->ctl->tail = 0;
	inj->ctl->lost = 0;
	inj->ctl->dropped = 0;
	inj->ctl->full_waits = 0;
	/* the parent's claims name slots of the parent's ring; its walks
	 * are counted in the parent's figures. (The states beyond are the
	 * memfd's zeroes: touching them would fault their pages in.) */
	for (uint64_t i = 0; i < used; i++) {
		struct rec_tstate *ts = (struct rec_tstate *)
			(inj->data + inj->ctl->tstate_off) + i;

		ts->wdepth = 0;
		memset(ts->wseq, 0, sizeof(ts->wseq));
		ts->walks = 0;
		ts->replayed = 0;
	}
	inj->ctl->enabled = child->heap.nopen > 0;
	memcpy(inj->entries, pi->entries, sizeof(inj->entries));
	inj->nentries = pi->nentries;
	for (unsigned i = 0; i < inj->nentries; i++)
		inj->entries[i].name = xstrdup(pi->entries[i].name);
	child->as->inj = inj;
	return 0;
fail:
	/*
	 * The child would record into its parent's ring: it must not run
	 * with the jumps in place.
	 */
	error_msg("cannot give forked process %d a recorder of its own; "
		  "killing it", (int)child->pid);
	kill(child->pid, SIGKILL);
	return -1;
}

void inject_sync_fixups(struct tracee *t)
{
	struct inject *inj = t->proc->as->inj;
	struct rec_control *c;
	size_t i, k;

	if (!inj)
		return;
	c = inj->ctl;
	for (k = 0; k < REC_MAX_FIXUPS; k++)
		if (c->fixups[k].slot && c->fixups[k].tid == (uint64_t)t->tid)
			__atomic_store_n(&c->fixups[k].slot, 0, __ATOMIC_RELEASE);
	k = 0;
	for (i = 0; i < t->rs.n; i++) {
		const struct pending *p = &t->rs.v[i];

		/* tests, and checked fixtures whose return is caught */
		if (p->fn != FN_BOUNDARY && p->fn != FN_FIXTURE)
			continue;
		while (k < REC_MAX_FIXUPS && c->fixups[k].slot)
			k++;
		if (k == REC_MAX_FIXUPS)
			return;	/* the recorder then asks memsup */
		c->fixups[k].value = p->ret;
		c->fixups[k].expect = p->arg[0] == P_RETSITE ? p->ret :
				      c->trampoline;
		c->fixups[k].tid = (uint64_t)t->tid;
		/* abandoned by height on its own stack only (stackmap.h) */
		c->fixups[k].stack_end = stackmap_end(t->proc->pid, p->slot);
		__atomic_store_n(&c->fixups[k].slot, p->slot, __ATOMIC_RELEASE);
		if (k + 1 > c->nfixups)
			__atomic_store_n(&c->nfixups, (uint32_t)k + 1,
					 __ATOMIC_RELEASE);
	}
}

void inject_flush_rules(struct process *proc)
{
	struct inject *inj = proc->as->inj;
	struct rec_rule *v;
	uint64_t i;

	if (!inj)
		return;
	v = (struct rec_rule *)(inj->data + inj->ctl->rules_off);
	/* the threads' walk memos were made with these rules */
	__atomic_fetch_add(&inj->ctl->rules_gen, 1, __ATOMIC_ACQ_REL);
	for (i = 0; i < inj->ctl->rules_cap; i++) {
		__atomic_store_n(&v[i].pc, 0, __ATOMIC_RELEASE);
		v[i].kind = REC_RULE_NONE;
	}
}

static void set_of(const struct inject *inj, struct rec_set *set)
{
	memset(set, 0, sizeof(*set));
	memcpy(set->code, inj->maps, inj->nmaps * sizeof(inj->maps[0]));
	set->ncode = inj->nmaps;
	set->code_size = inj->code->size;
	set->data = inj->data_addr;
	set->data_size = inj->data_size;
}

/*
 * After the jumps are gone, with every thread stopped: the recorder's
 * mappings go too when no thread can run its code any more (recmaps.h).
 * Otherwise they stay, for the thread inside to finish its call; the
 * next attach unmaps them. Each thread's state word pointing into this
 * recorder is cleared either way, so that a later recorder gives the
 * thread a state of its own.
 */
static void release_mappings(struct process *proc, struct inject *inj,
			     int jumps_left)
{
	static const uint8_t sys_insn[2] = { 0x0f, 0x05 };
	struct user_regs_struct regs;
	struct tracee *t = proc->threads;
	struct rec_set set;
	uint8_t saved[2];
	pid_t who = 0;

	set_of(inj, &set);
	if (jumps_left)
		__atomic_store_n(&inj->ctl->detached, REC_DETACHED_KEEP,
				 __ATOMIC_RELEASE);
	if (jumps_left || inj->proc != proc || proc->as->refs > 1 || !t ||
	    !recmaps_all_stopped(proc) || recmaps_in_use(proc, &set, &who) ||
	    ptrace(PTRACE_GETREGS, t->tid, 0L, &regs) < 0 ||
	    remote_read(&proc->as->mem, regs.rip, saved, sizeof(saved)) < 0 ||
	    remote_poke_text(&proc->as->mem, regs.rip, sys_insn,
			     sizeof(sys_insn)) < 0) {
		recmaps_forget_threads(proc, &set);
		if (who)
			verbose_msg("process %d: the recorder stays mapped: "
				    "thread %d may still be inside it",
				    (int)proc->pid, (int)who);
		else
			verbose_msg("process %d: the recorder stays mapped",
				    (int)proc->pid);
		return;
	}
	recmaps_forget_threads(proc, &set);
	if (unmap_set(t, regs.rip, &set))
		warning_msg("process %d: could not unmap every mapping of "
			    "the recorder", (int)proc->pid);
	else
		verbose_msg("process %d: the recorder unmapped",
			    (int)proc->pid);
	remote_poke_text(&proc->as->mem, regs.rip, saved, sizeof(saved));
}

int inject_release(struct process *proc)
{
	struct aspace *as = proc->as;
	struct inject *inj = as->inj;
	const struct rec_code_header *h;
	uint8_t now[RELOC_JMP_LEN], jmp[RELOC_JMP_LEN];
	static const uint8_t nop = 0x90;
	unsigned i, failed = 0, changed = 0;

	if (!inj)
		return 0;
	h = inj->code->hdr;
	__atomic_store_n(&inj->ctl->enabled, 0, __ATOMIC_RELEASE);
	__atomic_store_n(&inj->ctl->detached, REC_DETACHED, __ATOMIC_RELEASE);
	/* a thread still inside the recorder never traps again */
	inj->code->local[h->off_trap_rule] = nop;
	inj->code->local[h->off_trap_unwind] = nop;
	inj->code->local[h->off_trap_full] = nop;
	for (i = 0; i < inj->nentries; i++) {
		const struct inj_entry *e = &inj->entries[i];

		if (remote_read(&as->mem, e->fn, now, sizeof(now)) < 0) {
			failed++;
			continue;
		}
		if (reloc_jmp32(jmp, e->fn, inj->ctl->entries[i].target -
				STUB_HDR) == 0 && memcmp(now, jmp, sizeof(jmp))) {
			warning_msg("process %d: the program changed %s at "
				    "%#llx; memsup leaves it as it is",
				    (int)proc->pid, e->name,
				    (unsigned long long)e->fn);
			changed++;
			continue;
		}
		if (remote_poke_text(&as->mem, e->fn, e->orig,
				     RELOC_JMP_LEN) < 0)
			failed++;
	}
	/* a changed entry may still lead into the code (a hook that kept
	 * the jump it found there) */
	release_mappings(proc, inj, failed || changed);
	return (int)failed;
}

void inject_report_stats(const struct process *proc)
{
	const struct inject *inj = proc->as->inj;
	const struct rec_control *c;
	const struct rec_tstate *ts;
	uint64_t used, i, walks = 0, replayed = 0;

	if (!inj || inj->proc != proc)
		return;
	c = inj->ctl;
	ts = (const struct rec_tstate *)(inj->data + c->tstate_off);
	used = c->tstate_used < c->tstate_cap ? c->tstate_used : c->tstate_cap;
	for (i = 0; i < used; i++) {
		walks += ts[i].walks;
		replayed += ts[i].replayed;
	}
	verbose_msg("process %d: %llu events recorded in process, %llu stacks "
		    "walked in process (%llu replayed whole from an earlier "
		    "walk, %llu sent as the id memsup gave them), %llu rule "
		    "requests, %llu stacks walked by memsup, %llu events "
		    "waited for a full ring (%llu stops)",
		    (int)proc->pid, (unsigned long long)inj->events,
		    (unsigned long long)walks, (unsigned long long)replayed,
		    (unsigned long long)inj->by_id,
		    (unsigned long long)inj->rule_traps,
		    (unsigned long long)inj->unwind_traps,
		    (unsigned long long)inj->ctl->full_waits,
		    (unsigned long long)inj->full_traps);
}
