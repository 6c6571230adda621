/*
 * fork: the parent allocates two blocks, forks CHILDREN children and waits
 * for them all; child i (0..CHILDREN-1) has its own figures.
 *
 * Parent, before forking: shared = malloc(PARENT_SHARED), keep =
 * malloc(PARENT_KEEP). After all children have exited it frees shared and
 * exits with keep still live.
 *   parent: allocations 2, frees 1, allocated 96, peak 96, leaked 32 in 1
 *
 * Child i, k = i + 1 blocks of s = 100 * (i + 1) bytes:
 *   first frees its copy of the parent's shared block (a known block, but
 *   not the child's: it counts in frees and does not lower the child's peak),
 *   then mallocs k blocks of s bytes, frees the first k / 2 of them and
 *   _exits(0) with the other (k + 1) / 2 live.
 *   child i: allocations k, frees k/2 + 1, allocated k*s, peak k*s,
 *            leaked ((k+1)/2)*s in (k+1)/2 blocks
 * (the leaked bytes 100 200 600 800 1500 1800 2800 3200 4500 5000 are all
 * different, so a child's scope can be told by them too).
 *
 * stdout: "parent PID\n", then "child I PID\n" for each child.
 */
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../common/say.h"

#define CHILDREN	10
#define PARENT_SHARED	64
#define PARENT_KEEP	32

static void *shared, *keep;

__attribute__((noinline)) static void child_work(int i)
{
	int k = i + 1, s = 100 * (i + 1), j;
	void *blocks[CHILDREN];

	free(shared);
	for (j = 0; j < k; j++)
		if (!(blocks[j] = malloc(s)))
			abort();
	for (j = 0; j < k / 2; j++)
		free(blocks[j]);
}

int main(void)
{
	pid_t pids[CHILDREN];
	int i, status, failed = 0;

	say_kv(1, "parent", (unsigned long long)getpid());
	shared = malloc(PARENT_SHARED);
	keep = malloc(PARENT_KEEP);
	for (i = 0; i < CHILDREN; i++) {
		pids[i] = fork();
		if (pids[i] < 0)
			abort();
		if (pids[i] == 0) {
			child_work(i);
			_exit(0);
		}
	}
	/* One write per line, after the forks: no buffer shared with children. */
	for (i = 0; i < CHILDREN; i++) {
		say_str(1, "child ");
		say_num(1, (unsigned long long)i);
		say_str(1, " ");
		say_num(1, (unsigned long long)pids[i]);
		say_str(1, "\n");
	}
	for (i = 0; i < CHILDREN; i++) {
		if (waitpid(pids[i], &status, 0) != pids[i] ||
		    !WIFEXITED(status) || WEXITSTATUS(status) != 0)
			failed = 1;
	}
	free(shared);
	return failed;
}
