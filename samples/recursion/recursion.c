/*
 * recursion: a recursive boundary (one scope, at the outermost call), a
 * boundary left by longjmp (unfinished), and one called three times
 * (results repeat[0..2]).
 *
 *   walk(REC_DEPTH)   mallocs REC_SIZE at each of REC_DEPTH + 1 levels and
 *                     frees each on the way back: REC_DEPTH + 1 blocks, all
 *                     live at the deepest call (peak (REC_DEPTH+1)*REC_SIZE)
 *   escape()          mallocs ESC_SIZE, then longjmps back to main
 *   repeat(i)         mallocs and frees REP_SIZE * (i + 1)
 */
#include <setjmp.h>
#include <stdlib.h>

#include "../common/say.h"

#define REC_DEPTH 5
#define REC_SIZE 64
#define ESC_SIZE 77
#define REP_SIZE 100

static jmp_buf back;
static void *keep;

__attribute__((noinline)) int walk(int n)
{
	void *p = malloc(REC_SIZE);
	int r = n ? walk(n - 1) + 1 : 0;

	free(p);
	return r;
}

__attribute__((noinline)) void escape(void)
{
	keep = malloc(ESC_SIZE);
	longjmp(back, 1);
}

__attribute__((noinline)) void repeat(int i)
{
	free(malloc((size_t)REP_SIZE * (size_t)(i + 1)));
}

int main(void)
{
	int i;

	walk(REC_DEPTH);
	if (!setjmp(back))
		escape();
	for (i = 0; i < 3; i++)
		repeat(i);
	free(keep);
	say_str(1, "recursion: done\n");
	return 0;
}
