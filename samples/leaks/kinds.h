/*
 * kinds.h: what the leak samples share. Each sample writes, on fd 3, the
 * bytes and blocks it leaves of each kind at exit, computed from its own
 * constants ("definite 48 3" and so on, one kind a line), and scrubs the
 * stack it no longer uses before it exits.
 */
#ifndef SAMPLES_LEAKS_KINDS_H
#define SAMPLES_LEAKS_KINDS_H

#include "../common/say.h"

struct kinds {
	unsigned long definite, indirect, possible, reachable;	/* blocks */
};

/* Blocks of SIZE bytes each, as "KIND BYTES BLOCKS" lines on fd 3. */
static inline void kinds_say(const struct kinds *k, unsigned long size)
{
	static const char *const name[] = {
		"definite", "indirect", "possible", "reachable",
	};
	const unsigned long n[] = {
		k->definite, k->indirect, k->possible, k->reachable,
	};
	unsigned i;

	for (i = 0; i < 4; i++) {
		say_str(3, name[i]);
		say_str(3, " ");
		say_num(3, n[i] * size);
		say_str(3, " ");
		say_num(3, n[i]);
		say_str(3, "\n");
	}
}

/*
 * Zeroes the stack below the caller's frame. A pointer the sample dropped
 * may survive there in a slot nothing wrote since; a conservative scan
 * would take it for a live pointer (valgrind does not: it treats a fresh
 * stack frame as undefined and skips it), so the samples clear it, as
 * LeakSanitizer's tests do.
 */
static void __attribute__((noinline)) kinds_scrub_stack(void)
{
	volatile unsigned long pad[4096];
	unsigned i;

	for (i = 0; i < sizeof(pad) / sizeof(pad[0]); i++)
		pad[i] = 0;
}

#endif
