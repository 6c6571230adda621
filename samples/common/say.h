/*
 * say.h: output for samples without touching the heap.
 *
 * stdio allocates its buffer on first use (one malloc of BUFSIZ), which would
 * add an allocation that is the C library's, not the sample's. Samples print
 * with write(2) and format numbers into a stack buffer instead.
 */
#ifndef SAMPLES_SAY_H
#define SAMPLES_SAY_H

#include <string.h>
#include <unistd.h>

static inline void say_str(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* Write an unsigned decimal number. */
static inline void say_num(int fd, unsigned long long v)
{
	char buf[24];
	char *p = buf + sizeof(buf);

	*--p = '\0';
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	say_str(fd, p);
}

/* "label N\n" */
static inline void say_kv(int fd, const char *label, unsigned long long v)
{
	say_str(fd, label);
	say_str(fd, " ");
	say_num(fd, v);
	say_str(fd, "\n");
}

/* Parse a non-negative decimal argument; -1 when it is not one. */
static inline long long parse_count(const char *s)
{
	long long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000000LL)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

#endif
