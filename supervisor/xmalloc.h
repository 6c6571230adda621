/*
 * Allocation that dies on failure (strace's xmalloc). Safe because die()
 * cleans up the supervised processes first.
 */
#ifndef MEMSUP_XMALLOC_H
#define MEMSUP_XMALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows *PTR (of *ALLOC elements of SIZE) to hold at least NEED elements. */
void *xgrow(void *ptr, size_t *alloc, size_t need, size_t size);
char *xstrdup(const char *s);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
