/*
 * Calls in flight (docs/supervisor.md, "Returns through a trampoline"):
 * at the entry of a test, a checked fixture or, with the breakpoint
 * engine, an allocator, memsup replaces the call's return address by its
 * trampoline (the program's entry point, which carries an int3) and
 * keeps the call on the thread's retstack (breakpoints/retstack.h). The
 * call returns there, is completed, and the thread goes on at its real
 * return address. A frame that a longjmp or an exception went past is
 * abandoned: the test opened there closes, unfinished.
 *
 * T is always a thread stopped in a ptrace stop.
 */
#ifndef MEMSUP_TRAMPOLINE_H
#define MEMSUP_TRAMPOLINE_H

#include <stdint.h>
#include <sys/user.h>

#include "supervisor/tracee.h"

/*
 * A word of T's stack at this stop: from the unwinder's copy when the
 * stop opened one (unwinder_begin()), else read on its own. 0, or -1.
 */
int tracee_stack_word(struct tracee *t, uint64_t addr, uint64_t *v);

/*
 * Unwinds T, stopped at an allocator's entry with REGS (unwind.h), into
 * at most MAX PCS, reading the true return address wherever memsup's
 * trampoline stands in for one. Both engines' stacks come from here.
 */
unsigned tracee_unwind(struct tracee *t, const struct user_regs_struct *regs,
		       uint64_t *pcs, unsigned max);

/*
 * Drops the calls in flight on T that can no longer return at stack
 * pointer SP: those whose return slot lies below SP on SP's own stack.
 * A slot in another mapping is on another stack (a coroutine's, an
 * alternate signal stack, a stack the program mapped): the thread
 * switched stacks and the frame still returns when it switches back.
 */
void trampoline_prune(struct session *s, struct tracee *t, uint64_t sp);

/*
 * T enters an intercepted function, SP its stack pointer there (the slot
 * of its return address): drops the calls that can no longer return,
 * including one in that same slot that was abandoned. BOUNDARY: the
 * function is a test or a fixture, which never tail-jumps into another.
 */
void trampoline_prune_at_entry(struct session *s, struct tracee *t,
			       uint64_t sp, int boundary);

/* For inject.c: T's test whose return slot is SLOT was abandoned; it
 * ends, unfinished, with every call inside it. */
void session_abandoned(struct session *s, struct tracee *t, uint64_t slot);

/*
 * An intercepted call returned to the trampoline (REGS: T at the
 * trampoline, its return address popped): its effect is recorded and
 * REGS->rip set to where the call really returns; *HELD says whether
 * T's siblings are held for a test's close (stop_release_held() once T
 * runs). -1 when no call in flight on T had that slot. REGS are not
 * written back.
 */
int trampoline_complete(struct session *s, struct tracee *t,
			struct user_regs_struct *regs, int *held);

/*
 * T stopped at the trampoline with REGS: the call is completed and T
 * resumed where it returns; a return memsup cannot explain is said, and
 * T gets the SIGSEGV of a wild return.
 */
void trampoline_return(struct session *s, struct tracee *t,
		       struct user_regs_struct *regs);

#endif
