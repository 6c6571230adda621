/*
 * reachable: what a library keeps on purpose, next to a real leak.
 *
 *   err_get()      per-thread error state, created on first use and kept in
 *                  a __thread pointer (a struct and its message buffer), as
 *                  libcork and many C libraries do; freed at exit
 *   cache_get()    a function-local static cache, built on first use
 *   map_build()    a map (MAP_BYTES) with MAP_CHILDREN children, whose only
 *                  pointer the caller then drops: a real leak
 *
 * The sizes, and the figures memsup must report, come from these constants
 * (main.c writes them to fd 3).
 */
#ifndef SAMPLES_REACHABLE_H
#define SAMPLES_REACHABLE_H

#include <stddef.h>

#define ERR_STATE_BYTES 64		/* struct err */
#define ERR_MESSAGE_BYTES 109		/* its message buffer */
#define CACHE_BYTES 96
#define MAP_BYTES 48
#define MAP_CHILDREN 10
#define CHILD_SMALL 18			/* the first two children */
#define CHILD_BIG 24			/* the other eight */

struct err {
	char *message;			/* ERR_MESSAGE_BYTES */
	int code;
	char pad[ERR_STATE_BYTES - sizeof(char *) - sizeof(int)];
};

struct err *err_get(void);
void err_set(int code, const char *what);
void err_release(void);

const char *cache_get(void);

struct child {
	struct child *next;
	char data[];
};

struct map {
	struct child *head;
	size_t n;
	char name[MAP_BYTES - sizeof(struct child *) - sizeof(size_t)];
};

struct map *map_build(void);
/* The bytes of child I (0-based). */
size_t child_bytes(unsigned i);

#endif
