#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "supervisor/msg.h"
#include "supervisor/xmalloc.h"

static void *check(void *p, size_t size)
{
	if (!p && size)
		die(EXIT_SUPERVISION, "out of memory allocating %zu bytes", size);
	return p;
}

void *xmalloc(size_t size)
{
	return check(malloc(size ? size : 1), size);
}

void *xcalloc(size_t nmemb, size_t size)
{
	return check(calloc(nmemb ? nmemb : 1, size ? size : 1), nmemb * size);
}

void *xrealloc(void *ptr, size_t size)
{
	return check(realloc(ptr, size ? size : 1), size);
}

void *xgrow(void *ptr, size_t *alloc, size_t need, size_t size)
{
	size_t n = *alloc;

	if (need <= n)
		return ptr;
	n = n ? n : 8;
	while (n < need)
		n *= 2;
	if (n > (size_t)-1 / size)
		die(EXIT_SUPERVISION, "out of memory growing an array");
	ptr = xrealloc(ptr, n * size);
	*alloc = n;
	return ptr;
}

char *xstrdup(const char *s)
{
	return check(strdup(s), strlen(s) + 1);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_SUPERVISION, "out of memory formatting a string");
	return s;
}
