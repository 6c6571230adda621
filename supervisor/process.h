/*
 * The lifecycle of a supervised process (docs/supervisor.md, "Launch,
 * attach, follow"): a new program image and its entry point, exec,
 * forked, vforked and cloned children, and the end of each thread and
 * process. The handlers take the thread T whose ptrace stop the event
 * loop is handling; each one resumes T unless it says otherwise.
 */
#ifndef MEMSUP_PROCESS_H
#define MEMSUP_PROCESS_H

#include <sys/types.h>
#include <sys/user.h>

#include "supervisor/tracee.h"

/*
 * A new program image in PROC (after exec, or at launch or attach): reads
 * what it is and where its entry point is, and puts the int3 there. When
 * STARTED the image is already running (attach): arm at once. 0, or -1
 * with a message.
 */
int process_new_image(struct session *s, struct process *proc, int started);

/*
 * T stopped at the entry point's int3 (BP, REGS): either the program
 * starts (arms what waited for it), or a call returns to the trampoline
 * that the entry point also is.
 */
void process_entry(struct session *s, struct tracee *t, struct breakpoint *bp,
		   struct user_regs_struct *regs);

/*
 * Whether T, at the entry point's int3 with SP its stack pointer, came
 * there by returning to the trampoline (1) rather than by the program
 * running its entry point (0).
 */
int process_entry_is_return(const struct tracee *t, uint64_t sp);

/* T exec'd (PTRACE_EVENT_EXEC; not resumed): the old image's scopes
 * close and the new image is read and armed. */
void process_exec(struct session *s, struct tracee *t);

/*
 * T forked, vforked or cloned (EVENT, a PTRACE_EVENT_*; T not resumed):
 * the new thread joins T's process, or the new process gets a copy of
 * its parent's live blocks, breakpoints and calls in flight. A child
 * whose first stop came first (process_unknown()) is let go now.
 */
void process_new_child(struct session *s, struct tracee *t, int event);

/* A stop of a tid memsup does not know: a new child ahead of its
 * parent's event, kept waiting for that event. */
void process_unknown(struct session *s, pid_t tid, int status);

/*
 * Whether T, in PTRACE_EVENT_EXIT, takes its process's memory with it:
 * it called exit_group (the other threads are being killed and run no
 * more user code), or it is the last thread and calls exit. A thread
 * killed by a signal is not: the scopes it ends are unfinished.
 */
int process_leaving(struct tracee *t);

/*
 * T is gone (wait STATUS): a thread is forgotten; the leader, reported
 * last, ends its process, whose scopes close.
 */
void process_exit_status(struct session *s, struct tracee *t, int status);

/*
 * The process's image ends (exit, signal, exec, detach) with scopes
 * open, WHY says how. The whole-program scope ends normally unless
 * KILLED by a signal; a test scope did not return, so it is unfinished
 * with the reason (docs/discovery.md).
 */
void process_close_scopes(struct session *s, struct process *proc,
			  const char *why, int killed);

#endif
