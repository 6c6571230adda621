/*
 * The event loop and process control of docs/supervisor.md: launch, attach, the
 * loop itself, and detach.
 */
#ifndef MEMSUP_EVENT_H
#define MEMSUP_EVENT_H

#include "supervisor/tracee.h"

/*
 * Attach (--pid): a process memsup did not start outlives memsup, even a
 * memsup killed by SIGKILL or crashed (no PTRACE_O_EXITKILL; its children
 * and threads inherit these options). docs/supervisor.md says what state
 * such a process may be left in.
 */
#define MEMSUP_ATTACH_PTRACE_OPTIONS                                      \
	(PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_TRACECLONE | \
	 PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT)
/* Launch: a dead memsup never leaves the program it started running
 * trapped (PTRACE_O_EXITKILL). */
#define MEMSUP_PTRACE_OPTIONS						  \
	(PTRACE_O_EXITKILL | MEMSUP_ATTACH_PTRACE_OPTIONS)

/* SIGINT, SIGTERM, SIGHUP and the --timeout alarm only set a flag. */
void session_install_signals(unsigned timeout);
/* In the program's process, before its exec: the dispositions memsup
 * inherited, for the signals session_install_signals() changed. */
void session_restore_signals(void);
/* The signal that asked the loop to stop, or 0. */
int session_stop_signal(void);

/* Forks and execs ARGV[0] under ptrace; 0 or -1 (message printed). After
 * the loop, session_launch_error() tells whether the exec failed. */
int session_launch(struct session *s, char *const argv[]);
/* errno of a failed exec in the child, or 0. */
int session_launch_error(struct session *s);
/* Seizes every thread of PID, arms, and lets it run; 0 or -1. */
int session_attach(struct session *s, pid_t pid);
/* Stops every thread, removes every int3, puts back every return address
 * and lets the process go (attach mode). */
void session_detach(struct session *s);

/*
 * Unwinds T, stopped at an allocator's entry with REGS (unwind.h), into
 * at most MAX PCS, reading the true return address wherever memsup's
 * trampoline stands in for one. Both engines' stacks come from here.
 */
unsigned tracee_unwind(struct tracee *t, const struct user_regs_struct *regs,
		       uint64_t *pcs, unsigned max);

/* For launch.c: a new image in PROC (see event.c). */
int process_new_image(struct session *s, struct process *proc, int started);
int process_arm(struct session *s, struct process *proc);

#endif
