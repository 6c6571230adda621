/*
 * attach: a long-running program for memsup --pid.
 *
 *   attach [ITERATIONS [SLEEP_US [STATUS]]]     (defaults 50, 100000, 0)
 *
 * Allows any process to ptrace it (PR_SET_PTRACER_ANY, for Yama), writes
 * "ready\n", then each iteration mallocs ATTACH_BLOCKS blocks of varied
 * sizes, fills them, folds their contents into a checksum, frees them and
 * sleeps SLEEP_US (default ATTACH_SLEEP_US). At the end it writes
 * "checksum N\n" and exits with STATUS. The checksum depends only on ITERATIONS: a
 * wrong byte from a breakpoint left behind or a botched detach shows as a
 * crash or a different sum.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "../common/say.h"

#define ATTACH_BLOCKS	8
#define ATTACH_SLEEP_US	100000

__attribute__((noinline)) static uint64_t one_round(unsigned long it)
{
	unsigned char *b[ATTACH_BLOCKS];
	uint64_t sum = 0;
	size_t n;
	int i;

	for (i = 0; i < ATTACH_BLOCKS; i++) {
		n = 16 + (it * 7 + (unsigned long)i * 131) % 2000;
		if (!(b[i] = malloc(n)))
			abort();
		memset(b[i], (int)((it + (unsigned long)i) & 0xff), n);
		sum = sum * 31 + b[i][n - 1] + n;
	}
	for (i = 0; i < ATTACH_BLOCKS; i++)
		free(b[i]);
	return sum;
}

int main(int argc, char **argv)
{
	long long iterations = 50, sleep_us = ATTACH_SLEEP_US, status = 0;
	struct timespec ts;
	uint64_t sum = 0;
	long long it;

	if ((argc > 1 && (iterations = parse_count(argv[1])) < 0) ||
	    (argc > 2 && ((sleep_us = parse_count(argv[2])) < 0 ||
			  sleep_us >= 1000000)) ||
	    (argc > 3 && ((status = parse_count(argv[3])) < 0 || status > 255))) {
		say_str(2, "usage: attach [ITERATIONS [SLEEP_US [STATUS]]]\n");
		return 2;
	}
	ts.tv_sec = 0;
	ts.tv_nsec = (long)sleep_us * 1000L;
#ifdef PR_SET_PTRACER
	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0); /* EINVAL without Yama */
#endif
	say_str(1, "ready\n");
	for (it = 0; it < iterations; it++) {
		sum ^= one_round((unsigned long)it) + (uint64_t)it;
		nanosleep(&ts, NULL);
	}
	say_kv(1, "checksum", sum);
	return (int)status;
}
