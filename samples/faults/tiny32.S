/*
 * tiny32: a 32-bit (i386) ELF the kernel runs: exit(0) by int $0x80.
 * Assembled with as --32 and linked with ld -m elf_i386, no C library, so
 * that no multilib is needed.
 */
	.globl _start
	.text
_start:
	movl $1, %eax
	xorl %ebx, %ebx
	int $0x80
