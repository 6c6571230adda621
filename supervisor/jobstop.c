/*
 * Job-control stops of traced threads (jobstop.h).
 */
#include <errno.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "supervisor/jobstop.h"
#include "supervisor/msg.h"

static int is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
	       sig == SIGTTOU;
}

int jobstop_is_group_stop(int status)
{
	return WIFSTOPPED(status) &&
	       (unsigned)status >> 16 == PTRACE_EVENT_STOP &&
	       is_stop_signal(WSTOPSIG(status));
}

void jobstop_listen(struct tracee *t)
{
	t->flags &= ~TRACEE_GROUP_STOP;
	if (ptrace(PTRACE_LISTEN, t->tid, 0L, 0L) == 0 || errno == ESRCH)
		return;
	/*
	 * EIO: T's stop is not an event stop any more. PTRACE_INTERRUPT on
	 * a stopped thread takes effect once it is resumed: it traps in
	 * the kernel before returning to its code (ptrace(2), "At least one
	 * trap is guaranteed to happen after this request").
	 */
	if (errno == EIO &&
	    (ptrace(PTRACE_INTERRUPT, t->tid, 0L, 0L) == 0 || errno == ESRCH) &&
	    (ptrace(PTRACE_CONT, t->tid, 0L, 0L) == 0 || errno == ESRCH))
		return;
	perror_msg("cannot leave thread %d of process %d stopped "
		   "(ptrace(PTRACE_LISTEN))", (int)t->tid, (int)t->proc->pid);
}

const char *jobstop_signal_name(int sig)
{
	switch (sig) {
	case SIGSTOP:
		return "SIGSTOP";
	case SIGTSTP:
		return "SIGTSTP";
	case SIGTTIN:
		return "SIGTTIN";
	case SIGTTOU:
		return "SIGTTOU";
	default:
		return "a stop signal";
	}
}
