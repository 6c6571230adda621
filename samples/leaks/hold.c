/*
 * hold: the tree of tree.c, built while memsup is attached (--pid), then
 * kept until the process is killed: the leak check at detach classifies
 * it. Allows any process to ptrace it (PR_SET_PTRACER_ANY, for Yama),
 * writes "ready" on stdout, waits until a tracer is attached (TracerPid in
 * /proc/self/status) and half a second more for it to arm, builds the
 * tree, writes its kinds on fd 3 and "built" on stdout, and sleeps.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>

#include "kinds.h"

struct node {
	struct node *left, *right;
};

struct node *top;

static struct node * __attribute__((noinline)) node_new(void)
{
	struct node *n = malloc(sizeof(*n));

	n->left = NULL;
	n->right = NULL;
	return n;
}

static void __attribute__((noinline)) build_and_cut(void)
{
	top = node_new();
	top->left = node_new();
	top->right = node_new();
	top->left->left = node_new();
	top->left->right = node_new();
	top->right->left = node_new();
	top->right->right = node_new();
	top->left->left = NULL;
	top->right = NULL;
}

/* Whether a tracer is attached, without malloc. */
static int traced(void)
{
	char buf[4096], *p;
	ssize_t n;
	int fd = open("/proc/self/status", O_RDONLY);

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	p = strstr(buf, "TracerPid:");
	return p && atoi(p + 10) != 0;
}

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int main(void)
{
	const struct kinds k = { 2, 2, 0, 3 };	/* as in tree.c */
	int i;

	prctl(PR_SET_PTRACER, PR_SET_PTRACER_ANY, 0, 0, 0);
	say_str(1, "ready\n");
	for (i = 0; i < 1000 && !traced(); i++)
		nap(10);
	nap(500);
	build_and_cut();
	kinds_scrub_stack();
	kinds_say(&k, sizeof(struct node));
	say_str(1, "built\n");
	for (i = 0; i < 600; i++)
		nap(100);
	return 0;
}
