/*
 * The supervised processes and threads (strace's struct tcb, split in two).
 *
 * struct tracee is one thread (tid); struct process one thread group and
 * one program image; struct aspace the memory they run in, which a vfork
 * child shares with its parent until it execs. All are owned by struct
 * session and freed by session_release().
 */
#ifndef MEMSUP_TRACEE_H
#define MEMSUP_TRACEE_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>

#include "breakpoints/bp.h"
#include "breakpoints/discover.h"
#include "breakpoints/resolve.h"
#include "breakpoints/retstack.h"
#include "config/policy.h"
#include "supervisor/remote.h"
#include "supervisor/scope.h"
#include "supervisor/stacks.h"

/*
 * One program image as loaded in one address space: what symbolises its
 * stacks (the objects at their biases) and its test boundaries. A forked
 * child shares its parent's image; an exec makes a new one. Images live
 * until the session ends, since reports are written after the processes
 * are gone.
 */
struct frame_cut;

struct image {
	struct image *next;
	uint32_t id;			/* >= 1, the stacks' image number */
	char *exe;
	struct symbolizer *sym;
	const struct boundaries *bounds; /* NULL without a policy */
	struct frame_cut *cut;		/* where its report stacks end */
};

struct aspace {
	unsigned refs;
	struct image *img;
	struct unwinder *uw;
	struct remote mem;
	struct bp_table bps;
	struct objects objs;
	uint64_t entry;			/* AT_ENTRY, and the return trampoline */
	uint64_t r_brk;			/* 0 until known */
	uint64_t bias;			/* the executable's load bias */
	int started;			/* allocators resolved (armed if a scope
					 * is open) */
	int entry_reached;		/* the program ran its entry point */
	/* Attached: the stack pointer the entry point starts on, or 0
	 * (process_entry_is_return()). */
	uint64_t start_stack;
	struct inject *inj;		/* the in-process engine, or NULL */
	int inj_deferred;		/* placed at the entry point */
	int inj_failed;			/* placing it failed, or an entry could
					 * not be redirected: breakpoints for
					 * every allocator of the image */
	/* A forked child whose recorder is not set up yet: its parent's
	 * address space (a reference), until its first stop. */
	struct aspace *inj_parent;
};

enum tracee_flags {
	TRACEE_STEPPING = 1 << 0,	/* single-stepping over step_bp */
	TRACEE_ATTACH_STOP = 1 << 1,	/* --pid: waiting for its first stop */
	TRACEE_DETACHING = 1 << 2,	/* interrupted for detach */
	TRACEE_PARKED = 1 << 3,		/* stopped for detach */
	TRACEE_HELD = 1 << 4,		/* kept stopped while a sibling
					 * single-steps a lifted int3 */
	TRACEE_HELD_STOPPED = 1 << 5,	/* ... and its interrupt arrived */
	TRACEE_DRAINING = 1 << 6,	/* detach: resumed, rewound, only to
					 * take memsup's queued SIGTRAP */
	TRACEE_GROUP_STOP = 1 << 7,	/* its kept stop (attach, held) is a
					 * group-stop: listened in, never
					 * resumed (jobstop.h) */
};

struct tracee {
	struct tracee *hnext;		/* tid hash chain */
	struct tracee *pnext;		/* process's thread list */
	pid_t tid;
	struct process *proc;
	unsigned flags;			/* enum tracee_flags */
	uint64_t step_bp;		/* TRACEE_STEPPING: its address */
	struct retstack rs;
	/* A free-class call in progress (operator delete, a custom free):
	 * the free() it makes inside is the same event (docs/supervisor.md). */
	uint64_t nest_ptr, nest_sp, nest_ret, nest_bp;
	int held_status;		/* TRACEE_HELD: a stop to handle later */
	int has_held_status;
};

struct process {
	struct process *next;		/* session list */
	pid_t pid;
	struct aspace *as;
	struct heap heap;
	struct tracee *threads;
	unsigned nthreads;
	unsigned nstepping;		/* threads single-stepping a lifted int3 */
	char *exe;			/* /proc/PID/exe at exec */
	char *command;			/* argv joined, at exec */
	/* The leak scan made before the memory went (exit, detach), for
	 * the scopes closed afterwards (leakcheck.h); freed with PROC. */
	struct leakscan *final_scan;
	/* The thread whose boundary function is returning while its scope
	 * closes, or 0 (leakroots.h: its scratch registers are dead). */
	pid_t returning;
	/* The scope of a test with its checked fixtures (fixture.h): open
	 * from the first setup to the return of the last teardown. */
	struct scope *fixture;
	uint64_t fixture_opener;	/* the setup that opened it */
	uint64_t fixture_closer;	/* that teardown, once bound */
};

enum engine {
	ENGINE_INJECT,			/* the in-process recorder */
	ENGINE_BREAKPOINT,		/* an int3 per allocator entry/return */
};

enum session_mode {
	MODE_LAUNCH,
	MODE_ATTACH,
};

/* How many scopes of a test name have opened (session.c, scope_open). */
struct name_count {
	char *name;			/* NULL: an empty slot */
	unsigned n;
};

/* Everything the event loop works on; one per run of memsup. */
struct session {
	enum session_mode mode;
	const struct policy *pol;
	struct process *procs;
	struct tracee *tids[1024];	/* hash of tracees by tid */
	/* Finished scopes, in the order they ended. */
	struct scope *done, **done_tail;
	pid_t main_pid;			/* the launched or attached process */
	int main_status;		/* its wait status, -1 until known */
	int stopping;			/* interrupt/timeout seen: wind down */
	const char *stop_reason;
	double t0;
	int pin;			/* launch: memsup and program on one CPU */
	int engine;			/* enum engine */
	struct tracee *cur;		/* the thread whose stop is handled */
	int in_exec;			/* handling an exec stop */
	int exec_errfd;			/* launch: CLOEXEC pipe, errno of exec */
	int failed_exec;		/* an image memsup cannot supervise */
	unsigned stack_depth;		/* frames kept, 0: no stacks */
	int full_stacks;		/* reports keep frames below the test */
	int unwind_mode;		/* enum unwind_mode, MEMSUP_UNWIND */
	unsigned term_flags;		/* enum report_term_flags */
	struct stacks stacks;		/* every stack, session-wide */
	struct image *images;
	uint32_t nimages;
	struct discovered *discovered;	/* boundaries by executable path */
	char *program_path;		/* the command line's, absolute; or NULL */
	uint64_t scope_order;
	struct name_count *names;	/* open addressing, a power of two */
	size_t names_cap, names_n;
	/* Auto-attached children that stopped before their parent's event. */
	pid_t early[1024];
	unsigned nearly;
};

struct discovered {
	struct discovered *next;
	char *path;
	struct boundaries b;
	int warned;			/* its warnings were printed */
};

struct tracee *tracee_find(const struct session *s, pid_t tid);
struct tracee *tracee_new(struct session *s, struct process *proc, pid_t tid);
void tracee_free(struct session *s, struct tracee *t);

struct process *process_new(struct session *s, pid_t pid);
/* Ends PROC's scopes with STATUS/REASON and frees it and its tracees. */
void process_finish(struct session *s, struct process *proc,
		    enum scope_status status, const char *reason);

struct aspace *aspace_new(pid_t pid);
struct aspace *aspace_get(struct aspace *as);
void aspace_put(struct aspace *as);

void session_init(struct session *s);
void session_release(struct session *s);
void session_add_done(struct session *s, struct scope *sc);

/* The loop of event.c: runs until no tracee is left; 0 or -1. */
int session_run(struct session *s);

double now_seconds(void);

#endif
