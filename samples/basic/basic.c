/*
 * basic: known numbers and sizes of malloc, calloc, realloc (grow, shrink,
 * NULL, to 0), free, free(NULL), posix_memalign and aligned_alloc, and known
 * blocks live at exit. The figures are in basic.h.
 *
 *   basic [-n] [STATUS]
 *
 * -n skips the heap work (what the C library does on its own: a baseline).
 * STATUS (default 0) is the exit status, to check that it passes through.
 * Prints "basic: done\n" on stdout and nothing else; no stdio (it would
 * malloc its buffer).
 */
#include <stdlib.h>
#include <string.h>

#include "../common/say.h"
#include "basic.h"

/* Keeps the live blocks reachable, so that only the sample decides. */
static struct basic_blocks blocks;

int main(int argc, char **argv)
{
	int work = 1;
	long long status = 0;
	int i;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n")) {
			work = 0;
		} else if ((status = parse_count(argv[i])) < 0 || status > 255) {
			say_str(2, "usage: basic [-n] [STATUS]\n");
			return 2;
		}
	}
	if (work) {
		basic_allocate(&blocks);
		basic_resize(&blocks);
		basic_aligned(&blocks);
		basic_release(&blocks);
	}
	say_str(1, "basic: done\n");
	return (int)status;
}
