/*
 * ptrace-cost: the physical limit of a ptrace supervisor on this machine.
 *
 * One bare stop round trip, as a breakpoint costs before any bookkeeping:
 * the tracee executes int3, the tracer's waitpid() returns, it reads the
 * registers (PTRACE_GETREGS), writes them back (PTRACE_SETREGS) and
 * resumes the tracee (PTRACE_CONT) up to its next int3. Measured with both
 * on one CPU and, when there are two, on different CPUs. Prints JSON:
 *
 *   {"n": N, "same_cpu_us": {"median": .., "p10": .., "p90": ..},
 *    "cross_cpu_us": {...} or null}
 *
 *   ptrace-cost [N]        default 20000 stops per placement
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include "timing.h"

static int pin(pid_t pid, int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(pid, sizeof(set), &set) < 0) {
		fprintf(stderr, "ptrace-cost: sched_setaffinity(%d, cpu %d): %s\n",
			(int)pid, cpu, strerror(errno));
		return -1;
	}
	return 0;
}

/* The tracee: stop once for the tracer, then int3 forever. */
static void __attribute__((noreturn)) tracee(void)
{
	if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) < 0)
		_exit(1);
	raise(SIGSTOP);
	for (;;)
		__asm__ volatile("int3");
}

/* Median, p10 and p90 in *out of N round trips, tracee on CPU child_cpu. */
static int measure(unsigned n, int child_cpu, double out[3])
{
	struct user_regs_struct regs;
	double *t = calloc(n, sizeof(*t)), t0;
	unsigned i;
	pid_t pid;
	int status;

	if (!t)
		return -1;
	pid = fork();
	if (pid < 0) {
		perror("ptrace-cost: fork");
		free(t);
		return -1;
	}
	if (!pid) {
		if (pin(0, child_cpu) < 0)
			_exit(1);
		tracee();
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "ptrace-cost: tracee did not stop\n");
		free(t);
		return -1;
	}
	/* warm up: the first stops fault pages in */
	for (i = 0; i < n + 100; i++) {
		t0 = now_us();
		if (ptrace(PTRACE_CONT, pid, NULL, NULL) < 0 ||
		    waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
		    WSTOPSIG(status) != SIGTRAP ||
		    ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0 ||
		    ptrace(PTRACE_SETREGS, pid, NULL, &regs) < 0) {
			perror("ptrace-cost: round trip");
			kill(pid, SIGKILL);
			return -1;
		}
		if (i >= 100)
			t[i - 100] = now_us() - t0;
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	sort_samples(t, n);
	out[0] = t[n / 2];
	out[1] = t[n / 10];
	out[2] = t[n * 9 / 10];
	free(t);
	return 0;
}

static void print(const char *key, const double *v, int last)
{
	if (v)
		printf("  \"%s\": {\"median\": %.2f, \"p10\": %.2f, \"p90\": %.2f}%s\n",
		       key, v[0], v[1], v[2], last ? "" : ",");
	else
		printf("  \"%s\": null%s\n", key, last ? "" : ",");
}

int main(int argc, char **argv)
{
	unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 20000;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	double same[3], cross[3];
	int have_cross = 0;

	if (n < 10)
		n = 10;
	if (pin(0, 0) < 0 || measure(n, 0, same) < 0)
		return 1;
	if (ncpu > 1) {
		if (measure(n, 1, cross) < 0)
			return 1;
		have_cross = 1;
	}
	printf("{\n  \"n\": %u,\n", n);
	print("same_cpu_us", same, 0);
	print("cross_cpu_us", have_cross ? cross : NULL, 1);
	printf("}\n");
	return 0;
}
