/*
 * events: allocation events from a known stack depth, for the event-path
 * microbenchmark and memsup's memory per live block.
 *
 *   events keep N [DEPTH]  N mallocs of 32 bytes, all kept (never freed)
 *   events pair N [DEPTH]  N malloc(32)/free pairs
 *
 * The loop runs DEPTH (default 12) noinline calls below main, so a malloc
 * sees loop + DEPTH + main + 3 libc/_start frames: 17 >= memsup's 16.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void **kept;
static volatile long sink;

__attribute__((noinline)) static void loop(int keep, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		char *volatile p = malloc(32);

		if (!p)
			abort();
		p[0] = (char)i;
		if (keep)
			kept[i] = p;
		else
			free(p);
	}
}

__attribute__((noinline)) static void descend(int depth, int keep, long n)
{
	if (depth > 0)
		descend(depth - 1, keep, n);
	else
		loop(keep, n);
	sink++;				/* no tail call: a real frame */
}

int main(int argc, char **argv)
{
	int keep, depth;
	long n;

	if (argc < 3 || (strcmp(argv[1], "keep") && strcmp(argv[1], "pair"))) {
		static const char usage[] = "usage: events keep|pair N [DEPTH]\n";

		return write(2, usage, sizeof(usage) - 1) < 0 ? 2 : 2;
	}
	keep = !strcmp(argv[1], "keep");
	n = atol(argv[2]);
	depth = argc > 3 ? atoi(argv[3]) : 12;
	/* the table itself comes from mmap, not malloc: no event */
	if (keep && n > 0) {
		kept = mmap(NULL, (size_t)n * sizeof(*kept),
			    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
		if (kept == MAP_FAILED)
			return 1;
	}
	descend(depth, keep, n);
	return 0;
}
