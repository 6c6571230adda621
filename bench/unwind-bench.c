/*
 * unwind-bench: the cost of one remote unwind, libunwind-ptrace's stock
 * _UPT accessors against supervisor/unwind.c.
 *
 * A forked child recurses DEPTH deep and stops on an int3 at the first
 * instruction of a function with CFI, as at an allocator breakpoint. The
 * parent unwinds it N times each way (stock accessors; unwind.c with
 * libunwind for every frame; unwind.c with its cached CFI rules) and
 * prints the median and the 10th and 90th percentiles in microseconds.
 * It fails when the three do not return the same frames.
 *
 *   unwind-bench [N [DEPTH [ours]]]    "ours": skip the stock runs (for perf)
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libunwind-ptrace.h>

#include "timing.h"
#include "supervisor/unwind.h"

#define MAX_FRAMES 256

/* A function whose first instruction is an int3: an armed breakpoint. */
void bench_breakpoint(void);
__asm__(".text\n"
	".globl bench_breakpoint\n"
	".type bench_breakpoint, @function\n"
	"bench_breakpoint:\n"
	".cfi_startproc\n"
	"int3\n"
	"ret\n"
	".cfi_endproc\n"
	".size bench_breakpoint, .-bench_breakpoint\n");

static volatile int sink;

__attribute__((noinline)) static int recurse(int depth)
{
	int r;

	if (depth <= 0) {
		bench_breakpoint();
		return 0;
	}
	r = recurse(depth - 1);
	sink += r;
	return r + 1;
}

static void report(const char *what, double *t, unsigned n, unsigned frames)
{
	sort_samples(t, n);
	printf("%-34s %3u frames  median %8.2f us  p10 %8.2f  p90 %8.2f  "
	       "(N=%u)\n", what, frames, t[n / 2], t[n / 10], t[n * 9 / 10], n);
}

/* libunwind-ptrace as its documentation shows it. */
static unsigned stock_unwind(unw_addr_space_t as, void *upt, uint64_t *pcs)
{
	unw_cursor_t c;
	unw_word_t ip;
	unsigned n = 0;

	if (unw_init_remote(&c, as, upt) < 0)
		return 0;
	do {
		if (unw_get_reg(&c, UNW_REG_IP, &ip) < 0)
			break;
		pcs[n++] = ip;
	} while (n < MAX_FRAMES && unw_step(&c) > 0);
	return n;
}

static void bench_stock(pid_t pid, unw_caching_policy_t policy,
			const char *what, unsigned iters, uint64_t *ref,
			unsigned *nref)
{
	unw_addr_space_t as = unw_create_addr_space(&_UPT_accessors, 0);
	void *upt = _UPT_create(pid);
	double *t = calloc(iters, sizeof(*t));
	uint64_t pcs[MAX_FRAMES];
	unsigned i, n = 0;
	double t0;

	unw_set_caching_policy(as, policy);
	for (i = 0; i < iters; i++) {
		t0 = now_us();
		n = stock_unwind(as, upt, pcs);
		t[i] = now_us() - t0;
	}
	report(what, t, iters, n);
	if (ref) {
		memcpy(ref, pcs, n * sizeof(*pcs));
		*nref = n;
	}
	free(t);
	_UPT_destroy(upt);
	unw_destroy_addr_space(as);
}

int main(int argc, char **argv)
{
	unsigned iters = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
	int depth = argc > 2 ? atoi(argv[2]) : 16;
	int ours_only = argc > 3 && !strcmp(argv[3], "ours");
	struct user_regs_struct regs;
	uint64_t ref[MAX_FRAMES], pcs[MAX_FRAMES];
	unsigned nref = 0, n = 0, i, slow = iters < 200 ? iters : 200;
	struct unwind_stats stats;
	static const struct {
		enum unwind_mode mode;
		const char *name;
	} modes[] = {
		{ UNWIND_LIBUNWIND, "unwinder_unwind, libunwind" },
		{ UNWIND_RULES, "unwinder_unwind, CFI rules" },
	};
	struct unwinder *uw;
	unsigned m;
	double *t, t0;
	pid_t pid;
	int status;

	if (!iters)
		iters = 1;
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (!pid) {
		ptrace(PTRACE_TRACEME, 0, NULL, NULL);
		recurse(depth);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGTRAP) {
		fprintf(stderr, "unwind-bench: child did not stop on int3\n");
		return 1;
	}
	if (ptrace(PTRACE_GETREGS, pid, NULL, &regs) < 0) {
		perror("PTRACE_GETREGS");
		return 1;
	}
	printf("child %d stopped at a %d-deep recursion\n", (int)pid, depth);

	if (!ours_only)
		bench_stock(pid, UNW_CACHE_NONE, "stock _UPT, UNW_CACHE_NONE",
			    slow, NULL, NULL);
	bench_stock(pid, UNW_CACHE_GLOBAL, "stock _UPT, UNW_CACHE_GLOBAL",
		    ours_only ? 1 : iters, ref, &nref);

	t = calloc(iters, sizeof(*t));
	for (m = 0; m < 2; m++) {
		uw = unwinder_new(pid, modes[m].mode);
		if (!uw)
			return 1;
		for (i = 0; i < iters; i++) {
			t0 = now_us();
			n = unwinder_unwind(uw, pid, &regs, pcs, MAX_FRAMES);
			t[i] = now_us() - t0;
		}
		report(modes[m].name, t, iters, n);
		unwinder_stats(uw, &stats);
		printf("  per unwind: %.2f process_vm_readv, %.3f libunwind "
		       "proc-info lookups, %.3f rules computed, %.2f by rules "
		       "alone, %.2f failed reads\n",
		       (double)stats.reads / stats.unwinds,
		       (double)stats.proc_info_misses / stats.unwinds,
		       (double)stats.rule_misses / stats.unwinds,
		       (double)stats.by_rules / stats.unwinds,
		       (double)stats.read_failures / stats.unwinds);
		unwinder_free(uw);

		/* Same frames as the stock unwinder, less the breakpoint's. */
		if (n + 1 != nref || memcmp(pcs, ref + 1, n * sizeof(*pcs))) {
			fprintf(stderr, "unwind-bench: %s: stacks differ "
				"(%u vs %u frames)\n", modes[m].name, n, nref);
			for (i = 0; i < nref || i < n; i++)
				fprintf(stderr, "  %2u  %#18llx  %#18llx\n", i,
					i < nref ? (unsigned long long)ref[i] :
						   0ULL,
					i < n ? (unsigned long long)pcs[i] :
						0ULL);
			kill(pid, SIGKILL);
			return 1;
		}
	}
	free(t);
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return 0;
}
