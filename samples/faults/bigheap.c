/*
 * bigheap N: N blocks of 16 bytes, all live at once (memsup tracks N live
 * blocks), then all freed, exit 0.
 *   allocations N, frees N, allocated 16N, peak 16N, leaked 0
 * The array of pointers is one more allocation: malloc(8N), freed last.
 *   total: allocations N+1, frees N+1, allocated 24N, peak 24N, leaked 0
 */
#include <stdlib.h>

#include "../common/say.h"

int main(int argc, char **argv)
{
	long long n = argc > 1 ? parse_count(argv[1]) : -1;
	void **b;
	long long i;

	if (n < 1)
		return 2;
	if (!(b = malloc((size_t)n * sizeof(*b))))
		return 1;
	for (i = 0; i < n; i++)
		if (!(b[i] = malloc(16)))
			return 1;
	say_kv(1, "live", (unsigned long long)n);
	for (i = 0; i < n; i++)
		free(b[i]);
	free(b);
	say_str(1, "bigheap: done\n");
	return 0;
}
