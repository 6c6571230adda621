/*
 * Starting supervision: launch a program (fork, PTRACE_SEIZE, exec, with
 * PTRACE_O_EXITKILL so that a dead memsup never leaves a trapped program
 * behind) or attach to a running one (without it: a process memsup did
 * not start is never killed by memsup's death); and detaching.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervisor/detach.h"
#include "supervisor/event.h"
#include "supervisor/jobstop.h"
#include "supervisor/msg.h"
#include "supervisor/process.h"
#include "supervisor/signals.h"
#include "supervisor/xmalloc.h"

static int tracer_of(pid_t pid)
{
	char path[64], line[256];
	FILE *fp;
	int tracer = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "re");
	if (fp) {
		while (fgets(line, sizeof(line), fp))
			if (sscanf(line, "TracerPid: %d", &tracer) == 1)
				break;
		fclose(fp);
	}
	return tracer;
}

/* EPERM from PTRACE_SEIZE has three usual causes (strace's
 * diagnose_attach_eperm). */
static void hint_eperm(pid_t pid)
{
	int tracer = tracer_of(pid);

	if (tracer > 0) {
		hint_msg("process %d is already traced by process %d (a "
			 "debugger, strace, or memsup); only one tracer is "
			 "allowed", (int)pid, tracer);
		return;
	}
	hint_msg("ptrace is refused: run memsup as the process's owner, and "
		 "check /proc/sys/kernel/yama/ptrace_scope (1 allows only "
		 "descendants: run the program under memsup instead, or as "
		 "root) and the container's seccomp or capability settings "
		 "(CAP_SYS_PTRACE)");
}

/*
 * memsup and the program on one CPU: a ptrace stop then hands the CPU from
 * the program to memsup and back without a cross-CPU wake-up, ~8 µs a
 * stop here instead of ~55 µs (docs/performance.md). The child inherits
 * the mask through fork and exec. The cost: the program's threads share
 * that CPU too (--no-pin keeps the program's parallelism).
 */
static void pin_to_current_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) < 0)
		perror_msg("warning: cannot pin memsup to CPU %d", cpu);
}

int session_launch(struct session *s, char *const argv[])
{
	int errpipe[2], st, err;
	struct process *proc;
	pid_t pid;

	if (s->pin)
		pin_to_current_cpu();

	if (pipe2(errpipe, O_CLOEXEC) < 0) {
		perror_msg("pipe");
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		perror_msg("fork");
		return -1;
	}
	if (pid == 0) {
		close(errpipe[0]);
		/* The program's signal dispositions are its own. */
		session_restore_signals();
		/* Wait, stopped, to be seized; then exec. */
		raise(SIGSTOP);
		execvp(argv[0], argv);
		err = errno;
		if (write(errpipe[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(errpipe[1]);
	s->exec_errfd = errpipe[0];
	s->main_pid = pid;

	if (waitpid(pid, &st, WUNTRACED) < 0 || !WIFSTOPPED(st)) {
		error_msg("cannot start '%s': the child did not stop", argv[0]);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -1;
	}
	if (ptrace(PTRACE_SEIZE, pid, 0L, (long)MEMSUP_PTRACE_OPTIONS) < 0) {
		err = errno;
		errno = err;
		perror_msg("cannot trace '%s': ptrace(PTRACE_SEIZE, %d)",
			   argv[0], (int)pid);
		if (err == EPERM && tracer_of(getpid()) > 0)
			hint_msg("memsup itself runs under a tracer (process %d: "
				 "strace -f, gdb, or another memsup), which "
				 "traces the programs it starts too; run memsup "
				 "outside it", tracer_of(getpid()));
		else if (err == EPERM)
			hint_eperm(pid);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return -1;
	}
	proc = process_new(s, pid);
	proc->as = aspace_new(pid);
	tracee_new(s, proc, pid);
	/* Out of its group-stop; its SIGCONT is delivered by the loop. */
	kill(pid, SIGCONT);
	return 0;
}

int session_launch_error(struct session *s)
{
	int err = 0;

	if (s->exec_errfd < 0)
		return 0;
	if (read(s->exec_errfd, &err, sizeof(err)) != (ssize_t)sizeof(err))
		err = 0;
	close(s->exec_errfd);
	s->exec_errfd = -1;
	return err;
}

/* Seizes the threads of PROC not traced yet; how many were new. */
static int seize_threads(struct session *s, struct process *proc)
{
	char path[64];
	struct dirent *de;
	DIR *dir;
	int added = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)proc->pid);
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir))) {
		pid_t tid = (pid_t)atoi(de->d_name);
		struct tracee *t;

		if (tid <= 0 || tracee_find(s, tid))
			continue;
		if (ptrace(PTRACE_SEIZE, tid, 0L,
			   (long)MEMSUP_ATTACH_PTRACE_OPTIONS) < 0) {
			if (errno == ESRCH)
				continue;	/* exited meanwhile */
			perror_msg("attach: ptrace(PTRACE_SEIZE, %d)", (int)tid);
			if (errno == EPERM)
				hint_eperm(tid);
			closedir(dir);
			return -1;
		}
		t = tracee_new(s, proc, tid);
		t->flags |= TRACEE_ATTACH_STOP;
		if (ptrace(PTRACE_INTERRUPT, tid, 0L, 0L) < 0 && errno != ESRCH)
			perror_msg("attach: ptrace(PTRACE_INTERRUPT, %d)",
				   (int)tid);
		added++;
	}
	closedir(dir);
	return added;
}

/*
 * Waits until no tracee of PROC has FLAG set, clearing it at each event
 * stop; a thread whose stop is a group-stop gets TRACEE_GROUP_STOP, and
 * *GROUP_SIG its stop signal.
 */
static int wait_stopped(struct session *s, struct process *proc,
			unsigned flag, int *group_sig);

int session_attach(struct session *s, pid_t pid)
{
	struct process *proc;
	struct tracee *t;
	int n, group_sig = 0;

	if (pid == getpid()) {
		error_msg("cannot attach to process %d: it is this memsup",
			  (int)pid);
		hint_msg("give the pid of the program to supervise");
		return -1;
	}
	if (kill(pid, 0) < 0 && errno == ESRCH) {
		error_msg("cannot attach to process %d: no such process",
			  (int)pid);
		return -1;
	}
	s->mode = MODE_ATTACH;
	s->main_pid = pid;
	proc = process_new(s, pid);
	proc->as = aspace_new(pid);
	if (proc->as->mem.memfd < 0) {
		perror_msg("cannot attach to process %d: open /proc/%d/mem",
			   (int)pid, (int)pid);
		if (errno == EACCES || errno == EPERM)
			hint_eperm(pid);
		process_finish(s, proc, SCOPE_UNFINISHED, NULL);
		return -1;
	}
	/* Threads created while we attach are caught by listing again. */
	do {
		n = seize_threads(s, proc);
	} while (n > 0);
	if (n < 0 ||
	    wait_stopped(s, proc, TRACEE_ATTACH_STOP, &group_sig) < 0) {
		session_detach(s);
		return -1;
	}
	if (process_new_image(s, proc, 1) < 0) {
		session_detach(s);
		return -1;
	}
	/*
	 * A stopped program (kill -STOP, Ctrl-Z) stays stopped, as under a
	 * debugger: its threads are listened in, and run, supervised, once
	 * someone sends it SIGCONT.
	 */
	if (group_sig)
		error_msg("process %d is stopped (%s): it stays stopped, "
			  "and runs supervised once continued (kill -CONT "
			  "%d)", (int)pid, jobstop_signal_name(group_sig),
			  (int)pid);
	for (t = proc->threads; t; t = t->pnext) {
		if (t->flags & TRACEE_GROUP_STOP)
			jobstop_listen(t);
		else if (ptrace(PTRACE_CONT, t->tid, 0L, 0L) < 0 &&
			 errno != ESRCH)
			perror_msg("ptrace(PTRACE_CONT, %d)", (int)t->tid);
	}
	return 0;
}

static int any_flagged(const struct session *s, unsigned flag)
{
	const struct process *proc;
	const struct tracee *t;

	for (proc = s->procs; proc; proc = proc->next)
		for (t = proc->threads; t; t = t->pnext)
			if (t->flags & flag)
				return 1;
	return 0;
}

static int wait_stopped(struct session *s, struct process *proc,
			unsigned flag, int *group_sig)
{
	int status;
	pid_t tid;

	(void)proc;
	while (any_flagged(s, flag)) {
		struct tracee *t;

		tid = wait4(-1, &status, __WALL, NULL);
		if (tid < 0) {
			if (errno == EINTR)
				continue;
			perror_msg("wait4");
			return -1;
		}
		t = tracee_find(s, tid);
		if (!t)
			continue;
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			if (t->tid == t->proc->pid) {
				process_finish(s, t->proc, WIFSIGNALED(status) ?
					       SCOPE_UNFINISHED : SCOPE_PASSED,
					       NULL);
				if (!s->procs)
					return -1;
			} else {
				tracee_free(s, t);
			}
			continue;
		}
		if (WIFSTOPPED(status)) {
			if ((unsigned)status >> 16 == PTRACE_EVENT_STOP) {
				t->flags &= ~flag;
				if (jobstop_is_group_stop(status)) {
					t->flags |= TRACEE_GROUP_STOP;
					*group_sig = WSTOPSIG(status);
				}
				continue;
			}
			/* A signal on its way goes on to the program; the
			 * interrupt stop still follows. */
			ptrace(PTRACE_CONT, tid, 0L,
			       (unsigned)status >> 16 == 0 ?
			       (long)WSTOPSIG(status) : 0L);
		}
	}
	return 0;
}
