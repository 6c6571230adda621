/*
 * faults: one program, one fault per mode (faults MODE [N]), for the fault
 * matrix of tests/e2e/0100-*.sh. It prints with write(2) only
 * (say.h), so every allocation is one of the figures below.
 *
 * Test boundaries (samples/faults/faults.yaml): fault_test() and
 * later_test(). fault_test() always starts with the same heap work:
 *   a = malloc(100), b = malloc(200), c = malloc(300), free(a)
 *   -> 3 allocations, 1 free, 600 allocated, peak 600, live 500 in 2
 * and then does the fault of its mode. later_test() (called only where the
 * program survives its fault) does malloc(1000), free: 1 / 1 / 1000 / 1000,
 * nothing live. Outside the tests, main allocates nothing, except in the
 * modes that say so.
 *
 * Modes:
 *   ok           fault_test returns; later_test; exit 0
 *   segv-in      SIGSEGV inside fault_test (exit 139)
 *   segv-out     fault_test returns, then SIGSEGV in main (exit 139)
 *   abort        abort() inside fault_test (exit 134)
 *   double-free  free(b) twice inside fault_test: glibc aborts (134)
 *   exit-in      exit(7) inside fault_test
 *   longjmp      fault_test longjmps back to main; later_test; exit 0
 *   fork-exit    fault_test forks; the child mallocs 256 and _exit(3)s
 *                inside the test; the parent waits, says
 *                "child status 3", returns; later_test; exit 0
 *   forever      "ready", then sleeps forever inside fault_test
 *   ignore       ignores SIGINT, SIGTERM and SIGHUP, "ready", sleeps forever
 *   block        blocks SIGINT, SIGTERM and SIGHUP, "ready", sleeps forever
 *   stop         "stopping", raise(SIGSTOP) inside fault_test; once
 *                continued "continued", later_test, exit 0
 *   marker PATH  creates the file PATH, then as ok
 *   fork N       malloc(48) kept, then N children as fast as it can; child
 *                i (0..N-1) mallocs 8*(i+1) bytes, keeps it and _exit(0)s;
 *                the parent reaps them all and exits 0 (no test boundary)
 *   forkexec N   N children, each execs /bin/true; parent reaps, exit 0
 *   vfork        vfork + exec /bin/true; parent reaps, exit 0
 *   clone3       syscall(SYS_clone3) without CLONE_VM (a process): the
 *                child mallocs 700 and _exit(5)s; the parent waits,
 *                checks the status, exits 0
 * Every mode prints "pid N" first (the program's own pid, for the tests
 * that signal it).
 */
#include <errno.h>
#include <linux/sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <unistd.h>

#include "../common/say.h"

static void *volatile live[4];
static jmp_buf back;

static void die(const char *what)
{
	say_str(2, "faults: ");
	say_str(2, what);
	say_str(2, "\n");
	_exit(99);
}

__attribute__((noinline)) static void crash(int *volatile p)
{
	*p = 42;
}

__attribute__((noinline)) static void heap_work(void)
{
	void *a = malloc(100);

	live[1] = malloc(200);
	live[2] = malloc(300);
	if (!a || !live[1] || !live[2])
		die("malloc failed");
	free(a);
}

static void sleep_forever(void)
{
	for (;;)
		pause();
}

__attribute__((noinline)) void fault_test(const char *mode)
{
	heap_work();
	if (!strcmp(mode, "segv-in")) {
		crash(NULL);
	} else if (!strcmp(mode, "abort")) {
		abort();
	} else if (!strcmp(mode, "double-free")) {
		free(live[1]);
		free(live[1]);
	} else if (!strcmp(mode, "exit-in")) {
		exit(7);
	} else if (!strcmp(mode, "longjmp")) {
		longjmp(back, 1);
	} else if (!strcmp(mode, "fork-exit")) {
		int st;
		pid_t pid = fork();

		if (pid < 0)
			die("fork failed");
		if (pid == 0) {
			live[3] = malloc(256);
			_exit(3);
		}
		if (waitpid(pid, &st, 0) != pid)
			die("waitpid failed");
		say_kv(1, "child status", WIFEXITED(st) ? WEXITSTATUS(st) : 1000);
	} else if (!strcmp(mode, "forever") || !strcmp(mode, "ignore") ||
		   !strcmp(mode, "block")) {
		say_str(1, "ready\n");
		sleep_forever();
	} else if (!strcmp(mode, "stop")) {
		say_str(1, "stopping\n");
		raise(SIGSTOP);
		say_str(1, "continued\n");
	}
}

__attribute__((noinline)) void later_test(void)
{
	void *p = malloc(1000);

	if (!p)
		die("malloc failed");
	free(p);
}

static int forks(long n, int exec_true)
{
	long i;
	int st;

	live[0] = malloc(48);
	for (i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork failed");
		if (pid == 0) {
			if (exec_true) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			live[1] = malloc((size_t)(8 * (i + 1)));
			_exit(live[1] ? 0 : 1);
		}
	}
	for (i = 0; i < n; i++) {
		if (wait(&st) < 0)
			die("wait failed");
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			die("a child failed");
	}
	say_kv(1, "children", (unsigned long long)n);
	return 0;
}

static int do_vfork(void)
{
	int st;
	pid_t pid = vfork();

	if (pid < 0)
		die("vfork failed");
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st))
		die("the vfork child failed");
	say_str(1, "vfork: done\n");
	return 0;
}

static int do_clone3(void)
{
	struct clone_args args;
	long pid;
	int st;

	memset(&args, 0, sizeof(args));
	args.exit_signal = SIGCHLD;
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0)
		die("clone3 failed");
	if (pid == 0) {
		live[3] = malloc(700);
		_exit(live[3] ? 5 : 1);
	}
	if (waitpid((pid_t)pid, &st, 0) != pid || !WIFEXITED(st) ||
	    WEXITSTATUS(st) != 5)
		die("the clone3 child did not exit with status 5");
	say_str(1, "clone3: child status 5\n");
	return 0;
}

static void on_signals(int how)
{
	int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	sigset_t set;
	unsigned i;

	sigemptyset(&set);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		if (how == 0)
			signal(sigs[i], SIG_IGN);
		sigaddset(&set, sigs[i]);
	}
	if (how == 1)
		sigprocmask(SIG_BLOCK, &set, NULL);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "ok";
	long n = argc > 2 ? parse_count(argv[2]) : 0;

	say_kv(1, "pid", (unsigned long long)getpid());
	if (!strcmp(mode, "fork") || !strcmp(mode, "forkexec")) {
		if (n < 0)
			die("fork N: N must be a number");
		return forks(n, mode[4] == 'e');
	}
	if (!strcmp(mode, "vfork"))
		return do_vfork();
	if (!strcmp(mode, "clone3"))
		return do_clone3();
	if (!strcmp(mode, "ignore"))
		on_signals(0);
	if (!strcmp(mode, "block"))
		on_signals(1);
	if (!strcmp(mode, "marker")) {
		int fd;

		if (argc < 3)
			die("marker PATH");
		fd = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0)
			die("cannot create the marker");
		close(fd);
	}
	if (setjmp(back) == 0) {
		fault_test(mode);
		if (!strcmp(mode, "segv-out")) {
			say_str(1, "crashing outside the test\n");
			crash(NULL);
		}
	} else {
		say_str(1, "longjmp: back in main\n");
	}
	later_test();
	say_str(1, "faults: done\n");
	return 0;
}
