/*
 * The in-process engine (docs/design/inject.md): memsup places the
 * recorder (recorder/) in a traced process with ptrace alone, redirects
 * the allocator entry points to it with a jump, and reads the events it
 * records from memory both sides map. Allocation events then cost no
 * ptrace stop; test boundaries, process events and the recorder's rare
 * requests (a missing unwind rule, a stack only memsup can unwind, a
 * full ring) still do.
 *
 * One struct inject per address space (struct aspace), from placement
 * (inject_place) to aspace_put. Every function here is called from the
 * event loop with the named thread stopped.
 */
#ifndef MEMSUP_INJECT_H
#define MEMSUP_INJECT_H

#include <stdint.h>
#include <sys/user.h>

#include "breakpoints/bp.h"

struct session;
struct process;
struct tracee;
struct inject;

/*
 * Maps the recorder into PROC through its stopped thread T: a memfd made
 * in the process, mapped there and here, its descriptor closed in the
 * process again. 0; 1 when it must wait for the C library (a dynamic
 * program attached to before its dynamic linker mapped it: the caller
 * tries again at the next consistent link map); or -1 with a message
 * naming what failed, the process left as it was (the caller then uses
 * breakpoints for every allocator of the image).
 */
int inject_place(struct session *s, struct process *proc, struct tracee *t);

/*
 * Redirects the function at ADDR (an allocator entry, what it does in
 * FN, its policy allocator SPEC for FN_CUSTOM_ALLOC and FN_CUSTOM_FREE,
 * else NULL) to the recorder.
 * 0, or -1 with *WHY saying why it cannot be (the caller keeps a
 * breakpoint on it).
 */
int inject_redirect(struct process *proc, uint64_t addr, enum bp_fn fn,
		    const struct allocator_spec *spec, const char *name,
		    const char **why);

/*
 * Every thread of PROC stopped: gives every entry redirected so far its
 * original bytes back, so that EACH (called for each, with its name,
 * address, function and policy allocator) can put a breakpoint there;
 * the recorder stays mapped for a call in flight in it. How many entries
 * could not be restored (they keep their jumps, with a warning; the
 * entries stay redirected then).
 */
unsigned inject_unredirect(struct process *proc,
			   void (*each)(struct process *proc, const char *name,
					uint64_t addr, enum bp_fn fn,
					const struct allocator_spec *spec));

/* Whether ADDR is a redirected entry point of PROC. */
int inject_redirected(const struct process *proc, uint64_t addr);

/* Records from now on (a scope is open in PROC), or not. */
void inject_enable(struct process *proc, int on);

/*
 * Applies every event recorded so far in PROC to its accounting; how
 * many. DEAD > 0: no thread of the image runs any more (exit, exec), so
 * slots that a killed thread reserved and never filled are passed over.
 * DEAD < 0: the drainer thread, which stops before an event that would
 * close a scope, for the event loop to apply.
 */
unsigned long inject_drain(struct session *s, struct process *proc, int dead);

/*
 * A SIGTRAP of T at REGS: 1 when it was the recorder's (answered, and T
 * resumed), 0 otherwise.
 */
int inject_on_trap(struct session *s, struct tracee *t,
		   struct user_regs_struct *regs);

/*
 * CHILD was forked from PARENT and has not run yet: it gets a data
 * region of its own at the same address (T is its stopped thread).
 */
int inject_fork(struct session *s, struct process *parent,
		struct process *child, struct tracee *t);

/* T's trampolined return addresses changed: tell the recorder. */
void inject_sync_fixups(struct tracee *t);

/* The process's code mappings changed (dlopen, dlclose): forget the
 * unwind rules the recorder has. */
void inject_flush_rules(struct process *proc);

/*
 * Before detach, every thread of PROC stopped: puts the original bytes
 * back where the jumps still are, and makes the recorder pass
 * everything through for a thread still inside it. Returns how many
 * entries could not be restored.
 */
int inject_release(struct process *proc);

/* Frees what memsup holds for an address space. */
void inject_free(struct inject *inj);

/*
 * A thread of memsup's that drains every process's ring while the
 * program runs, so that a ring rarely fills and the accounting runs on
 * another CPU than the program. Between start and stop, the event loop
 * holds the lock except while it waits (inject_unlock/inject_lock around
 * wait4). Nothing happens when no recorder is placed or the engine is
 * the breakpoint one.
 */
void inject_drainer_start(struct session *s);
void inject_drainer_stop(struct session *s);
void inject_lock(struct session *s);
void inject_unlock(struct session *s);

/* Counters for -v. */
void inject_report_stats(const struct process *proc);

#endif
