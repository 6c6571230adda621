/* The library side of the reachable sample (reachable.h). */
#include <stdlib.h>
#include <string.h>

#include "reachable.h"

static __thread struct err *tls_err;

struct err * __attribute__((noinline)) err_get(void)
{
	if (!tls_err) {
		tls_err = calloc(1, sizeof(*tls_err));
		tls_err->message = malloc(ERR_MESSAGE_BYTES);
		tls_err->message[0] = 0;
	}
	return tls_err;
}

void err_set(int code, const char *what)
{
	struct err *e = err_get();

	e->code = code;
	strncpy(e->message, what, ERR_MESSAGE_BYTES - 1);
	e->message[ERR_MESSAGE_BYTES - 1] = 0;
}

void err_release(void)
{
	if (!tls_err)
		return;
	free(tls_err->message);
	free(tls_err);
	tls_err = NULL;
}

const char * __attribute__((noinline)) cache_get(void)
{
	static char *compiled;

	if (!compiled) {
		compiled = malloc(CACHE_BYTES);
		memset(compiled, 'x', CACHE_BYTES - 1);
		compiled[CACHE_BYTES - 1] = 0;
	}
	return compiled;
}

size_t child_bytes(unsigned i)
{
	return i < 2 ? CHILD_SMALL : CHILD_BIG;
}

static struct child * __attribute__((noinline)) child_new(unsigned i)
{
	struct child *c = malloc(child_bytes(i));

	c->next = NULL;
	return c;
}

struct map * __attribute__((noinline)) map_build(void)
{
	struct map *m = malloc(sizeof(*m));
	unsigned i;

	m->head = NULL;
	m->n = 0;
	strcpy(m->name, "settings");
	for (i = 0; i < MAP_CHILDREN; i++) {
		struct child *c = child_new(i);

		c->next = m->head;
		m->head = c;
		m->n++;
	}
	return m;
}
