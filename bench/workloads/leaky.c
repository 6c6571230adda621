/*
 * leaky: N records built and torn down, with known leaks.
 *
 * Each record is a 64-byte struct plus a 40-byte name (two allocations).
 * Every LEAK_EVERY-th record is dropped without freeing either block, and
 * one 64 KiB buffer is never freed:
 *   allocations 2*N + 1, frees 2*(N - N/LEAK_EVERY)
 *   leaked blocks 2*(N/LEAK_EVERY) + 1, bytes (N/LEAK_EVERY)*(64+40) + 65536
 * Output goes through write(2), so stdio allocates nothing.
 *
 *   leaky [N]              default 10000
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LEAK_EVERY	100
#define NAME_SIZE	40
#define BUFFER_SIZE	65536

struct record {
	char *name;
	long id;
	char pad[48];
};

static void *buffer;

__attribute__((noinline)) static struct record *record_new(long id)
{
	struct record *r = malloc(sizeof(*r));

	if (!r)
		abort();
	r->id = id;
	r->name = malloc(NAME_SIZE);
	if (!r->name)
		abort();
	memset(r->name, 'a' + (int)(id % 26), NAME_SIZE - 1);
	r->name[NAME_SIZE - 1] = 0;
	return r;
}

__attribute__((noinline)) static void record_free(struct record *r)
{
	free(r->name);
	free(r);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10000, i, leaked;
	char line[128];
	int len;

	_Static_assert(sizeof(struct record) == 64, "record is 64 bytes");
	buffer = malloc(BUFFER_SIZE);
	if (!buffer)
		return 1;
	((char *)buffer)[0] = 1;
	buffer = NULL;				/* leaked */
	for (i = 0; i < n; i++) {
		struct record *r = record_new(i);

		if (i % LEAK_EVERY == LEAK_EVERY - 1)
			continue;		/* leaked */
		record_free(r);
	}
	leaked = n / LEAK_EVERY;
	len = snprintf(line, sizeof(line),
		       "leaky: leaked_blocks %ld leaked_bytes %ld\n",
		       2 * leaked + 1, leaked * (64 + NAME_SIZE) + BUFFER_SIZE);
	return write(1, line, (size_t)len) == len ? 0 : 1;
}
