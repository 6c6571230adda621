/*
 * Launch and attach (launch.c) and the event loop (event.c) of
 * docs/supervisor.md. session_run() is declared in tracee.h; the rest of
 * process control is in process.h, stop.h, detach.h and signals.h.
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

/* Forks and execs ARGV[0] under ptrace; 0 or -1 (message printed). After
 * the loop, session_launch_error() tells whether the exec failed. */
int session_launch(struct session *s, char *const argv[]);
/* errno of a failed exec in the child, or 0. */
int session_launch_error(struct session *s);
/* Seizes every thread of PID, arms, and lets it run; 0 or -1. */
int session_attach(struct session *s, pid_t pid);
/*
 * Handles the wait STATUS of TID to completion (session_run() loops on
 * it): the engine's events first, then the stop; the thread is resumed,
 * or kept stopped (held, parked, group-stop). Also for the stops that
 * holding siblings and the detach collect.
 */
void session_dispatch(struct session *s, pid_t tid, int status);

#endif
