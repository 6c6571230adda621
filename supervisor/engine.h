/*
 * The allocation engines (docs/supervisor.md, docs/design/inject.md):
 * how the allocator calls of a traced program reach the accounting
 * (alloc.h, scope.h). The event loop and the process code work through
 * one struct engine_ops and never ask which engine runs:
 *
 * - the breakpoint engine (bp_engine.c): an int3 on each allocator entry
 *   and memsup's trampoline (trampoline.h) in its return slot; a call is
 *   accounted at those two stops;
 * - the in-process engine (inject_engine.c, over inject.c): the recorder
 *   placed in the program records each call into a ring that memsup
 *   drains at every stop and while the program runs. An entry it cannot
 *   redirect keeps a breakpoint (and then every entry of the image does,
 *   inject_engine.c), so its hit() and returned() are the breakpoint
 *   engine's.
 *
 * Every operation is called by the event loop's thread with the named
 * thread (or, for a process, the thread whose stop is handled) stopped.
 * The operations are never NULL.
 */
#ifndef MEMSUP_ENGINE_H
#define MEMSUP_ENGINE_H

#include <stdint.h>
#include <sys/user.h>

#include "supervisor/tracee.h"

struct engine_ops {
	/*
	 * A new image of PROC is about to have its allocators resolved, T
	 * a stopped thread of PROC: whatever the engine needs in the
	 * process is set up first. 0: resolve now; 1: not before the
	 * program's entry point (an exec stop, whose return would undo an
	 * injected system call), where place_deferred() comes. Called again
	 * before each later resolution (the link map changed), for a
	 * placement that had to wait.
	 */
	int (*place)(struct session *s, struct process *proc,
		     struct tracee *t);
	/* At the program's entry point, T stopped there: 1 when place()
	 * deferred and is done now (the caller then resolves and enables). */
	int (*place_deferred)(struct session *s, struct process *proc,
			      struct tracee *t);
	/*
	 * The allocator entry NAME resolved at ADDR in PROC, where memsup
	 * has no breakpoint: intercept its calls from now on (FN what it
	 * does; SPEC the policy's allocator for FN_CUSTOM_ALLOC and
	 * FN_CUSTOM_FREE, else NULL), counted while enable() says so.
	 */
	void (*intercept)(struct process *proc, const char *name,
			  uint64_t addr, enum bp_fn fn,
			  const struct allocator_spec *spec);
	/* The first scope of PROC opened (ON) or its last one closed. */
	void (*enable)(struct process *proc, int on);
	/*
	 * Applies every allocation event PROC made before this stop to its
	 * accounting. DEAD: no thread of the image runs any more (its
	 * leader exited, or an exec).
	 */
	void (*drain)(struct session *s, struct process *proc, int dead);
	/* A SIGTRAP of T at REGS, before memsup's breakpoints are looked
	 * up: 1 when it was the engine's own (answered, T resumed). */
	int (*trap)(struct session *s, struct tracee *t,
		    struct user_regs_struct *regs);
	/*
	 * T stopped at the armed allocator breakpoint BP, REGS as read
	 * there: the call is accounted (or sent through the trampoline) and
	 * T resumed past BP.
	 */
	void (*hit)(struct session *s, struct tracee *t, struct breakpoint *bp,
		    struct user_regs_struct *regs);
	/* An allocator call P that hit() sent through the trampoline
	 * returned, REGS at the trampoline: its result is accounted. */
	void (*returned)(struct process *proc, const struct pending *p,
			 const struct user_regs_struct *regs);
	/* The tests and fixtures in flight on T changed (trampoline.h). */
	void (*calls_moved)(struct tracee *t);
	/* PROC's code mappings changed (dlopen, dlclose). */
	void (*maps_changed)(struct process *proc);
	/* CHILD was forked from PARENT (not vforked) and has not run. */
	void (*fork)(struct process *parent, struct process *child);
	/* A ptrace-event stop of CHILD, maybe its first since the fork:
	 * before it runs, it gets what fork() left to do. */
	void (*child_ready)(struct session *s, struct tracee *child);
	/* Whether a SIGTRAP queued on a thread of PROC, at none of memsup's
	 * breakpoints, may be the engine's (the detach lets it be taken). */
	int (*may_trap)(const struct process *proc);
	/*
	 * Before the detach, every thread of PROC stopped: undoes what
	 * intercept() wrote, but the breakpoints (the detach lifts every
	 * one). How many entries could not be restored.
	 */
	int (*release)(struct process *proc);
	/* Around the event loop (session_run()): the engine's own work
	 * while the program runs, and the accounting lock, which the loop
	 * gives up only while it waits for the next stop. */
	void (*loop_start)(struct session *s);
	void (*loop_stop)(struct session *s);
	void (*wait_begin)(struct session *s);
	void (*wait_end)(struct session *s);
};

extern const struct engine_ops bp_engine_ops;
extern const struct engine_ops inject_engine_ops;

/* The engine of the session (--engine). */
static inline const struct engine_ops *engine_of(const struct session *s)
{
	return s->engine == ENGINE_INJECT ? &inject_engine_ops :
	       &bp_engine_ops;
}

#endif
