/*
 * compute: about 1 s of arithmetic (native, -O2, SCALE 1) with exactly
 * ALLOCS allocations and ALLOCS frees; the "between events the program
 * runs at native speed" workload.
 *
 *   compute [SCALE]        SCALE multiplies the arithmetic (default 1)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ALLOCS		300
#define WORDS		1024		/* doubles per block: 8 KiB */
#define ROUNDS		4000		/* passes over a block, SCALE 1 */

static void *kept[ALLOCS];

__attribute__((noinline)) static double crunch(double *v, unsigned rounds)
{
	double acc = 0;
	unsigned r, i;

	for (r = 0; r < rounds; r++)
		for (i = 0; i < WORDS; i++) {
			v[i] = v[i] * 0.999999 + (double)(i ^ r) * 1e-9;
			acc += v[i];
		}
	return acc;
}

int main(int argc, char **argv)
{
	double scale = argc > 1 ? atof(argv[1]) : 1.0;
	unsigned rounds = (unsigned)(ROUNDS * scale);
	volatile double sink = 0;
	char line[64];
	int i, n;

	if (!rounds)
		rounds = 1;
	for (i = 0; i < ALLOCS; i++) {
		double *v = malloc(WORDS * sizeof(*v));

		if (!v)
			return 1;
		memset(v, 0, WORDS * sizeof(*v));
		v[0] = i;
		sink += crunch(v, rounds);
		kept[i] = v;
		if (i % 2) {		/* free half at once, half at the end */
			free(kept[i - 1]);
			kept[i - 1] = NULL;
		}
	}
	for (i = 0; i < ALLOCS; i++)
		free(kept[i]);
	n = snprintf(line, sizeof(line), "compute: %d allocations\n", ALLOCS);
	return write(1, line, (size_t)n) == n ? 0 : 1;
}
