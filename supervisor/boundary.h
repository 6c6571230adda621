/*
 * Test boundaries at run time (docs/discovery.md): a test function's
 * entry opens its scope, and its return, through the trampoline
 * (trampoline.h) or at its return site once an exception passed,
 * closes it. Check's test names and checked fixtures are read as the
 * suite registers them (fixture.h).
 *
 * The handlers take T stopped at breakpoint BP with REGS as read there,
 * and resume it.
 */
#ifndef MEMSUP_BOUNDARY_H
#define MEMSUP_BOUNDARY_H

#include <stdint.h>
#include <sys/user.h>

#include "supervisor/tracee.h"

/* A test function (FN_BOUNDARY) is entered: its scope opens, unless a
 * call of the same test is already in flight on T. */
void boundary_enter(struct session *s, struct tracee *t, struct breakpoint *bp,
		    struct user_regs_struct *regs);
/* An exception is raised on T (FN_UNWIND): the unwinder must see the
 * true return addresses, and tests' returns are caught at the site. */
void boundary_unwind(struct session *s, struct tracee *t,
		     struct breakpoint *bp, struct user_regs_struct *regs);
/* A test returns to its return site (FN_BOUNDARY_RET). */
void boundary_return(struct session *s, struct tracee *t,
		     struct breakpoint *bp, struct user_regs_struct *regs);
/* Check registers a test (FN_TCASE): its TCase's name. */
void boundary_tcase(struct session *s, struct tracee *t, struct breakpoint *bp,
		    struct user_regs_struct *regs);
/* Check registers checked fixtures (FN_FIXTURE_ADD): they are watched. */
void boundary_fixture_add(struct session *s, struct tracee *t,
			  struct breakpoint *bp,
			  struct user_regs_struct *regs);
/* A checked setup or teardown is entered (FN_FIXTURE). */
void boundary_fixture(struct session *s, struct tracee *t,
		      struct breakpoint *bp, struct user_regs_struct *regs);

/*
 * The scope SC of a test closes at T's stop, passed. Its leak scan
 * reads every thread's registers and stack, so the other threads are
 * held stopped for it (a running thread could move a pointer from memory
 * not read yet to memory already read); the caller lets them go with
 * stop_release_held() once T runs again: a held stop dispatched while T
 * is still stopped could try to hold T in turn.
 */
void boundary_close(struct session *s, struct tracee *t, struct scope *sc);

/* A test call returning to RET no longer will (its frame was
 * abandoned): its claim on the return-site breakpoint is dropped. */
void boundary_unref_return_site(struct process *proc, uint64_t ret);

#endif
