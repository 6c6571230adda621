/*
 * placement: programs the in-process engine cannot place its recorder in,
 * or must place later than it thinks (tests/e2e/0137-placement-fallback.sh).
 *
 *   placement crowd      reserve every free page within 2 GiB of the C
 *                        library, write "ready", wait until a tracer
 *                        attaches, run crowded_test(), write "tested",
 *                        wait until the tracer is gone, run it again,
 *                        check the reservations, write the results and
 *                        "waiting", and wait for SIGUSR1 to exit
 *   placement -n         the same natively: no waiting at all
 *   placement run        run crowded_test() once and write the results
 *   placement -e         write the figures of one crowded_test(), as
 *                        memsup must report them, then those of
 *                        nested_test() ("nested_allocations N", ...)
 *   placement nested     run nested_test() once and write the results
 *   placement stopped PROG [ARG...]
 *                        start PROG stopped right after its exec, before
 *                        its dynamic linker has run (the state in which an
 *                        attach can catch a program just started); write
 *                        "pid N", wait for it and exit with its status
 *
 * crowd: the reservations are PROT_NONE anonymous mappings (no memory,
 * no commit charge) made with MAP_FIXED_NOREPLACE over every gap of
 * /proc/self/maps from 2 GiB below the lowest mapping of libc to 2 GiB
 * above its highest, so that nothing can be mapped within a rel32 jump of
 * libc's functions. The program writes "crowded GAPS" (the gaps it
 * filled) and "free 0" when the window has no free page left; a free page
 * it could not fill is reported as "free N" (the number of free pages)
 * and the caller cannot rely on the window being full.
 *
 * crowded_test() (the test of samples/harm/placement.yaml) mallocs BLOCKS
 * blocks of sizes that depend on their index and one calloc'd array,
 * fills them with a pattern, folds them into a sum, and frees them all:
 * every block is held at once, so the peak is the sum of their sizes. The
 * results are "sum S" (the sum of every run so far, each checked against
 * the same sum computed without touching memory), "bad M" (runs whose sum
 * was wrong) and, for crowd, "reserved OK" when the reservations are still
 * mapped PROT_NONE. Exit status 0 when nothing was wrong.
 *
 * nested_test() (samples/harm/placement-refused.yaml) allocates NESTED
 * blocks through refused_alloc() and frees them through refused_free(),
 * allocators of the policy that call malloc and free: each is one call,
 * counted once. refused_alloc() begins with a short jump into its own
 * first five bytes, which no jump written over them may cover: the
 * in-process engine cannot redirect it.
 *
 * Allows any process to ptrace it (PR_SET_PTRACER_ANY, for Yama). Prints
 * with write(2): stdio would allocate.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/say.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define BLOCKS		12
#define CALLOC_N	37
#define CALLOC_SIZE	24
#define WINDOW		(2ULL << 30)
#define PAGE		4096ULL
#define MAX_RES		64
#define WAIT_S		60
#define STACK_ROOM	(64ULL << 20)

static size_t block_size(int i)
{
	return 16 + (size_t)((i * 211) % 1500);
}

/* The test boundary: one run, 0 when its sum is right; *SUM gets it. */
__attribute__((noinline)) int crowded_test(uint64_t *sum);
__attribute__((noinline)) int crowded_test(uint64_t *sum)
{
	unsigned char *b[BLOCKS], *c;
	uint64_t got = 0, want = 0;
	size_t n, k;
	int i;

	for (i = 0; i < BLOCKS; i++) {
		n = block_size(i);
		if (!(b[i] = malloc(n)))
			abort();
		memset(b[i], i + 1, n);
		want += (uint64_t)(i + 1) * n;
	}
	if (!(c = calloc(CALLOC_N, CALLOC_SIZE)))
		abort();
	for (k = 0; k < CALLOC_N * CALLOC_SIZE; k++)
		got += c[k];		/* zero, as calloc promises */
	for (i = 0; i < BLOCKS; i++)
		for (k = 0; k < block_size(i); k++)
			got += b[i][k];
	for (i = 0; i < BLOCKS; i++)
		free(b[i]);
	free(c);
	*sum += got;
	return got != want;
}

#define NESTED		5

static size_t nested_size(int i)
{
	return 100 + (size_t)i * 8;
}

void *refused_alloc(size_t n);
void refused_free(void *p);

/* malloc, behind a first instruction that branches into the next one */
__asm__(".text\n"
	".globl refused_alloc\n"
	".type refused_alloc, @function\n"
	"refused_alloc:\n"
	"\tjmp 1f\n"
	"1:\tnop\n\tnop\n\tnop\n\tnop\n"
	"\tjmp malloc@PLT\n"
	".size refused_alloc, .-refused_alloc\n");

__attribute__((noinline)) void refused_free(void *p)
{
	free(p);
}

/* The test boundary: one run, 0 when its sum is right. */
__attribute__((noinline)) int nested_test(uint64_t *sum);
__attribute__((noinline)) int nested_test(uint64_t *sum)
{
	unsigned char *b[NESTED];
	uint64_t got = 0, want = 0;
	size_t k;
	int i;

	for (i = 0; i < NESTED; i++) {
		if (!(b[i] = refused_alloc(nested_size(i))))
			abort();
		memset(b[i], 3 * i + 1, nested_size(i));
		want += (uint64_t)(3 * i + 1) * nested_size(i);
	}
	for (i = 0; i < NESTED; i++) {
		for (k = 0; k < nested_size(i); k++)
			got += b[i][k];
		refused_free(b[i]);
	}
	*sum += got;
	return got != want;
}

/* ---- /proc/self, without the heap ---- */

static char buf[1 << 17];

static size_t read_file(const char *path)
{
	size_t n = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	while (n < sizeof(buf) - 1 &&
	       (r = read(fd, buf + n, sizeof(buf) - 1 - n)) > 0)
		n += (size_t)r;
	close(fd);
	buf[n] = 0;
	return n;
}

static uint64_t hex(const char **p)
{
	uint64_t v = 0;

	for (;; (*p)++) {
		char ch = **p;

		if (ch >= '0' && ch <= '9')
			v = v * 16 + (uint64_t)(ch - '0');
		else if (ch >= 'a' && ch <= 'f')
			v = v * 16 + (uint64_t)(ch - 'a' + 10);
		else
			return v;
	}
}

/* Calls FN for each mapping of /proc/self/maps (read once, before). */
static void each_mapping(void (*fn)(uint64_t lo, uint64_t hi, const char *line,
				    void *arg), void *arg)
{
	const char *p = buf, *nl;
	uint64_t lo, hi;

	read_file("/proc/self/maps");
	while (*p) {
		nl = strchr(p, '\n');
		lo = hex(&p);
		p++;
		hi = hex(&p);
		fn(lo, hi, p, arg);
		if (!nl)
			break;
		p = nl + 1;
	}
}

static int is_libc(const char *line)
{
	const char *end = strchr(line, '\n'), *name;

	if (!end)
		end = line + strlen(line);
	for (name = end; name > line && name[-1] != '/'; name--)
		;
	return name > line && end - name >= 7 && !strncmp(name, "libc.so", 7);
}

struct window {
	uint64_t lo, hi;		/* libc's range, then the window */
	uint64_t prev;			/* end of the mapping before */
	unsigned gaps, failed;
	uint64_t free_pages;
	uint64_t res_lo[MAX_RES], res_hi[MAX_RES];
	unsigned nres;
};

static void find_libc(uint64_t lo, uint64_t hi, const char *line, void *arg)
{
	struct window *w = arg;

	if (!is_libc(line))
		return;
	if (!w->lo || lo < w->lo)
		w->lo = lo;
	if (hi > w->hi)
		w->hi = hi;
}

/* The part of [A, B) inside the window. */
static int clip(const struct window *w, uint64_t *a, uint64_t *b)
{
	if (*a < w->lo)
		*a = w->lo;
	if (*b > w->hi)
		*b = w->hi;
	return *a < *b;
}

static void fill_gap(uint64_t lo, uint64_t hi, const char *line, void *arg)
{
	struct window *w = arg;
	uint64_t a = w->prev, b = lo;
	const char *nl = strchr(line, '\n');
	void *p;

	w->prev = hi;
	/* the stack grows down into the gap below it: room is left there
	 * (the window is then not full, and the program says so) */
	if (strstr(line, "[stack]") && (!nl || strstr(line, "[stack]") < nl))
		b = b > a + STACK_ROOM ? b - STACK_ROOM : a;
	if (!clip(w, &a, &b))
		return;
	w->gaps++;
	p = mmap((void *)a, b - a, PROT_NONE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
		 MAP_FIXED_NOREPLACE, -1, 0);
	if (p == MAP_FAILED || p != (void *)a) {
		if (p != MAP_FAILED)
			munmap(p, b - a);
		w->failed++;
		return;
	}
	if (w->nres < MAX_RES) {
		w->res_lo[w->nres] = a;
		w->res_hi[w->nres++] = b;
	}
}

static void count_free(uint64_t lo, uint64_t hi, const char *line, void *arg)
{
	struct window *w = arg;
	uint64_t a = w->prev, b = lo;

	(void)line;
	w->prev = hi;
	if (clip(w, &a, &b))
		w->free_pages += (b - a) / PAGE;
}

/* Whether every reservation is still one PROT_NONE mapping, or part of
 * one. */
static struct window win;
static unsigned res_ok;

static void check_res(uint64_t lo, uint64_t hi, const char *line, void *arg)
{
	unsigned i;

	(void)arg;
	for (i = 0; i < win.nres; i++)
		if (lo <= win.res_lo[i] && hi >= win.res_hi[i] &&
		    !strncmp(line + 1, "---p", 4))
			res_ok++;
}

static int crowd(void)
{
	each_mapping(find_libc, &win);
	if (!win.lo) {
		say_str(2, "placement: no libc mapping in /proc/self/maps\n");
		return -1;
	}
	win.lo = win.lo > WINDOW + 0x10000 ? win.lo - WINDOW : 0x10000;
	win.hi = win.hi + WINDOW < 0x7ffffffff000ULL ? win.hi + WINDOW :
						       0x7ffffffff000ULL;
	win.prev = 0;
	each_mapping(fill_gap, &win);
	win.prev = 0;
	each_mapping(count_free, &win);
	say_kv(1, "crowded", win.gaps);
	say_kv(1, "free", win.free_pages);
	return 0;
}

/* /proc/self/status's TracerPid. */
static long tracer(void)
{
	const char *p;
	long t;

	read_file("/proc/self/status");
	p = strstr(buf, "TracerPid:");
	if (!p)
		return -1;
	p += 10;
	while (*p == ' ' || *p == '\t')
		p++;
	for (t = 0; *p >= '0' && *p <= '9'; p++)
		t = t * 10 + (*p - '0');
	return t;
}

static int wait_tracer(int present)
{
	struct timespec ts = { 0, 10000000L };
	long i, t;

	for (i = 0; i < WAIT_S * 100; i++) {
		t = tracer();
		if (t < 0)
			return -1;
		if ((t != 0) == present)
			return 0;
		nanosleep(&ts, NULL);
	}
	say_str(2, present ? "placement: no tracer came\n" :
			     "placement: the tracer did not go\n");
	return -1;
}

static volatile sig_atomic_t usr1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1 = 1;
}

static void results(uint64_t sum, unsigned bad)
{
	say_kv(1, "sum", sum);
	say_kv(1, "bad", bad);
}

static int run_stopped(char **argv)
{
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return 2;
	if (pid == 0) {
		/* the exec stops it: its tracer lets it go stopped */
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st) ||
	    ptrace(PTRACE_DETACH, pid, NULL, (void *)(long)SIGSTOP) < 0) {
		kill(pid, SIGKILL);
		say_str(2, "placement: cannot start the program stopped\n");
		return 2;
	}
	say_kv(1, "pid", (unsigned long long)pid);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFSIGNALED(st)) {
		say_kv(1, "signal", (unsigned long long)WTERMSIG(st));
		return 1;
	}
	say_kv(1, "status", (unsigned long long)WEXITSTATUS(st));
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	uint64_t sum = 0;
	unsigned bad = 0;
	int native;
	unsigned long long bytes = 0;
	int i;

	if (argc == 2 && !strcmp(argv[1], "-e")) {
		for (i = 0; i < BLOCKS; i++)
			bytes += block_size(i);
		bytes += CALLOC_N * CALLOC_SIZE;
		say_kv(1, "allocations", BLOCKS + 1);
		say_kv(1, "frees", BLOCKS + 1);
		say_kv(1, "allocated_bytes", bytes);
		say_kv(1, "peak_bytes", bytes);
		for (bytes = 0, i = 0; i < NESTED; i++)
			bytes += nested_size(i);
		say_kv(1, "nested_allocations", NESTED);
		say_kv(1, "nested_frees", NESTED);
		say_kv(1, "nested_allocated_bytes", bytes);
		say_kv(1, "nested_peak_bytes", bytes);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "nested")) {
		bad += (unsigned)nested_test(&sum);
		results(sum, bad);
		return bad != 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "stopped"))
		return run_stopped(argv + 2);
	if (argc == 2 && !strcmp(argv[1], "run")) {
		bad += (unsigned)crowded_test(&sum);
		results(sum, bad);
		return bad != 0;
	}
	if (argc != 2 || (strcmp(argv[1], "crowd") && strcmp(argv[1], "-n"))) {
		say_str(2, "usage: placement crowd | -n | run | nested | -e | "
			   "stopped PROG [ARG...]\n");
		return 2;
	}
	native = !strcmp(argv[1], "-n");
	signal(SIGUSR1, on_usr1);
#ifdef PR_SET_PTRACER
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0); /* EINVAL without Yama */
#endif
	if (crowd() < 0)
		return 3;
	say_str(1, "ready\n");
	if (!native && wait_tracer(1) < 0)
		return 4;
	bad += (unsigned)crowded_test(&sum);
	say_str(1, "tested\n");
	if (!native && wait_tracer(0) < 0)
		return 4;
	bad += (unsigned)crowded_test(&sum);
	res_ok = 0;
	each_mapping(check_res, NULL);
	results(sum, bad);
	say_str(1, res_ok == win.nres ? "reserved OK\n" : "reserved CHANGED\n");
	if (!native) {
		struct timespec ts = { 0, 10000000L };

		say_str(1, "waiting\n");
		for (i = 0; !usr1 && i < WAIT_S * 100; i++)
			nanosleep(&ts, NULL);
	}
	return bad != 0 || res_ok != win.nres;
}
