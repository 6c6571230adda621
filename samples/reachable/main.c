/*
 * reachable: three test boundaries (reachable.h).
 *
 *   test_error_state  the main thread and a worker (started before the
 *                     test, still alive when it returns) each create their
 *                     error state: 2 x (ERR_STATE_BYTES + ERR_MESSAGE_BYTES)
 *                     reachable, through TLS
 *   test_cache        the static cache: CACHE_BYTES reachable
 *   test_tree_leak    a map and its children dropped: one definite group of
 *                     MAP_BYTES holding the children's bytes, which are
 *                     one indirect group
 *
 * fd 3 gets "TEST KIND BYTES BLOCKS" per leak group kind, and
 * "TEST held BYTES" for the indirect bytes of the definite group.
 */
#include <pthread.h>
#include <stdlib.h>

#include "../common/say.h"
#include "../leaks/kinds.h"
#include "reachable.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int step;			/* 1: make your state, 2: done, 3: exit */

static void wait_step(int want)
{
	pthread_mutex_lock(&lock);
	while (step < want)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
}

static void set_step(int s)
{
	pthread_mutex_lock(&lock);
	step = s;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
}

static void *worker(void *arg)
{
	wait_step(1);
	err_set(2, "worker: no such file");
	set_step(2);
	wait_step(3);
	err_release();
	return arg;
}

void __attribute__((noinline)) test_error_state(void)
{
	err_set(1, "main: permission denied");
	set_step(1);
	wait_step(2);
}

void __attribute__((noinline)) test_cache(void)
{
	(void)cache_get();
	(void)cache_get();
}

void __attribute__((noinline)) test_tree_leak(void)
{
	struct map *m = map_build();

	m = NULL;
	(void)m;
}

static void line(const char *test, const char *kind, unsigned long bytes,
		 unsigned long blocks)
{
	say_str(3, test);
	say_str(3, " ");
	say_str(3, kind);
	say_str(3, " ");
	say_num(3, bytes);
	if (blocks) {
		say_str(3, " ");
		say_num(3, blocks);
	}
	say_str(3, "\n");
}

int main(void)
{
	unsigned long children = 0;
	pthread_t th;
	unsigned i;

	pthread_create(&th, NULL, worker, NULL);
	test_error_state();
	test_cache();
	test_tree_leak();
	kinds_scrub_stack();
	set_step(3);
	pthread_join(th, NULL);
	err_release();

	for (i = 0; i < MAP_CHILDREN; i++)
		children += child_bytes(i);
	line("test_error_state", "reachable",
	     2 * (ERR_STATE_BYTES + ERR_MESSAGE_BYTES), 4);
	line("test_cache", "reachable", CACHE_BYTES, 1);
	line("test_tree_leak", "definite", MAP_BYTES, 1);
	line("test_tree_leak", "held", children, 0);
	line("test_tree_leak", "indirect", children, MAP_CHILDREN);
	return 0;
}
