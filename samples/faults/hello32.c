/*
 * hello32: a 32-bit (i386) C program, built with -m32 where gcc-multilib is
 * installed (else samples/faults/build.mk makes it from tiny32.S). memsup
 * must refuse it (exit 3, "32-bit") before it runs: it would print
 * "hello32: ran".
 */
#include <unistd.h>

int main(void)
{
	return write(1, "hello32: ran\n", 13) == 13 ? 0 : 1;
}
