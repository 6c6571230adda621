/*
 * sanitized: built with -fsanitize=address, so that its LeakSanitizer
 * check at exit would run; leaks LEAK_SIZE bytes from leak_it(). memsup
 * warns that LeakSanitizer cannot run under ptrace and says to set
 * ASAN_OPTIONS=detect_leaks=0; with it, memsup reports the leak itself.
 */
#include <stdlib.h>

#include "../common/say.h"

#define LEAK_SIZE 100

static void *volatile keep;

__attribute__((noinline)) void *leak_it(void)
{
	return malloc(LEAK_SIZE);
}

int main(void)
{
	keep = leak_it();
	keep = NULL;
	say_str(1, "sanitized: done\n");
	return 0;
}
