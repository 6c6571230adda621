/*
 * Which mapping of a process an address lies in, to tell whether two
 * stack addresses are on one stack: a thread that switches stacks (a
 * ucontext coroutine, an alternate signal stack, a stack the program
 * mmapped) runs above or below its earlier frames without abandoning
 * them, and only a stack pointer on the same stack says anything about
 * a frame's height.
 */
#ifndef MEMSUP_STACKMAP_H
#define MEMSUP_STACKMAP_H

#include <stdint.h>
#include <sys/types.h>

/*
 * 1 when A and B lie in one mapping of process PID (/proc/PID/maps, read
 * again when either is outside what was read last), 0 when they do not;
 * 1 when that cannot be known (no maps: the height rule then applies).
 */
int stackmap_same(pid_t pid, uint64_t a, uint64_t b);
/*
 * The end of the mapping of process PID that holds ADDR: a stack
 * pointer in (ADDR, end) is on ADDR's stack. UINT64_MAX when that cannot
 * be known (the height rule then applies alone).
 */
uint64_t stackmap_end(pid_t pid, uint64_t addr);
/* Forget what was read (a process exec'd or exited). */
void stackmap_forget(void);

#endif
