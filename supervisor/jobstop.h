/*
 * Job-control stops of traced threads (docs/supervisor.md, "Stopped
 * programs"): a program stopped by SIGSTOP, SIGTSTP, SIGTTIN or SIGTTOU
 * stays stopped under memsup, whether it was stopped before the attach or
 * while supervised, until someone sends it SIGCONT; as it would under
 * strace. Each thread of a stopped program reports a group-stop, an event
 * stop (PTRACE_EVENT_STOP) with the stop signal, and is left in it with
 * PTRACE_LISTEN: it runs no code, memsup's wait4() is not blocked, and
 * SIGCONT wakes it with a new event stop (signal SIGTRAP), after which it
 * is resumed as usual. memsup never resumes a thread it holds in a
 * group-stop with PTRACE_CONT, which would run it while the program is
 * stopped.
 */
#ifndef MEMSUP_JOBSTOP_H
#define MEMSUP_JOBSTOP_H

#include "supervisor/tracee.h"

/* Whether the wait STATUS is a group-stop: PTRACE_EVENT_STOP with a stop
 * signal (the kernel reports any event stop so while the program is
 * stopped, PTRACE_INTERRUPT's too). */
int jobstop_is_group_stop(int status);

/*
 * T, held in a ptrace stop while its program is stopped, stays stopped:
 * PTRACE_LISTEN from its group-stop. From any other stop (memsup ran
 * code in it, or stepped it, since), T is interrupted and resumed: it
 * stops again at once, before any of its code runs, with the group-stop
 * that the event loop then listens in. Clears TRACEE_GROUP_STOP.
 */
void jobstop_listen(struct tracee *t);

/* "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", or "a stop signal". */
const char *jobstop_signal_name(int sig);

#endif
