/*
 * repeat: a program whose peak changes from run to run, for memsup's
 * --repeat N (tests/e2e/0063-repeat.sh). Run as "repeat COUNTER_FILE":
 * main reads the number of earlier runs C from COUNTER_FILE (0 when it
 * is missing) and writes C + 1 back, with system calls only, outside the
 * tests. Then, with V = (C + 2) % 3:
 *
 *   test_vary    malloc(VARY_BASE + VARY_STEP * V), then C + 1 blocks of
 *                VARY_SMALL while it is live; all freed. Per run:
 *                allocations = 2 + C, allocated = peak =
 *                VARY_BASE + VARY_STEP * V + (C + 1) * VARY_SMALL.
 *                Runs C = 0, 1, 2 give V = 2, 0, 1: the second run has
 *                the smallest peak.
 *   test_steady  malloc(STEADY_SIZE) and free: the same every run.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define VARY_BASE 4096
#define VARY_STEP 1000
#define VARY_SMALL 16
#define VARY_MAX_SMALL 64
#define STEADY_SIZE 512

__attribute__((noinline)) void test_vary(unsigned c)
{
	char *small[VARY_MAX_SMALL];
	unsigned v = (c + 2) % 3, i, n = c + 1 < VARY_MAX_SMALL ? c + 1 :
					      VARY_MAX_SMALL;
	char *big = malloc(VARY_BASE + VARY_STEP * v);

	for (i = 0; i < n; i++)
		small[i] = malloc(VARY_SMALL);
	for (i = 0; i < n; i++)
		free(small[i]);
	free(big);
}

__attribute__((noinline)) void test_steady(void)
{
	char *p = malloc(STEADY_SIZE);

	memset(p, 1, STEADY_SIZE);
	free(p);
}

/* The run's number from PATH, and PATH updated: no stdio, no malloc. */
static unsigned next_run(const char *path)
{
	char buf[32];
	unsigned c = 0;
	ssize_t n;
	int fd = open(path, O_RDWR | O_CREAT, 0644);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = 0;
		c = (unsigned)strtoul(buf, NULL, 10);
	}
	n = snprintf(buf, sizeof(buf), "%u\n", c + 1);
	if (lseek(fd, 0, SEEK_SET) == 0 && ftruncate(fd, 0) == 0 &&
	    write(fd, buf, (size_t)n) != n)
		c = 0;
	close(fd);
	return c;
}

int main(int argc, char **argv)
{
	unsigned c;

	if (argc != 2) {
		static const char usage[] = "usage: repeat COUNTER_FILE\n";

		if (write(2, usage, sizeof(usage) - 1) < 0)
			return 2;
		return 2;
	}
	c = next_run(argv[1]);
	test_vary(c);
	test_steady();
	return 0;
}
