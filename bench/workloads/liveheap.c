/*
 * liveheap: a live heap of MB megabytes for the leak-scan benchmark, in
 * blocks of SIZE bytes (default 1024). Each block points to the next one
 * (a list from the global head) and to a block allocated earlier; the rest
 * of it holds small integers. The last tenth of the blocks is dropped
 * from the list: lost, one definite head holding the rest, so both passes
 * of the scan run. Nothing is freed: the scan at exit sees it all.
 *
 *   liveheap MB [SIZE]
 */
#include <stdint.h>
#include <stdlib.h>

struct block {
	struct block *next;
	struct block *earlier;
	uint64_t data[];
};

struct block *head;

int main(int argc, char **argv)
{
	size_t mb = argc > 1 ? strtoul(argv[1], NULL, 10) : 10;
	size_t size = argc > 2 ? strtoul(argv[2], NULL, 10) : 1024;
	size_t n = mb * 1024 * 1024 / size, i, k, words;
	struct block **all, *prev = NULL;

	if (size < sizeof(struct block) + 8 || !n)
		return 2;
	words = (size - sizeof(struct block)) / 8;
	all = malloc(n * sizeof(*all));
	for (i = 0; i < n; i++) {
		struct block *b = malloc(size);

		b->next = NULL;
		b->earlier = i ? all[(i * 7919) % i] : NULL;
		for (k = 0; k < words; k++)
			b->data[k] = i + k;
		if (prev)
			prev->next = b;
		else
			head = b;
		prev = b;
		all[i] = b;
	}
	/* the last tenth is lost */
	all[n - n / 10 - 1]->next = NULL;
	for (i = n - n / 10; i < n; i++)
		all[i] = NULL;
	free(all);
	return 0;
}
